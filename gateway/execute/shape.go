package execute

import (
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/shopgraph/shopgraph/gateway/plan"
)

// shaper writes the client's response from the merged data: client field order and
// aliases, only requested fields, type conditions decided by __typename, and nulls
// propagated to the nearest nullable parent.
type shaper struct {
	schema *ast.Schema
	// vars are the request's coerced variables, which decide @skip/@include.
	vars   map[string]any
	buf    []byte
	path   []pathElem
	errors []Error
	// failed are the scopes of fetches that failed or reported errors without
	// a path: data missing under them is explained by those errors and gets
	// no error of its own.
	failed []plan.Path
	// unresolved are objects known only by an interface's name whose entity
	// fetch, which was to say their concrete type, came back null: they
	// cannot be completed and shape as null.
	unresolved map[*Value]bool
	// nulled are entity objects a subgraph answered null for while
	// reporting errors: it nulled the entity for an error inside it, which
	// explains the fields the object lacks.
	nulled map[*Value]bool
	// parent is the object whose fields are being shaped.
	parent *Value
	// maxBytes caps buf (0: no cap); overflow is set once it went over,
	// which abandons the shaping.
	maxBytes int
	overflow bool
	// parts, when set, splits @defer fragments out into parts of their own
	// (defer.go); nil shapes every field at once.
	parts *deferShaping
}

type group struct {
	key    string
	fields []*plan.Field
}

func (s *shaper) shape(data *Value, op *plan.Operation, sizeHint int) []byte {
	// The buffer starts with the response's opening, so that a response without
	// errors is written from it without a copy (Response.AppendJSON).
	s.buf = make([]byte, 0, max(1024, sizeHint+sizeHint/8))
	s.buf = append(s.buf, dataPrefix...)
	if !s.object(data, op.Selections, op.RootType) {
		if s.parts != nil {
			s.parts.dropUnder(nil)
		}
		return append(s.buf[:len(dataPrefix)], "null"...)
	}
	return s.buf
}

// withGroupDefers returns f, or a copy of it that lists the @defer fragments
// at the object of every field of its group (fields of one response key):
// they are shaped as one, and each field's deferred parts must be found.
func withGroupDefers(f *plan.Field, group []*plan.Field) *plan.Field {
	var defers []*plan.Defer
	for _, gf := range group[1:] {
		defers = append(defers, gf.Defers...)
	}
	if len(defers) == 0 {
		return f
	}
	cp := *f
	cp.Defers = append(slices.Clip(f.Defers), defers...)
	return &cp
}

// over reports whether the shaped output went over maxBytes: values are
// checked before they are written, and the last one may have crossed it.
func (s *shaper) over() bool {
	return s.overflow || (s.maxBytes > 0 && len(s.buf) > s.maxBytes)
}

func (s *shaper) matches(cond, typename string) bool {
	if cond == "" || cond == typename {
		return true
	}
	for _, p := range s.schema.PossibleTypes[cond] {
		if p.Name == typename {
			return true
		}
	}
	return false
}

func (s *shaper) collect(out []group, sels []plan.Selection, typename string) []group {
	for _, sel := range sels {
		switch sel := sel.(type) {
		case *plan.Field:
			if len(sel.Conditions) > 0 && !sel.Conditions.Hold(s.vars) {
				continue
			}
			if s.parts != nil && !s.parts.includes(sel) {
				continue
			}
			found := false
			for i := range out {
				if out[i].key == sel.Key {
					out[i].fields = append(out[i].fields, sel)
					found = true
					break
				}
			}
			if !found {
				out = append(out, group{key: sel.Key, fields: []*plan.Field{sel}})
			}
		case *plan.Fragment:
			if s.matches(sel.TypeCondition, typename) {
				out = s.collect(out, sel.Selections, typename)
			}
		}
	}
	return out
}

// plainFields reports whether sels holds only unconditional fields: normalising
// merged fields with the same response key, so each field is then its own group
// and shaping needs no grouping (the common case, which allocates nothing).
// Fields under @skip/@include on variables go through grouping, which leaves
// out those whose conditions fail and merges those with a shared key.
func plainFields(sels []plan.Selection) bool {
	for _, sel := range sels {
		if f, ok := sel.(*plan.Field); !ok || len(f.Conditions) > 0 {
			return false
		}
	}
	return true
}

