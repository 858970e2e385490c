package plan

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/shopgraph/shopgraph/gateway/supergraph"
)

// maxJumpDepth bounds chains of entity jumps so that cyclic keys or requires end in an
// error instead of a stack overflow.
const maxJumpDepth = 32

type fetch struct {
	id       int
	phase    int
	sg       string
	entity   bool
	mutation bool
	// subscription marks the root fetch of a subscription (subscription.go).
	subscription bool
	path         Path
	sel          *fsel
	reqs         *fsel
	deps         map[int]bool
	paths        []Path
	// pathTypes lists, per path (by its string), the types looked up there.
	pathTypes map[string][]string
	merged    bool
	// alts are the conditions under which the fetch is wanted: it runs when
	// any of them holds (each is a conjunction, the conditions of one of its
	// fields; an empty one means always). condsSet is false until the first
	// field arrives.
	alts     []Conditions
	condsSet bool
	// ctx are the contextual variables of an entity fetch (context.go).
	ctx []*ContextArgument
	// deferred is the @defer whose fields the fetch was made for (nil: the
	// first payload's); fetches of different defers are never merged
	// (deferplan.go).
	deferred *Defer
	// trail is the cursor trail (cursor.trail) of the first jump that gave
	// the entity fetch its representations; trailSet once there is one.
	trail    string
	trailSet bool
}

// maxAltConditions bounds the conditions a fetch's alternatives may name in
// all: beyond it they are replaced by what they share, so that the Condition
// tree that expresses them stays small.
const maxAltConditions = 6

// need records that the fetch serves a field wanted under the conditions cs:
// the fetch runs when the conditions of any of its fields hold.
func (f *fetch) need(cs Conditions) {
	if !f.condsSet {
		f.alts, f.condsSet = []Conditions{cs}, true
		return
	}
	f.alts = addAlt(f.alts, cs)
}

// addAlt adds the conjunction cs to the disjunction alts, keeping only the
// weakest terms (a term that another implies adds nothing), and falls back to
// the one term all share when they name more than maxAltConditions conditions.
func addAlt(alts []Conditions, cs Conditions) []Conditions {
	var out []Conditions
	for _, a := range alts {
		if len(a.intersect(cs)) == len(a) {
			return alts // a is weaker than cs: cs changes nothing
		}
		if len(cs.intersect(a)) != len(cs) {
			out = append(out, a) // keep a unless cs is weaker
		}
	}
	out = append(out, cs)
	n := 0
	for _, a := range out {
		n += len(a)
	}
	if n <= maxAltConditions {
		return out
	}
	common := out[0]
	for _, a := range out[1:] {
		common = common.intersect(a)
	}
	return []Conditions{common}
}

type builder struct {
	g      *supergraph.Graph
	op     *Operation
	labels func(string) bool
	// splitDepth is how many nested list levels one fetch may span before the
	// planner splits it at an entity boundary (see split.go); 0 never splits.
	splitDepth int
	fetches    []*fetch
	entity     map[string]*fetch
	phase      int
	// entering marks the jumps whose keys are being planned, so that a key
	// that needs the same jump again is refused, not recursed.
	entering map[jumpKey]bool
	// requiring marks the @requires being planned (via "Type.field"), so
	// that a requirement that needs its own field is refused, not recursed.
	requiring map[jumpKey]bool
	// contexts is set when the supergraph has contextual arguments: cursors
	// then keep the positions above them (context.go).
	contexts bool
	// deferring is the @defer the fetches made now are for (deferplan.go).
	deferring *Defer
}

type cursor struct {
	f         *fetch
	sg        string
	sel       *fsel
	typ       string
	path      Path
	provided  ast.SelectionSet
	satisfied map[string]bool
	depth     int
	// client holds the client's selections at this object position; fields the
	// planner adds (keys, requires) are aliased when a client field uses their name.
	client []Selection
	// conds are the @skip/@include conditions on the path to this position.
	conds Conditions
	// lists counts the list levels between the fetch's root and this position.
	lists int
	// anchor is where other subgraphs can be entered for fields of value
	// types this subgraph does not resolve (nil: nowhere).
	anchor *anchor
	// up are the positions above on the operation's path, nearest first,
	// where contextual arguments find their contexts (context.go).
	up *ancestor
	// trail names the types of the objects above on the path, as the
	// selections chose them (".Query.Alpha.Item"): positions with one path
	// and different trails may hold different objects (a field of an
	// interface selected under fragments on it and on one implementation).
	trail string
}

type idSet map[int]bool

func (s idSet) add(o idSet) {
	for k := range o {
		s[k] = true
	}
}

func build(g *supergraph.Graph, op *Operation, labels func(string) bool, splitDepth int) (*Plan, error) {
	if labels == nil {
		labels = func(string) bool { return false }
	}
	b := &builder{g: g, op: op, labels: labels, splitDepth: splitDepth, entity: map[string]*fetch{}, entering: map[jumpKey]bool{}, requiring: map[jumpKey]bool{}, contexts: g.HasContexts()}
	aliasTypeConflicts(g, op.Selections)
	aliasConditionConflicts(op.Selections, op.Kind == ast.Mutation)
	groupResponseKeys(op.Selections)
	if err := b.planRoot(); err != nil {
		return nil, err
	}
	p := b.finish()
	if err := acyclic(p.Root); err != nil {
		return nil, err
	}
	return p, nil
}

func (b *builder) newFetch(sg string, entity bool) *fetch {
	f := &fetch{id: len(b.fetches), phase: b.phase, sg: sg, entity: entity, sel: &fsel{}, deps: idSet{}, deferred: b.deferring}
	if entity {
		f.reqs = &fsel{}
	}
	b.fetches = append(b.fetches, f)
	return f
}

// resolvable reports whether subgraph sg resolves field f, with progressive
// @override decided by the planner's enabled labels: the overriding definition
// counts while its label is on, the overridden one while it is off.
func (b *builder) resolvable(f *supergraph.Field, sg string) bool {
	if f == nil {
		return false
	}
	s := f.Sources[sg]
	if s == nil || s.External {
		return false
	}
	if s.OverrideLabel != "" {
		on := b.labels(s.OverrideLabel)
		if s.Override != "" {
			return on
		}
		return !on
	}
	return !s.UsedOverridden
}

