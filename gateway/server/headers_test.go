package server

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/shopgraph/shopgraph/gateway/headers"
	"github.com/shopgraph/shopgraph/gateway/internal/testsubgraph"
)

// tenantSubgraph is a subgraph named "b" whose `tenant` field answers the
// X-Tenant-Id header it received, after delay.
func tenantSubgraph(delay time.Duration) *testsubgraph.Subgraph {
	return &testsubgraph.Subgraph{
		Name: "b",
		SDL: `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
type Query { tenant: String }`,
		Resolvers: map[string]testsubgraph.Resolver{
			"Query.tenant": func(ctx context.Context, _, _ map[string]any) (any, error) {
				time.Sleep(delay)
				return testsubgraph.RequestHeader(ctx).Get("X-Tenant-Id"), nil
			},
		},
	}
}

func headersConfig(t *testing.T, src string) headers.Config {
	t.Helper()
	var c headers.Config
	if err := yaml.Unmarshal([]byte(src), &c); err != nil {
		t.Fatal(err)
	}
	return c
}

// cookie answers a Set-Cookie naming the subgraph and the tenant it served
// (none when no X-Tenant-Id reached it).
func cookie(name string) func(*http.Request) http.Header {
	return func(r *http.Request) http.Header {
		tenant := r.Header.Get("X-Tenant-Id")
		if tenant == "" {
			tenant = "none"
		}
		return http.Header{"Set-Cookie": {name + "=" + tenant + "; Path=/"}, "X-From": {name}}
	}
}

func TestHeaderRulesPerSubgraph(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		rules string
		want  map[string]http.Header // subgraph -> headers it must receive
		never map[string][]string    // subgraph -> headers it must not receive
	}{
		{
			name: "default: Authorization to every subgraph, nothing else",
			want: map[string]http.Header{"a": {"Authorization": {"Bearer t"}}, "b": {"Authorization": {"Bearer t"}}},
			never: map[string][]string{
				"a": {"X-Tenant-Id", "Cookie", "X-Router"},
				"b": {"X-Tenant-Id", "Cookie", "X-Router"},
			},
		},
		{
			name: "all, then per subgraph, in order",
			rules: `
all:
  request:
    - propagate: {named: Authorization}
    - insert: {name: X-Router, value: shopgraph}
    - propagate: {matching: ".*"}
    - remove: {matching: "^(cookie|x-tenant-.*)$"}
subgraphs:
  b:
    request:
      - remove: {named: Authorization}
      - propagate: {matching: "^x-tenant-"}
      - propagate: {named: X-Client, rename: X-B-Client, default: web}`,
			want: map[string]http.Header{
				"a": {"Authorization": {"Bearer t"}, "X-Router": {"shopgraph"}, "X-Extra": {"e"}},
				"b": {"X-Router": {"shopgraph"}, "X-Extra": {"e"}, "X-Tenant-Id": {"t1"}, "X-B-Client": {"web"}},
			},
			never: map[string][]string{
				"a": {"X-Tenant-Id", "Cookie", "X-B-Client"},
				"b": {"Authorization", "Cookie"},
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			url, subs := startEdgeRouter(t, Config{Headers: headersConfig(t, tc.rules)},
				edgeSubgraph{sg: testsubgraph.WhoAmI("a", 0)}, edgeSubgraph{sg: tenantSubgraph(0)})
			a := postEdge(t, url, `{ whoami tenant }`, http.Header{
				"Authorization": {"Bearer t"}, "X-Tenant-Id": {"t1"}, "Cookie": {"session=s"}, "X-Extra": {"e"},
				"Accept-Encoding": {"gzip"}, "Connection": {"keep-alive"},
			})
			if a.status != http.StatusOK || len(a.Errors) > 0 {
				t.Fatalf("status %d: %s", a.status, a.raw)
			}
			for sg, want := range tc.want {
				got := subs[sg].Headers()
				if len(got) != 1 {
					t.Fatalf("subgraph %s got %d requests, want 1", sg, len(got))
				}
				for k := range want {
					if !slices.Equal(got[0].Values(k), want.Values(k)) {
						t.Errorf("subgraph %s: %s = %q, want %q", sg, k, got[0].Values(k), want.Values(k))
					}
				}
				for _, k := range tc.never[sg] {
					if v := got[0].Values(k); len(v) > 0 {
						t.Errorf("subgraph %s received %s: %q", sg, k, v)
					}
				}
				// The router's own headers, whatever the client sent.
				if got[0].Get("Content-Type") != "application/json" {
					t.Errorf("subgraph %s: content type %q", sg, got[0].Get("Content-Type"))
				}
			}
		})
	}
}

