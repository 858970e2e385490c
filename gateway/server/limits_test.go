package server

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/shopgraph/shopgraph/gateway/compose"
	"github.com/shopgraph/shopgraph/gateway/internal/testsubgraph"
	"github.com/shopgraph/shopgraph/gateway/limits"
)

// shopRouter starts the test shop's subgraphs and returns a router over them
// configured by cfg (its supergraph filled in) with the catalog's server, whose
// requests tell whether an operation reached a subgraph.
func shopRouter(t *testing.T, cfg Config) (http.Handler, *testsubgraph.Server) {
	t.Helper()
	cat, ord, usr := testsubgraph.Shop()
	var in []compose.Subgraph
	var catalog *testsubgraph.Server
	for _, sg := range []*testsubgraph.Subgraph{cat, ord, usr} {
		srv := testsubgraph.Start(t, sg)
		if sg.Name == "catalog" {
			catalog = srv
		}
		in = append(in, compose.Subgraph{Name: sg.Name, URL: srv.URL, SDL: sg.SDL})
	}
	sdl, err := compose.Compose(in)
	if err != nil {
		t.Fatal(err)
	}
	cfg.SupergraphSDL = sdl
	s, err := New(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	return s.Handler(), catalog
}

// explodingQuery nests product { variants { product { ... } } } levels deep:
// 400 bytes at 20 levels, and an answer that multiplies at every level.
func explodingQuery(levels int) string {
	return `{ product(id: "p1") { ` + strings.Repeat("variants { product { ", levels) + "id" + strings.Repeat(" } }", levels) + " } }"
}

func aliases(n int, field string) string {
	var b strings.Builder
	b.WriteString("{")
	for i := range n {
		fmt.Fprintf(&b, " a%d: %s", i, field)
	}
	b.WriteString(" }")
	return b.String()
}

// TestLimitsRefuseBeforePlanning: every limit refuses its operation with a
// GraphQL error that names the limit, its value and the operation's score, and
// no subgraph hears of it.
func TestLimitsRefuseBeforePlanning(t *testing.T) {
	t.Parallel()
	h, catalog := shopRouter(t, Config{})
	tests := []struct {
		name, query, limit string
		max                int
		message            string
	}{
		{"the exploding query", explodingQuery(20), "depth", limits.DefaultMaxDepth, "operation exceeds the depth limit of 20: its fields nest 42 deep"},
		{"10,000 aliases of products(first: 100)", aliases(10000, "products(first: 100) { totalCount }"), "documentBytes", limits.DefaultMaxDocumentBytes, "operation exceeds the document size limit of 131072"},
		{"aliases", aliases(51, "product(id: \"p1\") { id }"), "aliases", limits.DefaultMaxAliases, "it has 51 aliases"},
		{"root fields", "{" + strings.Repeat(" product(id: \"p1\") { id }", 31) + " }", "rootFields", limits.DefaultMaxRootFields, "it selects 31 root fields"},
		{"directives", `{ product(id: "p1") { id` + strings.Repeat(" @include(if: true)", 51) + ` } }`, "directives", limits.DefaultMaxDirectives, "it applies 51 directives"},
		{"tokens", "{" + strings.Repeat(" a", 15001) + " }", "tokens", limits.DefaultMaxTokens, "more than 15000 tokens"},
		// 1 + 200 edges * (1 + node (1 + 10 variants * 2 + reviews (1 + 100 * 3))) = 64,601.
		{"cost", `{ products(first: 200) { edges { node { variants { price { amount } } reviews(first: 100) { edges { node { author { id } } } } } } } }`, "cost", limits.DefaultMaxCost, "its estimated cost is 64601"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, accept := range []string{mediaGraphQLResponse, mediaJSON} {
				res := do(t, h, post(queryBody(tt.query), accept))
				wantStatus := http.StatusOK
				if accept == mediaGraphQLResponse {
					wantStatus = http.StatusBadRequest
				}
				if res.status != wantStatus {
					t.Errorf("Accept %s: status %d, want %d: %s", accept, res.status, wantStatus, res.raw)
				}
				errs, _ := res.body["errors"].([]any)
				if len(errs) != 1 || res.body["data"] != nil {
					t.Fatalf("want one error and no data: %s", res.raw)
				}
				e := errs[0].(map[string]any)
				ext, _ := e["extensions"].(map[string]any)
				if ext["code"] != limits.Code || ext["limit"] != tt.limit || ext["max"] != float64(tt.max) {
					t.Errorf("extensions %v, want code %s limit %s max %d", ext, limits.Code, tt.limit, tt.max)
				}
				if msg, _ := e["message"].(string); !strings.Contains(msg, tt.message) {
					t.Errorf("message %q, want it to contain %q", msg, tt.message)
				}
			}
		})
	}
	if n := len(catalog.Requests()); n != 0 {
		t.Errorf("the catalog subgraph got %d requests for refused operations", n)
	}
	// The shop's pages pass: the same shapes at sizes a storefront uses.
	res := do(t, h, post(queryBody(productsQuery), mediaGraphQLResponse))
	if res.status != http.StatusOK || res.body["data"] == nil || strings.Contains(res.raw, limits.Code) {
		t.Fatalf("the storefront query was refused: %s", res.raw)
	}
}