// resolvers lists the subgraphs that resolve f, sorted.
func (b *builder) resolvers(f *supergraph.Field) []string {
	if f == nil {
		return nil
	}
	var out []string
	for _, n := range f.SourceNames {
		if b.resolvable(f, n) {
			out = append(out, n)
		}
	}
	return out
}

func (b *builder) planRoot() error {
	var fields []*Field
	for _, s := range b.op.Selections {
		f, ok := s.(*Field)
		if !ok {
			return fmt.Errorf("unexpected fragment on root type %s", b.op.RootType)
		}
		switch f.Name {
		case "__typename", "__schema", "__type":
			continue // answered by the router from the API schema
		}
		fields = append(fields, f)
	}
	root := b.g.Type(b.op.RootType)
	if root == nil {
		return fmt.Errorf("supergraph has no type %s", b.op.RootType)
	}
	resolvers := func(f *Field) []string { return b.resolvers(root.Fields[f.Name]) }
	if b.op.Kind == ast.Mutation {
		return b.planMutation(root, fields, resolvers)
	}
	if b.op.Kind == ast.Subscription {
		return b.planSubscription(root, fields, resolvers)
	}
	primary, deferred := splitRootDefers(fields)
	if err := b.planRootFields(root, primary, resolvers); err != nil {
		return err
	}
	for _, g := range deferred {
		outer := b.deferring
		b.deferring = g.d
		err := b.planRootFields(root, g.fields, resolvers)
		b.deferring = outer
		if err != nil {
			return err
		}
	}
	return nil
}

// planRootFields plans root fields of a query into root fetches.
func (b *builder) planRootFields(root *supergraph.Type, fields []*Field, resolvers func(*Field) []string) error {
	remaining := fields
	for len(remaining) > 0 {
		// Each subgraph scores the root fields it resolves, weighted by how much
		// of their selections it resolves itself: a shared root field goes to
		// the subgraph that answers most of it without further fetches.
		counts := map[string]int{}
		for _, f := range remaining {
			for _, r := range resolvers(f) {
				counts[r] += 1 + b.coverage(f.Type.Name(), f.Selections, r, 0)
			}
		}
		best := ""
		for sg, n := range counts {
			if best == "" || n > counts[best] || (n == counts[best] && sg < best) {
				best = sg
			}
		}
		if best == "" {
			return fmt.Errorf("no subgraph resolves %s.%s", b.op.RootType, remaining[0].Name)
		}
		var group []Selection
		var rest []*Field
		for _, f := range remaining {
			if contains(resolvers(f), best) {
				group = append(group, f)
			} else {
				rest = append(rest, f)
			}
		}
		rf := b.newFetch(best, false)
		if _, err := b.planSelections(cursor{f: rf, sg: best, sel: rf.sel, typ: root.Name, client: b.op.Selections, anchor: &anchor{root: true}}, group); err != nil {
			return err
		}
		remaining = rest
	}
	return nil
}

