package compose

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/shopgraph/shopgraph/gateway/supergraph"
)

// describeJoin renders a supergraph's join metadata (what the planner reads) as sorted
// lines, so that two supergraphs compare by meaning rather than by text.
func describeJoin(g *supergraph.Graph) []string {
	var out []string
	for _, sg := range g.Subgraphs() {
		out = append(out, fmt.Sprintf("graph %s url=%s", sg.Name, sg.URL))
	}
	for _, name := range sortedTypeNames(g) {
		t := g.Type(name)
		for _, sgName := range t.SubgraphNames {
			ts := t.Subgraphs[sgName]
			var keys []string
			for _, k := range ts.Keys {
				keys = append(keys, fmt.Sprintf("%q resolvable=%v", normalizeFieldSet(k.Fields), k.Resolvable))
			}
			sort.Strings(keys)
			ext := ts.Extension && len(ts.Keys) > 0
			out = append(out, fmt.Sprintf("type %s %s in %s: keys=[%s] extension=%v interfaceObject=%v possible=%v", t.Kind, name, sgName, strings.Join(keys, ", "), ext, ts.InterfaceObject, ts.PossibleTypes))
		}
		for _, v := range t.Values {
			out = append(out, fmt.Sprintf("value %s.%s in %v", name, v.Name, v.Subgraphs))
		}
		for _, fname := range sortedFieldNames(t) {
			f := t.Fields[fname]
			if len(f.SourceNames) == 0 {
				out = append(out, fmt.Sprintf("field %s.%s: no subgraph", name, fname))
			}
			for _, sgName := range f.SourceNames {
				s := f.Sources[sgName]
				out = append(out, fmt.Sprintf("field %s.%s in %s: external=%v requires=%q provides=%q override=%q label=%q usedOverridden=%v type=%q",
					name, fname, sgName, s.External, normalizeFieldSet(s.RequiresText), normalizeFieldSet(s.ProvidesText), s.Override, s.OverrideLabel, s.UsedOverridden, s.Type))
			}
		}
	}
	return out
}

