package tokens

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// DefaultTTL is an access token's lifetime when Issuer.TTL is zero: short,
// because an access token cannot be revoked, only left to expire.
const DefaultTTL = 15 * time.Minute

// Issuer signs access tokens with the first key of Keys.
type Issuer struct {
	// Keys sign (the first) and are published (all).
	Keys *KeySet
	// Issuer is the `iss` claim (required).
	Issuer string
	// Audience is the `aud` claim, a single string (required).
	Audience string
	// TTL is the tokens' lifetime (default DefaultTTL).
	TTL time.Duration
	// Now is the clock (default time.Now), for tests.
	Now func() time.Time
}

// AccessClaims is who a token is for.
type AccessClaims struct {
	// Subject is the account id, the `sub` claim (required).
	Subject string
	// Role is the account's role, the `role` claim.
	Role string
	// SessionID is the login session the token belongs to, the `sid` claim
	// (omitted when empty); it lets a session's tokens be told apart in logs.
	SessionID string
}

// Issue returns a signed access token for c and when it expires. The header
// has alg (EdDSA or ES256, by key), typ "JWT" and kid; the claims are sub,
// role, sid, iss, aud, iat, exp and a random jti. There is no nbf: a token is
// valid from iat, which verifiers already check with leeway.
func (i *Issuer) Issue(c AccessClaims) (token string, expiresAt time.Time, err error) {
	if i.Keys == nil || len(i.Keys.keys) == 0 {
		return "", time.Time{}, errors.New("tokens: Issuer.Keys is empty")
	}
	if i.Issuer == "" || i.Audience == "" {
		return "", time.Time{}, errors.New("tokens: Issuer.Issuer and Issuer.Audience are required")
	}
	if i.TTL < 0 {
		return "", time.Time{}, fmt.Errorf("tokens: Issuer.TTL %s is negative", i.TTL)
	}
	if c.Subject == "" {
		return "", time.Time{}, errors.New("tokens: access token without a subject")
	}
	ttl := i.TTL
	if ttl == 0 {
		ttl = DefaultTTL
	}
	now := time.Now
	if i.Now != nil {
		now = i.Now
	}
	// JWT times are whole seconds; expiresAt is what the token says.
	issuedAt := now().Unix()
	expiresAt = time.Unix(issuedAt, 0).Add(ttl).UTC()
	jti, err := randomString(16)
	if err != nil {
		return "", time.Time{}, err
	}
	claims := jwt.MapClaims{
		"sub":  c.Subject,
		"role": c.Role,
		"iss":  i.Issuer,
		"aud":  i.Audience,
		"iat":  issuedAt,
		"exp":  expiresAt.Unix(),
		"jti":  jti,
	}
	if c.SessionID != "" {
		claims["sid"] = c.SessionID
	}
	k := i.Keys.keys[0]
	t := jwt.NewWithClaims(k.method, claims)
	t.Header["kid"] = k.kid
	token, err = t.SignedString(k.private)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("tokens: sign access token with key %s: %w", k.kid, err)
	}
	return token, expiresAt, nil
}

// randomString returns n random bytes, base64url without padding.
func randomString(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("tokens: random bytes: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}
