package limits

import (
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/shopgraph/shopgraph/gateway/supergraph"
)

// Estimating cost follows the shape of Apollo's demand control and IBM's GraphQL
// cost specification, simplified to an upper bound:
//
//   - a field that returns an object, interface or union weighs 1, a leaf 0,
//     a mutation root field 10, unless @cost on the field or its type says
//     otherwise; introspection fields weigh nothing (the router answers them
//     from the schema, bounded by the depth limit and the response cap);
//   - a list field multiplies its weight and its children's cost by its size:
//     the largest slicing argument it is given, else @listSize(assumedSize),
//     else the default list size; a list of lists multiplies once per level;
//   - a field that is not a list but takes a slicing argument (a Relay
//     connection such as products(first: 100)) sizes the lists right below it
//     (edges, nodes), or the @listSize(sizedFields:) it names;
//   - fragments add up: every type condition counts, as if the object matched
//     them all;
//   - @skip and @include are decided with the request's variables.

// costEstimator estimates the cost of one operation.
type costEstimator struct {
	cfg     Config
	graph   *supergraph.Graph
	vars    map[string]any
	doc     *ast.QueryDocument
	frags   map[fragKey]int
	slicing map[string]bool
}

// fragKey memoises a fragment's cost for the list size given to its lists.
type fragKey struct {
	name  string
	sized sizing
}

// sizing is what a connection field passes to the lists below it.
type sizing struct {
	size   int    // 0: nothing passed
	fields string // comma-separated @listSize(sizedFields:); empty: every list child
}

// Cost estimates the cost of op, a validated operation of doc, with the coerced
// variables vars.
func (c Config) Cost(g *supergraph.Graph, doc *ast.QueryDocument, op *ast.OperationDefinition, vars map[string]any) int {
	e := &costEstimator{cfg: c, graph: g, vars: vars, doc: doc, frags: map[fragKey]int{}, slicing: map[string]bool{}}
	for _, a := range c.SlicingArguments {
		e.slicing[a] = true
	}
	return e.selections(op.SelectionSet, sizing{}, op.Operation == ast.Mutation)
}

// CheckCost estimates op's cost and returns an *Exceeded when it is over the limit.
func (c Config) CheckCost(g *supergraph.Graph, doc *ast.QueryDocument, op *ast.OperationDefinition, vars map[string]any) *Exceeded {
	if c.MaxCost <= 0 {
		return nil
	}
	return check("cost", c.MaxCost, c.Cost(g, doc, op, vars))
}

func (e *costEstimator) selections(set ast.SelectionSet, sized sizing, mutationRoot bool) int {
	total := 0
	for _, sel := range set {
		switch sel := sel.(type) {
		case *ast.Field:
			if e.included(sel.Directives) {
				total = add(total, e.field(sel, sized, mutationRoot))
			}
		case *ast.InlineFragment:
			if e.included(sel.Directives) {
				total = add(total, e.selections(sel.SelectionSet, sized, mutationRoot))
			}
		case *ast.FragmentSpread:
			if e.included(sel.Directives) {
				total = add(total, e.fragment(sel.Name, sized, mutationRoot))
			}
		}
	}
	return total
}

func (e *costEstimator) fragment(name string, sized sizing, mutationRoot bool) int {
	k := fragKey{name, sized}
	if c, ok := e.frags[k]; ok {
		return c
	}
	def := e.doc.Fragments.ForName(name)
	if def == nil {
		return 0
	}
	e.frags[k] = 0 // cycles are refused by validation; this only ends recursion
	c := e.selections(def.SelectionSet, sized, mutationRoot)
	e.frags[k] = c
	return c
}

func (e *costEstimator) field(f *ast.Field, sized sizing, mutationRoot bool) int {
	if len(f.Name) > 1 && f.Name[:2] == "__" || f.Definition == nil {
		return 0
	}
	typ := f.Definition.Type
	annot := e.annotation(f)
	weight := e.weight(f, annot, mutationRoot)

	var listSize *supergraph.ListSize
	if annot != nil {
		listSize = annot.ListSize
	}
	slice := e.slicingValue(f, listSize)
	var below sizing
	levels := listLevels(typ)
	size := 1
	if levels > 0 {
		n := e.cfg.DefaultListSize
		switch {
		case slice >= 0:
			n = slice
		case listSize != nil && listSize.AssumedSize != nil:
			n = *listSize.AssumedSize
		case sized.size > 0 && sized.sizes(f.Name):
			n = sized.size
		}
		for range levels {
			size = mul(size, n)
		}
	} else if slice >= 0 {
		below = sizing{size: max(slice, 1)}
		if listSize != nil && len(listSize.SizedFields) > 0 {
			below.fields = strings.Join(listSize.SizedFields, ",")
		}
	}
	children := e.selections(f.SelectionSet, below, false)
	return mul(size, add(weight, children))
}

