package plan

import (
	"fmt"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
)

// Operation is a normalised operation: fragments expanded into inline fragments,
// @skip/@include with literal arguments resolved, fields with the same response
// key and the same conditions merged. @skip/@include on variables become the
// Conditions of fields (a fragment's conditions are pushed down to its fields),
// so one operation serves every value; fields with the same key and different
// conditions stay apart and shaping merges those that hold.
type Operation struct {
	Kind ast.Operation
	Name string
	// RootType is the API schema's root type for Kind.
	RootType string
	// Selections are the root selections.
	Selections []Selection
	// Variables are the operation's variable definitions, for subgraph operations.
	Variables ast.VariableDefinitionList
	// Defers are the @defer fragments at the root (defer.go).
	Defers     []*Defer
	deferCount int
	// defersOff counts the @defer fragments a variable turned off.
	defersOff int
}

// Selection is a *Field or a *Fragment.
type Selection interface{ selection() }

// Field is a selected field.
type Field struct {
	// Key is the response key: the alias, or the name when there is none.
	Key       string
	Name      string
	Arguments ast.ArgumentList
	// Parent is the type the field is selected on; Type its API schema type.
	Parent     string
	Type       *ast.Type
	Selections []Selection
	// Definition is the API schema definition (nil for __typename).
	Definition *ast.FieldDefinition
	// Conditions are the @skip/@include on variables that decide, per request,
	// whether the field is in the response.
	Conditions Conditions
	// DataKey, when set, is the key the field's value has in the merged data:
	// the planner aliased the field in subgraph operations because its type
	// there conflicts with a sibling fragment's field of the same key.
	DataKey string
	// group, when set, holds the selections of every field that shares the
	// response key with this one; shaping merges their values.
	group []Selection
	// internal marks a field the planner added (a key or a requirement),
	// which it may rename when its key is taken.
	internal bool
	// Defer, when set, is the @defer whose part the field goes to; Defers
	// are the @defer fragments on the field's own selections (defer.go).
	Defer  *Defer
	Defers []*Defer
}

// DataKeyOrKey returns the key of the field's value in the merged data.
func (f *Field) DataKeyOrKey() string {
	if f.DataKey != "" {
		return f.DataKey
	}
	return f.Key
}

// Fragment is an inline fragment that narrows to TypeCondition.
type Fragment struct {
	TypeCondition string
	Selections    []Selection
}

func (*Field) selection()    {}
func (*Fragment) selection() {}

// normaliser expands an operation against the API schema.
type normaliser struct {
	schema    *ast.Schema
	doc       *ast.QueryDocument
	fragDepth int
	// deferring is the @defer being normalised; home lists the defers of
	// the selection set being normalised; defers counts them all.
	deferring *Defer
	home      *[]*Defer
	defers    int
	// vars are the request's variables, for @defer(if: $var); defersOff
	// counts the defers they turned off.
	vars      map[string]any
	defersOff int
}

// conditions reads @skip/@include: ok is false when a literal argument excludes
// the selection; conditions on variables are added to outer and returned.
func conditions(outer Conditions, dirs ast.DirectiveList) (cs Conditions, ok bool) {
	cs = outer
	for _, d := range dirs {
		if d.Name != "skip" && d.Name != "include" {
			continue
		}
		a := d.Arguments.ForName("if")
		if a == nil || a.Value == nil {
			continue
		}
		include := d.Name == "include"
		switch a.Value.Kind {
		case ast.BooleanValue:
			if (a.Value.Raw == "true") != include {
				return nil, false
			}
		case ast.Variable:
			cs = cs.and(Conditions{{Variable: a.Value.Raw, Include: include}})
		}
	}
	return cs, true
}

func (n *normaliser) operation(op *ast.OperationDefinition) (*Operation, error) {
	root := n.schema.Query
	switch op.Operation {
	case ast.Mutation:
		root = n.schema.Mutation
	case ast.Subscription:
		root = n.schema.Subscription
	}
	if root == nil {
		return nil, fmt.Errorf("schema has no %s type", op.Operation)
	}
	var rootDefers []*Defer
	n.home = &rootDefers
	sels, err := n.selections(nil, op.SelectionSet, root.Name, nil)
	if err != nil {
		return nil, err
	}
	return &Operation{Kind: op.Operation, Name: op.Name, RootType: root.Name, Selections: sels, Variables: op.VariableDefinitions,
		Defers: rootDefers, deferCount: n.defers, defersOff: n.defersOff}, nil
}

