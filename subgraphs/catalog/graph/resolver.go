// Package graph serves the catalog subgraph over GraphQL: resolvers, entity
// resolvers and the HTTP handler. It depends on the catalog domain's interfaces,
// never on a storage package; cmd/shopgraph joins them.
package graph

import (
	"context"

	"github.com/shopgraph/shopgraph/subgraphs/catalog"
	"github.com/shopgraph/shopgraph/subgraphs/catalog/loaders"
)

// Page sizes of the catalog's connections.
const (
	defaultProductsPage = 20
	defaultReviewsPage  = 10
	// MaxPageSize is the largest first a connection accepts; more is an error.
	MaxPageSize = 100
)

// Resolver is the dependency-injection root of the catalog resolvers.
type Resolver struct {
	svc catalog.Service
}

// NewResolver returns the resolver root reading through svc.
func NewResolver(svc catalog.Service) *Resolver {
	return &Resolver{svc: svc}
}

// loaders returns the request's dataloaders.
func (r *Resolver) loaders(ctx context.Context) *loaders.Loaders {
	return loaders.For(ctx, r.svc)
}
