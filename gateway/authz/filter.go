package authz

import (
	"errors"
	"slices"

	"github.com/vektah/gqlparser/v2/ast"
)

// maxVisits bounds the selections a filter visits with fragments expanded:
// named fragments are filtered once but their removals are recorded for every
// place they are spread, and nested spreads multiply.
const maxVisits = 100_000

// ErrTooComplex refuses a document whose fragments expand past maxVisits.
var ErrTooComplex = errors.New("the operation expands to too many selections to authorize")

// walker filters one operation for one grant.
type walker struct {
	f       *Filter
	g       grant
	doc     *ast.QueryDocument
	removed []Removal
	// defs are the filtered selection sets of the named fragments spread so far.
	defs   map[string]ast.SelectionSet
	visits int
}

// set filters the selections of set, made on type parent at a position whose
// objects are of type objType (the enclosing field's type), path leading to
// that field. prev is the response key of the last field seen at this level.
// needTypename reports removals that only apply to some object types at this
// position: the objects' __typename must then be asked for.
func (w *walker) set(set ast.SelectionSet, parent, objType string, path []Step, prev *string) (out ast.SelectionSet, needTypename bool, err error) {
	for _, sel := range set {
		if w.visits++; w.visits > maxVisits {
			return nil, false, ErrTooComplex
		}
		switch s := sel.(type) {
		case *ast.Field:
			f, narrow, err := w.field(s, parent, objType, path, prev)
			if err != nil {
				return nil, false, err
			}
			needTypename = needTypename || narrow
			if f != nil {
				out = append(out, f)
			}
		case *ast.InlineFragment:
			cond := s.TypeCondition
			if cond == "" {
				cond = parent
			}
			sub, narrow, err := w.fragment(cond, s.SelectionSet, objType, path, prev)
			if err != nil {
				return nil, false, err
			}
			needTypename = needTypename || narrow
			if len(sub) > 0 {
				nf := *s
				nf.SelectionSet = sub
				out = append(out, &nf)
			}
		case *ast.FragmentSpread:
			def := w.doc.Fragments.ForName(s.Name)
			if def == nil {
				out = append(out, s)
				continue
			}
			sub, narrow, err := w.fragment(def.TypeCondition, def.SelectionSet, objType, path, prev)
			if err != nil {
				return nil, false, err
			}
			needTypename = needTypename || narrow
			if len(sub) > 0 {
				// Filtering depends on the fragment's type alone, so every
				// spread of it gets the same selections.
				w.defs[s.Name] = sub
				out = append(out, s)
			}
		}
	}
	return out, needTypename, nil
}

// fragment filters a fragment on cond; a fragment on a type the request may
// not read is removed whole.
func (w *walker) fragment(cond string, set ast.SelectionSet, objType string, path []Step, prev *string) (ast.SelectionSet, bool, error) {
	if !w.g.meets(w.f.reqs.Types[cond]) {
		w.removed = append(w.removed, Removal{Steps: path, Fragment: cond})
		return nil, cond != objType, nil
	}
	return w.set(set, cond, objType, path, prev)
}

// field filters one field; nil means it was removed.
func (w *walker) field(s *ast.Field, parent, objType string, path []Step, prev *string) (*ast.Field, bool, error) {
	key := s.Alias
	if key == "" {
		key = s.Name
	}
	after := *prev
	*prev = key
	if s.Name == "__typename" || s.Name == "__schema" || s.Name == "__type" {
		return s, false, nil
	}
	pdef := w.f.schema.Types[parent]
	if pdef == nil {
		return s, false, nil
	}
	fd := pdef.Fields.ForName(s.Name)
	if fd == nil {
		return s, false, nil
	}
	step := Step{Key: key, Type: fd.Type}
	narrow := false
	if parent != objType && pdef.Kind == ast.Object {
		step.On, narrow = parent, true
	}
	here := append(slices.Clip(path), step)
	if !w.allowed(pdef, fd) {
		w.removed = append(w.removed, Removal{Steps: here, After: after})
		return nil, narrow, nil
	}
	if len(s.SelectionSet) == 0 {
		return s, false, nil
	}
	mark := len(w.removed)
	var subPrev string
	child := fd.Type.Name()
	sub, needTypename, err := w.set(s.SelectionSet, child, child, here, &subPrev)
	if err != nil {
		return nil, false, err
	}
	if len(sub) == 0 {
		// Nothing left to select: the field goes, with one error of its own
		// in place of its children's.
		w.removed = append(w.removed[:mark], Removal{Steps: here, After: after})
		return nil, narrow, nil
	}
	if needTypename {
		sub = append(sub, typenameField())
	}
	nf := *s
	nf.SelectionSet = sub
	return &nf, false, nil
}

// allowed applies the rules of the package comment to field fd of type pdef.
func (w *walker) allowed(pdef *ast.Definition, fd *ast.FieldDefinition) bool {
	reqs := w.f.reqs
	if !w.g.meets(reqs.Types[pdef.Name]) || !w.g.meets(reqs.Fields[pdef.Name+"."+fd.Name]) || !w.g.meets(reqs.Types[fd.Type.Name()]) {
		return false
	}
	if pdef.IsAbstractType() {
		for _, impl := range w.f.schema.GetPossibleTypes(pdef) {
			if !w.g.meets(reqs.Types[impl.Name]) || !w.g.meets(reqs.Fields[impl.Name+"."+fd.Name]) {
				return false
			}
		}
	}
	return true
}
