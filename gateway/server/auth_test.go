package server

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/shopgraph/shopgraph/gateway/compose"
	"github.com/shopgraph/shopgraph/gateway/internal/testsubgraph"
	"github.com/shopgraph/shopgraph/internal/authn"
	"github.com/shopgraph/shopgraph/internal/authn/authntest"
)

const (
	testIssuer   = "https://users.shopgraph.test"
	testAudience = "shopgraph-router"
)

// edgeSubgraph is a test subgraph to serve with recorded headers; respond
// gives the headers it adds to its responses.
type edgeSubgraph struct {
	sg      *testsubgraph.Subgraph
	respond func(*http.Request) http.Header
}

// startEdgeRouter serves the subgraphs, composes them and serves a router
// with cfg over real HTTP; it returns the router's URL and the subgraphs by name.
func startEdgeRouter(t *testing.T, cfg Config, subs ...edgeSubgraph) (string, map[string]*testsubgraph.HeaderServer) {
	t.Helper()
	servers := map[string]*testsubgraph.HeaderServer{}
	var in []compose.Subgraph
	for _, s := range subs {
		srv := testsubgraph.StartWithHeaders(t, s.sg, s.respond)
		servers[s.sg.Name] = srv
		in = append(in, compose.Subgraph{Name: s.sg.Name, URL: srv.URL, SDL: s.sg.SDL})
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
	srv := httptest.NewServer(edgeHandler(s))
	t.Cleanup(srv.Close)
	return srv.URL, servers
}

// edgeHandler is the router's handler behind authenticate, which serveGraphQL
// is to call itself (authenticate does nothing the second time).
func edgeHandler(s *Server) http.Handler {
	h := s.Handler()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/graphql" && r.Method != http.MethodOptions {
			var ok bool
			if w, r, ok = s.authenticate(w, r, mediaJSON); !ok {
				return
			}
		}
		h.ServeHTTP(w, r)
	})
}

