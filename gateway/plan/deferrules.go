package plan

import (
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/validator/core"
)

// deferRules checks the uses of @defer that the incremental delivery RFC (and
// graphql-js's DeferStreamDirective* rules) forbid and gqlparser does not know:
//   - a label is a literal string, unique in the document: it is what tells a
//     client's parts apart, and a variable would let one document's labels
//     collide from request to request;
//   - no @defer (that is not turned off with if: false) in a subscription, or
//     on a fragment on the mutation or subscription root type: mutations'
//     root fields run in order and their results are not deferrable.
func deferRules(observers *core.Events, addError core.AddErrFunc) {
	// A fragment's directives are walked once per spread and once on their
	// own; each directive is checked once.
	seen := map[*ast.Directive]bool{}
	labels := map[string]*ast.Directive{}
	observers.OnDirective(func(w *core.Walker, d *ast.Directive) {
		if d.Name != "defer" || seen[d] {
			return
		}
		seen[d] = true
		if label := d.Arguments.ForName("label"); label != nil && label.Value != nil {
			switch label.Value.Kind {
			case ast.Variable:
				addError(core.Message(`The label of @defer must be a literal string, not the variable "$%s".`, label.Value.Raw), core.At(label.Value.Position))
			case ast.StringValue:
				if first := labels[label.Value.Raw]; first != nil {
					addError(core.Message(`The label "%s" is used by two @defer directives (the first at line %d); labels must be unique in a document.`, label.Value.Raw, first.Position.Line), core.At(d.Position))
				} else {
					labels[label.Value.Raw] = d
				}
			}
		}
		if deferTurnedOff(d) {
			return
		}
		if op := w.CurrentOperation; op != nil && op.Operation == ast.Subscription {
			addError(core.Message(`@defer is not supported in subscriptions; turn it off with "if: false".`), core.At(d.Position))
			return
		}
		if p := d.ParentDefinition; p != nil && (p == w.Schema.Mutation || p == w.Schema.Subscription) {
			addError(core.Message(`@defer cannot be used on the root type "%s": its fields run in order and are not deferrable.`, p.Name), core.At(d.Position))
		}
	})
}

// deferTurnedOff reports a @defer(if: false) written as a literal.
func deferTurnedOff(d *ast.Directive) bool {
	a := d.Arguments.ForName("if")
	return a != nil && a.Value != nil && a.Value.Kind == ast.BooleanValue && a.Value.Raw == "false"
}
