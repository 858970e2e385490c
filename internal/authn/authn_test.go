package authn_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/shopgraph/shopgraph/internal/authn"
	"github.com/shopgraph/shopgraph/internal/authn/authntest"
)

// clock is a settable clock for the verifier.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func newVerifier(t testing.TB, cfg authn.Config) *authn.Verifier {
	t.Helper()
	v, err := authn.NewVerifier(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func claimsAt(now time.Time, sub string) jwt.MapClaims {
	return jwt.MapClaims{
		"sub":   sub,
		"iss":   "https://users.shopgraph.test",
		"aud":   []string{"shopgraph-router"},
		"iat":   now.Unix(),
		"exp":   now.Add(time.Hour).Unix(),
		"role":  "CUSTOMER",
		"scope": "orders:read cart:write",
	}
}

func with(c jwt.MapClaims, k string, v any) jwt.MapClaims {
	out := jwt.MapClaims{}
	for kk, vv := range c {
		out[kk] = vv
	}
	if v == nil {
		delete(out, k)
	} else {
		out[k] = v
	}
	return out
}

func TestVerify(t *testing.T) {
	t.Parallel()
	clk := &clock{t: time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)}
	now := clk.Now()
	es := authntest.NewKey(t, "es-1", "ES256")
	ed := authntest.NewKey(t, "ed-1", "EdDSA")
	other := authntest.NewKey(t, "other", "ES256") // not in the JWKS
	jwks := authntest.Serve(t, es, ed)
	v := newVerifier(t, authn.Config{
		JWKSURL:   jwks.URL,
		Issuer:    "https://users.shopgraph.test",
		Audiences: []string{"shopgraph-router", "other-aud"},
		Now:       clk.Now,
	})
	good := claimsAt(now, "user-1")
	for _, tc := range []struct {
		name  string
		token string
		want  string // "" accepts
	}{
		{"ES256 valid", es.Sign(t, good), ""},
		{"EdDSA valid", ed.Sign(t, good), ""},
		{"expired within leeway", es.Sign(t, with(good, "exp", now.Add(-10*time.Second).Unix())), ""},
		{"audience as a string", es.Sign(t, with(good, "aud", "other-aud")), ""},
		{"forged signature", other.SignAs(t, "es-1", good), "invalid token signature"},
		{"unknown kid", other.Sign(t, good), `unknown signing key "other"`},
		{"expired", es.Sign(t, with(good, "exp", now.Add(-time.Minute).Unix())), "token expired"},
		{"no exp", es.Sign(t, with(good, "exp", nil)), "token lacks the required claim exp"},
		{"not valid yet", es.Sign(t, with(good, "nbf", now.Add(time.Minute).Unix())), "token not valid yet"},
		{"issued in the future", es.Sign(t, with(good, "iat", now.Add(time.Hour).Unix())), "token issued in the future"},
		{"wrong issuer", es.Sign(t, with(good, "iss", "https://evil.test")), "token issuer not accepted"},
		{"no issuer", es.Sign(t, with(good, "iss", nil)), "token lacks the required claim iss"},
		{"no audience", es.Sign(t, with(good, "aud", nil)), "token lacks the required claim aud"},
		{"wrong audience", es.Sign(t, with(good, "aud", "someone-else")), "token audience not accepted"},
		{"alg none", authntest.Unsigned(t, "es-1", good), `algorithm "none" is not accepted`},
		{"HMAC with the public key", authntest.HMACWithPublicKey(t, es, good), `algorithm "HS256" is not accepted`},
		{"algorithm of another key type", ed.SignAs(t, "es-1", good), `algorithm EdDSA is not allowed for signing key "es-1"`},
		{"malformed", "not.a.token", "malformed token"},
		{"no kid with several keys", es.SignAs(t, "", good), "token has no kid"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := v.Verify(context.Background(), tc.token)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if p.Subject != "user-1" || p.Role != "CUSTOMER" || !reflect.DeepEqual(p.Scopes, []string{"orders:read", "cart:write"}) || p.Issuer != "https://users.shopgraph.test" {
					t.Errorf("principal = %+v", p)
				}
				return
			}
			var ae *authn.Error
			if !errors.As(err, &ae) {
				t.Fatalf("error = %v (%T), want *authn.Error containing %q", err, err, tc.want)
			}
			if !strings.Contains(ae.Error(), tc.want) {
				t.Errorf("error = %q, want it to contain %q", ae.Error(), tc.want)
			}
			for _, part := range strings.Split(tc.token, ".") {
				if len(part) > 8 && strings.Contains(ae.Error(), part) {
					t.Errorf("error %q leaks the token", ae.Error())
				}
			}
		})
	}
}

