package compose

import (
	"errors"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/shopgraph/shopgraph/gateway/supergraph"
)

// fedDirectives are the federation directives composition understands, by canonical name.
var fedDirectiveNames = []string{
	"key", "external", "requires", "provides", "shareable", "override", "inaccessible",
	"tag", "extends", "interfaceObject", "composeDirective", "link",
	"authenticated", "requiresScopes", "policy", "context", "fromContext", "cost", "listSize",
}

// machineryTypes are federation types a subgraph exposes that the supergraph must not.
func isMachineryType(name string) bool {
	switch name {
	case "_Service", "_Entity", "_Any", "_FieldSet", "FieldSet", "federation__FieldSet", "link__Import", "link__Purpose", "federation__Scope", "federation__Policy", "federation__ContextFieldValue":
		return true
	}
	return strings.HasPrefix(name, "federation__") || strings.HasPrefix(name, "link__") || strings.HasPrefix(name, "join__")
}

type subgraph struct {
	name, url, enum string
	fed2            bool
	names           map[string]string // local directive name -> canonical federation name
	types           map[string]*sgType
	order           []string
}

type sgType struct {
	name            string
	kind            ast.DefinitionKind
	description     string
	defined         bool // has a non-extension definition
	extends         bool // has @extends
	shareable       bool
	interfaceObject bool
	inaccessible    bool
	tags            []string
	keys            []sgKey
	interfaces      []string
	members         []string
	values          []*sgEnumValue
	fields          []*sgField
	other           ast.DirectiveList // @specifiedBy
	pos             *ast.Position
}

type sgKey struct {
	fields     string
	resolvable bool
}

type sgEnumValue struct {
	name, description string
	inaccessible      bool
	tags              []string
	deprecated        *ast.Directive
}

type sgField struct {
	name, description string
	typ               *ast.Type
	args              ast.ArgumentDefinitionList
	defaultValue      *ast.Value
	external          bool
	shareable         bool
	requires          string
	provides          string
	override          string
	overrideLabel     string
	inaccessible      bool
	tags              []string
	deprecated        *ast.Directive
	pos               *ast.Position
}

func locationsOf(pos *ast.Position) []Location {
	if pos == nil {
		return nil
	}
	return []Location{{Line: pos.Line, Column: pos.Column}}
}

func parseSubgraph(in Subgraph) (*subgraph, Errors) {
	doc, err := parser.ParseSchema(&ast.Source{Name: in.Name, Input: in.SDL})
	if err != nil {
		e := &Error{Subgraph: in.Name, Message: "invalid SDL: " + err.Error()}
		var gerr *gqlerror.Error
		if errors.As(err, &gerr) {
			e.Message = "invalid SDL: " + gerr.Message
			for _, l := range gerr.Locations {
				e.Locations = append(e.Locations, Location{Line: l.Line, Column: l.Column})
			}
		}
		return nil, Errors{e}
	}
	sg := &subgraph{name: in.Name, url: in.URL, types: map[string]*sgType{}, names: map[string]string{}}
	var schemaDirs ast.DirectiveList
	roots := map[string]string{}
	for _, sd := range append(append(ast.SchemaDefinitionList{}, doc.Schema...), doc.SchemaExtension...) {
		schemaDirs = append(schemaDirs, sd.Directives...)
		for _, ot := range sd.OperationTypes {
			switch ot.Operation {
			case ast.Query:
				roots[ot.Type] = "Query"
			case ast.Mutation:
				roots[ot.Type] = "Mutation"
			case ast.Subscription:
				roots[ot.Type] = "Subscription"
			}
		}
	}
	sg.resolveNames(schemaDirs)
	var errs Errors
	add := func(def *ast.Definition, extension bool) {
		if def.Kind == "" || isMachineryType(def.Name) {
			return
		}
		name := def.Name
		if r, ok := roots[name]; ok {
			name = r
		}
		t := sg.types[name]
		if t == nil {
			t = &sgType{name: name, kind: def.Kind, pos: def.Position}
			sg.types[name] = t
			sg.order = append(sg.order, name)
		} else if t.kind != def.Kind {
			errs = append(errs, &Error{Subgraph: sg.name, Coordinate: name, Message: "defined as both " + string(t.kind) + " and " + string(def.Kind), Locations: locationsOf(def.Position)})
			return
		}
		if !extension {
			t.defined = true
		}
		if t.description == "" {
			t.description = def.Description
		}
		errs = append(errs, sg.addDefinition(t, def)...)
	}
	for _, def := range doc.Definitions {
		add(def, false)
	}
	for _, def := range doc.Extensions {
		add(def, true)
	}
	for _, t := range sg.types {
		sg.unexternalKeyFields(t)
		if t.name == "Query" {
			var kept []*sgField
			for _, f := range t.fields {
				if f.name != "_entities" && f.name != "_service" {
					kept = append(kept, f)
				}
			}
			t.fields = kept
		}
	}
	return sg, errs
}

