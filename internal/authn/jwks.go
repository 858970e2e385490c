package authn

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// maxJWKSBytes bounds a JWKS document; real ones are a few KiB.
const maxJWKSBytes = 1 << 20

// key is one usable verification key.
type key struct {
	public any
	algs   []string
}

func (k key) allows(alg string) bool {
	for _, a := range k.algs {
		if a == alg {
			return true
		}
	}
	return false
}

// keySet caches the keys of a JWKS URL (see the package comment for when it
// fetches).
type keySet struct {
	url        string
	client     *http.Client
	maxAge     time.Duration
	minBetween time.Duration
	timeout    time.Duration
	now        func() time.Time
	log        *slog.Logger

	mu      sync.Mutex
	byKid   map[string]key
	noKid   []key
	fetched time.Time // last successful fetch
	tried   time.Time // start of the last fetch, successful or not
	lastErr error
	// running is closed when the fetch under way ends; nil when none is.
	running chan struct{}
	// fetches counts JWKS requests, for tests.
	fetches int
}

func newKeySet(cfg Config) *keySet {
	return &keySet{
		url:        cfg.JWKSURL,
		client:     cfg.Client,
		maxAge:     cfg.RefreshInterval,
		minBetween: cfg.MinRefreshInterval,
		timeout:    cfg.FetchTimeout,
		now:        cfg.Now,
		log:        cfg.Logger,
	}
}

// find returns the key for kid. Called with mu held.
func (s *keySet) find(kid string) (key, bool) {
	return findKey(s.byKid, s.noKid, kid)
}

// findKey returns the key for kid: by kid, or for a token without one the only
// key of the set.
func findKey(byKid map[string]key, noKid []key, kid string) (key, bool) {
	if kid != "" {
		k, ok := byKid[kid]
		return k, ok
	}
	if len(byKid)+len(noKid) == 1 {
		for _, k := range byKid {
			return k, true
		}
		return noKid[0], true
	}
	return key{}, false
}

// notFound is the error for a token whose kid names no key of a set.
func notFound(kid string) error {
	if kid == "" {
		return &Error{Reason: "token has no kid and the key set has several keys"}
	}
	return &Error{Reason: "unknown signing key " + quoteKid(kid)}
}

// lookup returns the key for kid, fetching the JWKS when the key is unknown or
// the keys are old, within the rate limit.
func (s *keySet) lookup(ctx context.Context, kid string) (key, error) {
	s.mu.Lock()
	k, found := s.find(kid)
	fresh := !s.fetched.IsZero() && s.now().Sub(s.fetched) < s.maxAge
	switch {
	case found && fresh:
		s.mu.Unlock()
		return k, nil
	case found:
		// Old keys still verify while new ones are fetched in the background:
		// a rotation that matters arrives as an unknown kid anyway.
		if s.startFetchLocked() {
			go s.fetch(context.WithoutCancel(ctx))
		}
		s.mu.Unlock()
		return k, nil
	}
	// Unknown kid: wait for a fetch under way, or start one if allowed.
	wait := s.running
	if wait == nil && s.startFetchLocked() {
		wait = s.running
		s.mu.Unlock()
		s.fetch(context.WithoutCancel(ctx))
	} else {
		s.mu.Unlock()
	}
	if wait != nil {
		select {
		case <-wait:
		case <-ctx.Done():
			return key{}, &Error{Reason: "request ended while fetching signing keys", Err: ctx.Err()}
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if k, found := s.find(kid); found {
		return k, nil
	}
	if s.fetched.IsZero() {
		return key{}, &Error{Reason: "the token's signing keys are unavailable", Err: fmt.Errorf("%w: %v", ErrKeysUnavailable, s.lastErr)}
	}
	return key{}, notFound(kid)
}

// startFetchLocked reports whether a fetch may start now (none running, none
// within minBetween) and, if so, marks it started. Called with mu held.
func (s *keySet) startFetchLocked() bool {
	if s.running != nil || (!s.tried.IsZero() && s.now().Sub(s.tried) < s.minBetween) {
		return false
	}
	s.tried = s.now()
	s.running = make(chan struct{})
	return true
}

// fetch loads the JWKS and replaces the keys; on failure the old keys stay.
func (s *keySet) fetch(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	byKid, noKid, err := s.load(ctx)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fetches++
	if err != nil {
		s.lastErr = err
		s.log.Warn("cannot fetch JWKS", "url", s.url, "err", err)
	} else {
		s.byKid, s.noKid, s.fetched, s.lastErr = byKid, noKid, s.now(), nil
	}
	close(s.running)
	s.running = nil
}

func (s *keySet) load(ctx context.Context) (map[string]key, []key, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.url, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("JWKS request: %w", err)
	}
	req.Header.Set("Accept", "application/jwk-set+json, application/json")
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, nil, fmt.Errorf("fetch JWKS: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, nil, fmt.Errorf("fetch JWKS: HTTP %d", resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxJWKSBytes+1))
	if err != nil {
		return nil, nil, fmt.Errorf("read JWKS: %w", err)
	}
	if len(body) > maxJWKSBytes {
		return nil, nil, fmt.Errorf("JWKS larger than %d bytes", maxJWKSBytes)
	}
	// Keys are parsed one by one so that one key of a kind we do not know
	// (a newer kty, an encryption key) does not hide the others.
	var doc struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, nil, fmt.Errorf("parse JWKS: %w", err)
	}
	byKid := map[string]key{}
	var noKid []key
	for i, raw := range doc.Keys {
		var jwk jose.JSONWebKey
		if err := jwk.UnmarshalJSON(raw); err != nil {
			s.log.Warn("JWKS key skipped", "index", i, "err", err)
			continue
		}
		k, err := usable(jwk)
		if err != nil {
			continue // not a signature key we can use: tokens naming it are refused
		}
		if jwk.KeyID == "" {
			noKid = append(noKid, k)
		} else {
			byKid[jwk.KeyID] = k
		}
	}
	return byKid, noKid, nil
}

// usable returns the public key of jwk and the algorithms it may verify;
// symmetric keys and encryption keys are not usable, and the error says why.
func usable(jwk jose.JSONWebKey) (key, error) {
	if jwk.Use != "" && jwk.Use != "sig" {
		return key{}, fmt.Errorf("use %q is not \"sig\"", jwk.Use)
	}
	pub := jwk.Public()
	var algs []string
	switch pk := pub.Key.(type) {
	case *rsa.PublicKey:
		algs = []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"}
	case *ecdsa.PublicKey:
		switch pk.Curve {
		case elliptic.P256():
			algs = []string{"ES256"}
		case elliptic.P384():
			algs = []string{"ES384"}
		case elliptic.P521():
			algs = []string{"ES512"}
		}
	case ed25519.PublicKey:
		algs = []string{"EdDSA"}
	}
	if len(algs) == 0 {
		return key{}, fmt.Errorf("key type %T is not an asymmetric signature key", jwk.Key)
	}
	if alg := jwk.Algorithm; alg != "" {
		if alg == "Ed25519" {
			alg = "EdDSA" // RFC 9864's fully-specified name for what JWT calls EdDSA here
		}
		// The key declares its one algorithm: only that, if it fits the key.
		if !(key{algs: algs}).allows(alg) {
			return key{}, fmt.Errorf("alg %q does not fit the key (%s)", jwk.Algorithm, strings.Join(algs, ", "))
		}
		algs = []string{alg}
	}
	return key{public: pub.Key, algs: algs}, nil
}
