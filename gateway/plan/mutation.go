package plan

import (
	"fmt"

	"github.com/shopgraph/shopgraph/gateway/supergraph"
)

// planMutation plans a mutation's root fields in order; consecutive fields of
// one subgraph share a fetch.
//
// Fields with one response key are one field, which runs once, where the key
// first appears among the fields whose @skip/@include hold (GraphQL's field
// collection), with the selections of all of them. When their conditions
// differ, where that is depends on the variables: each occurrence then gets a
// fetch of its own that runs when its conditions hold and those of every
// earlier occurrence fail, so that exactly one of them runs, in its place.
func (b *builder) planMutation(root *supergraph.Type, fields []*Field, resolvers func(*Field) []string) error {
	byKey := map[string][]*Field{}
	for _, f := range fields {
		byKey[f.Key] = append(byKey[f.Key], f)
	}
	seen := map[string]int{}
	var cur *fetch
	for _, f := range fields {
		occ := byKey[f.Key]
		k := seen[f.Key]
		seen[f.Key]++
		rs := resolvers(f)
		if len(rs) == 0 {
			return fmt.Errorf("no subgraph resolves %s.%s", b.op.RootType, f.Name)
		}
		field := f
		if len(occ) > 1 {
			// Each occurrence's selections keep its conditions, so that the
			// subgraph leaves out those of occurrences that are skipped.
			merged := *f
			merged.Selections = nil
			for _, o := range occ {
				merged.Selections = append(merged.Selections, underConditions(o.Selections, o.Conditions)...)
			}
			field = &merged
		}
		if len(occ) > 1 && !sameConditions(occ) {
			alts := firstIncluded(occ, k)
			if len(alts) == 0 {
				continue // an earlier occurrence always runs instead
			}
			field.Conditions = nil
			if cur != nil {
				b.phase++
			}
			first := len(b.fetches)
			rf := b.newFetch(rs[0], false)
			rf.mutation = true
			if _, err := b.planSelections(cursor{f: rf, sg: rf.sg, sel: rf.sel, typ: root.Name, client: b.op.Selections}, []Selection{field}); err != nil {
				return err
			}
			// The fetch and everything it leads to run only for this occurrence.
			for _, x := range b.fetches[first:] {
				x.alts, x.condsSet = andAlts(alts, x.alts, x.condsSet), true
			}
			b.phase++
			cur = nil
			continue
		}
		if k > 0 {
			continue // planned with its first occurrence
		}
		if cur == nil || !contains(rs, cur.sg) {
			if cur != nil || len(b.fetches) > 0 {
				b.phase++
			}
			cur = b.newFetch(rs[0], false)
			cur.mutation = true
		}
		c := cursor{f: cur, sg: cur.sg, sel: cur.sel, typ: root.Name, client: b.op.Selections}
		if _, err := b.planSelections(c, []Selection{field}); err != nil {
			return err
		}
	}
	return nil
}

// sameConditions reports whether fields all sit under the same conditions.
func sameConditions(fields []*Field) bool {
	for _, f := range fields[1:] {
		if !f.Conditions.same(fields[0].Conditions) {
			return false
		}
	}
	return true
}

// firstIncluded returns, as alternatives, when occurrence k of a field is the
// first whose conditions hold: its own hold and, for every earlier one, some
// condition fails.
func firstIncluded(occ []*Field, k int) []Conditions {
	terms := []Conditions{occ[k].Conditions}
	for _, earlier := range occ[:k] {
		var next []Conditions
		for _, t := range terms {
			for _, c := range earlier.Conditions {
				neg := FieldCondition{Variable: c.Variable, Include: !c.Include}
				if t.has(c) {
					continue // t requires c: cannot fail it
				}
				next = append(next, t.and(Conditions{neg}))
			}
		}
		terms = next // an unconditional earlier occurrence leaves none
	}
	return terms
}

// andAlts returns the alternatives under which both a and b hold; b counts as
// always when it was never set.
func andAlts(a, b []Conditions, bSet bool) []Conditions {
	if !bSet || len(b) == 0 {
		return a
	}
	var out []Conditions
	for _, x := range a {
		for _, y := range b {
			out = append(out, x.and(y))
		}
	}
	return out
}

// underConditions returns copies of sels that hold only under conds too.
func underConditions(sels []Selection, conds Conditions) []Selection {
	if len(conds) == 0 {
		return sels
	}
	out := make([]Selection, len(sels))
	for i, s := range sels {
		switch s := s.(type) {
		case *Field:
			cp := *s
			cp.Conditions = conds.and(s.Conditions)
			out[i] = &cp
		case *Fragment:
			cp := *s
			cp.Selections = underConditions(s.Selections, conds)
			out[i] = &cp
		}
	}
	return out
}
