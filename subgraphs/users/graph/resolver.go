// Package graph serves the users subgraph over GraphQL: resolvers, entity
// resolvers and the HTTP handler. It depends on the users domain's interfaces,
// never on a storage package; cmd/shopgraph joins them.
package graph

import (
	"context"

	"github.com/shopgraph/shopgraph/subgraphs/users"
	"github.com/shopgraph/shopgraph/subgraphs/users/loaders"
)

// Resolver is the dependency-injection root of the users resolvers.
type Resolver struct {
	users users.UserService
}

// NewResolver returns the resolver root reading through svc.
func NewResolver(svc users.UserService) *Resolver {
	return &Resolver{users: svc}
}

// loaders returns the request's dataloaders.
func (r *Resolver) loaders(ctx context.Context) *loaders.Loaders {
	return loaders.For(ctx, r.users)
}
