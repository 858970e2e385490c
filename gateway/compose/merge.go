package compose

import (
	"fmt"
	"sort"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
)

// merger merges validated subgraphs into the supergraph model that print writes.
type merger struct {
	sgs   []*subgraph
	types map[string]*mType
	order []string
	errs  Errors

	// implements and members are the supergraph's subtype relations, from every
	// subgraph, used to merge covariant field types.
	implements map[string]map[string]bool
	members    map[string]map[string]bool
	// inputUse and outputUse mark the enums used as input or output types.
	inputUse, outputUse map[string]bool
	// composed holds the custom directives carried into the supergraph, by name.
	composed map[string]*composedDirective
	// broken names the types left out after an error, so that references to them
	// do not repeat it.
	broken map[string]bool

	usesInaccessible, usesTag, usesLabel bool
	// usesContext: some type sets a context (@context), which needs join v0.5
	// and the context spec (context.go).
	usesContext bool
	// usesCost: some element has @cost or @listSize (cost.go).
	usesCost bool
	// auth records the authorization specs the supergraph uses (authz.go).
	auth authUse
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
	auth         authReq
	other        ast.DirectiveList
	custom       ast.DirectiveList
	// contexts are the supergraph names of the contexts the type sets,
	// "<Subgraph>__<name>" (context.go).
	contexts []string
}

type typeSource struct {
	sg *subgraph
	t  *sgType
}

type fieldSource struct {
	sg       *subgraph
	f        *sgField
	typeDiff bool
	// usedOverridden marks a source overridden by another subgraph yet kept because
	// its subgraph selects the field in a @key, @requires or @provides.
	usedOverridden bool
	// overriddenLabel is the label of a progressive override away from this source.
	overriddenLabel string
	dropped         bool
}

type mField struct {
	name, description string
	typ               *ast.Type
	args              []*mArg
	defaultValue      *ast.Value
	sources           []*fieldSource
	needJoin          bool
	// bare fields are added to an interface's implementations for fields that only
	// @interfaceObject subgraphs resolve; they print a bare @join__field.
	bare         bool
	inaccessible bool
	tags         []string
	auth         authReq
	deprecated   *ast.Directive
	custom       ast.DirectiveList
}

type mArg struct {
	name, description string
	typ               *ast.Type
	defaultValue      *ast.Value
	deprecated        *ast.Directive
	inaccessible      bool
	tags              []string
	demand            ast.DirectiveList // @cost (cost.go)
}

type mValue struct {
	name, description string
	sgs               []*subgraph
	inaccessible      bool
	tags              []string
	deprecated        *ast.Directive
	custom            ast.DirectiveList
}

