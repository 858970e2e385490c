package plan

import (
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/validator/core"
	"github.com/vektah/gqlparser/v2/validator/rules"
)

// validationRules are gqlparser's rules, plus deferRules, with three of them pointing where
// graphql-js (and so Apollo Router) points: an unknown argument at the
// argument, an unknown variable type at the type, and a selection on a leaf
// field reported once, by ScalarLeafs, not also as unknown fields of a scalar.
func validationRules() *rules.Rules {
	rs := rules.NewDefaultRules()
	rs.ReplaceRule(rules.KnownArgumentNamesRule.Name, knownArgumentNames)
	rs.ReplaceRule(rules.KnownTypeNamesRule.Name, knownTypeNames)
	fieldsOnType := rules.FieldsOnCorrectTypeRule.RuleFunc
	rs.ReplaceRule(rules.FieldsOnCorrectTypeRule.Name, func(observers *core.Events, addError core.AddErrFunc) {
		// Fields under a leaf are ScalarLeafs' error; graphql-js has no parent
		// type there and reports nothing else. Observers run in the order they
		// were added, so this one marks the field before the rule sees it.
		underLeaf := false
		observers.OnField(func(_ *core.Walker, f *ast.Field) {
			def := f.ObjectDefinition
			underLeaf = def != nil && (def.Kind == ast.Scalar || def.Kind == ast.Enum)
		})
		fieldsOnType(observers, func(opts ...core.ErrorOption) {
			if !underLeaf {
				addError(opts...)
			}
		})
	})
	rs.AddRule("DeferDirectives", deferRules)
	return rs
}

func knownArgumentNames(observers *core.Events, addError core.AddErrFunc) {
	observers.OnField(func(_ *core.Walker, f *ast.Field) {
		if f.Definition == nil || f.ObjectDefinition == nil {
			return
		}
		for _, arg := range f.Arguments {
			if f.Definition.Arguments.ForName(arg.Name) != nil {
				continue
			}
			addError(
				core.Message(`Unknown argument "%s" on field "%s.%s".`, arg.Name, f.ObjectDefinition.Name, f.Name),
				core.SuggestListQuoted("Did you mean", arg.Name, argumentNames(f.Definition.Arguments)),
				core.At(arg.Position),
			)
		}
	})
	observers.OnDirective(func(_ *core.Walker, d *ast.Directive) {
		if d.Definition == nil {
			return
		}
		for _, arg := range d.Arguments {
			if d.Definition.Arguments.ForName(arg.Name) != nil {
				continue
			}
			addError(
				core.Message(`Unknown argument "%s" on directive "@%s".`, arg.Name, d.Name),
				core.SuggestListQuoted("Did you mean", arg.Name, argumentNames(d.Definition.Arguments)),
				core.At(arg.Position),
			)
		}
	})
}

func argumentNames(defs ast.ArgumentDefinitionList) []string {
	out := make([]string, len(defs))
	for i, d := range defs {
		out[i] = d.Name
	}
	return out
}

func knownTypeNames(observers *core.Events, addError core.AddErrFunc) {
	observers.OnVariable(func(w *core.Walker, v *ast.VariableDefinition) {
		if w.Schema.Types[v.Type.Name()] != nil {
			return
		}
		at := v.Type.Position
		if at == nil {
			at = v.Position
		}
		addError(core.Message(`Unknown type "%s".`, v.Type.Name()), core.At(at))
	})
	observers.OnInlineFragment(func(w *core.Walker, f *ast.InlineFragment) {
		if f.TypeCondition == "" || w.Schema.Types[f.TypeCondition] != nil {
			return
		}
		addError(core.Message(`Unknown type "%s".`, f.TypeCondition), core.At(f.Position))
	})
	observers.OnFragment(func(w *core.Walker, f *ast.FragmentDefinition) {
		if w.Schema.Types[f.TypeCondition] != nil {
			return
		}
		var names []string
		for name := range w.Schema.Types {
			names = append(names, name)
		}
		addError(
			core.Message(`Unknown type "%s".`, f.TypeCondition),
			core.SuggestListQuoted("Did you mean", f.TypeCondition, names),
			core.At(f.Position),
		)
	})
}
