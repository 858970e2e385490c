package compose

import (
	"fmt"
	"sort"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/shopgraph/shopgraph/gateway/supergraph"
)

type merger struct {
	sgs         []*subgraph
	byEnumOrder map[string]int
	types       map[string]*mType
	order       []string
	errs        Errors

	usesInaccessible, usesTag, usesLabel bool
}

type mType struct {
	name         string
	kind         ast.DefinitionKind
	description  string
	per          []typeSource // sorted by subgraph name
	fields       []*mField
	values       []*mValue
	members      []string
	interfaces   []string
	inaccessible bool
	tags         []string
	other        ast.DirectiveList
}

type typeSource struct {
	sg *subgraph
	t  *sgType
}

type fieldSource struct {
	sg       *subgraph
	f        *sgField
	typeDiff bool
}

type mField struct {
	name, description string
	typ               *ast.Type
	args              []*mArg
	defaultValue      *ast.Value
	sources           []fieldSource
	needJoin          bool
	inaccessible      bool
	tags              []string
	deprecated        *ast.Directive
}

type mArg struct {
	name, description string
	typ               *ast.Type
	defaultValue      *ast.Value
	deprecated        *ast.Directive
	inaccessible      bool
}

type mValue struct {
	name, description string
	sgs               []*subgraph
	inaccessible      bool
	tags              []string
	deprecated        *ast.Directive
}

func newMerger(sgs []*subgraph) *merger {
	m := &merger{sgs: sgs, types: map[string]*mType{}, byEnumOrder: map[string]int{}}
	used := map[string]bool{}
	for i, sg := range sgs {
		enum := enumName(sg.name)
		base := enum
		for n := 2; used[enum]; n++ {
			enum = fmt.Sprintf("%s_%d", base, n)
		}
		used[enum] = true
		sg.enum = enum
		m.byEnumOrder[sg.name] = i
		// Every subgraph has a Query root for _entities and _service.
		if sg.types["Query"] == nil {
			sg.types["Query"] = &sgType{name: "Query", kind: ast.Object}
			sg.order = append(sg.order, "Query")
		}
	}
	return m
}

