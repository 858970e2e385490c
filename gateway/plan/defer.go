package plan

import (
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
)

// Defer is one @defer fragment of an operation: its fields go to the client
// in a later part of an incremental (multipart) response, once for each
// object the fragment applies to.
//
// The planner gives deferred fields fetches of their own where it can
// (deferplan.go); the plan tells which fetches serve only deferred fields
// (DeferredFetches), which execution holds back until the first part is
// sent, and execution shapes the deferred fields out of the first part into
// parts of their own. A fetch that serves both kinds runs first, and its
// deferred fields still go in later parts (the spec lets a server deliver
// deferred data early). An if: $var is read when the operation is
// normalised: a false value makes no Defer at all, so an operation plans
// once per value of its defers' variables.
type Defer struct {
	// ID numbers the operation's defers in document order.
	ID    int
	Label string
	// Parent is the defer this one is nested in; nil at the first part.
	Parent *Defer
	// TypeCondition is the fragment's type condition (empty when none):
	// only objects of that type get a part.
	TypeCondition string
}

// HasDefer reports whether the operation uses @defer.
func (o *Operation) HasDefer() bool { return o.deferCount > 0 || o.defersOff > 0 }

// deferOf reads @defer on a fragment; nil when there is none or if: false.
func (n *normaliser) deferOf(dirs ast.DirectiveList, cond string) *Defer {
	d := dirs.ForName("defer")
	if d == nil {
		return nil
	}
	out := &Defer{Parent: n.deferring, TypeCondition: cond}
	if a := d.Arguments.ForName("if"); a != nil && a.Value != nil {
		switch a.Value.Kind {
		case ast.BooleanValue:
			if a.Value.Raw == "false" {
				return nil
			}
		case ast.Variable:
			// if: Boolean! = true: only a false value undoes the defer. The
			// operation still counts as one with @defer (HasDefer): its
			// answer is incremental, in one part, whatever the variable.
			if v, ok := n.vars[a.Value.Raw].(bool); ok && !v {
				n.defersOff++
				return nil
			}
		}
	}
	if a := d.Arguments.ForName("label"); a != nil && a.Value != nil {
		out.Label = a.Value.Raw
	}
	n.defers++
	out.ID = n.defers
	return out
}

// variableDeferIf reports whether a @defer of doc takes its if: from a
// variable.
func variableDeferIf(doc *ast.QueryDocument) bool {
	var walk func(ast.SelectionSet) bool
	walk = func(set ast.SelectionSet) bool {
		for _, s := range set {
			var dirs ast.DirectiveList
			var sub ast.SelectionSet
			switch s := s.(type) {
			case *ast.Field:
				sub = s.SelectionSet
			case *ast.InlineFragment:
				dirs, sub = s.Directives, s.SelectionSet
			case *ast.FragmentSpread:
				dirs = s.Directives
			}
			if d := dirs.ForName("defer"); d != nil {
				if a := d.Arguments.ForName("if"); a != nil && a.Value != nil && a.Value.Kind == ast.Variable {
					return true
				}
			}
			if walk(sub) {
				return true
			}
		}
		return false
	}
	for _, op := range doc.Operations {
		if walk(op.SelectionSet) {
			return true
		}
	}
	for _, f := range doc.Fragments {
		if walk(f.SelectionSet) {
			return true
		}
	}
	return false
}

// deferredFragment normalises a fragment under @defer d: its fields carry d,
// and d is listed at the object it applies to (the field being normalised,
// or the operation's root).
func (n *normaliser) deferredFragment(d *Defer, normalise func() ([]Selection, error)) ([]Selection, error) {
	*n.home = append(*n.home, d)
	outer := n.deferring
	n.deferring = d
	defer func() { n.deferring = outer }()
	return normalise()
}

// earlierDefer returns which of two defers of merged fields the field goes
// with: the first part when either is nil, else the enclosing one.
func earlierDefer(a, b *Defer) *Defer {
	if a == nil || b == nil {
		return nil
	}
	for p := b; p != nil; p = p.Parent {
		if p == a {
			return a
		}
	}
	for p := a; p != nil; p = p.Parent {
		if p == b {
			return b
		}
	}
	return a
}

// writeDefers prints a field's defer marks, which makes them part of the
// plan cache key: two documents that differ only in @defer share no plan.
func writeDefers(b *strings.Builder, f *Field) {
	if f.Defer != nil {
		b.WriteString("@defer#" + strconv.Itoa(f.Defer.ID))
	}
	for _, d := range f.Defers {
		writeDeferDecl(b, d)
	}
}

func writeDeferDecl(b *strings.Builder, d *Defer) {
	b.WriteString("@defers#" + strconv.Itoa(d.ID) + "(" + strconv.Quote(d.Label) + "," + d.TypeCondition)
	if d.Parent != nil {
		b.WriteString(",in#" + strconv.Itoa(d.Parent.ID))
	}
	b.WriteString(")")
}

// touchIndex maps each fetch of a plan to the client fields it serves,
// computed once per plan, when a request first needs it.
type touchIndex struct {
	once sync.Once
	byID map[int][]*Field
}

