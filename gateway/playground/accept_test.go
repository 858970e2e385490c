package playground

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestWantsPage(t *testing.T) {
	t.Parallel()
	const chrome = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7"
	const firefox = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
	tests := []struct {
		name, method, target, accept string
		want                         bool
	}{
		{"chrome", http.MethodGet, "/graphql", chrome, true},
		{"firefox", http.MethodGet, "/graphql", firefox, true},
		{"head from a browser", http.MethodHead, "/graphql", chrome, true},
		{"html only", http.MethodGet, "/graphql", "text/html", true},
		{"xhtml", http.MethodGet, "/graphql", "application/xhtml+xml", true},
		{"upper case", http.MethodGet, "/graphql", "TEXT/HTML", true},
		{"html before json", http.MethodGet, "/graphql", "text/html, application/json", true},
		{"json before html", http.MethodGet, "/graphql", "application/json, text/html", false},
		{"graphql-response before html", http.MethodGet, "/graphql", "application/graphql-response+json, text/html", false},
		{"json preferred by q", http.MethodGet, "/graphql", "text/html;q=0.5, application/json", false},
		{"html preferred by q", http.MethodGet, "/graphql", "application/json;q=0.5, text/html", true},
		{"html refused", http.MethodGet, "/graphql", "text/html;q=0, */*", false},
		{"malformed q", http.MethodGet, "/graphql", "text/html;q=high", false},
		{"browser with a query", http.MethodGet, "/graphql?query=%7B__typename%7D", chrome, false},
		{"browser with an empty query", http.MethodGet, "/graphql?query=", chrome, false},
		{"browser with other parameters", http.MethodGet, "/graphql?utm_source=x", chrome, true},
		{"post from a browser", http.MethodPost, "/graphql", chrome, false},
		{"curl", http.MethodGet, "/graphql", "*/*", false},
		{"no accept", http.MethodGet, "/graphql", "", false},
		{"graphql client", http.MethodGet, "/graphql", "application/graphql-response+json, application/json;q=0.9", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequest(tt.method, tt.target, nil)
			if tt.accept != "" {
				r.Header.Set("Accept", tt.accept)
			}
			if got := WantsPage(r); got != tt.want {
				t.Fatalf("WantsPage(%s %s, Accept %q) = %v, want %v", tt.method, tt.target, tt.accept, got, tt.want)
			}
		})
	}
}

func TestAcceptsGzip(t *testing.T) {
	t.Parallel()
	tests := []struct {
		values []string
		want   bool
	}{
		{nil, false},
		{[]string{"gzip"}, true},
		{[]string{"br", "gzip;q=0.5"}, true},
		{[]string{"GZIP"}, true},
		{[]string{"x-gzip"}, true},
		{[]string{"gzip;q=0"}, false},
		{[]string{"identity"}, false},
		{[]string{"*;q=0.1"}, true},
		{[]string{"deflate, br"}, false},
	}
	for _, tt := range tests {
		if got := acceptsGzip(tt.values); got != tt.want {
			t.Errorf("acceptsGzip(%q) = %v, want %v", tt.values, got, tt.want)
		}
	}
}
