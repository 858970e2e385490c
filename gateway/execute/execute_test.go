package execute

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/shopgraph/shopgraph/gateway/compose"
	"github.com/shopgraph/shopgraph/gateway/internal/testsubgraph"
	"github.com/shopgraph/shopgraph/gateway/plan"
	"github.com/shopgraph/shopgraph/gateway/supergraph"
)

type shop struct {
	g       *supergraph.Graph
	servers map[string]*testsubgraph.Server
}

// startShop runs the three shop subgraphs; override replaces a subgraph's URL.
func startShop(t testing.TB, override map[string]string) *shop {
	t.Helper()
	cat, ord, usr := testsubgraph.Shop()
	s := &shop{servers: map[string]*testsubgraph.Server{}}
	var inputs []compose.Subgraph
	for _, sg := range []*testsubgraph.Subgraph{cat, ord, usr} {
		srv := testsubgraph.Start(t, sg)
		s.servers[sg.Name] = srv
		url := srv.URL
		if o, ok := override[sg.Name]; ok {
			url = o
		}
		inputs = append(inputs, compose.Subgraph{Name: sg.Name, URL: url, SDL: sg.SDL})
	}
	sdl, err := compose.Compose(inputs)
	if err != nil {
		t.Fatal(err)
	}
	if s.g, err = supergraph.Load(sdl); err != nil {
		t.Fatal(err)
	}
	return s
}

func (s *shop) run(t *testing.T, opts Options, query string, vars map[string]any) *Response {
	t.Helper()
	pl, coerced, err := plan.NewPlanner(s.g, 8).Plan(query, "", vars)
	if err != nil {
		t.Fatal(err)
	}
	e := New(s.g, opts)
	defer e.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return e.Execute(ctx, pl, coerced)
}

func compact(t *testing.T, s string) string {
	t.Helper()
	var b bytes.Buffer
	if err := json.Compact(&b, []byte(s)); err != nil {
		t.Fatalf("invalid JSON %q: %v", s, err)
	}
	return b.String()
}

func TestExecuteShop(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, query string
		vars        map[string]any
		data        string
		errors      []string // "serviceName|path|message substring"
	}{
		{
			name: "products with requires and entity jumps",
			query: `{ products(first: 3) { totalCount edges { cursor node { id name
			    variants { sku weight shippingEstimate(country: "US") { amount currencyCode } }
			    reviews(first: 2) { edges { node { rating title author { id name } } } } } } } }`,
			data: `{"products":{"totalCount":4,"edges":[
				{"cursor":"cp1","node":{"id":"p1","name":"Product p1","variants":[
					{"sku":"SKU-1","weight":100,"shippingEstimate":{"amount":"6.00","currencyCode":"USD"}},
					{"sku":"SKU-2","weight":250,"shippingEstimate":{"amount":"7.50","currencyCode":"USD"}}],
					"reviews":{"edges":[{"node":{"rating":5,"title":"Review 0","author":{"id":"u1","name":"Ada"}}},{"node":{"rating":4,"title":"Review 1","author":{"id":"u2","name":"Grace"}}}]}}},
				{"cursor":"cp2","node":{"id":"p2","name":"Product p2","variants":[
					{"sku":"SKU-3","weight":1000,"shippingEstimate":{"amount":"15.00","currencyCode":"USD"}}],
					"reviews":{"edges":[{"node":{"rating":5,"title":"Review 0","author":{"id":"u2","name":"Grace"}}}]}}},
				{"cursor":"cp3","node":{"id":"p3","name":"Product p3","variants":[
					{"sku":"SKU-4","weight":0,"shippingEstimate":null},
					{"sku":"SKU-1","weight":100,"shippingEstimate":{"amount":"6.00","currencyCode":"USD"}}],
					"reviews":{"edges":[]}}}]}}`,
			errors: []string{`orders|products.edges.2.node.variants.0.shippingEstimate|cannot ship a weightless variant`},
		},
		{
			name:  "aliases and typename",
			query: `query($id: ID!) { a: product(id: $id) { __typename ident: id n: name variants { __typename w: weight est: shippingEstimate(country: "DE") { amount } } } __typename }`,
			vars:  map[string]any{"id": "p2"},
			data:  `{"a":{"__typename":"Product","ident":"p2","n":"Product p2","variants":[{"__typename":"ProductVariant","w":1000,"est":{"amount":"30.00"}}]},"__typename":"Query"}`,
		},
		{
			name:  "fragments on a union with an entity jump inside",
			query: `query { search(text: "x") { __typename ...P ... on Review { title author { name } } } } fragment P on Product { name }`,
			data:  `{"search":[{"__typename":"Product","name":"Product p1"},{"__typename":"Review","title":"Great","author":{"name":"Ada"}},{"__typename":"Product","name":"Product p2"}]}`,
		},
		{
			name:   "null in non-null field nulls the nearest nullable parent",
			query:  `{ product(id: "p4") { name reviews { edges { node { author { name } } } } } }`,
			data:   `{"product":null}`,
			errors: []string{`users|product.reviews.edges.0.node.author.name|non-nullable`},
		},
		{
			name:  "variables forwarded into entity fetches",
			query: `query($c: String!, $n: Int) { products(first: $n) { edges { node { variants { shippingEstimate(country: $c) { amount } } } } } }`,
			vars:  map[string]any{"c": "FR", "n": 1},
			data:  `{"products":{"edges":[{"node":{"variants":[{"shippingEstimate":{"amount":"12.00"}},{"shippingEstimate":{"amount":"15.00"}}]}}]}}`,
		},
		{
			name:  "fragment matching one union member only",
			query: `{ search(text: "x") { ... on Review { author { name } } } }`,
			data:  `{"search":[{},{"author":{"name":"Ada"}},{}]}`,
		},
		{
			name:  "missing entity stays null",
			query: `{ product(id: "nope") { name } }`,
			data:  `{"product":null}`,
		},
	}
	s := startShop(t, nil)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			resp := s.run(t, Options{}, tt.query, tt.vars)
			if got, want := string(resp.Data), compact(t, tt.data); got != want {
				t.Errorf("data =\n%s\nwant\n%s", got, want)
			}
			checkErrors(t, resp.Errors, tt.errors)
		})
	}
}

