package graph

import (
	"log/slog"
	"net/http"

	"github.com/shopgraph/shopgraph/internal/gqlserve"
	"github.com/shopgraph/shopgraph/subgraphs/catalog"
	"github.com/shopgraph/shopgraph/subgraphs/catalog/graph/generated"
	"github.com/shopgraph/shopgraph/subgraphs/catalog/loaders"
)

// NewHandler serves the catalog subgraph's GraphQL API over GET and POST at any path,
// with fresh dataloaders for every request.
func NewHandler(svc catalog.Service, logger *slog.Logger) http.Handler {
	schema := generated.NewExecutableSchema(generated.Config{Resolvers: NewResolver(svc)})
	srv := gqlserve.NewHandler("catalog", schema, logger,
		gqlserve.BadUserInput(generated.ErrTypeNotFound, generated.ErrUnknownType))
	return loaders.Middleware(svc, srv)
}