type gqlAnswer struct {
	status int
	header http.Header
	raw    string
	Data   map[string]any `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
}

// postEdge posts query to the router at url with header.
func postEdge(t *testing.T, url, query string, header http.Header) gqlAnswer {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"query": query})
	req, err := http.NewRequest(http.MethodPost, url+"/graphql", strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	for k, vs := range header {
		req.Header[k] = vs
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Error(err)
		return gqlAnswer{}
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	a := gqlAnswer{status: resp.StatusCode, header: resp.Header, raw: string(raw)}
	if err := json.Unmarshal(raw, &a); err != nil {
		t.Errorf("answer is not JSON: %v: %s", err, raw)
	}
	return a
}

func bearer(token string) http.Header { return http.Header{"Authorization": {"Bearer " + token}} }

func userClaims(sub string) jwt.MapClaims {
	now := time.Now()
	return jwt.MapClaims{"sub": sub, "iss": testIssuer, "aud": testAudience, "iat": now.Unix(), "exp": now.Add(time.Hour).Unix(), "role": "CUSTOMER"}
}

func withClaim(c jwt.MapClaims, k string, v any) jwt.MapClaims {
	out := jwt.MapClaims{}
	for kk, vv := range c {
		out[kk] = vv
	}
	out[k] = v
	return out
}

// whoamiOf is what the WhoAmI subgraph answers for a token.
func whoamiOf(token string) string {
	if len(token) > 16 {
		token = token[len(token)-16:]
	}
	return "caller:" + token
}

func TestJWTAtTheEdge(t *testing.T) {
	t.Parallel()
	key := authntest.NewKey(t, "k1", "ES256")
	other := authntest.NewKey(t, "k2", "ES256")
	jwks := authntest.Serve(t, key)
	url, subs := startEdgeRouter(t, Config{JWT: JWT{JWKSURL: jwks.URL, Issuer: testIssuer, Audiences: []string{testAudience}}},
		edgeSubgraph{sg: testsubgraph.WhoAmI("a", 0)})
	good := key.Sign(t, userClaims("user-1"))
	for _, tc := range []struct {
		name      string
		header    http.Header
		want      string // whoami, or "" when refused
		challenge string // WWW-Authenticate of a refusal
		message   string
	}{
		{"no token", nil, "anonymous", "", ""},
		{"valid token", bearer(good), whoamiOf(good), "", ""},
		{"forged signature", bearer(other.SignAs(t, "k1", userClaims("user-1"))), "", `Bearer error="invalid_token"`, "invalid token signature"},
		{"unknown kid", bearer(other.Sign(t, userClaims("user-1"))), "", `Bearer error="invalid_token"`, `unknown signing key "k2"`},
		{"expired", bearer(key.Sign(t, withClaim(userClaims("user-1"), "exp", time.Now().Add(-time.Hour).Unix()))), "", `Bearer error="invalid_token"`, "token expired"},
		{"wrong issuer", bearer(key.Sign(t, withClaim(userClaims("user-1"), "iss", "https://evil.test"))), "", `Bearer error="invalid_token"`, "token issuer not accepted"},
		{"wrong audience", bearer(key.Sign(t, withClaim(userClaims("user-1"), "aud", "someone-else"))), "", `Bearer error="invalid_token"`, "token audience not accepted"},
		{"alg none", bearer(authntest.Unsigned(t, "k1", userClaims("admin"))), "", `Bearer error="invalid_token"`, `algorithm "none" is not accepted`},
		{"HMAC with the public key", bearer(authntest.HMACWithPublicKey(t, key, userClaims("admin"))), "", `Bearer error="invalid_token"`, `algorithm "HS256" is not accepted`},
		{"not a token", bearer("garbage"), "", `Bearer error="invalid_token"`, "malformed token"},
		{"another scheme", http.Header{"Authorization": {"Basic dXNlcjpwdw=="}}, "", `Bearer error="invalid_request"`, "not a Bearer token"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := len(subs["a"].Headers())
			a := postEdge(t, url, `{ whoami }`, tc.header)
			if tc.want != "" {
				if a.status != http.StatusOK || a.Data["whoami"] != tc.want {
					t.Fatalf("status %d, body %s; want whoami %q", a.status, a.raw, tc.want)
				}
				got := subs["a"].Headers()
				if len(got) != before+1 || got[len(got)-1].Get("Authorization") != tc.header.Get("Authorization") {
					t.Errorf("the subgraph did not receive the client's Authorization")
				}
				return
			}
			if a.status != http.StatusUnauthorized {
				t.Fatalf("status %d, want 401: %s", a.status, a.raw)
			}
			if c := a.header.Get("WWW-Authenticate"); !strings.HasPrefix(c, tc.challenge) {
				t.Errorf("WWW-Authenticate = %q, want prefix %q", c, tc.challenge)
			}
			if len(a.Errors) != 1 || a.Errors[0].Extensions["code"] != "UNAUTHENTICATED" || !strings.Contains(a.Errors[0].Message, tc.message) {
				t.Errorf("errors = %s, want one UNAUTHENTICATED error saying %q", a.raw, tc.message)
			}
			token := strings.TrimPrefix(tc.header.Get("Authorization"), "Bearer ")
			for _, part := range strings.Split(token, ".") {
				if len(part) > 8 && (strings.Contains(a.raw, part) || strings.Contains(a.header.Get("WWW-Authenticate"), part)) {
					t.Errorf("the answer leaks the token: %s", a.raw)
				}
			}
			if n := len(subs["a"].Headers()); n != before {
				t.Errorf("a refused request reached the subgraph")
			}
		})
	}
}

func TestJWTRequired(t *testing.T) {
	t.Parallel()
	key := authntest.NewKey(t, "k1", "EdDSA")
	jwks := authntest.Serve(t, key)
	url, _ := startEdgeRouter(t, Config{JWT: JWT{JWKSURL: jwks.URL, Required: true}}, edgeSubgraph{sg: testsubgraph.WhoAmI("a", 0)})
	a := postEdge(t, url, `{ whoami }`, nil)
	if a.status != http.StatusUnauthorized || a.header.Get("WWW-Authenticate") != "Bearer" || len(a.Errors) != 1 ||
		a.Errors[0].Extensions["code"] != "UNAUTHENTICATED" || !strings.Contains(a.Errors[0].Message, "authentication required") {
		t.Errorf("no token: status %d, WWW-Authenticate %q, %s", a.status, a.header.Get("WWW-Authenticate"), a.raw)
	}
	token := key.Sign(t, userClaims("u"))
	if a := postEdge(t, url, `{ whoami }`, bearer(token)); a.status != http.StatusOK || a.Data["whoami"] != whoamiOf(token) {
		t.Errorf("valid token: status %d, %s", a.status, a.raw)
	}
}

// TestJWTUnknownKidAndRotation: an unknown kid makes one JWKS fetch, however
// many requests carry it, and is refused; a key added to the JWKS is accepted
// after that fetch.
func TestJWTUnknownKidAndRotation(t *testing.T) {
	t.Parallel()
	const interval = 300 * time.Millisecond
	oldKey := authntest.NewKey(t, "2026-11", "ES256")
	newKey := authntest.NewKey(t, "2026-12", "EdDSA")
	jwks := authntest.Serve(t, oldKey)
	url, _ := startEdgeRouter(t, Config{JWT: JWT{JWKSURL: jwks.URL, MinRefreshInterval: interval}}, edgeSubgraph{sg: testsubgraph.WhoAmI("a", 0)})
	if a := postEdge(t, url, `{ whoami }`, bearer(oldKey.Sign(t, userClaims("u")))); a.status != http.StatusOK {
		t.Fatalf("valid token: %d %s", a.status, a.raw)
	}
	if n := jwks.Hits(); n != 1 {
		t.Fatalf("JWKS fetched %d times, want 1", n)
	}
	time.Sleep(interval + 50*time.Millisecond)
	forged := bearer(newKey.Sign(t, userClaims("u"))) // its kid is not published yet
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			if a := postEdge(t, url, `{ whoami }`, forged); a.status != http.StatusUnauthorized || !strings.Contains(a.raw, `unknown signing key \"2026-12\"`) {
				t.Errorf("unknown kid: %d %s", a.status, a.raw)
			}
		})
	}
	wg.Wait()
	if n := jwks.Hits(); n != 2 {
		t.Errorf("JWKS fetched %d times after 10 requests with an unknown kid, want 2", n)
	}
	jwks.SetKeys(oldKey, newKey)
	if a := postEdge(t, url, `{ whoami }`, forged); a.status != http.StatusUnauthorized {
		t.Errorf("within the refresh interval the new kid was accepted: %d %s", a.status, a.raw)
	}
	time.Sleep(interval + 50*time.Millisecond)
	token := newKey.Sign(t, userClaims("rotated"))
	if a := postEdge(t, url, `{ whoami }`, bearer(token)); a.status != http.StatusOK || a.Data["whoami"] != whoamiOf(token) {
		t.Errorf("new key after rotation: %d %s", a.status, a.raw)
	}
	if n := jwks.Hits(); n != 3 {
		t.Errorf("JWKS fetched %d times, want 3", n)
	}
}