func checkErrors(t *testing.T, got []Error, want []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("errors = %+v, want %d", got, len(want))
	}
	for i, w := range want {
		parts := strings.SplitN(w, "|", 3)
		e := got[i]
		var path []string
		for _, p := range e.Path {
			path = append(path, strings.Trim(strings.ReplaceAll(jsonString(p), `"`, ""), " "))
		}
		if e.Extensions["serviceName"] != parts[0] && parts[0] != "" {
			t.Errorf("error %d serviceName = %v, want %s", i, e.Extensions["serviceName"], parts[0])
		}
		if strings.Join(path, ".") != parts[1] {
			t.Errorf("error %d path = %v, want %s", i, strings.Join(path, "."), parts[1])
		}
		if !strings.Contains(e.Message, parts[2]) {
			t.Errorf("error %d message = %q, want %q", i, e.Message, parts[2])
		}
	}
}

func jsonString(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestExecuteDeduplicatesRepresentations(t *testing.T) {
	t.Parallel()
	s := startShop(t, nil)
	resp := s.run(t, Options{}, `{ products(first: 3) { edges { node { variants { shippingEstimate(country: "US") { amount } } } } } }`, nil)
	if len(resp.Data) == 0 {
		t.Fatal("no data")
	}
	reqs := s.servers["orders"].Requests()
	if len(reqs) != 1 {
		t.Fatalf("orders got %d requests, want one batched _entities call", len(reqs))
	}
	reps, _ := reqs[0].Variables["representations"].([]any)
	// Variants v1 (twice in the data), v2, v3, v4.
	if len(reps) != 4 {
		t.Errorf("representations = %v, want 4 distinct", reps)
	}
	// v1 appears under p1 and p3: both places get the estimate.
	if !strings.Contains(string(resp.Data), `{"variants":[{"shippingEstimate":null},{"shippingEstimate":{"amount":"6.00"}}]}`) {
		t.Errorf("merge into every occurrence failed: %s", resp.Data)
	}
}

func TestExecuteSubgraphFailures(t *testing.T) {
	t.Parallel()
	down := httptest.NewServer(http.NotFoundHandler())
	downURL := down.URL
	down.Close()
	garbage := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("<html>oops</html>"))
	}))
	t.Cleanup(garbage.Close)
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body) // lets the server notice the client going away
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}))
	t.Cleanup(slow.Close)
	wrongCount := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"data":{"_entities":[]}}`))
	}))
	t.Cleanup(wrongCount.Close)
	query := `{ products(first: 2) { edges { node { name variants { sku shippingEstimate(country: "US") { amount } } } } } }`
	partial := `{"products":{"edges":[{"node":{"name":"Product p1","variants":[{"sku":"SKU-1","shippingEstimate":null},{"sku":"SKU-2","shippingEstimate":null}]}},{"node":{"name":"Product p2","variants":[{"sku":"SKU-3","shippingEstimate":null}]}}]}}`
	tests := []struct {
		name, url, code, message string
	}{
		{"down", downURL, CodeSubrequestHTTP, `subgraph "orders" failed`},
		{"garbage", garbage.URL, CodeSubrequestMalformed, "invalid JSON response"},
		{"timeout", slow.URL, CodeSubrequestHTTP, "timed out"},
		{"wrong entity count", wrongCount.URL, CodeSubrequestMalformed, "0 entities for 3 representations"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := startShop(t, map[string]string{"orders": tt.url})
			start := time.Now()
			resp := s.run(t, Options{SubgraphTimeout: 300 * time.Millisecond}, query, nil)
			if time.Since(start) > 3*time.Second {
				t.Errorf("took %s", time.Since(start))
			}
			if string(resp.Data) != compact(t, partial) {
				t.Errorf("data = %s", resp.Data)
			}
			if len(resp.Errors) != 1 {
				t.Fatalf("errors = %+v", resp.Errors)
			}
			e := resp.Errors[0]
			if e.Extensions["serviceName"] != "orders" || e.Extensions["code"] != tt.code || !strings.Contains(e.Message, tt.message) || !strings.Contains(e.Message, `"orders"`) {
				t.Errorf("error = %+v", e)
			}
		})
	}
}

func TestExecuteRootSubgraphDown(t *testing.T) {
	t.Parallel()
	down := httptest.NewServer(http.NotFoundHandler())
	url := down.URL
	down.Close()
	s := startShop(t, map[string]string{"users": url})
	resp := s.run(t, Options{}, `{ user(id: "u1") { name } product(id: "p1") { name } }`, nil)
	if got := string(resp.Data); got != `{"user":null,"product":{"name":"Product p1"}}` {
		t.Errorf("data = %s", got)
	}
	if len(resp.Errors) != 1 || resp.Errors[0].Extensions["serviceName"] != "users" {
		t.Errorf("errors = %+v", resp.Errors)
	}
}

func TestAppendString(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"plain", "quote\"back\\slash", "ctl\x01\n\t", "ünï\u2028", "bad\xffutf8"} {
		var got string
		if err := json.Unmarshal(appendString(nil, s), &got); err != nil {
			t.Errorf("%q: invalid JSON: %v", s, err)
		}
		if !strings.Contains(s, "\xff") && got != s {
			t.Errorf("round trip %q -> %q", s, got)
		}
	}
}

func TestExecuteMutationsInOrder(t *testing.T) {
	t.Parallel()
	s := startShop(t, nil)
	resp := s.run(t, Options{}, `mutation {
		a: placeOrder(variantId: "v1") { id variant { sku } }
		b: placeOrder(variantId: "v3", quantity: 2) { id quantity variant { sku shippingEstimate(country: "US") { amount } } }
	}`, nil)
	want := `{"a":{"id":"o1","variant":{"sku":"SKU-1"}},"b":{"id":"o2","quantity":2,"variant":{"sku":"SKU-3","shippingEstimate":{"amount":"15.00"}}}}`
	if string(resp.Data) != want || len(resp.Errors) != 0 {
		t.Errorf("data = %s errors = %+v", resp.Data, resp.Errors)
	}
}

func TestExecuteProvides(t *testing.T) {
	t.Parallel()
	reviews := testsubgraph.Start(t, &testsubgraph.Subgraph{
		Name: "reviews",
		SDL: `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@external", "@provides"])
