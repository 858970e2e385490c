package postgres

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/shopgraph/shopgraph/internal/pg/pgtest"
	"github.com/shopgraph/shopgraph/subgraphs/orders"
)

// waitListeners waits until n connections of this database sit in LISTEN.
func waitListeners(t *testing.T, pool *pgxpool.Pool, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		var got int
		err := pool.QueryRow(t.Context(), `SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND query LIKE 'LISTEN %'`).Scan(&got)
		if err != nil {
			t.Fatal(err)
		}
		if got >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d listeners, want %d", got, n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func waitSignal(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(5 * time.Second):
		t.Fatalf("%s: no signal", what)
	}
}

// TestStatusChangesReachEveryReplica runs two feeds, as two orders
// processes would, and moves an order's status: both hear it, once it is
// committed, and a subscriber of another order hears nothing.
func TestStatusChangesReachEveryReplica(t *testing.T) {
	t.Parallel()
	pool := pgtest.New(t, Migrations())
	s := New(pool)
	o := place(t, s, newOrder(11, "key-feed"))
	other := place(t, s, newOrder(12, "key-feed-other"))

	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	a, b := NewStatusFeed(pool, nil), NewStatusFeed(pool, nil)
	go a.Run(ctx)
	go b.Run(ctx)
	waitListeners(t, pool, 2)

	onA, _ := a.StatusChanges(ctx, o.ID)
	onB, _ := b.StatusChanges(ctx, o.ID)
	onOther, _ := a.StatusChanges(ctx, other.ID)
	if _, err := s.Transition(ctx, o.ID, orders.StatusFulfilled, orders.ActorAdmin, ""); err != nil {
		t.Fatal(err)
	}
	waitSignal(t, onA, "replica a")
	waitSignal(t, onB, "replica b")
	select {
	case <-onOther:
		t.Error("the subscriber of another order was signalled")
	case <-time.After(100 * time.Millisecond):
	}

	// A refused move changes nothing and tells no one.
	if _, err := s.Transition(ctx, o.ID, orders.StatusPaid, orders.ActorAdmin, ""); err == nil {
		t.Fatal("moving back to PAID was allowed")
	}
	select {
	case <-onA:
		t.Error("a refused move was signalled")
	case <-time.After(100 * time.Millisecond):
	}

	// A subscriber whose context ended is forgotten.
	sctx, stop := context.WithCancel(ctx)
	_, _ = a.StatusChanges(sctx, o.ID)
	stop()
	deadline := time.Now().Add(time.Second)
	for {
		a.mu.Lock()
		n := len(a.subs[o.ID])
		a.mu.Unlock()
		if n == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d subscribers of the order, want 1", n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestStatusFeedCatchesUpAfterALostConnection: a change made while the
// listening connection is down is not heard, so the feed signals every
// subscriber once it listens again, and they re-read their orders.
func TestStatusFeedCatchesUpAfterALostConnection(t *testing.T) {
	t.Parallel()
	pool := pgtest.New(t, Migrations())
	s := New(pool)
	o := place(t, s, newOrder(13, "key-feed-lost"))
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	feed := NewStatusFeed(pool, nil)
	go feed.Run(ctx)
	waitListeners(t, pool, 1)
	changes, _ := feed.StatusChanges(ctx, o.ID)

	var killed bool
	if err := pool.QueryRow(ctx, `SELECT bool_and(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE datname = current_database() AND query LIKE 'LISTEN %'`).Scan(&killed); err != nil || !killed {
		t.Fatalf("terminate the listener: %v %v", killed, err)
	}
	for deadline := time.Now().Add(5 * time.Second); ; {
		var n int
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND query LIKE 'LISTEN %'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the listener is still there")
		}
		time.Sleep(10 * time.Millisecond)
	}
	// The feed waits a second before it listens again: this change is made
	// while no one listens.
	if _, err := s.Transition(ctx, o.ID, orders.StatusFulfilled, orders.ActorAdmin, ""); err != nil {
		t.Fatal(err)
	}
	select {
	case <-changes:
		t.Fatal("signalled while the feed was not listening")
	case <-time.After(200 * time.Millisecond):
	}
	waitSignal(t, changes, "after listening again")
	waitListeners(t, pool, 1)
}
