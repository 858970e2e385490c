// Package authn verifies JWT access tokens against the keys of a JWKS URL (or a
// JWKS given at start-up, for a service verifying its own tokens) and carries
// the verified principal in a request's context.
//
// Signatures are checked with golang-jwt/jwt/v5 and keys parsed with
// go-jose/go-jose/v4 (both small and dependency-free); the key cache is ours so
// that its one security-relevant policy is explicit and tested: keys are
// fetched on first use, re-fetched in the background when older than
// RefreshInterval, and re-fetched at once when a token names an unknown `kid`
// (that is how a rotated key arrives), but never more than once per
// MinRefreshInterval, so a flood of tokens with made-up kids costs the JWKS
// server at most one request per interval.
//
// Only asymmetric algorithms are accepted, and only those the key allows: the
// key's own `alg` when it declares one, else those of its type and curve. So
// `none` and HMAC are refused outright, and a public key can never be used as
// an HMAC secret.
//
// A token is one canonical string: only base64url characters and two dots,
// segments decoded strictly. Otherwise a signed token would have other spellings
// that verify too (a line break inside the signature, non-zero padding bits),
// which matters to anything that keys on the token text. Claims the principal
// is built from (sub, iss, aud, role) must have their registered types: a
// numeric `sub` is refused, not read as an empty subject.
package authn

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Config configures a Verifier.
type Config struct {
	// JWKSURL is where the signing keys are published. Exactly one of
	// JWKSURL and StaticJWKS is set.
	JWKSURL string
	// StaticJWKS is a JWKS document whose keys are parsed once, in
	// NewVerifier, and never fetched: for a service that verifies the tokens
	// it issues itself. A token naming a kid outside it is refused.
	StaticJWKS []byte
	// Issuer, when set, must equal the token's `iss`.
	Issuer string
	// Audiences, when set, must include one of the token's `aud` values.
	Audiences []string
	// Leeway is the clock skew allowed for exp, nbf and iat (default 30 s).
	Leeway time.Duration
	// RefreshInterval is the age after which keys are re-fetched (default 5 min;
	// JWKSURL only, as are MinRefreshInterval, FetchTimeout and Client).
	RefreshInterval time.Duration
	// MinRefreshInterval is the least time between two fetches of the JWKS,
	// whatever kids tokens name (default 5 s).
	MinRefreshInterval time.Duration
	// FetchTimeout bounds one JWKS fetch (default 5 s).
	FetchTimeout time.Duration
	// Client fetches the JWKS (default: a client with no proxy).
	Client *http.Client
	// Now is the clock (default time.Now), for tests.
	Now func() time.Time
	// Logger receives JWKS fetch failures (default: discarded).
	Logger *slog.Logger
}

// Principal is the verified identity of a request.
type Principal struct {
	// Subject is the `sub` claim: the account.
	Subject string
	// Issuer is the `iss` claim.
	Issuer string
	// Audience is the `aud` claim.
	Audience []string
	// Role is the `role` claim, if any.
	Role string
	// Scopes are the space-separated `scope` claim (or the `scp` list).
	Scopes []string
	// ExpiresAt is the `exp` claim.
	ExpiresAt time.Time
	// Claims are all claims of the token.
	Claims map[string]any
}

type principalKey struct{}

// NewContext returns ctx carrying p.
func NewContext(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// FromContext returns the principal of ctx, if a token was verified.
func FromContext(ctx context.Context) (*Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(*Principal)
	return p, ok && p != nil
}

// Error is a refused token. Its message says what was wrong and is safe to show
// to the client: it never contains the token.
type Error struct {
	// Reason is the client-facing message.
	Reason string
	// Err is the cause, for logs.
	Err error
}

func (e *Error) Error() string { return e.Reason }

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// ErrKeysUnavailable means that the JWKS could not be fetched and no cached
// key fits: the token could not be checked, which is the server's fault, not
// the client's.
var ErrKeysUnavailable = errors.New("signing keys unavailable")

// maxTokenBytes bounds a token; real ones are well under 4 KiB, and a bigger
// one is refused before any decoding.
const maxTokenBytes = 16 << 10

// asymmetric are the algorithms ever accepted.
var asymmetric = []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}

// Verifier checks tokens. It is safe for concurrent use.
type Verifier struct {
	cfg  Config
	keys keySource
}

// keySource finds the verification key a token names.
type keySource interface {
	// lookup returns the key for kid ("" when the token names none); its
	// errors are *Error.
	lookup(ctx context.Context, kid string) (key, error)
}