func (s *shaper) object(obj *Value, sels []plan.Selection, typename string) bool {
	outer := s.parent
	s.parent = obj
	ok := s.fields(obj, sels, typename)
	s.parent = outer
	return ok
}

// fields writes obj's selected fields as a JSON object.
func (s *shaper) fields(obj *Value, sels []plan.Selection, typename string) bool {
	if s.parts == nil && plainFields(sels) {
		s.buf = append(s.buf, '{')
		for i, sel := range sels {
			f := sel.(*plan.Field)
			if i > 0 {
				s.buf = append(s.buf, ',')
			}
			s.buf = appendString(s.buf, f.Key)
			s.buf = append(s.buf, ':')
			if f.Name == "__typename" {
				s.buf = appendString(s.buf, typename)
				continue
			}
			s.path = append(s.path, pathElem{key: f.Key})
			ok := s.value(obj.Get(f.DataKeyOrKey()), f.Type, f.Selections, f)
			s.path = s.path[:len(s.path)-1]
			if !ok {
				return false
			}
		}
		s.buf = append(s.buf, '}')
		return true
	}
	groups := s.collect(make([]group, 0, len(sels)), sels, typename)
	s.buf = append(s.buf, '{')
	for i, g := range groups {
		if i > 0 {
			s.buf = append(s.buf, ',')
		}
		s.buf = appendString(s.buf, g.key)
		s.buf = append(s.buf, ':')
		f := g.fields[0]
		if f.Name == "__typename" {
			s.buf = appendString(s.buf, typename)
			continue
		}
		sub := f.Selections
		if len(g.fields) > 1 {
			// The fields' subselections together, as one fragment, so that
			// shaping groups them by response key again.
			var all []plan.Selection
			for _, gf := range g.fields {
				all = append(all, gf.Selections...)
			}
			sub = nil
			if len(all) > 0 {
				sub = []plan.Selection{&plan.Fragment{Selections: all}}
			}
		}
		s.path = append(s.path, pathElem{key: g.key})
		v := obj.Get(f.DataKeyOrKey())
		for _, gf := range g.fields[1:] {
			if k := gf.DataKeyOrKey(); k != f.DataKeyOrKey() {
				// Aliased apart in a subgraph operation: each alias holds the
				// subselections of its own fragment.
				v = mergedValue(v, obj.Get(k), s)
			}
		}
		if s.parts != nil && len(g.fields) > 1 {
			f = withGroupDefers(f, g.fields)
		}
		ok := s.value(v, f.Type, sub, f)
		s.path = s.path[:len(s.path)-1]
		if !ok {
			return false
		}
	}
	s.buf = append(s.buf, '}')
	return true
}

// value writes v as type t. It returns false when a non-null position got null, so
// that the caller nulls itself or passes the failure up.
func (s *shaper) value(v *Value, t *ast.Type, sels []plan.Selection, f *plan.Field) bool {
	if s.maxBytes > 0 && len(s.buf) > s.maxBytes {
		s.overflow = true
	}
	if s.overflow {
		return false
	}
	if s.unresolvable(v) && needsConcreteType(sels, t.NamedType) {
		v = nil // explained by the entity fetch's error
	}
	if v == nil || v.Kind == Null {
		if t.NonNull {
			s.nullError(v == nil, f)
			return false
		}
		s.buf = append(s.buf, "null"...)
		return true
	}
	if t.Elem != nil {
		if v.Kind != Array {
			return s.invalid(t, f, "expected a list")
		}
		start := len(s.buf)
		s.buf = append(s.buf, '[')
		for i, it := range v.Items() {
			if i > 0 {
				s.buf = append(s.buf, ',')
			}
			s.path = append(s.path, pathElem{index: i, isIndex: true})
			ok := s.value(it, t.Elem, sels, f)
			s.path = s.path[:len(s.path)-1]
			if !ok {
				s.buf = s.buf[:start]
				if t.NonNull {
					return false
				}
				s.buf = append(s.buf, "null"...)
				return true
			}
		}
		s.buf = append(s.buf, ']')
		return true
	}
	if len(sels) == 0 && v.Kind == Object {
		if def := s.schema.Types[t.NamedType]; def != nil && def.Kind != ast.Scalar && def.Kind != ast.Enum {
			// Every selection was skipped: an object with no fields.
			s.buf = append(s.buf, "{}"...)
			return true
		}
	}
	if len(sels) > 0 {
		if v.Kind != Object {
			return s.invalid(t, f, "expected an object")
		}
		typename := t.NamedType
		if def := s.schema.Types[typename]; def != nil && def.IsAbstractType() {
			if tn := v.Get("__typename"); tn != nil && tn.Kind == String && tn.Str() != typename {
				if !s.matches(typename, tn.Str()) {
					return s.invalid(t, f, fmt.Sprintf("%q is not a possible type of %s", tn.Str(), typename))
				}
				typename = tn.Str()
			}
		}
		if s.parts != nil && len(f.Defers) > 0 {
			s.parts.found(s, f.Defers, v, sels, typename)
		}
		start := len(s.buf)
		if !s.object(v, sels, typename) {
			if s.parts != nil {
				s.parts.dropUnder(s.path) // nulled: no part may go there
			}
			s.buf = s.buf[:start]
			if t.NonNull {
				return false
			}
			s.buf = append(s.buf, "null"...)
		}
		return true
	}
	return s.leaf(v, t, f)
}

