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
	path     Path
	sel      *fsel
	reqs     *fsel
	deps     map[int]bool
	paths    []Path
	merged   bool
}

type builder struct {
	g       *supergraph.Graph
	op      *Operation
	fetches []*fetch
	entity  map[string]*fetch
	phase   int
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
}

type idSet map[int]bool

func (s idSet) add(o idSet) {
	for k := range o {
		s[k] = true
	}
}

func build(g *supergraph.Graph, op *Operation) (*Plan, error) {
	b := &builder{g: g, op: op, entity: map[string]*fetch{}}
	if err := b.planRoot(); err != nil {
		return nil, err
	}
	return b.finish(), nil
}

func (b *builder) newFetch(sg string, entity bool) *fetch {
	f := &fetch{id: len(b.fetches), phase: b.phase, sg: sg, entity: entity, sel: &fsel{}, deps: idSet{}}
	if entity {
		f.reqs = &fsel{}
	}
	b.fetches = append(b.fetches, f)
	return f
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
	resolvers := func(f *Field) []string {
		if sf := root.Fields[f.Name]; sf != nil {
			return sf.Resolvers()
		}
		return nil
	}
	if b.op.Kind == ast.Mutation {
		// Mutation fields run in order; consecutive fields of one subgraph share a fetch.
		var cur *fetch
		for _, f := range fields {
			rs := resolvers(f)
			if len(rs) == 0 {
				return fmt.Errorf("no subgraph resolves %s.%s", b.op.RootType, f.Name)
			}
			if cur == nil || !contains(rs, cur.sg) {
				if cur != nil {
					b.phase++
				}
				cur = b.newFetch(rs[0], false)
				cur.mutation = true
			}
			c := cursor{f: cur, sg: cur.sg, sel: cur.sel, typ: root.Name}
			if _, err := b.planSelections(c, []Selection{f}); err != nil {
				return err
			}
		}
		return nil
	}
	remaining := fields
	for len(remaining) > 0 {
		counts := map[string]int{}
		for _, f := range remaining {
			for _, r := range resolvers(f) {
				counts[r]++
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
		if _, err := b.planSelections(cursor{f: rf, sg: best, sel: rf.sel, typ: root.Name}, group); err != nil {
			return err
		}
		remaining = rest
	}
	return nil
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
	if f == nil || !f.ResolvableIn(c.sg) {
		return false
	}
	return f.Sources[c.sg].Requires == nil || c.satisfied[name]
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
	var remote []*Field
	var fragments []*Fragment
	for _, s := range sels {
		switch s := s.(type) {
		case *Fragment:
			fragments = append(fragments, s)
		case *Field:
			if s.Name == "__typename" {
				if len(c.path) > 0 || c.f.entity {
					c.sel.field("__typename", "__typename", nil, false)
				}
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
			if t.Kind == ast.Interface || t.Kind == ast.Union {
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
		ft := b.g.Type(fr.TypeCondition)
		if ft == nil || !ft.In(c.sg) {
			continue // the subgraph never returns objects of that type here
		}
		child := c
		child.typ = fr.TypeCondition
		child.sel = c.sel.fragment(fr.TypeCondition)
		child.satisfied = nil
		d, err := b.planSelections(child, fr.Selections)
		if err != nil {
			return nil, err
		}
		deps.add(d)
	}
	for len(remote) > 0 {
		target, err := b.chooseTarget(c, t, remote)
		if err != nil {
			return nil, err
		}
		var group []*Field
		var rest []*Field
		for _, f := range remote {
			if t.Fields[f.Name] != nil && t.Fields[f.Name].ResolvableIn(target) {
				group = append(group, f)
			} else {
				rest = append(rest, f)
			}
		}
		d, err := b.jump(c, t, target, group)
		if err != nil {
			return nil, err
		}
		deps.add(d)
		remote = rest
	}
	return deps, nil
}

func (b *builder) planLocal(c cursor, t *supergraph.Type, s *Field) (idSet, error) {
	if c.sel.conflict(s.Key, s.Name, s.Arguments) {
		// Sharing the key would hand one field's value to the other; aliasing the
		// planner's own fields is not implemented yet, so refuse rather than be wrong.
		return nil, fmt.Errorf("response key %q at %q is needed for %s.%s and for another field or arguments; choose another alias", s.Key, c.path.String(), c.typ, s.Name)
	}
	item := c.sel.field(s.Key, s.Name, s.Arguments, len(s.Selections) > 0)
	if len(s.Selections) == 0 {
		return idSet{c.f.id: true}, nil
	}
	if ct := b.g.Type(s.Type.Name()); ct != nil && (ct.Kind == ast.Interface || ct.Kind == ast.Union) {
		// Shaping decides type conditions by __typename, so abstract values carry it.
		item.sub.field("__typename", "__typename", nil, false)
	}
	child := cursor{f: c.f, sg: c.sg, sel: item.sub, typ: s.Type.Name(), path: childPath(c.path, s.Key, s.Type), depth: c.depth}
	if pf, ok := b.providedField(c.provided, c.typ, s.Name); ok {
		child.provided = pf.SelectionSet
	} else if sf := t.Fields[s.Name]; sf != nil && sf.Sources[c.sg] != nil {
		child.provided = sf.Sources[c.sg].Provides
	}
	return b.planSelections(child, s.Selections)
}

// chooseTarget picks the subgraph that takes the most of the remaining fields among
// those that can be entered from here through a resolvable key.
func (b *builder) chooseTarget(c cursor, t *supergraph.Type, remote []*Field) (string, error) {
	counts := map[string]int{}
	for _, f := range remote {
		sf := t.Fields[f.Name]
		if sf == nil {
			continue
		}
		for _, r := range sf.Resolvers() {
			if len(t.ResolvableKeys(r)) > 0 {
				counts[r]++
			}
		}
	}
	best := ""
	for sg, n := range counts {
		if best == "" || n > counts[best] || (n == counts[best] && b.betterTarget(c, t, sg, best)) {
			best = sg
		}
	}
	if best == "" {
		return "", fmt.Errorf("cannot plan %s.%s from subgraph %q: no subgraph that resolves it can be entered through a resolvable @key", c.typ, remote[0].Name, c.sg)
	}
	return best, nil
}

// betterTarget breaks ties: a target whose key the current subgraph holds directly
// wins, then the name for determinism.
func (b *builder) betterTarget(c cursor, t *supergraph.Type, x, y string) bool {
	dx, dy := b.directKey(c, t, x) != nil, b.directKey(c, t, y) != nil
	if dx != dy {
		return dx
	}
	return x < y
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

// jump moves fields to an entity fetch on target: the current fetch selects
// __typename and the key (and whatever @requires needs), the entity fetch resolves
// the fields and depends on every fetch that supplied its representation.
func (b *builder) jump(c cursor, t *supergraph.Type, target string, fields []*Field) (idSet, error) {
	key := b.directKey(c, t, target)
	if key == nil {
		keys := t.ResolvableKeys(target)
		if len(keys) == 0 {
			return nil, fmt.Errorf("cannot enter subgraph %q for %s: no resolvable @key", target, t.Name)
		}
		key = keys[0]
	}
	c.sel.field("__typename", "__typename", nil, false)
	deps := idSet{}
	kd, err := b.planRequirement(c, key.Selection)
	if err != nil {
		return nil, err
	}
	deps.add(kd)
	reqSels := []ast.SelectionSet{key.Selection}
	satisfied := map[string]bool{}
	for _, f := range fields {
		src := t.Fields[f.Name].Sources[target]
		if src.Requires == nil {
			continue
		}
		rd, err := b.planRequirement(c, src.Requires)
		if err != nil {
			return nil, fmt.Errorf("@requires(fields: %q) of %s.%s: %w", src.RequiresText, t.Name, f.Name, err)
		}
		deps.add(rd)
		reqSels = append(reqSels, src.Requires)
		satisfied[f.Name] = true
	}
	ef := b.entityFetch(target, c.path, deps)
	reqs := ef.reqs.fragment(t.Name)
	reqs.field("__typename", "__typename", nil, false)
	for _, rs := range reqSels {
		addFieldSet(reqs, rs)
	}
	child := cursor{f: ef, sg: target, sel: ef.sel.fragment(t.Name), typ: t.Name, path: c.path, satisfied: satisfied, depth: c.depth + 1}
	sels := make([]Selection, len(fields))
	for i, f := range fields {
		sels[i] = f
	}
	d, err := b.planSelections(child, sels)
	if err != nil {
		return nil, err
	}
	d[ef.id] = true
	return d, nil
}

func (b *builder) entityFetch(sg string, path Path, deps idSet) *fetch {
	ids := make([]int, 0, len(deps))
	for id := range deps {
		ids = append(ids, id)
	}
	sort.Ints(ids)
	var k strings.Builder
	k.WriteString(sg + "|" + path.String() + "|" + strconv.Itoa(b.phase))
	for _, id := range ids {
		k.WriteString("," + strconv.Itoa(id))
	}
	if f := b.entity[k.String()]; f != nil {
		return f
	}
	f := b.newFetch(sg, true)
	f.path = path
	f.deps = deps
	b.entity[k.String()] = f
	return f
}

func addFieldSet(dst *fsel, sel ast.SelectionSet) {
	for _, s := range sel {
		switch s := s.(type) {
		case *ast.Field:
			it := dst.field(s.Name, s.Name, s.Arguments, len(s.SelectionSet) > 0)
			if len(s.SelectionSet) > 0 {
				addFieldSet(it.sub, s.SelectionSet)
			}
		case *ast.InlineFragment:
			addFieldSet(dst.fragment(s.TypeCondition), s.SelectionSet)
		}
	}
}

// planRequirement plans a key or @requires field set at the cursor, as if the client
// had selected it, and returns the fetches that supply it.
func (b *builder) planRequirement(c cursor, sel ast.SelectionSet) (idSet, error) {
	sels, err := b.fieldSetSelections(c.typ, sel)
	if err != nil {
		return nil, err
	}
	return b.planSelections(c, sels)
}

func (b *builder) fieldSetSelections(typ string, sel ast.SelectionSet) ([]Selection, error) {
	t := b.g.Type(typ)
	if t == nil {
		return nil, fmt.Errorf("unknown type %s", typ)
	}
	var out []Selection
	var err error
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
			f := &Field{Key: s.Name, Name: s.Name, Arguments: s.Arguments, Parent: typ, Type: sf.Type}
			if len(s.SelectionSet) > 0 {
				if f.Selections, err = b.fieldSetSelections(sf.Type.Name(), s.SelectionSet); err != nil {
					return nil, err
				}
			}
			out = append(out, f)
		case *ast.InlineFragment:
			children, err := b.fieldSetSelections(s.TypeCondition, s.SelectionSet)
			if err != nil {
				return nil, err
			}
			out = append(out, &Fragment{TypeCondition: s.TypeCondition, Selections: children})
		}
	}
	return out, nil
}
