// Package authz enforces the authorization directives of a supergraph
// (@authenticated, @requiresScopes, @policy) the way Apollo Router does: before
// planning, the fields and types a request may not read are removed from its
// operation; after execution, each removed field is set to null in the answer
// (its null bubbling to the nearest nullable parent, as GraphQL's null
// propagation does) with an "Unauthorized field or type" error per place, and
// the rest of the answer is kept.
//
// The filter works on the client's document, not on the planner's normalised
// operation, so that the planner stays unaware of authorization: the filtered
// document is printed and planned like any other, and since its text differs
// with every authorization outcome, the planner's caches (documents by text,
// plans by normalised operation) can never hand one user's filtered plan to a
// request that may read more. Filter results are cached by the document and the
// grant: whether the request is authenticated and which of the scopes and
// policies the supergraph names it holds, so claims that play no part in any
// requirement do not split the cache.
//
// The rules (https://www.apollographql.com/docs/graphos/routing/security/authorization):
//   - A field is removed when its own requirement, its parent type's, or the
//     requirement of the type it returns (object, interface, scalar, enum) is
//     unmet. A field selected on an interface also needs what every
//     implementation's type and same-named field need, since the object may be
//     any of them.
//   - An inline fragment or fragment spread on a type whose requirement is
//     unmet is removed; its objects get an error and lack those fields.
//   - A field whose every subselection was removed is removed itself, with
//     one error at its own path instead of its children's.
//   - When no root field is left, the operation still runs (as a bare
//     __typename, planned without any fetch) and answers data with nulls.
package authz

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/formatter"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/shopgraph/shopgraph/gateway/supergraph"
)

// Error message and code of a removed field, as Apollo Router writes them.
const (
	Message = "Unauthorized field or type"
	Code    = "UNAUTHORIZED_FIELD_OR_TYPE"
)

// typenameAlias is the response key of the __typename the filter adds where it
// must tell object types apart (or where nothing else is left to select); the
// answer is rid of it before the client sees it.
const typenameAlias = "_authzTypename"

// Request is what the filter knows of a request's credentials.
type Request struct {
	// Authenticated is true when the request carries a verified token.
	Authenticated bool
	// Scopes are the token's scopes (the space-separated `scope` claim).
	Scopes []string
	// Claims are all the token's claims, for policies.
	Claims map[string]any
}

// Filter removes what a request may not read from its operations. It is safe
// for concurrent use.
type Filter struct {
	schema   *ast.Schema
	reqs     *supergraph.Authorization
	policies map[string]PolicyRule
	// maxTokens bounds the documents the filter parses (0: no bound).
	maxTokens int
	mu        sync.Mutex
	cache     map[string]*Result
	maxCache  int
}

// New returns the filter of g, or nil when g has no authorization directives
// (then nothing is ever filtered). cacheSize bounds the cached results;
// maxTokens the documents parsed (0: unbounded).
func New(g *supergraph.Graph, cfg Config, cacheSize, maxTokens int) *Filter {
	a := g.Authorization()
	if a.Empty() {
		return nil
	}
	if cacheSize <= 0 {
		cacheSize = 1024
	}
	return &Filter{schema: g.API(), reqs: a, policies: cfg.Policies, maxTokens: maxTokens, cache: map[string]*Result{}, maxCache: cacheSize}
}

// Result is a filtered operation.
type Result struct {
	// Query is the document to plan in place of the client's.
	Query string
	// Removed are the removed fields and fragments, in document order.
	Removed []Removal
}

// Removal is one removed field (Fragment empty) or fragment.
type Removal struct {
	// Steps lead from the root to the removed field, or, for a fragment, to
	// the field whose objects it narrowed.
	Steps []Step
	// Fragment is the type condition of a removed fragment.
	Fragment string
	// After is the response key the removed field followed in its selection
	// set ("" when first), so that its null keeps the client's order.
	After string
}

// Step is one field on a path: its response key and type, and the object type
// it was selected on when that is narrower than the field's parent position
// (the field is then nulled only in objects of that type).
type Step struct {
	Key  string
	Type *ast.Type
	On   string
}

// grant is what a request holds of what the supergraph's requirements name.
type grant struct {
	authenticated bool
	scopes        map[string]bool
	policies      map[string]bool
}

func (f *Filter) grantOf(r Request) grant {
	g := grant{authenticated: r.Authenticated, scopes: map[string]bool{}, policies: map[string]bool{}}
	if !r.Authenticated {
		return g // scopes and policies come from a verified token only
	}
	for _, s := range r.Scopes {
		if _, ok := slices.BinarySearch(f.reqs.Scopes, s); ok {
			g.scopes[s] = true
		}
	}
	for _, p := range f.reqs.Policies {
		if rule, ok := f.policies[p]; ok && rule.satisfied(r.Claims) {
			g.policies[p] = true
		}
	}
	return g
}

// key is the grant's part of the cache key.
func (g grant) key() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%t", g.authenticated)
	for _, m := range []map[string]bool{g.scopes, g.policies} {
		ks := make([]string, 0, len(m))
		for k := range m {
			ks = append(ks, k)
		}
		slices.Sort(ks)
		fmt.Fprintf(&b, "\x00%q", ks)
	}
	return b.String()
}

