package limits

import (
	"fmt"
	"slices"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/shopgraph/shopgraph/gateway/supergraph"
)

// The actual cost is the estimate's formula applied to the answer, as Apollo
// Router's demand control measures it: the same weights (@cost, 1 for a
// composite field, 0 for a leaf, 10 for a mutation root field), but every list
// counts the items it really returned instead of a slicing argument or an
// assumed size. A field that came back null still weighs its own weight (it was
// resolved) but has no children; a field missing from the answer (a fragment
// whose type condition did not match, a field nulled away with its parent)
// weighs nothing. So an answer whose lists are no longer than the estimate
// assumed never costs more than the estimate.
//
// It is read from the serialised response rather than from the executor's
// merged values: the response is the one form every path produces (plain
// execution, de-duplicated execution shared between requests, batches), and the
// executor drops its values once they are written. The scan decodes nothing and
// allocates only per distinct selection, so it costs a pass over the bytes
// (BenchmarkActualCost: about 1.2 ms per MiB of answer, 690 MB/s on one core),
// and the server runs it after the response is written, off the request's
// latency.

// ActualCost computes the actual cost of op, a validated operation of doc run
// with the coerced variables vars, from response, the GraphQL response it
// produced ({"data": ..., "errors": [...]}). A response without data costs 0.
func (c Config) ActualCost(g *supergraph.Graph, doc *ast.QueryDocument, op *ast.OperationDefinition, vars map[string]any, response []byte) (int, error) {
	data, ok, err := dataOf(response)
	if err != nil || !ok {
		return 0, err
	}
	w := &actualWalker{
		costEstimator: costEstimator{cfg: c, graph: g, vars: vars, doc: doc},
		groups:        map[groupsKey][]*fieldGroup{},
	}
	root := g.API().Query
	switch op.Operation {
	case ast.Mutation:
		root = g.API().Mutation
	case ast.Subscription:
		root = g.API().Subscription
	}
	if root == nil {
		return 0, fmt.Errorf("actual cost: the schema has no %s root", op.Operation)
	}
	i := skipSpace(data, 0)
	if isNull(data, i) {
		return 0, nil
	}
	cost, _, err := w.object(data, i, nil, []ast.SelectionSet{op.SelectionSet}, root.Name, op.Operation == ast.Mutation)
	if err != nil {
		return cost, fmt.Errorf("actual cost: %w", err)
	}
	return cost, nil
}

// dataOf returns the raw "data" member of a GraphQL response.
func dataOf(response []byte) (data []byte, ok bool, err error) {
	i, empty, err := openEmpty(response, 0, '{', '}')
	if err != nil || empty {
		return nil, false, err
	}
	for {
		key, vi, err := readKey(response, i)
		if err != nil {
			return nil, false, err
		}
		end, err := skipValue(response, vi)
		if err != nil {
			return nil, false, err
		}
		if string(key) == "data" {
			return response[vi:end], true, nil
		}
		var done bool
		if i, done, err = afterMember(response, end, '}'); err != nil || done {
			return nil, false, err
		}
	}
}

// actualWalker walks an operation's selections along its response.
type actualWalker struct {
	costEstimator
	// groups memoises the fields an object's selections collect into, by the
	// field whose value the object is and the object's type: every item of a
	// list shares them.
	groups map[groupsKey][]*fieldGroup
}

type groupsKey struct {
	parent   *fieldGroup
	typename string
}

// fieldGroup is the fields one response key stands for in one object (a key
// selected twice, through fragments, is one value).
type fieldGroup struct {
	key    string
	weight int
	typ    *ast.Type
	// children are the selection sets of every field of the group, which
	// together select the value's fields; skip marks introspection fields and
	// __typename, which weigh nothing.
	children []ast.SelectionSet
	skip     bool
	// typename marks a __typename field, which tells an object's type.
	typename bool
}

