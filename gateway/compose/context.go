package compose

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/shopgraph/shopgraph/gateway/supergraph"
)

// Contextual arguments (Federation v2.8): a type sets a named context with
// @context(name:), and a field argument marked @fromContext(field: "$name
// { selection }") takes its value from the nearest ancestor in the operation
// whose type sets that context, read with the selection. Clients never pass
// such an argument: it is left out of the supergraph's field and written,
// per subgraph, as @join__field(contextArguments:) (join v0.5), with the
// context named "<Subgraph>__<name>" on the types that set it (context spec
// v0.1). The rules below are the reference composer's (@apollo/composition
// 2.14.4), error codes included.

// Error codes of contextual arguments.
const (
	CodeContextNotSet                   = "CONTEXT_NOT_SET"
	CodeContextInvalidSelection         = "CONTEXT_INVALID_SELECTION"
	CodeNoContextInSelection            = "NO_CONTEXT_IN_SELECTION"
	CodeContextNoResolvableKey          = "CONTEXT_NO_RESOLVABLE_KEY"
	CodeContextNameInvalid              = "CONTEXT_NAME_INVALID"
	CodeContextualArgumentNotContextual = "CONTEXTUAL_ARGUMENT_NOT_CONTEXTUAL_IN_ALL_SUBGRAPHS"
)

// sgContextArg is an argument marked @fromContext in one subgraph.
type sgContextArg struct {
	arg *ast.ArgumentDefinition
	// field is @fromContext's field argument as written: "$name selection".
	field string
	// context and selection are field split; ok is false when it names no context.
	context, selection string
	ok                 bool
	pos                *ast.Position
}

// contextField matches "$name selection", comments and commas allowed before
// and after the "$" as GraphQL ignores them.
var contextField = regexp.MustCompile(`^(?:[\n\r\t ,]|#[^\n\r]*)*\$(?:[\n\r\t ,]|#[^\n\r]*)*([A-Za-z_]\w*)([\s\S]*)$`)

// contextName is the form of a context's name: no underscore, which the
// supergraph uses to prefix it with the subgraph's name.
var contextName = regexp.MustCompile(`^[A-Za-z]\w*$`)

func parseContextField(s string) (ctx, sel string, ok bool) {
	m := contextField.FindStringSubmatch(s)
	if m == nil || m[1] == "" || m[2] == "" {
		return "", "", false
	}
	return m[1], m[2], true
}

// readContextArgs records the @fromContext arguments of a field definition.
func (sg *subgraph) readContextArgs(f *sgField, fd *ast.FieldDefinition) {
	for _, a := range fd.Arguments {
		for _, d := range a.Directives {
			if sg.fed(d) != "fromContext" {
				continue
			}
			ca := &sgContextArg{arg: a, field: dirArg(d, "field"), pos: d.Position}
			ca.context, ca.selection, ca.ok = parseContextField(ca.field)
			f.ctxArgs = append(f.ctxArgs, ca)
		}
	}
}

// contextual reports whether the field's argument name is marked @fromContext.
func (f *sgField) contextual(name string) bool {
	for _, ca := range f.ctxArgs {
		if ca.arg.Name == name {
			return true
		}
	}
	return false
}

// validateContexts checks the subgraph's @context names and every
// @fromContext argument: where it may stand, that its context is set, and
// that its selection is valid on every type that sets the context and gives
// the argument's type.
func (sg *subgraph) validateContexts() {
	setters := map[string][]*sgType{}
	for _, name := range sg.order {
		t := sg.types[name]
		for _, c := range t.contexts {
			switch {
			case strings.Contains(c, "_"):
				sg.errorAt(CodeContextNameInvalid, t.name, t.pos, "context name %q may not contain an underscore", c)
			case !contextName.MatchString(c):
				sg.errorAt(CodeContextNameInvalid, t.name, t.pos, "context name %q is invalid: it should have only alphanumeric characters", c)
			}
			setters[c] = append(setters[c], t)
		}
	}
	for _, name := range sg.order {
		t := sg.types[name]
		for _, f := range t.fields {
			for _, ca := range f.ctxArgs {
				sg.validateContextArg(t, f, ca, setters)
			}
		}
	}
}

