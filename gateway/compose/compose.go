// Package compose turns Federation subgraph SDLs (v2, and v1 with `extend type`,
// @extends and implicit @external) into a supergraph SDL in the join-spec format
// (link v1.0, join v0.3, v0.4 when progressive @override labels are used, v0.5 when
// contextual arguments are, context.go) that any join-spec router can load.
//
// Composition runs in two phases, like the reference composer: each subgraph is parsed
// and validated on its own (federation directives, field sets, @external use), then
// the subgraphs are merged by the Federation v2 rules (shareability, type merging,
// input and enum merging by usage, @override, @interfaceObject, @inaccessible,
// @composeDirective). The merged supergraph is then loaded and every path a client can
// select is checked for a plan that resolves it (satisfiability). Every error of a phase is reported together; each names the
// rule (Error.Code), the subgraphs and the schema coordinate.
package compose

import (
	"sort"

	"github.com/shopgraph/shopgraph/gateway/supergraph"
)

// Subgraph is one input to composition.
type Subgraph struct {
	// Name identifies the subgraph in join__Graph and in errors.
	Name string
	// URL is where the router will send the subgraph's fetches.
	URL string
	// SDL is the subgraph schema as returned by `_service { sdl }`.
	SDL string
}

// Compose merges subgraphs into a supergraph SDL. The output is deterministic: types
// are sorted by name and subgraphs by name whatever the input order. A failed
// composition returns Errors holding every error found.
func Compose(subgraphs []Subgraph) (string, error) {
	sgs := append([]Subgraph(nil), subgraphs...)
	sort.SliceStable(sgs, func(i, j int) bool { return sgs[i].Name < sgs[j].Name })
	var errs Errors
	seen := map[string]bool{}
	var parsed []*subgraph
	for _, in := range sgs {
		if in.Name == "" {
			errs = append(errs, newError(CodeInvalidSubgraphName, "", nil, "subgraph without a name"))
			continue
		}
		if seen[in.Name] {
			errs = append(errs, newError(CodeInvalidSubgraphName, "", []string{in.Name}, "subgraph name used twice"))
			continue
		}
		seen[in.Name] = true
		sg, perrs := parseSubgraph(in)
		errs = append(errs, perrs...)
		if sg != nil {
			parsed = append(parsed, sg)
		}
	}
	if len(errs) == 0 && len(parsed) == 0 {
		errs = append(errs, newError(CodeNoQueries, "", nil, "no subgraphs to compose"))
	}
	if len(errs) == 0 {
		for _, sg := range parsed {
			errs = append(errs, sg.validate(parsed)...)
		}
	}
	if len(errs) > 0 {
		sortErrors(errs)
		return "", errs
	}
	m := newMerger(parsed)
	m.merge()
	if len(m.errs) > 0 {
		sortErrors(m.errs)
		return "", m.errs
	}
	out := m.print()
	// Loading the result catches what the rules above do not check.
	g, err := supergraph.Load(out)
	if err != nil {
		return "", Errors{newError(CodeInvalidGraphQL, "", nil, "composed supergraph is invalid: %v", err)}
	}
	if errs := checkSatisfiability(g); len(errs) > 0 {
		return "", errs
	}
	return out, nil
}
