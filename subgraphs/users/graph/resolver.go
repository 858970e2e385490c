// Package graph serves the users subgraph over GraphQL: resolvers, entity
// resolvers and the HTTP handler. It depends on the users domain's interfaces
// and its account flows, never on a storage package; cmd/shopgraph joins them.
//
// Authorisation lives here, in the service that owns the data: the public
// profile is for anyone; email, role and addresses only for the owner and
// admins, whether asked through Query.user, Query.me or _entities.
package graph

import (
	"context"

	"github.com/shopgraph/shopgraph/subgraphs/users"
	"github.com/shopgraph/shopgraph/subgraphs/users/accounts"
	"github.com/shopgraph/shopgraph/subgraphs/users/loaders"
)

// Resolver is the dependency-injection root of the users resolvers.
type Resolver struct {
	users    users.UserService
	accounts *accounts.Service
}

// NewResolver returns the resolver root reading through svc and running the
// account flows with acc.
func NewResolver(svc users.UserService, acc *accounts.Service) *Resolver {
	return &Resolver{users: svc, accounts: acc}
}

// loaders returns the request's dataloaders.
func (r *Resolver) loaders(ctx context.Context) *loaders.Loaders {
	return loaders.For(ctx, r.users)
}