func (sg *subgraph) validateContextArg(t *sgType, f *sgField, ca *sgContextArg, setters map[string][]*sgType) {
	coord := t.name + "." + f.name + "(" + ca.arg.Name + ":)"
	if t.kind != ast.Object {
		sg.errorAt(CodeContextNotSet, coord, ca.pos, "@fromContext argument cannot be used on a field that exists on an abstract type %q", coord)
		return
	}
	for _, i := range t.interfaces {
		if it := sg.types[i]; it != nil && findField(it.fields, f.name) != nil {
			sg.errorAt(CodeContextNotSet, coord, ca.pos, "@fromContext argument cannot be used on a field implementing an interface field %q", i+"."+f.name)
		}
	}
	if ca.arg.DefaultValue != nil {
		sg.errorAt(CodeContextNotSet, coord, ca.pos, "@fromContext arguments may not have a default value: %q", coord)
	}
	if !ca.ok {
		sg.errorAt(CodeNoContextInSelection, coord, ca.pos, "@fromContext argument %q does not reference a context: %q", coord, ca.field)
		return
	}
	if locs := setters[ca.context]; len(locs) == 0 {
		sg.errorAt(CodeContextNotSet, coord, ca.pos, "context %q is used at location %q but is never set", ca.context, coord)
	} else {
		sg.validateContextSelection(coord, ca, locs)
	}
	resolvable := false
	for _, k := range t.keys {
		resolvable = resolvable || k.resolvable
	}
	if !resolvable {
		sg.errorAt(CodeContextNoResolvableKey, t.name, t.pos, "object %q has no resolvable key but has a field with a contextual argument (%s)", t.name, coord)
	}
}

// validateContextSelection checks the selection of a contextual argument
// against every type that sets its context: a single field (possibly
// nested), or inline fragments on object types each selecting one, with no
// alias or directive, resolving to the argument's type.
func (sg *subgraph) validateContextSelection(coord string, ca *sgContextArg, locs []*sgType) {
	fail := func(format string, args ...any) {
		sg.errorAt(CodeContextInvalidSelection, coord, ca.pos, "context %q is used in %q but the selection is invalid: %s", ca.context, coord, fmt.Sprintf(format, args...))
	}
	sel, err := supergraph.ParseContextSelection(ca.selection)
	if err != nil {
		fail("%v", err)
		return
	}
	if len(sel) == 0 {
		fail("no selection is made")
		return
	}
	fragments := false
	conds := map[string]bool{}
	switch sel[0].(type) {
	case *ast.Field:
		if len(sel) != 1 {
			fail("multiple selections are made")
			return
		}
	case *ast.InlineFragment:
		fragments = true
		for _, s := range sel {
			fr, ok := s.(*ast.InlineFragment)
			if !ok {
				fail("multiple fields could be selected")
				return
			}
			if fr.TypeCondition != "" {
				conds[fr.TypeCondition] = true
			}
		}
		if len(conds) != len(sel) {
			fail("type conditions have same name")
			return
		}
	default:
		fail("fragment spread is not allowed")
		return
	}
	expected := ca.arg.Type
	used := map[string]bool{}
	for _, loc := range locs {
		if err := sg.checkContextSelection(loc.name, sel); err != nil {
			fail("invalid for type %s: %v", loc.name, err)
			return
		}
		if !fragments {
			got := sg.contextSelectionType(loc.name, sel, fail)
			if got == nil || !validImplementationType(got, expected) {
				fail("the type of the selection %q does not match the expected type %q", typeString(got), expected.String())
				return
			}
			continue
		}
		runtime := sg.runtimeTypes(loc)
		var matched []*ast.InlineFragment
		for _, s := range sel {
			fr := s.(*ast.InlineFragment)
			ct := sg.types[fr.TypeCondition]
			if ct == nil || ct.kind != ast.Object {
				fail("type conditions must be an object type")
				continue
			}
			if contains(runtime, fr.TypeCondition) {
				matched = append(matched, fr)
				used[fr.TypeCondition] = true
			}
		}
		if len(matched) == 0 {
			fail("no type condition matches the location %q", loc.name)
			return
		}
		for _, fr := range matched {
			got := sg.contextSelectionType(fr.TypeCondition, fr.SelectionSet, fail)
			if got == nil {
				fail("the type of the selection does not match the expected type %q", expected.String())
				return
			}
			got.NonNull = false
			if !validImplementationType(got, expected) {
				fail("the type of the selection %q does not match the expected type %q", got.String(), expected.String())
				return
			}
		}
	}
	if fragments {
		for _, s := range sel {
			if c := s.(*ast.InlineFragment).TypeCondition; !used[c] {
				fail("type condition %q is never used", c)
			}
		}
	}
}

