// Package authntest serves a JWKS on loopback and signs tokens with its keys,
// for tests of token verification (the router's and, later, the users
// subgraph's).
package authntest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/go-jose/go-jose/v4"
	"github.com/golang-jwt/jwt/v5"
)

// Key is a signing key pair with a kid.
type Key struct {
	ID      string
	Alg     string // ES256 or EdDSA
	private crypto.Signer
}

// NewKey generates a key for alg (ES256 or EdDSA).
func NewKey(tb testing.TB, kid, alg string) Key {
	tb.Helper()
	var priv crypto.Signer
	var err error
	switch alg {
	case "ES256":
		priv, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case "EdDSA":
		_, priv, err = ed25519.GenerateKey(rand.Reader)
	default:
		tb.Fatalf("authntest: unsupported alg %q", alg)
	}
	if err != nil {
		tb.Fatal(err)
	}
	return Key{ID: kid, Alg: alg, private: priv}
}

// Public returns the public key.
func (k Key) Public() crypto.PublicKey { return k.private.Public() }

// JWK returns the public JWK of k, declaring its algorithm and use.
func (k Key) JWK() jose.JSONWebKey {
	return jose.JSONWebKey{Key: k.Public(), KeyID: k.ID, Algorithm: k.Alg, Use: "sig"}
}

// Sign returns a token with claims signed by k, with k's kid.
func (k Key) Sign(tb testing.TB, claims jwt.MapClaims) string {
	tb.Helper()
	return k.SignAs(tb, k.ID, claims)
}

// SignAs signs claims with k but names kid in the header: a forgery when kid
// belongs to another key.
func (k Key) SignAs(tb testing.TB, kid string, claims jwt.MapClaims) string {
	tb.Helper()
	method := jwt.GetSigningMethod(k.Alg)
	t := jwt.NewWithClaims(method, claims)
	if kid != "" {
		t.Header["kid"] = kid
	}
	s, err := t.SignedString(k.private)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// Unsigned returns a token with alg "none" naming kid.
func Unsigned(tb testing.TB, kid string, claims jwt.MapClaims) string {
	tb.Helper()
	t := jwt.NewWithClaims(jwt.SigningMethodNone, claims)
	t.Header["kid"] = kid
	s, err := t.SignedString(jwt.UnsafeAllowNoneSignatureType)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// HMACWithPublicKey returns a token signed with HS256 using k's public JWK as
// the secret: the classic algorithm-confusion forgery.
func HMACWithPublicKey(tb testing.TB, k Key, claims jwt.MapClaims) string {
	tb.Helper()
	secret, err := json.Marshal(k.JWK())
	if err != nil {
		tb.Fatal(err)
	}
	t := jwt.NewWithClaims(jwt.SigningMethodHS256, claims)
	t.Header["kid"] = k.ID
	s, err := t.SignedString(secret)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// JWKS is a JWKS served on loopback until the test ends.
type JWKS struct {
	*httptest.Server

	mu   sync.Mutex
	keys []Key
	hits atomic.Int32
}

// Serve serves a JWKS with keys.
func Serve(tb testing.TB, keys ...Key) *JWKS {
	tb.Helper()
	j := &JWKS{keys: keys}
	j.Server = httptest.NewServer(http.HandlerFunc(j.serve))
	tb.Cleanup(j.Close)
	return j
}

func (j *JWKS) serve(w http.ResponseWriter, r *http.Request) {
	j.hits.Add(1)
	j.mu.Lock()
	set := jose.JSONWebKeySet{}
	for _, k := range j.keys {
		set.Keys = append(set.Keys, k.JWK())
	}
	j.mu.Unlock()
	w.Header().Set("Content-Type", "application/jwk-set+json")
	_ = json.NewEncoder(w).Encode(set)
}

// SetKeys replaces the served keys (a rotation).
func (j *JWKS) SetKeys(keys ...Key) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.keys = keys
}

// Hits returns how many times the JWKS was fetched.
func (j *JWKS) Hits() int { return int(j.hits.Load()) }
