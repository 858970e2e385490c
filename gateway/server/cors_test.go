package server

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func preflight(origin, method, headers string) httpCall {
	h := map[string]string{"Origin": origin, "Access-Control-Request-Method": method}
	if headers != "" {
		h["Access-Control-Request-Headers"] = headers
	}
	return httpCall{method: http.MethodOptions, headers: h}
}

func TestCORSPreflight(t *testing.T) {
	t.Parallel()
	sdl := shopSupergraph(t)
	defaults := startRouter(t, Config{SupergraphSDL: sdl})
	custom := startRouter(t, Config{SupergraphSDL: sdl, CORS: CORS{
		AllowOrigins: []string{"https://shop.example.com"}, AllowCredentials: true,
		MaxAge: time.Hour, AllowHeaders: []string{"X-Client-Version"},
	}})
	anyOrigin := startRouter(t, Config{SupergraphSDL: sdl, CORS: CORS{AllowOrigins: []string{"*"}}})
	tests := []struct {
		name        string
		url         string
		call        httpCall
		status      int
		allowOrigin string // "" wants no CORS headers at all
		credentials bool
		maxAge      string
		headers     []string // must be in Access-Control-Allow-Headers
	}{
		{"web store in development", defaults, preflight("http://localhost:3000", "POST", "content-type"), 204, "http://localhost:3000", false, "600",
			[]string{"content-type", "authorization", "apollo-require-preflight", "x-apollo-operation-name", "x-shopgraph-query-plan", "traceparent"}},
		{"127.0.0.1 too", defaults, preflight("http://127.0.0.1:3000", "GET", "apollo-require-preflight"), 204, "http://127.0.0.1:3000", false, "600", nil},
		{"other origin refused", defaults, preflight("https://evil.example", "POST", "content-type"), 403, "", false, "", nil},
		{"other port refused", defaults, preflight("http://localhost:3001", "POST", ""), 403, "", false, "", nil},
		{"configured origin with credentials", custom, preflight("https://shop.example.com", "POST", "Content-Type, X-Client-Version"), 204, "https://shop.example.com", true, "3600", []string{"x-client-version"}},
		{"defaults replaced", custom, preflight("http://localhost:3000", "POST", ""), 403, "", false, "", nil},
		{"header not allowed", custom, preflight("https://shop.example.com", "POST", "x-unknown"), 403, "", false, "", nil},
		{"method not allowed", custom, preflight("https://shop.example.com", "DELETE", ""), 403, "", false, "", nil},
		{"any origin", anyOrigin, preflight("https://anywhere.example", "POST", "content-type"), 204, "*", false, "600", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := call(t, tt.url, tt.call)
			h := res.header
			if res.status != tt.status {
				t.Errorf("status %d, want %d: %s", res.status, tt.status, res.raw)
			}
			if got := h.Get("Access-Control-Allow-Origin"); got != tt.allowOrigin {
				t.Errorf("Access-Control-Allow-Origin %q, want %q", got, tt.allowOrigin)
			}
			if !strings.Contains(strings.Join(h.Values("Vary"), ","), "Origin") {
				t.Errorf("Vary %q lacks Origin", h.Values("Vary"))
			}
			if tt.allowOrigin == "" {
				for k := range h {
					if strings.HasPrefix(k, "Access-Control-") {
						t.Errorf("refused preflight has %s", k)
					}
				}
				return
			}
			if got := h.Get("Access-Control-Allow-Credentials") == "true"; got != tt.credentials {
				t.Errorf("credentials %v, want %v", got, tt.credentials)
			}
			if got := h.Get("Access-Control-Allow-Methods"); got != "GET, POST, OPTIONS" {
				t.Errorf("Access-Control-Allow-Methods %q", got)
			}
			if got := h.Get("Access-Control-Max-Age"); got != tt.maxAge {
				t.Errorf("Access-Control-Max-Age %q, want %q", got, tt.maxAge)
			}
			allowed := h.Get("Access-Control-Allow-Headers")
			for _, want := range tt.headers {
				if !strings.Contains(allowed, want) {
					t.Errorf("Access-Control-Allow-Headers %q lacks %s", allowed, want)
				}
			}
		})
	}
}

// TestCORSActualRequest: an allowed origin's request is marked readable; any
// other origin's is served without CORS headers, so its page cannot read it.
func TestCORSActualRequest(t *testing.T) {
	t.Parallel()
	u := startRouter(t, Config{CORS: CORS{AllowOrigins: []string{"https://shop.example.com"}, AllowCredentials: true}})
	for origin, want := range map[string]string{"https://shop.example.com": "https://shop.example.com", "https://evil.example": "", "": ""} {
		c := jsonPost(queryBody(`{ __typename }`), appJSON)
		if origin != "" {
			c.headers["Origin"] = origin
		}
		res := call(t, u, c)
		if res.status != 200 {
			t.Errorf("%q: status %d: %s", origin, res.status, res.raw)
		}
		if got := res.header.Get("Access-Control-Allow-Origin"); got != want {
			t.Errorf("%q: Access-Control-Allow-Origin %q, want %q", origin, got, want)
		}
		if got := res.header.Get("Access-Control-Allow-Credentials"); (got == "true") != (want != "") {
			t.Errorf("%q: Access-Control-Allow-Credentials %q", origin, got)
		}
		if !strings.Contains(strings.Join(res.header.Values("Vary"), ","), "Origin") {
			t.Errorf("%q: no Vary: Origin", origin)
		}
	}
}

func TestCORSConfigValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		cors CORS
		want string
	}{
		{CORS{AllowOrigins: []string{"*"}, AllowCredentials: true}, `cors.allowOrigins[0] is "*" with cors.allowCredentials`},
		{CORS{AllowOrigins: []string{"https://a.example", "shop.example.com"}}, `cors.allowOrigins[1] "shop.example.com"`},
		{CORS{AllowOrigins: []string{"https://a.example/path"}}, `no path`},
		{CORS{AllowOrigins: []string{"ftp://a.example"}}, `http or https`},
		{CORS{AllowHeaders: []string{"bad header"}}, `cors.allowHeaders[0] "bad header" is not a header name`},
	}
	for _, tt := range tests {
		_, err := New(Config{SupergraphSDL: "x", CORS: tt.cors}, nil)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%+v: err = %v, want %q", tt.cors, err, tt.want)
		}
	}
}
