package compose

import (
	"github.com/vektah/gqlparser/v2/ast"
)

// mergeInterfaces checks that the implementations of each interface have its fields
// and keys. Fields that only @interfaceObject subgraphs resolve are added to every
// implementation with a bare @join__field: the router resolves them through the
// interface object.
func (m *merger) mergeInterfaces() {
	for _, name := range m.order {
		it := m.types[name]
		if it == nil || it.kind != ast.Interface {
			continue
		}
		var keyed, objects []string
		for _, p := range it.per {
			if p.t.interfaceObject {
				objects = append(objects, p.sg.name)
			} else if len(p.t.keys) > 0 {
				keyed = append(keyed, p.sg.name)
			}
		}
		if len(objects) > 0 && len(keyed) == 0 {
			m.fail(CodeInterfaceObjectUsageError, name, objects, "type %q is declared with @interfaceObject in %s but no subgraph defines it as an interface with @key", name, quoteList(objects))
		}
		for _, implName := range m.order {
			impl := m.types[implName]
			if impl == nil || impl.kind != ast.Object || !contains(impl.interfaces, name) {
				continue
			}
			for _, sgName := range keyed {
				if !implementsIn(impl, sgName, name) {
					m.fail(CodeInterfaceKeyMissingImplementType, name, []string{sgName}, "interface type %q has a resolvable key in subgraph %q but that subgraph is missing its implementation %q", name, sgName, implName)
				}
			}
			for _, f := range it.fields {
				if f.typ == nil || findMField(impl.fields, f.name) != nil {
					continue
				}
				if len(objects) > 0 && onlyFromInterfaceObjects(f, it) {
					impl.fields = append(impl.fields, &mField{name: f.name, description: f.description, typ: copyType(f.typ), args: f.args, bare: true, needJoin: true, inaccessible: f.inaccessible, tags: f.tags, deprecated: f.deprecated})
					continue
				}
				var implSgs []string
				for _, p := range impl.per {
					implSgs = append(implSgs, p.sg.name)
				}
				m.fail(CodeInterfaceFieldNoImplem, name+"."+f.name, append(sourceNames(f.sources), implSgs...), "interface field %q is declared in %s but type %q, which implements %q in %s, does not have field %q", name+"."+f.name, quoteList(sourceNames(f.sources)), implName, name, quoteList(implSgs), f.name)
			}
		}
	}
}

func implementsIn(impl *mType, sgName, iface string) bool {
	for _, p := range impl.per {
		if p.sg.name == sgName && contains(p.t.interfaces, iface) {
			return true
		}
	}
	return false
}

func onlyFromInterfaceObjects(f *mField, it *mType) bool {
	for _, s := range f.sources {
		if t := s.sg.types[it.name]; t == nil || !t.interfaceObject {
			return false
		}
	}
	return len(f.sources) > 0
}

func findMField(fs []*mField, name string) *mField {
	for _, f := range fs {
		if f.name == name {
			return f
		}
	}
	return nil
}

// checkReferences reports references to types no subgraph defines and union members
// or interfaces of the wrong kind.
func (m *merger) checkReferences() {
	known := func(n string) bool { return isBuiltinScalar(n) || m.types[n] != nil || m.broken[n] }
	for _, name := range m.order {
		mt := m.types[name]
		if mt == nil {
			continue
		}
		for _, f := range mt.fields {
			if f.typ != nil && !known(f.typ.Name()) {
				m.fail(CodeInvalidGraphQL, name+"."+f.name, sourceNames(f.sources), "unknown type %q", f.typ.Name())
			}
			for _, a := range f.args {
				if !known(a.typ.Name()) {
					m.fail(CodeInvalidGraphQL, name+"."+f.name+"("+a.name+":)", sourceNames(f.sources), "unknown type %q", a.typ.Name())
				}
			}
		}
		for _, mem := range mt.members {
			if t := m.types[mem]; !m.broken[mem] && (t == nil || t.kind != ast.Object) {
				m.fail(CodeInvalidGraphQL, name, typeSubgraphs(mt), "union member %q is not an object type", mem)
			}
		}
		for _, i := range mt.interfaces {
			if t := m.types[i]; !m.broken[i] && (t == nil || t.kind != ast.Interface) {
				m.fail(CodeInvalidGraphQL, name, typeSubgraphs(mt), "implements %q which is not an interface", i)
			}
		}
	}
	if q := m.types["Query"]; q == nil || len(q.fields) == 0 {
		m.fail(CodeNoQueries, "Query", nil, "no queries found in any subgraph: a supergraph must have a query root type")
	}
}

