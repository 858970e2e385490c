// Package testsubgraph runs small, real Federation v2 subgraphs for router tests: an
// SDL plus in-memory resolvers, served over HTTP, executing GraphQL documents with
// gqlparser, including _entities(representations:) and _service { sdl }.
package testsubgraph

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"
)

// Resolver resolves one field. parent is the object the field is on (nil for root
// fields); a nil result with a nil error is null.
type Resolver func(ctx context.Context, parent map[string]any, args map[string]any) (any, error)

// EntityResolver resolves one representation to an object, or nil when unknown.
type EntityResolver func(ctx context.Context, rep map[string]any) (any, error)

// Subgraph describes a test subgraph. Objects are map[string]any; fields without a
// resolver read the parent's key of the same name; an object's "__typename" key
// chooses its type where the schema's type is abstract.
type Subgraph struct {
	Name      string
	SDL       string
	Resolvers map[string]Resolver       // by "Type.field"
	Entities  map[string]EntityResolver // by type name
}

// Request is one request a running subgraph received.
type Request struct {
	Query     string
	Variables map[string]any
}

// Server is a running test subgraph.
type Server struct {
	*httptest.Server
	sg     *Subgraph
	schema *ast.Schema

	mu       sync.Mutex
	requests []Request
}

const federationPrelude = `
directive @link(url: String!, as: String, import: [link__Import], for: link__Purpose) repeatable on SCHEMA
scalar link__Import
enum link__Purpose { SECURITY EXECUTION }
directive @key(fields: FieldSet!, resolvable: Boolean = true) repeatable on OBJECT | INTERFACE
directive @requires(fields: FieldSet!) on FIELD_DEFINITION
directive @provides(fields: FieldSet!) on FIELD_DEFINITION
directive @external on OBJECT | FIELD_DEFINITION
directive @shareable repeatable on OBJECT | FIELD_DEFINITION
directive @override(from: String!, label: String) on FIELD_DEFINITION
directive @inaccessible on FIELD_DEFINITION | OBJECT | INTERFACE | UNION | ARGUMENT_DEFINITION | SCALAR | ENUM | ENUM_VALUE | INPUT_OBJECT | INPUT_FIELD_DEFINITION
directive @tag(name: String!) repeatable on FIELD_DEFINITION | OBJECT | INTERFACE | UNION | ARGUMENT_DEFINITION | SCALAR | ENUM | ENUM_VALUE | INPUT_OBJECT | INPUT_FIELD_DEFINITION
directive @extends on OBJECT | INTERFACE
directive @interfaceObject on OBJECT
directive @context(name: String!) repeatable on INTERFACE | OBJECT | UNION
directive @fromContext(field: String) on ARGUMENT_DEFINITION
scalar FieldSet
scalar _Any
type _Service { sdl: String! }
`

// Schema builds the executable schema: the SDL plus federation machinery.
func (sg *Subgraph) Schema() (*ast.Schema, error) {
	doc, err := parser.ParseSchema(&ast.Source{Name: sg.Name, Input: sg.SDL})
	if err != nil {
		return nil, fmt.Errorf("subgraph %s: %w", sg.Name, err)
	}
	var entities []string
	hasQuery := false
	for _, list := range []ast.DefinitionList{doc.Definitions, doc.Extensions} {
		for _, d := range list {
			if d.Name == "Query" {
				hasQuery = true
			}
			// Only object types join _Entity; an interface with @key is resolved through
			// its implementations (or its own name, by the entity resolver).
			if d.Kind == ast.Object && d.Directives.ForName("key") != nil && !contains(entities, d.Name) {
				entities = append(entities, d.Name)
			}
		}
	}
	extra := federationPrelude
	rootKw := "type"
	if hasQuery {
		rootKw = "extend type"
	}
	if len(entities) > 0 {
		extra += "union _Entity = " + join(entities, " | ") + "\n"
		extra += rootKw + " Query { _entities(representations: [_Any!]!): [_Entity]! _service: _Service! }\n"
	} else {
		extra += rootKw + " Query { _service: _Service! }\n"
	}
	schema, err := gqlparser.LoadSchema(&ast.Source{Name: sg.Name, Input: sg.SDL}, &ast.Source{Name: "federation", Input: extra})
	if err != nil {
		return nil, fmt.Errorf("subgraph %s: %w", sg.Name, err)
	}
	return schema, nil
}

