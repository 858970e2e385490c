package graph

import (
	"log/slog"
	"net/http"

	"github.com/shopgraph/shopgraph/internal/gqlserve"
	"github.com/shopgraph/shopgraph/subgraphs/users"
	"github.com/shopgraph/shopgraph/subgraphs/users/accounts"
	"github.com/shopgraph/shopgraph/subgraphs/users/graph/generated"
	"github.com/shopgraph/shopgraph/subgraphs/users/loaders"
)

// NewHandler serves the users subgraph's GraphQL API over GET and POST at any path,
// with fresh dataloaders for every request. Who is asking comes from the
// request's context (internal/auth), the client's address from internal/clientip:
// the caller wraps the handler with both middlewares.
func NewHandler(svc users.UserService, acc *accounts.Service, logger *slog.Logger) http.Handler {
	schema := generated.NewExecutableSchema(generated.Config{Resolvers: NewResolver(svc, acc)})
	srv := gqlserve.NewHandler("users", schema, logger,
		gqlserve.BadUserInput(generated.ErrTypeNotFound, generated.ErrUnknownType))
	return loaders.Middleware(svc, srv)
}
