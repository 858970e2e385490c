package tokens_test

import (
	"bytes"
	"crypto"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/go-jose/go-jose/v4"

	"github.com/shopgraph/shopgraph/subgraphs/users/tokens"
)

func ed25519PEM(t *testing.T) []byte {
	t.Helper()
	p, err := tokens.GenerateEd25519PEM()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func p256Key(t *testing.T) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// pkcs8PEM encodes key as a PEM "PRIVATE KEY" block.
func pkcs8PEM(t *testing.T, key any) []byte {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

// sec1PEM encodes key as a PEM "EC PRIVATE KEY" block.
func sec1PEM(t *testing.T, key *ecdsa.PrivateKey) []byte {
	t.Helper()
	der, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der})
}

func parse(t *testing.T, pems ...[]byte) *tokens.KeySet {
	t.Helper()
	ks, err := tokens.ParsePEM(bytes.Join(pems, nil))
	if err != nil {
		t.Fatal(err)
	}
	return ks
}

func TestParsePEM(t *testing.T) {
	t.Parallel()
	ed := ed25519PEM(t)
	ec := p256Key(t)
	rsaKey, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	x25519, err := ecdh.X25519().GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	rsaPKCS1 := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(rsaKey)})
	encrypted := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Headers: map[string]string{"Proc-Type": "4,ENCRYPTED"}, Bytes: []byte{1}})
	// A PKCS#8 block whose DER is cut short: its error must not echo the bytes.
	broken := pkcs8PEM(t, ec)
	blk, _ := pem.Decode(broken)
	broken = pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: blk.Bytes[:len(blk.Bytes)-7]})

	for _, tc := range []struct {
		name string
		data []byte
		algs []string // accepted: the keys' algorithms in order
		err  string
	}{
		{"one Ed25519 key", ed, []string{"EdDSA"}, ""},
		{"P-256 PKCS#8", pkcs8PEM(t, ec), []string{"ES256"}, ""},
		{"P-256 SEC 1", sec1PEM(t, ec), []string{"ES256"}, ""},
		{"two keys", bytes.Join([][]byte{ed, sec1PEM(t, p256Key(t))}, []byte("\n")), []string{"EdDSA", "ES256"}, ""},
		{"surrounding whitespace", append(append([]byte("\n  \n"), ed...), "\n\n"...), []string{"EdDSA"}, ""},
		{"empty", nil, nil, "no keys"},
		{"whitespace only", []byte(" \n\t"), nil, "no keys"},
		{"garbage", []byte("not a key at all"), nil, "not PEM"},
		{"garbage before a key", append([]byte("oops\n"), ed...), nil, "not PEM"},
		{"garbage after a key", append(append([]byte{}, ed...), "trailing"...), nil, "text after PEM block 1 is not PEM"},
		{"truncated block", ed[:len(ed)-20], nil, "PEM block 1 is malformed"},
		{"RSA PKCS#8", pkcs8PEM(t, rsaKey), nil, "PEM block 1: is an RSA key"},
		{"RSA PKCS#1", rsaPKCS1, nil, "PEM block 1: is an RSA key"},
		{"RSA as second block", append(append([]byte{}, ed...), pkcs8PEM(t, rsaKey)...), nil, "PEM block 2: is an RSA key"},
		{"P-384", pkcs8PEM(t, p384), nil, "curve P-384; want P-256"},
		{"P-384 SEC 1", sec1PEM(t, p384), nil, "curve P-384; want P-256"},
		{"X25519", pkcs8PEM(t, x25519), nil, "key-agreement"},
		{"public key", pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: []byte{1}}), nil, `is a "PUBLIC KEY" block`},
		{"encrypted", encrypted, nil, "PEM headers"},
		{"broken DER", broken, nil, "PEM block 1: not a PKCS#8 private key"},
		{"duplicate", append(append([]byte{}, ed...), ed...), nil, "PEM block 2 is the same key as block 1"},
		{"duplicate in two encodings", append(pkcs8PEM(t, ec), sec1PEM(t, ec)...), nil, "PEM block 2 is the same key as block 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ks, err := tokens.ParsePEM(tc.data)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error = %v, want it to contain %q", err, tc.err)
				}
				assertNoKeyMaterial(t, err.Error(), tc.data)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var set jose.JSONWebKeySet
			if err := json.Unmarshal(ks.JWKS(), &set); err != nil {
				t.Fatal(err)
			}
			if len(set.Keys) != len(tc.algs) || len(ks.Kids()) != len(tc.algs) {
				t.Fatalf("%d keys, %d kids; want %d", len(set.Keys), len(ks.Kids()), len(tc.algs))
			}
			for i, k := range set.Keys {
				if k.Algorithm != tc.algs[i] || k.KeyID != ks.Kids()[i] {
					t.Errorf("key %d: alg %q kid %q, want %q and %q", i, k.Algorithm, k.KeyID, tc.algs[i], ks.Kids()[i])
				}
			}
		})
	}
}