// NewVerifier returns a verifier for cfg. With JWKSURL, keys are fetched on
// first use; with StaticJWKS, they are parsed now and an error names what is
// wrong with them.
func NewVerifier(cfg Config) (*Verifier, error) {
	switch {
	case cfg.JWKSURL != "" && cfg.StaticJWKS != nil:
		return nil, errors.New("authn: JWKSURL and StaticJWKS are both set; set one")
	case cfg.JWKSURL == "" && cfg.StaticJWKS == nil:
		return nil, errors.New("authn: JWKSURL is empty and StaticJWKS is not set; set one")
	}
	if cfg.StaticJWKS != nil {
		keys, err := parseStaticJWKS(cfg.StaticJWKS)
		if err != nil {
			return nil, fmt.Errorf("authn: StaticJWKS: %w", err)
		}
		cfg.StaticJWKS = nil // parsed; the verifier keeps no copy of the document
		setTimeDefaults(&cfg)
		return &Verifier{cfg: cfg, keys: keys}, nil
	}
	if !strings.HasPrefix(cfg.JWKSURL, "http://") && !strings.HasPrefix(cfg.JWKSURL, "https://") {
		return nil, fmt.Errorf("authn: JWKSURL %q is not an http(s) URL", cfg.JWKSURL)
	}
	setTimeDefaults(&cfg)
	if cfg.RefreshInterval <= 0 {
		cfg.RefreshInterval = 5 * time.Minute
	}
	if cfg.MinRefreshInterval <= 0 {
		cfg.MinRefreshInterval = 5 * time.Second
	}
	if cfg.FetchTimeout <= 0 {
		cfg.FetchTimeout = 5 * time.Second
	}
	if cfg.Client == nil {
		cfg.Client = &http.Client{Transport: &http.Transport{Proxy: nil}}
	}
	return &Verifier{cfg: cfg, keys: newKeySet(cfg)}, nil
}

