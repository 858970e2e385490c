package compose

import (
	"fmt"
	"regexp"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/shopgraph/shopgraph/gateway/supergraph"
)

// overrideLabel is the form of a progressive @override label: percent(N) or a name.
var overrideLabel = regexp.MustCompile(`^(percent\((100|[0-9]{1,2}(\.[0-9]+)?)\)|[a-zA-Z][a-zA-Z0-9_\-:./]*)$`)

// validate checks one subgraph on its own: the field sets of @key, @requires and
// @provides against its types, @external use, @override and @interfaceObject. It
// also applies the Federation 1 rules (implicit @external on keys of extensions,
// unused @external fields dropped). all is every subgraph of the composition.
func (sg *subgraph) validate(all []*subgraph) Errors {
	sg.errs = nil
	for _, name := range sg.order {
		t := sg.types[name]
		sg.validateKeys(t)
	}
	for _, name := range sg.order {
		t := sg.types[name]
		for _, f := range t.fields {
			sg.validateRequires(t, f)
			sg.validateProvides(t, f)
			sg.validateOverride(t, f)
		}
		if t.interfaceObject && len(t.keys) == 0 {
			sg.errorAt(CodeInterfaceObjectUsageError, t.name, t.pos, "the @interfaceObject directive can only be applied to entity types but type %q has no @key in this subgraph", t.name)
		}
		if t.kind == ast.Interface && len(t.keys) > 0 {
			sg.validateEntityInterface(t)
		}
	}
	sg.validateContexts()
	for _, name := range sg.order {
		sg.checkExternals(sg.types[name])
	}
	if !sg.fed2 {
		sg.checkExtensionsHaveBase(all)
	}
	return sg.errs
}

// fieldVisit is called for every field a field set selects: parent type, field,
// depth (0 for fields of the set's own type).
type fieldVisit func(parent *sgType, f *sgField, sel *ast.Field, depth int)

// walkFieldSet checks sel against typeName in the subgraph and visits its fields.
func (sg *subgraph) walkFieldSet(typeName string, sel ast.SelectionSet, depth int, visit fieldVisit) error {
	t := sg.types[typeName]
	if t == nil {
		return fmt.Errorf("type %q is not defined in the subgraph", typeName)
	}
	for _, s := range sel {
		switch s := s.(type) {
		case *ast.Field:
			if s.Name == "__typename" {
				continue
			}
			f := findField(t.fields, s.Name)
			if f == nil {
				return fmt.Errorf("cannot query field %q on type %q (the field does not exist)", s.Name, t.name)
			}
			visit(t, f, s, depth)
			base := f.typ.Name()
			bt := sg.types[base]
			composite := bt != nil && (bt.kind == ast.Object || bt.kind == ast.Interface || bt.kind == ast.Union)
			switch {
			case len(s.SelectionSet) > 0 && !composite:
				return fmt.Errorf("field %q.%q is a leaf and cannot have a selection", t.name, f.name)
			case len(s.SelectionSet) == 0 && composite:
				return fmt.Errorf("field %q.%q of type %q must have a selection of subfields", t.name, f.name, base)
			case len(s.SelectionSet) > 0:
				if err := sg.walkFieldSet(base, s.SelectionSet, depth+1, visit); err != nil {
					return err
				}
			}
		case *ast.InlineFragment:
			cond := s.TypeCondition
			if cond == "" {
				cond = typeName
			}
			if err := sg.walkFieldSet(cond, s.SelectionSet, depth, visit); err != nil {
				return err
			}
		default:
			return fmt.Errorf("named fragments are not allowed in field sets")
		}
	}
	return nil
}

func (sg *subgraph) validateKeys(t *sgType) {
	for _, k := range t.keys {
		sel, err := supergraph.ParseFieldSet(k.fields)
		if err == nil && len(sel) == 0 {
			err = fmt.Errorf("empty field set")
		}
		if err == nil {
			err = sg.walkFieldSet(t.name, sel, 0, func(parent *sgType, f *sgField, s *ast.Field, depth int) {
				f.used, f.keyField = true, true
				if depth == 0 {
					// Key fields marked @external (as Federation 1 requires on extended
					// types) are answered from the representation: not external.
					f.external = false
				}
				if len(f.args) > 0 {
					sg.errorAt(CodeKeyFieldsHasArgs, t.name, k.pos, "on type %q, for @key(fields: %q): field %s.%s has arguments, which keys do not allow", t.name, k.fields, parent.name, f.name)
				}
				if bt := sg.types[f.typ.Name()]; bt != nil && (bt.kind == ast.Interface || bt.kind == ast.Union) {
					sg.errorAt(CodeKeyFieldsSelectInvalidType, t.name, k.pos, "on type %q, for @key(fields: %q): field %s.%s is a %s type, which keys do not allow", t.name, k.fields, parent.name, f.name, bt.kind)
				}
			})
		}
		if err != nil {
			sg.errorAt(CodeKeyInvalidFields, t.name, k.pos, "on type %q, for @key(fields: %q): %v", t.name, k.fields, err)
		}
	}
}

