package plan

import (
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/shopgraph/shopgraph/gateway/supergraph"
)

// Deferred fetches. A field under @defer is fetched after the first payload
// is sent when it can be fetched on its own: the executor runs first the
// fetches that serve the first payload, then those that serve only deferred
// fields (Plan.DeferredFetches). A deferred field that the parent's fetch
// would simply have selected too therefore gets a fetch of its own:
//
//   - at the root of a query, the deferred root fields go to root fetches of
//     their own;
//   - below, at an object type with a key, the deferred fields are fetched
//     through _entities by that key, from the subgraph that resolves them,
//     the parent's own included, as Apollo Router plans them;
//   - fetches made for one @defer are merged only with fetches for the same
//     one, so none ends up serving the first payload as well.
//
// At an interface, a deferred field is planned per implementation that the
// subgraph returns (a fragment on each), each of which then splits on its
// own. A deferred field is left to the parent's fetch, and delivered later
// all the same, where no fetch of its own is possible: under a value type
// (no key), or when no subgraph that resolves it can be entered by a key
// that the parent's subgraph gives directly. A @defer that a variable turns
// off is no defer at all when the operation is normalised (Defer), so its
// fields are planned with the first payload's.

// deferredGroup is the fields at one position that go to one @defer's fetches.
type deferredGroup struct {
	d      *Defer
	fields []*Field
}

func addDeferred(groups []deferredGroup, d *Defer, f *Field) []deferredGroup {
	for i := range groups {
		if groups[i].d == d {
			groups[i].fields = append(groups[i].fields, f)
			return groups
		}
	}
	return append(groups, deferredGroup{d: d, fields: []*Field{f}})
}

// splitRootDefers separates a query's root fields by @defer.
func splitRootDefers(fields []*Field) (primary []*Field, deferred []deferredGroup) {
	for _, f := range fields {
		if f.Defer == nil {
			primary = append(primary, f)
			continue
		}
		deferred = addDeferred(deferred, f.Defer, f)
	}
	return primary, deferred
}

// within reports whether d is nested in (or is) outer; nil is the first
// payload, which holds every defer.
func within(d, outer *Defer) bool {
	for ; d != nil; d = d.Parent {
		if d == outer {
			return true
		}
	}
	return outer == nil
}

// deferrable reports whether field s at cursor c is deferred further than
// the cursor's fetch: a field of a @defer nested in the fetch's (fields the
// planner adds, keys and requirements, carry no defer: they go where they
// are asked for), below the root.
func (b *builder) deferrable(c cursor, s *Field) bool {
	d := s.Defer
	return d != nil && d != c.f.deferred && within(d, c.f.deferred) && len(c.path) > 0
}

// splitDefer returns the @defer under which field s at cursor c gets fetches
// of its own, or nil when it is planned with the cursor's fetch.
func (b *builder) splitDefer(c cursor, t *supergraph.Type, s *Field) *Defer {
	if t.Kind != ast.Object || !b.deferrable(c, s) {
		return nil
	}
	d := s.Defer
	for _, cand := range b.candidates(c, t, s.Name) {
		if cand.via == t && b.directKey(c, cand.via, cand.target) != nil {
			return d
		}
	}
	return nil
}

// planDeferred plans a group of deferred fields at c through _entities, in
// fetches made for its @defer.
func (b *builder) planDeferred(c cursor, t *supergraph.Type, g deferredGroup) (idSet, error) {
	outer := b.deferring
	b.deferring = g.d
	defer func() { b.deferring = outer }()
	return b.jumpAll(c, t, g.fields)
}