// object returns the cost of the object at b[i], the value of parent (nil at
// the root), selected by sets, whose declared type is typeName.
func (w *actualWalker) object(b []byte, i int, parent *fieldGroup, sets []ast.SelectionSet, typeName string, mutationRoot bool) (int, int, error) {
	typename := typeName
	if def := w.graph.API().Types[typeName]; def != nil && def.IsAbstractType() {
		// The concrete type decides the type conditions. Without __typename
		// in the answer every fragment counts, but only the keys present
		// weigh anything (shaping writes only the fields that applied).
		typename = ""
		if slices.ContainsFunc(w.groupsFor(parent, sets, "", mutationRoot), func(g *fieldGroup) bool { return g.typename }) {
			typename = findKey(b, i, "__typename")
		}
	}
	groups := w.groupsFor(parent, sets, typename, mutationRoot)
	i, empty, err := openEmpty(b, i, '{', '}')
	if err != nil || empty {
		return 0, i, err
	}
	total := 0
	for {
		key, vi, err := readKey(b, i)
		if err != nil {
			return total, 0, err
		}
		var g *fieldGroup
		for _, c := range groups {
			if c.key == string(key) {
				g = c
				break
			}
		}
		var cost int
		if g == nil || g.skip {
			i, err = skipValue(b, vi)
		} else {
			cost, i, err = w.value(b, vi, g, g.typ)
		}
		if err != nil {
			return total, 0, err
		}
		total = add(total, cost)
		var done bool
		if i, done, err = afterMember(b, i, '}'); err != nil {
			return total, 0, err
		} else if done {
			return total, i, nil
		}
	}
}

// groupsFor returns the memoised field groups of an object of type typename.
func (w *actualWalker) groupsFor(parent *fieldGroup, sets []ast.SelectionSet, typename string, mutationRoot bool) []*fieldGroup {
	k := groupsKey{parent, typename}
	groups, ok := w.groups[k]
	if !ok {
		groups = w.collect(nil, sets, typename, mutationRoot)
		w.groups[k] = groups
	}
	return groups
}

// value returns the cost of g's value at b[i], of type typ (g's type or, in a
// list, its item type).
func (w *actualWalker) value(b []byte, i int, g *fieldGroup, typ *ast.Type) (int, int, error) {
	i = skipSpace(b, i)
	if typ.Elem != nil {
		if isNull(b, i) {
			return 0, i + 4, nil
		}
		i, empty, err := openEmpty(b, i, '[', ']')
		if err != nil || empty {
			return 0, i, err
		}
		total := 0
		for {
			var cost int
			if cost, i, err = w.value(b, i, g, typ.Elem); err != nil {
				return total, 0, err
			}
			total = add(total, cost)
			var done bool
			if i, done, err = afterMember(b, i, ']'); err != nil {
				return total, 0, err
			} else if done {
				return total, i, nil
			}
		}
	}
	if isNull(b, i) || len(g.children) == 0 {
		end, err := skipValue(b, i)
		return g.weight, end, err
	}
	children, end, err := w.object(b, i, g, g.children, typ.Name(), false)
	return add(g.weight, children), end, err
}

// collect gathers the fields of sets that apply to an object of type typename
// ("" when unknown: every fragment applies) into groups by response key.
func (w *actualWalker) collect(out []*fieldGroup, sets []ast.SelectionSet, typename string, mutationRoot bool) []*fieldGroup {
	for _, set := range sets {
		for _, sel := range set {
			switch sel := sel.(type) {
			case *ast.Field:
				if w.included(sel.Directives) {
					out = w.addField(out, sel, mutationRoot)
				}
			case *ast.InlineFragment:
				if w.included(sel.Directives) && w.applies(sel.TypeCondition, typename) {
					out = w.collect(out, []ast.SelectionSet{sel.SelectionSet}, typename, mutationRoot)
				}
			case *ast.FragmentSpread:
				if !w.included(sel.Directives) {
					continue
				}
				if def := w.doc.Fragments.ForName(sel.Name); def != nil && w.applies(def.TypeCondition, typename) {
					out = w.collect(out, []ast.SelectionSet{def.SelectionSet}, typename, mutationRoot)
				}
			}
		}
	}
	return out
}

func (w *actualWalker) addField(out []*fieldGroup, f *ast.Field, mutationRoot bool) []*fieldGroup {
	key := f.Alias
	if key == "" {
		key = f.Name
	}
	for _, g := range out {
		if g.key == key {
			if len(f.SelectionSet) > 0 {
				g.children = append(g.children, f.SelectionSet)
			}
			return out
		}
	}
	g := &fieldGroup{key: key, typename: f.Name == "__typename"}
	if len(f.Name) > 1 && f.Name[:2] == "__" || f.Definition == nil {
		g.skip = true
		return append(out, g)
	}
	g.typ = f.Definition.Type
	g.weight = w.weight(f, w.annotation(f), mutationRoot)
	if len(f.SelectionSet) > 0 {
		g.children = []ast.SelectionSet{f.SelectionSet}
	}
	return append(out, g)
}

// applies reports whether a fragment on cond applies to an object of type
// typename.
func (w *actualWalker) applies(cond, typename string) bool {
	if cond == "" || typename == "" || cond == typename {
		return true
	}
	for _, p := range w.graph.API().PossibleTypes[cond] {
		if p.Name == typename {
			return true
		}
	}
	return false
}