// enumName turns a subgraph name into a join__Graph value: "catalog-v2" -> "CATALOG_V2".
func enumName(name string) string {
	var b strings.Builder
	for i, r := range strings.ToUpper(name) {
		switch {
		case r >= 'A' && r <= 'Z', r == '_', r >= '0' && r <= '9' && i > 0:
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	return b.String()
}

func (m *merger) errorf(sg, coord, format string, args ...any) {
	m.errs = append(m.errs, &Error{Subgraph: sg, Coordinate: coord, Message: fmt.Sprintf(format, args...)})
}

func (m *merger) merge() {
	names := map[string]bool{}
	for _, sg := range m.sgs {
		for _, n := range sg.order {
			names[n] = true
		}
	}
	for n := range names {
		m.order = append(m.order, n)
	}
	sort.Strings(m.order)
	for _, name := range m.order {
		m.mergeType(name)
	}
	m.checkReferences()
}

func (m *merger) mergeType(name string) {
	mt := &mType{name: name}
	for _, sg := range m.sgs {
		if t := sg.types[name]; t != nil {
			mt.per = append(mt.per, typeSource{sg, t})
		}
	}
	kinds := map[ast.DefinitionKind][]string{}
	for _, p := range mt.per {
		k := p.t.kind
		if p.t.interfaceObject {
			k = ast.Interface
		}
		kinds[k] = append(kinds[k], p.sg.name)
		if mt.description == "" {
			mt.description = p.t.description
		}
		if p.t.inaccessible {
			mt.inaccessible = true
		}
		mt.tags = appendNew(mt.tags, p.t.tags...)
		mt.interfaces = appendNew(mt.interfaces, p.t.interfaces...)
		mt.members = appendNew(mt.members, p.t.members...)
		if len(mt.other) == 0 {
			mt.other = p.t.other
		}
	}
	if len(kinds) > 1 {
		var parts []string
		for k, sgs := range kinds {
			parts = append(parts, fmt.Sprintf("%s in %s", k, quoteList(sgs)))
		}
		sort.Strings(parts)
		m.errorf("", name, "type is defined with different kinds: %s", strings.Join(parts, ", "))
		return
	}
	for k := range kinds {
		mt.kind = k
	}
	if mt.inaccessible {
		m.usesInaccessible = true
	}
	if len(mt.tags) > 0 {
		m.usesTag = true
	}
	switch mt.kind {
	case ast.Object, ast.Interface:
		m.mergeFields(mt, false)
	case ast.InputObject:
		m.mergeFields(mt, true)
	case ast.Enum:
		m.mergeEnum(mt)
	case ast.Scalar:
		switch name {
		case "String", "Int", "Float", "Boolean", "ID":
			return
		}
	}
	m.types[name] = mt
}

func (m *merger) mergeEnum(mt *mType) {
	byName := map[string]*mValue{}
	for _, p := range mt.per {
		for _, v := range p.t.values {
			mv := byName[v.name]
			if mv == nil {
				mv = &mValue{name: v.name}
				byName[v.name] = mv
				mt.values = append(mt.values, mv)
			}
			mv.sgs = append(mv.sgs, p.sg)
			if mv.description == "" {
				mv.description = v.description
			}
			if v.inaccessible {
				mv.inaccessible = true
				m.usesInaccessible = true
			}
			if mv.deprecated == nil {
				mv.deprecated = v.deprecated
			}
			mv.tags = appendNew(mv.tags, v.tags...)
			if len(v.tags) > 0 {
				m.usesTag = true
			}
		}
	}
}

// keyFieldNames returns the top-level field names of a subgraph type's keys.
func keyFieldNames(t *sgType) map[string]bool {
	out := map[string]bool{}
	for _, k := range t.keys {
		sel, err := supergraph.ParseFieldSet(k.fields)
		if err != nil {
			continue
		}
		for _, s := range sel {
			if f, ok := s.(*ast.Field); ok {
				out[f.Name] = true
			}
		}
	}
	return out
}

func (m *merger) mergeFields(mt *mType, input bool) {
	byName := map[string]*mField{}
	for _, p := range mt.per {
		for _, f := range p.t.fields {
			mf := byName[f.name]
			if mf == nil {
				mf = &mField{name: f.name}
				byName[f.name] = mf
				mt.fields = append(mt.fields, mf)
			}
			mf.sources = append(mf.sources, fieldSource{sg: p.sg, f: f})
		}
	}
	for _, mf := range mt.fields {
		coord := mt.name + "." + mf.name
		// @override moves the field away from the named subgraph.
		var overridden []string
		for _, s := range mf.sources {
			if s.f.override != "" {
				overridden = append(overridden, s.f.override)
				if s.f.overrideLabel != "" {
					m.usesLabel = true
				}
			}
		}
		if len(overridden) > 0 {
			var kept []fieldSource
			for _, s := range mf.sources {
				drop := false
				for _, o := range overridden {
					if s.sg.name == o && s.f.override == "" {
						drop = true
					}
				}
				if !drop {
					kept = append(kept, s)
				}
			}
			mf.sources = kept
		}
		for _, s := range mf.sources {
			if mf.description == "" {
				mf.description = s.f.description
			}
			if s.f.inaccessible {
				mf.inaccessible = true
				m.usesInaccessible = true
			}
			mf.tags = appendNew(mf.tags, s.f.tags...)
			if len(s.f.tags) > 0 {
				m.usesTag = true
			}
			if mf.deprecated == nil {
				mf.deprecated = s.f.deprecated
			}
			if mf.defaultValue == nil {
				mf.defaultValue = s.f.defaultValue
			}
		}
		allExternal := true
		for _, s := range mf.sources {
			if !s.f.external {
				allExternal = false
			}
		}
		if allExternal && !input {
			m.errorf(mf.sources[0].sg.name, coord, "field is marked @external in every subgraph that defines it (%s)", quoteList(sourceNames(mf.sources)))
		}
		typ, ok := m.mergeFieldType(coord, mf.sources, input)
		if !ok {
			continue
		}
		mf.typ = typ
		m.mergeArgs(coord, mf)
		mf.needJoin = len(mf.sources) != len(mt.per)
		for i := range mf.sources {
			s := &mf.sources[i]
			s.typeDiff = s.f.typ.String() != typ.String()
			if s.typeDiff || s.f.external || s.f.requires != "" || s.f.provides != "" || s.f.override != "" {
				mf.needJoin = true
			}
		}
		if input && len(mf.sources) != len(mt.per) && typ.NonNull && mf.defaultValue == nil {
			var missing []string
			for _, p := range mt.per {
				if findField(p.t.fields, mf.name) == nil {
					missing = append(missing, p.sg.name)
				}
			}
			m.errorf(missing[0], coord, "required input field is missing in subgraph(s) %s", quoteList(missing))
		}
		if mt.kind == ast.Object && !input {
			m.checkShareable(mt, mf, coord)
		}
	}
	if input {
		// Input types keep only the fields every subgraph accepts.
		var kept []*mField
		for _, mf := range mt.fields {
			if len(mf.sources) == len(mt.per) {
				mf.needJoin = false
				kept = append(kept, mf)
			}
		}
		mt.fields = kept
	}
}

func sourceNames(ss []fieldSource) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = s.sg.name
	}
	return out
}

