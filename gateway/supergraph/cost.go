package supergraph

import (
	"fmt"
	"strconv"

	"github.com/vektah/gqlparser/v2/ast"
)

// Cost holds the demand-control annotations of a field or type from the cost spec
// (https://specs.apollo.dev/cost/v0.1: @cost and @listSize), which the router's
// operation-cost estimate reads.
type Cost struct {
	// Weight replaces the default weight of the field or type when set (@cost).
	Weight *int
	// ListSize is the field's @listSize, nil when it has none.
	ListSize *ListSize
}

// ListSize is a field's @listSize: how many items a list field returns.
type ListSize struct {
	// AssumedSize is the size when no slicing argument tells it; nil when unset.
	AssumedSize *int
	// SlicingArguments name the arguments whose value bounds the list's size.
	SlicingArguments []string
	// SizedFields name the child fields that the slicing arguments size (for
	// connections: "edges", "nodes").
	SizedFields []string
	// RequireOneSlicingArgument asks for exactly one slicing argument.
	RequireOneSlicingArgument bool
}

// costNames returns the local names of @cost and @listSize: the cost spec's names
// when the supergraph links it, else the plain names (a supergraph whose
// subgraphs passed them on with @composeDirective).
func (l *loader) costNames() (cost, listSize string) {
	for _, f := range l.features {
		if f.name == "cost" {
			return f.localDirective("cost"), f.localDirective("listSize")
		}
	}
	return "cost", "listSize"
}

// loadCost reads @cost and @listSize from dirs; coord names the element in errors.
func (l *loader) loadCost(dirs ast.DirectiveList, coord string) (*Cost, error) {
	costName, listSizeName := l.costNames()
	var c Cost
	if d := dirs.ForName(costName); d != nil {
		w, err := intArg(d, "weight", coord)
		if err != nil {
			return nil, err
		}
		if w == nil {
			return nil, fmt.Errorf("%s: @%s needs a weight", coord, costName)
		}
		c.Weight = w
	}
	if d := dirs.ForName(listSizeName); d != nil {
		ls := &ListSize{RequireOneSlicingArgument: argBool(d, "requireOneSlicingArgument", true)}
		var err error
		if ls.AssumedSize, err = intArg(d, "assumedSize", coord); err != nil {
			return nil, err
		}
		ls.SlicingArguments = stringListArg(d, "slicingArguments")
		ls.SizedFields = stringListArg(d, "sizedFields")
		c.ListSize = ls
	}
	if c.Weight == nil && c.ListSize == nil {
		return nil, nil
	}
	return &c, nil
}

func intArg(d *ast.Directive, name, coord string) (*int, error) {
	v := argValue(d, name)
	if v == nil || v.Kind == ast.NullValue {
		return nil, nil
	}
	n, err := strconv.Atoi(v.Raw)
	if v.Kind != ast.IntValue || err != nil || n < 0 {
		return nil, fmt.Errorf("%s: @%s(%s:) must be a non-negative Int, got %s", coord, d.Name, name, v.String())
	}
	return &n, nil
}

func stringListArg(d *ast.Directive, name string) []string {
	v := argValue(d, name)
	if v == nil {
		return nil
	}
	if v.Kind == ast.StringValue {
		return []string{v.Raw}
	}
	var out []string
	for _, c := range v.Children {
		if c.Value != nil && c.Value.Kind == ast.StringValue {
			out = append(out, c.Value.Raw)
		}
	}
	return out
}
