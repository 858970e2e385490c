// Package graph serves the orders subgraph over GraphQL: resolvers, entity
// resolvers and the HTTP handler. It depends on the orders domain's interfaces,
// never on a storage package; cmd/shopgraph joins them.
package graph

import (
	"context"

	"github.com/shopgraph/shopgraph/subgraphs/orders"
	"github.com/shopgraph/shopgraph/subgraphs/orders/loaders"
)

// Resolver is the dependency-injection root of the orders resolvers.
type Resolver struct {
	shipping orders.ShippingService
}

// NewResolver returns the resolver root reading through svc.
func NewResolver(svc orders.ShippingService) *Resolver {
	return &Resolver{shipping: svc}
}

// loaders returns the request's dataloaders.
func (r *Resolver) loaders(ctx context.Context) *loaders.Loaders {
	return loaders.For(ctx, r.shipping)
}