func newMerger(sgs []*subgraph) *merger {
	m := &merger{
		sgs: sgs, types: map[string]*mType{},
		implements: map[string]map[string]bool{}, members: map[string]map[string]bool{},
		inputUse: map[string]bool{}, outputUse: map[string]bool{},
		composed: map[string]*composedDirective{}, broken: map[string]bool{},
	}
	used := map[string]bool{}
	for _, sg := range sgs {
		enum := enumName(sg.name)
		base := enum
		for n := 2; used[enum]; n++ {
			enum = fmt.Sprintf("%s_%d", base, n)
		}
		used[enum] = true
		sg.enum = enum
		// Every subgraph has a Query root for _entities and _service.
		if sg.types["Query"] == nil {
			sg.types["Query"] = &sgType{name: "Query", kind: ast.Object, defined: true}
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

func (m *merger) fail(code, coord string, subgraphs []string, format string, args ...any) {
	m.errs = append(m.errs, newError(code, coord, subgraphs, format, args...))
}

func (m *merger) merge() {
	names := map[string]bool{}
	for _, sg := range m.sgs {
		for _, n := range sg.order {
			names[n] = true
		}
		m.collectRelations(sg)
	}
	for n := range names {
		m.order = append(m.order, n)
	}
	sort.Strings(m.order)
	for _, name := range m.order {
		m.mergeType(name)
	}
	m.mergeInterfaces()
	m.propagateAuth()
	m.checkReferences()
	m.checkInaccessible()
	m.mergeComposedDirectives()
}

// collectRelations records the subtype relations and enum usage of one subgraph.
func (m *merger) collectRelations(sg *subgraph) {
	set := func(mm map[string]map[string]bool, a, b string) {
		if mm[a] == nil {
			mm[a] = map[string]bool{}
		}
		mm[a][b] = true
	}
	for _, name := range sg.order {
		t := sg.types[name]
		for _, i := range t.interfaces {
			set(m.implements, name, i)
		}
		for _, mem := range t.members {
			set(m.members, name, mem)
		}
		for _, f := range t.fields {
			if t.kind == ast.InputObject {
				m.inputUse[f.typ.Name()] = true
				continue
			}
			m.outputUse[f.typ.Name()] = true
			for _, a := range f.args {
				m.inputUse[a.Type.Name()] = true
			}
		}
	}
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
		mt.auth = mt.auth.and(p.t.auth)
		mt.interfaces = appendNew(mt.interfaces, p.t.interfaces...)
		mt.members = appendNew(mt.members, p.t.members...)
		if len(mt.other) == 0 {
			mt.other = p.t.other
		}
		mt.custom = appendDirectives(mt.custom, p.t.custom)
		for _, c := range p.t.contexts {
			mt.contexts = appendNew(mt.contexts, p.sg.name+"__"+c)
			m.usesContext = true
		}
	}
	mt.custom = append(mt.custom, m.typeDemand(mt)...)
	if len(kinds) > 1 {
		var parts, all []string
		for k, sgs := range kinds {
			parts = append(parts, fmt.Sprintf("%s in %s", kindName(k), quoteList(sgs)))
			all = append(all, sgs...)
		}
		sort.Strings(parts)
		m.broken[name] = true
		m.fail(CodeTypeKindMismatch, name, all, "type %q has mismatched kind: it is defined as %s", name, strings.Join(parts, ", "))
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
		m.mergeOutputFields(mt)
	case ast.InputObject:
		m.mergeInputFields(mt)
	case ast.Enum:
		m.mergeEnum(mt)
	case ast.Scalar:
		if isBuiltinScalar(name) {
			return
		}
	}
	m.types[name] = mt
}

func kindName(k ast.DefinitionKind) string {
	switch k {
	case ast.Object:
		return "object type"
	case ast.Interface:
		return "interface type"
	case ast.Union:
		return "union type"
	case ast.Enum:
		return "enum type"
	case ast.InputObject:
		return "input object type"
	case ast.Scalar:
		return "scalar type"
	}
	return string(k)
}

// appendDirectives adds the directives of src not yet in dst (equal by their text).
func appendDirectives(dst, src ast.DirectiveList) ast.DirectiveList {
	for _, d := range src {
		s := directiveString(d)
		found := false
		for _, e := range dst {
			if directiveString(e) == s {
				found = true
			}
		}
		if !found {
			dst = append(dst, d)
		}
	}
	return dst
}

// collectFields groups the fields of a type's subgraph definitions by name, in order
// of first appearance.
func collectFields(mt *mType) []*mField {
	var out []*mField
	byName := map[string]*mField{}
	for _, p := range mt.per {
		for _, f := range p.t.fields {
			mf := byName[f.name]
			if mf == nil {
				mf = &mField{name: f.name}
				byName[f.name] = mf
				out = append(out, mf)
			}
			mf.sources = append(mf.sources, &fieldSource{sg: p.sg, f: f})
		}
	}
	return out
}

func (mf *mField) mergeMetadata(m *merger) {
	for _, s := range mf.sources {
		if mf.description == "" {
			mf.description = s.f.description
		}
		if s.f.inaccessible {
			mf.inaccessible = true
			m.usesInaccessible = true
		}
		mf.tags = appendNew(mf.tags, s.f.tags...)
		mf.auth = mf.auth.and(s.f.auth)
		if len(s.f.tags) > 0 {
			m.usesTag = true
		}
		if mf.deprecated == nil {
			mf.deprecated = s.f.deprecated
		}
		mf.custom = appendDirectives(mf.custom, s.f.custom)
	}
	mf.custom = append(mf.custom, m.fieldDemand(mf)...)
}

func (m *merger) mergeOutputFields(mt *mType) {
	mt.fields = collectFields(mt)
	for _, mf := range mt.fields {
		coord := mt.name + "." + mf.name
		m.applyOverrides(coord, mf)
		mf.mergeMetadata(m)
		var defining, resolving []*fieldSource
		for _, s := range mf.sources {
			if s.f.external {
				defining = append(defining, s)
			} else {
				resolving = append(resolving, s)
			}
		}
		if len(resolving) == 0 {
			m.fail(CodeExternalMissingOnBase, coord, sourceNames(mf.sources), "field %q is marked @external on all the subgraphs in which it is listed (%s)", coord, quoteList(sourceNames(mf.sources)))
			continue
		}
		typ, ok := m.mergeOutputType(coord, resolving)
		if !ok {
			continue
		}
		for _, s := range defining {
			if !m.isSubtype(typ, s.f.typ) && !m.isSubtype(s.f.typ, typ) {
				m.fail(CodeExternalTypeMismatch, coord, []string{s.sg.name}, "type of field %q is incompatible across subgraphs (where marked @external): it has type %q in %s but type %q in %q", coord, typ.String(), quoteList(sourceNames(resolving)), s.f.typ.String(), s.sg.name)
				ok = false
			}
		}
		if !ok {
			continue
		}
		mf.typ = typ
		m.mergeArgs(coord, mf, resolving)
		mf.needJoin = len(mf.sources) != len(mt.per)
		markTypeDiff(mf)
		for _, s := range mf.sources {
			if s.typeDiff || s.f.external || s.f.requires != "" || s.f.provides != "" || s.f.hasOverride || s.usedOverridden || s.overriddenLabel != "" || len(s.f.ctxArgs) > 0 {
				mf.needJoin = true
			}
		}
		if mt.kind == ast.Object {
			m.checkShareable(mt, mf, coord)
		}
	}
}

// applyOverrides applies @override(from:, label:) to a field's sources: without a
// label the overridden source goes (or stays as usedOverridden when its subgraph
// selects the field in a directive); with a label it stays, carrying the label.
func (m *merger) applyOverrides(coord string, mf *mField) {
	by := map[string][]string{} // overridden subgraph -> overriding subgraphs
	for _, s := range mf.sources {
		if !s.f.hasOverride || s.f.override == "" {
			continue
		}
		if s.f.overrideLabel != "" {
			m.usesLabel = true
		}
		by[s.f.override] = append(by[s.f.override], s.sg.name)
		for _, o := range mf.sources {
			if o.sg.name != s.f.override {
				continue
			}
			switch {
			case o.f.hasOverride:
				m.fail(CodeOverrideSourceHasOverride, coord, []string{s.sg.name, o.sg.name}, "field %q on subgraph %q is also marked with directive @override in subgraph %q; only one @override directive is allowed per field", coord, s.sg.name, o.sg.name)
			case s.f.overrideLabel != "":
				o.overriddenLabel = s.f.overrideLabel
			case o.f.external:
				// An external declaration is not a resolver; nothing to take over.
			case o.f.used:
				o.usedOverridden = true
			default:
				o.dropped = true
			}
		}
	}
	for from, tos := range by {
		if len(tos) > 1 {
			m.fail(CodeOverrideSourceHasOverride, coord, tos, "field %q is overridden from subgraph %q by several subgraphs (%s); only one may override it", coord, from, quoteList(tos))
		}
	}
	var kept []*fieldSource
	for _, s := range mf.sources {
		if !s.dropped {
			kept = append(kept, s)
		}
	}
	mf.sources = kept
}

// markTypeDiff records each source's own type on its join__field when the sources
// do not all have the supergraph's type; it reports whether any differs.
func markTypeDiff(mf *mField) bool {
	differs := false
	for _, s := range mf.sources {
		if s.f.typ.String() != mf.typ.String() {
			differs = true
		}
	}
	for _, s := range mf.sources {
		s.typeDiff = differs
	}
	return differs
}

func sourceNames(ss []*fieldSource) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = s.sg.name
	}
	return out
}