func TestJWKSUnavailableIs503(t *testing.T) {
	t.Parallel()
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "down", http.StatusInternalServerError)
	}))
	t.Cleanup(down.Close)
	key := authntest.NewKey(t, "k1", "ES256")
	url, _ := startEdgeRouter(t, Config{JWT: JWT{JWKSURL: down.URL}}, edgeSubgraph{sg: testsubgraph.WhoAmI("a", 0)})
	a := postEdge(t, url, `{ whoami }`, bearer(key.Sign(t, userClaims("u"))))
	if a.status != http.StatusServiceUnavailable || len(a.Errors) != 1 || a.Errors[0].Extensions["code"] != "SERVICE_UNAVAILABLE" {
		t.Errorf("status %d: %s", a.status, a.raw)
	}
}

func TestPrincipalInContext(t *testing.T) {
	t.Parallel()
	key := authntest.NewKey(t, "k1", "ES256")
	jwks := authntest.Serve(t, key)
	s, err := New(Config{SupergraphSDL: helloSupergraph("http://127.0.0.1:1"), JWT: JWT{JWKSURL: jwks.URL}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest(http.MethodPost, "/graphql", nil)
	r.Header.Set("Authorization", "Bearer "+key.Sign(t, withClaim(userClaims("user-42"), "scope", "orders:read")))
	ctx, ae := s.prepareRequest(r)
	if ae != nil {
		t.Fatal(ae.message)
	}
	p, ok := authn.FromContext(ctx)
	if !ok || p.Subject != "user-42" || p.Role != "CUSTOMER" || len(p.Scopes) != 1 || p.Scopes[0] != "orders:read" {
		t.Errorf("principal = %+v, %v", p, ok)
	}
}

// TestDedupeNeverMixesCallers sends the same query concurrently with the tokens
// of two users, many times, through a real router with de-duplication on, to a
// subgraph that answers who called it: each caller must get its own answer,
// while the requests of one user are still shared.
func TestDedupeNeverMixesCallers(t *testing.T) {
	t.Parallel()
	key := authntest.NewKey(t, "k1", "ES256")
	jwks := authntest.Serve(t, key)
	url, subs := startEdgeRouter(t, Config{JWT: JWT{JWKSURL: jwks.URL}}, edgeSubgraph{sg: testsubgraph.WhoAmI("a", 20*time.Millisecond)})
	tokens := []string{key.Sign(t, userClaims("alice")), key.Sign(t, userClaims("bob"))}
	const rounds, perUser = 10, 4
	for round := range rounds {
		var wg sync.WaitGroup
		for _, tok := range tokens {
			for range perUser {
				wg.Go(func() {
					a := postEdge(t, url, `{ whoami }`, bearer(tok))
					if a.status != http.StatusOK || a.Data["whoami"] != whoamiOf(tok) {
						t.Errorf("round %d: got %d %s, want whoami %q", round, a.status, a.raw, whoamiOf(tok))
					}
				})
			}
		}
		wg.Wait()
	}
	hits := len(subs["a"].Headers())
	if hits < rounds*len(tokens) {
		t.Errorf("the subgraph got %d requests for %d rounds of %d users: some were shared across users", hits, rounds, len(tokens))
	}
	if hits == rounds*len(tokens)*perUser {
		t.Logf("no request was shared (%d): de-duplication did not overlap this time", hits)
	}
}

// TestCallerKey: the run key tells callers apart by the headers sent and by
// the principal, even when no header carries the identity to the subgraphs.
func TestCallerKey(t *testing.T) {
	t.Parallel()
	s, err := New(Config{SupergraphSDL: helloSupergraph("http://127.0.0.1:1")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	p, _, err := s.state.Load().planner.Plan(`{ hello }`, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	keyOf := func(h http.Header, sub string) string {
		t.Helper()
		r := httptest.NewRequest(http.MethodPost, "/graphql", nil)
		r.Header = h
		ctx, ae := s.prepareRequest(r)
		if ae != nil {
			t.Fatal(ae.message)
		}
		if sub != "" {
			er := ctx.Value(edgeKey{}).(*edgeRequest)
			er.principal = &authn.Principal{Subject: sub}
		}
		k, ok := callerKey(ctx, p)
		if !ok {
			t.Fatal("not shareable")
		}
		return k
	}
	keys := map[string]string{}
	for name, k := range map[string]string{
		"anonymous":  keyOf(http.Header{}, ""),
		"token 1":    keyOf(bearer("1"), ""),
		"token 2":    keyOf(bearer("2"), ""),
		"token 1 u1": keyOf(bearer("1"), "u1"),
		"token 1 u2": keyOf(bearer("1"), "u2"),
		"only u2":    keyOf(http.Header{}, "u2"),
	} {
		if other, dup := keys[k]; dup {
			t.Errorf("%s and %s have the same key %q", name, other, k)
		}
		keys[k] = name
	}
	if a, b := keyOf(bearer("1"), ""), keyOf(http.Header{"Authorization": {"Bearer 1"}, "X-Not-Propagated": {"x"}}, ""); a != b {
		t.Errorf("a header no rule sends split the key: %q != %q", a, b)
	}
}
