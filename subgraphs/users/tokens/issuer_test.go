package tokens_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/shopgraph/shopgraph/internal/authn"
	"github.com/shopgraph/shopgraph/subgraphs/users/tokens"
)

const (
	testIssuer   = "https://users.shopgraph.test"
	testAudience = "shopgraph-router"
)

// verifierFor verifies with ks's JWKS given statically, as the users service
// does for its own tokens.
func verifierFor(t *testing.T, ks *tokens.KeySet, now func() time.Time) *authn.Verifier {
	t.Helper()
	v, err := authn.NewVerifier(authn.Config{StaticJWKS: ks.JWKS(), Issuer: testIssuer, Audiences: []string{testAudience}, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func issuer(ks *tokens.KeySet, now func() time.Time) *tokens.Issuer {
	return &tokens.Issuer{Keys: ks, Issuer: testIssuer, Audience: testAudience, Now: now}
}

func issue(t *testing.T, i *tokens.Issuer, c tokens.AccessClaims) (string, time.Time) {
	t.Helper()
	tok, exp, err := i.Issue(c)
	if err != nil {
		t.Fatal(err)
	}
	return tok, exp
}

// segment decodes part n (0 header, 1 claims) of token as JSON.
func segment(t *testing.T, token string, n int) map[string]any {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(strings.Split(token, ".")[n])
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]any{}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func refusal(t *testing.T, err error) string {
	t.Helper()
	var ae *authn.Error
	if !errors.As(err, &ae) {
		t.Fatalf("error = %v (%T), want *authn.Error", err, err)
	}
	return ae.Reason
}

func TestIssueRoundTrip(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 1, 12, 0, 0, 500e6, time.UTC)
	clock := func() time.Time { return now }
	for _, tc := range []struct {
		name string
		pem  []byte
		alg  string
	}{
		{"Ed25519", ed25519PEM(t), "EdDSA"},
		{"P-256", sec1PEM(t, p256Key(t)), "ES256"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ks := parse(t, tc.pem)
			tok, exp := issue(t, issuer(ks, clock), tokens.AccessClaims{Subject: "user-42", Role: "ADMIN", SessionID: "sess-9"})
			if want := time.Date(2026, 12, 1, 12, 15, 0, 0, time.UTC); !exp.Equal(want) {
				t.Errorf("expiresAt = %v, want %v (default TTL, whole seconds)", exp, want)
			}
			p, err := verifierFor(t, ks, clock).Verify(context.Background(), tok)
			if err != nil {
				t.Fatalf("refused: %v", err)
			}
			if p.Subject != "user-42" || p.Role != "ADMIN" || p.Issuer != testIssuer || len(p.Audience) != 1 || p.Audience[0] != testAudience || !p.ExpiresAt.Equal(exp) || p.Claims["sid"] != "sess-9" {
				t.Errorf("principal = %+v", p)
			}

			hdr := segment(t, tok, 0)
			if len(hdr) != 3 || hdr["alg"] != tc.alg || hdr["typ"] != "JWT" || hdr["kid"] != ks.Kids()[0] {
				t.Errorf("header = %v", hdr)
			}
			claims := segment(t, tok, 1)
			for _, name := range []string{"sub", "role", "sid", "iss", "aud", "iat", "exp", "jti"} {
				if _, ok := claims[name]; !ok {
					t.Errorf("claim %s missing: %v", name, claims)
				}
			}
			if len(claims) != 8 {
				t.Errorf("claims = %v, want exactly sub role sid iss aud iat exp jti", claims)
			}
			if claims["aud"] != testAudience {
				t.Errorf("aud = %#v, want a single string", claims["aud"])
			}
			if claims["iat"] != float64(now.Unix()) {
				t.Errorf("iat = %v, want %d", claims["iat"], now.Unix())
			}
			if jti, _ := claims["jti"].(string); len(jti) != 22 {
				t.Errorf("jti %q is not 16 bytes base64url", jti)
			}
		})
	}
}

func TestIssueOmitsEmptySessionAndVariesJTI(t *testing.T) {
	t.Parallel()
	i := issuer(parse(t, ed25519PEM(t)), nil)
	a, _ := issue(t, i, tokens.AccessClaims{Subject: "u", Role: "CUSTOMER"})
	b, _ := issue(t, i, tokens.AccessClaims{Subject: "u", Role: "CUSTOMER"})
	ca, cb := segment(t, a, 1), segment(t, b, 1)
	if _, ok := ca["sid"]; ok {
		t.Errorf("sid present without a session: %v", ca)
	}
	if ca["jti"] == cb["jti"] {
		t.Errorf("two tokens share jti %v", ca["jti"])
	}
}

func TestIssueIsCheckedForIssuerAndAudience(t *testing.T) {
	t.Parallel()
	ks := parse(t, ed25519PEM(t))
	v := verifierFor(t, ks, nil)
	for _, tc := range []struct {
		name     string
		issuer   string
		audience string
		want     string
	}{
		{"other issuer", "https://evil.test", testAudience, "token issuer not accepted"},
		{"other audience", testIssuer, "someone-else", "token audience not accepted"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tok, _ := issue(t, &tokens.Issuer{Keys: ks, Issuer: tc.issuer, Audience: tc.audience}, tokens.AccessClaims{Subject: "u"})
			_, err := v.Verify(context.Background(), tok)
			if r := refusal(t, err); r != tc.want {
				t.Errorf("reason %q, want %q", r, tc.want)
			}
		})
	}
}

