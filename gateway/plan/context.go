package plan

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/shopgraph/shopgraph/gateway/supergraph"
)

// Contextual arguments (@fromContext, join v0.5 contextArguments): a field
// whose subgraph takes an argument from a context is planned as Apollo's
// planner does it:
//
//   - It is always resolved through _entities, in an entity fetch of its own
//     (never merged with another), even where the parent object comes from
//     the same subgraph: the argument's value differs per object, so it is a
//     variable of that fetch ($__ctx_N), not part of any other operation.
//   - The value comes from the nearest ancestor on the operation's path whose
//     type sets the context (the parent type of each field on the way down,
//     its interfaces and unions, as the reference planner matches them; the
//     object itself does not count). The context's selection is planned at
//     that ancestor like a @requires is at the object: under internal aliases
//     (__sg_name) unless the client selects the same field there, so that it
//     never reaches the client, in whichever fetches resolve it; the entity
//     fetch depends on them.
//   - Fetch.Context tells the executor where each value is: the ancestor's
//     depth on the fetch's path and the response keys leading from it to the
//     value. The executor groups the fetch's objects by their values and sends
//     one request with one aliased _entities field per distinct group
//     (gateway/execute/context.go).

// ContextFetch describes an entity fetch whose fields take contextual
// arguments: where each value is read, and the parts the executor needs to
// write the fetch for several groups of values at once.
type ContextFetch struct {
	// Arguments are the fetch's contextual variables.
	Arguments []*ContextArgument
	// Declarations are the operation's variable declarations other than
	// $representations and the contextual variables (client variables).
	Declarations []string
	// Selection is the selection set of the _entities field, in which each
	// contextual value stands as $Variable.
	Selection string
}

// ContextArgument is one contextual variable of an entity fetch.
type ContextArgument struct {
	// Variable names the operation's variable ("__ctx_0").
	Variable string
	// Type is the subgraph argument's type, for the variable's declaration;
	// a null value for a non-null type leaves the object unresolved.
	Type string
	// Ancestor is the length of the ancestor's response path: for an object
	// at the fetch's path p, the context is read from the object at p[:Ancestor].
	Ancestor int
	// AncestorTypes are the types of ancestor the argument applies to: a
	// field under several fragments of one position has a fetch per fragment,
	// each for the objects under its own (an ancestor without __typename is
	// of its position's one type, and always applies).
	AncestorTypes []string
	// Value leads from the ancestor to the value: fields by response key
	// (RepNode.Key), fragments by __typename (RepNode.Types). The value is the
	// one field the chain ends in, lists mapped.
	Value []*RepNode
}

// ancestor is a position above a cursor on the operation's path: the cursor
// on the object whose field led down, with its type as fragments narrowed it.
type ancestor struct {
	c    cursor
	next *ancestor
}

// contextual reports whether subgraph sg takes contextual arguments for f.
func contextual(f *supergraph.Field, sg string) bool {
	if f == nil {
		return false
	}
	s := f.Sources[sg]
	return s != nil && len(s.ContextArguments) > 0
}

// contextSource returns the definition of a field with contextual arguments
// that the target subgraph resolves, or nil.
func contextSource(via *supergraph.Type, target string, s Selection) *supergraph.FieldSource {
	f, ok := s.(*Field)
	if !ok || f.Name == "__typename" {
		return nil
	}
	sf := via.Fields[f.Name]
	if !contextual(sf, target) {
		return nil
	}
	return sf.Sources[target]
}

// jumpContextual plans the fields sels, each with contextual arguments in
// target, in an entity fetch of their own for the object at c: keySels are
// the key's selections (already planned at c), keyDeps the fetches that
// supply them.
//
// A field that also has @requires gets its requirement planned at c and put
// in the representations; fields whose requirements would need two values
// of one field in one representation go to fetches of their own.
func (b *builder) jumpContextual(c cursor, via *supergraph.Type, target string, sels, keySels []Selection, keyDeps idSet) (idSet, error) {
	client := append(c.client[:len(c.client):len(c.client)], b.clientAt(c.path)...)
	groups := []*requireGroup{{}}
	deps := idSet{}
	for id := range keyDeps {
		deps[id] = true
	}
	for _, s := range sels {
		f := s.(*Field)
		src := via.Fields[f.Name].Sources[target]
		if src.Requires == nil {
			groups[0].sels = append(groups[0].sels, s)
			continue
		}
		rs, rd, err := b.planRequirement(c, via, target, f, src, client)
		if err != nil {
			return nil, err
		}
		deps.add(rd)
		groups = joinRequireGroup(groups, s, rs)
	}
	out := idSet{}
	for _, g := range groups {
		if len(g.sels) == 0 {
			continue
		}
		d, err := b.contextualFetch(c, via, target, g, keySels, deps)
		if err != nil {
			return nil, err
		}
		out.add(d)
	}
	return out, nil
}

