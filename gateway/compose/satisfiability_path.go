package compose

import (
	"strings"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/shopgraph/shopgraph/gateway/supergraph"
)

// String prints the path as the client operation that reaches it, on one line, with
// a value for every required argument so that the example is a valid query.
func (p satPath) String(g *supergraph.Graph) string {
	var b strings.Builder
	if p.op != ast.Query {
		b.WriteString(string(p.op))
		b.WriteString(" ")
	}
	for _, s := range p.steps {
		b.WriteString("{ ")
		if s.field == nil {
			b.WriteString("... on ")
			b.WriteString(s.typeCond)
			b.WriteString(" ")
			continue
		}
		b.WriteString(s.field.Name)
		b.WriteString(witnessArgs(g, s.field))
		b.WriteString(" ")
	}
	for range p.steps {
		b.WriteString("}")
		b.WriteString(" ")
	}
	return strings.TrimSpace(b.String())
}

func witnessArgs(g *supergraph.Graph, f *supergraph.Field) string {
	var parts []string
	for _, a := range f.Arguments {
		if !a.Type.NonNull || a.DefaultValue != nil {
			continue
		}
		parts = append(parts, a.Name+": "+witnessValue(g, a.Type))
	}
	if len(parts) == 0 {
		return ""
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

func witnessValue(g *supergraph.Graph, t *ast.Type) string {
	if t.Elem != nil {
		return "[]"
	}
	switch t.NamedType {
	case "Int", "Float":
		return "0"
	case "Boolean":
		return "true"
	case "String", "ID":
		return `"A string value"`
	}
	if def := g.API().Types[t.NamedType]; def != nil {
		switch def.Kind {
		case ast.Enum:
			if len(def.EnumValues) > 0 {
				return def.EnumValues[0].Name
			}
		case ast.InputObject:
			var parts []string
			for _, f := range def.Fields {
				if f.Type.NonNull && f.DefaultValue == nil {
					parts = append(parts, f.Name+": "+witnessValue(g, f.Type))
				}
			}
			return "{" + strings.Join(parts, ", ") + "}"
		}
	}
	return `"A value"`
}

// providedField finds field name in a @provides selection (looking through inline
// fragments) and returns its merged sub-selection.
func providedField(provides ast.SelectionSet, name string) (ast.SelectionSet, bool) {
	var sub ast.SelectionSet
	found := false
	for _, s := range provides {
		switch s := s.(type) {
		case *ast.Field:
			if s.Name == name {
				found = true
				sub = append(sub, s.SelectionSet...)
			}
		case *ast.InlineFragment:
			if inner, ok := providedField(s.SelectionSet, name); ok {
				found = true
				sub = append(sub, inner...)
			}
		}
	}
	return sub, found
}

// narrowProvides keeps what a @provides selection says about runtime type typ: its
// fields and the fragments on typ or without a type condition.
func narrowProvides(provides ast.SelectionSet, typ string) ast.SelectionSet {
	var out ast.SelectionSet
	for _, s := range provides {
		switch s := s.(type) {
		case *ast.Field:
			out = append(out, s)
		case *ast.InlineFragment:
			if s.TypeCondition == "" || s.TypeCondition == typ {
				out = append(out, narrowProvides(s.SelectionSet, typ)...)
			}
		}
	}
	return out
}

// selectionKey prints a selection compactly, to tell provides contexts apart.
func selectionKey(sel ast.SelectionSet) string {
	if len(sel) == 0 {
		return ""
	}
	var b strings.Builder
	writeSelectionKey(&b, sel)
	return b.String()
}

func writeSelectionKey(b *strings.Builder, sel ast.SelectionSet) {
	b.WriteString("{")
	for i, s := range sel {
		if i > 0 {
			b.WriteString(" ")
		}
		switch s := s.(type) {
		case *ast.Field:
			b.WriteString(s.Name)
			if len(s.SelectionSet) > 0 {
				writeSelectionKey(b, s.SelectionSet)
			}
		case *ast.InlineFragment:
			b.WriteString("...on ")
			b.WriteString(s.TypeCondition)
			writeSelectionKey(b, s.SelectionSet)
		}
	}
	b.WriteString("}")
}