// TestCostLimitReadsVariables: the estimate uses the request's variables, so one
// cached document passes with a small page and is refused with a huge one.
func TestCostLimitReadsVariables(t *testing.T) {
	t.Parallel()
	h, _ := shopRouter(t, Config{Limits: limits.Config{MaxCost: 1000}})
	q := `query Page($n: Int) { products(first: $n) { edges { node { variants { sku } } } } }`
	body := func(n int) string {
		return fmt.Sprintf(`{"query":%q,"variables":{"n":%d}}`, q, n)
	}
	if res := do(t, h, post(body(5), mediaJSON)); res.body["errors"] != nil {
		t.Fatalf("first: 5 refused: %s", res.raw)
	}
	res := do(t, h, post(body(500), mediaJSON))
	if !strings.Contains(res.raw, `"limit":"cost"`) || !strings.Contains(res.raw, "its estimated cost is 6001") {
		t.Fatalf("first: 500 not refused by the cost limit: %s", res.raw)
	}
}

// TestCapsCutOffAnExplodingAnswer: an operation the estimate lets through (the
// limits here are off) is cut off by the per-request caps with an error, and
// the response carries no data rather than a truncated tree.
func TestCapsCutOffAnExplodingAnswer(t *testing.T) {
	t.Parallel()
	off := limits.Config{MaxDepth: -1, MaxCost: -1}
	tests := []struct {
		name    string
		limits  limits.Config
		message string
	}{
		{"response bytes", limits.Config{MaxResponseBytes: 500}, "the response is larger than 500 bytes"},
		{"entities", limits.Config{MaxEntities: 5}, "the request needs more than 5 entities"},
		{"subgraph bytes", limits.Config{MaxSubgraphBytes: 300}, "the request needs more than 300 bytes of subgraph data"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := tt.limits
			cfg.MaxDepth, cfg.MaxCost = off.MaxDepth, off.MaxCost
			h, _ := shopRouter(t, Config{Limits: cfg})
			res := do(t, h, post(queryBody(productsQuery), mediaJSON))
			if res.status != http.StatusOK {
				t.Errorf("status %d", res.status)
			}
			if _, ok := res.body["data"]; !ok || res.body["data"] != nil {
				t.Errorf("want data: null, got %s", res.raw)
			}
			if !strings.Contains(res.raw, tt.message) || !strings.Contains(res.raw, "RESPONSE_LIMIT_EXCEEDED") {
				t.Errorf("want %q with code RESPONSE_LIMIT_EXCEEDED: %s", tt.message, res.raw)
			}
		})
	}
}

// TestRequestTimeoutEndToEnd: a subgraph that hangs past the request timeout
// does not hold the answer: it comes at the deadline, with an error that says
// the request timed out, not a subgraph's "context canceled".
func TestRequestTimeoutEndToEnd(t *testing.T) {
	t.Parallel()
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Reading the body lets the server notice the router hanging up.
		_, _ = io.Copy(io.Discard, r.Body)
		<-r.Context().Done()
	}))
	t.Cleanup(hang.Close)
	cat, ord, usr := testsubgraph.Shop()
	var in []compose.Subgraph
	for _, sg := range []*testsubgraph.Subgraph{cat, ord, usr} {
		url := testsubgraph.Start(t, sg).URL
		if sg.Name == "orders" {
			url = hang.URL
		}
		in = append(in, compose.Subgraph{Name: sg.Name, URL: url, SDL: sg.SDL})
	}
	sdl, err := compose.Compose(in)
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(Config{SupergraphSDL: sdl, RequestTimeout: 300 * time.Millisecond, SubgraphTimeout: time.Minute}, nil)
	if err != nil {
		t.Fatal(err)
	}
	started := time.Now()
	res := do(t, s.Handler(), post(queryBody(productsQuery), mediaJSON))
	if took := time.Since(started); took > 10*time.Second {
		t.Errorf("the answer took %s with a 300ms request timeout", took)
	}
	if !strings.Contains(res.raw, "the request timed out after 300ms") || !strings.Contains(res.raw, "REQUEST_TIMEOUT") {
		t.Errorf("want a request-timeout error: %s", res.raw)
	}
	if strings.Contains(res.raw, "context canceled") || strings.Contains(res.raw, "deadline exceeded") {
		t.Errorf("the error blames a subgraph's cancellation: %s", res.raw)
	}
	// Partial data: the catalog answered before the deadline.
	if !strings.Contains(res.raw, `"name"`) {
		t.Errorf("want the catalog's data with the timeout error: %s", res.raw)
	}
}
