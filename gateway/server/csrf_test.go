package server

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestCSRFPrevention: what a browser sends without a preflight is refused
// unless it carries a required header; everything else passes.
func TestCSRFPrevention(t *testing.T) {
	t.Parallel()
	sdl := shopSupergraph(t)
	defaults := startRouter(t, Config{SupergraphSDL: sdl})
	custom := startRouter(t, Config{SupergraphSDL: sdl, CSRF: CSRF{RequiredHeaders: []string{"X-Shop-Client"}}})
	disabled := startRouter(t, Config{SupergraphSDL: sdl, CSRF: CSRF{Disabled: true}})
	get := func(headers map[string]string) httpCall {
		return httpCall{method: http.MethodGet, query: "query=" + url.QueryEscape("{ __typename }"), headers: headers}
	}
	tests := []struct {
		name     string
		url      string
		call     httpCall
		status   int
		contains string
	}{
		{"get without header", defaults, get(nil), 400, "CSRF_ERROR"},
		{"get says which header", defaults, get(map[string]string{"Accept": gqlResp}), 400, "Apollo-Require-Preflight or X-Apollo-Operation-Name"},
		{"get with empty header", defaults, get(map[string]string{"Apollo-Require-Preflight": ""}), 400, "CSRF_ERROR"},
		{"get with Apollo-Require-Preflight", defaults, get(map[string]string{"Apollo-Require-Preflight": "true"}), 200, `"__typename":"Query"`},
		{"get with X-Apollo-Operation-Name", defaults, get(map[string]string{"X-Apollo-Operation-Name": "Q"}), 200, `"__typename":"Query"`},
		{"get with a JSON content type", defaults, get(map[string]string{"Content-Type": appJSON}), 200, `"__typename":"Query"`},
		{"get with text/plain", defaults, get(map[string]string{"Content-Type": "text/plain"}), 400, "CSRF_ERROR"},
		{"get with text/plain and junk", defaults, get(map[string]string{"Content-Type": "Text/Plain ; x"}), 400, "CSRF_ERROR"},
		{"post json passes", defaults, jsonPost(queryBody(`{ __typename }`), ""), 200, `"__typename":"Query"`},
		// A simple POST is refused as unsupported whatever its headers.
		{"post text/plain", defaults, httpCall{body: queryBody(`{ __typename }`), headers: map[string]string{"Content-Type": "text/plain"}}, 415, "send Content-Type: application/json"},
		{"post no content type with header", defaults, httpCall{body: queryBody(`{ __typename }`), headers: map[string]string{"Apollo-Require-Preflight": "true"}}, 415, "no Content-Type"},
		{"configured header", custom, get(map[string]string{"X-Shop-Client": "web"}), 200, `"__typename":"Query"`},
		{"default header replaced", custom, get(map[string]string{"Apollo-Require-Preflight": "true"}), 400, "X-Shop-Client"},
		{"disabled", disabled, get(nil), 200, `"__typename":"Query"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := call(t, tt.url, tt.call)
			if res.status != tt.status || !strings.Contains(res.raw, tt.contains) {
				t.Errorf("status %d: %s; want %d with %s", res.status, res.raw, tt.status, tt.contains)
			}
		})
	}
}

func TestContentTypeNeedsPreflight(t *testing.T) {
	t.Parallel()
	for ct, want := range map[string]bool{
		"":                                  false,
		"text/plain":                        false,
		"TEXT/PLAIN; charset=utf-8":         false,
		" text/plain ;;; garbage":           false,
		"application/x-www-form-urlencoded": false,
		"multipart/form-data; boundary=x":   false,
		"application/json":                  true,
		"application/json; charset=utf-8":   true,
		"text/html":                         true,
		"text/plainx":                       true,
	} {
		h := http.Header{}
		if ct != "" {
			h.Set("Content-Type", ct)
		}
		if got := contentTypeNeedsPreflight(h); got != want {
			t.Errorf("%q: needs preflight = %v, want %v", ct, got, want)
		}
	}
	// Two Content-Type lines: simple when either is.
	h := http.Header{"Content-Type": {"application/json", "text/plain"}}
	if contentTypeNeedsPreflight(h) {
		t.Error("application/json plus text/plain counted as preflighted")
	}
}

func TestCSRFConfigValidate(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		headers []string
		want    string
	}{
		{[]string{"Content-Type"}, `csrf.requiredHeaders[0] "Content-Type" is sent by browsers without a preflight`},
		{[]string{"X-Ok", "no good"}, `csrf.requiredHeaders[1] "no good" is not a header name`},
	} {
		_, err := New(Config{SupergraphSDL: "x", CSRF: CSRF{RequiredHeaders: tt.headers}}, nil)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: err = %v, want %q", tt.headers, err, tt.want)
		}
	}
}