// contextualFetch plans the fields of g, with their requirements g.reqs
// planned already (deps supply them and the key), in one entity fetch.
func (b *builder) contextualFetch(c cursor, via *supergraph.Type, target string, g *requireGroup, keySels []Selection, deps idSet) (idSet, error) {
	sels := g.sels
	ef := b.newFetch(target, true)
	ef.path = c.path
	for id := range deps {
		ef.deps[id] = true
	}
	satisfied := map[string]bool{}
	planned := make([]Selection, 0, len(sels))
	byValue := map[string]*ContextArgument{}
	for _, s := range sels {
		f := s.(*Field)
		src := via.Fields[f.Name].Sources[target]
		cp := *f
		cp.Arguments = append(ast.ArgumentList(nil), f.Arguments...)
		for _, ca := range src.ContextArguments {
			arg, deps, err := b.planContextArgument(c, via, f, ca, byValue)
			if err != nil {
				return nil, err
			}
			if arg.Variable == "" {
				arg.Variable = "__ctx_" + strconv.Itoa(len(ef.ctx))
				ef.ctx = append(ef.ctx, arg)
			}
			for id := range deps {
				ef.deps[id] = true
			}
			cp.Arguments = append(cp.Arguments, &ast.Argument{Name: ca.Name, Value: &ast.Value{Kind: ast.Variable, Raw: arg.Variable}})
		}
		satisfied[f.Name] = true
		planned = append(planned, &cp)
	}
	reqs := ef.reqs.fragment(via.Name)
	reqs.field("__typename", "__typename", nil, false)
	addSelections(reqs, keySels, true)
	for _, rs := range g.reqs {
		addSelections(reqs, rs, false)
	}
	child := cursor{f: ef, sg: target, sel: ef.sel.fragment(via.Name), typ: via.Name, path: c.path, satisfied: satisfied, depth: c.depth + 1, client: c.client, conds: c.conds, up: c.up}
	child.anchor = &anchor{at: child, via: via}
	out, err := b.planSelections(child, planned)
	if err != nil {
		return nil, err
	}
	out[ef.id] = true
	return out, nil
}

// planContextArgument finds the ancestor of c that sets the argument's
// context, plans the context's selection there and returns where the value
// will be; byValue shares one variable between arguments that read the same
// value (a new argument comes back without a Variable).
func (b *builder) planContextArgument(c cursor, via *supergraph.Type, f *Field, ca *supergraph.ContextArgument, byValue map[string]*ContextArgument) (*ContextArgument, idSet, error) {
	setters := b.g.TypesWithContext(ca.Context)
	var anc *ancestor
	for a := c.up; a != nil && anc == nil; a = a.next {
		for _, t := range setters {
			if b.setsContext(t, a.c.typ) {
				anc = a
				break
			}
		}
	}
	if anc == nil {
		return nil, nil, fmt.Errorf("cannot plan %s.%s at %q: its argument %q takes context %q, which no type above it on the path sets", via.Name, f.Name, c.path.String(), ca.Name, ca.Context)
	}
	at := anc.c
	sel := b.applicableFragments(ca.Selection, at.typ)
	client := append(at.client[:len(at.client):len(at.client)], b.clientAt(at.path)...)
	rs, err := b.fieldSetSelections(at.typ, sel, client, true)
	if err != nil {
		return nil, nil, fmt.Errorf("context %q of %s.%s(%s:) at %s: %w", ca.Context, via.Name, f.Name, ca.Name, at.typ, err)
	}
	if hasFragment(rs) {
		// The value is found by the ancestor's concrete type.
		rs = append(rs, &Field{Key: "__typename", Name: "__typename", Parent: at.typ, Type: ast.NonNullNamedType("String", nil)})
	}
	aliasAgainst(at.sel, rs)
	deps, err := b.planSelections(at, rs)
	if err != nil {
		return nil, nil, fmt.Errorf("context %q of %s.%s(%s:): %w", ca.Context, via.Name, f.Name, ca.Name, err)
	}
	value := b.valueNodes(rs)
	types := []string{at.typ}
	if t := b.g.Type(at.typ); t != nil && t.Kind != ast.Object {
		types = t.PossibleTypes
	}
	key := strconv.Itoa(len(at.path)) + "|" + strings.Join(types, ",") + "|" + ca.Type + "|" + repString(value)
	if arg := byValue[key]; arg != nil {
		return arg, deps, nil
	}
	arg := &ContextArgument{Type: ca.Type, Ancestor: len(at.path), AncestorTypes: types, Value: value}
	byValue[key] = arg
	return arg, deps, nil
}

