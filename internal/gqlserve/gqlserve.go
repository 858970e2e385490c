// Package gqlserve builds the gqlgen handler each subgraph serves: GraphQL over
// HTTP as its spec says (transport.go: GET and POST, media types and status
// codes), a query cache, introspection, panic recovery, and an error presenter
// that maps apperr codes to the codes federation clients expect and keeps the
// details of faults in the logs.
package gqlserve

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/shopgraph/shopgraph/internal/apperr"
)

// queryCacheSize is how many parsed operations a handler keeps.
const queryCacheSize = 1000

// Option configures NewHandler.
type Option func(*config)

type config struct {
	badInput []error
}

// BadUserInput makes errors that match any of errs (by errors.Is) client errors
// with code BAD_USER_INPUT and their own message. Subgraphs pass their generated
// package's ErrTypeNotFound and ErrUnknownType, the errors of bad representations.
func BadUserInput(errs ...error) Option {
	return func(c *config) { c.badInput = append(c.badInput, errs...) }
}

// NewHandler serves schema over GET and POST at any path, as GraphQL over HTTP
// says (transport.go). service names the
// subgraph in logs and in the errors of recovered panics.
func NewHandler(service string, schema graphql.ExecutableSchema, logger *slog.Logger, opts ...Option) *handler.Server {
	var cfg config
	for _, opt := range opts {
		opt(&cfg)
	}
	srv := handler.New(schema)
	srv.AddTransport(transport{})
	srv.SetQueryCache(lru.New[*ast.QueryDocument](queryCacheSize))
	srv.Use(extension.Introspection{})
	srv.SetRecoverFunc(func(ctx context.Context, v any) error {
		logger.ErrorContext(ctx, service+": panic in resolver",
			"panic", v, "path", graphql.GetPath(ctx).String(), "stack", string(debug.Stack()))
		return apperr.Service(service).Internal(fmt.Errorf("panic: %v", v))
	})
	srv.SetErrorPresenter(presentError(service, logger, cfg.badInput))
	return srv
}

// presentError turns resolver errors into client errors. Domain errors keep their
// message and get a code; faults, which the loaders and resolvers mark with
// Internal, are logged and shown only as "internal server error", so no SQL or
// connection detail reaches clients; gqlgen's own errors (bad input) pass.
func presentError(service string, logger *slog.Logger, badInput []error) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		var domainErr *apperr.Error
		switch {
		case errors.As(err, &domainErr) && domainErr.Code != apperr.EINTERNAL:
			return clientError(ctx, domainErr.Message, extensionCode(domainErr.Code))
		case domainErr != nil:
			logger.ErrorContext(ctx, service+": request failed", "err", err, "path", graphql.GetPath(ctx).String())
			return clientError(ctx, "internal server error", "INTERNAL_SERVER_ERROR")
		case isAny(err, badInput):
			return clientError(ctx, err.Error(), "BAD_USER_INPUT")
		}
		return graphql.DefaultErrorPresenter(ctx, err)
	}
}

func isAny(err error, targets []error) bool {
	for _, target := range targets {
		if errors.Is(err, target) {
			return true
		}
	}
	return false
}

func clientError(ctx context.Context, message, code string) *gqlerror.Error {
	return &gqlerror.Error{
		Message:    message,
		Path:       graphql.GetPath(ctx),
		Extensions: map[string]any{"code": code},
	}
}

// extensionCode maps domain error codes to the codes federation clients expect.
func extensionCode(code string) string {
	switch code {
	case apperr.EINVALID:
		return "BAD_USER_INPUT"
	case apperr.ENOTFOUND:
		return "NOT_FOUND"
	}
	return "INTERNAL_SERVER_ERROR"
}