// resolveNames maps the local names of federation directives to their canonical
// names: imported names (with or without "@", possibly renamed), namespaced
// federation__x names, and, for leniency with Fed 1 and hand-written SDL, the
// canonical names themselves.
func (sg *subgraph) resolveNames(schemaDirs ast.DirectiveList) {
	canonical := map[string]bool{}
	for _, n := range fedDirectiveNames {
		canonical[n] = true
		sg.names[n] = n
	}
	for _, d := range schemaDirs {
		if d.Name != "link" {
			continue
		}
		u := d.Arguments.ForName("url")
		if u == nil || u.Value == nil || !strings.Contains(u.Value.Raw, "specs.apollo.dev/federation/") {
			continue
		}
		sg.fed2 = true
		prefix := "federation"
		if as := d.Arguments.ForName("as"); as != nil && as.Value != nil && as.Value.Raw != "" {
			prefix = as.Value.Raw
		}
		for _, n := range fedDirectiveNames {
			sg.names[prefix+"__"+n] = n
		}
		imp := d.Arguments.ForName("import")
		if imp == nil || imp.Value == nil {
			continue
		}
		for _, c := range imp.Value.Children {
			var name, as string
			switch c.Value.Kind {
			case ast.ObjectValue:
				for _, kv := range c.Value.Children {
					switch kv.Name {
					case "name":
						name = kv.Value.Raw
					case "as":
						as = kv.Value.Raw
					}
				}
			default:
				name = c.Value.Raw
			}
			name = strings.TrimPrefix(name, "@")
			as = strings.TrimPrefix(as, "@")
			if as == "" {
				as = name
			}
			if canonical[name] {
				if as != name {
					delete(sg.names, name)
				}
				sg.names[as] = name
			}
		}
	}
}

func (sg *subgraph) fed(d *ast.Directive) string { return sg.names[d.Name] }

func dirArg(d *ast.Directive, name string) string {
	a := d.Arguments.ForName(name)
	if a == nil || a.Value == nil {
		return ""
	}
	return a.Value.Raw
}

func dirBool(d *ast.Directive, name string, def bool) bool {
	a := d.Arguments.ForName(name)
	if a == nil || a.Value == nil || a.Value.Kind != ast.BooleanValue {
		return def
	}
	return a.Value.Raw == "true"
}

