package graph

import (
	"context"
	"errors"
	"time"

	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/transport"

	"github.com/shopgraph/shopgraph/internal/auth"
	"github.com/shopgraph/shopgraph/subgraphs/orders"
	"github.com/shopgraph/shopgraph/subgraphs/orders/graph/model"
)

// HandlerOption configures NewHandler.
type HandlerOption func(*Resolver)

// WithStatusFeed serves orderStatusChanged from feed.
func WithStatusFeed(feed orders.StatusFeed) HandlerOption {
	return func(r *Resolver) { r.statusFeed = feed }
}

// addSubscriptions serves subscriptions over graphql-transport-ws (and the
// older graphql-ws) WebSockets, as the router subscribes. The upgrade
// request went through the same authentication as any request, so resolvers
// find the caller in their context.
func addSubscriptions(srv *handler.Server) {
	srv.AddTransport(transport.Websocket{KeepAlivePingInterval: 10 * time.Second})
}

var errNoStatusFeed = errors.New("order status changes are not available on this server")

// orderStatusChanged sends the order each time its status changes, to its
// customer and admins; anyone else gets NOT_FOUND, as if it did not exist.
func (r *Resolver) orderStatusChanged(ctx context.Context, id string) (<-chan *model.Order, error) {
	if r.statusFeed == nil {
		return nil, orders.Internal(errNoStatusFeed)
	}
	if _, err := auth.Require(ctx); err != nil {
		return nil, err
	}
	lctx, cancel := context.WithCancel(ctx)
	first, err := r.readOrder(lctx, id)
	if err != nil || first == nil {
		cancel()
		if err != nil {
			return nil, orders.Internal(err)
		}
		return nil, orders.Errorf(orders.ENOTFOUND, "there is no such order")
	}
	changes, err := r.statusFeed.StatusChanges(lctx, first.Key)
	if err != nil {
		cancel()
		return nil, orders.Internal(err)
	}
	out := make(chan *model.Order, 1)
	go func() {
		defer cancel()
		defer close(out)
		last := first.Status
		// The first pass reads again at once: a change committed between the
		// first read and the start of listening is not missed.
		for again := false; ; again = true {
			if again {
				select {
				case <-lctx.Done():
					return
				case <-changes:
				}
			}
			o, err := r.readOrder(lctx, id)
			if err != nil || o == nil {
				return // gone or no longer readable: the subscription ends
			}
			if o.Status == last {
				continue
			}
			last = o.Status
			select {
			case out <- o:
			case <-lctx.Done():
				return
			}
		}
	}()
	return out, nil
}