// coverage counts the fields in sels, at type typ, that subgraph sg resolves
// itself, following only such fields and looking at most maxSplitLookahead
// levels deep.
func (b *builder) coverage(typ string, sels []Selection, sg string, depth int) int {
	t := b.g.Type(typ)
	if t == nil || depth >= maxSplitLookahead {
		return 0
	}
	n := 0
	for _, s := range sels {
		switch s := s.(type) {
		case *Field:
			if s.Name == "__typename" || !b.resolvable(t.Fields[s.Name], sg) {
				continue
			}
			n += 1 + b.coverage(s.Type.Name(), s.Selections, sg, depth+1)
		case *Fragment:
			n += b.coverage(s.TypeCondition, s.Selections, sg, depth+1)
		}
	}
	return n
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// providedField finds name in a @provides selection that applies at type typ.
func (b *builder) providedField(provided ast.SelectionSet, typ, name string) (*ast.Field, bool) {
	for _, s := range provided {
		switch s := s.(type) {
		case *ast.Field:
			if s.Name == name {
				return s, true
			}
		case *ast.InlineFragment:
			if b.typeMatches(s.TypeCondition, typ) {
				if f, ok := b.providedField(s.SelectionSet, typ, name); ok {
					return f, true
				}
			}
		}
	}
	return nil, false
}

// typeMatches reports whether a fragment on cond applies to objects of type typ.
func (b *builder) typeMatches(cond, typ string) bool {
	if cond == "" || cond == typ {
		return true
	}
	ct := b.g.Type(cond)
	return ct != nil && contains(ct.PossibleTypes, typ)
}

// local reports whether the cursor's subgraph resolves the field where it stands.
func (b *builder) local(c cursor, name string) bool {
	if name == "__typename" {
		return true
	}
	if _, ok := b.providedField(c.provided, c.typ, name); ok {
		return true
	}
	t := b.g.Type(c.typ)
	if t == nil {
		return false
	}
	f := t.Fields[name]
	if !b.resolvable(f, c.sg) {
		return false
	}
	if b.contexts && contextual(f, c.sg) && !c.satisfied[name] {
		// Always through _entities, with the context's value (context.go).
		return false
	}
	if t.Kind == ast.Interface && !b.implementationsResolve(t, name, c.sg) {
		return false
	}
	return f.Sources[c.sg].Requires == nil || c.satisfied[name]
}

// implementationsResolve reports whether every implementation of the
// interface t that subgraph sg may return resolves the field name there too:
// an implementation's field moved elsewhere (@override) or needing @requires
// must be asked per concrete type.
func (b *builder) implementationsResolve(t *supergraph.Type, name, sg string) bool {
	for _, p := range t.PossibleTypesIn(sg) {
		pt := b.g.Type(p)
		if pt == nil {
			continue
		}
		pf := pt.Fields[name]
		if pf == nil {
			continue
		}
		if !b.resolvable(pf, sg) || pf.Sources[sg].Requires != nil {
			return false
		}
	}
	return true
}

// interfaceObject reports whether sg models the interface t as an @interfaceObject.
func interfaceObject(t *supergraph.Type, sg string) bool {
	ts := t.Subgraphs[sg]
	return t.Kind == ast.Interface && ts != nil && ts.InterfaceObject
}

func listDepth(t *ast.Type) int {
	n := 0
	for ; t != nil && t.Elem != nil; t = t.Elem {
		n++
	}
	return n
}

func childPath(p Path, key string, t *ast.Type) Path {
	out := make(Path, 0, len(p)+1+listDepth(t))
	out = append(out, p...)
	out = append(out, key)
	for i := 0; i < listDepth(t); i++ {
		out = append(out, "@")
	}
	return out
}

// planSelections plans sels at the cursor and returns the fetches that contribute.
func (b *builder) planSelections(c cursor, sels []Selection) (idSet, error) {
	if c.depth > maxJumpDepth {
		return nil, fmt.Errorf("planning %s at %q: too many entity jumps (cyclic keys or requires?)", c.typ, c.path.String())
	}
	deps := idSet{c.f.id: true}
	t := b.g.Type(c.typ)
	if t == nil {
		return nil, fmt.Errorf("type %s is not in the supergraph", c.typ)
	}
	// An @interfaceObject subgraph knows neither the concrete types nor their
	// names: __typename and type conditions come from a subgraph that does.
	ifaceObj := interfaceObject(t, c.sg)
	var remote []*Field
	var deferredFields []deferredGroup
	var fragments []*Fragment
	var concrete []Selection
	for _, s := range sels {
		switch s := s.(type) {
		case *Fragment:
			if ifaceObj && s.TypeCondition != t.Name {
				concrete = append(concrete, s)
				continue
			}
			fragments = append(fragments, s)
		case *Field:
			if s.Name == "__typename" {
				if ifaceObj {
					concrete = append(concrete, s)
					continue
				}
				if len(c.path) > 0 || c.f.entity {
					c.sel.field("__typename", "__typename", nil, false)
					c.f.need(c.conds.and(s.Conditions))
				}
				continue
			}
			if t.Kind == ast.Interface && !ifaceObj && b.deferrable(c, s) {
				// Deferred fields of an interface get fetches of their own per
				// implementation (splitDefer at each), where it has a key.
				if pts := t.PossibleTypesIn(c.sg); len(pts) > 0 {
					for _, p := range pts {
						fragments = append(fragments, &Fragment{TypeCondition: p, Selections: []Selection{s}})
					}
					continue
				}
			}
			if d := b.splitDefer(c, t, s); d != nil {
				deferredFields = addDeferred(deferredFields, d, s)
				continue
			}
			if b.local(c, s.Name) {
				d, err := b.planLocal(c, t, s)
				if err != nil {
					return nil, err
				}
				deps.add(d)
				continue
			}
			if (t.Kind == ast.Interface || t.Kind == ast.Union) && !b.interfaceTarget(t, s.Name, c.sg) {
				// The subgraph cannot answer the field for the interface as a whole:
				// ask per concrete type, each of which may be an entity elsewhere.
				for _, p := range t.PossibleTypesIn(c.sg) {
					fragments = append(fragments, &Fragment{TypeCondition: p, Selections: []Selection{s}})
				}
				continue
			}
			remote = append(remote, s)
		}
	}
	for _, fr := range fragments {
		for _, cond := range b.objectConditions(t, b.fragmentTypes(t, fr.TypeCondition, c.sg), c.sg) {
			child := c
			child.typ = cond
			child.sel = c.sel.fragment(cond)
			if ft := b.g.Type(cond); t.Kind == ast.Object && ft != nil && ft.Kind != ast.Object {
				// A fragment on an interface (or union) of the object: its
				// objects are still of the object's type, whose selection
				// it joins. Planned as the interface, jumps from it would
				// take others' objects (an @interfaceObject's
				// representations are per type, see jump), and keys
				// would be asked of an interface that lacks them.
				child.typ, child.sel = t.Name, c.sel
			}
			child.satisfied = nil
			step := fr
			if cond != fr.TypeCondition {
				step = &Fragment{TypeCondition: cond, Selections: fr.Selections}
			}
			child.anchor = b.entityAnchor(c.anchor, child, step)
			d, err := b.planSelections(child, fr.Selections)
			if err != nil {
				return nil, err
			}
			deps.add(d)
		}
	}
	// Fields no subgraph resolves by key from here (the object is a value
	// type) are fetched by entering another subgraph higher up.
	var orphans []*Field
	keyed := remote[:0]
	for _, f := range remote {
		if len(b.candidates(c, t, f.Name)) == 0 && c.anchor != nil && len(c.anchor.steps) > 0 {
			orphans = append(orphans, f)
		} else {
			keyed = append(keyed, f)
		}
	}
	remote = keyed
	if len(orphans) > 0 {
		d, err := b.reenter(c, t, orphans)
		if err != nil {
			return nil, err
		}
		deps.add(d)
	}
	d, err := b.jumpAll(c, t, remote)
	if err != nil {
		return nil, err
	}
	deps.add(d)
	for _, g := range deferredFields {
		d, err := b.planDeferred(c, t, g)
		if err != nil {
			return nil, err
		}
		deps.add(d)
	}
	if len(concrete) > 0 {
		target := b.concreteTarget(c, t)
		if target == "" {
			return nil, fmt.Errorf("cannot resolve the concrete type of %s from subgraph %q: no subgraph with a resolvable @key on the interface", t.Name, c.sg)
		}
		// The object's __typename so far is the interface's: the fetch that
		// knows the concrete type must say it, or no type condition matches.
		concrete = append(concrete, &Field{Key: "__typename", Name: "__typename", Parent: t.Name, Type: ast.NonNullNamedType("String", nil)})
		d, err := b.jump(c, t, target, concrete)
		if err != nil {
			return nil, err
		}
		deps.add(d)
	}
	return deps, nil
}

// jumpAll plans the fields remote at c in other subgraphs (or the same one,
// by key), choosing the way in that takes the most of them each time.
func (b *builder) jumpAll(c cursor, t *supergraph.Type, remote []*Field) (idSet, error) {
	deps := idSet{}
	for len(remote) > 0 {
		target, via, err := b.chooseTarget(c, t, remote)
		if err != nil {
			return nil, err
		}
		var group []Selection
		var rest []*Field
		for _, f := range remote {
			if b.resolvable(via.Fields[f.Name], target) {
				group = append(group, f)
			} else {
				rest = append(rest, f)
			}
		}
		if len(group) == 0 {
			return nil, fmt.Errorf("cannot plan %s.%s at %q: the subgraph chosen for it does not resolve it", c.typ, remote[0].Name, c.path.String())
		}
		d, err := b.jump(c, via, target, group)
		if err != nil {
			return nil, err
		}
		deps.add(d)
		remote = rest
	}
	return deps, nil
}

// fragmentTypes returns the type conditions to plan a client fragment on cond
// under in subgraph sg where the parent type is t: cond itself when the
// subgraph knows it with every relevant member, the concrete types it applies
// to when the subgraph does not know cond or knows fewer of its members (an
// interface only other subgraphs define, an implementation declared
// elsewhere), and none when the subgraph never returns objects it applies to.
func (b *builder) fragmentTypes(t *supergraph.Type, cond, sg string) []string {
	ft := b.g.Type(cond)
	if ft == nil {
		return nil
	}
	if cond == t.Name {
		if ft.In(sg) {
			return []string{cond}
		}
		return nil
	}
	abstract := t.Kind == ast.Interface || t.Kind == ast.Union
	if abstract && interfaceObject(t, sg) {
		return nil
	}
	var runtime []string
	switch {
	case abstract:
		runtime = t.PossibleTypesIn(sg)
	case t.In(sg):
		runtime = []string{t.Name}
	}
	var applies []string
	if ft.Kind == ast.Interface || ft.Kind == ast.Union {
		for _, p := range runtime {
			if contains(ft.PossibleTypes, p) {
				applies = append(applies, p)
			}
		}
	} else if contains(runtime, cond) {
		applies = []string{cond}
	}
	if len(applies) == 0 {
		return nil
	}
	if !ft.In(sg) {
		return applies
	}
	if ft.Kind == ast.Interface || ft.Kind == ast.Union {
		known := ft.PossibleTypesIn(sg)
		for _, p := range applies {
			if !contains(known, p) {
				return applies
			}
		}
	}
	return []string{cond}
}

// objectConditions replaces, among the type conditions conds planned under
// the abstract type t in subgraph sg, another interface that a subgraph
// models as an @interfaceObject by its implementations t's objects may be
// here. A cursor on the interface would stand for all of its objects at the
// path, and a jump from it would share its fetch and representations with
// jumps for objects the fragment does not select (jump keeps the
// implementations' jumps into an @interfaceObject apart); under an object
// type, planSelections keeps the object's type instead.
func (b *builder) objectConditions(t *supergraph.Type, conds []string, sg string) []string {
	if t.Kind == ast.Object {
		return conds
	}
	var out []string
	for _, cond := range conds {
		ct := b.g.Type(cond)
		if cond == t.Name || ct == nil || ct.Kind != ast.Interface || !ct.HasInterfaceObject() {
			out = append(out, cond)
			continue
		}
		for _, p := range t.PossibleTypesIn(sg) {
			if contains(ct.PossibleTypes, p) && !contains(out, p) {
				out = append(out, p)
			}
		}
	}
	return out
}

// interfaceTarget reports whether some other subgraph resolves the field on the
// interface t itself and can be entered through a key of t (an entity interface or
// an @interfaceObject).
func (b *builder) interfaceTarget(t *supergraph.Type, name, from string) bool {
	if t.Kind != ast.Interface {
		return false
	}
	for _, r := range b.resolvers(t.Fields[name]) {
		if len(t.ResolvableKeys(r)) > 0 && (r != from || t.Fields[name].Sources[r].Requires != nil) {
			return true
		}
	}
	return false
}

// concreteTarget picks a subgraph that knows the implementations of the interface
// t and can be entered through one of its keys, preferring one whose key the
// cursor's subgraph holds.
func (b *builder) concreteTarget(c cursor, t *supergraph.Type) string {
	best := ""
	for _, sg := range t.SubgraphNames {
		if sg == c.sg || interfaceObject(t, sg) || len(t.ResolvableKeys(sg)) == 0 {
			continue
		}
		if b.directKey(c, t, sg) != nil {
			return sg
		}
		if best == "" {
			best = sg
		}
	}
	return best
}

func (b *builder) planLocal(c cursor, t *supergraph.Type, s *Field) (idSet, error) {
	key := s.DataKeyOrKey()
	if c.sel.conflict(key, s.Name, s.Arguments) {
		if !s.internal {
			// Two client selections the normaliser should have merged.
			return nil, fmt.Errorf("internal planning error: response key %q at %q is used by two different fields", key, c.path.String())
		}
		// A key or required field whose name the fetch already uses for
		// another field (a client alias planned here before): the
		// representation reads it from its own alias.
		s.Key = internalAlias(s.Name, s.Arguments)
		key = s.DataKeyOrKey()
		if c.sel.conflict(key, s.Name, s.Arguments) {
			return nil, fmt.Errorf("internal planning error: response key %q at %q is used by two different fields", key, c.path.String())
		}
	}
	conds := c.conds.and(s.Conditions)
	c.f.need(conds)
	// A field of an object, interface or union type whose selections were
	// all skipped or never match still needs a selection in the subgraph
	// operation (fsel writes {__typename} for an empty one).
	composite := len(s.Selections) > 0
	if ct := b.g.Type(s.Type.Name()); ct != nil && (ct.Kind == ast.Object || ct.Kind == ast.Interface || ct.Kind == ast.Union) {
		composite = true
	}
	item := c.sel.fieldIf(key, s.Name, s.Arguments, composite, s.Conditions)
	if len(s.Selections) == 0 {
		return idSet{c.f.id: true}, nil
	}
	if ct := b.g.Type(s.Type.Name()); ct != nil && (ct.Kind == ast.Interface || ct.Kind == ast.Union) {
		// Shaping decides type conditions by __typename, so abstract values carry it.
		item.sub.field("__typename", "__typename", nil, false)
	}
	typ := b.subgraphType(t, s, c.sg)
	client := s.Selections
	if s.group != nil {
		client = s.group
	}
	child := cursor{f: c.f, sg: c.sg, sel: item.sub, typ: typ, path: childPath(c.path, key, s.Type), depth: c.depth, client: client, conds: conds, lists: c.lists + listDepth(s.Type), trail: c.trail + "." + c.typ}
	if b.contexts {
		child.up = &ancestor{c: c, next: c.up}
	}
	if pf, ok := b.providedField(c.provided, c.typ, s.Name); ok {
		child.provided = pf.SelectionSet
	} else if sf := t.Fields[s.Name]; sf != nil && sf.Sources[c.sg] != nil {
		child.provided = sf.Sources[c.sg].Provides
	}
	child.anchor = b.entityAnchor(c.anchor, child, s)
	if typ != s.Type.Name() && child.anchor != nil && child.anchor.steps != nil {
		// Re-entering another subgraph, where the field has the supergraph's
		// type, must narrow to the type this subgraph returns.
		child.anchor = child.anchor.down(&Fragment{TypeCondition: typ})
	}
	if deferred, rest, ok := b.splitAt(child, s); ok {
		deps, err := b.planSelections(child, rest)
		if err != nil {
			return nil, err
		}
		d, err := b.jump(child, b.g.Type(child.typ), c.sg, deferred)
		if err != nil {
			return nil, err
		}
		deps.add(d)
		return deps, nil
	}
	return b.planSelections(child, s.Selections)
}

// subgraphType returns the named type field s has in subgraph sg: the
// supergraph's, unless the subgraph declares another (join__field(type:)),
// such as the one implementation it returns where the supergraph has an
// interface. Planning below the field then follows the subgraph's schema.
func (b *builder) subgraphType(t *supergraph.Type, s *Field, sg string) string {
	name := s.Type.Name()
	sf := t.Fields[s.Name]
	if sf == nil || sf.Sources[sg] == nil || sf.Sources[sg].Type == "" {
		return name
	}
	n := strings.Trim(sf.Sources[sg].Type, "[]!")
	if i := strings.IndexAny(n, "[]!"); i >= 0 {
		n = n[:i]
	}
	if n == name || b.g.Type(n) == nil {
		return name
	}
	return n
}

// candidate is a way to resolve remote fields: an entity fetch on target for
// objects seen as type via (the object type itself, or an interface of it).
type candidate struct {
	target string
	via    *supergraph.Type
}

// candidates lists the ways the field name can be resolved from the cursor.
func (b *builder) candidates(c cursor, t *supergraph.Type, name string) []candidate {
	var out []candidate
	for _, r := range b.resolvers(t.Fields[name]) {
		if len(t.ResolvableKeys(r)) > 0 {
			out = append(out, candidate{r, t})
		}
	}
	if len(out) > 0 || t.Kind != ast.Object {
		return out
	}
	// A field an @interfaceObject adds to every implementation of its interface.
	for _, idef := range b.g.API().Implements[t.Name] {
		it := b.g.Type(idef.Name)
		if it == nil {
			continue
		}
		for _, r := range b.resolvers(it.Fields[name]) {
			if len(it.ResolvableKeys(r)) > 0 {
				out = append(out, candidate{r, it})
			}
		}
	}
	return out
}

// chooseTarget picks the way in that takes the most of the remaining fields.
func (b *builder) chooseTarget(c cursor, t *supergraph.Type, remote []*Field) (string, *supergraph.Type, error) {
	type score struct {
		cand   candidate
		n      int
		direct bool
		hops   int
	}
	var scores []*score
	for _, f := range remote {
		for _, cand := range b.candidates(c, t, f.Name) {
			if b.entering[jumpKey{cand.via.Name, cand.target, c.path.String()}] {
				continue // its key is being planned: entering again would loop
			}
			var s *score
			for _, x := range scores {
				if x.cand.target == cand.target && x.cand.via == cand.via {
					s = x
				}
			}
			if s == nil {
				s = &score{cand: cand, direct: b.directKey(c, cand.via, cand.target) != nil}
				if !s.direct {
					k, hops := b.reachableKeyOn(c.sg, t, cand.via, cand.target, b.visitedAt(c))
					if k == nil {
						continue // no key of the target can be obtained from here
					}
					s.hops = hops
				}
				scores = append(scores, s)
			}
			s.n++
		}
	}
	var best *score
	for _, s := range scores {
		switch {
		case best == nil, s.n > best.n:
			best = s
		case s.n < best.n:
		case s.direct != best.direct:
			if s.direct {
				best = s
			}
		case s.hops != best.hops:
			if s.hops < best.hops {
				best = s
			}
		case s.cand.via == t && best.cand.via != t:
			best = s
		case s.cand.via == best.cand.via && s.cand.target < best.cand.target:
			best = s
		}
	}
	if best == nil {
		return "", nil, fmt.Errorf("cannot plan %s.%s from subgraph %q: no subgraph that resolves it can be entered through a resolvable @key", c.typ, remote[0].Name, c.sg)
	}
	return best.cand.target, best.cand.via, nil
}

// visitedAt returns the subgraphs a reachability search from c must avoid:
// those whose jumps for objects at c's position are being planned.
func (b *builder) visitedAt(c cursor) map[string]bool {
	v := map[string]bool{}
	path := c.path.String()
	for k := range b.entering {
		if k.path == path {
			v[k.target] = true
		}
	}
	return v
}

func (b *builder) directKey(c cursor, t *supergraph.Type, target string) *supergraph.Key {
	for _, k := range t.ResolvableKeys(target) {
		if b.allLocal(c, k.Selection) {
			return k
		}
	}
	return nil
}

func (b *builder) allLocal(c cursor, sel ast.SelectionSet) bool {
	for _, s := range sel {
		switch s := s.(type) {
		case *ast.Field:
			if !b.local(c, s.Name) {
				return false
			}
			if len(s.SelectionSet) > 0 {
				t := b.g.Type(c.typ)
				if t == nil || t.Fields[s.Name] == nil {
					return false
				}
				child := cursor{sg: c.sg, typ: t.Fields[s.Name].Type.Name()}
				if pf, ok := b.providedField(c.provided, c.typ, s.Name); ok {
					child.provided = pf.SelectionSet
				}
				if !b.allLocal(child, s.SelectionSet) {
					return false
				}
			}
		case *ast.InlineFragment:
			child := c
			child.typ = s.TypeCondition
			if !b.allLocal(child, s.SelectionSet) {
				return false
			}
		}
	}
	return true
}

// jump moves selections to an entity fetch on target for objects seen as type via:
// the current fetch selects __typename and the key (and whatever @requires needs),
// the entity fetch resolves the selections and depends on every fetch that supplied
// its representation.
func (b *builder) jump(c cursor, via *supergraph.Type, target string, sels []Selection) (idSet, error) {
	key := b.directKey(c, via, target)
	if key == nil {
		keys := via.ResolvableKeys(target)
		if len(keys) == 0 {
			return nil, fmt.Errorf("cannot enter subgraph %q for %s: no resolvable @key", target, via.Name)
		}
		on := b.g.Type(c.typ)
		if on == nil || on.Kind != ast.Object {
			on = via
		}
		if key, _ = b.reachableKeyOn(c.sg, on, via, target, b.visitedAt(c)); key == nil {
			key = keys[0]
		}
	}
	mark := jumpKey{via.Name, target, c.path.String()}
	if b.entering[mark] {
		return nil, fmt.Errorf("cannot plan %s at %q: entering subgraph %q needs a key that only entering %q again would give", via.Name, c.path.String(), target, target)
	}
	c.sel.field("__typename", "__typename", nil, false)
	deps := idSet{}
	// The client's fields at this path, also those of other cursors (a
	// requirement planned here knows only its own): a key or required field
	// must not take a response key the client gives another field.
	client := append(c.client[:len(c.client):len(c.client)], b.clientAt(c.path)...)
	keySels, err := b.fieldSetSelections(c.typ, key.Selection, client, false)
	if err != nil {
		return nil, fmt.Errorf("@key(fields: %q) of %s: %w", key.Fields, via.Name, err)
	}
	// Only while its key is planned: a requirement may enter the target
	// again at this path (a chain b -> a -> b), in a fetch of its own that
	// the jump's fetch depends on.
	b.entering[mark] = true
	kd, err := b.planSelections(c, keySels)
	delete(b.entering, mark)
	if err != nil {
		return nil, err
	}
	deps.add(kd)
	// Each field with @requires joins the first group whose representation
	// it can share: a representation holds one value per field name, so two
	// fields requiring the same field with different arguments need
	// representations (and _entities fetches) of their own.
	groups := []*requireGroup{{}}
	satisfied := map[string]bool{}
	var ctxSels []Selection
	for _, s := range sels {
		if b.contexts && contextSource(via, target, s) != nil {
			ctxSels = append(ctxSels, s)
			continue
		}
		f, ok := s.(*Field)
		if !ok || f.Name == "__typename" {
			groups[0].sels = append(groups[0].sels, s)
			continue
		}
		src := via.Fields[f.Name].Sources[target]
		if src == nil || src.Requires == nil {
			groups[0].sels = append(groups[0].sels, s)
			continue
		}
		rs, rd, err := b.planRequirement(c, via, target, f, src, client)
		if err != nil {
			return nil, err
		}
		deps.add(rd)
		satisfied[f.Name] = true
		groups = joinRequireGroup(groups, s, rs)
	}
	out := idSet{}
	if len(ctxSels) > 0 {
		d, err := b.jumpContextual(c, via, target, ctxSels, keySels, deps)
		if err != nil {
			return nil, err
		}
		out.add(d)
	}
	// An @interfaceObject subgraph answers every representation as the
	// interface, so a fetch's selections run on all the objects it looks up:
	// a jump for one implementation (under a type condition) gets fetches
	// and representations of its own, on the implementation (repNodes
	// writes the interface's name). Staging joins them again where they ask
	// the same (overlapping).
	repCond, own := via.Name, ""
	if ct := b.g.Type(c.typ); ct != nil && ct.Kind == ast.Object && c.typ != via.Name && interfaceObject(via, target) {
		repCond, own = c.typ, c.typ
	}
	for i, g := range groups {
		if i > 0 && len(g.sels) == 0 {
			continue
		}
		if i == 0 && len(g.sels) == 0 && len(ctxSels) > 0 {
			continue // every field went to the contextual fetch
		}
		// A fetch planned before at this path (for other fields) is shared
		// only when its representations agree with these: each name of a
		// representation holds one value. Planned for objects reached
		// another way (another trail), it is shared only when the
		// representations are the same: an object that lacks a field of
		// the representation is not looked up, and the objects of one
		// trail lack what only the other's selections fetched.
		ef := b.entityFetchOf(target, c.path, deps, i, own)
		for v := len(groups); !b.repsShared(ef, c.trail, repCond, keySels, g.reqs); v++ {
			ef = b.entityFetchOf(target, c.path, deps, v, own)
		}
		if !ef.trailSet {
			ef.trail, ef.trailSet = c.trail, true
		}
		reqs := ef.reqs.fragment(repCond)
		reqs.field("__typename", "__typename", nil, false)
		addSelections(reqs, keySels, true)
		for _, rs := range g.reqs {
			addSelections(reqs, rs, false)
		}
		child := cursor{f: ef, sg: target, sel: ef.sel.fragment(via.Name), typ: via.Name, path: c.path, satisfied: satisfied, depth: c.depth + 1, client: c.client, conds: c.conds, up: c.up, trail: c.trail}
		child.anchor = &anchor{at: child, via: via}
		d, err := b.planSelections(child, g.sels)
		if err != nil {
			return nil, err
		}
		out.add(d)
		out[ef.id] = true
	}
	return out, nil
}

// planRequirement plans at c the fields that field f's @requires in target
// needs (src is f's source there) and returns them with the fetches that
// supply them; client holds the client's selections at c.
func (b *builder) planRequirement(c cursor, via *supergraph.Type, target string, f *Field, src *supergraph.FieldSource, client []Selection) ([]Selection, idSet, error) {
	rs, err := b.fieldSetSelections(c.typ, src.Requires, client, true)
	if err != nil {
		return nil, nil, fmt.Errorf("@requires(fields: %q) of %s.%s: %w", src.RequiresText, via.Name, f.Name, err)
	}
	aliasAgainst(c.sel, rs)
	req := jumpKey{via.Name + "." + f.Name, target, c.path.String()}
	if b.requiring[req] {
		return nil, nil, fmt.Errorf("cannot plan %s.%s at %q: its @requires(fields: %q) needs the field itself", via.Name, f.Name, c.path.String(), src.RequiresText)
	}
	b.requiring[req] = true
	rd, err := b.planSelections(c, rs)
	delete(b.requiring, req)
	if err != nil {
		return nil, nil, fmt.Errorf("@requires(fields: %q) of %s.%s: %w", src.RequiresText, via.Name, f.Name, err)
	}
	return rs, rd, nil
}

// joinRequireGroup adds s, whose requirement is rs, to the first group whose
// representations can carry rs, or to a new one.
func joinRequireGroup(groups []*requireGroup, s Selection, rs []Selection) []*requireGroup {
	for _, g := range groups {
		if g.accepts(rs) {
			g.add(s, rs)
			return groups
		}
	}
	g := &requireGroup{}
	g.add(s, rs)
	return append(groups, g)
}

// requireGroup is selections that one entity fetch resolves, with the
// selections their @requires put in its representations.
type requireGroup struct {
	sels []Selection
	reqs [][]Selection
	// repKeys maps each representation field, by its path of names, to the
	// response key its value is read from.
	repKeys map[string]string
}

// accepts reports whether rs fits the group's representations: no field name
// in them would take its value from two different response keys.
func (g *requireGroup) accepts(rs []Selection) bool {
	ok := true
	walkRepFields(rs, "", "", func(namePath, keyPath string) {
		if k, seen := g.repKeys[namePath]; seen && k != keyPath {
			ok = false
		}
	})
	return ok
}

func (g *requireGroup) add(s Selection, rs []Selection) {
	if g.repKeys == nil {
		g.repKeys = map[string]string{}
	}
	g.sels = append(g.sels, s)
	g.reqs = append(g.reqs, rs)
	walkRepFields(rs, "", "", func(namePath, keyPath string) { g.repKeys[namePath] = keyPath })
}

// clientAt returns the client's selections at path p, under every fragment.
func (b *builder) clientAt(p Path) []Selection {
	sels := b.op.Selections
	for _, k := range p {
		if k == "@" {
			continue
		}
		var next []Selection
		var walk func([]Selection)
		walk = func(ss []Selection) {
			for _, s := range ss {
				switch s := s.(type) {
				case *Field:
					// Also the fields aliased apart under the same response
					// key (s.DataKey): shaping merges their values.
					if s.DataKeyOrKey() == k || s.Key == k {
						next = append(next, s.Selections...)
					}
				case *Fragment:
					walk(s.Selections)
				}
			}
		}
		walk(sels)
		if len(next) == 0 {
			return nil
		}
		sels = next
	}
	return sels
}

// repsShared reports whether entity fetch ef can take the representations
// of a jump from a cursor with the trail: repsFit, and where ef was planned
// for another trail, the representation of cond stays as it is.
func (b *builder) repsShared(ef *fetch, trail, cond string, keySels []Selection, reqs [][]Selection) bool {
	have := ef.reqs.existingFragment(cond)
	if !repsFit(have, keySels, reqs) {
		return false
	}
	if !ef.trailSet || ef.trail == trail {
		return true
	}
	want := &fsel{}
	want.field("__typename", "__typename", nil, false)
	addSelections(want, keySels, true)
	for _, rs := range reqs {
		addSelections(want, rs, false)
	}
	if have == nil {
		// A fragment of its own: where the fetch already represents
		// objects that may be these too, the same.
		for _, it := range ef.reqs.items {
			if b.typesOverlap(it.cond, cond) && it.sub.String() != want.String() {
				return false
			}
		}
		return true
	}
	return have.String() == want.String()
}

// repsFit reports whether a fetch whose representations already hold have
// (nil: none yet) can carry the key and required selections too: no field
// name of a representation would take its value from two response keys.
func repsFit(have *fsel, keySels []Selection, reqs [][]Selection) bool {
	if have == nil {
		return true
	}
	keysByName := map[string]string{}
	walkRepItems(have, "", "", func(namePath, keyPath string) { keysByName[namePath] = keyPath })
	fit := true
	check := func(namePath, keyPath string) {
		if k, ok := keysByName[namePath]; ok && k != keyPath {
			fit = false
		}
	}
	walkRepFields(keySels, "", "", check)
	for _, rs := range reqs {
		walkRepFields(rs, "", "", check)
	}
	return fit
}

// walkRepItems is walkRepFields over a representation's planned selection.
func walkRepItems(s *fsel, names, keys string, fn func(namePath, keyPath string)) {
	if s == nil {
		return
	}
	for _, it := range s.items {
		if it.cond != "" {
			walkRepItems(it.sub, names+"|"+it.cond, keys+"|"+it.cond, fn)
			continue
		}
		n, k := names+"."+it.name, keys+"."+it.key
		fn(n, k)
		walkRepItems(it.sub, n, k, fn)
	}
}

// walkRepFields calls fn with the path of names a representation gives each
// field of sels, and the path of response keys its value comes from.
func walkRepFields(sels []Selection, names, keys string, fn func(namePath, keyPath string)) {
	for _, s := range sels {
		switch s := s.(type) {
		case *Field:
			n, k := names+"."+s.Name, keys+"."+s.Key
			fn(n, k)
			walkRepFields(s.Selections, n, k, fn)
		case *Fragment:
			walkRepFields(s.Selections, names+"|"+s.TypeCondition, keys+"|"+s.TypeCondition, fn)
		}
	}
}

func (b *builder) entityFetch(sg string, path Path, deps idSet) *fetch {
	return b.entityFetchVariant(sg, path, deps, 0)
}

// entityFetchVariant is entityFetch for one of several fetches that must stay
// apart (variant 0 is entityFetch's own).
func (b *builder) entityFetchVariant(sg string, path Path, deps idSet, variant int) *fetch {
	return b.entityFetchOf(sg, path, deps, variant, "")
}

// entityFetchOf is entityFetchVariant for the objects of one type only, when
// own names it (jumps of one implementation into an @interfaceObject).
func (b *builder) entityFetchOf(sg string, path Path, deps idSet, variant int, own string) *fetch {
	ids := make([]int, 0, len(deps))
	for id := range deps {
		ids = append(ids, id)
	}
	sort.Ints(ids)
	var k strings.Builder
	k.WriteString(sg + "|" + path.String() + "|" + strconv.Itoa(b.phase))
	if b.deferring != nil {
		k.WriteString("|d" + strconv.Itoa(b.deferring.ID))
	}
	if variant > 0 {
		k.WriteString("|v" + strconv.Itoa(variant))
	}
	if own != "" {
		k.WriteString("|t" + own)
	}
	for _, id := range ids {
		k.WriteString("," + strconv.Itoa(id))
	}
	if f := b.entity[k.String()]; f != nil {
		return f
	}
	f := b.newFetch(sg, true)
	f.path = path
	// A copy: the variants of one jump are made from one set, and merging
	// fetches later adds to each one's own (shared, one fetch's new
	// dependencies would become every variant's, even a cycle).
	f.deps = make(map[int]bool, len(deps))
	for id := range deps {
		f.deps[id] = true
	}
	b.entity[k.String()] = f
	return f
}

// addSelections adds planner selections (keys, required fields) to a representation
// shape; isKey marks key fields, whose null value means the object cannot be fetched.
func addSelections(dst *fsel, sels []Selection, isKey bool) {
	for _, s := range sels {
		switch s := s.(type) {
		case *Field:
			it := dst.field(s.Key, s.Name, s.Arguments, len(s.Selections) > 0)
			if isKey {
				it.isKey = true
			}
			if len(s.Selections) > 0 {
				addSelections(it.sub, s.Selections, isKey)
			}
		case *Fragment:
			addSelections(dst.fragment(s.TypeCondition), s.Selections, isKey)
		}
	}
}

// clientSelections returns the subselections of the client's fields with
// response key key at a position, all fragments included. A field with that key
// but another name or arguments in any of them is a conflict, whichever comes
// first: sibling fragments share the subgraph's response key, so the planner's
// field must then be aliased.
func clientSelections(client []Selection, key, name string, args ast.ArgumentList) (sub []Selection, found, conflict bool) {
	var walk func([]Selection)
	walk = func(sels []Selection) {
		for _, s := range sels {
			switch s := s.(type) {
			case *Field:
				if s.Key != key {
					continue
				}
				if s.Name != name || argsString(s.Arguments) != argsString(args) {
					conflict = true
					continue
				}
				if len(s.Conditions) > 0 && len(s.Selections) > 0 {
					// Under @skip/@include: merged with an unconditional
					// planner field it would lose its directive.
					conflict = true
					continue
				}
				found = true
				sub = append(sub, s.Selections...)
			case *Fragment:
				walk(s.Selections)
			}
		}
	}
	walk(client)
	if conflict {
		return nil, false, true
	}
	return sub, found, false
}

// aliasAgainst renames planner fields whose response key the fetch already
// uses for another field or other arguments (two @requires of one field with
// different arguments), so that both can be selected.
func aliasAgainst(dst *fsel, sels []Selection) {
	if dst == nil {
		return
	}
	for _, s := range sels {
		switch s := s.(type) {
		case *Field:
			// A client field under @skip/@include must keep its directive:
			// merged with an unconditional required field it would lose it.
			if dst.conflict(s.Key, s.Name, s.Arguments) || (len(s.Selections) > 0 && dst.conditional(s.Key)) {
				s.Key = internalAlias(s.Name, s.Arguments)
			}
			if len(s.Selections) > 0 {
				aliasAgainst(dst.sub(s.Key), s.Selections)
			}
		case *Fragment:
			aliasAgainst(dst.existingFragment(s.TypeCondition), s.Selections)
		}
	}
}

// internalAlias names a planner field that must not take the client's key.
func internalAlias(name string, args ast.ArgumentList) string {
	if len(args) == 0 {
		return "__sg_" + name
	}
	h := uint32(2166136261)
	for _, c := range []byte(argsString(args)) {
		h = (h ^ uint32(c)) * 16777619
	}
	return "__sg_" + name + "_" + strconv.FormatUint(uint64(h), 36)
}

// fieldSetSelections turns a key or @requires field set into selections to plan at
// type typ, aliasing fields whose names the client uses for something else.
//
// A @requires field set (required true) is aliased further: each field the
// client does not select itself, as it is, takes an alias made of its name and
// arguments. Required fields are planned into whichever fetches resolve them,
// next to other requirements of the same field with other arguments (a chain
// of @requires, or two fields' requirements) and, through de-duplicated
// entities, into objects that other paths share: under its own name a value
// could be written over by another field's. Under a name-and-arguments alias,
// two fields share a key only when they are the same field.
func (b *builder) fieldSetSelections(typ string, sel ast.SelectionSet, client []Selection, required bool) ([]Selection, error) {
	t := b.g.Type(typ)
	if t == nil {
		return nil, fmt.Errorf("unknown type %s", typ)
	}
	var out []Selection
	for _, s := range sel {
		switch s := s.(type) {
		case *ast.Field:
			if s.Name == "__typename" {
				out = append(out, &Field{Key: s.Name, Name: s.Name, Parent: typ, Type: ast.NonNullNamedType("String", nil)})
				continue
			}
			sf := t.Fields[s.Name]
			if sf == nil {
				return nil, fmt.Errorf("field set names unknown field %s.%s", typ, s.Name)
			}
			f := &Field{Key: s.Name, Name: s.Name, Arguments: s.Arguments, Parent: typ, Type: sf.Type, internal: true}
			sub, found, conflict := clientSelections(client, s.Name, s.Name, s.Arguments)
			if conflict || (required && !found) {
				f.Key = internalAlias(s.Name, s.Arguments)
			}
			if len(s.SelectionSet) > 0 {
				var err error
				if f.Selections, err = b.fieldSetSelections(sf.Type.Name(), s.SelectionSet, sub, required); err != nil {
					return nil, err
				}
			}
			out = append(out, f)
		case *ast.InlineFragment:
			cond := s.TypeCondition
			if cond == "" {
				cond = typ
			}
			children, err := b.fieldSetSelections(cond, s.SelectionSet, client, required)
			if err != nil {
				return nil, err
			}
			if cond == typ {
				out = append(out, children...)
				continue
			}
			out = append(out, &Fragment{TypeCondition: cond, Selections: children})
		}
	}
	return out, nil
}
