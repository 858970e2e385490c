// Package tokens issues the users service's credentials: signed JWT access
// tokens, the JWKS that publishes their keys, and opaque random tokens
// (refresh and password-reset) whose SHA-256 digest is what gets stored.
//
// Signing keys come as PEM so that they can live in a secret store and be
// rotated without a deploy of code: the first key of the set signs, and every
// key is published, so during a rotation ([new, old]) tokens signed by the
// old key still verify until they expire; dropping the old key then refuses
// them. A key's kid is its RFC 7638 thumbprint, so it is derived, never
// configured, and two services holding the same key agree on it.
//
// Only Ed25519 and ECDSA P-256 are accepted: both are fixed-size, fast and
// have exactly one JWS algorithm (EdDSA, ES256), so a key never leaves a
// choice of algorithm open. RSA is refused rather than supported with care.
package tokens

import (
	"bytes"
	"crypto"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/go-jose/go-jose/v4"
	"github.com/golang-jwt/jwt/v5"
)

// JWKSPath is where the JWKS is conventionally served.
const JWKSPath = "/.well-known/jwks.json"

// KeySet is the users service's signing keys, in order: the first signs new
// tokens; all are published, so tokens signed by a key being rotated out still
// verify until they expire. Build one with ParsePEM; it is immutable and safe
// for concurrent use.
type KeySet struct {
	keys []signingKey
	jwks []byte
}

// signingKey is one private key with its derived kid and algorithm.
type signingKey struct {
	kid     string
	method  jwt.SigningMethod
	private crypto.Signer
}

// ParsePEM reads one or more PEM "PRIVATE KEY" (PKCS#8) blocks holding
// Ed25519 or ECDSA P-256 keys, or "EC PRIVATE KEY" (SEC 1) blocks holding
// P-256 keys; the first key signs. Errors name the block by number (from 1)
// and never include key material.
func ParsePEM(data []byte) (*KeySet, error) {
	var keys []signingKey
	rest := data
	for n := 1; ; n++ {
		trimmed := bytes.TrimSpace(rest)
		if len(trimmed) == 0 {
			break
		}
		// pem.Decode skips text before a block; we do not, so that a
		// truncated or mangled file is an error rather than fewer keys.
		if !bytes.HasPrefix(trimmed, []byte("-----BEGIN ")) {
			if n == 1 {
				return nil, errors.New("tokens: key data is not PEM")
			}
			return nil, fmt.Errorf("tokens: text after PEM block %d is not PEM", n-1)
		}
		var block *pem.Block
		block, rest = pem.Decode(trimmed)
		if block == nil {
			return nil, fmt.Errorf("tokens: PEM block %d is malformed (no END line, or bad base64)", n)
		}
		k, err := parseBlock(block)
		if err != nil {
			return nil, fmt.Errorf("tokens: PEM block %d: %w", n, err)
		}
		for i, prev := range keys {
			if prev.kid == k.kid {
				return nil, fmt.Errorf("tokens: PEM block %d is the same key as block %d", n, i+1)
			}
		}
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		return nil, errors.New("tokens: no keys in the PEM data")
	}
	jwks, err := marshalJWKS(keys)
	if err != nil {
		return nil, err
	}
	return &KeySet{keys: keys, jwks: jwks}, nil
}