// annotation returns the @cost and @listSize of the field's definition, or nil.
func (e *costEstimator) annotation(f *ast.Field) *supergraph.Cost {
	if f.ObjectDefinition == nil {
		return nil
	}
	if t := e.graph.Type(f.ObjectDefinition.Name); t != nil {
		if sf := t.Fields[f.Name]; sf != nil {
			return sf.Cost
		}
	}
	return nil
}

// weight is the field's own weight: @cost on the field, else @cost on the type it
// returns, else 10 for a mutation root field, 1 for a composite type, 0 for a leaf.
func (e *costEstimator) weight(f *ast.Field, annot *supergraph.Cost, mutationRoot bool) int {
	weight := 0
	if len(f.SelectionSet) > 0 {
		weight = 1
	}
	if mutationRoot {
		weight = 10
	}
	if t := e.graph.Type(f.Definition.Type.Name()); t != nil && t.Cost != nil && t.Cost.Weight != nil {
		weight = *t.Cost.Weight
	}
	if annot != nil && annot.Weight != nil {
		weight = *annot.Weight
	}
	return weight
}

// sizes reports whether a connection's size applies to the child field name.
func (s sizing) sizes(name string) bool {
	if s.fields == "" {
		return true
	}
	return slices.Contains(strings.Split(s.fields, ","), name)
}

// slicingValue returns the largest value given to one of the field's slicing
// arguments (from @listSize when it names them, else the configured names), or -1.
func (e *costEstimator) slicingValue(f *ast.Field, ls *supergraph.ListSize) int {
	best := -1
	for _, a := range f.Arguments {
		named := e.slicing[a.Name]
		if ls != nil && len(ls.SlicingArguments) > 0 {
			named = slices.Contains(ls.SlicingArguments, a.Name)
		}
		if !named {
			continue
		}
		if n, ok := e.intValue(a.Value); ok {
			best = max(best, n)
		}
	}
	return best
}

func (e *costEstimator) intValue(v *ast.Value) (int, bool) {
	if v == nil {
		return 0, false
	}
	switch v.Kind {
	case ast.IntValue:
		n, err := strconv.ParseInt(v.Raw, 10, 64)
		if err != nil {
			return ceiling, true
		}
		return clampInt(float64(n))
	case ast.Variable:
		return anyInt(e.vars[v.Raw])
	}
	return 0, false
}

func anyInt(v any) (int, bool) {
	switch n := v.(type) {
	case int:
		return clampInt(float64(n))
	case int32:
		return clampInt(float64(n))
	case int64:
		return clampInt(float64(n))
	case float64:
		return clampInt(n)
	case json.Number:
		f, err := n.Float64()
		if err != nil {
			return 0, false
		}
		return clampInt(f)
	}
	return 0, false
}

func clampInt(f float64) (int, bool) {
	switch {
	case math.IsNaN(f) || f < 0:
		return 0, true
	case f > ceiling:
		return ceiling, true
	}
	return int(f), true
}

// included decides @skip and @include with the request's variables; an argument
// it cannot read counts as included, which can only raise the estimate.
func (e *costEstimator) included(dirs ast.DirectiveList) bool {
	for _, d := range dirs {
		if d.Name != "skip" && d.Name != "include" {
			continue
		}
		arg := d.Arguments.ForName("if")
		if arg == nil || arg.Value == nil {
			continue
		}
		var val, known bool
		switch arg.Value.Kind {
		case ast.BooleanValue:
			val, known = arg.Value.Raw == "true", true
		case ast.Variable:
			val, known = e.vars[arg.Value.Raw].(bool)
		}
		if known && (d.Name == "skip") == val {
			return false
		}
	}
	return true
}

func listLevels(t *ast.Type) int {
	n := 0
	for ; t != nil && t.Elem != nil; t = t.Elem {
		n++
	}
	return n
}