// leaf writes a scalar or enum value after checking it fits the API schema's type;
// a subgraph's garbage becomes null with an error rather than reaching the client.
func (s *shaper) leaf(v *Value, t *ast.Type, f *plan.Field) bool {
	ok := true
	switch t.NamedType {
	case "Int":
		ok = v.Kind == Number && isInt32(v.Str())
	case "Float":
		ok = v.Kind == Number
	case "String":
		ok = v.Kind == String
	case "Boolean":
		ok = v.Kind == True || v.Kind == False
	case "ID":
		if v.Kind == Number && isInteger(v.Str()) {
			s.buf = appendString(s.buf, v.Str())
			return true
		}
		ok = v.Kind == String
	default:
		if def := s.schema.Types[t.NamedType]; def != nil && def.Kind == ast.Enum {
			ok = v.Kind == String && def.EnumValues.ForName(v.Str()) != nil
		}
	}
	if !ok {
		return s.invalid(t, f, "not a valid "+t.NamedType)
	}
	s.buf = appendJSON(s.buf, v)
	return true
}

func isInteger(lit string) bool {
	if lit == "" {
		return false
	}
	for i := 0; i < len(lit); i++ {
		if (lit[i] < '0' || lit[i] > '9') && !(i == 0 && lit[i] == '-') {
			return false
		}
	}
	return true
}

func isInt32(lit string) bool {
	if !isInteger(lit) {
		return false
	}
	n, err := strconv.ParseInt(lit, 10, 32)
	return err == nil && n >= math.MinInt32 && n <= math.MaxInt32
}

func (s *shaper) invalid(t *ast.Type, f *plan.Field, why string) bool {
	s.errors = append(s.errors, Error{
		Message: fmt.Sprintf("invalid value for %s.%s: %s", f.Parent, f.Name, why),
		Path:    anyPath(s.path),
	})
	if t.NonNull {
		return false
	}
	s.buf = append(s.buf, "null"...)
	return true
}

// nullError records a null in a non-null field unless an error already explains it.
func (s *shaper) nullError(missing bool, f *plan.Field) {
	if s.overflow {
		return
	}
	if missing && s.underFailedFetch() {
		return
	}
	for _, e := range s.errors {
		// An error at or above this field, or below it (whose null bubbled up
		// to here), already explains the null: the spec adds no second one.
		if isPrefix(e.Path, s.path) || (len(e.Path) > len(s.path) && samePrefix(e.Path, s.path)) {
			return
		}
		// A value missing from an object in which a subgraph reported an
		// error: the subgraph nulled the whole entity for it, and that error
		// explains every field the entity lacks.
		if parent := len(s.path) - 1; missing && parent > 0 && len(e.Path) > parent && samePrefix(e.Path, s.path[:parent]) {
			return
		}
	}
	if missing && s.nulled[s.parent] {
		return
	}
	s.errors = append(s.errors, Error{
		Message: fmt.Sprintf("Cannot return null for non-nullable field %s.%s.", f.Parent, f.Name),
		Path:    anyPath(s.path),
	})
}

