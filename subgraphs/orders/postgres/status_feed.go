package postgres

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/shopgraph/shopgraph/subgraphs/orders"
)

// StatusChannel is the NOTIFY channel of order status changes; the payload
// is the order's id. moveStatus notifies in the transaction that changes the
// status, so a change is heard once it is committed, by every orders process.
const StatusChannel = "order_status"

// StatusFeed hears status changes through LISTEN on one connection of the
// pool and fans them out to the subscribers of each order in this process.
type StatusFeed struct {
	pool *pgxpool.Pool
	log  *slog.Logger

	mu   sync.Mutex
	subs map[string]map[chan struct{}]struct{}
}

var _ orders.StatusFeed = (*StatusFeed)(nil)

// NewStatusFeed returns a feed on pool; Run must run for it to hear anything.
func NewStatusFeed(pool *pgxpool.Pool, logger *slog.Logger) *StatusFeed {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &StatusFeed{pool: pool, log: logger, subs: map[string]map[chan struct{}]struct{}{}}
}

// StatusChanges implements orders.StatusFeed. The channel holds at most one
// signal: changes that come faster than the subscriber reads are one signal,
// and the subscriber reads the order's state anyway.
func (f *StatusFeed) StatusChanges(ctx context.Context, orderID string) (<-chan struct{}, error) {
	ch := make(chan struct{}, 1)
	f.mu.Lock()
	if f.subs[orderID] == nil {
		f.subs[orderID] = map[chan struct{}]struct{}{}
	}
	f.subs[orderID][ch] = struct{}{}
	f.mu.Unlock()
	context.AfterFunc(ctx, func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		delete(f.subs[orderID], ch)
		if len(f.subs[orderID]) == 0 {
			delete(f.subs, orderID)
		}
	})
	return ch, nil
}

// Run listens until ctx ends, listening again after a lost connection. A
// change made while the connection was down is not heard, so once it
// listens again every subscriber is signalled and re-reads its order: one
// whose status moved meanwhile sends it then, the others send nothing.
func (f *StatusFeed) Run(ctx context.Context) {
	for ctx.Err() == nil {
		err := f.listen(ctx)
		if ctx.Err() != nil {
			return
		}
		f.log.Warn("order status listener lost its connection, listening again", "err", err)
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
}

// listen holds one pooled connection in LISTEN and signals each notification.
func (f *StatusFeed) listen(ctx context.Context) error {
	conn, err := f.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("acquire: %w", err)
	}
	// A connection that waited for notifications is not handed back to
	// others: it would still be listening.
	pc := conn.Hijack()
	defer pc.Close(context.WithoutCancel(ctx))
	if _, err := pc.Exec(ctx, "LISTEN "+pgx.Identifier{StatusChannel}.Sanitize()); err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	f.signalAll()
	for {
		n, err := pc.WaitForNotification(ctx)
		if err != nil {
			return fmt.Errorf("wait for notification: %w", err)
		}
		f.signal(n.Payload)
	}
}

// signalAll wakes every subscriber without blocking on any.
func (f *StatusFeed) signalAll() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, chans := range f.subs {
		wake(chans)
	}
}

// signal wakes the subscribers of one order without blocking on any.
func (f *StatusFeed) signal(orderID string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	wake(f.subs[orderID])
}

// wake signals each channel that holds no signal yet.
func wake(chans map[chan struct{}]struct{}) {
	for ch := range chans {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}
