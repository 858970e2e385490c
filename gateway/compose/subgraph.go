package compose

import (
	"errors"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
)

// fedDirectiveNames are the federation directives composition understands, by
// canonical name.
var fedDirectiveNames = []string{
	"key", "external", "requires", "provides", "shareable", "override", "inaccessible",
	"tag", "extends", "interfaceObject", "composeDirective", "link",
	"authenticated", "requiresScopes", "policy", "context", "fromContext", "cost", "listSize",
}

// isMachineryType reports federation types a subgraph exposes that the supergraph
// must not.
func isMachineryType(name string) bool {
	switch name {
	case "_Service", "_Entity", "_Any", "_FieldSet", "FieldSet":
		return true
	}
	return strings.HasPrefix(name, "federation__") || strings.HasPrefix(name, "link__") || strings.HasPrefix(name, "join__")
}

func isBuiltinScalar(name string) bool {
	switch name {
	case "String", "Int", "Float", "Boolean", "ID":
		return true
	}
	return false
}

// subgraph is one parsed subgraph: its types with their federation metadata.
type subgraph struct {
	name, url, enum string
	// fed2 is true for subgraphs that @link the federation spec; the others are
	// Federation 1 subgraphs and get its implicit rules.
	fed2  bool
	names map[string]string // local directive name -> canonical federation name
	types map[string]*sgType
	order []string
	// links are the subgraph's non-federation @link features, for @composeDirective.
	links []sgLink
	// composed holds the directives the subgraph names in @composeDirective, by local name.
	composed map[string]*composedDirective
	doc      *ast.SchemaDocument
	errs     Errors
}

type sgLink struct {
	url     string
	prefix  string
	imports map[string]string // local name (no @) -> name in the spec (no @)
}

// composedDirective is a custom directive carried into the supergraph.
type composedDirective struct {
	local, specName, url string
	def                  *ast.DirectiveDefinition
}

type sgType struct {
	name            string
	kind            ast.DefinitionKind
	description     string
	defined         bool // has a non-extension definition
	extendsDir      bool // has @extends
	shareable       bool
	interfaceObject bool
	inaccessible    bool
	tags            []string
	auth            authReq
	keys            []sgKey
	interfaces      []string
	members         []string
	values          []*sgEnumValue
	fields          []*sgField
	other           ast.DirectiveList // @specifiedBy
	custom          ast.DirectiveList // composed custom directives
	demand          ast.DirectiveList // @cost (cost.go)
	// contexts are the names the type's @context directives set (context.go).
	contexts []string
	pos      *ast.Position
}

type sgKey struct {
	fields     string
	resolvable bool
	pos        *ast.Position
}

type sgEnumValue struct {
	name, description string
	inaccessible      bool
	tags              []string
	deprecated        *ast.Directive
	custom            ast.DirectiveList
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
	hasOverride       bool
	override          string
	overrideLabel     string
	inaccessible      bool
	tags              []string
	auth              authReq
	deprecated        *ast.Directive
	custom            ast.DirectiveList
	demand            ast.DirectiveList // @cost and @listSize (cost.go)
	// ctxArgs are the arguments marked @fromContext (context.go).
	ctxArgs []*sgContextArg
	pos     *ast.Position
	// Set by validation: the field is selected by a @key, @requires or @provides of
	// this subgraph; keyField when by a @key; provided when by a @provides.
	used, keyField, provided bool
}

func locationsOf(pos *ast.Position) []Location {
	if pos == nil {
		return nil
	}
	return []Location{{Line: pos.Line, Column: pos.Column}}
}

func (sg *subgraph) errorAt(code, coord string, pos *ast.Position, format string, args ...any) {
	e := newError(code, coord, []string{sg.name}, format, args...)
	e.Locations = locationsOf(pos)
	sg.errs = append(sg.errs, e)
}