type Query { reviews: [Review!]! }
type Review { id: ID! author: User! @provides(fields: "username") }
type User @key(fields: "id") { id: ID! username: String! @external }`,
		Resolvers: map[string]testsubgraph.Resolver{
			"Query.reviews": func(context.Context, map[string]any, map[string]any) (any, error) {
				return []any{map[string]any{"id": "r1", "author": map[string]any{"__typename": "User", "id": "u1", "username": "ada"}}}, nil
			},
		},
	})
	accounts := testsubgraph.Start(t, &testsubgraph.Subgraph{
		Name: "accounts",
		SDL: `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@shareable"])
type Query { me: User }
type User @key(fields: "id") { id: ID! username: String! @shareable name: String! }`,
		Entities: map[string]testsubgraph.EntityResolver{
			"User": func(_ context.Context, rep map[string]any) (any, error) {
				return map[string]any{"__typename": "User", "id": rep["id"], "username": "ada-from-accounts", "name": "Ada"}, nil
			},
		},
	})
	sdl, err := compose.Compose([]compose.Subgraph{
		{Name: "reviews", URL: reviews.URL, SDL: serviceSDL(t, reviews)},
		{Name: "accounts", URL: accounts.URL, SDL: serviceSDL(t, accounts)},
	})
	if err != nil {
		t.Fatal(err)
	}
	g, err := supergraph.Load(sdl)
	if err != nil {
		t.Fatal(err)
	}
	s := &shop{g: g}
	resp := s.run(t, Options{}, `{ reviews { author { username } } }`, nil)
	if string(resp.Data) != `{"reviews":[{"author":{"username":"ada"}}]}` {
		t.Errorf("data = %s", resp.Data)
	}
	if n := len(accounts.Requests()); n != 0 {
		t.Errorf("accounts got %d requests for a provided field", n)
	}
	resp = s.run(t, Options{}, `{ reviews { author { username name } } }`, nil)
	if string(resp.Data) != `{"reviews":[{"author":{"username":"ada","name":"Ada"}}]}` {
		t.Errorf("data = %s", resp.Data)
	}
	if n := len(accounts.Requests()); n != 1 {
		t.Errorf("accounts got %d requests, want 1", n)
	}
}

// serviceSDL fetches a running subgraph's SDL the way the router does.
func serviceSDL(t *testing.T, s *testsubgraph.Server) string {
	t.Helper()
	r := s.Execute(context.Background(), "{ _service { sdl } }", nil)
	b, _ := json.Marshal(r.Data)
	var out struct {
		Service struct {
			SDL string `json:"sdl"`
		} `json:"_service"`
	}
	if err := json.Unmarshal(b, &out); err != nil || out.Service.SDL == "" {
		t.Fatalf("_service: %s %v", b, err)
	}
	return out.Service.SDL
}

func TestExecuteInterfaceAcrossSubgraphs(t *testing.T) {
	t.Parallel()
	library := testsubgraph.Start(t, &testsubgraph.Subgraph{
		Name: "library",
		SDL: `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