// setTimeDefaults fills the defaults both key sources use.
func setTimeDefaults(cfg *Config) {
	if cfg.Leeway == 0 {
		cfg.Leeway = 30 * time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
}

// Verify checks token's signature, algorithm, times and, when configured,
// issuer and audience, and returns its principal. A refused token's error is an
// *Error; errors.Is(err, ErrKeysUnavailable) tells when the keys could not be had.
func (v *Verifier) Verify(ctx context.Context, token string) (*Principal, error) {
	if len(token) > maxTokenBytes {
		return nil, &Error{Reason: fmt.Sprintf("token larger than %d bytes", maxTokenBytes)}
	}
	if !isTokenText(token) {
		return nil, &Error{Reason: "malformed token", Err: errors.New("token has characters outside base64url and '.'")}
	}
	opts := []jwt.ParserOption{
		jwt.WithStrictDecoding(),
		jwt.WithValidMethods(asymmetric),
		jwt.WithLeeway(v.cfg.Leeway),
		jwt.WithTimeFunc(v.cfg.Now),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
	}
	if v.cfg.Issuer != "" {
		opts = append(opts, jwt.WithIssuer(v.cfg.Issuer))
	}
	if len(v.cfg.Audiences) > 0 {
		opts = append(opts, jwt.WithAudience(v.cfg.Audiences...))
	}
	claims := jwt.MapClaims{}
	tok, err := jwt.NewParser(opts...).ParseWithClaims(token, claims, func(t *jwt.Token) (any, error) {
		if _, ok := t.Header["crit"]; ok {
			// RFC 7515 4.1.11: a token whose crit names extensions the
			// recipient does not implement must be refused; we implement none.
			return nil, &Error{Reason: "token header has crit extensions, which are not supported"}
		}
		kid, _ := t.Header["kid"].(string)
		k, err := v.keys.lookup(ctx, kid)
		if err != nil {
			return nil, err
		}
		if alg := t.Method.Alg(); !k.allows(alg) {
			return nil, &Error{Reason: fmt.Sprintf("algorithm %s is not allowed for signing key %s", alg, quoteKid(kid))}
		}
		return k.public, nil
	})
	if err != nil {
		return nil, classify(tok, err)
	}
	if err := checkClaimTypes(claims); err != nil {
		return nil, err
	}
	return principalOf(claims), nil
}

// isTokenText reports whether s has only the characters of a compact JWS:
// base64url and dots.
func isTokenText(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// checkClaimTypes refuses a token whose principal claims have the wrong JSON
// type; jwt checks iss and aud only when they are required, and sub never.
func checkClaimTypes(c jwt.MapClaims) error {
	bad := func(name string, err error) error {
		return &Error{Reason: fmt.Sprintf("token claim %s has the wrong type", name), Err: err}
	}
	if _, err := c.GetSubject(); err != nil {
		return bad("sub", err)
	}
	if _, err := c.GetIssuer(); err != nil {
		return bad("iss", err)
	}
	if _, err := c.GetAudience(); err != nil {
		return bad("aud", err)
	}
	if r, ok := c["role"]; ok {
		if _, ok := r.(string); !ok {
			return bad("role", jwt.ErrInvalidType)
		}
	}
	return nil
}

// classify turns a parser error into an *Error with a fixed, client-safe reason.
func classify(tok *jwt.Token, err error) error {
	var own *Error
	if errors.As(err, &own) {
		return own
	}
	reason := "invalid token"
	switch {
	case errors.Is(err, ErrKeysUnavailable):
		reason = "the token's signing keys are unavailable"
	case errors.Is(err, jwt.ErrTokenMalformed):
		reason = "malformed token"
	case errors.Is(err, jwt.ErrTokenSignatureInvalid) && tok != nil && tok.Method != nil && !isAsymmetric(tok.Method.Alg()):
		reason = fmt.Sprintf("algorithm %q is not accepted", tok.Method.Alg())
	case errors.Is(err, jwt.ErrTokenSignatureInvalid):
		reason = "invalid token signature"
	case errors.Is(err, jwt.ErrTokenUnverifiable):
		reason = "unsupported token algorithm"
	case errors.Is(err, jwt.ErrTokenExpired):
		reason = "token expired"
	case errors.Is(err, jwt.ErrTokenNotValidYet):
		reason = "token not valid yet"
	case errors.Is(err, jwt.ErrTokenUsedBeforeIssued):
		reason = "token issued in the future"
	case errors.Is(err, jwt.ErrTokenInvalidIssuer):
		reason = "token issuer not accepted"
	case errors.Is(err, jwt.ErrTokenInvalidAudience):
		reason = "token audience not accepted"
	case errors.Is(err, jwt.ErrTokenRequiredClaimMissing):
		reason = "token lacks a required claim"
		var missing []string
		for _, c := range []string{"exp", "iss", "aud"} {
			if strings.Contains(err.Error(), c+" claim is required") {
				missing = append(missing, c)
			}
		}
		if len(missing) > 0 {
			reason = "token lacks the required claim " + strings.Join(missing, ", ")
		}
	case errors.Is(err, jwt.ErrTokenInvalidClaims):
		reason = "invalid token claims"
	}
	return &Error{Reason: reason, Err: err}
}

func isAsymmetric(alg string) bool {
	for _, a := range asymmetric {
		if a == alg {
			return true
		}
	}
	return false
}

// quoteKid quotes a kid for a message; kids come from the client, so a long one
// is cut.
func quoteKid(kid string) string {
	if kid == "" {
		return "(no kid)"
	}
	if len(kid) > 64 {
		kid = kid[:64] + "..."
	}
	return fmt.Sprintf("%q", kid)
}

func principalOf(c jwt.MapClaims) *Principal {
	p := &Principal{Claims: map[string]any(c)}
	p.Subject, _ = c.GetSubject()
	p.Issuer, _ = c.GetIssuer()
	p.Audience, _ = c.GetAudience()
	if exp, _ := c.GetExpirationTime(); exp != nil {
		p.ExpiresAt = exp.Time
	}
	p.Role, _ = c["role"].(string)
	if s, ok := c["scope"].(string); ok {
		p.Scopes = strings.Fields(s)
	} else if l, ok := c["scp"].([]any); ok {
		for _, v := range l {
			if s, ok := v.(string); ok {
				p.Scopes = append(p.Scopes, s)
			}
		}
	}
	return p
}

// TokenFromHeader extracts the token from header name of h, after prefix (an
// auth scheme such as "Bearer", matched case-insensitively; "" for the raw
// value). ok is false when the header is absent; an error means it is present
// but does not hold a token.
func TokenFromHeader(h http.Header, name, prefix string) (token string, ok bool, err error) {
	v := strings.TrimSpace(h.Get(name))
	if v == "" {
		return "", false, nil
	}
	if prefix != "" {
		scheme, rest, found := strings.Cut(v, " ")
		if !found || !strings.EqualFold(scheme, prefix) {
			return "", true, &Error{Reason: fmt.Sprintf("the %s header is not a %s token", http.CanonicalHeaderKey(name), prefix)}
		}
		v = strings.TrimSpace(rest)
	}
	if v == "" {
		return "", true, &Error{Reason: fmt.Sprintf("the %s header holds no token", http.CanonicalHeaderKey(name))}
	}
	return v, true, nil
}
