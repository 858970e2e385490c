package authn_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/golang-jwt/jwt/v5"

	"github.com/shopgraph/shopgraph/internal/authn"
	"github.com/shopgraph/shopgraph/internal/authn/authntest"
)

// jwksOf returns the public JWKS document of keys.
func jwksOf(t testing.TB, keys ...jose.JSONWebKey) []byte {
	t.Helper()
	b, err := json.Marshal(jose.JSONWebKeySet{Keys: keys})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// nonCanonical returns token with the last character of its signature changed
// so that only padding bits differ: the same bytes, another spelling.
func nonCanonical(t *testing.T, token string) string {
	t.Helper()
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	i := strings.IndexByte(alphabet, token[len(token)-1])
	if i < 0 || i&0xf != 0 {
		t.Fatalf("signature of %d bytes does not end in padding bits", len(token))
	}
	return token[:len(token)-1] + string(alphabet[i|1])
}

func TestVerifyStaticJWKS(t *testing.T) {
	t.Parallel()
	clk := &clock{t: time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)}
	now := clk.Now()
	es := authntest.NewKey(t, "es-1", "ES256")
	ed := authntest.NewKey(t, "ed-1", "EdDSA")
	other := authntest.NewKey(t, "other", "ES256") // not in the set
	v := newVerifier(t, authn.Config{
		StaticJWKS: jwksOf(t, es.JWK(), ed.JWK()),
		Issuer:     "https://users.shopgraph.test",
		Audiences:  []string{"shopgraph-router"},
		Now:        clk.Now,
	})
	good := claimsAt(now, "user-1")
	valid := ed.Sign(t, good)
	for _, tc := range []struct {
		name  string
		token string
		want  string // "" accepts
	}{
		{"ES256 valid", es.Sign(t, good), ""},
		{"EdDSA valid", valid, ""},
		{"alg none", authntest.Unsigned(t, "es-1", good), `algorithm "none" is not accepted`},
		{"HS256 with the public key as secret", authntest.HMACWithPublicKey(t, es, good), `algorithm "HS256" is not accepted`},
		{"wrong key under a known kid", other.SignAs(t, "es-1", good), "invalid token signature"},
		{"unknown kid", other.Sign(t, good), `unknown signing key "other"`},
		{"algorithm of another key", ed.SignAs(t, "es-1", good), `algorithm EdDSA is not allowed for signing key "es-1"`},
		{"expired", es.Sign(t, with(good, "exp", now.Add(-time.Minute).Unix())), "token expired"},
		{"wrong audience", es.Sign(t, with(good, "aud", "someone-else")), "token audience not accepted"},
		{"no kid with several keys", es.SignAs(t, "", good), "token has no kid and the key set has several keys"},
		{"line break inside the signature", valid[:len(valid)-4] + "\n" + valid[len(valid)-4:], "malformed token"},
		{"non-zero padding bits", nonCanonical(t, valid), "malformed token"},
		{"sub of the wrong type", ed.Sign(t, with(good, "sub", 7)), "token claim sub has the wrong type"},
		{"role of the wrong type", ed.Sign(t, with(good, "role", []string{"ADMIN"})), "token claim role has the wrong type"},
		{"too large", ed.Sign(t, with(good, "pad", strings.Repeat("x", 20<<10))), "token larger than"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p, err := v.Verify(context.Background(), tc.token)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if p.Subject != "user-1" || p.Role != "CUSTOMER" {
					t.Errorf("principal = %+v", p)
				}
				return
			}
			var ae *authn.Error
			if !errors.As(err, &ae) || !strings.Contains(ae.Reason, tc.want) {
				t.Fatalf("error = %v (%T), want *authn.Error containing %q", err, err, tc.want)
			}
			if errors.Is(err, authn.ErrKeysUnavailable) {
				t.Errorf("a static set is never unavailable: %v", err)
			}
		})
	}
}