// checkContextSelection checks that sel is a valid selection on type tn of
// the subgraph, without aliases or directives, and marks the fields it
// selects as used (an @external field a context reads is not unused).
func (sg *subgraph) checkContextSelection(tn string, sel ast.SelectionSet) error {
	t := sg.types[tn]
	if t == nil {
		return fmt.Errorf("unknown type %q", tn)
	}
	for _, s := range sel {
		switch s := s.(type) {
		case *ast.Field:
			if len(s.Directives) > 0 {
				return fmt.Errorf("directives are not allowed in the selection")
			}
			if s.Alias != "" && s.Alias != s.Name {
				return fmt.Errorf("aliases are not allowed in the selection")
			}
			if s.Name == "__typename" {
				continue
			}
			f := findField(t.fields, s.Name)
			if f == nil {
				return fmt.Errorf("cannot query field %q on type %q", s.Name, tn)
			}
			f.used = true
			bt := sg.types[f.typ.Name()]
			composite := bt != nil && (bt.kind == ast.Object || bt.kind == ast.Interface || bt.kind == ast.Union)
			switch {
			case composite && len(s.SelectionSet) == 0:
				return fmt.Errorf("field %q of type %q must have a selection of subfields", s.Name, f.typ.String())
			case !composite && len(s.SelectionSet) > 0:
				return fmt.Errorf("field %q must not have a selection since type %q has no subfields", s.Name, f.typ.String())
			case composite:
				if err := sg.checkContextSelection(bt.name, s.SelectionSet); err != nil {
					return err
				}
			}
		case *ast.InlineFragment:
			if len(s.Directives) > 0 {
				return fmt.Errorf("directives are not allowed in the selection")
			}
			cond := s.TypeCondition
			if cond == "" {
				cond = tn
			}
			if sg.types[cond] == nil {
				return fmt.Errorf("unknown type %q", cond)
			}
			if err := sg.checkContextSelection(cond, s.SelectionSet); err != nil {
				return err
			}
		default:
			return fmt.Errorf("fragment spread is not allowed")
		}
	}
	return nil
}

// contextSelectionType returns the type a context selection at type tn
// resolves to: the selected leaf's, inside the lists of the fields on the
// way, without non-null; nil when the selections disagree or one is a
// fragment. An @interfaceObject type on the way is reported through fail.
func (sg *subgraph) contextSelectionType(tn string, sel ast.SelectionSet, fail func(string, ...any)) *ast.Type {
	t := sg.types[tn]
	if t == nil {
		return nil
	}
	if t.kind == ast.Object && t.interfaceObject {
		fail("one of the types in the selection is an interfaceObject: %q", tn)
	}
	var out *ast.Type
	for i, s := range sel {
		var got *ast.Type
		if f, ok := s.(*ast.Field); ok {
			if def := findField(t.fields, f.Name); def != nil {
				inner := &ast.Type{NamedType: def.typ.Name()}
				if len(f.SelectionSet) > 0 {
					inner = sg.contextSelectionType(def.typ.Name(), f.SelectionSet, fail)
				}
				if inner != nil {
					got = wrapLists(def.typ, inner)
				}
			}
		}
		if got == nil || (i > 0 && (out == nil || out.String() != got.String())) {
			return nil
		}
		out = got
	}
	return out
}

// wrapLists puts inner inside the list levels of original, without non-null.
func wrapLists(original, inner *ast.Type) *ast.Type {
	if original.Elem == nil {
		return copyType(inner)
	}
	return &ast.Type{Elem: wrapLists(original.Elem, inner)}
}

// validImplementationType reports whether a value of type got may stand
// where want is declared: the same lists and named type, got possibly
// non-null where want is nullable (graphql-js's rule for implementing
// fields, which the reference composer applies).
func validImplementationType(got, want *ast.Type) bool {
	if got.NonNull {
		g := *got
		g.NonNull = false
		if want.NonNull {
			w := *want
			w.NonNull = false
			return validImplementationType(&g, &w)
		}
		return validImplementationType(&g, want)
	}
	if got.Elem != nil && want.Elem != nil && !want.NonNull {
		return validImplementationType(got.Elem, want.Elem)
	}
	return got.Elem == nil && want.Elem == nil && !want.NonNull && got.NamedType == want.NamedType
}