func TestResponseHeadersPropagatedByRule(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name       string
		rules      string
		wantCookie []string
		wantFrom   int // X-From values: "first" keeps one of the two
	}{
		{"no rule: nothing", ``, nil, 0},
		{"Set-Cookie from b only", `
subgraphs:
  b:
    response:
      - propagate: {named: Set-Cookie}`, []string{"b=none; Path=/"}, 0},
		{"Set-Cookie from all, X-From first", `
all:
  response:
    - propagate: {named: Set-Cookie}
    - propagate: {named: X-From, algorithm: first}`, []string{"a=none; Path=/", "b=none; Path=/"}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			url, _ := startEdgeRouter(t, Config{Headers: headersConfig(t, tc.rules)},
				edgeSubgraph{sg: testsubgraph.WhoAmI("a", 0), respond: cookie("a")}, edgeSubgraph{sg: tenantSubgraph(0), respond: cookie("b")})
			a := postEdge(t, url, `{ whoami tenant }`, http.Header{"X-Tenant-Id": {"t1"}, "Authorization": {"Bearer t"}})
			if a.status != http.StatusOK {
				t.Fatalf("status %d: %s", a.status, a.raw)
			}
			got := a.header.Values("Set-Cookie")
			slices.Sort(got)
			if !slices.Equal(got, tc.wantCookie) {
				t.Errorf("Set-Cookie = %q, want %q", got, tc.wantCookie)
			}
			from := a.header.Values("X-From")
			if len(from) != tc.wantFrom || (len(from) == 1 && from[0] != "a" && from[0] != "b") {
				t.Errorf("X-From = %q, want %d value(s)", from, tc.wantFrom)
			}
			if a.header.Get("Content-Type") != "application/json; charset=utf-8" {
				t.Errorf("Content-Type = %q", a.header.Get("Content-Type"))
			}
		})
	}
}

// TestResponseHeadersNeverShared: with de-duplication on, concurrent callers
// each get the Set-Cookie of their own subgraph response.
func TestResponseHeadersNeverShared(t *testing.T) {
	t.Parallel()
	url, subs := startEdgeRouter(t, Config{Headers: headersConfig(t, `
all:
  request:
    - propagate: {named: X-Tenant-Id}
subgraphs:
  b:
    response:
      - propagate: {named: Set-Cookie}`)}, edgeSubgraph{sg: tenantSubgraph(20 * time.Millisecond), respond: cookie("b")})
	var wg sync.WaitGroup
	const callers = 8
	for i := range callers {
		tenant := []string{"t1", "t2"}[i%2]
		wg.Go(func() {
			a := postEdge(t, url, `{ tenant }`, http.Header{"X-Tenant-Id": {tenant}})
			if a.Data["tenant"] != tenant || !slices.Equal(a.header.Values("Set-Cookie"), []string{"b=" + tenant + "; Path=/"}) {
				t.Errorf("tenant %s got %s with Set-Cookie %q", tenant, a.raw, a.header.Values("Set-Cookie"))
			}
		})
	}
	wg.Wait()
	if n := len(subs["b"].Headers()); n != callers {
		t.Errorf("subgraph got %d requests for %d callers whose response headers it answers: want one each", n, callers)
	}
}

func TestEdgeConfigValidate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		cfg  Config
		want string
	}{
		{Config{Subgraphs: []Subgraph{{Name: "a", URL: "http://127.0.0.1:1"}}, Headers: headers.Config{Subgraphs: map[string]headers.Rules{"nope": {}}}},
			`config: headers.subgraphs.nope: no subgraph is named "nope"`},
		{Config{SupergraphSDL: "x", Headers: headers.Config{All: headers.Rules{Request: []headers.RequestRule{{Insert: &headers.Insert{Name: "Content-Length", Value: "1"}}}}}},
			"config: headers.all.request[0].insert.name: Content-Length"},
		{Config{SupergraphSDL: "x", JWT: JWT{Required: true}}, "jwt.required, jwt.issuer and jwt.audiences need jwt.jwksURL"},
		{Config{SupergraphSDL: "x", JWT: JWT{JWKSURL: "ftp://keys"}}, "config: jwt.jwksURL"},
		{Config{SupergraphSDL: "x", JWT: JWT{JWKSURL: "http://k", HeaderName: "Content-Type"}}, "config: jwt.headerName"},
		{Config{SupergraphSDL: "x", JWT: JWT{JWKSURL: "http://k", Prefix: "Bearer token"}}, "config: jwt.prefix"},
		{Config{SupergraphSDL: "x", JWT: JWT{JWKSURL: "http://k", Audiences: []string{""}}}, "config: jwt.audiences[0] is empty"},
		{Config{SupergraphSDL: "x", JWT: JWT{JWKSURL: "http://k", Leeway: -time.Second}}, "config: jwt.leeway"},
	} {
		err := tc.cfg.Validate()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("error = %v, want it to contain %q", err, tc.want)
		}
	}
}