// meets reports whether the grant satisfies r.
func (g grant) meets(r supergraph.Requirement) bool {
	if r.Authenticated && !g.authenticated {
		return false
	}
	return anyAll(r.Scopes, g.scopes) && anyAll(r.Policies, g.policies)
}

// anyAll: nil is no requirement; otherwise one inner list must be held whole.
func anyAll(dnf [][]string, held map[string]bool) bool {
	if dnf == nil {
		return true
	}
	for _, and := range dnf {
		ok := true
		for _, s := range and {
			if !held[s] {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// Apply filters the operation of query named operationName for r. It returns
// nil when nothing is removed (the query runs as sent) or when the document
// does not parse or name no operation (the planner, which parses alike,
// then refuses it). The document is not validated here: the planner validates
// what is left, and a filter that skipped an invalid document could hand the
// planner, whose rules differ slightly, an unfiltered one. Unknown types and
// fields are kept for the planner to refuse.
func (f *Filter) Apply(query, operationName string, r Request) (*Result, error) {
	if f == nil {
		return nil, nil
	}
	g := f.grantOf(r)
	sum := sha256.Sum256([]byte(query))
	key := string(sum[:]) + "\x00" + operationName + "\x00" + g.key()
	f.mu.Lock()
	res, ok := f.cache[key]
	f.mu.Unlock()
	if ok {
		return res, nil
	}
	res, err := f.filter(query, operationName, g)
	if err != nil {
		return nil, err
	}
	f.mu.Lock()
	if len(f.cache) >= f.maxCache {
		clear(f.cache) // rare: a fresh start is cheaper to reason about than eviction order
	}
	f.cache[key] = res
	f.mu.Unlock()
	return res, nil
}

func (f *Filter) filter(query, operationName string, g grant) (*Result, error) {
	doc, err := parser.ParseQueryWithTokenLimit(&ast.Source{Name: "operation", Input: query}, f.maxTokens)
	if err != nil {
		return nil, nil
	}
	op := doc.Operations.ForName(operationName)
	if op == nil && operationName == "" && len(doc.Operations) == 1 {
		op = doc.Operations[0]
	}
	if op == nil {
		return nil, nil
	}
	w := &walker{f: f, g: g, doc: doc, defs: map[string]ast.SelectionSet{}}
	root := f.rootType(op.Operation)
	if root == "" {
		return nil, nil
	}
	var prev string
	sels, _, err := w.set(op.SelectionSet, root, root, nil, &prev)
	if err != nil {
		return nil, err
	}
	if len(w.removed) == 0 {
		return nil, nil
	}
	if len(sels) == 0 {
		sels = ast.SelectionSet{typenameField()}
	}
	out := *op
	out.SelectionSet = sels
	return &Result{Query: w.print(&out), Removed: w.removed}, nil
}

func (f *Filter) rootType(op ast.Operation) string {
	var def *ast.Definition
	switch op {
	case ast.Query:
		def = f.schema.Query
	case ast.Mutation:
		def = f.schema.Mutation
	case ast.Subscription:
		def = f.schema.Subscription
	}
	if def == nil {
		return ""
	}
	return def.Name
}

func typenameField() *ast.Field {
	return &ast.Field{Alias: typenameAlias, Name: "__typename"}
}

// print writes the filtered operation with the fragments it still uses and
// only the variables it still uses: a removed field may have been the only
// user of either, which validation refuses.
func (w *walker) print(op *ast.OperationDefinition) string {
	used := map[string]bool{}
	vars := map[string]bool{}
	var visit func(ast.SelectionSet)
	visit = func(set ast.SelectionSet) {
		for _, s := range set {
			switch s := s.(type) {
			case *ast.Field:
				usedVars(vars, s.Arguments, s.Directives)
				visit(s.SelectionSet)
			case *ast.InlineFragment:
				usedVars(vars, nil, s.Directives)
				visit(s.SelectionSet)
			case *ast.FragmentSpread:
				usedVars(vars, nil, s.Directives)
				if !used[s.Name] {
					used[s.Name] = true
					visit(w.defs[s.Name])
				}
			}
		}
	}
	usedVars(vars, nil, op.Directives)
	visit(op.SelectionSet)
	doc := &ast.QueryDocument{Operations: ast.OperationList{op}}
	for _, d := range w.doc.Fragments {
		if used[d.Name] {
			nd := *d
			nd.SelectionSet = w.defs[d.Name]
			doc.Fragments = append(doc.Fragments, &nd)
		}
	}
	var defs ast.VariableDefinitionList
	for _, v := range op.VariableDefinitions {
		if vars[v.Variable] {
			defs = append(defs, v)
		}
	}
	op.VariableDefinitions = defs
	var buf bytes.Buffer
	formatter.NewFormatter(&buf, formatter.WithIndent(" ")).FormatQueryDocument(doc)
	return buf.String()
}

func usedVars(vars map[string]bool, args ast.ArgumentList, dirs ast.DirectiveList) {
	var value func(v *ast.Value)
	value = func(v *ast.Value) {
		if v == nil {
			return
		}
		if v.Kind == ast.Variable {
			vars[v.Raw] = true
		}
		for _, c := range v.Children {
			value(c.Value)
		}
	}
	for _, a := range args {
		value(a.Value)
	}
	for _, d := range dirs {
		for _, a := range d.Arguments {
			value(a.Value)
		}
	}
}
