package supergraph

import (
	"fmt"
	"sort"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
)

// Contextual arguments (Federation v2.8's @context/@fromContext) reach the
// supergraph in two places: the types that set a context carry the context
// spec's @context(name: "<Subgraph>__<name>") (https://specs.apollo.dev/context/v0.1),
// and a field whose argument takes its value from a context lists it in its
// @join__field(contextArguments: [{context, name, type, selection}]) (join
// v0.5). The argument itself is not in the supergraph's field, nor in the API
// schema: clients never pass it, the router does, with the value it selects
// from the nearest ancestor whose type sets the context.

// ContextArgument is one argument a subgraph's field takes from a context.
type ContextArgument struct {
	// Context is the context's supergraph name, "<Subgraph>__<name>".
	Context string
	// Name is the argument's name in the subgraph.
	Name string
	// Type is the argument's type in the subgraph, as written ("String!").
	Type string
	// SelectionText is the selection as written (" { prop }" or
	// "... on A { x } ... on B { y }"); Selection is it parsed.
	SelectionText string
	Selection     ast.SelectionSet
}

// loadContexts reads the @context names of a type: those of the context spec
// when the supergraph links it, and otherwise none.
func (l *loader) loadContexts(def *ast.Definition) []string {
	name := l.contextDirective()
	if name == "" {
		return nil
	}
	var out []string
	for _, d := range def.Directives.ForNames(name) {
		if n, ok := argString(d, "name"); ok && n != "" {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

// contextDirective returns the local name of the context spec's @context, or "".
func (l *loader) contextDirective() string {
	for _, f := range l.features {
		if f.name == "context" && f.machinery() {
			return f.localDirective("context")
		}
	}
	return ""
}

// loadContextArguments reads @join__field(contextArguments:).
func loadContextArguments(d *ast.Directive, coord string) ([]*ContextArgument, error) {
	v := argValue(d, "contextArguments")
	if v == nil || v.Kind == ast.NullValue {
		return nil, nil
	}
	items := v.Children
	if v.Kind == ast.ObjectValue {
		items = ast.ChildValueList{{Value: v}} // a single value where a list is expected
	}
	var out []*ContextArgument
	for _, it := range items {
		if it.Value == nil || it.Value.Kind != ast.ObjectValue {
			return nil, fmt.Errorf("%s: contextArguments holds a %s, not an object", coord, it.Value)
		}
		ca := &ContextArgument{}
		for _, kv := range it.Value.Children {
			switch kv.Name {
			case "context":
				ca.Context = kv.Value.Raw
			case "name":
				ca.Name = kv.Value.Raw
			case "type":
				ca.Type = kv.Value.Raw
			case "selection":
				ca.SelectionText = kv.Value.Raw
			}
		}
		if ca.Context == "" || ca.Name == "" || ca.Type == "" || strings.TrimSpace(ca.SelectionText) == "" {
			return nil, fmt.Errorf("%s: contextArguments entry %s lacks context, name, type or selection", coord, it.Value)
		}
		sel, err := ParseContextSelection(ca.SelectionText)
		if err != nil {
			return nil, fmt.Errorf("%s: context argument %q selection %q: %w", coord, ca.Name, ca.SelectionText, err)
		}
		ca.Selection = sel
		out = append(out, ca)
	}
	return out, nil
}

// ParseContextSelection parses the selection of a contextual argument, with or
// without its braces: "{ prop }", "prop", "... on A { x } ... on B { y }".
func ParseContextSelection(s string) (ast.SelectionSet, error) {
	t := strings.TrimSpace(s)
	if strings.HasPrefix(t, "{") && strings.HasSuffix(t, "}") {
		t = t[1 : len(t)-1]
	}
	return ParseFieldSet(t)
}

// HasContexts reports whether some type sets a context, so that planners can
// skip looking for contexts in supergraphs without any.
func (g *Graph) HasContexts() bool { return g.contexts }

// TypesWithContext returns the types that set the context named ctx, sorted.
func (g *Graph) TypesWithContext(ctx string) []string {
	var out []string
	for _, name := range sortedKeys(g.types) {
		for _, c := range g.types[name].Contexts {
			if c == ctx {
				out = append(out, name)
				break
			}
		}
	}
	return out
}
