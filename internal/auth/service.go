package auth

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// MinServiceTokenLength is the least length of a service credential: 24
// characters of a random token are beyond guessing.
const MinServiceTokenLength = 24

// ServiceCredential checks the credential of service-to-service calls (orders
// reserving stock in catalog). It is a shared secret sent as a bearer token on
// the internal listener paths only: those paths are not behind the router, and
// the public GraphQL path never accepts it, because there every bearer token
// must be a user's signed JWT.
type ServiceCredential struct {
	digest [sha256.Size]byte
}

// NewServiceCredential returns a checker for token, which must be at least
// MinServiceTokenLength characters.
func NewServiceCredential(token string) (*ServiceCredential, error) {
	if len(token) < MinServiceTokenLength {
		return nil, fmt.Errorf("service token: want at least %d characters", MinServiceTokenLength)
	}
	if strings.TrimSpace(token) != token || strings.ContainsAny(token, " \t\r\n") {
		return nil, errors.New("service token: must not contain white space")
	}
	return &ServiceCredential{digest: sha256.Sum256([]byte(token))}, nil
}

// Allows reports whether r carries the credential as a bearer token. The
// comparison is in constant time, over digests so that the token's length does
// not show either.
func (c *ServiceCredential) Allows(r *http.Request) bool {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return false
	}
	got := sha256.Sum256([]byte(strings.TrimSpace(token)))
	return subtle.ConstantTimeCompare(got[:], c.digest[:]) == 1
}

// SetOn puts the credential on an outgoing request; token is the same secret
// the callee checks.
func SetOn(r *http.Request, token string) {
	r.Header.Set("Authorization", "Bearer "+token)
}
