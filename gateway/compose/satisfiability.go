package compose

import (
	"fmt"
	"sort"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/shopgraph/shopgraph/gateway/supergraph"
)

// checkSatisfiability walks every path a client can select in the composed supergraph
// and reports SATISFIABILITY_ERROR for each field that no plan could resolve, as the
// reference composer's validation does.
//
// A position on a path is a supergraph type with the set of subgraph options that may
// be serving it: the subgraph, the type it returns there (which may be narrower than
// the supergraph's) and what a @provides on the path lets that subgraph answer. A field
// is satisfiable when at least one option can resolve it: directly in its subgraph, or
// after entity jumps through resolvable keys whose fields it can select. The walk
// remembers the option sets it has checked per type, so it stops on cycles; a set that
// holds a set already checked cannot fail where the smaller one did not.
func checkSatisfiability(g *supergraph.Graph) Errors {
	c := newSatChecker(g)
	for _, op := range []ast.Operation{ast.Query, ast.Mutation, ast.Subscription} {
		root := g.RootType(op)
		rt := g.Type(root)
		if rt == nil || rt.Inaccessible {
			continue
		}
		var opts []satOption
		for _, sg := range rt.SubgraphNames {
			opts = append(opts, satOption{sg: sg, tail: root})
		}
		c.visit(satPath{op: op}, root, opts)
	}
	sortErrors(c.errs)
	return c.errs
}

// satOption is one subgraph that may be serving a position of a path.
type satOption struct {
	sg string
	// tail is the type the subgraph returns at this position.
	tail string
	// provides is what a @provides on the path lets sg answer below this position.
	provides ast.SelectionSet
}

func (o satOption) key() string {
	return o.sg + "|" + o.tail + "|" + selectionKey(o.provides)
}

// satPath is the client selection leading to a position, for error messages.
type satPath struct {
	op    ast.Operation
	steps []satStep
}

type satStep struct {
	field    *supergraph.Field // nil for a type condition
	typeCond string
}

func (p satPath) with(s satStep) satPath {
	steps := make([]satStep, len(p.steps), len(p.steps)+1)
	copy(steps, p.steps)
	return satPath{op: p.op, steps: append(steps, s)}
}

type satChecker struct {
	g    *supergraph.Graph
	errs Errors
	// visited holds, per supergraph type, the option sets already walked.
	visited map[string][]map[string]bool
	// interfaces lists, per object type, the interfaces it implements in the supergraph.
	interfaces map[string][]string
	reach      map[string][]string
	requires   map[string]satMemo
	// contexts lists, per object type, the contexts a field selected on it
	// makes available below (its own, its interfaces', its unions'), and
	// avail those available at the position being checked (context.go).
	contexts map[string][]string
	avail    map[string]bool
}

type satMemo int

const (
	satUnknown satMemo = iota
	satInProgress
	satYes
	satNo
)

func newSatChecker(g *supergraph.Graph) *satChecker {
	c := &satChecker{
		g:          g,
		visited:    map[string][]map[string]bool{},
		interfaces: map[string][]string{},
		reach:      map[string][]string{},
		requires:   map[string]satMemo{},
	}
	c.contexts = satContexts(g)
	for _, name := range g.TypeNames() {
		t := g.Type(name)
		if t.Kind != ast.Interface {
			continue
		}
		for _, p := range t.PossibleTypes {
			c.interfaces[p] = append(c.interfaces[p], name)
		}
	}
	return c
}

// skip reports whether opts holds an option set already walked for typ, and records
// it otherwise.
func (c *satChecker) skip(typ string, opts []satOption) bool {
	set := map[string]bool{}
	for _, o := range opts {
		set[o.key()] = true
	}
	for _, prev := range c.visited[typ] {
		covered := true
		for k := range prev {
			if !set[k] {
				covered = false
				break
			}
		}
		if covered {
			return true
		}
	}
	c.visited[typ] = append(c.visited[typ], set)
	return false
}

// visit checks every field selectable at a position of type typ.
func (c *satChecker) visit(path satPath, typ string, opts []satOption) {
	opts = dedupOptions(opts)
	avail, availKey := c.contextsOn(path)
	if len(opts) == 0 || c.skip(typ+availKey, opts) {
		return
	}
	t := c.g.Type(typ)
	if t == nil {
		return
	}
	switch t.Kind {
	case ast.Object:
		for _, name := range sortedKeys(t.Fields) {
			f := t.Fields[name]
			if !c.inAPI(f) {
				continue
			}
			c.avail = avail
			next, reasons := c.advance(typ, f, opts)
			p := path.with(satStep{field: f})
			if len(next) == 0 {
				c.fail(p, f, opts, reasons)
				continue
			}
			if child := f.Type.Name(); c.composite(child) {
				c.visit(p, child, next)
			}
		}
	case ast.Interface, ast.Union:
		for _, pt := range t.PossibleTypes {
			if ptt := c.g.Type(pt); ptt == nil || ptt.Inaccessible {
				continue
			}
			next, ok := c.downcast(pt, opts)
			if !ok {
				// A subgraph that cannot return pt here never makes the condition match.
				continue
			}
			c.visit(path.with(satStep{typeCond: pt}), pt, next)
		}
	}
}

