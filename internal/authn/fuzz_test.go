package authn_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/golang-jwt/jwt/v5"

	"github.com/shopgraph/shopgraph/internal/authn"
)

// fuzzSigner signs with keys derived from fixed bytes, so that every fuzz
// worker process has the same keys and, Ed25519 being deterministic, the same
// valid tokens as the process that added the seeds.
type fuzzSigner struct {
	ed ed25519.PrivateKey
	es *ecdsa.PrivateKey
}

func newFuzzSigner(tb testing.TB) fuzzSigner {
	tb.Helper()
	es, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), bytes.Repeat([]byte{0x2a}, 32))
	if err != nil {
		tb.Fatal(err)
	}
	return fuzzSigner{ed: ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, ed25519.SeedSize)), es: es}
}

func (s fuzzSigner) jwks(tb testing.TB) []byte {
	return jwksOf(tb,
		jose.JSONWebKey{Key: s.ed.Public(), KeyID: "ed", Algorithm: "EdDSA", Use: "sig"},
		jose.JSONWebKey{Key: s.es.Public(), KeyID: "es", Algorithm: "ES256", Use: "sig"},
	)
}

// sign signs claims with method under header fields hdr (kid among them);
// key is the signing key or secret.
func (s fuzzSigner) sign(tb testing.TB, method jwt.SigningMethod, key any, hdr map[string]any, claims jwt.MapClaims) string {
	tb.Helper()
	t := jwt.NewWithClaims(method, claims)
	for k, v := range hdr {
		t.Header[k] = v
	}
	tok, err := t.SignedString(key)
	if err != nil {
		tb.Fatal(err)
	}
	return tok
}

// FuzzVerify feeds arbitrary strings to Verify. Properties: it never panics;
// it accepts only the valid tokens the test signer made (any other string,
// including every mutation of them, is refused); and a refusal is an
// *authn.Error whose reason never quotes the token.
func FuzzVerify(f *testing.F) {
	s := newFuzzSigner(f)
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	v := newVerifier(f, authn.Config{
		StaticJWKS: s.jwks(f),
		Issuer:     "https://users.shopgraph.test",
		Audiences:  []string{"shopgraph-router"},
		Now:        func() time.Time { return now },
	})
	good := claimsAt(now, "user-1")
	kid := func(k string) map[string]any { return map[string]any{"kid": k} }
	edSign := func(hdr map[string]any, c jwt.MapClaims) string {
		return s.sign(f, jwt.SigningMethodEdDSA, s.ed, hdr, c)
	}

	valid := map[string]bool{}
	for _, c := range []jwt.MapClaims{good, with(good, "aud", "shopgraph-router"), with(good, "scope", nil)} {
		tok := edSign(kid("ed"), c)
		valid[tok] = true
		f.Add(tok)
	}
	validTok := edSign(kid("ed"), good)

	pub := []byte(s.ed.Public().(ed25519.PublicKey))
	pubJWK := s.jwks(f)
	huge := base64.RawURLEncoding.EncodeToString(bytes.Repeat([]byte(`{"a":1}`), 10<<10))
	parts := strings.Split(validTok, ".")
	seeds := []string{
		"", ".", "..", "...", "a.b.c", "a.b.c.d", "null", "\x00", "é.é.é",
		// alg none, and HMAC keyed with what the verifier holds publicly.
		s.sign(f, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, kid("ed"), good),
		strings.TrimSuffix(validTok, parts[2]),
		s.sign(f, jwt.SigningMethodHS256, pub, kid("ed"), good),
		s.sign(f, jwt.SigningMethodHS256, pubJWK, kid("ed"), good),
		s.sign(f, jwt.SigningMethodHS256, pub, nil, good),
		// A valid token cut short, padded, or with extra segments.
		validTok[:len(validTok)-1],
		validTok[:len(validTok)/2],
		parts[0] + "." + parts[1],
		validTok + ".",
		validTok + "." + parts[2],
		"." + validTok,
		parts[0] + ".." + parts[2],
		validTok + "==",
		// Huge segments.
		parts[0] + "." + huge + "." + parts[2],
		huge + "." + parts[1] + "." + parts[2],
		// Signed by the test key but with claims of the wrong types or values.
		edSign(kid("ed"), with(good, "exp", "tomorrow")),
		edSign(kid("ed"), with(good, "exp", map[string]any{"t": 1})),
		edSign(kid("ed"), with(good, "exp", 1e300)),
		edSign(kid("ed"), with(good, "exp", -1)),
		edSign(kid("ed"), with(good, "iat", "now")),
		edSign(kid("ed"), with(good, "nbf", true)),
		edSign(kid("ed"), with(good, "aud", 5)),
		edSign(kid("ed"), with(good, "aud", []any{1, "shopgraph-router"})),
		edSign(kid("ed"), with(good, "sub", 7)),
		edSign(kid("ed"), with(good, "sub", []string{"user-1"})),
		edSign(kid("ed"), with(good, "iss", false)),
		edSign(kid("ed"), with(good, "role", 1)),
		edSign(kid("ed"), with(good, "exp", now.Add(-time.Hour).Unix())),
		edSign(kid("ed"), with(good, "iss", "https://evil.test")),
		// Header oddities: kid of the other key, a numeric kid, no kid.
		edSign(kid("es"), good),
		edSign(map[string]any{"kid": 5}, good),
		edSign(nil, good),
		edSign(map[string]any{"kid": "ed", "crit": []string{"exp"}}, good),
		s.sign(f, jwt.SigningMethodES256, s.es, kid("ed"), good),
		s.sign(f, jwt.SigningMethodES256, s.es, kid("es"), with(good, "exp", "x")),
	}
	for _, seed := range seeds {
		if valid[seed] {
			f.Fatalf("seed %q meant to be refused is a valid token", seed)
		}
		f.Add(seed)
	}

	f.Fuzz(func(t *testing.T, token string) {
		p, err := v.Verify(context.Background(), token)
		if err == nil {
			if !valid[token] {
				t.Fatalf("accepted a token the test signer did not make: %q", token)
			}
			if p.Subject != "user-1" || p.Issuer != "https://users.shopgraph.test" {
				t.Fatalf("principal = %+v", p)
			}
			return
		}
		if valid[token] {
			t.Fatalf("valid token refused: %v", err)
		}
		ae, ok := err.(*authn.Error)
		if !ok {
			t.Fatalf("error %v is a %T, want *authn.Error", err, err)
		}
		if ae.Reason == "" {
			t.Fatal("empty reason")
		}
		for _, part := range append(strings.Split(token, "."), token) {
			if len(part) >= 12 && strings.Contains(ae.Reason, part) {
				t.Fatalf("reason %q quotes the token", ae.Reason)
			}
		}
	})
}
