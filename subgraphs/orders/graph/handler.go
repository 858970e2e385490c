package graph

import (
	"log/slog"
	"net/http"

	"github.com/shopgraph/shopgraph/internal/gqlserve"
	"github.com/shopgraph/shopgraph/subgraphs/orders"
	"github.com/shopgraph/shopgraph/subgraphs/orders/graph/generated"
	"github.com/shopgraph/shopgraph/subgraphs/orders/loaders"
)

// NewHandler serves the orders subgraph's GraphQL API over GET and POST at any path,
// with fresh dataloaders for every request.
func NewHandler(svc Stores, catalog orders.Catalog, logger *slog.Logger) http.Handler {
	schema := generated.NewExecutableSchema(generated.Config{Resolvers: NewResolver(svc, catalog)})
	srv := gqlserve.NewHandler("orders", schema, logger,
		gqlserve.BadUserInput(generated.ErrTypeNotFound, generated.ErrUnknownType))
	return loaders.Middleware(svc, srv)
}
