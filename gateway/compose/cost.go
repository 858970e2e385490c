package compose

import (
	"slices"
	"strconv"

	"github.com/vektah/gqlparser/v2/ast"
)

// Demand control: subgraphs annotate fields, types and arguments with the cost
// spec's @cost(weight:) and fields with @listSize (federation v2.9 imports them,
// or a subgraph links https://specs.apollo.dev/cost/v0.1 itself). The router's
// cost estimate reads them from the supergraph, so composition carries them over
// as @apollo/composition does: the supergraph links the cost spec, defines both
// directives and writes one merged application per element. Where subgraphs
// disagree the merge keeps the most expensive reading: the highest weight, the
// largest assumed size, the union of slicing arguments and sized fields, and
// requireOneSlicingArgument only when every subgraph asks for it.
//
// The supergraph always uses the canonical names @cost and @listSize, whatever a
// subgraph renamed them to on import; the loader reads either.

const costLink = `  @link(url: "https://specs.apollo.dev/cost/v0.1", import: ["@listSize"])` + "\n"

const costDefs = `
directive @cost(weight: Int!) on ARGUMENT_DEFINITION | ENUM | FIELD_DEFINITION | INPUT_FIELD_DEFINITION | OBJECT | SCALAR

directive @listSize(assumedSize: Int, slicingArguments: [String!], sizedFields: [String!], requireOneSlicingArgument: Boolean = true) on FIELD_DEFINITION
`

// isDemandDirective reports whether canonical names @cost or @listSize.
func isDemandDirective(canonical string) bool { return canonical == "cost" || canonical == "listSize" }

// resolveCostLink maps the local names a subgraph gives the cost spec's
// directives when it links the spec itself rather than through federation.
func (sg *subgraph) resolveCostLink(prefix string, imports map[string]string) {
	sg.names[prefix] = "cost"
	sg.names[prefix+"__listSize"] = "listSize"
	for as, n := range imports {
		if isDemandDirective(n) {
			sg.names[as] = n
		}
	}
}

// mergeDemand merges the @cost and @listSize applications of one element from
// every subgraph (each resolved to its canonical name by canon) into at most one
// of each, and notes that the supergraph needs the cost spec.
func (m *merger) mergeDemand(dirs []*ast.Directive, canon func(*ast.Directive) string) ast.DirectiveList {
	var (
		weight, assumed       *int
		slicing, sized        []string
		listSizes, requireAll = 0, true
	)
	for _, d := range dirs {
		switch canon(d) {
		case "cost":
			if w, ok := intDirArg(d, "weight"); ok && (weight == nil || w > *weight) {
				weight = &w
			}
		case "listSize":
			listSizes++
			if n, ok := intDirArg(d, "assumedSize"); ok && (assumed == nil || n > *assumed) {
				assumed = &n
			}
			slicing = appendNew(slicing, stringsDirArg(d, "slicingArguments")...)
			sized = appendNew(sized, stringsDirArg(d, "sizedFields")...)
			requireAll = requireAll && dirBool(d, "requireOneSlicingArgument", true)
		}
	}
	var out ast.DirectiveList
	if weight != nil {
		out = append(out, &ast.Directive{Name: "cost", Arguments: ast.ArgumentList{intArgument("weight", *weight)}})
	}
	if listSizes > 0 {
		ls := &ast.Directive{Name: "listSize"}
		if assumed != nil {
			ls.Arguments = append(ls.Arguments, intArgument("assumedSize", *assumed))
		}
		if len(slicing) > 0 {
			ls.Arguments = append(ls.Arguments, stringsArgument("slicingArguments", slicing))
		}
		if len(sized) > 0 {
			ls.Arguments = append(ls.Arguments, stringsArgument("sizedFields", sized))
		}
		if !requireAll {
			ls.Arguments = append(ls.Arguments, &ast.Argument{Name: "requireOneSlicingArgument", Value: &ast.Value{Kind: ast.BooleanValue, Raw: "false"}})
		}
		out = append(out, ls)
	}
	if len(out) > 0 {
		m.usesCost = true
	}
	return out
}

// typeDemand merges a type's @cost from its subgraphs.
func (m *merger) typeDemand(mt *mType) ast.DirectiveList {
	var dirs []*ast.Directive
	canon := map[*ast.Directive]string{}
	for _, p := range mt.per {
		for _, d := range p.t.demand {
			dirs = append(dirs, d)
			canon[d] = p.sg.fed(d)
		}
	}
	return m.mergeDemand(dirs, func(d *ast.Directive) string { return canon[d] })
}

// fieldDemand merges a field's @cost and @listSize from the subgraphs that
// define it.
func (m *merger) fieldDemand(mf *mField) ast.DirectiveList {
	var dirs []*ast.Directive
	canon := map[*ast.Directive]string{}
	for _, s := range mf.sources {
		for _, d := range s.f.demand {
			dirs = append(dirs, d)
			canon[d] = s.sg.fed(d)
		}
	}
	return m.mergeDemand(dirs, func(d *ast.Directive) string { return canon[d] })
}

func intDirArg(d *ast.Directive, name string) (int, bool) {
	a := d.Arguments.ForName(name)
	if a == nil || a.Value == nil || a.Value.Kind != ast.IntValue {
		return 0, false
	}
	n, err := strconv.Atoi(a.Value.Raw)
	return n, err == nil
}

func stringsDirArg(d *ast.Directive, name string) []string {
	a := d.Arguments.ForName(name)
	if a == nil || a.Value == nil {
		return nil
	}
	if a.Value.Kind == ast.StringValue {
		return []string{a.Value.Raw}
	}
	var out []string
	for _, c := range a.Value.Children {
		if c.Value != nil && c.Value.Kind == ast.StringValue && !slices.Contains(out, c.Value.Raw) {
			out = append(out, c.Value.Raw)
		}
	}
	return out
}

func intArgument(name string, n int) *ast.Argument {
	return &ast.Argument{Name: name, Value: &ast.Value{Kind: ast.IntValue, Raw: strconv.Itoa(n)}}
}

func stringsArgument(name string, ss []string) *ast.Argument {
	v := &ast.Value{Kind: ast.ListValue}
	for _, s := range ss {
		v.Children = append(v.Children, &ast.ChildValue{Value: &ast.Value{Kind: ast.StringValue, Raw: s}})
	}
	return &ast.Argument{Name: name, Value: v}
}
