package server

import (
	"encoding/json"
	"net/http"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

// goTypeName matches what encoding/json puts in its messages and clients must
// never see.
var goTypeName = regexp.MustCompile(`Go (value|struct)|map\[string\]|\[\](interface|any|json|string|uint8)|interface \{|float64|json\.(RawMessage|Number)|server\.|gqlRequest`)

func TestDecodeBody(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		body    string
		want    []gqlRequest // nil with wantErr
		batched bool
		wantErr string // substring of the whole request's error
		itemErr []string
	}{
		{name: "query", body: `{"query":"{ hello }"}`, want: []gqlRequest{{Query: "{ hello }"}}},
		{name: "all null", body: `{"query":"{ a }","variables":null,"extensions":null,"operationName":null}`, want: []gqlRequest{{Query: "{ a }"}}},
		{name: "named", body: `{"query":"query Q {\n  hello\n}","operationName":"Q","variables":{}}`, want: []gqlRequest{{Query: "query Q {\n  hello\n}", OperationName: "Q"}}},
		{name: "variables", body: `{"query":"q","variables":{"n":3,"l":[1,{"x":2.5}],"s":"x"}}`,
			want: []gqlRequest{{Query: "q", Variables: map[string]any{"n": 3.0, "l": []any{1.0, map[string]any{"x": 2.5}}, "s": "x"}}}},
		{name: "extensions", body: `{"query":"q","extensions":{"queryPlan":true}}`, want: []gqlRequest{{Query: "q", Extensions: json.RawMessage(`{"queryPlan":true}`)}}},
		{name: "escapes", body: `{"query":"\u0041 \ud83d\ude00"}`, want: []gqlRequest{{Query: "A 😀"}}},
		{name: "names are case-sensitive", body: `{"Query":"{ a }"}`, want: []gqlRequest{{}}},
		{name: "duplicate keys: the last wins", body: `{"query":"a","query":"b"}`, want: []gqlRequest{{Query: "b"}}},
		{name: "unknown members ignored", body: `{"query":"a","id":7}`, want: []gqlRequest{{Query: "a"}}},
		{name: "query number", body: `{"query":5}`, wantErr: `"query" must be a string, got a number`},
		{name: "query object", body: `{"query":{"a":1}}`, wantErr: `"query" must be a string, got an object`},
		{name: "operationName array", body: `{"query":"a","operationName":["x"]}`, wantErr: `"operationName" must be a string, got an array`},
		{name: "operationName boolean", body: `{"query":"a","operationName":false}`, wantErr: `"operationName" must be a string, got a boolean`},
		{name: "variables string", body: `{"query":"a","variables":"{}"}`, wantErr: `"variables" must be a JSON object, got a string`},
		{name: "variables number", body: `{"query":"a","variables":0}`, wantErr: `"variables" must be a JSON object, got a number`},
		{name: "variables array", body: `{"query":"a","variables":[]}`, wantErr: `"variables" must be a JSON object, got an array`},
		{name: "variables huge number", body: `{"query":"a","variables":{"n":1e400}}`, wantErr: `the number 1e400 at "n" is out of range`},
		{name: "extensions string", body: `{"query":"a","extensions":"x"}`, wantErr: `"extensions" must be a JSON object, got a string`},
		{name: "extensions number", body: `{"query":"a","extensions":1}`, wantErr: `"extensions" must be a JSON object, got a number`},
		{name: "extensions array", body: `{"query":"a","extensions":[{}]}`, wantErr: `"extensions" must be a JSON object, got an array`},
		{name: "truncated", body: `{"query": `, wantErr: "invalid JSON body: unexpected end of JSON input"},
		{name: "garbage", body: `{ "not a JSON`, wantErr: "invalid JSON body"},
		{name: "trailing data", body: `{"query":"a"} x`, wantErr: "invalid JSON body: invalid character 'x' after top-level value"},
		{name: "empty", body: ``, wantErr: "the POST body is empty"},
		{name: "string body", body: `"{ a }"`, wantErr: "must be a JSON object with a \"query\" (or an array of them, a batch), got a string"},
		{name: "empty batch", body: `[]`, wantErr: "the batch (a JSON array) is empty"},
		{name: "batch", body: `[{"query":"a"},{"query":"b","variables":{"x":1}}]`, batched: true,
			want: []gqlRequest{{Query: "a"}, {Query: "b", Variables: map[string]any{"x": 1.0}}}},
		{name: "batch with bad items", body: `[{"query":"a"},7,{"query":"b","variables":"x"}]`, batched: true,
			want:    []gqlRequest{{Query: "a"}, {}, {}},
			itemErr: []string{"", "batch item 1: a request must be a JSON object with a \"query\", got a number", `batch item 2: "variables" must be a JSON object, got a string`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			reqs, batched, herr := decodeBody([]byte(tt.body))
			if tt.wantErr != "" {
				if herr == nil || !strings.Contains(herr.message, tt.wantErr) || herr.status != http.StatusBadRequest {
					t.Fatalf("error %+v, want 400 with %q", herr, tt.wantErr)
				}
				if goTypeName.MatchString(herr.message) {
					t.Errorf("message %q names a Go type", herr.message)
				}
				return
			}
			if herr != nil {
				t.Fatalf("unexpected error %s", herr.message)
			}
			if batched != tt.batched {
				t.Errorf("batched = %v, want %v", batched, tt.batched)
			}
			for i := range reqs {
				got := ""
				if reqs[i].err != nil {
					got = reqs[i].err.message
				}
				want := ""
				if i < len(tt.itemErr) {
					want = tt.itemErr[i]
				}
				if got != want {
					t.Errorf("item %d error %q, want %q", i, got, want)
				}
				reqs[i].err = nil
			}
			if !reflect.DeepEqual(reqs, tt.want) {
				t.Errorf("got %#v\nwant %#v", reqs, tt.want)
			}
		})
	}
}