func (c *satChecker) inAPI(f *supergraph.Field) bool {
	if f.Inaccessible {
		return false
	}
	t := c.g.Type(f.Type.Name())
	return t == nil || !t.Inaccessible
}

func (c *satChecker) composite(name string) bool {
	t := c.g.Type(name)
	return t != nil && (t.Kind == ast.Object || t.Kind == ast.Interface || t.Kind == ast.Union)
}

// downcast narrows every option to the object type pt. It is not ok when an option's
// subgraph cannot return pt at this position.
func (c *satChecker) downcast(pt string, opts []satOption) ([]satOption, bool) {
	var out []satOption
	for _, o := range opts {
		narrowed := narrowProvides(o.provides, pt)
		if o.tail == pt {
			out = append(out, satOption{sg: o.sg, tail: pt, provides: narrowed})
			continue
		}
		tt := c.g.Type(o.tail)
		if tt == nil || tt.Kind == ast.Object {
			return nil, false
		}
		ts := tt.Subgraphs[o.sg]
		switch {
		case ts != nil && ts.InterfaceObject:
			// An @interfaceObject stands for every implementation: the subgraph keeps
			// answering the interface's fields whatever the runtime type.
			out = append(out, satOption{sg: o.sg, tail: pt, provides: narrowed})
		case contains(tt.PossibleTypesIn(o.sg), pt):
			out = append(out, satOption{sg: o.sg, tail: pt, provides: narrowed})
		default:
			return nil, false
		}
	}
	return out, true
}

// advance moves every option over field f of typ: directly in its subgraph, and for
// composite fields also through the subgraphs its entity jumps reach. reasons explains,
// per option subgraph, why the field could not be had from there.
func (c *satChecker) advance(typ string, f *supergraph.Field, opts []satOption) ([]satOption, map[string][]string) {
	var out []satOption
	reasons := map[string][]string{}
	leaf := !c.composite(f.Type.Name())
	for _, o := range opts {
		next, why := c.resolveIn(o.sg, typ, f, o.provides)
		if next != nil {
			out = append(out, *next)
			if leaf {
				continue
			}
		} else {
			reasons[o.sg] = append(reasons[o.sg], why)
		}
		reached := c.reachable(o.sg, typ, o.provides)
		for _, r := range reached {
			if r == o.sg {
				continue
			}
			next, why := c.resolveIn(r, typ, f, nil)
			switch {
			case next != nil:
				out = append(out, *next)
			case c.source(r, typ, f.Name) != nil:
				// r was reached and defines the field, yet cannot resolve it.
				reasons[r] = append(reasons[r], why)
			}
		}
		if next == nil && len(out) == 0 {
			reasons[o.sg] = append(reasons[o.sg], c.unreachableReasons(o.sg, typ, f, reached)...)
		}
	}
	return dedupOptions(out), reasons
}

// unreachableReasons explains why the subgraphs that resolve f could not be reached.
func (c *satChecker) unreachableReasons(from, typ string, f *supergraph.Field, reached []string) []string {
	var out []string
	for _, sg := range f.Resolvers() {
		if sg == from || contains(reached, sg) {
			continue
		}
		keys := c.entryKeys(sg, typ)
		switch {
		case len(keys) == 0:
			out = append(out, fmt.Sprintf("cannot move to subgraph %q, which has field %q, because type %q has no resolvable @key defined in subgraph %q", sg, f.Parent+"."+f.Name, typ, sg))
		default:
			for _, k := range keys {
				out = append(out, fmt.Sprintf("cannot move to subgraph %q using @key(fields: %q) of %q, the key field(s) cannot be resolved from subgraph %q", sg, k.Fields, typ, from))
			}
		}
	}
	return out
}