func TestVerifyWithoutIssuerAndAudienceChecks(t *testing.T) {
	t.Parallel()
	k := authntest.NewKey(t, "k", "ES256")
	jwks := authntest.Serve(t, k)
	v := newVerifier(t, authn.Config{JWKSURL: jwks.URL})
	c := with(with(claimsAt(time.Now(), "u"), "iss", "anyone"), "aud", nil)
	if _, err := v.Verify(context.Background(), k.Sign(t, c)); err != nil {
		t.Fatalf("refused: %v", err)
	}
	// A set of one key verifies a token without kid.
	if _, err := v.Verify(context.Background(), k.SignAs(t, "", c)); err != nil {
		t.Fatalf("no-kid token refused: %v", err)
	}
}

// TestUnknownKidRefreshIsRateLimited: a flood of tokens naming unknown kids
// makes one JWKS fetch per MinRefreshInterval, not one each.
func TestUnknownKidRefreshIsRateLimited(t *testing.T) {
	t.Parallel()
	clk := &clock{t: time.Now()}
	k := authntest.NewKey(t, "k1", "ES256")
	forger := authntest.NewKey(t, "", "ES256")
	jwks := authntest.Serve(t, k)
	v := newVerifier(t, authn.Config{JWKSURL: jwks.URL, Now: clk.Now, MinRefreshInterval: 5 * time.Second})
	ctx := context.Background()
	if _, err := v.Verify(ctx, k.Sign(t, claimsAt(clk.Now(), "u"))); err != nil {
		t.Fatal(err)
	}
	if n := jwks.Hits(); n != 1 {
		t.Fatalf("JWKS fetched %d times for the first token, want 1", n)
	}
	// Within the interval of the first fetch: no fetch at all.
	if _, err := v.Verify(ctx, forger.SignAs(t, "forged-0", claimsAt(clk.Now(), "u"))); err == nil || !strings.Contains(err.Error(), "unknown signing key") {
		t.Fatalf("forged kid: %v", err)
	}
	if n := jwks.Hits(); n != 1 {
		t.Fatalf("JWKS fetched %d times, want 1 (rate limited)", n)
	}
	clk.Advance(6 * time.Second)
	var wg sync.WaitGroup
	errs := make([]error, 50)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = v.Verify(ctx, forger.SignAs(t, "forged-"+string(rune('a'+i%26))+string(rune('a'+i/26)), claimsAt(clk.Now(), "u")))
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err == nil || !strings.Contains(err.Error(), "unknown signing key") {
			t.Errorf("forged kid: %v", err)
		}
	}
	if n := jwks.Hits(); n != 2 {
		t.Errorf("JWKS fetched %d times after 50 forged kids, want 2 (one refresh)", n)
	}
	// The known key still verifies without any fetch.
	if _, err := v.Verify(ctx, k.Sign(t, claimsAt(clk.Now(), "u"))); err != nil {
		t.Fatal(err)
	}
	if n := jwks.Hits(); n != 2 {
		t.Errorf("JWKS fetched %d times, want 2", n)
	}
}

func TestKeyRotation(t *testing.T) {
	t.Parallel()
	clk := &clock{t: time.Now()}
	old := authntest.NewKey(t, "2026-11", "ES256")
	next := authntest.NewKey(t, "2026-12", "EdDSA")
	jwks := authntest.Serve(t, old)
	v := newVerifier(t, authn.Config{JWKSURL: jwks.URL, Now: clk.Now})
	ctx := context.Background()
	if _, err := v.Verify(ctx, old.Sign(t, claimsAt(clk.Now(), "u"))); err != nil {
		t.Fatal(err)
	}
	jwks.SetKeys(next)
	clk.Advance(10 * time.Second)
	p, err := v.Verify(ctx, next.Sign(t, claimsAt(clk.Now(), "rotated")))
	if err != nil {
		t.Fatalf("token of the new key refused: %v", err)
	}
	if p.Subject != "rotated" || jwks.Hits() != 2 {
		t.Errorf("subject %q, JWKS fetched %d times (want 2)", p.Subject, jwks.Hits())
	}
	if _, err := v.Verify(ctx, old.Sign(t, claimsAt(clk.Now(), "u"))); err == nil || !strings.Contains(err.Error(), "unknown signing key") {
		t.Errorf("token of the retired key: %v, want unknown signing key", err)
	}
}

