package plan

import (
	"sort"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
)

// finish orders the fetches into stages, merges entity fetches that the same stage
// sends to the same subgraph with the same representation shape, and builds the tree.
func (b *builder) finish() *Plan {
	p := &Plan{Operation: b.op, ResponseKeys: dataKeys(b.op.Selections, nil)}
	var phases []Node
	for phase := 0; phase <= b.phase; phase++ {
		var fs []*fetch
		for _, f := range b.fetches {
			if f.phase == phase {
				fs = append(fs, f)
			}
		}
		if len(fs) == 0 {
			continue
		}
		phases = append(phases, b.stages(p, fs))
	}
	switch len(phases) {
	case 0:
	case 1:
		p.Root = phases[0]
	default:
		p.Root = &Sequence{Nodes: phases}
	}
	return p
}

func (b *builder) stages(p *Plan, fs []*fetch) Node {
	byID := map[int]*fetch{}
	for _, f := range fs {
		byID[f.id] = f
	}
	level := map[int]int{}
	var levelOf func(f *fetch) int
	levelOf = func(f *fetch) int {
		if l, ok := level[f.id]; ok {
			return l
		}
		level[f.id] = 0 // guards against cycles, which planning never creates
		l := 0
		for d := range f.deps {
			if d == f.id {
				continue
			}
			if df := byID[d]; df != nil {
				if dl := levelOf(df) + 1; dl > l {
					l = dl
				}
			}
		}
		level[f.id] = l
		return l
	}
	maxLevel := 0
	for _, f := range fs {
		if l := levelOf(f); l > maxLevel {
			maxLevel = l
		}
	}
	// Merge entity fetches to one subgraph, whatever their paths: one _entities
	// call carries the representations of all of them.
	alias := map[int]int{}
	for _, f := range fs {
		f.paths = []Path{f.path}
		if f.entity {
			f.pathTypes = map[string][]string{f.path.String(): b.repTypes(f)}
		}
	}
	mergeInto := func(g, f *fetch) {
		g.sel.merge(f.sel)
		g.reqs.merge(f.reqs)
		for d := range f.deps {
			g.deps[d] = true
		}
		for _, p := range f.paths {
			if !hasPath(g.paths, p) {
				g.paths = append(g.paths, p)
			}
			k := p.String()
			for _, t := range f.pathTypes[k] {
				if !contains(g.pathTypes[k], t) {
					g.pathTypes[k] = append(g.pathTypes[k], t)
				}
			}
		}
		// g now runs when either did. It may then depend on a fetch left out
		// by its conditions: the representations of f's paths need that
		// fetch's data only for fields under those conditions (see the
		// package documentation), and the executor does not wait for it.
		if g.condsSet && f.condsSet {
			for _, a := range f.alts {
				g.alts = addAlt(g.alts, a)
			}
		} else {
			g.alts, g.condsSet = nil, false
		}
		f.merged = true
		alias[f.id] = g.id
	}
	b.mergeWithinSlack(fs, level, maxLevel, mergeInto)
	level = mergedLevels(fs, byID, alias)
	// Number the surviving fetches by stage so that printed plans read top-down.
	var kept []*fetch
	for _, f := range fs {
		if !f.merged {
			kept = append(kept, f)
		}
	}
	sort.SliceStable(kept, func(i, j int) bool {
		if level[kept[i].id] != level[kept[j].id] {
			return level[kept[i].id] < level[kept[j].id]
		}
		return kept[i].id < kept[j].id
	})
	newID := map[int]int{}
	for _, f := range kept {
		newID[f.id] = len(p.Fetches) + len(newID)
	}
	resolve := func(id int) int {
		for {
			a, ok := alias[id]
			if !ok {
				return newID[id]
			}
			id = a
		}
	}
	var stages []Node
	var cur []Node
	curLevel := -1
	flush := func() {
		switch len(cur) {
		case 0:
		case 1:
			stages = append(stages, cur[0])
		default:
			stages = append(stages, &Parallel{Nodes: cur})
		}
		cur = nil
	}
	var out []*Fetch
	for _, f := range kept {
		pf := b.toFetch(f, newID[f.id])
		depSet := map[int]bool{}
		for d := range f.deps {
			if byID[d] == nil {
				continue
			}
			if r := resolve(d); r != pf.ID {
				depSet[r] = true
			}
		}
		for d := range depSet {
			pf.DependsOn = append(pf.DependsOn, d)
		}
		sort.Ints(pf.DependsOn)
		out = append(out, pf)
		if level[f.id] != curLevel {
			flush()
			curLevel = level[f.id]
		}
		var n Node = pf
		if f.entity {
			fl := &Flatten{Paths: f.paths, Fetch: pf}
			if len(f.paths) > 1 {
				for _, p := range f.paths {
					fl.PathTypes = append(fl.PathTypes, f.pathTypes[p.String()])
				}
			}
			n = fl
		}
		if f.condsSet {
			n = wrapAny(f.alts, n)
		}
		cur = append(cur, n)
	}
	flush()
	p.Fetches = append(p.Fetches, out...)
	if len(stages) == 1 {
		return stages[0]
	}
	return &Sequence{Nodes: stages}
}

