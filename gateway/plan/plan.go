// Package plan turns a GraphQL operation into a query plan for a supergraph: parse,
// validate against the API schema, normalise, then choose the subgraph fetches and
// their order. It does no I/O; plans are plain data with a readable String form.
//
// Entry points: New(graph, Options) (or NewPlanner(graph, cacheSize)) and
// (*Planner).Plan(query, operationName, variables), which caches parsed
// documents by their text and plans by a hash of the normalised operation.
//
// # Choosing fetches
//
//   - Root fields go to the subgraph that resolves most of them and of their
//     selections; fields a subgraph does not resolve are reached through an
//     entity key (build.go), or, for value types without keys, by entering
//     another subgraph again at the nearest entity or shared root field above
//     them (reenter.go).
//   - A fetch that nests lists three deep inside one subgraph is cut at a
//     single-valued entity reference, so that repeated entities are resolved
//     once each in a later _entities call (split.go, Options.SplitDepth).
//   - Entity fetches to one subgraph are merged whatever their paths, also
//     across stages when one can wait for another without making the plan
//     deeper (stage.go).
//
// # @skip and @include on variables: one plan, decided at run time
//
// Literal arguments are resolved while normalising. A condition on a variable
// becomes part of the plan, so that one cached plan serves every value:
//
//   - Normalising pushes a fragment's conditions down to its fields: each Field
//     carries the Conditions it is under, relative to its parent. Fields with one
//     response key but different conditions stay apart; shaping keeps those whose
//     conditions hold and merges their subselections, as GraphQL's field
//     collection does.
//   - A field inside a fetch keeps its directive in the subgraph operation (the
//     variable is forwarded), so the subgraph leaves it out. Where one subgraph
//     item serves fields under different conditions, or a field the planner
//     needs (a key, a required field), it has no directive: the subgraph always
//     answers it and shaping decides.
//   - A fetch whose every field is wanted only under some conditions (an entity
//     fetch for fields under @include, or a root fetch of conditional root
//     fields) goes under Condition nodes, which the executor evaluates against
//     the coerced variables: the fetch is not sent when they fail. A fetch runs
//     when the conditions of any of its fields hold (merged fetches join their
//     alternatives): one conjunction is a chain of Condition nodes; several
//     (fields under $a and fields under $b in one fetch) are a small decision
//     tree with the fetch in each branch where one holds. Past a few
//     conditions in all, the fetch is conditional only on what they share.
//   - A fetch depends only on fetches whose conditions its fields imply: keys
//     and required fields are planned under the conditions of the position,
//     not of the field. Merging entity fetches across paths can make a fetch
//     run more often than a fetch it depends on; the representations of a
//     path whose provider was left out then lack fields, those objects are
//     not looked up, and only fields whose conditions fail were wanted there.
//
// The previous design planned per combination of values (the values were bits
// of the cache key). It sent nothing for skipped fields, but the plan count
// grew as 2^n with the condition variables and each new combination paid a
// normalisation and planning; Condition nodes also match the plans Apollo's
// router shows for the same documents. The cost at run time is small: shaping
// checks conditions only in selection sets that have some, and queries without
// conditions take the same paths as before.
package plan

import (
	"fmt"
	"strings"
	"sync/atomic"
)

// Plan is an executable query plan.
type Plan struct {
	// Operation is the normalised client operation; execution shapes the response by it.
	Operation *Operation
	// Root is the tree of fetches; nil when the operation needs no fetch (only __typename).
	Root Node
	// Fetches lists every fetch of the plan by ID.
	Fetches []*Fetch
	// ResponseKeys maps the data keys the planner gave client fields
	// (Field.DataKey) back to their response keys, for error paths.
	ResponseKeys map[string]string
	// SizeHint is the size of the last response made with the plan, which
	// execution uses to size its output buffer at once.
	SizeHint atomic.Int64
	// touched says which client fields each fetch serves, for @defer (defer.go).
	touched touchIndex
}

// Node is a step of a plan: *Sequence, *Parallel, *Flatten, *Fetch or *Condition.
type Node interface{ node() }

// Sequence runs its nodes one after the other.
type Sequence struct{ Nodes []Node }

// Parallel runs its nodes concurrently.
type Parallel struct{ Nodes []Node }

// Flatten runs an entity fetch for the objects found at Paths in the response so far.
type Flatten struct {
	// Paths are response paths (response keys, "@" for "every list element").
	Paths []Path
	// PathTypes, when set, lists per path the __typenames whose objects the
	// fetch looks up there: fetches merged from several paths may serve a
	// type at one path only.
	PathTypes [][]string
	Fetch     *Fetch
}

// Path is a response path; "@" stands for every element of a list.
type Path []string

// String joins the path with dots.
func (p Path) String() string { return strings.Join(p, ".") }