func typeSubgraphs(mt *mType) []string {
	out := make([]string, len(mt.per))
	for i, p := range mt.per {
		out[i] = p.sg.name
	}
	return out
}

// checkInaccessible enforces the inaccessible spec's rules on the merged schema: what
// remains in the API schema must not reference what was removed.
func (m *merger) checkInaccessible() {
	hidden := func(n string) bool { t := m.types[n]; return t != nil && t.inaccessible }
	if hidden("Query") {
		m.fail(CodeQueryRootTypeInaccessible, "Query", typeSubgraphs(m.types["Query"]), "type %q is @inaccessible but is the query root type, which must be in the API schema", "Query")
	}
	for _, name := range m.order {
		mt := m.types[name]
		if mt == nil || mt.inaccessible {
			continue
		}
		visible, total := 0, 0
		switch mt.kind {
		case ast.Enum:
			for _, v := range mt.values {
				total++
				if !v.inaccessible {
					visible++
				}
			}
		case ast.Union:
			for _, mem := range mt.members {
				total++
				if !hidden(mem) {
					visible++
				}
			}
		case ast.Object, ast.Interface, ast.InputObject:
			for _, f := range mt.fields {
				if f.typ != nil {
					total++
				}
				if !f.inaccessible && f.typ != nil {
					visible++
				}
			}
		}
		if total > 0 && visible == 0 {
			m.fail(CodeOnlyInaccessibleChildren, name, typeSubgraphs(mt), "type %q is in the API schema but all of its members are @inaccessible", name)
		}
		for _, f := range mt.fields {
			if f.typ == nil {
				continue
			}
			coord := name + "." + f.name
			if f.inaccessible {
				if mt.kind == ast.InputObject && f.typ.NonNull && f.defaultValue == nil {
					m.fail(CodeRequiredInaccessible, coord, sourceNames(f.sources), "input field %q is @inaccessible but is required by type %q", coord, name)
				}
				for _, i := range mt.interfaces {
					if it := m.types[i]; it != nil && !it.inaccessible {
						if itf := findMField(it.fields, f.name); itf != nil && !itf.inaccessible {
							m.fail(CodeImplementedByInaccessible, coord, sourceNames(f.sources), "field %q is @inaccessible but implements the interface field %q, which is in the API schema", coord, i+"."+f.name)
						}
					}
				}
				continue
			}
			if hidden(f.typ.Name()) {
				m.fail(CodeReferencedInaccessible, coord, sourceNames(f.sources), "type %q is @inaccessible but is referenced by %q, which is in the API schema", f.typ.Name(), coord)
			}
			for _, a := range f.args {
				acoord := coord + "(" + a.name + ":)"
				switch {
				case a.inaccessible && a.typ.NonNull && a.defaultValue == nil:
					m.fail(CodeRequiredInaccessible, acoord, sourceNames(f.sources), "argument %q is @inaccessible but is a required argument of its field", acoord)
				case !a.inaccessible && hidden(a.typ.Name()):
					m.fail(CodeReferencedInaccessible, acoord, sourceNames(f.sources), "type %q is @inaccessible but is referenced by %q, which is in the API schema", a.typ.Name(), acoord)
				}
			}
		}
	}
}

// mergeComposedDirectives gathers the custom directives subgraphs name in
// @composeDirective. Subgraphs must agree on the spec each comes from.
func (m *merger) mergeComposedDirectives() {
	for _, sg := range m.sgs {
		for _, name := range sortedKeys(sg.composed) {
			cd := sg.composed[name]
			prev := m.composed[name]
			if prev == nil {
				m.composed[name] = cd
				continue
			}
			pn, _ := featureName(prev.url)
			cn, _ := featureName(cd.url)
			if pn != cn || prev.specName != cd.specName {
				m.fail(CodeDirectiveCompositionError, "@"+name, nil, "composed directive @%s comes from different specs in different subgraphs: %q and %q", name, prev.url, cd.url)
				continue
			}
			if cd.url > prev.url {
				m.composed[name] = cd
			}
		}
	}
}

func sortedKeys[V any](mm map[string]V) []string {
	out := make([]string, 0, len(mm))
	for k := range mm {
		out = append(out, k)
	}
	sortStrings(out)
	return out
}
