package plan

import (
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/shopgraph/shopgraph/gateway/supergraph"
)

// Entering a subgraph needs one of its keys for the object, and the fields
// of that key may themselves live in other subgraphs: a subgraph that knows
// only `ean region` reaches one keyed by `id` through a third that resolves
// `id` from `ean region`. The planner therefore picks keys and targets it
// can actually reach, preferring fewer intermediate jumps, and refuses a
// jump that would need itself (a cycle) instead of recursing.

// maxReachHops bounds the intermediate jumps the reachability search follows.
const maxReachHops = 4

// reachableKey returns the key of t in target whose fields subgraph sg can
// obtain with the fewest intermediate entity jumps (0: sg has them all),
// never passing through the subgraphs in visited; nil when none can.
func (b *builder) reachableKey(sg string, t *supergraph.Type, target string, visited map[string]bool) (*supergraph.Key, int) {
	return b.reachableKeyOn(sg, t, t, target, visited)
}

// reachableKeyOn is reachableKey for objects of type on entering target as
// t: an interface whose @interfaceObject in target adds the field. The key
// is t's, but its fields are fetched for the object, through on's own keys:
// an @interfaceObject keyed by iid is reached from a subgraph that knows
// only the implementation's id by way of the interface's subgraph, which
// resolves iid from id. (Searching with the interface's keys alone finds
// no way when only the @interfaceObject subgraphs know them.)
func (b *builder) reachableKeyOn(sg string, on, t *supergraph.Type, target string, visited map[string]bool) (*supergraph.Key, int) {
	if visited[target] || len(visited) > maxReachHops+1 {
		return nil, 0
	}
	next := make(map[string]bool, len(visited)+1)
	for k := range visited {
		next[k] = true
	}
	next[target] = true
	var best *supergraph.Key
	bestHops := 0
	for _, k := range t.ResolvableKeys(target) {
		if hops, ok := b.obtainable(sg, on, k.Selection, next); ok && (best == nil || hops < bestHops) {
			best, bestHops = k, hops
		}
	}
	return best, bestHops
}

// obtainable reports whether subgraph sg, standing on an object of type t,
// can get the fields of sel, and how many entity jumps that takes.
func (b *builder) obtainable(sg string, t *supergraph.Type, sel ast.SelectionSet, visited map[string]bool) (int, bool) {
	total := 0
	for _, s := range sel {
		switch s := s.(type) {
		case *ast.Field:
			if s.Name == "__typename" {
				continue
			}
			f := t.Fields[s.Name]
			if f == nil {
				return 0, false
			}
			if b.resolvable(f, sg) && f.Sources[sg].Requires == nil {
				if len(s.SelectionSet) > 0 {
					ft := b.g.Type(f.Type.Name())
					if ft == nil {
						return 0, false
					}
					hops, ok := b.obtainable(sg, ft, s.SelectionSet, visited)
					if !ok {
						return 0, false
					}
					total += hops
				}
				continue
			}
			best, found := 0, false
			for _, other := range b.resolvers(f) {
				if other == sg || visited[other] {
					continue
				}
				if k, hops := b.reachableKey(sg, t, other, visited); k != nil && (!found || hops+1 < best) {
					best, found = hops+1, true
				}
			}
			if !found {
				return 0, false
			}
			total += best
		case *ast.InlineFragment:
			ft := t
			if s.TypeCondition != "" {
				if ft = b.g.Type(s.TypeCondition); ft == nil {
					return 0, false
				}
			}
			hops, ok := b.obtainable(sg, ft, s.SelectionSet, visited)
			if !ok {
				return 0, false
			}
			total += hops
		}
	}
	return total, true
}

// jumpKey names a jump in progress: objects of type via at path entering
// subgraph target.
type jumpKey struct{ via, target, path string }