func (m *merger) checkShareable(mt *mType, mf *mField, coord string) {
	var resolvers []fieldSource
	for _, s := range mf.sources {
		if !s.f.external {
			resolvers = append(resolvers, s)
		}
	}
	if len(resolvers) < 2 || mt.name == "Subscription" {
		return
	}
	var nonShareable []string
	for _, s := range resolvers {
		t := s.sg.types[mt.name]
		if !s.sg.fed2 || s.f.shareable || t.shareable || keyFieldNames(t)[mf.name] || s.f.override != "" {
			continue
		}
		nonShareable = append(nonShareable, s.sg.name)
	}
	if len(nonShareable) > 0 {
		m.errorf(nonShareable[0], coord, "non-shareable field is resolved from several subgraphs (%s) and is not marked @shareable in %s", quoteList(sourceNames(resolvers)), quoteList(nonShareable))
	}
}

// mergeFieldType checks that every subgraph gives the field the same named type and
// list structure. Output fields become nullable if any subgraph makes them nullable;
// input fields and arguments non-null if any subgraph requires them.
func (m *merger) mergeFieldType(coord string, sources []fieldSource, input bool) (*ast.Type, bool) {
	var out *ast.Type
	for _, s := range sources {
		if out == nil {
			out = copyType(s.f.typ)
			continue
		}
		if !sameShape(out, s.f.typ) {
			var parts []string
			for _, s2 := range sources {
				parts = append(parts, fmt.Sprintf("%s in %q", s2.f.typ.String(), s2.sg.name))
			}
			m.errs = append(m.errs, &Error{Subgraph: s.sg.name, Coordinate: coord, Message: "field has incompatible types across subgraphs: " + strings.Join(parts, ", "), Locations: locationsOf(s.f.pos)})
			return nil, false
		}
		mergeNullability(out, s.f.typ, input)
	}
	return out, true
}

func copyType(t *ast.Type) *ast.Type {
	if t == nil {
		return nil
	}
	return &ast.Type{NamedType: t.NamedType, Elem: copyType(t.Elem), NonNull: t.NonNull}
}

func sameShape(a, b *ast.Type) bool {
	if a == nil || b == nil {
		return a == b
	}
	if (a.Elem == nil) != (b.Elem == nil) {
		return false
	}
	if a.Elem != nil {
		return sameShape(a.Elem, b.Elem)
	}
	return a.NamedType == b.NamedType
}