// parseBlock returns the key of one PEM block. Its errors are about the
// block's kind, or x509's parse errors, which describe structure, not bytes.
func parseBlock(b *pem.Block) (signingKey, error) {
	if len(b.Headers) > 0 {
		return signingKey{}, errors.New("has PEM headers (an encrypted key?); want an unencrypted key")
	}
	var parsed any
	var err error
	switch b.Type {
	case "PRIVATE KEY":
		parsed, err = x509.ParsePKCS8PrivateKey(b.Bytes)
		if err != nil {
			return signingKey{}, fmt.Errorf("not a PKCS#8 private key: %w", err)
		}
	case "EC PRIVATE KEY":
		parsed, err = x509.ParseECPrivateKey(b.Bytes)
		if err != nil {
			return signingKey{}, fmt.Errorf("not a SEC 1 EC private key: %w", err)
		}
	case "ENCRYPTED PRIVATE KEY":
		return signingKey{}, errors.New("is encrypted; want an unencrypted PKCS#8 key")
	case "RSA PRIVATE KEY":
		return signingKey{}, errors.New("is an RSA key; want Ed25519 or ECDSA P-256")
	default:
		return signingKey{}, fmt.Errorf("is a %q block; want PRIVATE KEY or EC PRIVATE KEY", b.Type)
	}
	var k signingKey
	switch pk := parsed.(type) {
	case ed25519.PrivateKey:
		k = signingKey{method: jwt.SigningMethodEdDSA, private: pk}
	case *ecdsa.PrivateKey:
		if pk.Curve != elliptic.P256() {
			return signingKey{}, fmt.Errorf("is an ECDSA key on curve %s; want P-256", pk.Curve.Params().Name)
		}
		k = signingKey{method: jwt.SigningMethodES256, private: pk}
	case *rsa.PrivateKey:
		return signingKey{}, errors.New("is an RSA key; want Ed25519 or ECDSA P-256")
	case *ecdh.PrivateKey:
		return signingKey{}, errors.New("is a key-agreement (ECDH/X25519) key; want Ed25519 or ECDSA P-256")
	default:
		return signingKey{}, fmt.Errorf("holds a %T; want Ed25519 or ECDSA P-256", parsed)
	}
	jwk := publicJWK(k, "")
	tp, err := jwk.Thumbprint(crypto.SHA256)
	if err != nil {
		return signingKey{}, fmt.Errorf("thumbprint: %w", err)
	}
	k.kid = base64.RawURLEncoding.EncodeToString(tp)
	return k, nil
}

// publicJWK is the published form of k: public parts, algorithm and use.
func publicJWK(k signingKey, kid string) jose.JSONWebKey {
	return jose.JSONWebKey{Key: k.private.Public(), KeyID: kid, Algorithm: k.method.Alg(), Use: "sig"}
}

func marshalJWKS(keys []signingKey) ([]byte, error) {
	set := jose.JSONWebKeySet{Keys: make([]jose.JSONWebKey, len(keys))}
	for i, k := range keys {
		set.Keys[i] = publicJWK(k, k.kid)
	}
	b, err := json.Marshal(set)
	if err != nil {
		return nil, fmt.Errorf("tokens: encode JWKS: %w", err)
	}
	return b, nil
}

// GenerateEd25519PEM returns a new Ed25519 key as a PKCS#8 PEM block, for
// development and for `shopgraph keys generate`.
func GenerateEd25519PEM() ([]byte, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("tokens: generate Ed25519 key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, fmt.Errorf("tokens: encode Ed25519 key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// Kids returns the kid of each key, in order; the first is the signing key's.
// A kid is the RFC 7638 SHA-256 thumbprint of the public key, base64url.
func (k *KeySet) Kids() []string {
	kids := make([]string, len(k.keys))
	for i, key := range k.keys {
		kids[i] = key.kid
	}
	return kids
}

// JWKS returns the public JWKS document of all keys:
// {"keys":[{kty,crv,x[,y],kid,alg,use:"sig"}]}. The caller must not modify it.
func (k *KeySet) JWKS() []byte { return k.jwks }

// JWKSHandler serves the JWKS to GET and HEAD (mount it at JWKSPath);
// verifiers may cache it for five minutes, which bounds how long before a
// rotation a new key must be published.
func (k *KeySet) JWKSHandler() http.Handler {
	body := k.jwks
	length := strconv.Itoa(len(body))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		h := w.Header()
		h.Set("Content-Type", "application/json")
		h.Set("Cache-Control", "public, max-age=300")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Content-Length", length)
		if r.Method == http.MethodHead {
			return
		}
		_, _ = w.Write(body)
	})
}