// checkShareable enforces that a field resolved by several subgraphs is @shareable
// in each (key fields are; Federation 1 subgraphs share everything).
func (m *merger) checkShareable(mt *mType, mf *mField, coord string) {
	var resolvers []*fieldSource
	for _, s := range mf.sources {
		if (s.f.external && !s.f.provided) || s.usedOverridden || s.overriddenLabel != "" {
			continue
		}
		resolvers = append(resolvers, s)
	}
	if len(resolvers) < 2 || mt.name == "Subscription" {
		return
	}
	var nonShareable []string
	for _, s := range resolvers {
		t := s.sg.types[mt.name]
		if !s.sg.fed2 || s.f.external || s.f.shareable || t.shareable || s.f.keyField || s.f.hasOverride && s.f.overrideLabel != "" {
			continue
		}
		nonShareable = append(nonShareable, s.sg.name)
	}
	if len(nonShareable) > 0 {
		m.fail(CodeInvalidFieldSharing, coord, sourceNames(resolvers), "non-shareable field %q is resolved from multiple subgraphs: it is resolved from subgraphs %s and defined as non-shareable in %s", coord, quoteList(sourceNames(resolvers)), quoteList(nonShareable))
	}
}

// mergeOutputType merges the types of an output field: the same list structure, the
// named type the most general one (an interface or union the others belong to), and
// nullable where any subgraph makes it nullable.
func (m *merger) mergeOutputType(coord string, sources []*fieldSource) (*ast.Type, bool) {
	var super *ast.Type
	for _, s := range sources {
		if super == nil || m.isSubtype(super, s.f.typ) {
			super = s.f.typ
		}
	}
	out := copyType(super)
	for _, s := range sources {
		if !m.isSubtype(s.f.typ, super) {
			m.fail(CodeFieldTypeMismatch, coord, sourceNames(sources), "type of field %q is incompatible across subgraphs: %s", coord, typesIn(sources))
			return nil, false
		}
		mergeNullability(out, s.f.typ, false)
	}
	return out, true
}