func typeString(t *ast.Type) string {
	if t == nil {
		return "undefined"
	}
	return t.String()
}

// runtimeTypes lists the object types a value of type t may have in the subgraph.
func (sg *subgraph) runtimeTypes(t *sgType) []string {
	switch t.kind {
	case ast.Object:
		return []string{t.name}
	case ast.Union:
		return t.members
	case ast.Interface:
		var out []string
		for _, name := range sg.order {
			if o := sg.types[name]; o.kind == ast.Object && contains(o.interfaces, t.name) {
				out = append(out, name)
			}
		}
		return out
	}
	return nil
}

// contextArguments renders a source's contextual arguments for @join__field.
func contextArguments(s *fieldSource) string {
	var parts []string
	for _, ca := range s.f.ctxArgs {
		if !ca.ok {
			continue
		}
		parts = append(parts, fmt.Sprintf("{context: %s, name: %s, type: %s, selection: %s}",
			quote(s.sg.name+"__"+ca.context), quote(ca.arg.Name), quote(ca.arg.Type.String()), quote(ca.selection)))
	}
	if len(parts) == 0 {
		return ""
	}
	return "contextArguments: [" + strings.Join(parts, ", ") + "]"
}

// contextualArgs reports, for a field's merged argument name, whether it is
// contextual in some resolving subgraph; it then stays out of the supergraph,
// and a subgraph where it is an ordinary required argument is an error (the
// router would have no value to give it there).
func (m *merger) contextualArg(acoord, name string, resolving []*fieldSource) bool {
	contextual := false
	for _, s := range resolving {
		if s.f.contextual(name) {
			contextual = true
		}
	}
	if !contextual {
		return false
	}
	for _, s := range resolving {
		a := s.f.args.ForName(name)
		if s.f.contextual(name) || a == nil {
			continue
		}
		if a.Type.NonNull && a.DefaultValue == nil {
			m.fail(CodeContextualArgumentNotContextual, acoord, []string{s.sg.name}, "argument %q is contextual in at least one subgraph but in %q it does not have @fromContext, is not nullable and has no default value", acoord, s.sg.name)
		}
	}
	return true
}

const contextDefs = `
directive @context(name: String!) repeatable on INTERFACE | OBJECT | UNION

directive @context__fromContext(field: context__ContextFieldValue) on ARGUMENT_DEFINITION
`

const joinDirectiveDef = `directive @join__directive(graphs: [join__Graph!], name: String!, args: join__DirectiveArguments) repeatable on SCHEMA | OBJECT | INTERFACE | FIELD_DEFINITION

`

const contextTypes = `
scalar context__ContextFieldValue

input join__ContextArgument {
  name: String!
  type: String!
  context: String!
  selection: join__FieldValue!
}

scalar join__DirectiveArguments

scalar join__FieldValue
`

// satContexts maps each object type to the contexts a field selected on it
// makes available to the positions below: those it sets, and those its
// interfaces and unions set (the reference planner matches a context on the
// parent type of each field of the path, its interfaces and its unions).
func satContexts(g *supergraph.Graph) map[string][]string {
	out := map[string][]string{}
	for _, name := range g.TypeNames() {
		t := g.Type(name)
		if len(t.Contexts) == 0 {
			continue
		}
		switch t.Kind {
		case ast.Object:
			out[name] = appendNew(out[name], t.Contexts...)
		case ast.Interface, ast.Union:
			for _, p := range t.PossibleTypes {
				out[p] = appendNew(out[p], t.Contexts...)
			}
		}
	}
	return out
}

// contextsOn returns the contexts available at the end of path, and a key
// for them that keeps apart positions with different contexts in the walk's
// memory of visited positions.
func (c *satChecker) contextsOn(path satPath) (map[string]bool, string) {
	if len(c.contexts) == 0 {
		return nil, ""
	}
	avail := map[string]bool{}
	for _, s := range path.steps {
		if s.field != nil {
			for _, ctx := range c.contexts[s.field.Parent] {
				avail[ctx] = true
			}
		}
	}
	if len(avail) == 0 {
		return nil, ""
	}
	return avail, "|ctx:" + strings.Join(sortedKeys(avail), ",")
}