func TestIssuedTokenExpires(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	now := start
	clock := func() time.Time { return now }
	ks := parse(t, ed25519PEM(t))
	i := issuer(ks, clock)
	i.TTL = 10 * time.Minute
	tok, exp := issue(t, i, tokens.AccessClaims{Subject: "u"})
	if !exp.Equal(start.Add(10 * time.Minute)) {
		t.Fatalf("expiresAt = %v", exp)
	}
	v := verifierFor(t, ks, clock) // default leeway 30 s
	for _, tc := range []struct {
		at   time.Duration
		want string
	}{
		{0, ""},
		{9 * time.Minute, ""},
		{10*time.Minute + 20*time.Second, ""}, // within leeway
		{11 * time.Minute, "token expired"},
	} {
		now = start.Add(tc.at)
		_, err := v.Verify(context.Background(), tok)
		if tc.want == "" {
			if err != nil {
				t.Errorf("at +%v: refused: %v", tc.at, err)
			}
			continue
		}
		if r := refusal(t, err); r != tc.want {
			t.Errorf("at +%v: reason %q, want %q", tc.at, r, tc.want)
		}
	}
}

func TestRotation(t *testing.T) {
	t.Parallel()
	oldPEM, newPEM := ed25519PEM(t), sec1PEM(t, p256Key(t))
	old, next := parse(t, oldPEM), parse(t, newPEM)
	rotating := parse(t, newPEM, oldPEM)
	byOld, _ := issue(t, issuer(old, nil), tokens.AccessClaims{Subject: "before"})
	byRotating, _ := issue(t, issuer(rotating, nil), tokens.AccessClaims{Subject: "during"})

	if kid := segment(t, byRotating, 0)["kid"]; kid != next.Kids()[0] {
		t.Errorf("[new, old] signed with kid %v, want the new key's %q", kid, next.Kids()[0])
	}
	if got := rotating.Kids(); len(got) != 2 || got[0] != next.Kids()[0] || got[1] != old.Kids()[0] {
		t.Errorf("kids of [new, old] = %v", got)
	}
	during := verifierFor(t, rotating, nil)
	for _, tok := range []string{byOld, byRotating} {
		if _, err := during.Verify(context.Background(), tok); err != nil {
			t.Errorf("[new, old] refused a token: %v", err)
		}
	}
	after := verifierFor(t, next, nil)
	if _, err := after.Verify(context.Background(), byRotating); err != nil {
		t.Errorf("[new] refused a token of the new key: %v", err)
	}
	_, err := after.Verify(context.Background(), byOld)
	if r := refusal(t, err); !strings.HasPrefix(r, "unknown signing key") {
		t.Errorf("[new] on a token of the old key: %q, want unknown signing key", r)
	}
}

// TestJWKSServedToARemoteVerifier: what the handler serves is what a verifier
// elsewhere (the router) fetches and accepts.
func TestJWKSServedToARemoteVerifier(t *testing.T) {
	t.Parallel()
	ks := parse(t, ed25519PEM(t), sec1PEM(t, p256Key(t)))
	srv := httptest.NewServer(ks.JWKSHandler())
	t.Cleanup(srv.Close)
	v, err := authn.NewVerifier(authn.Config{JWKSURL: srv.URL + tokens.JWKSPath, Issuer: testIssuer, Audiences: []string{testAudience}})
	if err != nil {
		t.Fatal(err)
	}
	tok, _ := issue(t, issuer(ks, nil), tokens.AccessClaims{Subject: "remote", Role: "CUSTOMER"})
	if p, err := v.Verify(context.Background(), tok); err != nil || p.Subject != "remote" {
		t.Fatalf("Verify = %+v, %v", p, err)
	}
}

func TestIssueRefusesBadConfig(t *testing.T) {
	t.Parallel()
	ks := parse(t, ed25519PEM(t))
	for _, tc := range []struct {
		name string
		i    tokens.Issuer
		c    tokens.AccessClaims
		want string
	}{
		{"no keys", tokens.Issuer{Issuer: testIssuer, Audience: testAudience}, tokens.AccessClaims{Subject: "u"}, "Keys is empty"},
		{"no issuer", tokens.Issuer{Keys: ks, Audience: testAudience}, tokens.AccessClaims{Subject: "u"}, "required"},
		{"no audience", tokens.Issuer{Keys: ks, Issuer: testIssuer}, tokens.AccessClaims{Subject: "u"}, "required"},
		{"negative TTL", tokens.Issuer{Keys: ks, Issuer: testIssuer, Audience: testAudience, TTL: -time.Second}, tokens.AccessClaims{Subject: "u"}, "negative"},
		{"no subject", tokens.Issuer{Keys: ks, Issuer: testIssuer, Audience: testAudience}, tokens.AccessClaims{Role: "ADMIN"}, "without a subject"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tok, _, err := tc.i.Issue(tc.c)
			if err == nil || tok != "" || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Issue = %q, %v; want an error containing %q", tok, err, tc.want)
			}
		})
	}
}
