package graphqlhttp

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestNegotiate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		accept, media string
		ok            bool
	}{
		{"", MediaJSON, true},
		{"application/graphql-response+json", MediaGraphQLResponse, true},
		{"application/json", MediaJSON, true},
		{"application/json;q=0.9, application/graphql-response+json", MediaGraphQLResponse, true},
		{"application/graphql-response+json;q=0.5, application/json", MediaJSON, true},
		{"*/*", MediaJSON, true},
		{"text/html", MediaJSON, false},
		{"application/graphql-response+json;q=0", MediaJSON, false},
	}
	for _, tt := range tests {
		if media, ok := Negotiate(tt.accept); media != tt.media || ok != tt.ok {
			t.Errorf("Negotiate(%q) = %s, %v; want %s, %v", tt.accept, media, ok, tt.media, tt.ok)
		}
	}
}

func TestCheckContentType(t *testing.T) {
	t.Parallel()
	for ct, want := range map[string]string{
		"application/json":                   "",
		"application/json; charset=utf-8":    "",
		"":                                   "no Content-Type",
		"text/plain":                         "unsupported Content-Type text/plain",
		"application/json; charset=latin1":   `unsupported charset "latin1"`,
		"multipart/form-data; boundary=x":    "unsupported Content-Type multipart/form-data",
		"application/x-www-form-urlencoded;": "unsupported Content-Type",
	} {
		got := CheckContentType(ct)
		if (want == "") != (got == "") || !strings.Contains(got, want) {
			t.Errorf("CheckContentType(%q) = %q, want %q", ct, got, want)
		}
	}
}

func TestJSONWords(t *testing.T) {
	t.Parallel()
	for raw, want := range map[string]string{"": "nothing", " {}": "an object", "[1]": "an array", `"x"`: "a string", "true": "a boolean", "null": "null", "-1": "a number"} {
		if got := JSONKind([]byte(raw)); got != want {
			t.Errorf("JSONKind(%q) = %q, want %q", raw, got, want)
		}
	}
	var v struct{ Query string }
	err := json.Unmarshal([]byte(`{"Query": 5}`), &v)
	if got := JSONErrorText(err); strings.Contains(got, "string") && strings.Contains(got, "struct") || strings.HasPrefix(got, "json:") {
		t.Errorf("JSONErrorText = %q: names Go types", got)
	}
	err = json.Unmarshal([]byte(`{"query":`), &v)
	if got := JSONErrorText(err); !strings.HasPrefix(got, "unexpected end of JSON input") {
		t.Errorf("JSONErrorText(truncated) = %q", got)
	}
}