// resolveIn returns the option f leads to when subgraph sg resolves it by itself at a
// position of type typ, or nil and the reason it cannot.
func (c *satChecker) resolveIn(sg, typ string, f *supergraph.Field, provides ast.SelectionSet) (*satOption, string) {
	coord := typ + "." + f.Name
	if sub, ok := providedField(provides, f.Name); ok {
		return &satOption{sg: sg, tail: f.Type.Name(), provides: sub}, ""
	}
	src := c.source(sg, typ, f.Name)
	switch {
	case src == nil:
		return nil, fmt.Sprintf("cannot find field %q", coord)
	case src.UsedOverridden:
		return nil, fmt.Sprintf("field %q is not resolvable because it is overridden", coord)
	case src.External:
		return nil, fmt.Sprintf("field %q is not resolvable because marked @external", coord)
	}
	if src.Requires != nil && !c.requiresOK(sg, typ, f.Name, src.Requires) {
		return nil, fmt.Sprintf("cannot satisfy @require conditions on field %q", coord)
	}
	for _, ca := range src.ContextArguments {
		if !c.avail[ca.Context] {
			return nil, fmt.Sprintf("could not find a match for required context for field %q", coord)
		}
	}
	tail := f.Type.Name()
	if src.Type != "" {
		tail = namedType(src.Type)
	}
	return &satOption{sg: sg, tail: tail, provides: src.Provides}, ""
}

// source returns how sg defines field name of typ, through an @interfaceObject of an
// interface of typ when sg does not know typ itself.
func (c *satChecker) source(sg, typ, name string) *supergraph.FieldSource {
	t := c.g.Type(typ)
	if t == nil {
		return nil
	}
	if t.In(sg) {
		if f := t.Fields[name]; f != nil {
			if s := f.Sources[sg]; s != nil {
				return s
			}
		}
	}
	for _, in := range c.interfaces[typ] {
		it := c.g.Type(in)
		if ts := it.Subgraphs[sg]; ts == nil || !ts.InterfaceObject {
			continue
		}
		if f := it.Fields[name]; f != nil {
			if s := f.Sources[sg]; s != nil {
				return s
			}
		}
	}
	return nil
}

// entryKeys returns the resolvable keys through which sg can be entered for typ: its
// own keys, or those of an @interfaceObject standing for an interface of typ.
func (c *satChecker) entryKeys(sg, typ string) []*supergraph.Key {
	t := c.g.Type(typ)
	if t == nil {
		return nil
	}
	if t.In(sg) {
		return t.ResolvableKeys(sg)
	}
	var out []*supergraph.Key
	for _, in := range c.interfaces[typ] {
		it := c.g.Type(in)
		if ts := it.Subgraphs[sg]; ts != nil && ts.InterfaceObject {
			out = append(out, it.ResolvableKeys(sg)...)
		}
	}
	return out
}

// reachable returns, sorted, the subgraphs that entity jumps lead to from sg at a
// position of type typ, sg included: a subgraph is reached when the fields of one of
// its resolvable keys can be selected in subgraphs already reached.
func (c *satChecker) reachable(sg, typ string, provides ast.SelectionSet) []string {
	memo := sg + "|" + typ + "|" + selectionKey(provides)
	if r, ok := c.reach[memo]; ok {
		return r
	}
	in := map[string]bool{sg: true}
	if typ == c.g.RootType(ast.Query) {
		// Any subgraph's query root can be entered from another's.
		if t := c.g.Type(typ); t != nil {
			for _, n := range t.SubgraphNames {
				in[n] = true
			}
		}
	}
	for changed := true; changed; {
		changed = false
		for _, s := range c.g.Subgraphs() {
			if in[s.Name] {
				continue
			}
			for _, k := range c.entryKeys(s.Name, typ) {
				if c.keySelectable(in, sg, provides, typ, k.Selection) {
					in[s.Name] = true
					changed = true
					break
				}
			}
		}
	}
	out := sortedKeys(in)
	c.reach[memo] = out
	return out
}

