package gqlserve_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/shopgraph/shopgraph/internal/gqlserve"
)

// tinySchema is an executable schema without generated code: every query
// answers {"name":"test"} and every mutation {"rename":"done"}, which is
// enough to see what the transport does around execution.
func tinySchema() graphql.ExecutableSchema {
	schema := gqlparser.MustLoadSchema(&ast.Source{Input: `
		type Query { name: String! find(id: Int!): String! }
		type Mutation { rename(to: String!): String! }
	`})
	return &graphql.ExecutableSchemaMock{
		ExecFunc: func(ctx context.Context) graphql.ResponseHandler {
			if graphql.GetOperationContext(ctx).Operation.Operation == ast.Mutation {
				return graphql.OneShot(&graphql.Response{Data: json.RawMessage(`{"rename":"done"}`)})
			}
			return graphql.OneShot(&graphql.Response{Data: json.RawMessage(`{"name":"test"}`)})
		},
		SchemaFunc:     func() *ast.Schema { return schema },
		ComplexityFunc: func(context.Context, string, string, int, map[string]any) (int, bool) { return 1, true },
	}
}

var goTypeName = regexp.MustCompile(`Go (value|struct)|map\[string\]|\[\](interface|any|json|string|uint8)|interface \{|float64|json\.(RawMessage|Number)|graphql\.RawParams|RawParams`)

