package execute

import (
	"strings"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/shopgraph/shopgraph/gateway/plan"
)

// introspect answers __schema and __type root fields from the API schema; the
// subgraphs never see them. The values are written into data and shaped like any other.
func (r *run) introspect(op *plan.Operation) {
	if op.Kind != ast.Query {
		return
	}
	for _, s := range op.Selections {
		f, ok := s.(*plan.Field)
		if !ok {
			continue
		}
		switch f.Name {
		case "__schema":
			r.data.Set(f.Key, r.introValue(introSchema{r.e.schema, r.e.intro}, f.Selections))
		case "__type":
			name, _ := argValue(f.Arguments, "name", r.vars).(string)
			if def := r.e.schema.Types[name]; def != nil && r.e.intro.visible[name] {
				r.data.Set(f.Key, r.introValue(introType{s: r.e.schema, def: def}, f.Selections))
			} else {
				r.data.Set(f.Key, nullValue)
			}
		}
	}
}

func argValue(args ast.ArgumentList, name string, vars map[string]any) any {
	a := args.ForName(name)
	if a == nil || a.Value == nil {
		return nil
	}
	v, err := a.Value.Value(vars)
	if err != nil {
		return nil
	}
	return v
}

// introObject is an introspection object: it resolves its fields by name.
type introObject interface {
	resolve(name string, args ast.ArgumentList, vars map[string]any) any
}

func (r *run) introValue(v any, sels []plan.Selection) *Value {
	switch v := v.(type) {
	case nil:
		return nullValue
	case string:
		return stringValue(v)
	case *string:
		if v == nil {
			return nullValue
		}
		return stringValue(*v)
	case bool:
		if v {
			return trueValue
		}
		return falseValue
	case []string:
		items := make([]*Value, len(v))
		for i, s := range v {
			items[i] = stringValue(s)
		}
		return arrayValue(items)
	case []introObject:
		if v == nil {
			return nullValue
		}
		items := make([]*Value, len(v))
		for i, o := range v {
			items[i] = r.introValue(o, sels)
		}
		return arrayValue(items)
	case introObject:
		obj := &Value{Kind: Object}
		r.introFields(obj, v, sels)
		return obj
	}
	return nullValue
}

func (r *run) introFields(obj *Value, o introObject, sels []plan.Selection) {
	for _, s := range sels {
		switch s := s.(type) {
		case *plan.Field:
			if s.Name == "__typename" {
				continue // the shaper writes it from the static type
			}
			if obj.Get(s.Key) != nil {
				continue
			}
			obj.Set(s.Key, r.introValue(o.resolve(s.Name, s.Arguments, r.vars), s.Selections))
		case *plan.Fragment:
			r.introFields(obj, o, s.Selections)
		}
	}
}

// directiveDefinition is a location gqlparser's prelude knows and the
// GraphQL specification does not.
const directiveDefinition = "DIRECTIVE_DEFINITION"

type introSchema struct {
	s *ast.Schema
	v *introView
}

func (x introSchema) resolve(name string, _ ast.ArgumentList, _ map[string]any) any {
	switch name {
	case "description":
		if x.s.Description == "" {
			return nil
		}
		return x.s.Description
	case "types":
		out := make([]introObject, 0, len(x.v.types))
		for _, def := range x.v.types {
			out = append(out, introType{s: x.s, def: def})
		}
		return out
	case "queryType":
		return typeOrNil(x.s, x.s.Query)
	case "mutationType":
		return typeOrNil(x.s, x.s.Mutation)
	case "subscriptionType":
		return typeOrNil(x.s, x.s.Subscription)
	case "directives":
		out := make([]introObject, 0, len(x.v.directives))
		for _, d := range x.v.directives {
			out = append(out, introDirective{s: x.s, d: d})
		}
		return out
	}
	return nil
}

func typeOrNil(s *ast.Schema, def *ast.Definition) any {
	if def == nil {
		return nil
	}
	return introType{s: s, def: def}
}

// introType is a named type (def set) or a wrapping type (typ set).
type introType struct {
	s   *ast.Schema
	def *ast.Definition
	typ *ast.Type
}

func typeRef(s *ast.Schema, t *ast.Type) introObject {
	if t.NonNull || t.Elem != nil {
		return introType{s: s, typ: t}
	}
	if def := s.Types[t.NamedType]; def != nil {
		return introType{s: s, def: def}
	}
	return introType{s: s, def: &ast.Definition{Kind: ast.Scalar, Name: t.NamedType}}
}

func includeDeprecated(args ast.ArgumentList, vars map[string]any) bool {
	b, _ := argValue(args, "includeDeprecated", vars).(bool)
	return b
}

func deprecation(dirs ast.DirectiveList) (bool, any) {
	d := dirs.ForName("deprecated")
	if d == nil {
		return false, nil
	}
	reason := "No longer supported"
	if a := d.Arguments.ForName("reason"); a != nil && a.Value != nil {
		reason = a.Value.Raw
	}
	return true, reason
}