// TestDecodeSimpleMatchesDecodeObject: the fast path decodes exactly what the
// general path does, and declines everything it is not sure of.
func TestDecodeSimpleMatchesDecodeObject(t *testing.T) {
	t.Parallel()
	for _, body := range []string{
		`{"query":"{ hello }"}`,
		`{"query":"query Q { a }","operationName":"Q","variables":{}}`,
		`{"query":null,"operationName":null,"variables":null,"extensions":null}`,
		`{"query":"a","query":null}`,
		`{"query":"\u0041 \ud83d\ude00 \n\t\\\""}`,
		` {"query":"a"} `,
	} {
		simple, ok := decodeSimple([]byte(body))
		if !ok {
			t.Errorf("%s: fast path declined", body)
			continue
		}
		general, herr := decodeObject(json.RawMessage(strings.TrimSpace(body)), "")
		if herr != nil || !reflect.DeepEqual(simple, general) {
			t.Errorf("%s: fast %#v, general %#v (%v)", body, simple, general, herr)
		}
	}
	for _, body := range []string{`{"query":"a","variables":{"x":1}}`, `{"query":"a","extensions":{}}`, `{"Query":"a"}`, `{"query":1}`, `[{"query":"a"}]`, `"a"`} {
		if _, ok := decodeSimple([]byte(body)); ok {
			t.Errorf("%s: fast path accepted it", body)
		}
	}
}

func TestDecodeQueryString(t *testing.T) {
	t.Parallel()
	tests := []struct {
		raw     string
		want    gqlRequest
		wantErr string
	}{
		{raw: "query=%7B+a+%7D&operationName=Q", want: gqlRequest{Query: "{ a }", OperationName: "Q"}},
		{raw: "query=q&variables=%7B%22id%22%3A%221%22%7D", want: gqlRequest{Query: "q", Variables: map[string]any{"id": "1"}}},
		{raw: "query=q&variables=null&extensions=%7B%7D", want: gqlRequest{Query: "q", Extensions: json.RawMessage(`{}`)}},
		{raw: "query=q&variables=%5B1%5D", wantErr: `the URL parameter "variables" must be a JSON object, got an array`},
		{raw: "query=q&variables=%7B", wantErr: `the "variables" URL parameter is not valid JSON: unexpected end of JSON input`},
		{raw: "query=q&extensions=3", wantErr: `the URL parameter "extensions" must be a JSON object, got a number`},
		{raw: "query=%zz", wantErr: "cannot parse the URL query string"},
	}
	for _, tt := range tests {
		got, herr := decodeQueryString(tt.raw)
		if tt.wantErr != "" {
			if herr == nil || !strings.Contains(herr.message, tt.wantErr) {
				t.Errorf("%s: error %+v, want %q", tt.raw, herr, tt.wantErr)
			}
			continue
		}
		if herr != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: got %#v (%v), want %#v", tt.raw, got, herr, tt.want)
		}
	}
}

func TestCheckContentType(t *testing.T) {
	t.Parallel()
	for ct, want := range map[string]int{
		"application/json":                  0,
		"application/json; charset=utf-8":   0,
		"Application/JSON; charset=UTF-8":   0,
		"application/json; charset=latin1":  415,
		"":                                  415,
		"text/plain":                        415,
		"application/x-www-form-urlencoded": 415,
		"multipart/form-data; boundary=x":   415,
		"application/graphql":               415,
		"application/json; charset":         415,
		"application/graphql-response+json": 415,
	} {
		got := 0
		if herr := checkContentType(ct); herr != nil {
			got = herr.status
			if !strings.Contains(herr.message, "send Content-Type: application/json") {
				t.Errorf("%q: message %q does not say what to send", ct, herr.message)
			}
		}
		if got != want {
			t.Errorf("Content-Type %q: status %d, want %d", ct, got, want)
		}
	}
}

func TestNegotiate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		accept string
		media  string
		ok     bool
	}{
		{"", mediaJSON, true},
		{"application/json", mediaJSON, true},
		{"application/graphql-response+json", mediaGraphQLResponse, true},
		{"application/graphql-response+json, application/json;q=0.9", mediaGraphQLResponse, true},
		{"application/json, application/graphql-response+json", mediaGraphQLResponse, true},
		{"application/json;q=1, application/graphql-response+json;q=0.5", mediaJSON, true},
		{"*/*", mediaJSON, true},
		{"application/*", mediaJSON, true},
		{"text/html, */*;q=0.8", mediaJSON, true},
		{"application/graphql-response+json;q=0, application/json", mediaJSON, true},
		{"text/html", mediaJSON, false},
		{"application/xml, text/plain", mediaJSON, false},
		{"application/json;q=0", mediaJSON, false},
		{"not a media type", mediaJSON, false},
	}
	for _, tt := range tests {
		media, ok := negotiate(tt.accept)
		if media != tt.media || ok != tt.ok {
			t.Errorf("negotiate(%q) = %s, %v; want %s, %v", tt.accept, media, ok, tt.media, tt.ok)
		}
	}
}