// assertNoKeyMaterial fails when msg holds any line of a PEM body in data.
func assertNoKeyMaterial(t *testing.T, msg string, data []byte) {
	t.Helper()
	for _, line := range strings.Split(string(data), "\n") {
		if len(line) >= 8 && !strings.HasPrefix(line, "-----") && strings.Contains(msg, line) {
			t.Errorf("error %q contains PEM data", msg)
		}
	}
}

func TestKidsAreThumbprints(t *testing.T) {
	t.Parallel()
	ec := p256Key(t)
	ks := parse(t, sec1PEM(t, ec), ed25519PEM(t))
	want := jose.JSONWebKey{Key: ec.Public()}
	tp, err := want.Thumbprint(crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	kids := ks.Kids()
	if kids[0] != base64.RawURLEncoding.EncodeToString(tp) {
		t.Errorf("kid %q is not the RFC 7638 thumbprint of the key", kids[0])
	}
	for _, kid := range kids {
		if len(kid) != 43 {
			t.Errorf("kid %q is not 32 bytes base64url", kid)
		}
	}
	// The same key parsed again has the same kid: kids are derived, not drawn.
	if again := parse(t, pkcs8PEM(t, ec)).Kids()[0]; again != kids[0] {
		t.Errorf("kid of the same key: %q then %q", kids[0], again)
	}
}

func TestJWKSHasPublicPartsOnly(t *testing.T) {
	t.Parallel()
	ks := parse(t, ed25519PEM(t), pkcs8PEM(t, p256Key(t)))
	var doc struct {
		Keys []map[string]any `json:"keys"`
	}
	if err := json.Unmarshal(ks.JWKS(), &doc); err != nil {
		t.Fatal(err)
	}
	wantFields := []map[string]bool{
		{"kty": true, "crv": true, "x": true, "kid": true, "alg": true, "use": true},
		{"kty": true, "crv": true, "x": true, "y": true, "kid": true, "alg": true, "use": true},
	}
	wantValues := []map[string]string{
		{"kty": "OKP", "crv": "Ed25519", "alg": "EdDSA", "use": "sig"},
		{"kty": "EC", "crv": "P-256", "alg": "ES256", "use": "sig"},
	}
	if len(doc.Keys) != 2 {
		t.Fatalf("JWKS has %d keys: %s", len(doc.Keys), ks.JWKS())
	}
	for i, k := range doc.Keys {
		if _, ok := k["d"]; ok {
			t.Errorf("key %d has a private part: %s", i, ks.JWKS())
		}
		for f := range k {
			if !wantFields[i][f] {
				t.Errorf("key %d has field %q", i, f)
			}
		}
		for f, v := range wantValues[i] {
			if k[f] != v {
				t.Errorf("key %d: %s = %v, want %q", i, f, k[f], v)
			}
		}
		if k["kid"] != ks.Kids()[i] {
			t.Errorf("key %d: kid %v, want %q", i, k["kid"], ks.Kids()[i])
		}
	}
}

func TestJWKSHandler(t *testing.T) {
	t.Parallel()
	ks := parse(t, ed25519PEM(t))
	h := ks.JWKSHandler()
	for _, tc := range []struct {
		method string
		status int
		body   bool
	}{
		{http.MethodGet, http.StatusOK, true},
		{http.MethodHead, http.StatusOK, false},
		{http.MethodPost, http.StatusMethodNotAllowed, false},
		{http.MethodPut, http.StatusMethodNotAllowed, false},
		{http.MethodDelete, http.StatusMethodNotAllowed, false},
		{http.MethodOptions, http.StatusMethodNotAllowed, false},
	} {
		t.Run(tc.method, func(t *testing.T) {
			t.Parallel()
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(tc.method, tokens.JWKSPath, nil))
			if rec.Code != tc.status {
				t.Fatalf("status %d, want %d", rec.Code, tc.status)
			}
			if tc.status == http.StatusMethodNotAllowed {
				if a := rec.Header().Get("Allow"); a != "GET, HEAD" {
					t.Errorf("Allow = %q", a)
				}
				return
			}
			hdr := rec.Header()
			if hdr.Get("Content-Type") != "application/json" || hdr.Get("Cache-Control") != "public, max-age=300" {
				t.Errorf("headers = %v", hdr)
			}
			if hdr.Get("Content-Length") != strconv.Itoa(len(ks.JWKS())) {
				t.Errorf("Content-Length = %q, want %d", hdr.Get("Content-Length"), len(ks.JWKS()))
			}
			if got := rec.Body.Bytes(); tc.body != (len(got) > 0) || (tc.body && !bytes.Equal(got, ks.JWKS())) {
				t.Errorf("body = %q", got)
			}
		})
	}
}

func TestGenerateEd25519PEM(t *testing.T) {
	t.Parallel()
	a, b := ed25519PEM(t), ed25519PEM(t)
	if !bytes.HasPrefix(a, []byte("-----BEGIN PRIVATE KEY-----\n")) {
		t.Errorf("not a PKCS#8 PEM block: %.30q", a)
	}
	if ka, kb := parse(t, a).Kids()[0], parse(t, b).Kids()[0]; ka == kb {
		t.Error("two generated keys are the same")
	}
}
