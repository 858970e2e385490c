// Package loaders batches the catalog's reads per request with dataloaders, so the
// variants or reviews of a page of N products cost one query, not N.
package loaders

import (
	"context"
	"net/http"
	"time"

	"github.com/graph-gophers/dataloader/v7"

	"github.com/shopgraph/shopgraph/internal/gqlserve"
	"github.com/shopgraph/shopgraph/subgraphs/catalog"
)

// batchWait is how long a loader collects keys before it queries. gqlgen starts the
// resolvers of a list together, so a short wait catches them all without adding
// much latency.
const batchWait = 5 * time.Millisecond

// Loaders holds one request's dataloaders. A missing entity loads as nil with no
// error; service failures are marked with catalog.Internal.
type Loaders struct {
	ProductByID       *dataloader.Loader[int64, *catalog.Product]
	ProductBySlug     *dataloader.Loader[string, *catalog.Product]
	VariantByID       *dataloader.Loader[int64, *catalog.Variant]
	VariantsByProduct *dataloader.Loader[int64, []*catalog.Variant]
	ReviewByID        *dataloader.Loader[int64, *catalog.Review]
	ReviewsByProduct  *dataloader.Loader[catalog.ReviewPageRequest, catalog.ReviewList]
	ReviewsByAuthor   *dataloader.Loader[catalog.ReviewPageRequest, catalog.ReviewList]
}

// New returns fresh loaders reading through svc. Loaders cache what they load,
// so make new ones for every request.
func New(svc catalog.Service) *Loaders {
	return &Loaders{
		ProductByID:       newLoader(byKey(svc.ProductsByIDs)),
		ProductBySlug:     newLoader(byKey(svc.ProductsBySlugs)),
		VariantByID:       newLoader(byKey(svc.VariantsByIDs)),
		VariantsByProduct: newLoader(byKey(svc.VariantsByProductIDs)),
		ReviewByID:        newLoader(byKey(svc.ReviewsByIDs)),
		ReviewsByProduct:  newLoader(inOrder(svc.ReviewsByProduct)),
		ReviewsByAuthor:   newLoader(inOrder(svc.ReviewsByAuthor)),
	}
}

func newLoader[K comparable, V any](fn dataloader.BatchFunc[K, V]) *dataloader.Loader[K, V] {
	return dataloader.NewBatchedLoader(fn, dataloader.WithWait[K, V](batchWait))
}

// byKey adapts a service method answering a map to a batch function; keys absent
// from the map load as V's zero value.
func byKey[K comparable, V any](load func(context.Context, []K) (map[K]V, error)) dataloader.BatchFunc[K, V] {
	return func(ctx context.Context, keys []K) []*dataloader.Result[V] {
		found, err := load(ctx, keys)
		err = catalog.Internal(err)
		out := make([]*dataloader.Result[V], len(keys))
		for i, k := range keys {
			out[i] = &dataloader.Result[V]{Data: found[k], Error: err}
		}
		return out
	}
}

// inOrder adapts a service method answering in the order of its keys.
func inOrder[K comparable, V any](load func(context.Context, []K) ([]V, error)) dataloader.BatchFunc[K, V] {
	return func(ctx context.Context, keys []K) []*dataloader.Result[V] {
		found, err := load(ctx, keys)
		err = catalog.Internal(err)
		out := make([]*dataloader.Result[V], len(keys))
		for i := range keys {
			var v V
			if err == nil && i < len(found) {
				v = found[i]
			}
			out[i] = &dataloader.Result[V]{Data: v, Error: err}
		}
		return out
	}
}

// Middleware gives each request its own loaders.
func Middleware(svc catalog.Service, next http.Handler) http.Handler {
	return gqlserve.PerRequest(func() *Loaders { return New(svc) }, next)
}

// For returns the request's loaders. Without Middleware it returns loaders that
// still work but batch and cache nothing across calls.
func For(ctx context.Context, svc catalog.Service) *Loaders {
	return gqlserve.FromRequest(ctx, func() *Loaders { return New(svc) })
}
