package server

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shopgraph/shopgraph/gateway/compose"
	"github.com/shopgraph/shopgraph/gateway/internal/testsubgraph"
)

const productsQuery = `{ products(first: 3) { totalCount edges { cursor node { id name
    variants { sku weight shippingEstimate(country: "US") { amount currencyCode } }
    reviews(first: 2) { edges { node { rating title author { id name } } } } } } } }`

func startSubgraphs(t *testing.T) []Subgraph {
	t.Helper()
	cat, ord, usr := testsubgraph.Shop()
	var out []Subgraph
	for _, sg := range []*testsubgraph.Subgraph{cat, ord, usr} {
		srv := testsubgraph.Start(t, sg)
		out = append(out, Subgraph{Name: sg.Name, URL: srv.URL})
	}
	return out
}

func shopSupergraph(t *testing.T) string {
	t.Helper()
	subgraphs := startSubgraphs(t)
	sdls := map[string]string{"catalog": testsubgraph.CatalogSDL, "orders": testsubgraph.OrdersSDL, "users": testsubgraph.UsersSDL}
	var in []compose.Subgraph
	for _, sg := range subgraphs {
		in = append(in, compose.Subgraph{Name: sg.Name, URL: sg.URL, SDL: sdls[sg.Name]})
	}
	sdl, err := compose.Compose(in)
	if err != nil {
		t.Fatal(err)
	}
	return sdl
}

type httpResult struct {
	status int
	ctype  string
	body   map[string]any
	raw    string
}

func do(t *testing.T, h http.Handler, req *http.Request) httpResult {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	res := httpResult{status: rec.Code, ctype: rec.Header().Get("Content-Type"), raw: rec.Body.String()}
	_ = json.Unmarshal(rec.Body.Bytes(), &res.body)
	return res
}

func post(body, accept string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	if accept != "" {
		r.Header.Set("Accept", accept)
	}
	return r
}

func queryBody(q string) string {
	b, _ := json.Marshal(map[string]any{"query": q})
	return string(b)
}