// compatible reports whether entity fetch f can join g: their selections merge
// without response key conflicts and each type's representation has one shape.
func compatible(g, f *fetch) bool {
	if g.deferred != f.deferred {
		return false // a deferred fetch runs after the first payload is sent
	}
	if len(g.ctx) > 0 || len(f.ctx) > 0 {
		return false // contextual variables are the fetch's own (context.go)
	}
	if !g.sel.mergeable(f.sel) {
		return false
	}
	for _, it := range f.reqs.items {
		for _, mine := range g.reqs.items {
			if mine.cond == it.cond && mine.sub.String() != it.sub.String() {
				return false
			}
		}
	}
	if !samePaths(g, f) {
		// One _entities call answers every field it selects for every
		// representation. For objects of one type reached by different paths,
		// both must ask the same: a field only one path wants would be merged
		// into the other path's objects under its response key, and its
		// errors would null entities the other path needs.
		for _, it := range f.sel.items {
			if mine := g.sel.existingFragment(it.cond); it.cond != "" && mine != nil && mine.String() != it.sub.String() {
				return false
			}
		}
	}
	// Fragments on different types share the operation's response keys: a
	// key must mean the same field in both (GraphQL's same response shape).
	for _, a := range g.sel.items {
		for _, b := range f.sel.items {
			if a.cond != "" && b.cond != "" && a.cond != b.cond && !sameShape(a.sub, b.sub) {
				return false
			}
		}
	}
	return true
}

// overlapping reports whether entity fetches g and f would answer one
// object with the other's selections or representation:
//   - for different paths, they select under different type conditions that
//     one object can match (an entity interface's and an implementation's):
//     a representation that names the interface comes back as its concrete
//     type, so the other path's fragment runs on it too, with a
//     representation that lacks what that fragment's @requires needs;
//   - they select different fields on an @interfaceObject and send
//     different representations: its subgraph answers every
//     representation as the interface, so each fetch's fields would run on
//     the other's objects, whose representations lack what they @require
//     (jump keeps the implementations' fetches apart for this). With the
//     same representations the extra fields are only answered, unused;
//   - their representations of one object would differ (an interface's
//     and an implementation's): the executor writes an object's
//     representation from the first fragment that matches it.
func (b *builder) overlapping(g, f *fetch) bool {
	same := samePaths(g, f)
	for _, x := range g.sel.items {
		for _, y := range f.sel.items {
			if x.cond == "" || y.cond == "" {
				continue
			}
			if x.cond != y.cond && !same && b.typesOverlap(x.cond, y.cond) {
				return true
			}
			if t := b.g.Type(x.cond); x.cond == y.cond && t != nil && interfaceObject(t, g.sg) && x.sub.String() != y.sub.String() && !sameReps(g, f) {
				return true
			}
		}
	}
	for _, x := range g.reqs.items {
		for _, y := range f.reqs.items {
			if x.cond != "" && y.cond != "" && x.cond != y.cond && b.typesOverlap(x.cond, y.cond) && x.sub.String() != y.sub.String() {
				return true
			}
		}
	}
	return false
}

// sameReps reports whether every representation of two entity fetches has
// the same fields, whatever the types they are for.
func sameReps(g, f *fetch) bool {
	shape := ""
	for _, r := range []*fsel{g.reqs, f.reqs} {
		for _, it := range r.items {
			if s := it.sub.String(); shape == "" {
				shape = s
			} else if s != shape {
				return false
			}
		}
	}
	return true
}

// interfaceObjectOf returns the interface of the object type name that
// subgraph sg models as an @interfaceObject (it cannot define the type
// itself), or "".
func (b *builder) interfaceObjectOf(name, sg string) string {
	if t := b.g.Type(name); t == nil || t.In(sg) {
		return ""
	}
	for _, idef := range b.g.API().Implements[name] {
		if it := b.g.Type(idef.Name); it != nil && interfaceObject(it, sg) {
			return it.Name
		}
	}
	return ""
}

// typesOverlap reports whether some object type matches both type conditions.
func (b *builder) typesOverlap(x, y string) bool {
	possible := func(name string) []string {
		if t := b.g.Type(name); t != nil && (t.Kind == ast.Interface || t.Kind == ast.Union) {
			return t.PossibleTypes
		}
		return []string{name}
	}
	for _, p := range possible(x) {
		if contains(possible(y), p) {
			return true
		}
	}
	return false
}

// samePaths reports whether two fetches serve the same set of paths.
func samePaths(g, f *fetch) bool {
	if len(g.paths) != len(f.paths) {
		return false
	}
	for _, p := range f.paths {
		if !hasPath(g.paths, p) {
			return false
		}
	}
	return true
}