func TestVerifyStaticJWKSOneKeyWithoutKid(t *testing.T) {
	t.Parallel()
	k := authntest.NewKey(t, "only", "EdDSA")
	c := claimsAt(time.Now(), "u")
	for _, tc := range []struct {
		name string
		jwk  jose.JSONWebKey
	}{
		{"key with kid", k.JWK()},
		{"key without kid", jose.JSONWebKey{Key: k.Public(), Algorithm: "EdDSA", Use: "sig"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			v := newVerifier(t, authn.Config{StaticJWKS: jwksOf(t, tc.jwk)})
			if _, err := v.Verify(context.Background(), k.SignAs(t, "", c)); err != nil {
				t.Errorf("kid-less token refused: %v", err)
			}
			if _, err := v.Verify(context.Background(), k.SignAs(t, "another", c)); tc.jwk.KeyID != "" && (err == nil || !strings.Contains(err.Error(), `unknown signing key "another"`)) {
				t.Errorf("token naming another kid: %v", err)
			}
		})
	}
}

func TestNewVerifierStaticJWKSErrors(t *testing.T) {
	t.Parallel()
	es := authntest.NewKey(t, "es", "ES256")
	ed := authntest.NewKey(t, "ed", "EdDSA")
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	good := jwksOf(t, es.JWK())
	for _, tc := range []struct {
		name string
		cfg  authn.Config
		want string
	}{
		{"both sources", authn.Config{JWKSURL: "http://127.0.0.1/jwks", StaticJWKS: good}, "both set"},
		{"neither source", authn.Config{}, "JWKSURL is empty and StaticJWKS is not set"},
		{"not JSON", authn.Config{StaticJWKS: []byte("-----BEGIN PRIVATE KEY-----")}, "not a JWKS document"},
		{"empty document", authn.Config{StaticJWKS: []byte(`{}`)}, "no keys"},
		{"empty key list", authn.Config{StaticJWKS: []byte(`{"keys":[]}`)}, "no keys"},
		{"unparsable key", authn.Config{StaticJWKS: []byte(`{"keys":[{"kty":"EC","crv":"P-256"}]}`)}, "key 0"},
		{"private key", authn.Config{StaticJWKS: jwksOf(t, jose.JSONWebKey{Key: priv, KeyID: "p", Algorithm: "ES256", Use: "sig"})}, `key 0 (kid "p") holds private key material`},
		{"symmetric key", authn.Config{StaticJWKS: jwksOf(t, es.JWK(), jose.JSONWebKey{Key: []byte("secret"), KeyID: "hs", Algorithm: "HS256"})}, `key 1 (kid "hs"): key type []uint8 is not an asymmetric signature key`},
		{"encryption key", authn.Config{StaticJWKS: jwksOf(t, jose.JSONWebKey{Key: es.Public(), KeyID: "enc", Use: "enc"})}, `use "enc"`},
		{"alg that does not fit the key", authn.Config{StaticJWKS: jwksOf(t, jose.JSONWebKey{Key: es.Public(), KeyID: "x", Algorithm: "EdDSA"})}, `alg "EdDSA" does not fit the key`},
		{"P-384 declared ES256", authn.Config{StaticJWKS: jwksOf(t, jose.JSONWebKey{Key: p384.Public(), KeyID: "x", Algorithm: "ES256"})}, `alg "ES256" does not fit the key (ES384)`},
		{"duplicate kid", authn.Config{StaticJWKS: jwksOf(t, es.JWK(), jose.JSONWebKey{Key: ed.Public(), KeyID: "es", Algorithm: "EdDSA"})}, `key 1 (kid "es"): kid appears twice`},
		{"kid-less key among several", authn.Config{StaticJWKS: jwksOf(t, es.JWK(), jose.JSONWebKey{Key: ed.Public()})}, "give every key a kid"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := authn.NewVerifier(tc.cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

// TestVerifyRefusesCrit: RFC 7515 says a token whose crit names extensions
// the recipient does not implement must be refused, and we implement none.
func TestVerifyRefusesCrit(t *testing.T) {
	t.Parallel()
	s := newFuzzSigner(t)
	now := time.Now()
	v := newVerifier(t, authn.Config{StaticJWKS: s.jwks(t), Now: func() time.Time { return now }})
	tok := s.sign(t, jwt.SigningMethodEdDSA, s.ed, map[string]any{"kid": "ed", "crit": []string{"b64"}, "b64": false}, claimsAt(now, "u"))
	if _, err := v.Verify(context.Background(), tok); err == nil || !strings.Contains(err.Error(), "crit") {
		t.Errorf("error = %v, want a crit refusal", err)
	}
}