// DeferredFetches returns the IDs of the fetches that serve only fields of
// @defer fragments: they may wait until the first
// payload is sent. A fetch that serves no client field (one that only
// fetches keys or required fields) is not among them, nor is one the
// planner's output cannot be read back for; the caller still has to keep
// the dependencies of the first payload's fetches with them.
func (p *Plan) DeferredFetches() map[int]bool {
	if !p.Operation.HasDefer() || p.Root == nil {
		return nil
	}
	p.touched.once.Do(func() { p.touched.byID = touchedFields(p) })
	out := map[int]bool{}
	for id, fields := range p.touched.byID {
		deferred := len(fields) > 0
		for _, f := range fields {
			if f.Defer == nil {
				deferred = false
				break
			}
		}
		if deferred {
			out[id] = true
		}
	}
	return out
}

// FetchDefers returns the defers of the client fields that fetch id serves,
// each once.
func (p *Plan) FetchDefers(id int) []*Defer {
	if !p.Operation.HasDefer() || p.Root == nil {
		return nil
	}
	p.touched.once.Do(func() { p.touched.byID = touchedFields(p) })
	var out []*Defer
	for _, f := range p.touched.byID[id] {
		if d := f.Defer; d != nil && !slices.Contains(out, d) {
			out = append(out, d)
		}
	}
	return out
}

// touchedFields reads each fetch's subgraph operation back and matches its
// fields, by data key, to the client operation's fields at the fetch's
// paths.
func touchedFields(p *Plan) map[int][]*Field {
	out := map[int][]*Field{}
	var walk func(Node)
	walk = func(n Node) {
		switch n := n.(type) {
		case *Sequence:
			for _, c := range n.Nodes {
				walk(c)
			}
		case *Parallel:
			for _, c := range n.Nodes {
				walk(c)
			}
		case *Condition:
			if n.If != nil {
				walk(n.If)
			}
			if n.Else != nil {
				walk(n.Else)
			}
		case *Fetch:
			out[n.ID] = touchedBy(n, p.Operation.Selections)
		case *Flatten:
			var at []Selection
			for _, path := range n.Paths {
				at = append(at, selectionsAt(p.Operation.Selections, path)...)
			}
			out[n.Fetch.ID] = touchedBy(n.Fetch, at)
		}
	}
	walk(p.Root)
	return out
}

// touchedBy returns the client fields among ops that fetch f selects; nil
// when its operation cannot be read.
func touchedBy(f *Fetch, ops []Selection) []*Field {
	doc, err := parser.ParseQuery(&ast.Source{Input: f.Operation})
	if err != nil || len(doc.Operations) != 1 {
		return nil
	}
	set := doc.Operations[0].SelectionSet
	if f.Entity {
		set = nil
		for _, sel := range doc.Operations[0].SelectionSet {
			if fd, ok := sel.(*ast.Field); ok && fd.Name == "_entities" {
				set = fd.SelectionSet
			}
		}
	}
	return touch(nil, doc, set, ops, 0)
}

func touch(out []*Field, doc *ast.QueryDocument, set ast.SelectionSet, ops []Selection, depth int) []*Field {
	if depth > 100 {
		return out
	}
	for _, sel := range set {
		switch sel := sel.(type) {
		case *ast.Field:
			key := sel.Alias
			if key == "" {
				key = sel.Name
			}
			if sel.Name == "__typename" && key == "__typename" {
				// The object's concrete type (an @interfaceObject's objects
				// learn it so): every client field here may depend on it,
				// through __typename or a type condition.
				out = allFields(out, ops)
				continue
			}
			matched := fieldsWithDataKey(nil, ops, key)
			out = append(out, matched...)
			if len(sel.SelectionSet) > 0 {
				var children []Selection
				for _, m := range matched {
					children = append(children, m.Selections...)
				}
				out = touch(out, doc, sel.SelectionSet, children, depth+1)
			}
		case *ast.InlineFragment:
			out = touch(out, doc, sel.SelectionSet, ops, depth+1)
		case *ast.FragmentSpread:
			if def := doc.Fragments.ForName(sel.Name); def != nil {
				out = touch(out, doc, def.SelectionSet, ops, depth+1)
			}
		}
	}
	return out
}

// allFields appends the fields of sels, through fragments.
func allFields(out []*Field, sels []Selection) []*Field {
	for _, sel := range sels {
		switch sel := sel.(type) {
		case *Field:
			out = append(out, sel)
		case *Fragment:
			out = allFields(out, sel.Selections)
		}
	}
	return out
}

// fieldsWithDataKey appends the fields of sels (through fragments) whose
// value has key in the merged data.
func fieldsWithDataKey(out []*Field, sels []Selection, key string) []*Field {
	for _, sel := range sels {
		switch sel := sel.(type) {
		case *Field:
			if sel.DataKeyOrKey() == key {
				out = append(out, sel)
			}
		case *Fragment:
			out = fieldsWithDataKey(out, sel.Selections, key)
		}
	}
	return out
}

// selectionsAt returns the selections of the fields at path.
func selectionsAt(sels []Selection, path Path) []Selection {
	for _, step := range path {
		if step == "@" {
			continue
		}
		var next []Selection
		for _, f := range fieldsWithDataKey(nil, sels, step) {
			next = append(next, f.Selections...)
		}
		sels = next
	}
	return sels
}