func TestTransportStatusAndMediaTypes(t *testing.T) {
	t.Parallel()
	h := gqlserve.NewHandler("tiny", tinySchema(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	const gqlResp, appJSON = "application/graphql-response+json", "application/json"

	type req struct {
		method, contentType, accept, body, query string
	}
	post := func(body, accept string) req {
		return req{method: http.MethodPost, contentType: appJSON, accept: accept, body: body}
	}
	get := func(query, accept string) req { return req{method: http.MethodGet, accept: accept, query: query} }
	tests := []struct {
		name     string
		req      req
		status   int
		media    string
		contains string
		// hasData: whether the response has a "data" member.
		hasData bool
		allow   string
	}{
		{"post graphql-response", post(`{"query":"{ name }"}`, gqlResp), 200, gqlResp, `"data":{"name":"test"}`, true, ""},
		{"post json", post(`{"query":"{ name }"}`, appJSON), 200, appJSON, `"name":"test"`, true, ""},
		{"post no accept", post(`{"query":"{ name }"}`, ""), 200, appJSON, `"name":"test"`, true, ""},
		{"post any accept", post(`{"query":"{ name }"}`, "*/*"), 200, appJSON, `"name":"test"`, true, ""},
		{"preferred json", post(`{"query":"{ name }"}`, "application/json, application/graphql-response+json;q=0.5"), 200, appJSON, `"name":"test"`, true, ""},
		{"charset utf-8", req{method: "POST", contentType: "application/json; charset=utf-8", body: `{"query":"{ name }"}`}, 200, appJSON, `"name":"test"`, true, ""},
		{"mutation", post(`{"query":"mutation { rename(to: \"x\") }"}`, gqlResp), 200, gqlResp, `"rename":"done"`, true, ""},
		{"null members", post(`{"query":"{ name }","variables":null,"operationName":null,"extensions":null}`, gqlResp), 200, gqlResp, `"name":"test"`, true, ""},
		{"parse error graphql-response", post(`{"query":"{"}`, gqlResp), 400, gqlResp, "GRAPHQL_PARSE_FAILED", false, ""},
		{"parse error json", post(`{"query":"{"}`, appJSON), 200, appJSON, "GRAPHQL_PARSE_FAILED", false, ""},
		{"validation error graphql-response", post(`{"query":"{ nope }"}`, gqlResp), 400, gqlResp, "GRAPHQL_VALIDATION_FAILED", false, ""},
		{"validation error json", post(`{"query":"{ nope }"}`, appJSON), 200, appJSON, "GRAPHQL_VALIDATION_FAILED", false, ""},
		{"variable error graphql-response", post(`{"query":"query($id: Int!) { find(id: $id) }","variables":{"id":"x"}}`, gqlResp), 400, gqlResp, "Int", false, ""},
		{"variable error json", post(`{"query":"query($id: Int!) { find(id: $id) }","variables":{"id":null}}`, appJSON), 200, appJSON, "cannot be null", false, ""},
		{"bad json", post(`{ "not a JSON`, appJSON), 400, appJSON, "invalid JSON body", false, ""},
		{"bad json graphql-response", post(`{"query":`, gqlResp), 400, gqlResp, "unexpected end of JSON input", false, ""},
		{"empty body", post(``, gqlResp), 400, gqlResp, "the POST body is empty", false, ""},
		{"no query", post(`{"notquery":"{ name }"}`, gqlResp), 400, gqlResp, "no query", false, ""},
		{"query number", post(`{"query":1}`, appJSON), 400, appJSON, `\"query\" must be a string, got a number`, false, ""},
		{"operationName object", post(`{"query":"{ name }","operationName":{}}`, appJSON), 400, appJSON, `\"operationName\" must be a string, got an object`, false, ""},
		{"variables string", post(`{"query":"{ name }","variables":"{}"}`, appJSON), 400, appJSON, `\"variables\" must be a JSON object, got a string`, false, ""},
		{"variables number", post(`{"query":"{ name }","variables":1}`, appJSON), 400, appJSON, `\"variables\" must be a JSON object, got a number`, false, ""},
		{"variables array", post(`{"query":"{ name }","variables":[]}`, appJSON), 400, appJSON, `\"variables\" must be a JSON object, got an array`, false, ""},
		{"extensions string", post(`{"query":"{ name }","extensions":"x"}`, appJSON), 400, appJSON, `\"extensions\" must be a JSON object, got a string`, false, ""},
		{"extensions number", post(`{"query":"{ name }","extensions":0}`, appJSON), 400, appJSON, `\"extensions\" must be a JSON object, got a number`, false, ""},
		{"extensions array", post(`{"query":"{ name }","extensions":["a"]}`, appJSON), 400, appJSON, `\"extensions\" must be a JSON object, got an array`, false, ""},
		{"batch", post(`[{"query":"{ name }"}]`, appJSON), 400, appJSON, "batched requests", false, ""},
		{"no content type", req{method: "POST", body: `{"query":"{ name }"}`}, 415, appJSON, "no Content-Type", false, ""},
		{"text/plain", req{method: "POST", contentType: "text/plain", body: `{"query":"{ name }"}`}, 415, appJSON, "unsupported Content-Type text/plain", false, ""},
		{"form", req{method: "POST", contentType: "application/x-www-form-urlencoded", body: `query=x`}, 415, appJSON, "application/x-www-form-urlencoded", false, ""},
		{"multipart", req{method: "POST", contentType: "multipart/form-data; boundary=x", body: `--x--`}, 415, appJSON, "multipart/form-data", false, ""},
		{"latin1", req{method: "POST", contentType: "application/json; charset=iso-8859-1", body: `{"query":"{ name }"}`}, 415, appJSON, "charset", false, ""},
		{"get", get("query="+url.QueryEscape("{ name }"), gqlResp), 200, gqlResp, `"name":"test"`, true, ""},
		{"get variables", get("query="+url.QueryEscape("query($id: Int!) { find(id: $id) }")+"&variables="+url.QueryEscape(`{"id":1}`), appJSON), 200, appJSON, `"name":"test"`, true, ""},
		{"get bad variables", get("query=q&variables=%5B%5D", appJSON), 400, appJSON, `\"variables\" must be a JSON object, got an array`, false, ""},
		{"get mutation", get("query="+url.QueryEscape(`mutation { rename(to: "x") }`), gqlResp), 405, gqlResp, "use POST", false, "POST"},
		{"get mutation json", get("query="+url.QueryEscape(`mutation { rename(to: "x") }`), appJSON), 405, appJSON, "use POST", false, "POST"},
		{"put", req{method: "PUT", contentType: appJSON, body: `{"query":"{ name }"}`}, 405, appJSON, "GET or POST", false, "GET, POST"},
		{"not acceptable", post(`{"query":"{ name }"}`, "text/html"), 406, appJSON, "Accept", false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r, err := http.NewRequestWithContext(t.Context(), tt.req.method, srv.URL+"?"+tt.req.query, strings.NewReader(tt.req.body))
			if err != nil {
				t.Fatal(err)
			}
			if tt.req.contentType != "" {
				r.Header.Set("Content-Type", tt.req.contentType)
			}
			if tt.req.accept != "" {
				r.Header.Set("Accept", tt.req.accept)
			}
			resp, err := http.DefaultClient.Do(r)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			raw, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.status {
				t.Errorf("status %d, want %d: %s", resp.StatusCode, tt.status, raw)
			}
			if ct := resp.Header.Get("Content-Type"); ct != tt.media+"; charset=utf-8" {
				t.Errorf("Content-Type %q, want %s", ct, tt.media)
			}
			if !strings.Contains(string(raw), tt.contains) {
				t.Errorf("body %s lacks %s", raw, tt.contains)
			}
			var body map[string]json.RawMessage
			if err := json.Unmarshal(raw, &body); err != nil {
				t.Fatalf("body is not a JSON object: %s", raw)
			}
			if _, has := body["data"]; has != tt.hasData {
				t.Errorf("has data = %v, want %v: %s", has, tt.hasData, raw)
			}
			if got := resp.Header.Get("Allow"); got != tt.allow {
				t.Errorf("Allow %q, want %q", got, tt.allow)
			}
			if goTypeName.Match(raw) {
				t.Errorf("body names a Go type: %s", raw)
			}
		})
	}
}