func (x introType) resolve(name string, args ast.ArgumentList, vars map[string]any) any {
	if x.typ != nil {
		switch name {
		case "kind":
			if x.typ.NonNull {
				return "NON_NULL"
			}
			return "LIST"
		case "ofType":
			if x.typ.NonNull {
				inner := *x.typ
				inner.NonNull = false
				return typeRef(x.s, &inner)
			}
			return typeRef(x.s, x.typ.Elem)
		}
		return nil
	}
	d := x.def
	switch name {
	case "kind":
		return string(d.Kind)
	case "name":
		return d.Name
	case "description":
		if d.Description == "" {
			return nil
		}
		if d.BuiltIn {
			return builtinDescription(d.Name, d.Description)
		}
		return d.Description
	case "specifiedByURL":
		if sb := d.Directives.ForName("specifiedBy"); sb != nil {
			if a := sb.Arguments.ForName("url"); a != nil && a.Value != nil {
				return a.Value.Raw
			}
		}
		return nil
	case "isOneOf":
		if d.Kind != ast.InputObject {
			return nil
		}
		return d.Directives.ForName("oneOf") != nil
	case "fields":
		if d.Kind != ast.Object && d.Kind != ast.Interface {
			return []introObject(nil)
		}
		out := []introObject{}
		for _, f := range d.Fields {
			if strings.HasPrefix(f.Name, "__") {
				continue
			}
			if dep, _ := deprecation(f.Directives); dep && !includeDeprecated(args, vars) {
				continue
			}
			out = append(out, introField{s: x.s, f: f})
		}
		return out
	case "inputFields":
		if d.Kind != ast.InputObject {
			return []introObject(nil)
		}
		out := []introObject{}
		for _, f := range d.Fields {
			if dep, _ := deprecation(f.Directives); dep && !includeDeprecated(args, vars) {
				continue
			}
			out = append(out, introInput{s: x.s, name: f.Name, desc: f.Description, typ: f.Type, def: f.DefaultValue, dirs: f.Directives})
		}
		return out
	case "interfaces":
		if d.Kind != ast.Object && d.Kind != ast.Interface {
			return []introObject(nil)
		}
		out := []introObject{}
		for _, i := range d.Interfaces {
			if def := x.s.Types[i]; def != nil {
				out = append(out, introType{s: x.s, def: def})
			}
		}
		return out
	case "possibleTypes":
		if d.Kind != ast.Interface && d.Kind != ast.Union {
			return []introObject(nil)
		}
		out := []introObject{}
		for _, p := range x.s.PossibleTypes[d.Name] {
			if p.Kind == ast.Object { // interfaces implementing d are not possible types
				out = append(out, introType{s: x.s, def: p})
			}
		}
		return out
	case "enumValues":
		if d.Kind != ast.Enum {
			return []introObject(nil)
		}
		out := []introObject{}
		for _, v := range d.EnumValues {
			if dep, _ := deprecation(v.Directives); dep && !includeDeprecated(args, vars) {
				continue
			}
			if d.Name == "__DirectiveLocation" && v.Name == directiveDefinition {
				continue
			}
			out = append(out, introEnumValue{v})
		}
		return out
	}
	return nil
}

type introField struct {
	s *ast.Schema
	f *ast.FieldDefinition
}

func (x introField) resolve(name string, args ast.ArgumentList, vars map[string]any) any {
	switch name {
	case "name":
		return x.f.Name
	case "description":
		if x.f.Description == "" {
			return nil
		}
		return x.f.Description
	case "args":
		return inputValues(x.s, x.f.Arguments, args, vars)
	case "type":
		return typeRef(x.s, x.f.Type)
	case "isDeprecated":
		dep, _ := deprecation(x.f.Directives)
		return dep
	case "deprecationReason":
		_, reason := deprecation(x.f.Directives)
		return reason
	}
	return nil
}

func inputValues(s *ast.Schema, defs ast.ArgumentDefinitionList, args ast.ArgumentList, vars map[string]any) []introObject {
	out := []introObject{}
	for _, a := range defs {
		if dep, _ := deprecation(a.Directives); dep && !includeDeprecated(args, vars) {
			continue
		}
		out = append(out, introInput{s: s, name: a.Name, desc: a.Description, typ: a.Type, def: a.DefaultValue, dirs: a.Directives})
	}
	return out
}

type introInput struct {
	s          *ast.Schema
	name, desc string
	typ        *ast.Type
	def        *ast.Value
	dirs       ast.DirectiveList
}

func (x introInput) resolve(name string, _ ast.ArgumentList, _ map[string]any) any {
	switch name {
	case "name":
		return x.name
	case "description":
		if x.desc == "" {
			return nil
		}
		return x.desc
	case "type":
		return typeRef(x.s, x.typ)
	case "defaultValue":
		if x.def == nil {
			return nil
		}
		return printDefault(x.s, x.typ, x.def)
	case "isDeprecated":
		dep, _ := deprecation(x.dirs)
		return dep
	case "deprecationReason":
		_, reason := deprecation(x.dirs)
		return reason
	}
	return nil
}

type introEnumValue struct{ v *ast.EnumValueDefinition }

func (x introEnumValue) resolve(name string, _ ast.ArgumentList, _ map[string]any) any {
	switch name {
	case "name":
		return x.v.Name
	case "description":
		if x.v.Description == "" {
			return nil
		}
		return x.v.Description
	case "isDeprecated":
		dep, _ := deprecation(x.v.Directives)
		return dep
	case "deprecationReason":
		_, reason := deprecation(x.v.Directives)
		return reason
	}
	return nil
}

type introDirective struct {
	s *ast.Schema
	d *ast.DirectiveDefinition
}

func (x introDirective) resolve(name string, args ast.ArgumentList, vars map[string]any) any {
	switch name {
	case "name":
		return x.d.Name
	case "description":
		if x.d.Description == "" {
			return nil
		}
		return x.d.Description
	case "locations":
		out := make([]string, 0, len(x.d.Locations))
		for _, l := range x.d.Locations {
			if l != directiveDefinition {
				out = append(out, string(l))
			}
		}
		return out
	case "args":
		return inputValues(x.s, x.d.Arguments, args, vars)
	case "isRepeatable":
		return x.d.IsRepeatable
	}
	return nil
}