func typesIn(sources []*fieldSource) string {
	var parts []string
	for _, s := range sources {
		parts = append(parts, fmt.Sprintf("%s in %q", s.f.typ.String(), s.sg.name))
	}
	return strings.Join(parts, ", ")
}

// isSubtype reports whether a value of type sub may be returned where super is
// declared, ignoring nullability (merged separately).
func (m *merger) isSubtype(sub, super *ast.Type) bool {
	if sub == nil || super == nil {
		return sub == super
	}
	if (sub.Elem == nil) != (super.Elem == nil) {
		return false
	}
	if sub.Elem != nil {
		return m.isSubtype(sub.Elem, super.Elem)
	}
	return m.isSubtypeNamed(sub.NamedType, super.NamedType, 0)
}

func (m *merger) isSubtypeNamed(sub, super string, depth int) bool {
	if sub == super {
		return true
	}
	if depth > 8 {
		return false
	}
	if m.members[super][sub] {
		return true
	}
	for i := range m.implements[sub] {
		if i == super || m.isSubtypeNamed(i, super, depth+1) {
			return true
		}
	}
	return false
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

// mergeNullability makes output types nullable where any source is, input types
// non-null where any source is.
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

func valueString(v *ast.Value) string {
	if v == nil {
		return ""
	}
	return v.String()
}

// mergeArgs keeps the arguments every resolving subgraph defines; a required argument
// missing somewhere is an error.
func (m *merger) mergeArgs(coord string, mf *mField, resolving []*fieldSource) {
	type argSrc struct {
		sg *subgraph
		a  *ast.ArgumentDefinition
	}
	var order []string
	byName := map[string][]argSrc{}
	for _, s := range resolving {
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
		if m.contextualArg(acoord, name, resolving) {
			continue // the router passes it; clients never see it
		}
		var names []string
		for _, s := range srcs {
			names = append(names, s.sg.name)
		}
		ma := &mArg{name: name}
		ok := true
		for i, s := range srcs {
			if ma.typ == nil {
				ma.typ = copyType(s.a.Type)
				ma.defaultValue = s.a.DefaultValue
			} else if !sameShape(ma.typ, s.a.Type) {
				m.fail(CodeFieldArgumentTypeMismatch, acoord, names, "type of argument %q is incompatible across subgraphs: it has type %s in %q but %s in %q", acoord, srcs[0].a.Type.String(), srcs[0].sg.name, s.a.Type.String(), s.sg.name)
				ok = false
				break
			} else {
				mergeNullability(ma.typ, s.a.Type, true)
			}
			if i > 0 && valueString(s.a.DefaultValue) != valueString(srcs[0].a.DefaultValue) {
				m.fail(CodeFieldArgumentDefaultMismatch, acoord, names, "argument %q has incompatible default values across subgraphs: %q in %q and %q in %q", acoord, valueString(srcs[0].a.DefaultValue), srcs[0].sg.name, valueString(s.a.DefaultValue), s.sg.name)
				ok = false
				break
			}
			if ma.description == "" {
				ma.description = s.a.Description
			}
			for _, d := range s.a.Directives {
				switch {
				case d.Name == "deprecated":
					ma.deprecated = d
				case s.sg.fed(d) == "inaccessible":
					ma.inaccessible = true
					m.usesInaccessible = true
				case s.sg.fed(d) == "tag":
					ma.tags = appendNew(ma.tags, dirArg(d, "name"))
					m.usesTag = true
				case s.sg.fed(d) == "cost":
					ma.demand = append(ma.demand, d)
				}
			}
		}
		if !ok {
			continue
		}
		if len(srcs) != len(resolving) {
			if ma.typ.NonNull && ma.defaultValue == nil {
				var missing []string
				for _, s := range resolving {
					if s.f.args.ForName(name) == nil {
						missing = append(missing, s.sg.name)
					}
				}
				m.fail(CodeRequiredArgumentMissing, acoord, append(names, missing...), "argument %q is required in some subgraphs (%s) but does not appear in all subgraphs: it is not defined in %s", acoord, quoteList(names), quoteList(missing))
			}
			continue // only the arguments every resolving subgraph accepts
		}
		ma.demand = m.mergeDemand(ma.demand, func(*ast.Directive) string { return "cost" })
		mf.args = append(mf.args, ma)
	}
}

// mergeInputFields keeps the fields every subgraph defines (input types are merged
// by intersection); a required field missing somewhere is an error.
func (m *merger) mergeInputFields(mt *mType) {
	all := collectFields(mt)
	for _, mf := range all {
		coord := mt.name + "." + mf.name
		mf.mergeMetadata(m)
		names := sourceNames(mf.sources)
		var typ *ast.Type
		ok := true
		for i, s := range mf.sources {
			if typ == nil {
				typ = copyType(s.f.typ)
				mf.defaultValue = s.f.defaultValue
			} else if !sameShape(typ, s.f.typ) {
				m.fail(CodeFieldTypeMismatch, coord, names, "type of field %q is incompatible across subgraphs: %s", coord, typesIn(mf.sources))
				ok = false
				break
			} else {
				mergeNullability(typ, s.f.typ, true)
			}
			if i > 0 && valueString(s.f.defaultValue) != valueString(mf.sources[0].f.defaultValue) {
				m.fail(CodeInputFieldDefaultMismatch, coord, names, "input field %q has incompatible default values across subgraphs: %q in %q and %q in %q", coord, valueString(mf.sources[0].f.defaultValue), mf.sources[0].sg.name, valueString(s.f.defaultValue), s.sg.name)
				ok = false
				break
			}
		}
		if !ok {
			continue
		}
		mf.typ = typ
		mf.needJoin = markTypeDiff(mf)
		if len(mf.sources) != len(mt.per) {
			if typ.NonNull && mf.defaultValue == nil {
				var missing []string
				for _, p := range mt.per {
					if findField(p.t.fields, mf.name) == nil {
						missing = append(missing, p.sg.name)
					}
				}
				m.fail(CodeRequiredInputFieldMissing, coord, append(names, missing...), "input object field %q is required in some subgraphs but does not appear in all subgraphs: it is required in %s but not defined in %s", coord, quoteList(names), quoteList(missing))
			}
			continue
		}
		mt.fields = append(mt.fields, mf)
	}
	if len(mt.fields) == 0 {
		var names []string
		for _, p := range mt.per {
			names = append(names, p.sg.name)
		}
		m.fail(CodeEmptyMergedInputType, mt.name, names, "none of the fields of input object type %q are consistently defined in all the subgraphs defining that type", mt.name)
	}
}

// mergeEnum merges enum values by usage: the union for enums only returned, the
// intersection for enums only accepted as input, and equal sets for enums used both ways.
func (m *merger) mergeEnum(mt *mType) {
	byName := map[string]*mValue{}
	var all []*mValue
	for _, p := range mt.per {
		for _, v := range p.t.values {
			mv := byName[v.name]
			if mv == nil {
				mv = &mValue{name: v.name}
				byName[v.name] = mv
				all = append(all, mv)
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
			mv.custom = appendDirectives(mv.custom, v.custom)
		}
	}
	input, output := m.inputUse[mt.name], m.outputUse[mt.name]
	for _, mv := range all {
		if len(mv.sgs) == len(mt.per) {
			mt.values = append(mt.values, mv)
			continue
		}
		var has, lacks []string
		for _, p := range mt.per {
			if contains(subgraphNames(mv.sgs), p.sg.name) {
				has = append(has, p.sg.name)
			} else {
				lacks = append(lacks, p.sg.name)
			}
		}
		switch {
		case input && output:
			m.fail(CodeEnumValueMismatch, mt.name+"."+mv.name, append(has, lacks...), "enum type %q is used as both input type and output type, but value %q is not defined in all the subgraphs defining %q: %q is defined in %s but not in %s", mt.name, mv.name, mt.name, mv.name, quoteList(has), quoteList(lacks))
		case input:
			// Dropped: an input value some subgraph cannot accept.
		default:
			mt.values = append(mt.values, mv)
		}
	}
	if len(mt.values) == 0 && !(input && output) {
		var names []string
		for _, p := range mt.per {
			names = append(names, p.sg.name)
		}
		m.fail(CodeEmptyMergedEnumType, mt.name, names, "none of the values of enum type %q are defined consistently in all the subgraphs defining that type", mt.name)
	}
}

func subgraphNames(sgs []*subgraph) []string {
	out := make([]string, len(sgs))
	for i, sg := range sgs {
		out[i] = sg.name
	}
	return out
}

func quoteList(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}

func quote(s string) string { return fmt.Sprintf("%q", s) }

func sortStrings(s []string) { sort.Strings(s) }
