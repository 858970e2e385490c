package gqlserve

import (
	"context"
	"net/http"
)

// requestValueKey keys a per-request value by its type, so that values of
// different types never collide in a context.
type requestValueKey[T any] struct{}

// PerRequest gives every request a fresh value from newValue (a subgraph's
// dataloaders, whose caches must not outlive one request) before next serves it.
func PerRequest[T any](newValue func() T, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := context.WithValue(r.Context(), requestValueKey[T]{}, newValue())
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// FromRequest returns the value PerRequest stored for this request; without
// PerRequest in front it returns a new value, which works but shares nothing.
func FromRequest[T any](ctx context.Context, newValue func() T) T {
	if v, ok := ctx.Value(requestValueKey[T]{}).(T); ok {
		return v
	}
	return newValue()
}
