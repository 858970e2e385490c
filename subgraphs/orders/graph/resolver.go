// Package graph serves the orders subgraph over GraphQL: resolvers, entity
// resolvers and the HTTP handler. It depends on the orders domain's interfaces,
// never on a storage package; cmd/shopgraph joins them.
package graph

import (
	"context"

	"github.com/shopgraph/shopgraph/subgraphs/orders"
	"github.com/shopgraph/shopgraph/subgraphs/orders/checkout"
	"github.com/shopgraph/shopgraph/subgraphs/orders/loaders"
)

// Stores is what the orders database answers.
type Stores interface {
	orders.ShippingService
	orders.CartStore
	orders.TaxService
	orders.OrderStore
}

// Resolver is the dependency-injection root of the orders resolvers.
type Resolver struct {
	shipping orders.ShippingService
	carts    orders.CartStore
	tax      orders.TaxService
	orders   orders.OrderStore
	// catalog prices carts; nil when the orders service has no catalog
	// configured, and then cart prices fail with a clear error.
	catalog orders.Catalog
	// checkout places and returns orders; nil (without a catalog) refuses
	// checkouts with a clear error.
	checkout *checkout.Service
	// statusFeed tells of status changes for orderStatusChanged; nil
	// refuses that subscription with a clear error (subscription.go).
	statusFeed orders.StatusFeed
}

// NewResolver returns the resolver root reading through svc and the catalog,
// placing orders through co.
func NewResolver(svc Stores, catalog orders.Catalog, co *checkout.Service) *Resolver {
	return &Resolver{shipping: svc, carts: svc, tax: svc, orders: svc, catalog: catalog, checkout: co}
}

// loaders returns the request's dataloaders.
func (r *Resolver) loaders(ctx context.Context) *loaders.Loaders {
	return loaders.For(ctx, r.shipping)
}
