package plan

import (
	"fmt"

	"github.com/shopgraph/shopgraph/gateway/supergraph"
)

// anchor is the nearest place above a cursor where the planner can enter
// another subgraph: the operation's root (for queries) or an entity object.
// Fields of value types (no @key) that the cursor's subgraph does not resolve
// are fetched by re-entering at the anchor, repeating the steps from there
// down (the shared root field, or the entity's fields, with their arguments
// and type conditions) in a subgraph that resolves them. The executor merges
// both answers into the same objects.
type anchor struct {
	// root is true for the operation's root; at is otherwise the cursor at the
	// entity object and via its type.
	root bool
	at   cursor
	via  *supergraph.Type
	// steps lead from the anchor to the cursor: *Field and *Fragment copies
	// whose selections are filled in when re-entering.
	steps []Selection
}

// down returns the anchor of a cursor one step below: the same anchor with
// the step added (nil stays nil).
func (a *anchor) down(step Selection) *anchor {
	if a == nil {
		return nil
	}
	steps := make([]Selection, len(a.steps), len(a.steps)+1)
	copy(steps, a.steps)
	return &anchor{root: a.root, at: a.at, via: a.via, steps: append(steps, step)}
}

// entityAnchor returns an anchor at cursor c when its type is an entity some
// subgraph resolves by key, and otherwise a, one step further down.
func (b *builder) entityAnchor(a *anchor, c cursor, step Selection) *anchor {
	if t := b.g.Type(c.typ); t != nil {
		for _, sg := range t.SubgraphNames {
			if len(t.ResolvableKeys(sg)) > 0 {
				return &anchor{at: c, via: t}
			}
		}
	}
	return a.down(step)
}

// wrap nests sels under the anchor's steps, outermost first.
func (a *anchor) wrap(sels []Selection) Selection {
	inner := sels
	for i := len(a.steps) - 1; i >= 0; i-- {
		switch s := a.steps[i].(type) {
		case *Field:
			cp := *s
			cp.Selections = inner
			inner = []Selection{&cp}
		case *Fragment:
			cp := *s
			cp.Selections = inner
			inner = []Selection{&cp}
		}
	}
	return inner[0]
}

// reenter plans fields of the value type at c that no subgraph reaches by key
// from here, by entering another subgraph at c's anchor.
func (b *builder) reenter(c cursor, t *supergraph.Type, fields []*Field) (idSet, error) {
	a := c.anchor
	if a == nil || len(a.steps) == 0 {
		return nil, fmt.Errorf("cannot plan %s.%s from subgraph %q: no subgraph that resolves it can be entered through a resolvable @key", c.typ, fields[0].Name, c.sg)
	}
	if c.depth >= maxJumpDepth {
		return nil, fmt.Errorf("planning %s at %q: too many entity jumps (cyclic keys or requires?)", c.typ, c.path.String())
	}
	target := b.reentryTarget(c, t, a, fields)
	if target == "" {
		return nil, fmt.Errorf("cannot plan %s.%s from subgraph %q: no other subgraph resolves it along the path from %s", c.typ, fields[0].Name, c.sg, a.describe())
	}
	sels := make([]Selection, len(fields))
	for i, f := range fields {
		sels[i] = f
	}
	wrapper := []Selection{a.wrap(sels)}
	if !a.root {
		at := a.at
		at.depth = c.depth + 1
		return b.jump(at, a.via, target, wrapper)
	}
	var rf *fetch
	for _, f := range b.fetches {
		if !f.entity && !f.mutation && f.sg == target && f.phase == b.phase && f.deferred == b.deferring {
			rf = f
		}
	}
	if rf == nil {
		rf = b.newFetch(target, false)
	}
	root := b.g.Type(b.op.RootType)
	rc := cursor{f: rf, sg: target, sel: rf.sel, typ: root.Name, client: b.op.Selections, depth: c.depth + 1, anchor: &anchor{root: true}}
	return b.planSelections(rc, wrapper)
}

// reentryTarget picks the subgraph to re-enter: one that resolves every field
// on the way from the anchor and the most of fields, by name order on ties.
func (b *builder) reentryTarget(c cursor, t *supergraph.Type, a *anchor, fields []*Field) string {
	var candidates []string
	if a.root {
		candidates = b.g.Type(b.op.RootType).SubgraphNames
	} else {
		for _, sg := range a.via.SubgraphNames {
			if len(a.via.ResolvableKeys(sg)) > 0 {
				candidates = append(candidates, sg)
			}
		}
	}
	best, bestN := "", 0
	for _, sg := range candidates {
		if sg == c.sg || !b.resolvesSteps(a, sg) {
			continue
		}
		n := 0
		for _, f := range fields {
			if b.resolvable(t.Fields[f.Name], sg) {
				n++
			}
		}
		if n > bestN || (n == bestN && n > 0 && sg < best) {
			best, bestN = sg, n
		}
	}
	return best
}

// resolvesSteps reports whether subgraph sg resolves every field of the
// anchor's steps.
func (b *builder) resolvesSteps(a *anchor, sg string) bool {
	for _, s := range a.steps {
		f, ok := s.(*Field)
		if !ok {
			continue
		}
		pt := b.g.Type(f.Parent)
		if pt == nil || !b.resolvable(pt.Fields[f.Name], sg) {
			return false
		}
	}
	return true
}

// describe names the anchor for error messages.
func (a *anchor) describe() string {
	if a.root {
		return "the root"
	}
	return a.via.Name
}