func mergeNullability(dst, src *ast.Type, input bool) {
	for dst != nil && src != nil {
		if input {
			dst.NonNull = dst.NonNull || src.NonNull
		} else {
			dst.NonNull = dst.NonNull && src.NonNull
		}
		dst, src = dst.Elem, src.Elem
	}
}

func (m *merger) mergeArgs(coord string, mf *mField) {
	type argSrc struct {
		sg *subgraph
		a  *ast.ArgumentDefinition
	}
	var order []string
	byName := map[string][]argSrc{}
	var nonExternal int
	for _, s := range mf.sources {
		if s.f.external {
			continue
		}
		nonExternal++
		for _, a := range s.f.args {
			if _, ok := byName[a.Name]; !ok {
				order = append(order, a.Name)
			}
			byName[a.Name] = append(byName[a.Name], argSrc{s.sg, a})
		}
	}
	for _, name := range order {
		srcs := byName[name]
		acoord := coord + "(" + name + ":)"
		ma := &mArg{name: name}
		for _, s := range srcs {
			if ma.typ == nil {
				ma.typ = copyType(s.a.Type)
			} else if !sameShape(ma.typ, s.a.Type) {
				m.errs = append(m.errs, &Error{Subgraph: s.sg.name, Coordinate: acoord, Message: fmt.Sprintf("argument has incompatible types across subgraphs: %s and %s", ma.typ.String(), s.a.Type.String()), Locations: locationsOf(s.a.Position)})
				return
			} else {
				mergeNullability(ma.typ, s.a.Type, true)
			}
			if ma.description == "" {
				ma.description = s.a.Description
			}
			if ma.defaultValue == nil {
				ma.defaultValue = s.a.DefaultValue
			}
			for _, d := range s.a.Directives {
				if d.Name == "deprecated" {
					ma.deprecated = d
				}
				if s.sg.fed(d) == "inaccessible" {
					ma.inaccessible = true
					m.usesInaccessible = true
				}
			}
		}
		if len(srcs) != nonExternal {
			if ma.typ.NonNull && ma.defaultValue == nil {
				m.errs = append(m.errs, &Error{Subgraph: srcs[0].sg.name, Coordinate: acoord, Message: "required argument is not defined in every subgraph that resolves the field"})
			}
			continue // arguments shared by all resolving subgraphs only
		}
		mf.args = append(mf.args, ma)
	}
}

func (m *merger) checkReferences() {
	known := func(n string) bool {
		switch n {
		case "String", "Int", "Float", "Boolean", "ID":
			return true
		}
		return m.types[n] != nil
	}
	for _, name := range m.order {
		mt := m.types[name]
		if mt == nil {
			continue
		}
		for _, f := range mt.fields {
			if f.typ != nil && !known(f.typ.Name()) {
				m.errorf(f.sources[0].sg.name, name+"."+f.name, "unknown type %q", f.typ.Name())
			}
			for _, a := range f.args {
				if !known(a.typ.Name()) {
					m.errorf(f.sources[0].sg.name, name+"."+f.name+"("+a.name+":)", "unknown type %q", a.typ.Name())
				}
			}
		}
		for _, mem := range mt.members {
			if t := m.types[mem]; t == nil || t.kind != ast.Object {
				m.errorf("", name, "union member %q is not an object type", mem)
			}
		}
		for _, i := range mt.interfaces {
			if t := m.types[i]; t == nil || t.kind != ast.Interface {
				m.errorf("", name, "implements %q which is not an interface", i)
			}
		}
	}
	if q := m.types["Query"]; q == nil || len(q.fields) == 0 {
		m.errorf("", "Query", "no subgraph defines a query root field")
	}
}

func quoteList(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}

func quote(s string) string { return fmt.Sprintf("%q", s) }
