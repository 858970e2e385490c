package plan

import (
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
)

// fsel is a subgraph selection set under construction.
type fsel struct {
	items []*fitem
}

type fitem struct {
	key, name string
	args      ast.ArgumentList
	cond      string // set for inline fragments
	sub       *fsel
	isKey     bool // in representation shapes: a key field (null means no lookup)
	// conds are the client's @skip/@include on variables, written as directives;
	// an item that serves fields under different conditions (or a field the
	// planner needs) has none, and shaping decides.
	conds Conditions
}

// field finds or adds an unconditional field. A later request for the same
// response key reuses the item, which is what merges the client's fields with
// the keys the plan adds.
func (s *fsel) field(key, name string, args ast.ArgumentList, composite bool) *fitem {
	return s.fieldIf(key, name, args, composite, nil)
}

// fieldIf finds or adds a field under the conditions conds. A field already
// there under other conditions keeps none: the subgraph then always answers it.
func (s *fsel) fieldIf(key, name string, args ast.ArgumentList, composite bool, conds Conditions) *fitem {
	for _, it := range s.items {
		if it.cond == "" && it.key == key {
			if composite && it.sub == nil {
				it.sub = &fsel{}
			}
			if !it.conds.same(conds) {
				// Wanted under either: only the conditions both share stay.
				it.conds = it.conds.intersect(conds)
			}
			return it
		}
	}
	it := &fitem{key: key, name: name, args: args, conds: conds}
	if composite {
		it.sub = &fsel{}
	}
	s.items = append(s.items, it)
	return it
}

// conflict reports whether key is already used for a different field or arguments:
// the subgraph would answer one of them under the other's key.
func (s *fsel) conflict(key, name string, args ast.ArgumentList) bool {
	for _, it := range s.items {
		if it.cond == "" && it.key == key {
			return it.name != name || argsString(it.args) != argsString(args)
		}
	}
	return false
}

// conditional reports whether the field with response key key is selected
// under @skip/@include conditions.
func (s *fsel) conditional(key string) bool {
	for _, it := range s.items {
		if it.cond == "" && it.key == key {
			return len(it.conds) > 0
		}
	}
	return false
}

// sub returns the subselection of the field with response key key, or nil.
func (s *fsel) sub(key string) *fsel {
	if s == nil {
		return nil
	}
	for _, it := range s.items {
		if it.cond == "" && it.key == key {
			return it.sub
		}
	}
	return nil
}

// existingFragment returns the inline fragment on cond, or nil.
func (s *fsel) existingFragment(cond string) *fsel {
	if s == nil {
		return nil
	}
	for _, it := range s.items {
		if it.cond == cond {
			return it.sub
		}
	}
	return nil
}

// mergeable reports whether o can be merged into s without a response key conflict.
func (s *fsel) mergeable(o *fsel) bool {
	for _, it := range o.items {
		if it.cond != "" {
			for _, mine := range s.items {
				if mine.cond == it.cond && !mine.sub.mergeable(it.sub) {
					return false
				}
			}
			continue
		}
		if s.conflict(it.key, it.name, it.args) {
			return false
		}
		for _, mine := range s.items {
			if mine.cond == "" && mine.key == it.key && mine.sub != nil && it.sub != nil && !mine.sub.mergeable(it.sub) {
				return false
			}
		}
	}
	return true
}

func argsString(args ast.ArgumentList) string {
	var b strings.Builder
	writeArguments(&b, args)
	return b.String()
}

func (s *fsel) fragment(cond string) *fsel {
	for _, it := range s.items {
		if it.cond == cond {
			return it.sub
		}
	}
	it := &fitem{cond: cond, sub: &fsel{}}
	s.items = append(s.items, it)
	return it.sub
}

func (s *fsel) merge(o *fsel) {
	for _, it := range o.items {
		if it.cond != "" {
			s.fragment(it.cond).merge(it.sub)
			continue
		}
		dst := s.fieldIf(it.key, it.name, it.args, it.sub != nil, it.conds)
		if it.isKey {
			dst.isKey = true
		}
		if it.sub != nil {
			dst.sub.merge(it.sub)
		}
	}
}

func (s *fsel) write(b *strings.Builder) {
	if len(s.items) == 0 {
		// An object whose fields all come from other fetches (values completed
		// elsewhere) still needs a selection to be valid GraphQL.
		b.WriteString("{__typename}")
		return
	}
	b.WriteString("{")
	for i, it := range s.items {
		if i > 0 {
			b.WriteString(" ")
		}
		if it.cond != "" {
			b.WriteString("...on " + it.cond)
			it.sub.write(b)
			continue
		}
		onField, around := it.conds.split()
		for _, c := range around {
			b.WriteString("...")
			Conditions{c}.write(b)
			b.WriteString("{")
		}
		if it.key != it.name {
			b.WriteString(it.key + ":")
		}
		b.WriteString(it.name)
		writeArguments(b, it.args)
		onField.write(b)
		if it.sub != nil {
			it.sub.write(b)
		}
		for range around {
			b.WriteString("}")
		}
	}
	b.WriteString("}")
}

func (s *fsel) String() string {
	var b strings.Builder
	s.write(&b)
	return b.String()
}

// variables adds the names of the variables the selection uses, in order of use.
func (s *fsel) variables(seen map[string]bool, out []string) []string {
	var walk func(v *ast.Value)
	walk = func(v *ast.Value) {
		if v == nil {
			return
		}
		if v.Kind == ast.Variable {
			if !seen[v.Raw] {
				seen[v.Raw] = true
				out = append(out, v.Raw)
			}
			return
		}
		for _, c := range v.Children {
			walk(c.Value)
		}
	}
	for _, it := range s.items {
		for _, a := range it.args {
			walk(a.Value)
		}
		for _, c := range it.conds {
			if !seen[c.Variable] {
				seen[c.Variable] = true
				out = append(out, c.Variable)
			}
		}
		if it.sub != nil {
			out = it.sub.variables(seen, out)
		}
	}
	return out
}