// parseSubgraph parses one subgraph's SDL and reads its federation directives.
func parseSubgraph(in Subgraph) (*subgraph, Errors) {
	doc, err := parser.ParseSchema(&ast.Source{Name: in.Name, Input: in.SDL})
	if err != nil {
		e := newError(CodeInvalidGraphQL, "", []string{in.Name}, "invalid SDL: %v", err)
		var gerr *gqlerror.Error
		if errors.As(err, &gerr) {
			e.Message = "invalid SDL: " + gerr.Message
			for _, l := range gerr.Locations {
				e.Locations = append(e.Locations, Location{Line: l.Line, Column: l.Column})
			}
		}
		return nil, Errors{e}
	}
	sg := &subgraph{name: in.Name, url: in.URL, types: map[string]*sgType{}, names: map[string]string{}, composed: map[string]*composedDirective{}, doc: doc}
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
	sg.readComposeDirectives(schemaDirs)
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
			sg.errorAt(CodeInvalidGraphQL, name, def.Position, "defined as both %s and %s", t.kind, def.Kind)
			return
		}
		if !extension {
			t.defined = true
		}
		if t.description == "" {
			t.description = def.Description
		}
		sg.addDefinition(t, def)
	}
	for _, def := range doc.Definitions {
		add(def, false)
	}
	for _, def := range doc.Extensions {
		add(def, true)
	}
	if t := sg.types["Query"]; t != nil {
		var kept []*sgField
		for _, f := range t.fields {
			if f.name != "_entities" && f.name != "_service" {
				kept = append(kept, f)
			}
		}
		t.fields = kept
	}
	if len(sg.errs) > 0 {
		return nil, sg.errs
	}
	return sg, nil
}

// resolveNames maps the local names of federation directives to their canonical
// names: imported names (with or without "@", possibly renamed), namespaced
// federation__x names, and, for Fed 1 and hand-written SDL, the canonical names.
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
		u := dirArg(d, "url")
		if u == "" {
			continue
		}
		isFed := strings.Contains(u, "specs.apollo.dev/federation/")
		name, _ := featureName(u)
		prefix := name
		if as := dirArg(d, "as"); as != "" {
			prefix = as
		}
		imports := map[string]string{}
		if imp := d.Arguments.ForName("import"); imp != nil && imp.Value != nil {
			for _, c := range imp.Value.Children {
				var n, as string
				switch c.Value.Kind {
				case ast.ObjectValue:
					for _, kv := range c.Value.Children {
						switch kv.Name {
						case "name":
							n = kv.Value.Raw
						case "as":
							as = kv.Value.Raw
						}
					}
				default:
					n = c.Value.Raw
				}
				n = strings.TrimPrefix(n, "@")
				as = strings.TrimPrefix(as, "@")
				if as == "" {
					as = n
				}
				imports[as] = n
			}
		}
		if !isFed {
			if name == "cost" {
				sg.resolveCostLink(prefix, imports)
			}
			sg.links = append(sg.links, sgLink{url: u, prefix: prefix, imports: imports})
			continue
		}
		sg.fed2 = true
		for _, n := range fedDirectiveNames {
			sg.names[prefix+"__"+n] = n
		}
		for as, n := range imports {
			if canonical[n] {
				if as != n && sg.names[n] == n {
					delete(sg.names, n)
				}
				sg.names[as] = n
			}
		}
	}
}

// featureName splits ".../name/v1.0" into name and version.
func featureName(u string) (name, version string) {
	parts := strings.Split(strings.TrimSuffix(u, "/"), "/")
	if len(parts) >= 2 && strings.HasPrefix(parts[len(parts)-1], "v") {
		return parts[len(parts)-2], parts[len(parts)-1]
	}
	return parts[len(parts)-1], ""
}

