package plan

import (
	"github.com/vektah/gqlparser/v2/ast"
)

// splitAt decides whether the fetch at cursor c, which stands on the object
// the field f returns, should stop there and leave the object's fields to a
// later entity fetch on the same subgraph, and returns the selections to
// defer and the rest, which the current fetch plans (leaf key fields it
// selects anyway, __typename, fields other subgraphs resolve).
//
// Within one fetch a subgraph resolves every occurrence of a nested object
// anew: users → reviews → product → reviews → author → reviews makes it
// compute the same few products and authors once per path that reaches them,
// and the answer grows with the product of the list lengths. An _entities call
// receives each distinct representation once (the executor de-duplicates
// them), so cutting at an entity boundary turns that product into a sum.
//
// Repetition comes from references: a single-valued field such as
// Review.product, under a list, points many parents at few objects, while the
// elements of a list field (User.reviews) usually belong to their parent. So
// the planner cuts at a reference to an entity the subgraph resolves by a key
// it can also return here, when the reference sits under at least one list of
// this fetch and the lists above it plus the deepest chain of lists below it
// (counting only fields the same subgraph resolves) reach splitDepth.
// Mutation fetches and objects under @provides are never cut: the first must
// not change when fields resolve, the second hold fields the subgraph returns
// only on that path.
func (b *builder) splitAt(c cursor, f *Field) (deferred, rest []Selection, ok bool) {
	sels := f.Selections
	if b.splitDepth <= 0 || c.f.mutation || c.lists == 0 || listDepth(f.Type) > 0 || len(c.provided) > 0 {
		return nil, nil, false
	}
	t := b.g.Type(c.typ)
	if t == nil || t.Kind != ast.Object || interfaceObject(t, c.sg) {
		return nil, nil, false
	}
	if c.lists+b.localListDepth(t.Name, sels, c.sg, 0) < b.splitDepth {
		return nil, nil, false
	}
	key := b.directKey(c, t, c.sg)
	if key == nil {
		return nil, nil, false
	}
	for _, s := range sels {
		if sf, ok := s.(*Field); ok && (sf.Name == "__typename" || isPlainKeyField(sf, key.Selection) || !b.local(c, sf.Name)) {
			rest = append(rest, s)
			continue
		}
		deferred = append(deferred, s)
	}
	if len(deferred) == 0 {
		return nil, nil, false
	}
	return deferred, rest, true
}

// isPlainKeyField reports whether f is a leaf field of the key's top level,
// aliased or not, without arguments or conditions: the current fetch has its
// value, and asking the entity fetch for it again would lose it when that
// fetch finds no entity.
func isPlainKeyField(f *Field, key ast.SelectionSet) bool {
	if len(f.Selections) > 0 || len(f.Arguments) > 0 || len(f.Conditions) > 0 {
		return false
	}
	for _, s := range key {
		if kf, ok := s.(*ast.Field); ok && kf.Name == f.Name && (kf.Alias == "" || kf.Alias == kf.Name) {
			return len(kf.SelectionSet) == 0 && len(kf.Arguments) == 0
		}
	}
	return false
}

// maxSplitLookahead bounds how many fields deep localListDepth looks, which
// keeps planning linear in the document on deep operations.
const maxSplitLookahead = 8

// localListDepth returns the longest chain of list levels below type typ in
// sels that subgraph sg resolves itself, looking at most maxSplitLookahead
// fields deep.
func (b *builder) localListDepth(typ string, sels []Selection, sg string, depth int) int {
	if depth >= maxSplitLookahead {
		return 0
	}
	t := b.g.Type(typ)
	if t == nil {
		return 0
	}
	best := 0
	for _, s := range sels {
		d := 0
		switch s := s.(type) {
		case *Field:
			if len(s.Selections) == 0 || !b.resolvable(t.Fields[s.Name], sg) {
				continue
			}
			d = listDepth(s.Type) + b.localListDepth(s.Type.Name(), s.Selections, sg, depth+1)
		case *Fragment:
			d = b.localListDepth(s.TypeCondition, s.Selections, sg, depth+1)
		}
		if d > best {
			best = d
		}
	}
	return best
}
