package server

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/shopgraph/shopgraph/internal/gqlserve/gqltest"
)

// auditDir holds the npm graphql-http audit (package.json pins its version).
const auditDir = "testdata/graphqlhttp-audit"

// TestGraphQLOverHTTPAudit runs the graphql-http audit against a router on
// loopback in front of the test subgraphs. Every item, MUST, SHOULD and MAY,
// must pass.
//
// The audit sends its GETs without a CSRF header, so it runs against a router
// with CSRF prevention off, as Apollo's own audit tests do (Apollo Server and
// Gateway set csrfPrevention: false for it). A second run with the default
// configuration checks that exactly the GET items that CSRF prevention refuses
// are the ones that fail.
func TestGraphQLOverHTTPAudit(t *testing.T) {
	t.Parallel()
	sdl := shopSupergraph(t)
	tests := []struct {
		name string
		csrf CSRF
		// allowed are the deviations accepted in this configuration, with
		// the reason.
		allowed map[string]string
	}{
		{name: "csrf off", csrf: CSRF{Disabled: true}},
		{name: "defaults", allowed: map[string]string{
			"5A70": "MAY accept GET requests: CSRF prevention refuses a GET without Apollo-Require-Preflight (400), as Apollo Router does",
			"D6D5": "MAY allow variables in GETs: refused by CSRF prevention, as above",
			"6A70": "MAY allow variables in GETs: refused by CSRF prevention, as above",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, err := New(Config{SupergraphSDL: sdl, CSRF: tt.csrf}, nil)
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(s.Handler())
			t.Cleanup(srv.Close)
			results := gqltest.Audit(t, auditDir, srv.URL+"/graphql")
			t.Logf("router (%s): %d audit items: %s", tt.name, len(results), gqltest.AuditCounts(results))
			gqltest.CheckAudit(t, results, tt.allowed)
		})
	}
}

