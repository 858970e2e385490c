package auth

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// Error codes of the top-level errors the checks return; the router passes
// them on in extensions.code.
const (
	CodeUnauthenticated = "UNAUTHENTICATED"
	CodeForbidden       = "FORBIDDEN"
)

// Denied returns a top-level GraphQL error with code at the resolver's path.
func Denied(ctx context.Context, code, message string) error {
	e := &gqlerror.Error{Message: message, Extensions: map[string]any{"code": code}}
	if graphql.GetFieldContext(ctx) != nil {
		e.Path = graphql.GetPath(ctx)
	}
	return e
}

// Require returns the signed-in user, or an UNAUTHENTICATED error.
func Require(ctx context.Context) (Principal, error) {
	p, ok := From(ctx)
	if !ok {
		return p, Denied(ctx, CodeUnauthenticated, "sign in to do this")
	}
	return p, nil
}

// RequireAdmin returns the signed-in admin; anyone else gets UNAUTHENTICATED
// or FORBIDDEN.
func RequireAdmin(ctx context.Context) (Principal, error) {
	p, err := Require(ctx)
	if err != nil {
		return p, err
	}
	if !p.IsAdmin() {
		return p, Denied(ctx, CodeForbidden, "only admins may do this")
	}
	return p, nil
}

// RequireSelfOrAdmin lets through the user userID themself and admins: what
// only an account's owner may see or change.
func RequireSelfOrAdmin(ctx context.Context, userID int64) (Principal, error) {
	p, err := Require(ctx)
	if err != nil {
		return p, err
	}
	if p.UserID != userID && !p.IsAdmin() {
		return p, Denied(ctx, CodeForbidden, "only the account's owner may see or change this")
	}
	return p, nil
}
