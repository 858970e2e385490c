package graph

import (
	"log/slog"
	"net/http"

	"github.com/shopgraph/shopgraph/internal/gqlserve"
	"github.com/shopgraph/shopgraph/subgraphs/orders"
	"github.com/shopgraph/shopgraph/subgraphs/orders/checkout"
	"github.com/shopgraph/shopgraph/subgraphs/orders/graph/generated"
	"github.com/shopgraph/shopgraph/subgraphs/orders/loaders"
)

// NewHandler serves the orders subgraph's GraphQL API over GET and POST at any path,
// with fresh dataloaders for every request. catalog and co may be nil: then
// carts cannot be priced nor orders placed, and the API says so.
func NewHandler(svc Stores, catalog orders.Catalog, co *checkout.Service, logger *slog.Logger, opts ...HandlerOption) http.Handler {
	r := NewResolver(svc, catalog, co)
	for _, opt := range opts {
		opt(r)
	}
	schema := generated.NewExecutableSchema(generated.Config{Resolvers: r})
	srv := gqlserve.NewHandler("orders", schema, logger,
		gqlserve.BadUserInput(generated.ErrTypeNotFound, generated.ErrUnknownType))
	addSubscriptions(srv)
	return loaders.Middleware(svc, srv)
}
