package graph

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/shopgraph/shopgraph/subgraphs/orders"
	"github.com/shopgraph/shopgraph/subgraphs/orders/graph/generated"
	"github.com/shopgraph/shopgraph/subgraphs/orders/loaders"
)

// NewHandler serves the orders subgraph's GraphQL API over GET and POST at any path,
// with fresh dataloaders for every request.
func NewHandler(svc orders.ShippingService, logger *slog.Logger) http.Handler {
	schema := generated.NewExecutableSchema(generated.Config{Resolvers: NewResolver(svc)})
	srv := handler.New(schema)
	srv.AddTransport(transport.GET{})
	srv.AddTransport(transport.POST{})
	srv.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	srv.Use(extension.Introspection{})
	srv.SetRecoverFunc(func(ctx context.Context, v any) error {
		logger.ErrorContext(ctx, "orders: panic in resolver",
			"panic", v, "path", graphql.GetPath(ctx).String(), "stack", string(debug.Stack()))
		return orders.Internal(fmt.Errorf("panic: %v", v))
	})
	srv.SetErrorPresenter(presentError(logger))
	return loaders.Middleware(svc, srv)
}

// presentError turns resolver errors into client errors. Domain errors keep their
// message and get a code; faults, which the loaders and resolvers mark with
// orders.Internal, are logged and shown only as "internal server error", so no SQL
// or connection detail reaches clients; gqlgen's own errors (bad input) pass.
func presentError(logger *slog.Logger) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		var domainErr *orders.Error
		switch {
		case errors.As(err, &domainErr) && domainErr.Code != orders.EINTERNAL:
			return clientError(ctx, domainErr.Message, extensionCode(domainErr.Code))
		case domainErr != nil:
			logger.ErrorContext(ctx, "orders: request failed", "err", err, "path", graphql.GetPath(ctx).String())
			return clientError(ctx, "internal server error", "INTERNAL_SERVER_ERROR")
		case errors.Is(err, generated.ErrTypeNotFound), errors.Is(err, generated.ErrUnknownType):
			return clientError(ctx, err.Error(), "BAD_USER_INPUT")
		}
		return graphql.DefaultErrorPresenter(ctx, err)
	}
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
	case orders.EINVALID:
		return "BAD_USER_INPUT"
	case orders.ENOTFOUND:
		return "NOT_FOUND"
	}
	return "INTERNAL_SERVER_ERROR"
}
