package server

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/shopgraph/shopgraph/gateway/compose"
	"github.com/shopgraph/shopgraph/gateway/internal/testsubgraph"
	"github.com/shopgraph/shopgraph/gateway/limits"
	"github.com/shopgraph/shopgraph/internal/telemetry/telemetrytest"
)

// costDirectives are the cost spec's definitions, which a subgraph that imports
// them declares for its own schema.
const costDirectives = `
directive @cost(weight: Int!) on ARGUMENT_DEFINITION | ENUM | FIELD_DEFINITION | INPUT_FIELD_DEFINITION | OBJECT | SCALAR
directive @listSize(assumedSize: Int, slicingArguments: [String!], sizedFields: [String!], requireOneSlicingArgument: Boolean = true) on FIELD_DEFINITION
`

// demandSubgraphs are two subgraphs whose SDLs weigh their fields: products
// sized by their first argument or an assumed 50, names of weight 3, and
// reviews (4 assumed per product) of weight 5 each.
func demandSubgraphs() []*testsubgraph.Subgraph {
	ids := []string{"p1", "p2", "p3"}
	products := &testsubgraph.Subgraph{
		Name: "products",
		SDL: `extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@cost", "@listSize"])` + costDirectives + `
type Query {
  products(first: Int!): [Product!]! @listSize(slicingArguments: ["first"])
  top: [Product!]! @listSize(assumedSize: 50)
}
type Product @key(fields: "id") { id: ID! name: String! @cost(weight: 3) }`,
		Resolvers: map[string]testsubgraph.Resolver{
			"Query.products": func(_ context.Context, _ map[string]any, args map[string]any) (any, error) {
				var out []any
				for _, id := range ids {
					if n, _ := args["first"].(int64); int64(len(out)) < n {
						out = append(out, map[string]any{"__typename": "Product", "id": id, "name": "Product " + id})
					}
				}
				return out, nil
			},
		},
	}
	reviews := &testsubgraph.Subgraph{
		Name: "reviews",
		SDL: `extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@cost", "@listSize"])` + costDirectives + `
type Product @key(fields: "id") { id: ID! reviews: [Review!]! @listSize(assumedSize: 4) }
type Review @cost(weight: 5) { body: String! }`,
		Entities: map[string]testsubgraph.EntityResolver{
			"Product": func(_ context.Context, rep map[string]any) (any, error) {
				var list []any
				if rep["id"] == "p1" {
					list = []any{map[string]any{"body": "good"}, map[string]any{"body": "fine"}}
				}
				return map[string]any{"__typename": "Product", "id": rep["id"], "reviews": list}, nil
			},
		},
	}
	return []*testsubgraph.Subgraph{products, reviews}
}

// TestDemandControlEndToEnd: @cost and @listSize written in subgraph SDLs
// compose into the supergraph, size the router's estimate (which refuses the
// operations over the limit before any subgraph hears of them) and weigh the
// actual cost of the answer; /metrics shows both costs and the refusals.
func TestDemandControlEndToEnd(t *testing.T) {
	t.Parallel()
	var in []compose.Subgraph
	var servers []*testsubgraph.Server
	for _, sg := range demandSubgraphs() {
		srv := testsubgraph.Start(t, sg)
		servers = append(servers, srv)
		in = append(in, compose.Subgraph{Name: sg.Name, URL: srv.URL, SDL: sg.SDL})
	}
	sdl, err := compose.Compose(in)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`@listSize(slicingArguments: ["first"])`, `@listSize(assumedSize: 50)`, `@cost(weight: 3)`, `@cost(weight: 5)`, `@listSize(assumedSize: 4)`} {
		if !strings.Contains(sdl, want) {
			t.Errorf("the supergraph lacks %s", want)
		}
	}
	s, err := New(Config{SupergraphSDL: sdl, Limits: limits.Config{MaxCost: 1000, CostMetrics: true}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(s.Handler())
	t.Cleanup(hs.Close)

	// Sized by first: 100 * (1 + name 3 + 4 reviews * 5) = 2,400; by the
	// assumed size: 50 * 24 = 1,200. Both are over 1,000.
	for _, q := range []string{
		`{ products(first: 100) { id name reviews { body } } }`,
		`{ top { name reviews { body } } }`,
	} {
		_, body := sendQuery(t, hs.URL, q, nil)
		if !strings.Contains(body, `"limit":"cost"`) || strings.Contains(body, `"data"`) {
			t.Errorf("%s: %s, want a cost refusal", q, body)
		}
	}
	for _, srv := range servers {
		if n := len(srv.Requests()); n != 0 {
			t.Fatalf("a refused operation reached a subgraph (%d requests)", n)
		}
	}

	// Estimated 10 * 24 = 240. Actual: three products of 1 + 3 each, and the
	// two reviews of p1 at 5 each: 12 + 10 = 22.
	resp, body := sendQuery(t, hs.URL, `{ products(first: 10) { id name reviews { body } } }`, nil)
	if resp.StatusCode != http.StatusOK || strings.Count(body, `"body"`) != 2 || strings.Count(body, `"name"`) != 3 {
		t.Fatalf("query: HTTP %d %s", resp.StatusCode, body)
	}
	// The costs are observed after the response is written: wait for them.
	m := telemetrytest.Scrape(t, hs.URL+"/metrics")
	for deadline := time.Now().Add(5 * time.Second); m.Count("shopgraph_router_operation_cost_actual") == 0 && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
		m = telemetrytest.Scrape(t, hs.URL+"/metrics")
	}
	if got := m.Value("shopgraph_router_operations_refused_total", "limit", "cost"); got != 2 {
		t.Errorf("operations refused for cost = %v, want 2", got)
	}
	for name, want := range map[string]float64{"shopgraph_router_operation_cost_estimated": 240, "shopgraph_router_operation_cost_actual": 22} {
		if n := m.Count(name); n != 1 {
			t.Errorf("%s has %d observations, want 1", name, n)
			continue
		}
		if got := m[name].GetMetric()[0].GetHistogram().GetSampleSum(); got != want {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}

	// The same operation with its reviews deferred costs the same: the
	// actual cost is that of the parts together.
	q, _ := json.Marshal(map[string]string{"query": `{ products(first: 10) { id name ... @defer { reviews { body } } } }`})
	req, _ := http.NewRequest(http.MethodPost, hs.URL+"/graphql", bytes.NewReader(q))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", acceptDefer)
	dresp, err := hs.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	parts := readParts(t, dresp).rest()
	dresp.Body.Close()
	if got := len(incremental(parts)); got != 3 {
		t.Fatalf("deferred query: %d incremental parts, want 3", got)
	}
	m = telemetrytest.Scrape(t, hs.URL+"/metrics")
	for name, want := range map[string]float64{"shopgraph_router_operation_cost_estimated": 480, "shopgraph_router_operation_cost_actual": 44} {
		if n := m.Count(name); n != 2 {
			t.Errorf("%s has %d observations after the deferred query, want 2", name, n)
			continue
		}
		if got := m[name].GetMetric()[0].GetHistogram().GetSampleSum(); got != want {
			t.Errorf("%s = %v after the deferred query, want %v", name, got, want)
		}
	}
}