// startRouter serves a router over the test subgraphs on loopback and
// returns its /graphql URL.
func startRouter(t *testing.T, cfg Config) string {
	t.Helper()
	if cfg.SupergraphSDL == "" {
		cfg.SupergraphSDL = shopSupergraph(t)
	}
	s, err := New(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return srv.URL + "/graphql"
}

type httpCall struct {
	method  string
	query   string // URL query string
	headers map[string]string
	body    string
}

type httpReply struct {
	status int
	header http.Header
	raw    string
}

func call(t *testing.T, url string, c httpCall) httpReply {
	t.Helper()
	if c.method == "" {
		c.method = http.MethodPost
	}
	if c.query != "" {
		url += "?" + c.query
	}
	var body io.Reader
	if c.body != "" {
		body = strings.NewReader(c.body)
	}
	req, err := http.NewRequestWithContext(t.Context(), c.method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range c.headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return httpReply{status: resp.StatusCode, header: resp.Header, raw: string(raw)}
}

const (
	gqlResp = "application/graphql-response+json"
	appJSON = "application/json"
)

func jsonPost(body, accept string) httpCall {
	h := map[string]string{"Content-Type": appJSON}
	if accept != "" {
		h["Accept"] = accept
	}
	return httpCall{body: body, headers: h}
}

// TestGraphQLOverHTTPStatusCodes: each media type and status code over real
// HTTP, with the default configuration (CSRF prevention on).
func TestGraphQLOverHTTPStatusCodes(t *testing.T) {
	t.Parallel()
	u := startRouter(t, Config{MaxBodyBytes: 4096})
	getQ := func(q string) string { return "query=" + url.QueryEscape(q) }
	preflighted := map[string]string{"Apollo-Require-Preflight": "true", "Accept": gqlResp}
	tests := []struct {
		name     string
		call     httpCall
		status   int
		media    string
		contains string
		noData   bool   // the response must not have "data"
		allow    string // the Allow header wanted
	}{
		{"post graphql-response", jsonPost(queryBody(`{ product(id: "p1") { name } }`), gqlResp), 200, gqlResp, `{"data":{"product":{"name":"Product p1"}}}`, false, ""},
		{"post json", jsonPost(queryBody(`{ product(id: "p1") { name } }`), appJSON), 200, appJSON, `"Product p1"`, false, ""},
		{"post without accept", jsonPost(queryBody(`{ __typename }`), ""), 200, appJSON, `"Query"`, false, ""},
		{"post accepting anything", jsonPost(queryBody(`{ __typename }`), "*/*"), 200, appJSON, `"Query"`, false, ""},
		{"json preferred by q", jsonPost(queryBody(`{ __typename }`), "application/graphql-response+json;q=0.4, application/json"), 200, appJSON, `"Query"`, false, ""},
		{"charset utf-8", httpCall{body: queryBody(`{ __typename }`), headers: map[string]string{"Content-Type": "application/json; charset=utf-8"}}, 200, appJSON, `"Query"`, false, ""},
		{"data with a null field", jsonPost(queryBody(`{ product(id: "p1") { name } nope: product(id: "zz") { id } }`), gqlResp), 200, gqlResp, `"nope":null`, false, ""},
		{"parse error graphql-response", jsonPost(queryBody(`{`), gqlResp), 400, gqlResp, "GRAPHQL_PARSE_FAILED", true, ""},
		{"parse error json", jsonPost(queryBody(`{`), appJSON), 200, appJSON, "GRAPHQL_PARSE_FAILED", true, ""},
		{"validation error graphql-response", jsonPost(queryBody(`{ nope }`), gqlResp), 400, gqlResp, "GRAPHQL_VALIDATION_FAILED", true, ""},
		{"validation error json", jsonPost(queryBody(`{ nope }`), appJSON), 200, appJSON, "GRAPHQL_VALIDATION_FAILED", true, ""},
		{"variable error graphql-response", jsonPost(`{"query":"query($id: ID!) { product(id: $id) { id } }","variables":{"id":null}}`, gqlResp), 400, gqlResp, "BAD_USER_INPUT", true, ""},
		{"variable error json", jsonPost(`{"query":"query($id: ID!) { product(id: $id) { id } }","variables":{}}`, appJSON), 200, appJSON, "BAD_USER_INPUT", true, ""},
		{"bad json", jsonPost(`{ "not a JSON`, appJSON), 400, appJSON, "invalid JSON body", true, ""},
		{"bad json graphql-response", jsonPost(`{"query": `, gqlResp), 400, gqlResp, "unexpected end of JSON input", true, ""},
		{"empty body", jsonPost(``, gqlResp), 400, gqlResp, "the POST body is empty", true, ""},
		{"body not an object", jsonPost(`"{ __typename }"`, appJSON), 400, appJSON, "must be a JSON object", true, ""},
		{"no query", jsonPost(`{"qeury":"{ __typename }"}`, gqlResp), 400, gqlResp, "no query", true, ""},
		{"query not a string", jsonPost(`{"query":{"a":1}}`, appJSON), 400, appJSON, `\"query\" must be a string, got an object`, true, ""},
		{"operationName not a string", jsonPost(`{"query":"{ __typename }","operationName":3}`, appJSON), 400, appJSON, `\"operationName\" must be a string, got a number`, true, ""},
		{"variables string", jsonPost(`{"query":"{ __typename }","variables":"{}"}`, appJSON), 400, appJSON, `\"variables\" must be a JSON object, got a string`, true, ""},
		{"variables number", jsonPost(`{"query":"{ __typename }","variables":1}`, gqlResp), 400, gqlResp, `\"variables\" must be a JSON object, got a number`, true, ""},
		{"variables array", jsonPost(`{"query":"{ __typename }","variables":[{}]}`, appJSON), 400, appJSON, `\"variables\" must be a JSON object, got an array`, true, ""},
		{"extensions string", jsonPost(`{"query":"{ __typename }","extensions":"x"}`, appJSON), 400, appJSON, `\"extensions\" must be a JSON object, got a string`, true, ""},
		{"extensions number", jsonPost(`{"query":"{ __typename }","extensions":0}`, gqlResp), 400, gqlResp, `\"extensions\" must be a JSON object, got a number`, true, ""},
		{"extensions array", jsonPost(`{"query":"{ __typename }","extensions":[]}`, appJSON), 400, appJSON, `\"extensions\" must be a JSON object, got an array`, true, ""},
		{"extensions object", jsonPost(`{"query":"{ __typename }","extensions":{"some":"value"}}`, appJSON), 200, appJSON, `{"data":{"__typename":"Query"}}`, false, ""},
		{"too large", jsonPost(queryBody("{ product(id: \""+strings.Repeat("x", 5000)+"\") { id } }"), gqlResp), 413, gqlResp, "larger than 4096 bytes", true, ""},
		{"no content type", httpCall{body: queryBody(`{ __typename }`)}, 415, appJSON, "no Content-Type", true, ""},
		{"text/plain", httpCall{body: queryBody(`{ __typename }`), headers: map[string]string{"Content-Type": "text/plain"}}, 415, appJSON, "unsupported Content-Type text/plain", true, ""},
		{"form", httpCall{body: "query=x", headers: map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Apollo-Require-Preflight": "true"}}, 415, appJSON, "application/x-www-form-urlencoded", true, ""},
		{"multipart", httpCall{body: "--b--", headers: map[string]string{"Content-Type": "multipart/form-data; boundary=b"}}, 415, appJSON, "multipart/form-data", true, ""},
		{"latin1", httpCall{body: queryBody(`{ __typename }`), headers: map[string]string{"Content-Type": "application/json; charset=latin1"}}, 415, appJSON, "charset", true, ""},
		{"get", httpCall{method: "GET", query: getQ(`{ product(id: "p2") { id } }`), headers: preflighted}, 200, gqlResp, `"id":"p2"`, false, ""},
		{"get variables", httpCall{method: "GET", query: getQ(`query($id: ID!) { product(id: $id) { id } }`) + "&variables=" + url.QueryEscape(`{"id":"p3"}`), headers: preflighted}, 200, gqlResp, `"id":"p3"`, false, ""},
		{"get bad variables", httpCall{method: "GET", query: getQ(`{ __typename }`) + "&variables=%5B%5D", headers: preflighted}, 400, gqlResp, `\"variables\" must be a JSON object, got an array`, true, ""},
		{"get bad extensions", httpCall{method: "GET", query: getQ(`{ __typename }`) + "&extensions=%22x%22", headers: preflighted}, 400, gqlResp, `\"extensions\" must be a JSON object, got a string`, true, ""},
		{"get mutation", httpCall{method: "GET", query: getQ(`mutation { placeOrder(variantId: "v1") { id } }`), headers: preflighted}, 405, gqlResp, "use POST", true, "POST"},
		{"get mutation json", httpCall{method: "GET", query: getQ(`mutation { placeOrder(variantId: "v1") { id } }`), headers: map[string]string{"Apollo-Require-Preflight": "1"}}, 405, appJSON, "use POST", true, "POST"},
		{"put", httpCall{method: "PUT", body: queryBody(`{ __typename }`), headers: map[string]string{"Content-Type": appJSON}}, 405, appJSON, "GET or POST", true, "GET, POST, OPTIONS"},
		{"delete", httpCall{method: "DELETE", headers: map[string]string{"Accept": gqlResp}}, 405, gqlResp, "GET or POST", true, "GET, POST, OPTIONS"},
		{"not acceptable", jsonPost(queryBody(`{ __typename }`), "text/html"), 406, appJSON, "Accept", true, ""},
		{"not acceptable q=0", jsonPost(queryBody(`{ __typename }`), "application/json;q=0"), 406, appJSON, "Accept", true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := call(t, u, tt.call)
			if res.status != tt.status {
				t.Errorf("status %d, want %d: %s", res.status, tt.status, res.raw)
			}
			if ct := res.header.Get("Content-Type"); ct != tt.media+"; charset=utf-8" {
				t.Errorf("Content-Type %q, want %s", ct, tt.media)
			}
			if !strings.Contains(res.raw, tt.contains) {
				t.Errorf("body %s lacks %s", res.raw, tt.contains)
			}
			var body map[string]json.RawMessage
			if err := json.Unmarshal([]byte(res.raw), &body); err != nil {
				t.Fatalf("body is not a JSON object: %s", res.raw)
			}
			if _, has := body["data"]; has == tt.noData {
				t.Errorf("has data = %v: %s", has, res.raw)
			}
			if got := res.header.Get("Allow"); got != tt.allow {
				t.Errorf("Allow %q, want %q", got, tt.allow)
			}
			if goTypeName.MatchString(res.raw) {
				t.Errorf("body names a Go type: %s", res.raw)
			}
		})
	}
}

func TestPlainOptions(t *testing.T) {
	t.Parallel()
	u := startRouter(t, Config{})
	res := call(t, u, httpCall{method: http.MethodOptions})
	if res.status != http.StatusNoContent || res.header.Get("Allow") != "GET, POST, OPTIONS" {
		t.Errorf("OPTIONS = %d, Allow %q", res.status, res.header.Get("Allow"))
	}
}

// TestBatchedRequests: a JSON array gets a JSON array of responses in order,
// each item run as if sent alone.
func TestBatchedRequests(t *testing.T) {
	t.Parallel()
	u := startRouter(t, Config{MaxBatchSize: 4})

	t.Run("order and errors per item", func(t *testing.T) {
		t.Parallel()
		body := `[
			{"query":"{ product(id: \"p1\") { name } }"},
			{"query":"{ nope }"},
			{"query":"query($id: ID!) { product(id: $id) { id } }","variables":{"id":"p2"}},
			{"query":"{ __typename }","variables":"x"}
		]`
		res := call(t, u, jsonPost(body, gqlResp))
		if res.status != 200 || !strings.HasPrefix(res.header.Get("Content-Type"), gqlResp) {
			t.Fatalf("status %d %s: %s", res.status, res.header.Get("Content-Type"), res.raw)
		}
		var items []map[string]any
		if err := json.Unmarshal([]byte(res.raw), &items); err != nil || len(items) != 4 {
			t.Fatalf("not an array of 4 responses: %s", res.raw)
		}
		wants := []string{`"name":"Product p1"`, "GRAPHQL_VALIDATION_FAILED", `"id":"p2"`, `batch item 3: \"variables\" must be a JSON object, got a string`}
		for i, want := range wants {
			b, _ := json.Marshal(items[i])
			if !strings.Contains(string(b), want) {
				t.Errorf("item %d = %s, want %s", i, b, want)
			}
		}
		for _, i := range []int{1, 3} {
			if _, has := items[i]["data"]; has {
				t.Errorf("item %d failed before execution but has data: %v", i, items[i])
			}
		}
	})

	t.Run("mutations run in order", func(t *testing.T) {
		t.Parallel()
		// A fresh router: its subgraphs number orders from 1.
		u := startRouter(t, Config{})
		body := `[
			{"query":"mutation { placeOrder(variantId: \"v1\") { id } }"},
			{"query":"{ __typename }"},
			{"query":"mutation { placeOrder(variantId: \"v2\", quantity: 2) { id quantity } }"},
			{"query":"mutation { placeOrder(variantId: \"v3\") { id } }"}
		]`
		res := call(t, u, jsonPost(body, appJSON))
		want := `[{"data":{"placeOrder":{"id":"o1"}}},{"data":{"__typename":"Query"}},{"data":{"placeOrder":{"id":"o2","quantity":2}}},{"data":{"placeOrder":{"id":"o3"}}}]`
		if res.status != 200 || res.raw != want {
			t.Errorf("status %d: %s\nwant %s", res.status, res.raw, want)
		}
	})

	tests := []struct {
		name, body string
		cfg        *Config
		status     int
		contains   string
	}{
		{"over the limit", `[{"query":"{ __typename }"},{"query":"{ __typename }"},{"query":"{ __typename }"},{"query":"{ __typename }"},{"query":"{ __typename }"}]`, nil, 400, "the batch has 5 requests, more than the limit of 4 (maxBatchSize)"},
		{"empty", `[]`, nil, 400, "the batch (a JSON array) is empty"},
		{"batching off", `[{"query":"{ __typename }"}]`, &Config{MaxBatchSize: -1}, 400, "BATCHING_NOT_ENABLED"},
		{"default limit 10", `[` + strings.Repeat(`{"query":"{ __typename }"},`, 10) + `{"query":"{ __typename }"}]`, &Config{}, 400, "more than the limit of 10"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			target := u
			if tt.cfg != nil {
				target = startRouter(t, *tt.cfg)
			}
			res := call(t, target, jsonPost(tt.body, gqlResp))
			if res.status != tt.status || !strings.Contains(res.raw, tt.contains) {
				t.Errorf("status %d: %s; want %d with %s", res.status, res.raw, tt.status, tt.contains)
			}
			if strings.HasPrefix(res.raw, "[") {
				t.Errorf("a refused batch answered an array: %s", res.raw)
			}
		})
	}

	t.Run("a GET is never a batch", func(t *testing.T) {
		t.Parallel()
		// A GET carries one request; its query parameter is a document even
		// when it looks like a JSON array, and a mutation in it gets 405.
		q := url.QueryEscape(`mutation { placeOrder(variantId: "v1") { id } }`)
		res := call(t, u, httpCall{method: "GET", query: "query=" + q, headers: map[string]string{"Apollo-Require-Preflight": "true"}})
		if res.status != 405 {
			t.Errorf("status %d: %s", res.status, res.raw)
		}
		res = call(t, u, httpCall{method: "GET", query: "query=" + url.QueryEscape(`[{"query":"{ __typename }"}]`), headers: map[string]string{"Apollo-Require-Preflight": "true"}})
		if res.status != 200 || !strings.Contains(res.raw, "GRAPHQL_PARSE_FAILED") {
			t.Errorf("status %d: %s", res.status, res.raw)
		}
	})
}