// possible returns the object types a type may be at run time.
func (n *normaliser) possible(name string) []string {
	def := n.schema.Types[name]
	if def == nil {
		return nil
	}
	if def.Kind == ast.Object {
		return []string{name}
	}
	var out []string
	for _, p := range n.schema.PossibleTypes[name] {
		out = append(out, p.Name)
	}
	return out
}

// alwaysApplies reports whether a fragment on cond matches every object of type parent.
func (n *normaliser) alwaysApplies(cond, parent string) bool {
	if cond == "" || cond == parent {
		return true
	}
	ps := n.possible(parent)
	if len(ps) == 0 {
		return false
	}
	cs := n.possible(cond)
	for _, p := range ps {
		found := false
		for _, c := range cs {
			if c == p {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

func (n *normaliser) isObject(name string) bool {
	def := n.schema.Types[name]
	return def != nil && def.Kind == ast.Object
}

func (n *normaliser) neverApplies(cond, parent string) bool {
	ps := n.possible(parent)
	for _, c := range n.possible(cond) {
		for _, p := range ps {
			if c == p {
				return false
			}
		}
	}
	return true
}

// selections normalises set at type parent under the conditions outer.
func (n *normaliser) selections(out []Selection, set ast.SelectionSet, parent string, outer Conditions) ([]Selection, error) {
	for _, s := range set {
		switch s := s.(type) {
		case *ast.Field:
			conds, ok := conditions(outer, s.Directives)
			if !ok {
				continue
			}
			f := &Field{Key: s.Alias, Name: s.Name, Arguments: s.Arguments, Parent: parent, Conditions: conds, Defer: n.deferring}
			if f.Key == "" {
				f.Key = s.Name
			}
			if s.Name == "__typename" {
				f.Type = ast.NonNullNamedType("String", nil)
			} else {
				def := n.schema.Types[parent]
				var fd *ast.FieldDefinition
				if def != nil {
					fd = def.Fields.ForName(s.Name)
				}
				if fd == nil {
					return nil, fmt.Errorf("unknown field %s.%s", parent, s.Name)
				}
				f.Definition = fd
				f.Type = fd.Type
				if len(s.SelectionSet) > 0 {
					var err error
					home := n.home
					n.home = &f.Defers
					f.Selections, err = n.selections(nil, s.SelectionSet, fd.Type.Name(), nil)
					n.home = home
					if err != nil {
						return nil, err
					}
				}
			}
			out = mergeField(out, f)
		case *ast.InlineFragment:
			conds, ok := conditions(outer, s.Directives)
			if !ok {
				continue
			}
			var err error
			frag := func() ([]Selection, error) { return n.fragment(out, s.TypeCondition, s.SelectionSet, parent, conds) }
			if d := n.deferOf(s.Directives, s.TypeCondition); d != nil {
				out, err = n.deferredFragment(d, frag)
			} else {
				out, err = frag()
			}
			if err != nil {
				return nil, err
			}
		case *ast.FragmentSpread:
			conds, ok := conditions(outer, s.Directives)
			if !ok {
				continue
			}
			def := n.doc.Fragments.ForName(s.Name)
			if def == nil {
				return nil, fmt.Errorf("unknown fragment %q", s.Name)
			}
			n.fragDepth++
			if n.fragDepth > 100 {
				return nil, fmt.Errorf("fragment %q nests too deep", s.Name)
			}
			var err error
			frag := func() ([]Selection, error) {
				return n.fragment(out, def.TypeCondition, def.SelectionSet, parent, conds)
			}
			if d := n.deferOf(s.Directives, def.TypeCondition); d != nil {
				out, err = n.deferredFragment(d, frag)
			} else {
				out, err = frag()
			}
			n.fragDepth--
			if err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// fragment normalises a fragment on cond at type parent; its conditions conds go
// to its fields, which keeps fragments themselves unconditional.
func (n *normaliser) fragment(out []Selection, cond string, set ast.SelectionSet, parent string, conds Conditions) ([]Selection, error) {
	// Flatten a fragment that always applies when its fields exist on the parent:
	// the parent is that type or an object type (which has every field of its
	// interfaces). A narrower condition on an abstract parent stays a fragment.
	if n.alwaysApplies(cond, parent) && (cond == "" || cond == parent || n.isObject(parent)) {
		return n.selections(out, set, parent, conds)
	}
	if n.neverApplies(cond, parent) {
		return out, nil
	}
	sels, err := n.selections(nil, set, cond, conds)
	if err != nil {
		return nil, err
	}
	// Only a fragment right before can take these selections: merging into an
	// earlier one would move them ahead of the selections in between, and the
	// response's field order is the order in which fields are first met.
	if len(out) > 0 {
		if fr, ok := out[len(out)-1].(*Fragment); ok && fr.TypeCondition == cond {
			for _, c := range sels {
				fr.Selections = mergeSelection(fr.Selections, c)
			}
			return out, nil
		}
	}
	return append(out, &Fragment{TypeCondition: cond, Selections: sels}), nil
}

func mergeSelection(out []Selection, s Selection) []Selection {
	switch s := s.(type) {
	case *Field:
		return mergeField(out, s)
	case *Fragment:
		if len(out) > 0 {
			if fr, ok := out[len(out)-1].(*Fragment); ok && fr.TypeCondition == s.TypeCondition {
				for _, c := range s.Selections {
					fr.Selections = mergeSelection(fr.Selections, c)
				}
				return out
			}
		}
		return append(out, s)
	}
	return out
}

// mergeField adds f, folding it into an earlier field with the same response key
// and the same conditions; validation guarantees such fields have the same name
// and arguments. Fields under other conditions stay apart: each brings its
// subselections only when its own conditions hold.
func mergeField(out []Selection, f *Field) []Selection {
	// Only the latest field with the key can take f: folding into an earlier
	// one would put f's subselections ahead of those of a field in between
	// (under other conditions) that the response lists first.
	for i := len(out) - 1; i >= 0; i-- {
		if _, ok := out[i].(*Fragment); ok {
			break // it may hold a field with the key, which comes first
		}
		if of, ok := out[i].(*Field); ok && of.Key == f.Key {
			if !of.Conditions.same(f.Conditions) {
				break
			}
			of.Defer = earlierDefer(of.Defer, f.Defer)
			of.Defers = append(of.Defers, f.Defers...)
			for _, c := range f.Selections {
				of.Selections = mergeSelection(of.Selections, c)
			}
			return out
		}
	}
	return append(out, f)
}

// String prints the normalised operation.
func (o *Operation) String() string {
	var b strings.Builder
	b.WriteString(string(o.Kind))
	if o.Name != "" {
		b.WriteString(" " + o.Name)
	}
	for _, d := range o.Defers {
		writeDeferDecl(&b, d)
	}
	if o.defersOff > 0 {
		// Not the plan of the same selections without @defer: this one
		// answers incrementally (HasDefer).
		b.WriteString("@defers-off")
	}
	writeSelections(&b, o.Selections)
	return b.String()
}

func writeSelections(b *strings.Builder, sels []Selection) {
	if len(sels) == 0 {
		return
	}
	b.WriteString("{")
	for i, s := range sels {
		if i > 0 {
			b.WriteString(" ")
		}
		switch s := s.(type) {
		case *Field:
			if s.Key != s.Name {
				b.WriteString(s.Key + ":")
			}
			b.WriteString(s.Name)
			writeArguments(b, s.Arguments)
			s.Conditions.write(b)
			writeDefers(b, s)
			writeSelections(b, s.Selections)
		case *Fragment:
			b.WriteString("...on " + s.TypeCondition)
			writeSelections(b, s.Selections)
		}
	}
	b.WriteString("}")
}

func writeArguments(b *strings.Builder, args ast.ArgumentList) {
	if len(args) == 0 {
		return
	}
	b.WriteString("(")
	for i, a := range args {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(a.Name + ":" + a.Value.String())
	}
	b.WriteString(")")
}
