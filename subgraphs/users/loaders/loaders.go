// Package loaders batches the users subgraph's reads per request with dataloaders,
// so a list of N users costs one query, not N.
package loaders

import (
	"context"
	"net/http"
	"time"

	"github.com/graph-gophers/dataloader/v7"

	"github.com/shopgraph/shopgraph/internal/gqlserve"
	"github.com/shopgraph/shopgraph/subgraphs/users"
)

// batchWait is how long a loader collects keys before it queries. gqlgen starts the
// resolvers of a list together, so a short wait catches them all without adding
// much latency.
const batchWait = 2 * time.Millisecond

// Loaders holds one request's dataloaders.
type Loaders struct {
	// User loads users by id; a missing user is nil with no error.
	User *dataloader.Loader[int64, *users.User]
	// Addresses loads address books by user id.
	Addresses *dataloader.Loader[int64, []*users.Address]
}

// New returns fresh loaders reading through svc. Loaders cache what they load,
// so make new ones for every request.
func New(svc users.UserService) *Loaders {
	return &Loaders{
		User: dataloader.NewBatchedLoader(byID(svc.UsersByIDs),
			dataloader.WithWait[int64, *users.User](batchWait)),
		Addresses: dataloader.NewBatchedLoader(byID(svc.AddressesByUserIDs),
			dataloader.WithWait[int64, []*users.Address](batchWait)),
	}
}

// Middleware gives each request its own loaders.
func Middleware(svc users.UserService, next http.Handler) http.Handler {
	return gqlserve.PerRequest(func() *Loaders { return New(svc) }, next)
}

// For returns the request's loaders. Without Middleware it returns loaders that
// still work but batch and cache nothing across calls.
func For(ctx context.Context, svc users.UserService) *Loaders {
	return gqlserve.FromRequest(ctx, func() *Loaders { return New(svc) })
}

// byID turns a batch read keyed by id into a batch function; an id the read
// does not return loads the zero value.
func byID[V any](read func(context.Context, []int64) (map[int64]V, error)) dataloader.BatchFunc[int64, V] {
	return func(ctx context.Context, ids []int64) []*dataloader.Result[V] {
		found, err := read(ctx, ids)
		err = users.Internal(err)
		out := make([]*dataloader.Result[V], len(ids))
		for i, id := range ids {
			out[i] = &dataloader.Result[V]{Data: found[id], Error: err}
		}
		return out
	}
}
