package execute

import (
	"sort"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
)

// introView is what introspection shows of the API schema, in the order
// graphql-js (and so Apollo Router) shows it:
//
//   - types: the schema's own types by name, each followed by the types it
//     first refers to (fields, arguments, interfaces, members), then the
//     types the directives' arguments use, then the introspection types;
//     built-in scalars only when something refers to them;
//   - directives: those the schema defines, then @include, @skip,
//     @deprecated, @specifiedBy and @oneOf. @defer is left out: the router
//     does not execute it.
type introView struct {
	types      []*ast.Definition
	visible    map[string]bool
	directives []*ast.DirectiveDefinition
}

// builtinDirectives are the directives every schema has, in graphql-js's order.
var builtinDirectives = [...]string{"include", "skip", "deprecated", "specifiedBy", "oneOf"}

func newIntroView(s *ast.Schema) *introView {
	v := &introView{visible: map[string]bool{}}
	// own are the schema's own types: each is listed in its turn, so a
	// reference to one from an earlier type does not pull it forward.
	own := map[string]bool{}
	var visit func(name string)
	visit = func(name string) {
		def := s.Types[name]
		if def == nil || v.visible[name] || own[name] {
			return
		}
		v.visible[name] = true
		v.types = append(v.types, def)
		v.references(s, def, visit)
	}
	var names []string
	for name, def := range s.Types {
		if !def.BuiltIn && !strings.HasPrefix(name, "__") {
			names = append(names, name)
			own[name] = true
		}
	}
	sort.Strings(names)
	for _, name := range names {
		delete(own, name)
		visit(name)
	}
	for _, root := range []*ast.Definition{s.Query, s.Mutation, s.Subscription} {
		if root != nil {
			visit(root.Name)
		}
	}
	var custom []string
	for name, d := range s.Directives {
		if d.Position == nil || d.Position.Src == nil || !d.Position.Src.BuiltIn {
			custom = append(custom, name)
		}
	}
	sort.Strings(custom)
	for _, name := range append(custom, builtinDirectives[:]...) {
		if d := s.Directives[name]; d != nil {
			v.directives = append(v.directives, d)
			for _, a := range d.Arguments {
				visit(a.Type.Name())
			}
		}
	}
	visit("__Schema")
	return v
}

// references visits the types def refers to, in graphql-js's order:
// members, interfaces, then each field's type and its arguments' types.
func (v *introView) references(s *ast.Schema, def *ast.Definition, visit func(string)) {
	switch def.Kind {
	case ast.Union:
		for _, m := range def.Types {
			visit(m)
		}
	case ast.Object, ast.Interface:
		for _, i := range def.Interfaces {
			visit(i)
		}
		for _, f := range def.Fields {
			if strings.HasPrefix(f.Name, "__") && !strings.HasPrefix(def.Name, "__") {
				continue // __typename, __schema, __type: meta-fields, not fields
			}
			visit(f.Type.Name())
			for _, a := range f.Arguments {
				visit(a.Type.Name())
			}
		}
	case ast.InputObject:
		for _, f := range def.Fields {
			visit(f.Type.Name())
		}
	}
}

// builtinDescription returns the description introspection shows for a
// built-in scalar: gqlparser's text with the typos graphql-js does not have
// mended, so that clients comparing schemas see the same text.
func builtinDescription(name, desc string) string {
	switch name {
	case "String":
		return strings.Replace(desc, "`String`scalar", "`String` scalar", 1)
	case "ID":
		return strings.Replace(desc, `(such as "4") or integer (such as 4)`, "(such as `\"4\"`) or integer (such as `4`)", 1)
	case "Float":
		return strings.Replace(desc, "http://en.wikipedia.org", "https://en.wikipedia.org", 1)
	}
	return desc
}

// printDefault writes a default value as graphql-js prints one: lists and
// input objects with ", " and ": ", an input object's fields in their
// definition order with the fields' own defaults filled in, as the value is
// once coerced.
func printDefault(s *ast.Schema, t *ast.Type, v *ast.Value) string {
	var b strings.Builder
	writeDefault(&b, s, t, v)
	return b.String()
}

func writeDefault(b *strings.Builder, s *ast.Schema, t *ast.Type, v *ast.Value) {
	switch v.Kind {
	case ast.ListValue:
		elem := t
		if t != nil && t.Elem != nil {
			elem = t.Elem
		}
		b.WriteString("[")
		for i, c := range v.Children {
			if i > 0 {
				b.WriteString(", ")
			}
			writeDefault(b, s, elem, c.Value)
		}
		b.WriteString("]")
	case ast.ObjectValue:
		var def *ast.Definition
		if t != nil {
			def = s.Types[t.Name()]
		}
		b.WriteString("{")
		if def == nil || def.Kind != ast.InputObject {
			for i, c := range v.Children {
				if i > 0 {
					b.WriteString(", ")
				}
				b.WriteString(c.Name + ": ")
				writeDefault(b, s, nil, c.Value)
			}
			b.WriteString("}")
			return
		}
		n := 0
		for _, f := range def.Fields {
			val := v.Children.ForName(f.Name)
			if val == nil {
				val = f.DefaultValue
			}
			if val == nil {
				continue
			}
			if n > 0 {
				b.WriteString(", ")
			}
			n++
			b.WriteString(f.Name + ": ")
			writeDefault(b, s, f.Type, val)
		}
		b.WriteString("}")
	default:
		if t != nil && t.Elem != nil && v.Kind != ast.NullValue && v.Kind != ast.Variable {
			// A single value where a list is expected is coerced to a list of one.
			b.WriteString("[")
			writeDefault(b, s, t.Elem, v)
			b.WriteString("]")
			return
		}
		b.WriteString(v.String())
	}
}
