// Package plan turns a GraphQL operation into a query plan for a supergraph: parse,
// validate against the API schema, normalise, then choose the subgraph fetches and
// their order. It does no I/O; plans are plain data with a readable String form.
//
// Entry points: NewPlanner(graph, cacheSize) and (*Planner).Plan(query, operationName,
// variables), which caches plans by a hash of the document, operation name and the
// values of the variables that @skip/@include read.
//
// # @skip and @include on variables: plans per value, not Condition nodes
//
// A condition on a variable is resolved while normalising, with the request's
// coerced value, and the value is one bit of the plan cache key; there are no
// Condition nodes in plans. The choice is deliberate:
//
//   - Each plan is exact for its values: a skipped field costs nothing at run
//     time (no fetch, no representation, no field in a subgraph operation) and
//     neither execution nor shaping checks conditions per request. With
//     Condition nodes, conditional fields would stay in subgraph operations
//     with their directives and forwarded variables, entity fetches needed only
//     under a condition would need Condition nodes around them, and fetch
//     merging across differently conditioned fields would have to be undone or
//     re-checked at run time.
//   - Plans are made lazily, only for the combinations clients send. Documents
//     use one or two condition variables in practice, so a document has two to
//     four plans at most, each planned once (normalising and planning only: the
//     parse and validation are cached per document; BenchmarkPlan's cold case,
//     which includes them, is 0.14-0.3 ms) and bounded by the plan LRU.
//   - Every plan stays one Sequence/Parallel/Flatten/Fetch tree, which the
//     playground (extensions.queryPlan) shows as the plan that actually ran.
//
// Condition nodes would pay off for documents with many independent condition
// variables whose combinations churn the cache (the plan count grows as 2^n);
// they would then be added at the planner's root split, keeping the per-value
// plans as their branches.
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
	// SizeHint is the size of the last response made with the plan, which
	// execution uses to size its output buffer at once.
	SizeHint atomic.Int64
}

// Node is a step of a plan: *Sequence, *Parallel, *Flatten or *Fetch.
type Node interface{ node() }

// Sequence runs its nodes one after the other.
type Sequence struct{ Nodes []Node }

// Parallel runs its nodes concurrently.
type Parallel struct{ Nodes []Node }

// Flatten runs an entity fetch for the objects found at Paths in the response so far.
type Flatten struct {
	// Paths are response paths (response keys, "@" for "every list element").
	Paths []Path
	Fetch *Fetch
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
	// SizeHint is the size of the subgraph's last answer to this fetch, which
	// execution uses to read the next answer into one buffer of the right size.
	SizeHint atomic.Int64
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