// keySelectable reports whether every field of a key's selection can be selected in
// one of the subgraphs in. Only origin has the provides of the path.
func (c *satChecker) keySelectable(in map[string]bool, origin string, provides ast.SelectionSet, typ string, sel ast.SelectionSet) bool {
	for _, s := range sel {
		switch s := s.(type) {
		case *ast.Field:
			if s.Name == "__typename" {
				continue
			}
			ok := false
			for sg := range in {
				var p ast.SelectionSet
				if sg == origin {
					p = provides
				}
				if c.selectableIn(sg, typ, s, p) {
					ok = true
					break
				}
			}
			if !ok {
				return false
			}
		case *ast.InlineFragment:
			if !c.keySelectable(in, origin, provides, typ, s.SelectionSet) {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// selectableIn reports whether sg alone can select field s (and its sub-selection)
// at a position of type typ. @requires are not followed: key fields have none.
func (c *satChecker) selectableIn(sg, typ string, s *ast.Field, provides ast.SelectionSet) bool {
	t := c.g.Type(typ)
	if t == nil {
		return false
	}
	f := t.Fields[s.Name]
	if f == nil {
		return false
	}
	sub, provided := providedField(provides, s.Name)
	if !provided {
		src := c.source(sg, typ, s.Name)
		if src == nil || src.External || src.UsedOverridden || src.Requires != nil {
			return false
		}
		sub = src.Provides
	}
	for _, child := range s.SelectionSet {
		switch child := child.(type) {
		case *ast.Field:
			if child.Name != "__typename" && !c.selectableIn(sg, f.Type.Name(), child, sub) {
				return false
			}
		case *ast.InlineFragment:
			cond := child.TypeCondition
			if cond == "" {
				cond = f.Type.Name()
			}
			for _, cs := range child.SelectionSet {
				if cf, ok := cs.(*ast.Field); ok && cf.Name != "__typename" && !c.selectableIn(sg, cond, cf, narrowProvides(sub, cond)) {
					return false
				}
			}
		}
	}
	return true
}

// requiresOK reports whether the fields a @requires on typ.field in sg names can be
// fetched from sg's position, and whether sg can then be entered again by a key.
func (c *satChecker) requiresOK(sg, typ, field string, req ast.SelectionSet) bool {
	memo := sg + "|" + typ + "." + field
	switch c.requires[memo] {
	case satYes:
		return true
	case satNo, satInProgress:
		return false
	}
	c.requires[memo] = satInProgress
	ok := len(c.entryKeys(sg, typ)) > 0 && c.selectionOK(typ, req, []satOption{{sg: sg, tail: typ}}, 0)
	if ok {
		c.requires[memo] = satYes
	} else {
		c.requires[memo] = satNo
	}
	return ok
}

// selectionOK reports whether the whole selection can be resolved from opts.
func (c *satChecker) selectionOK(typ string, sel ast.SelectionSet, opts []satOption, depth int) bool {
	if depth > 32 {
		return false
	}
	t := c.g.Type(typ)
	if t == nil {
		return false
	}
	for _, s := range sel {
		switch s := s.(type) {
		case *ast.Field:
			if s.Name == "__typename" {
				continue
			}
			f := t.Fields[s.Name]
			if f == nil {
				return false
			}
			next, _ := c.advance(typ, f, opts)
			if len(next) == 0 {
				return false
			}
			if len(s.SelectionSet) > 0 && !c.selectionOK(f.Type.Name(), s.SelectionSet, next, depth+1) {
				return false
			}
		case *ast.InlineFragment:
			cond := s.TypeCondition
			if cond == "" || cond == typ {
				if !c.selectionOK(typ, s.SelectionSet, opts, depth+1) {
					return false
				}
				continue
			}
			next, ok := c.downcast(cond, opts)
			if ok && !c.selectionOK(cond, s.SelectionSet, next, depth+1) {
				return false
			}
		}
	}
	return true
}

// fail records a SATISFIABILITY_ERROR for the path ending at f.
func (c *satChecker) fail(path satPath, f *supergraph.Field, opts []satOption, reasons map[string][]string) {
	var sgs []string
	var b strings.Builder
	fmt.Fprintf(&b, "The following supergraph API query:\n%s\ncannot be satisfied by the subgraphs because:", path.String(c.g))
	for _, sg := range sortedKeys(reasons) {
		sgs = append(sgs, sg)
		rs := dedupSorted(reasons[sg])
		if len(rs) == 1 {
			fmt.Fprintf(&b, "\n- from subgraph %q: %s.", sg, rs[0])
			continue
		}
		fmt.Fprintf(&b, "\n- from subgraph %q:", sg)
		for _, r := range rs {
			fmt.Fprintf(&b, "\n  - %s.", r)
		}
	}
	for _, o := range opts {
		sgs = append(sgs, o.sg)
	}
	sgs = append(sgs, f.Resolvers()...)
	c.errs = append(c.errs, newError(CodeSatisfiability, f.Parent+"."+f.Name, sgs, "%s", b.String()))
}

func dedupOptions(opts []satOption) []satOption {
	seen := map[string]bool{}
	var out []satOption
	for _, o := range opts {
		if k := o.key(); !seen[k] {
			seen[k] = true
			out = append(out, o)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].key() < out[j].key() })
	return out
}

// namedType strips list and non-null wrappers from a type written as in SDL.
func namedType(s string) string {
	return strings.Trim(s, "[]! ")
}