// setsContext reports whether a field selected on type pos is under the
// context that type ctxType sets: pos is that type, or an object or
// interface of it (an implementation, a union member).
func (b *builder) setsContext(ctxType, pos string) bool {
	if ctxType == pos {
		return true
	}
	ct := b.g.Type(ctxType)
	if ct == nil || (ct.Kind != ast.Interface && ct.Kind != ast.Union) {
		return false
	}
	if contains(ct.PossibleTypes, pos) {
		return true
	}
	for _, i := range b.g.API().Implements[pos] {
		if i.Name == ctxType {
			return true
		}
	}
	return false
}

// applicableFragments drops the inline fragments of a context selection that
// can never apply at type typ (the selection may name the types of every
// setter of the context).
func (b *builder) applicableFragments(sel ast.SelectionSet, typ string) ast.SelectionSet {
	var out ast.SelectionSet
	for _, s := range sel {
		if fr, ok := s.(*ast.InlineFragment); ok && fr.TypeCondition != "" && !b.overlaps(fr.TypeCondition, typ) {
			continue
		}
		out = append(out, s)
	}
	return out
}

// overlaps reports whether some object may be of both types.
func (b *builder) overlaps(a, typ string) bool {
	if a == typ {
		return true
	}
	possible := func(n string) []string {
		t := b.g.Type(n)
		if t == nil {
			return nil
		}
		if t.Kind == ast.Object {
			return []string{n}
		}
		return t.PossibleTypes
	}
	for _, p := range possible(a) {
		if contains(possible(typ), p) {
			return true
		}
	}
	return false
}

func hasFragment(sels []Selection) bool {
	for _, s := range sels {
		if _, ok := s.(*Fragment); ok {
			return true
		}
	}
	return false
}

// valueNodes turns the planned context selection into the path the executor
// reads the value along.
func (b *builder) valueNodes(sels []Selection) []*RepNode {
	var out []*RepNode
	for _, s := range sels {
		switch s := s.(type) {
		case *Field:
			if s.Name == "__typename" && len(sels) > 1 {
				continue
			}
			out = append(out, &RepNode{Key: s.Key, Name: s.Name, Children: b.valueNodes(s.Selections)})
		case *Fragment:
			n := &RepNode{TypeCondition: s.TypeCondition, Children: b.valueNodes(s.Selections)}
			if t := b.g.Type(s.TypeCondition); t != nil && t.Kind != ast.Object {
				n.Types = append(n.Types, t.PossibleTypes...)
			} else {
				n.Types = []string{s.TypeCondition}
			}
			out = append(out, n)
		}
	}
	return out
}

// contextFetch fills a fetch's Context and its contextual declarations.
func contextFetch(f *fetch, pf *Fetch, clientDecls []string) []string {
	if len(f.ctx) == 0 {
		return nil
	}
	isCtx := map[string]bool{}
	var decls []string
	for _, a := range f.ctx {
		isCtx[a.Variable] = true
		decls = append(decls, "$"+a.Variable+":"+a.Type)
	}
	kept := pf.Variables[:0]
	for _, v := range pf.Variables {
		if !isCtx[v] {
			kept = append(kept, v)
		}
	}
	pf.Variables = kept
	pf.Context = &ContextFetch{Arguments: f.ctx, Declarations: clientDecls, Selection: f.sel.String()}
	return decls
}

// writeContext prints a fetch's contextual variables for Plan.String.
func writeContext(b *strings.Builder, c *ContextFetch, depth int) {
	for _, a := range c.Arguments {
		indent(b, depth)
		fmt.Fprintf(b, "$%s: %s = ancestor %d (%s) %s\n", a.Variable, a.Type, a.Ancestor, strings.Join(a.AncestorTypes, "|"), repString(a.Value))
	}
}