// readComposeDirectives records the custom directives named by @composeDirective.
func (sg *subgraph) readComposeDirectives(schemaDirs ast.DirectiveList) {
	for _, d := range schemaDirs {
		if sg.names[d.Name] != "composeDirective" {
			continue
		}
		local := strings.TrimPrefix(dirArg(d, "name"), "@")
		if !strings.HasPrefix(dirArg(d, "name"), "@") || local == "" {
			sg.errorAt(CodeDirectiveCompositionError, "@"+local, d.Position, "@composeDirective(name:) must start with \"@\", got %q", dirArg(d, "name"))
			continue
		}
		if _, fed := sg.names[local]; fed || local == "deprecated" || local == "specifiedBy" || local == "skip" || local == "include" {
			sg.errorAt(CodeDirectiveCompositionError, "@"+local, d.Position, "directive @%s is a built-in or federation directive and cannot be composed", local)
			continue
		}
		def := sg.doc.Directives.ForName(local)
		if def == nil {
			sg.errorAt(CodeDirectiveCompositionError, "@"+local, d.Position, "@composeDirective names directive @%s, which the subgraph does not define", local)
			continue
		}
		var found *composedDirective
		for _, l := range sg.links {
			if n, ok := l.imports[local]; ok {
				found = &composedDirective{local: local, specName: n, url: l.url, def: def}
			} else if strings.HasPrefix(local, l.prefix+"__") {
				found = &composedDirective{local: local, specName: strings.TrimPrefix(local, l.prefix+"__"), url: l.url, def: def}
			} else if local == l.prefix {
				found = &composedDirective{local: local, specName: local, url: l.url, def: def}
			}
			if found != nil {
				break
			}
		}
		if found == nil {
			sg.errorAt(CodeDirectiveCompositionError, "@"+local, d.Position, "directive @%s is composed but does not belong to a spec the subgraph @links", local)
			continue
		}
		sg.composed[local] = found
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

func (sg *subgraph) addDefinition(t *sgType, def *ast.Definition) {
	for _, d := range def.Directives {
		switch sg.fed(d) {
		case "key":
			t.keys = append(t.keys, sgKey{fields: normalizeFieldSet(dirArg(d, "fields")), resolvable: dirBool(d, "resolvable", true), pos: d.Position})
		case "shareable":
			t.shareable = true
		case "extends":
			t.extendsDir = true
		case "interfaceObject":
			t.interfaceObject = true
		case "inaccessible":
			t.inaccessible = true
		case "tag":
			t.tags = append(t.tags, dirArg(d, "name"))
		case "authenticated", "requiresScopes", "policy":
			t.auth = t.auth.read(sg.fed(d), d)
		case "cost":
			t.demand = append(t.demand, d)
		case "context":
			t.contexts = append(t.contexts, dirArg(d, "name"))
		case "":
			if d.Name == "specifiedBy" {
				t.other = append(t.other, d)
			} else if sg.composed[d.Name] != nil {
				t.custom = append(t.custom, d)
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
			case sg.composed[d.Name] != nil:
				v.custom = append(v.custom, d)
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
				f.hasOverride = true
				f.override = dirArg(d, "from")
				f.overrideLabel = dirArg(d, "label")
			case "inaccessible":
				f.inaccessible = true
			case "tag":
				f.tags = append(f.tags, dirArg(d, "name"))
			case "authenticated", "requiresScopes", "policy":
				f.auth = f.auth.read(sg.fed(d), d)
			case "cost", "listSize":
				f.demand = append(f.demand, d)
			case "":
				if d.Name == "deprecated" {
					f.deprecated = d
				} else if sg.composed[d.Name] != nil {
					f.custom = append(f.custom, d)
				}
			}
		}
		sg.readContextArgs(f, fd)
		if findField(t.fields, f.name) != nil {
			sg.errorAt(CodeInvalidGraphQL, t.name+"."+f.name, fd.Position, "field defined twice")
			continue
		}
		t.fields = append(t.fields, f)
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

// normalizeFieldSet collapses whitespace and commas so equal field sets compare equal.
func normalizeFieldSet(s string) string {
	s = strings.ReplaceAll(s, ",", " ")
	s = strings.ReplaceAll(strings.ReplaceAll(s, "{", " { "), "}", " } ")
	return strings.Join(strings.Fields(s), " ")
}