func sortedTypeNames(g *supergraph.Graph) []string {
	var names []string
	for name := range g.API().Types {
		names = append(names, name)
	}
	// Inaccessible types are not in the API schema but have join metadata too.
	seen := map[string]bool{}
	for _, n := range names {
		seen[n] = true
	}
	for _, line := range strings.Split(g.SDL(), "\n") {
		for _, kw := range []string{"type ", "interface ", "union ", "enum ", "input ", "scalar "} {
			if strings.HasPrefix(line, kw) {
				n := strings.Fields(strings.TrimPrefix(line, kw))
				if len(n) > 0 && !seen[n[0]] && g.Type(n[0]) != nil {
					seen[n[0]] = true
					names = append(names, n[0])
				}
			}
		}
	}
	var out []string
	for _, n := range names {
		if g.Type(n) != nil {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

func sortedFieldNames(t *supergraph.Type) []string {
	var out []string
	for n := range t.Fields {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// describeAPI renders an API schema as sorted lines: types, fields, arguments, their
// types and defaults, enum values, members, interfaces and applied directives.
func describeAPI(s *ast.Schema) []string {
	var out []string
	for _, op := range []struct {
		name string
		def  *ast.Definition
	}{{"query", s.Query}, {"mutation", s.Mutation}, {"subscription", s.Subscription}} {
		if op.def != nil {
			out = append(out, "root "+op.name+" "+op.def.Name)
		}
	}
	for name, def := range s.Types {
		if def.BuiltIn {
			continue
		}
		ifaces := append([]string(nil), def.Interfaces...)
		sort.Strings(ifaces)
		members := append([]string(nil), def.Types...)
		sort.Strings(members)
		out = append(out, fmt.Sprintf("%s %s implements=%v members=%v%s", def.Kind, name, ifaces, members, directivesText(def.Directives)))
		for _, f := range def.Fields {
			if strings.HasPrefix(f.Name, "__") {
				continue
			}
			out = append(out, fmt.Sprintf("  %s.%s: %s%s%s", name, f.Name, f.Type.String(), defaultText(f.DefaultValue), directivesText(f.Directives)))
			for _, a := range f.Arguments {
				out = append(out, fmt.Sprintf("  %s.%s(%s:): %s%s%s", name, f.Name, a.Name, a.Type.String(), defaultText(a.DefaultValue), directivesText(a.Directives)))
			}
		}
		for _, v := range def.EnumValues {
			out = append(out, fmt.Sprintf("  %s.%s%s", name, v.Name, directivesText(v.Directives)))
		}
	}
	for name, d := range s.Directives {
		if d.Position != nil && d.Position.Src != nil && d.Position.Src.BuiltIn {
			continue
		}
		out = append(out, "directive @"+name)
	}
	sort.Strings(out)
	return out
}

func defaultText(v *ast.Value) string {
	if v == nil {
		return ""
	}
	return " = " + v.String()
}

func directivesText(ds ast.DirectiveList) string {
	var parts []string
	for _, d := range ds {
		var args []string
		for _, a := range d.Arguments {
			args = append(args, a.Name+": "+a.Value.String())
		}
		sort.Strings(args)
		parts = append(parts, "@"+d.Name+"("+strings.Join(args, ", ")+")")
	}
	sort.Strings(parts)
	if len(parts) == 0 {
		return ""
	}
	return " " + strings.Join(parts, " ")
}

// describeTags lists the @tag and @inaccessible applications of a supergraph SDL by
// schema coordinate; they are not in the API schema but tools read them.
func describeTags(t testing.TB, sdl string) []string {
	t.Helper()
	doc, err := parser.ParseSchema(&ast.Source{Input: sdl})
	if err != nil {
		t.Fatalf("parse supergraph: %v", err)
	}
	var out []string
	add := func(coord string, ds ast.DirectiveList) {
		for _, d := range ds {
			switch d.Name {
			case "tag":
				out = append(out, fmt.Sprintf("%s @tag(%s)", coord, dirArg(d, "name")))
			case "inaccessible":
				out = append(out, coord+" @inaccessible")
			}
		}
	}
	for _, def := range append(append(ast.DefinitionList{}, doc.Definitions...), doc.Extensions...) {
		add(def.Name, def.Directives)
		for _, f := range def.Fields {
			add(def.Name+"."+f.Name, f.Directives)
			for _, a := range f.Arguments {
				add(def.Name+"."+f.Name+"("+a.Name+":)", a.Directives)
			}
		}
		for _, v := range def.EnumValues {
			add(def.Name+"."+v.Name, v.Directives)
		}
	}
	sort.Strings(out)
	return dedupSorted(out)
}

// diffLines names the lines only in want and only in got.
func diffLines(want, got []string) string {
	inWant := map[string]int{}
	for _, l := range want {
		inWant[l]++
	}
	inGot := map[string]int{}
	for _, l := range got {
		inGot[l]++
	}
	var b strings.Builder
	for _, l := range want {
		if inGot[l] == 0 {
			fmt.Fprintf(&b, "  - %s\n", l)
		}
	}
	for _, l := range got {
		if inWant[l] == 0 {
			fmt.Fprintf(&b, "  + %s\n", l)
		}
	}
	return b.String()
}

// compareSupergraphs reports how two supergraph SDLs differ in meaning: API schema,
// join metadata, tags and @inaccessible. want is the reference.
func compareSupergraphs(t testing.TB, wantSDL, gotSDL string) string {
	t.Helper()
	want, err := supergraph.Load(wantSDL)
	if err != nil {
		return "reference supergraph does not load: " + err.Error()
	}
	got, err := supergraph.Load(gotSDL)
	if err != nil {
		return "our supergraph does not load: " + err.Error()
	}
	var b strings.Builder
	if d := diffLines(describeAPI(want.API()), describeAPI(got.API())); d != "" {
		b.WriteString("API schema (- reference, + ours):\n" + d)
	}
	if d := diffLines(describeJoin(want), describeJoin(got)); d != "" {
		b.WriteString("join metadata (- reference, + ours):\n" + d)
	}
	if d := diffLines(describeContexts(want), describeContexts(got)); d != "" {
		b.WriteString("@context/contextArguments (- reference, + ours):\n" + d)
	}
	if d := diffLines(describeCost(want), describeCost(got)); d != "" {
		b.WriteString("@cost/@listSize (- reference, + ours):\n" + d)
	}
	if d := diffLines(describeTags(t, wantSDL), describeTags(t, gotSDL)); d != "" {
		b.WriteString("@tag/@inaccessible (- reference, + ours):\n" + d)
	}
	return b.String()
}

// describeContexts lists the contexts types set and the contextual arguments
// of fields per subgraph, the selection normalised.
func describeContexts(g *supergraph.Graph) []string {
	var out []string
	for _, name := range sortedTypeNames(g) {
		t := g.Type(name)
		for _, c := range t.Contexts {
			out = append(out, "type "+name+" sets "+c)
		}
		for _, fname := range sortedFieldNames(t) {
			f := t.Fields[fname]
			for _, sgName := range f.SourceNames {
				for _, ca := range f.Sources[sgName].ContextArguments {
					out = append(out, fmt.Sprintf("field %s.%s in %s: %s: %s from %s %q", name, fname, sgName, ca.Name, ca.Type, ca.Context, normalizeFieldSet(ca.SelectionText)))
				}
			}
		}
	}
	return out
}

// describeCost lists the demand-control annotations the loader read, one line
// per annotated type or field.
func describeCost(g *supergraph.Graph) []string {
	var out []string
	str := func(c *supergraph.Cost) string {
		s := ""
		if c.Weight != nil {
			s += fmt.Sprintf(" weight=%d", *c.Weight)
		}
		if ls := c.ListSize; ls != nil {
			assumed := "-"
			if ls.AssumedSize != nil {
				assumed = fmt.Sprint(*ls.AssumedSize)
			}
			slicing, sized := slices.Sorted(slices.Values(ls.SlicingArguments)), slices.Sorted(slices.Values(ls.SizedFields))
			s += fmt.Sprintf(" listSize(assumed=%s slicing=%v sized=%v requireOne=%v)", assumed, slicing, sized, ls.RequireOneSlicingArgument)
		}
		return s
	}
	for _, name := range sortedTypeNames(g) {
		t := g.Type(name)
		if t.Cost != nil {
			out = append(out, "type "+name+str(t.Cost))
		}
		for _, fname := range sortedFieldNames(t) {
			if c := t.Fields[fname].Cost; c != nil {
				out = append(out, "field "+name+"."+fname+str(c))
			}
		}
	}
	return out
}
