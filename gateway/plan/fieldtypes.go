package plan

import (
	"strconv"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/shopgraph/shopgraph/gateway/supergraph"
)

// Fields whose type differs between subgraphs (join__field(type:)) can make a
// valid client selection invalid in a subgraph. In the supergraph, Box.label and
// Bag.label may both be String, so `... on Box { label } ... on Bag { label }`
// is valid; in a subgraph where Box.label is String! the two fields return
// different shapes under one response key, which FieldsInSetCanMerge rejects.
// aliasTypeConflicts gives such fields a data key of their own: the planner
// selects them under that alias, and shaping reads them from it.

// aliasTypeConflicts walks the operation and aliases, in each selection set, the
// fields of sibling fragments that share a response key with an earlier field
// but have another type in some subgraph that resolves both.
func aliasTypeConflicts(g *supergraph.Graph, sels []Selection) {
	type seen struct {
		f    *Field
		cond string
	}
	var first []seen
	var visit func(sels []Selection, cond string)
	visit = func(sels []Selection, cond string) {
		for _, s := range sels {
			switch s := s.(type) {
			case *Field:
				for _, o := range first {
					if o.f.Key == s.Key && o.cond != cond && subgraphTypesDiffer(g, o.f, s) {
						s.DataKey = "__sg_" + s.Key + "_" + cond
						break
					}
				}
				if s.DataKey == "" {
					first = append(first, seen{s, cond})
				}
				aliasTypeConflicts(g, s.Selections)
			case *Fragment:
				visit(s.Selections, s.TypeCondition)
			}
		}
	}
	visit(sels, "")
}

// subgraphTypesDiffer reports whether some subgraph resolving both fields gives
// them different types.
func subgraphTypesDiffer(g *supergraph.Graph, a, b *Field) bool {
	fa, fb := supergraphField(g, a), supergraphField(g, b)
	if fa == nil || fb == nil {
		return false
	}
	for sg, sa := range fa.Sources {
		sb := fb.Sources[sg]
		if sb == nil {
			continue
		}
		if subgraphType(fa, sa) != subgraphType(fb, sb) {
			return true
		}
	}
	return false
}

func supergraphField(g *supergraph.Graph, f *Field) *supergraph.Field {
	if f.Name == "__typename" {
		return nil
	}
	t := g.Type(f.Parent)
	if t == nil {
		return nil
	}
	return t.Fields[f.Name]
}

func subgraphType(f *supergraph.Field, s *supergraph.FieldSource) string {
	if s.Type != "" {
		return s.Type
	}
	return typeString(f.Type)
}

func typeString(t *ast.Type) string {
	if t == nil {
		return ""
	}
	return t.String()
}

// aliasConditionConflicts gives a field its own data key
// when an earlier field in its selection set (fragments included) has the
// same key under other @skip/@include conditions. Merged into one subgraph
// field, the conditions would be lost: the subgraph would resolve the skipped
// subselection, and its errors and nulls would reach the fields the client
// did ask for. Apart, each keeps its directives; shaping merges what holds.
//
// Fields that share a data key are one field in a subgraph operation, so
// their subselections are examined together.
func aliasConditionConflicts(sels []Selection, mutation bool) {
	n := 0
	root := true
	var walk func(sels []Selection)
	walk = func(sels []Selection) {
		fields := fieldsOf(sels)
		// A mutation field selected twice runs once: its copies are never
		// aliased apart at the root (they keep the conditions they share).
		top := root
		root = false
		for i, s := range fields {
			if s.Name == "__typename" || (mutation && top) {
				continue
			}
			for _, o := range fields[:i] {
				if o.DataKeyOrKey() == s.DataKeyOrKey() && !o.Conditions.same(s.Conditions) {
					n++
					s.DataKey = "__sg_" + s.Key + "_if" + strconv.Itoa(n)
					break
				}
			}
		}
		// Below, fields with one data key are one subgraph field: their
		// subselections are examined together.
		done := map[*Field]bool{}
		for _, f := range fields {
			if done[f] || len(f.Selections) == 0 {
				continue
			}
			var sameData []Selection
			for _, o := range fields {
				if o.DataKeyOrKey() == f.DataKeyOrKey() {
					done[o] = true
					sameData = append(sameData, o.Selections...)
				}
			}
			walk(sameData)
		}
	}
	walk(sels)
}

// fieldsOf lists the fields of a selection set in order, those inside its
// fragments included.
func fieldsOf(sels []Selection) []*Field {
	var out []*Field
	var visit func(sels []Selection)
	visit = func(sels []Selection) {
		for _, s := range sels {
			switch s := s.(type) {
			case *Field:
				out = append(out, s)
			case *Fragment:
				visit(s.Selections)
			}
		}
	}
	visit(sels)
	return out
}

// groupResponseKeys records, on every field that shares its response key
// with others in a selection set (fragments included), the selections of
// all of them: shaping merges their values into one, so a key the planner
// adds to one of the objects must not take a response key another of them
// uses for something else. Nested fields are grouped the same way across the
// merged selections.
func groupResponseKeys(sels []Selection) {
	fields := fieldsOf(sels)
	done := map[string]bool{}
	for _, f := range fields {
		if done[f.Key] {
			continue
		}
		done[f.Key] = true
		var union []Selection
		count := 0
		for _, o := range fields {
			if o.Key == f.Key {
				count++
				union = append(union, o.Selections...)
			}
		}
		if count > 1 && len(union) > 0 {
			for _, o := range fields {
				if o.Key == f.Key {
					o.group = union
				}
			}
		}
		if len(union) > 0 {
			groupResponseKeys(union)
		}
	}
}
