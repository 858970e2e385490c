// Package auth is how every subgraph knows who is asking and what they may do:
// the principal (a user id, a role and a session) in a request's context, the
// checks resolvers make with it (Require, RequireAdmin, RequireSelfOrAdmin), and
// the service credentials of internal, service-to-service calls.
//
// Middleware fills it from a verified `Authorization: Bearer <JWT>` (internal/authn
// checks the signature against the users service's JWKS); tests put one in the
// context directly with With. A request without a token has no principal: it is
// anonymous, which reads may allow and writes refuse. A token that is present but
// refused fails the whole request with 401, as the router does, rather than
// quietly running it as anonymous.
package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/shopgraph/shopgraph/internal/authn"
	"github.com/shopgraph/shopgraph/internal/relay"
)

// Roles a principal has, as the users subgraph's Role enum spells them.
const (
	RoleCustomer = "CUSTOMER"
	RoleAdmin    = "ADMIN"
)

// Principal is a signed-in user.
type Principal struct {
	// UserID is the users subgraph's id of the user.
	UserID int64
	// Role is RoleCustomer or RoleAdmin.
	Role string
	// SessionID is the sign-in the token belongs to (its `sid` claim), if any.
	SessionID string
	// Token is the verified access token itself, for calling another service
	// on the user's behalf (never logged).
	Token string
}

// IsAdmin tells whether p may use admin operations.
func (p Principal) IsAdmin() bool { return p.Role == RoleAdmin }

type key struct{}

// With returns ctx carrying p.
func With(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, key{}, p)
}

// From returns the principal of ctx; ok is false for an anonymous request.
func From(ctx context.Context) (p Principal, ok bool) {
	p, ok = ctx.Value(key{}).(Principal)
	return p, ok
}

// Verifier checks a token; *authn.Verifier is one.
type Verifier interface {
	Verify(ctx context.Context, token string) (*authn.Principal, error)
}

// FromClaims turns a verified token into a principal. The subject is the user's
// id, as a number or as the graph's global User ID; the role claim defaults to
// RoleCustomer and must be one of the known roles.
func FromClaims(c *authn.Principal) (Principal, error) {
	id, err := strconv.ParseInt(c.Subject, 10, 64)
	if err != nil || id <= 0 {
		if id, err = relay.DecodeID("User", c.Subject); err != nil {
			return Principal{}, fmt.Errorf("token subject %q is not a user id", c.Subject)
		}
	}
	role := strings.ToUpper(c.Role)
	switch role {
	case "":
		role = RoleCustomer
	case RoleCustomer, RoleAdmin:
	default:
		return Principal{}, fmt.Errorf("token role %q is not a known role", c.Role)
	}
	sid, _ := c.Claims["sid"].(string)
	return Principal{UserID: id, Role: role, SessionID: sid}, nil
}

// Middleware puts the principal of a request's bearer token in its context
// before next runs. With a nil verifier it passes every request on as anonymous:
// no token is trusted that nobody checked. A refused token is answered with 401
// (503 when the keys cannot be fetched) and a GraphQL error body.
func Middleware(v Verifier, logger *slog.Logger, next http.Handler) http.Handler {
	if v == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, present, err := authn.TokenFromHeader(r.Header, "Authorization", "Bearer")
		if !present {
			next.ServeHTTP(w, r)
			return
		}
		var claims *authn.Principal
		if err == nil {
			claims, err = v.Verify(r.Context(), token)
		}
		if errors.Is(err, authn.ErrKeysUnavailable) {
			logger.WarnContext(r.Context(), "cannot verify token", "err", err)
			writeError(w, http.StatusServiceUnavailable, "SERVICE_UNAVAILABLE", "cannot verify the token now")
			return
		}
		var p Principal
		if err == nil {
			p, err = FromClaims(claims)
			p.Token = token
		}
		if err != nil {
			logger.DebugContext(r.Context(), "token refused", "err", err)
			w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
			writeError(w, http.StatusUnauthorized, "UNAUTHENTICATED", "invalid token: "+err.Error())
			return
		}
		next.ServeHTTP(w, r.WithContext(With(r.Context(), p)))
	})
}

func writeError(w http.ResponseWriter, status int, code, message string) {
	body, _ := json.Marshal(map[string]any{"errors": []map[string]any{{
		"message":    message,
		"extensions": map[string]any{"code": code},
	}}})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// The `iss` and `aud` of the users service's access tokens unless configured
// otherwise; every verifier expects the same.
const (
	DefaultIssuer   = "shopgraph-users"
	DefaultAudience = "shopgraph"
)