func TestServerHTTP(t *testing.T) {
	t.Parallel()
	s, err := New(Config{SupergraphSDL: shopSupergraph(t), MaxBodyBytes: 4096}, nil)
	if err != nil {
		t.Fatal(err)
	}
	h := s.Handler()
	const gqlResp = "application/graphql-response+json"
	getReq := func(q string) *http.Request {
		r := httptest.NewRequest(http.MethodGet, "/graphql?query="+url.QueryEscape(q), nil)
		r.Header.Set("Accept", gqlResp)
		r.Header.Set("Apollo-Require-Preflight", "true") // CSRF prevention (csrf.go)
		return r
	}
	tests := []struct {
		name     string
		req      *http.Request
		status   int
		ctype    string
		contains string
		located  bool
	}{
		{"post ok", post(queryBody(`{ product(id: "p1") { name } }`), gqlResp), 200, gqlResp, `"data":{"product":{"name":"Product p1"}}`, false},
		{"post json", post(queryBody(`{ product(id: "p1") { name } }`), ""), 200, "application/json", `"Product p1"`, false},
		{"get ok", getReq(`{ product(id: "p2") { id } }`), 200, gqlResp, `"id":"p2"`, false},
		{"malformed query", post(queryBody(`{ product(id: "p1") { name `), gqlResp), 400, gqlResp, "GRAPHQL_PARSE_FAILED", true},
		{"malformed query legacy json", post(queryBody(`{ product(`), "application/json"), 200, "application/json", "GRAPHQL_PARSE_FAILED", true},
		{"validation error", post(queryBody(`{ product(id: "p1") { nope } }`), gqlResp), 400, gqlResp, `Cannot query field \"nope\"`, true},
		{"bad variables", post(`{"query":"query($id: ID!) { product(id: $id) { id } }","variables":{"id":{"x":1}}}`, gqlResp), 400, gqlResp, "BAD_USER_INPUT", false},
		{"bad json", post(`{"query": `, gqlResp), 400, gqlResp, "invalid JSON body", false},
		{"no query", post(`{}`, gqlResp), 400, gqlResp, "no query", false},
		{"too large", post(queryBody("{ product(id: \""+strings.Repeat("x", 5000)+"\") { id } }"), gqlResp), 413, gqlResp, "larger than 4096 bytes", false},
		{"wrong method", httptest.NewRequest(http.MethodPut, "/graphql", nil), 405, "application/json", "GET or POST", false},
		{"wrong content type", func() *http.Request {
			r := post(queryBody("{ __typename }"), gqlResp)
			r.Header.Set("Content-Type", "text/plain")
			return r
		}(), 415, gqlResp, "Content-Type", false},
		{"root typename", post(queryBody(`{ __typename }`), gqlResp), 200, gqlResp, `{"data":{"__typename":"Query"}}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := do(t, h, tt.req)
			if res.status != tt.status {
				t.Errorf("status = %d, want %d: %s", res.status, tt.status, res.raw)
			}
			if !strings.HasPrefix(res.ctype, tt.ctype) {
				t.Errorf("content type = %q, want %q", res.ctype, tt.ctype)
			}
			if !strings.Contains(res.raw, tt.contains) {
				t.Errorf("body %s does not contain %s", res.raw, tt.contains)
			}
			if tt.located {
				errs, _ := res.body["errors"].([]any)
				if len(errs) == 0 || errs[0].(map[string]any)["locations"] == nil {
					t.Errorf("error without locations: %s", res.raw)
				}
			}
		})
	}
	for path, want := range map[string]int{"/healthz": 200, "/readyz": 200} {
		if res := do(t, h, httptest.NewRequest(http.MethodGet, path, nil)); res.status != want {
			t.Errorf("%s = %d", path, res.status)
		}
	}
}

// flaky answers 503 until up is set, then proxies to next.
type flaky struct {
	up   atomic.Bool
	next http.Handler
}

func (f *flaky) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !f.up.Load() {
		http.Error(w, "starting", http.StatusServiceUnavailable)
		return
	}
	f.next.ServeHTTP(w, r)
}

func TestServerComposesWhenSubgraphsAnswer(t *testing.T) {
	t.Parallel()
	subgraphs := startSubgraphs(t)
	// users answers only after a while: the router must wait and retry.
	usersURL, _ := url.Parse(subgraphs[2].URL)
	f := &flaky{next: httputilProxy(usersURL)}
	gate := httptest.NewServer(f)
	t.Cleanup(gate.Close)
	subgraphs[2].URL = gate.URL

	s, err := New(Config{Subgraphs: subgraphs, RetryMin: 10 * time.Millisecond, RetryMax: 50 * time.Millisecond}, nil)
	if err != nil {
		t.Fatal(err)
	}
	h := s.Handler()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})

	if res := do(t, h, httptest.NewRequest(http.MethodGet, "/readyz", nil)); res.status != 503 {
		t.Errorf("readyz before composition = %d", res.status)
	}
	res := do(t, h, post(queryBody(productsQuery), "application/graphql-response+json"))
	if res.status != 503 || !strings.Contains(res.raw, "not loaded yet") {
		t.Errorf("graphql before composition = %d %s", res.status, res.raw)
	}
	time.Sleep(50 * time.Millisecond)
	f.up.Store(true)
	deadline := time.Now().Add(5 * time.Second)
	for !s.Ready() {
		if time.Now().After(deadline) {
			t.Fatal("router never became ready")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if res := do(t, h, httptest.NewRequest(http.MethodGet, "/readyz", nil)); res.status != 200 {
		t.Errorf("readyz after composition = %d", res.status)
	}
	res = do(t, h, post(queryBody(productsQuery), "application/graphql-response+json"))
	if res.status != 200 {
		t.Fatalf("status = %d: %s", res.status, res.raw)
	}
	for _, want := range []string{
		`"totalCount":4`,
		`{"sku":"SKU-1","weight":100,"shippingEstimate":{"amount":"6.00","currencyCode":"USD"}}`,
		`"author":{"id":"u2","name":"Grace"}`,
		`"serviceName":"orders"`,
	} {
		if !strings.Contains(res.raw, want) {
			t.Errorf("response lacks %s:\n%s", want, res.raw)
		}
	}
}

func httputilProxy(target *url.URL) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req, _ := http.NewRequestWithContext(r.Context(), r.Method, target.String(), r.Body)
		req.Header = r.Header.Clone()
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		w.Header().Set("Content-Type", resp.Header.Get("Content-Type"))
		w.WriteHeader(resp.StatusCode)
		_, _ = io.Copy(w, resp.Body)
	})
}

func TestConfigValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"empty", Config{}, "set subgraphs or a supergraph"},
		{"bad url", Config{Subgraphs: []Subgraph{{Name: "a", URL: "localhost:4001"}}}, "subgraphs[0].url"},
		{"no name", Config{Subgraphs: []Subgraph{{URL: "http://a"}}}, "subgraphs[0].name is empty"},
		{"duplicate", Config{Subgraphs: []Subgraph{{Name: "a", URL: "http://a"}, {Name: "a", URL: "http://b"}}}, "used twice"},
		{"negative", Config{SupergraphSDL: "x", RequestTimeout: -1}, "requestTimeout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := New(tt.cfg, nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
	if _, err := New(Config{SupergraphSDL: "type Query {"}, nil); err == nil {
		t.Error("invalid supergraph accepted")
	}
}