// sameShape reports whether the fields two selections have under the same
// response key are the same field with the same arguments, all the way down.
func sameShape(a, b *fsel) bool {
	if a == nil || b == nil {
		return true
	}
	for _, x := range a.items {
		for _, y := range b.items {
			switch {
			case x.cond == "" && y.cond == "" && x.key == y.key:
				if x.name != y.name || argsString(x.args) != argsString(y.args) || !sameShape(x.sub, y.sub) {
					return false
				}
			case x.cond != "" && y.cond != "":
				if !sameShape(x.sub, y.sub) {
					return false
				}
			// A fragment's fields share the response keys of the fields
			// beside it (a concrete type's, under an interface's fragment).
			case x.cond == "" && y.cond != "":
				if !sameShape(&fsel{items: []*fitem{x}}, y.sub) {
					return false
				}
			case x.cond != "" && y.cond == "":
				if !sameShape(x.sub, &fsel{items: []*fitem{y}}) {
					return false
				}
			}
		}
	}
	return true
}

func hasPath(ps []Path, p Path) bool {
	for _, q := range ps {
		if q.String() == p.String() {
			return true
		}
	}
	return false
}

func (b *builder) toFetch(f *fetch, id int) *Fetch {
	pf := &Fetch{ID: id, Subgraph: f.sg, Entity: f.entity, Mutation: f.mutation, Subscription: f.subscription}
	pf.Variables = f.sel.variables(map[string]bool{}, nil)
	var s strings.Builder
	kind := "query"
	if f.mutation {
		kind = "mutation"
	}
	if f.subscription {
		kind = "subscription"
	}
	s.WriteString(kind)
	var decls, clientDecls []string
	if f.entity {
		decls = append(decls, "$representations:[_Any!]!")
	}
	ctxDecls := contextFetch(f, pf, nil)
	decls = append(decls, ctxDecls...)
	for _, v := range pf.Variables {
		if def := b.op.Variables.ForName(v); def != nil {
			decl := "$" + v + ":" + def.Type.String()
			if def.DefaultValue != nil {
				// A nullable variable with a default may stand where a non-null
				// value is expected (@skip/@include's if) only with its default.
				decl += "=" + def.DefaultValue.String()
			}
			decls = append(decls, decl)
			clientDecls = append(clientDecls, decl)
		}
	}
	if pf.Context != nil {
		pf.Context.Declarations = clientDecls
	}
	if len(decls) > 0 {
		s.WriteString("(" + strings.Join(decls, ",") + ")")
	}
	if f.entity {
		s.WriteString("{_entities(representations:$representations)")
		f.sel.write(&s)
		s.WriteString("}")
		pf.Requires = b.repNodes(f.reqs, f.sg)
		pf.Scope = f.paths
	} else {
		f.sel.write(&s)
		for _, it := range f.sel.items {
			if it.cond == "" {
				pf.Scope = append(pf.Scope, Path{it.key})
			}
		}
	}
	pf.Operation = s.String()
	return pf
}

func (b *builder) repNodes(s *fsel, sg string) []*RepNode {
	var out []*RepNode
	for _, it := range s.items {
		n := &RepNode{Key: it.key, Name: it.name, KeyField: it.isKey}
		if it.cond != "" {
			n.Key, n.Name = "", ""
			n.TypeCondition = it.cond
			if t := b.g.Type(it.cond); t != nil && (t.Kind == ast.Interface || t.Kind == ast.Union) {
				n.Types = append(n.Types, t.PossibleTypes...)
				// Entity interfaces may arrive with the interface's own name.
				n.Types = append(n.Types, it.cond)
				if interfaceObject(t, sg) {
					n.Typename = it.cond
				}
			} else {
				n.Types = []string{it.cond}
				// An implementation's own representations for an
				// @interfaceObject subgraph, which knows only the interface.
				n.Typename = b.interfaceObjectOf(it.cond, sg)
			}
		}
		if it.sub != nil {
			n.Children = b.repNodes(it.sub, sg)
		}
		out = append(out, n)
	}
	return out
}

// dataKeys collects the data keys of fields the planner aliased, mapped to
// their response keys.
func dataKeys(sels []Selection, out map[string]string) map[string]string {
	for _, s := range sels {
		switch s := s.(type) {
		case *Field:
			if s.DataKey != "" {
				if out == nil {
					out = map[string]string{}
				}
				out[s.DataKey] = s.Key
			}
			out = dataKeys(s.Selections, out)
		case *Fragment:
			out = dataKeys(s.Selections, out)
		}
	}
	return out
}

// repTypes lists the __typenames an entity fetch looks up, as its
// representation shape names them.
func (b *builder) repTypes(f *fetch) []string {
	var out []string
	for _, n := range b.repNodes(f.reqs, f.sg) {
		for _, t := range n.Types {
			if !contains(out, t) {
				out = append(out, t)
			}
		}
	}
	return out
}