type Query { media: [Media!]! }
interface Media { id: ID! title: String! }
type Book implements Media @key(fields: "id") { id: ID! title: String! }
type Movie implements Media @key(fields: "id") { id: ID! title: String! }`,
		Resolvers: map[string]testsubgraph.Resolver{
			"Query.media": func(context.Context, map[string]any, map[string]any) (any, error) {
				return []any{
					map[string]any{"__typename": "Book", "id": "b1", "title": "Dune"},
					map[string]any{"__typename": "Movie", "id": "m1", "title": "Alien"},
					map[string]any{"__typename": "Book", "id": "b2", "title": "Emma"},
				}, nil
			},
		},
	})
	stats := testsubgraph.Start(t, &testsubgraph.Subgraph{
		Name: "stats",
		SDL: `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
type Book @key(fields: "id") { id: ID! pages: Int! }
type Movie @key(fields: "id") { id: ID! minutes: Int! }`,
		Entities: map[string]testsubgraph.EntityResolver{
			"Book": func(_ context.Context, rep map[string]any) (any, error) {
				return map[string]any{"__typename": "Book", "id": rep["id"], "pages": len(rep["id"].(string)) * 100}, nil
			},
			"Movie": func(_ context.Context, rep map[string]any) (any, error) {
				return map[string]any{"__typename": "Movie", "id": rep["id"], "minutes": 117}, nil
			},
		},
	})
	sdl, err := compose.Compose([]compose.Subgraph{
		{Name: "library", URL: library.URL, SDL: serviceSDL(t, library)},
		{Name: "stats", URL: stats.URL, SDL: serviceSDL(t, stats)},
	})
	if err != nil {
		t.Fatal(err)
	}
	g, err := supergraph.Load(sdl)
	if err != nil {
		t.Fatal(err)
	}
	s := &shop{g: g}
	resp := s.run(t, Options{}, `{ media { __typename title ... on Book { pages } ... on Movie { minutes } } }`, nil)
	want := `{"media":[{"__typename":"Book","title":"Dune","pages":200},{"__typename":"Movie","title":"Alien","minutes":117},{"__typename":"Book","title":"Emma","pages":200}]}`
	if string(resp.Data) != want || len(resp.Errors) > 0 {
		t.Errorf("data = %s, errors = %+v", resp.Data, resp.Errors)
	}
	if n := len(stats.Requests()); n != 1 {
		t.Errorf("stats got %d requests, want one _entities call for both types", n)
	}
}