func (sg *subgraph) validateRequires(t *sgType, f *sgField) {
	if f.requires == "" {
		return
	}
	coord := t.name + "." + f.name
	if t.kind == ast.Interface {
		sg.errorAt(CodeRequiresUnsupportedOnInterface, coord, f.pos, "cannot use @requires on field %q of an interface", coord)
		return
	}
	sel, err := supergraph.ParseFieldSet(f.requires)
	if err == nil {
		err = sg.walkFieldSet(t.name, sel, 0, func(parent *sgType, rf *sgField, s *ast.Field, depth int) {
			rf.used = true
			if depth == 0 && !rf.external && sg.fed2 {
				sg.errorAt(CodeRequiresFieldsMissingExternal, coord, f.pos, "on field %q, for @requires(fields: %q): field %q should not be part of a @requires since it is already provided by this subgraph (it is not marked @external)", coord, f.requires, parent.name+"."+rf.name)
			}
		})
	}
	if err != nil {
		sg.errorAt(CodeRequiresInvalidFields, coord, f.pos, "on field %q, for @requires(fields: %q): %v", coord, f.requires, err)
	}
}

func (sg *subgraph) validateProvides(t *sgType, f *sgField) {
	if f.provides == "" {
		return
	}
	coord := t.name + "." + f.name
	if t.kind == ast.Interface {
		sg.errorAt(CodeProvidesUnsupportedOnInterface, coord, f.pos, "cannot use @provides on field %q of an interface", coord)
		return
	}
	bt := sg.types[f.typ.Name()]
	if bt == nil || (bt.kind != ast.Object && bt.kind != ast.Interface && bt.kind != ast.Union) {
		sg.errorAt(CodeProvidesOnNonObjectField, coord, f.pos, "invalid @provides directive on field %q: field has type %q which is not a composite type", coord, f.typ.String())
		return
	}
	sel, err := supergraph.ParseFieldSet(f.provides)
	if err == nil {
		err = sg.walkFieldSet(bt.name, sel, 0, func(parent *sgType, pf *sgField, s *ast.Field, depth int) {
			pf.used = true
			if pf.external {
				pf.provided = true
			} else if sg.fed2 && !pf.keyField && len(s.SelectionSet) == 0 {
				sg.errorAt(CodeProvidesFieldsMissingExternal, coord, f.pos, "on field %q, for @provides(fields: %q): field %q should not be part of a @provides since it is already provided by this subgraph (it is not marked @external)", coord, f.provides, parent.name+"."+pf.name)
			}
		})
	}
	if err != nil {
		sg.errorAt(CodeProvidesInvalidFields, coord, f.pos, "on field %q, for @provides(fields: %q): %v", coord, f.provides, err)
	}
}

func (sg *subgraph) validateOverride(t *sgType, f *sgField) {
	if !f.hasOverride {
		return
	}
	coord := t.name + "." + f.name
	switch {
	case t.kind == ast.Interface:
		sg.errorAt(CodeOverrideOnInterface, coord, f.pos, "@override cannot be used on field %q of an interface", coord)
	case f.override == sg.name:
		sg.errorAt(CodeOverrideFromSelf, coord, f.pos, "source and destination subgraphs %q are the same for overridden field %q", sg.name, coord)
	case f.external:
		sg.errorAt(CodeOverrideCollision, coord, f.pos, "@override cannot be used on field %q which is also @external", coord)
	case f.overrideLabel != "" && !overrideLabel.MatchString(f.overrideLabel):
		sg.errorAt(CodeOverrideLabelInvalid, coord, f.pos, "invalid @override label %q on field %q: want percent(0-100) or a name matching [a-zA-Z][a-zA-Z0-9_-:./]*", f.overrideLabel, coord)
	}
}

// validateEntityInterface checks that every implementation of an interface with
// @key in this subgraph has the same keys.
func (sg *subgraph) validateEntityInterface(t *sgType) {
	for _, name := range sg.order {
		impl := sg.types[name]
		if impl.kind != ast.Object || !contains(impl.interfaces, t.name) {
			continue
		}
		for _, k := range t.keys {
			if !k.resolvable {
				continue
			}
			found := false
			for _, ik := range impl.keys {
				if ik.fields == k.fields {
					found = true
				}
			}
			if !found {
				sg.errorAt(CodeInterfaceKeyNotOnImplementation, impl.name, impl.pos, "key @key(fields: %q) on interface %q must be present on implementation %q in this subgraph", k.fields, t.name, impl.name)
			}
		}
	}
}

// checkExternals reports @external fields no directive uses (Federation 2) or drops
// them (Federation 1, whose subgraphs often declare them for documentation).
func (sg *subgraph) checkExternals(t *sgType) {
	var kept []*sgField
	for _, f := range t.fields {
		if !f.external || f.used || sg.satisfiesInterface(t, f.name) {
			kept = append(kept, f)
			continue
		}
		if !sg.fed2 {
			continue
		}
		sg.errorAt(CodeExternalUnused, t.name+"."+f.name, f.pos, "field %q is marked @external but is not used in any federation directive (@key, @provides, @requires) or to satisfy an interface", t.name+"."+f.name)
		kept = append(kept, f)
	}
	t.fields = kept
}

func (sg *subgraph) satisfiesInterface(t *sgType, field string) bool {
	for _, i := range t.interfaces {
		if it := sg.types[i]; it != nil && findField(it.fields, field) != nil {
			return true
		}
	}
	return false
}

// checkExtensionsHaveBase applies the Federation 1 rule that an extended type must
// be defined somewhere.
func (sg *subgraph) checkExtensionsHaveBase(all []*subgraph) {
	for _, name := range sg.order {
		t := sg.types[name]
		if t.defined && !t.extendsDir || name == "Query" || name == "Mutation" || name == "Subscription" {
			continue
		}
		base := false
		for _, o := range all {
			if ot := o.types[name]; ot != nil && ot.defined && !ot.extendsDir {
				base = true
			}
		}
		if !base {
			sg.errorAt(CodeExtensionWithNoBase, name, t.pos, "type %q is an extension type, but there is no type definition for %q in any subgraph", name, name)
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