// Start serves sg on a loopback port until the test ends.
func Start(tb testing.TB, sg *Subgraph) *Server {
	tb.Helper()
	schema, err := sg.Schema()
	if err != nil {
		tb.Fatal(err)
	}
	s := &Server{sg: sg, schema: schema}
	s.Server = httptest.NewServer(s)
	tb.Cleanup(s.Close)
	return s
}

// Requests returns the requests received so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// ServeHTTP answers GraphQL POST requests.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Query     string         `json:"query"`
		Variables map[string]any `json:"variables"`
	}
	b, _ := io.ReadAll(r.Body)
	if err := json.Unmarshal(b, &body); err != nil {
		http.Error(w, "bad JSON: "+err.Error(), http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	s.requests = append(s.requests, Request{Query: body.Query, Variables: body.Variables})
	s.mu.Unlock()
	resp := s.Execute(r.Context(), body.Query, body.Variables)
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(resp)
}

// Response is a GraphQL response.
type Response struct {
	Data   any               `json:"data"`
	Errors []*gqlerror.Error `json:"errors,omitempty"`
}

// Execute runs a document against the subgraph.
func (s *Server) Execute(ctx context.Context, query string, vars map[string]any) Response {
	doc, errs := gqlparser.LoadQuery(s.schema, query)
	if len(errs) > 0 {
		return Response{Errors: errs}
	}
	if len(doc.Operations) != 1 {
		return Response{Errors: gqlerror.List{gqlerror.Errorf("expected one operation")}}
	}
	op := doc.Operations[0]
	coerced, err := validator.VariableValues(s.schema, op, vars)
	if err != nil {
		return Response{Errors: gqlerror.List{gqlerror.Wrap(err)}}
	}
	root := s.schema.Query
	if op.Operation == ast.Mutation {
		root = s.schema.Mutation
	}
	ex := &executor{s: s, vars: coerced}
	data, ok := ex.selectionSet(ctx, op.SelectionSet, root, nil, nil)
	if !ok {
		return Response{Data: nil, Errors: ex.errs}
	}
	return Response{Data: data, Errors: ex.errs}
}

type executor struct {
	s    *Server
	vars map[string]any
	errs gqlerror.List
}

// orderedObject keeps response keys in selection order when encoded.
type orderedObject struct {
	keys []string
	vals map[string]any
}

// MarshalJSON writes the keys in selection order.
func (o *orderedObject) MarshalJSON() ([]byte, error) {
	buf := []byte{'{'}
	for i, k := range o.keys {
		if i > 0 {
			buf = append(buf, ',')
		}
		kb, _ := json.Marshal(k)
		vb, err := json.Marshal(o.vals[k])
		if err != nil {
			return nil, err
		}
		buf = append(buf, kb...)
		buf = append(buf, ':')
		buf = append(buf, vb...)
	}
	return append(buf, '}'), nil
}

func (ex *executor) collect(set ast.SelectionSet, typename string, out []*ast.Field) []*ast.Field {
	for _, sel := range set {
		switch sel := sel.(type) {
		case *ast.Field:
			if ex.included(sel.Directives) {
				out = append(out, sel)
			}
		case *ast.InlineFragment:
			if ex.included(sel.Directives) && ex.applies(sel.TypeCondition, typename) {
				out = ex.collect(sel.SelectionSet, typename, out)
			}
		case *ast.FragmentSpread:
			if ex.included(sel.Directives) && ex.applies(sel.Definition.TypeCondition, typename) {
				out = ex.collect(sel.Definition.SelectionSet, typename, out)
			}
		}
	}
	return out
}

// included decides @skip and @include with the operation's variables.
func (ex *executor) included(dirs ast.DirectiveList) bool {
	for _, d := range dirs {
		if d.Name != "skip" && d.Name != "include" {
			continue
		}
		v, _ := d.ArgumentMap(ex.vars)["if"].(bool)
		if v != (d.Name == "include") {
			return false
		}
	}
	return true
}

func (ex *executor) applies(cond, typename string) bool {
	if cond == "" || cond == typename {
		return true
	}
	for _, p := range ex.s.schema.PossibleTypes[cond] {
		if p.Name == typename {
			return true
		}
	}
	return false
}

func (ex *executor) selectionSet(ctx context.Context, set ast.SelectionSet, def *ast.Definition, parent map[string]any, path ast.Path) (any, bool) {
	typename := def.Name
	if t, ok := parent["__typename"].(string); ok {
		typename = t
	}
	out := &orderedObject{vals: map[string]any{}}
	// Fields with one response key are one field whose subselections are merged,
	// as GraphQL's CollectFields and the subgraph servers do.
	var fields []*ast.Field
	index := map[string]int{}
	for _, f := range ex.collect(set, typename, nil) {
		key := f.Alias
		if key == "" {
			key = f.Name
		}
		if i, dup := index[key]; dup {
			merged := *fields[i]
			merged.SelectionSet = append(append(ast.SelectionSet{}, merged.SelectionSet...), f.SelectionSet...)
			fields[i] = &merged
			continue
		}
		index[key] = len(fields)
		fields = append(fields, f)
	}
	for _, f := range fields {
		key := f.Alias
		if key == "" {
			key = f.Name
		}
		fpath := append(append(ast.Path{}, path...), ast.PathName(key))
		v, ok := ex.field(ctx, f, typename, parent, fpath)
		if !ok {
			return nil, false
		}
		out.keys = append(out.keys, key)
		out.vals[key] = v
	}
	return out, true
}

func (ex *executor) field(ctx context.Context, f *ast.Field, typename string, parent map[string]any, path ast.Path) (any, bool) {
	var val any
	var err error
	switch {
	case f.Name == "__typename":
		return typename, true
	case f.Name == "_service":
		val = map[string]any{"sdl": ex.s.sg.SDL}
	case f.Name == "_entities":
		reps, _ := f.ArgumentMap(ex.vars)["representations"].([]any)
		list := make([]any, len(reps))
		for i, r := range reps {
			rep, _ := r.(map[string]any)
			tn, _ := rep["__typename"].(string)
			res := ex.s.sg.Entities[tn]
			if res == nil {
				ex.errs = append(ex.errs, &gqlerror.Error{Message: "no entity resolver for " + tn, Path: append(append(ast.Path{}, path...), ast.PathIndex(i))})
				continue
			}
			obj, err := res(ctx, rep)
			if err != nil {
				ex.errs = append(ex.errs, &gqlerror.Error{Message: err.Error(), Path: append(append(ast.Path{}, path...), ast.PathIndex(i))})
				continue
			}
			if m, ok := obj.(map[string]any); ok {
				if _, ok := m["__typename"]; !ok {
					m["__typename"] = tn
				}
			}
			list[i] = obj
		}
		val = list
	default:
		if r := ex.s.sg.Resolvers[typename+"."+f.Name]; r != nil {
			val, err = r(ctx, parent, f.ArgumentMap(ex.vars))
		} else if parent != nil {
			val = parent[f.Name]
		}
	}
	if err != nil {
		ex.errs = append(ex.errs, &gqlerror.Error{Message: err.Error(), Path: path})
		val = nil
	}
	return ex.complete(ctx, f, f.Definition.Type, val, path, err != nil)
}

func (ex *executor) complete(ctx context.Context, f *ast.Field, t *ast.Type, val any, path ast.Path, reported bool) (any, bool) {
	if val == nil {
		if t.NonNull {
			if !reported {
				ex.errs = append(ex.errs, &gqlerror.Error{Message: "Cannot return null for non-nullable field " + f.Name, Path: path})
			}
			return nil, false
		}
		return nil, true
	}
	if t.Elem != nil {
		items, ok := val.([]any)
		if !ok {
			if ms, ok := val.([]map[string]any); ok {
				for _, m := range ms {
					items = append(items, m)
				}
			}
		}
		out := make([]any, len(items))
		for i, it := range items {
			v, ok := ex.complete(ctx, f, t.Elem, it, append(append(ast.Path{}, path...), ast.PathIndex(i)), false)
			if !ok {
				if t.NonNull {
					return nil, false
				}
				return nil, true
			}
			out[i] = v
		}
		return out, true
	}
	def := ex.s.schema.Types[t.NamedType]
	if def == nil || def.IsLeafType() {
		return val, true
	}
	obj, _ := val.(map[string]any)
	if def.IsAbstractType() {
		tn, _ := obj["__typename"].(string)
		if concrete := ex.s.schema.Types[tn]; concrete != nil {
			def = concrete
		}
	}
	v, ok := ex.selectionSet(ctx, f.SelectionSet, def, obj, path)
	if !ok {
		if t.NonNull {
			return nil, false
		}
		return nil, true
	}
	return v, true
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

func join(ss []string, sep string) string {
	out := ""
	for i, s := range ss {
		if i > 0 {
			out += sep
		}
		out += s
	}
	return out
}