// matchScope reports whether the path pattern scope ("@" for any index)
// matches the start of path.
func matchScope(scope plan.Path, path []pathElem) bool {
	if len(scope) > len(path) {
		return false
	}
	for i, step := range scope {
		el := path[i]
		if step == "@" {
			if !el.isIndex {
				return false
			}
		} else if el.isIndex || el.key != step {
			return false
		}
	}
	return true
}

// unresolvable reports an object whose entity fetch, which was to give its
// concrete type, came back null, and whose __typename is still an interface's.
func (s *shaper) unresolvable(v *Value) bool {
	if v == nil || !s.unresolved[v] {
		return false
	}
	tn := v.Get("__typename")
	return tn == nil || tn.Kind != String || !s.isObjectType(tn.Str())
}

func (s *shaper) markUnresolved(v *Value) {
	if s.unresolved == nil {
		s.unresolved = map[*Value]bool{}
	}
	s.unresolved[v] = true
}

func (s *shaper) nulledEntity(v *Value) bool { return v != nil && s.nulled[v] }

func (s *shaper) mergedFrom(out, a, b *Value) {
	if s.parts == nil {
		return
	}
	if s.parts.sources == nil {
		s.parts.sources = map[*Value][2]*Value{}
	}
	s.parts.sources[out] = [2]*Value{a, b}
}

func (s *shaper) markNulled(v *Value) {
	if s.nulled == nil {
		s.nulled = map[*Value]bool{}
	}
	s.nulled[v] = true
}

// markNulledTree marks every object in v.
func (s *shaper) markNulledTree(v *Value) {
	if v == nil {
		return
	}
	switch v.Kind {
	case Object:
		s.markNulled(v)
		for _, m := range v.Fields() {
			s.markNulledTree(m.Value)
		}
	case Array:
		for _, it := range v.Items() {
			s.markNulledTree(it)
		}
	}
}

// needsConcreteType reports whether selections on an abstract type ask for
// the object's concrete type: __typename or a narrower type condition.
func needsConcreteType(sels []plan.Selection, abstract string) bool {
	for _, sel := range sels {
		switch sel := sel.(type) {
		case *plan.Field:
			if sel.Name == "__typename" {
				return true
			}
		case *plan.Fragment:
			if sel.TypeCondition != "" && sel.TypeCondition != abstract {
				return true
			}
			if needsConcreteType(sel.Selections, abstract) {
				return true
			}
		}
	}
	return false
}

// isObjectType reports whether name is an object type of the API schema.
func (s *shaper) isObjectType(name string) bool { return isObjectType(s.schema, name) }

// underFailedFetch reports whether the current path lies under the scope of
// a fetch that failed ("@" in a scope stands for any list index).
func (s *shaper) underFailedFetch() bool {
	for _, scope := range s.failed {
		if matchScope(scope, s.path) {
			return true
		}
	}
	return false
}

// pathElem is a step of a response path: a response key or a list index. The
// shaper keeps its path in these, turning it into []any only for an error.
type pathElem struct {
	key     string
	index   int
	isIndex bool
}

func anyPath(p []pathElem) []any {
	out := make([]any, len(p))
	for i, e := range p {
		if e.isIndex {
			out[i] = e.index
		} else {
			out[i] = e.key
		}
	}
	return out
}

func isPrefix(p []any, of []pathElem) bool {
	if len(p) == 0 || len(p) > len(of) {
		return false
	}
	return samePrefix(p, of[:len(p)])
}

// samePrefix reports whether the first len(of) elements of p equal of.
func samePrefix(p []any, of []pathElem) bool {
	if len(p) < len(of) {
		return false
	}
	for i := range of {
		switch v := p[i].(type) {
		case string:
			if of[i].isIndex || of[i].key != v {
				return false
			}
		case int:
			if !of[i].isIndex || of[i].index != v {
				return false
			}
		default:
			if fmt.Sprint(v) != fmt.Sprint(of[i].key) {
				return false
			}
		}
	}
	return true
}