// Fetch is one request to a subgraph.
type Fetch struct {
	ID       int
	Subgraph string
	// Operation is the GraphQL document sent to the subgraph.
	Operation string
	// Variables are the client variables the operation uses, forwarded as they are.
	Variables []string
	// Entity marks an _entities fetch; Requires then shapes each representation.
	Entity   bool
	Requires []*RepNode
	// DependsOn lists the fetches whose data this one needs.
	DependsOn []int
	// Mutation marks a root fetch of a mutation; such fetches are never de-duplicated.
	Mutation bool
	// Subscription marks the root fetch of a subscription: the router
	// subscribes with it and runs the rest of the plan for each event.
	Subscription bool
	// Scope lists the response paths the fetch fills: its flatten paths, or
	// for a root fetch its root fields. When the fetch fails, values missing
	// under them are explained by its error.
	Scope []Path
	// SizeHint is the size of the subgraph's last answer to this fetch, which
	// execution uses to read the next answer into one buffer of the right size.
	SizeHint atomic.Int64
	// Context, set on an entity fetch of fields with contextual arguments,
	// says where each argument's value is read (context.go).
	Context *ContextFetch
}

// RepNode is one element of a representation: a field to copy from the response
// data, or, when Types is set, a fragment that applies to objects of those types.
type RepNode struct {
	// Key is the response key to copy from the data (empty for fragments); it
	// differs from Name when the planner aliased its field away from a client key.
	Key string
	// Name is the field's name in the representation.
	Name string
	// KeyField marks a field of the entity's key: when it is null the object has
	// no identity and is not looked up.
	KeyField bool
	// Typename, when set on a fragment, replaces __typename in the representation:
	// an @interfaceObject subgraph knows the interface's name, not the object's.
	Typename string
	// Types lists the concrete types a fragment applies to.
	Types []string
	// TypeCondition is the fragment's type as written, for printing.
	TypeCondition string
	Children      []*RepNode
}

func (*Sequence) node() {}
func (*Parallel) node() {}
func (*Flatten) node()  {}
func (*Fetch) node()    {}

// String prints the plan in a stable, indented form used by golden tests and the playground.
func (p *Plan) String() string {
	var b strings.Builder
	b.WriteString("QueryPlan {\n")
	if p.Root != nil {
		writeNode(&b, p.Root, 1)
	}
	b.WriteString("}\n")
	return b.String()
}

func indent(b *strings.Builder, n int) {
	b.WriteString(strings.Repeat("  ", n))
}

func writeNode(b *strings.Builder, n Node, depth int) {
	switch n := n.(type) {
	case *Sequence:
		indent(b, depth)
		b.WriteString("Sequence {\n")
		for _, c := range n.Nodes {
			writeNode(b, c, depth+1)
		}
		indent(b, depth)
		b.WriteString("}\n")
	case *Parallel:
		indent(b, depth)
		b.WriteString("Parallel {\n")
		for _, c := range n.Nodes {
			writeNode(b, c, depth+1)
		}
		indent(b, depth)
		b.WriteString("}\n")
	case *Flatten:
		indent(b, depth)
		paths := make([]string, len(n.Paths))
		for i, p := range n.Paths {
			paths[i] = fmt.Sprintf("%q", p.String())
		}
		fmt.Fprintf(b, "Flatten(path: %s) {\n", strings.Join(paths, ", "))
		writeNode(b, n.Fetch, depth+1)
		indent(b, depth)
		b.WriteString("}\n")
	case *Condition:
		indent(b, depth)
		fmt.Fprintf(b, "Condition(if: $%s) {\n", n.Variable)
		for _, br := range []struct {
			name string
			node Node
		}{{"Then", n.If}, {"Else", n.Else}} {
			if br.node == nil {
				continue
			}
			indent(b, depth+1)
			b.WriteString(br.name + " {\n")
			writeNode(b, br.node, depth+2)
			indent(b, depth+1)
			b.WriteString("}\n")
		}
		indent(b, depth)
		b.WriteString("}\n")
	case *Fetch:
		indent(b, depth)
		fmt.Fprintf(b, "Fetch(service: %q, id: %d", n.Subgraph, n.ID)
		if len(n.DependsOn) > 0 {
			fmt.Fprintf(b, ", dependsOn: %v", n.DependsOn)
		}
		b.WriteString(") {\n")
		if n.Entity {
			indent(b, depth+1)
			b.WriteString(repString(n.Requires))
			b.WriteString(" =>\n")
		}
		if n.Context != nil {
			writeContext(b, n.Context, depth+1)
		}
		indent(b, depth+1)
		b.WriteString(n.Operation)
		b.WriteString("\n")
		indent(b, depth)
		b.WriteString("}\n")
	}
}

func repString(nodes []*RepNode) string {
	var b strings.Builder
	var write func([]*RepNode)
	write = func(ns []*RepNode) {
		b.WriteString("{")
		for i, n := range ns {
			if i > 0 {
				b.WriteString(" ")
			}
			if n.TypeCondition != "" {
				b.WriteString("...on " + n.TypeCondition)
			} else {
				if n.Key != n.Name {
					b.WriteString(n.Key + ":")
				}
				b.WriteString(n.Name)
			}
			if len(n.Children) > 0 {
				write(n.Children)
			}
		}
		b.WriteString("}")
	}
	write(nodes)
	return b.String()
}