func TestOldKeysRefreshedInBackground(t *testing.T) {
	t.Parallel()
	clk := &clock{t: time.Now()}
	k := authntest.NewKey(t, "k", "ES256")
	jwks := authntest.Serve(t, k)
	v := newVerifier(t, authn.Config{JWKSURL: jwks.URL, Now: clk.Now, RefreshInterval: time.Minute})
	ctx := context.Background()
	for range 3 {
		if _, err := v.Verify(ctx, k.Sign(t, claimsAt(clk.Now(), "u"))); err != nil {
			t.Fatal(err)
		}
	}
	if n := jwks.Hits(); n != 1 {
		t.Fatalf("JWKS fetched %d times, want 1", n)
	}
	clk.Advance(2 * time.Minute)
	if _, err := v.Verify(ctx, k.Sign(t, claimsAt(clk.Now(), "u"))); err != nil {
		t.Fatalf("old but known key refused: %v", err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for jwks.Hits() < 2 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if n := jwks.Hits(); n != 2 {
		t.Errorf("JWKS fetched %d times after the keys grew old, want 2", n)
	}
}

func TestJWKSUnavailable(t *testing.T) {
	t.Parallel()
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "down", http.StatusBadGateway)
	}))
	t.Cleanup(down.Close)
	k := authntest.NewKey(t, "k", "ES256")
	v := newVerifier(t, authn.Config{JWKSURL: down.URL})
	_, err := v.Verify(context.Background(), k.Sign(t, claimsAt(time.Now(), "u")))
	if !errors.Is(err, authn.ErrKeysUnavailable) || !strings.Contains(err.Error(), "signing keys are unavailable") {
		t.Errorf("error = %v, want ErrKeysUnavailable", err)
	}
}

func TestNewVerifierNeedsAnHTTPURL(t *testing.T) {
	t.Parallel()
	for _, u := range []string{"", "file:///etc/jwks.json", "users:4003/jwks"} {
		if _, err := authn.NewVerifier(authn.Config{JWKSURL: u}); err == nil {
			t.Errorf("JWKSURL %q accepted", u)
		}
	}
}

func TestTokenFromHeader(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		value, prefix string
		token         string
		ok            bool
		err           string
	}{
		{"", "Bearer", "", false, ""},
		{"Bearer abc.def.ghi", "Bearer", "abc.def.ghi", true, ""},
		{"bearer  abc", "Bearer", "abc", true, ""},
		{"Basic dXNlcg==", "Bearer", "", true, "not a Bearer token"},
		{"Bearer ", "Bearer", "", true, "not a Bearer token"},
		{"Bearer", "Bearer", "", true, "not a Bearer token"},
		{"raw-token", "", "raw-token", true, ""},
	} {
		h := http.Header{}
		if tc.value != "" {
			h.Set("Authorization", tc.value)
		}
		tok, ok, err := authn.TokenFromHeader(h, "authorization", tc.prefix)
		if tok != tc.token || ok != tc.ok || (err == nil) != (tc.err == "") || (err != nil && !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("%q: got (%q, %v, %v), want (%q, %v, %q)", tc.value, tok, ok, err, tc.token, tc.ok, tc.err)
		}
	}
}

func TestPrincipalContext(t *testing.T) {
	t.Parallel()
	if _, ok := authn.FromContext(context.Background()); ok {
		t.Error("principal in an empty context")
	}
	ctx := authn.NewContext(context.Background(), &authn.Principal{Subject: "u"})
	if p, ok := authn.FromContext(ctx); !ok || p.Subject != "u" {
		t.Errorf("FromContext = %v, %v", p, ok)
	}
}