func (sg *subgraph) addDefinition(t *sgType, def *ast.Definition) Errors {
	var errs Errors
	for _, d := range def.Directives {
		switch sg.fed(d) {
		case "key":
			fields := dirArg(d, "fields")
			if _, err := supergraph.ParseFieldSet(fields); err != nil || strings.TrimSpace(fields) == "" {
				errs = append(errs, &Error{Subgraph: sg.name, Coordinate: t.name, Message: "invalid @key(fields: " + quote(fields) + ")", Locations: locationsOf(d.Position)})
				continue
			}
			t.keys = append(t.keys, sgKey{fields: normalizeFieldSet(fields), resolvable: dirBool(d, "resolvable", true)})
		case "shareable":
			t.shareable = true
		case "extends":
			t.extends = true
		case "interfaceObject":
			t.interfaceObject = true
		case "inaccessible":
			t.inaccessible = true
		case "tag":
			t.tags = append(t.tags, dirArg(d, "name"))
		case "":
			if d.Name == "specifiedBy" {
				t.other = append(t.other, d)
			}
		}
	}
	t.interfaces = appendNew(t.interfaces, def.Interfaces...)
	t.members = appendNew(t.members, def.Types...)
	for _, ev := range def.EnumValues {
		v := &sgEnumValue{name: ev.Name, description: ev.Description}
		for _, d := range ev.Directives {
			switch {
			case sg.fed(d) == "inaccessible":
				v.inaccessible = true
			case sg.fed(d) == "tag":
				v.tags = append(v.tags, dirArg(d, "name"))
			case d.Name == "deprecated":
				v.deprecated = d
			}
		}
		t.values = append(t.values, v)
	}
	for _, fd := range def.Fields {
		f := &sgField{name: fd.Name, description: fd.Description, typ: fd.Type, args: fd.Arguments, defaultValue: fd.DefaultValue, pos: fd.Position}
		for _, d := range fd.Directives {
			switch sg.fed(d) {
			case "external":
				f.external = true
			case "shareable":
				f.shareable = true
			case "requires":
				f.requires = normalizeFieldSet(dirArg(d, "fields"))
			case "provides":
				f.provides = normalizeFieldSet(dirArg(d, "fields"))
			case "override":
				f.override = dirArg(d, "from")
				f.overrideLabel = dirArg(d, "label")
			case "inaccessible":
				f.inaccessible = true
			case "tag":
				f.tags = append(f.tags, dirArg(d, "name"))
			case "":
				if d.Name == "deprecated" {
					f.deprecated = d
				}
			}
		}
		for _, fs := range []string{f.requires, f.provides} {
			if fs == "" {
				continue
			}
			if _, err := supergraph.ParseFieldSet(fs); err != nil {
				errs = append(errs, &Error{Subgraph: sg.name, Coordinate: t.name + "." + f.name, Message: "invalid field set " + quote(fs), Locations: locationsOf(fd.Position)})
			}
		}
		if existing := findField(t.fields, f.name); existing != nil {
			errs = append(errs, &Error{Subgraph: sg.name, Coordinate: t.name + "." + f.name, Message: "field defined twice", Locations: locationsOf(fd.Position)})
			continue
		}
		t.fields = append(t.fields, f)
	}
	return errs
}

// unexternalKeyFields treats @external on a type's own key fields as not external:
// Fed 1 subgraphs mark the keys of extended types that way, yet the subgraph answers
// them from the representation it receives.
func (sg *subgraph) unexternalKeyFields(t *sgType) {
	for _, k := range t.keys {
		sel, err := supergraph.ParseFieldSet(k.fields)
		if err != nil {
			continue
		}
		for _, s := range sel {
			if f, ok := s.(*ast.Field); ok {
				if sf := findField(t.fields, f.Name); sf != nil {
					sf.external = false
				}
			}
		}
	}
}

func findField(fs []*sgField, name string) *sgField {
	for _, f := range fs {
		if f.name == name {
			return f
		}
	}
	return nil
}

func appendNew(dst []string, src ...string) []string {
	for _, s := range src {
		found := false
		for _, d := range dst {
			if d == s {
				found = true
				break
			}
		}
		if !found {
			dst = append(dst, s)
		}
	}
	return dst
}

// normalizeFieldSet collapses whitespace so equal field sets compare equal.
func normalizeFieldSet(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(strings.ReplaceAll(s, "{", " { "), "}", " } ")), " ")
}
