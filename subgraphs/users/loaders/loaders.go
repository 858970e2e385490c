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
}

// New returns fresh loaders reading through svc. Loaders cache what they load,
// so make new ones for every request.
func New(svc users.UserService) *Loaders {
	return &Loaders{
		User: dataloader.NewBatchedLoader(usersByID(svc),
			dataloader.WithWait[int64, *users.User](batchWait)),
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

func usersByID(svc users.UserService) dataloader.BatchFunc[int64, *users.User] {
	return func(ctx context.Context, ids []int64) []*dataloader.Result[*users.User] {
		found, err := svc.UsersByIDs(ctx, ids)
		err = users.Internal(err)
		out := make([]*dataloader.Result[*users.User], len(ids))
		for i, id := range ids {
			out[i] = &dataloader.Result[*users.User]{Data: found[id], Error: err}
		}
		return out
	}
}
