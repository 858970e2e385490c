package postgres

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/shopgraph/shopgraph/internal/pg"
	"github.com/shopgraph/shopgraph/internal/pg/pgtest"
	"github.com/shopgraph/shopgraph/subgraphs/catalog"
)

// stockPool returns a pool of up to conns connections on a fresh migrated database
// with one product whose variants have the given units on hand, and their ids.
func stockPool(t *testing.T, conns int, onHand ...int) (*pgxpool.Pool, []int64) {
	t.Helper()
	u, err := url.Parse(pgtest.NewURL(t, Migrations()))
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("pool_max_conns", strconv.Itoa(conns))
	u.RawQuery = q.Encode()
	pool, err := pg.Open(t.Context(), u.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	ids := make([]int64, len(onHand))
	err = pool.QueryRow(t.Context(), `
		WITH p AS (INSERT INTO products (slug, name) VALUES ('stock-test', 'Stock test') RETURNING id),
		v AS (
			INSERT INTO product_variants (product_id, sku, name, price_minor, currency, weight_grams, stock_on_hand)
			SELECT p.id, 'SKU-' || n, 'Variant ' || n, 1000, 'USD', 100, units
			FROM p, unnest($1::integer[]) WITH ORDINALITY AS u(units, n)
			ORDER BY n
			RETURNING id)
		SELECT array_agg(v.id ORDER BY v.id) FROM v`, onHand).Scan(&ids)
	if err != nil {
		t.Fatal(err)
	}
	return pool, ids
}

// stockOf reads a variant's units on hand and reserved.
func stockOf(t *testing.T, pool *pgxpool.Pool, id int64) (onHand, reserved int) {
	t.Helper()
	if err := pool.QueryRow(context.Background(), `SELECT stock_on_hand, stock_reserved FROM product_variants WHERE id = $1`, id).
		Scan(&onHand, &reserved); err != nil {
		t.Fatal(err)
	}
	return onHand, reserved
}

// wantStock fails the test unless every variant has the units on hand and reserved given as pairs.
func wantStock(t *testing.T, pool *pgxpool.Pool, ids []int64, pairs ...[2]int) {
	t.Helper()
	for i, id := range ids {
		onHand, reserved := stockOf(t, pool, id)
		if onHand != pairs[i][0] || reserved != pairs[i][1] {
			t.Errorf("variant %d: on hand %d, reserved %d; want %d, %d", id, onHand, reserved, pairs[i][0], pairs[i][1])
		}
	}
}

// expire moves an order's expiry into the past.
func expire(t *testing.T, pool *pgxpool.Pool, orderIDs ...string) {
	t.Helper()
	if _, err := pool.Exec(t.Context(), `UPDATE stock_reservations SET expires_at = now() - interval '1 minute' WHERE order_id = ANY($1)`, orderIDs); err != nil {
		t.Fatal(err)
	}
}

func conflictStatus(t *testing.T, err error) catalog.ReservationStatus {
	t.Helper()
	var c *catalog.ReservationConflictError
	if !errors.As(err, &c) {
		t.Fatalf("got %v, want a *ReservationConflictError", err)
	}
	return c.Status
}

func TestReserveHoldsEveryLineOrNone(t *testing.T) {
	t.Parallel()
	pool, ids := stockPool(t, 4, 5, 2)
	s := New(pool)
	a, b := ids[0], ids[1]
	r, err := s.Reserve(t.Context(), "order-1", []catalog.ReservationLine{{VariantID: b, Quantity: 2}, {VariantID: a, Quantity: 3}}, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != catalog.ReservationReserved || !slices.Equal(r.Lines, []catalog.ReservationLine{{VariantID: a, Quantity: 3}, {VariantID: b, Quantity: 2}}) ||
		time.Until(r.ExpiresAt) <= 0 || time.Until(r.ExpiresAt) > time.Minute+5*time.Second {
		t.Errorf("reservation %+v", r)
	}
	wantStock(t, pool, ids, [2]int{5, 3}, [2]int{2, 2})

	tests := []struct {
		name  string
		lines []catalog.ReservationLine
		short []catalog.ShortLine
	}{
		{"one line short", []catalog.ReservationLine{{VariantID: a, Quantity: 1}, {VariantID: b, Quantity: 1}},
			[]catalog.ShortLine{{VariantID: b, Requested: 1, Available: 0}}},
		{"every line short", []catalog.ReservationLine{{VariantID: b, Quantity: 4}, {VariantID: a, Quantity: 3}},
			[]catalog.ShortLine{{VariantID: a, Requested: 3, Available: 2}, {VariantID: b, Requested: 4, Available: 0}}},
	}
	for _, tt := range tests {
		_, err := s.Reserve(t.Context(), "order-2", tt.lines, time.Minute)
		var short *catalog.InsufficientStockError
		if !errors.As(err, &short) || !slices.Equal(short.Lines, tt.short) {
			t.Errorf("%s: got %v, want short lines %+v", tt.name, err, tt.short)
		}
	}
	// Nothing of the refused orders stayed behind.
	wantStock(t, pool, ids, [2]int{5, 3}, [2]int{2, 2})
	if _, err := s.Release(t.Context(), "order-2"); !errors.Is(err, catalog.ErrReservationNotFound) {
		t.Errorf("refused order left a reservation: %v", err)
	}
}

func TestReserveIsIdempotentByOrderID(t *testing.T) {
	t.Parallel()
	pool, ids := stockPool(t, 4, 10, 10)
	s := New(pool)
	ctx := t.Context()
	lines := []catalog.ReservationLine{{VariantID: ids[0], Quantity: 2}, {VariantID: ids[1], Quantity: 1}}
	first, err := s.Reserve(ctx, "order-1", lines, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	again, err := s.Reserve(ctx, "order-1", []catalog.ReservationLine{lines[1], lines[0]}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if !again.CreatedAt.Equal(first.CreatedAt) || !again.ExpiresAt.Equal(first.ExpiresAt) || !slices.Equal(again.Lines, first.Lines) {
		t.Errorf("reserving again gave %+v, want the first reservation %+v", again, first)
	}
	wantStock(t, pool, ids, [2]int{10, 2}, [2]int{10, 1})

	other := [][]catalog.ReservationLine{
		{{VariantID: ids[0], Quantity: 3}, {VariantID: ids[1], Quantity: 1}},
		{{VariantID: ids[0], Quantity: 2}},
	}
	for _, lines := range other {
		if _, err := s.Reserve(ctx, "order-1", lines, time.Minute); conflictStatus(t, err) != catalog.ReservationReserved {
			t.Errorf("other lines %v: %v", lines, err)
		}
	}
	if _, err := s.Commit(ctx, "order-1"); err != nil {
		t.Fatal(err)
	}
	if r, err := s.Reserve(ctx, "order-1", lines, time.Minute); err != nil || r.Status != catalog.ReservationCommitted {
		t.Errorf("reserving a committed order again: %+v, %v", r, err)
	}
	if _, err := s.Reserve(ctx, "order-2", lines, time.Minute); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Release(ctx, "order-2"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Reserve(ctx, "order-2", lines, time.Minute); conflictStatus(t, err) != catalog.ReservationReleased {
		t.Errorf("reserving a released order again: %v", err)
	}
	wantStock(t, pool, ids, [2]int{8, 0}, [2]int{9, 0})
}

func TestReserveRejectsBadInput(t *testing.T) {
	t.Parallel()
	pool, ids := stockPool(t, 2, 10)
	s := New(pool)
	one := []catalog.ReservationLine{{VariantID: ids[0], Quantity: 1}}
	tests := []struct {
		name    string
		orderID string
		lines   []catalog.ReservationLine
		ttl     time.Duration
		field   string
	}{
		{"empty order id", " ", one, time.Minute, "orderId"},
		{"long order id", string(make([]byte, catalog.MaxOrderIDLength+1)), one, time.Minute, "orderId"},
		{"no lines", "o", nil, time.Minute, "lines"},
		{"zero quantity", "o", []catalog.ReservationLine{{VariantID: ids[0], Quantity: 0}}, time.Minute, "lines[0].quantity"},
		{"huge quantity", "o", []catalog.ReservationLine{{VariantID: ids[0], Quantity: catalog.MaxLineQuantity + 1}}, time.Minute, "lines[0].quantity"},
		{"bad variant id", "o", []catalog.ReservationLine{{VariantID: -1, Quantity: 1}}, time.Minute, "lines[0].variantId"},
		{"variant twice", "o", []catalog.ReservationLine{one[0], one[0]}, time.Minute, "lines[1].variantId"},
		{"unknown variant", "o", []catalog.ReservationLine{one[0], {VariantID: ids[0] + 1000, Quantity: 1}}, time.Minute, "lines[1].variantId"},
		{"no ttl", "o", one, 0, "ttl"},
		{"ttl too long", "o", one, catalog.MaxReservationTTL + time.Second, "ttl"},
	}
	for _, tt := range tests {
		_, err := s.Reserve(t.Context(), tt.orderID, tt.lines, tt.ttl)
		var bad *catalog.InvalidStockRequestError
		if !errors.As(err, &bad) || bad.Field != tt.field {
			t.Errorf("%s: got %v, want a bad %s", tt.name, err, tt.field)
		}
	}
	wantStock(t, pool, ids, [2]int{10, 0})
}

func TestCommitAndRelease(t *testing.T) {
	t.Parallel()
	pool, ids := stockPool(t, 4, 10, 4)
	s := New(pool)
	ctx := t.Context()
	lines := []catalog.ReservationLine{{VariantID: ids[0], Quantity: 3}, {VariantID: ids[1], Quantity: 4}}
	for _, order := range []string{"sold", "dropped"} {
		if order == "dropped" {
			lines = lines[:1]
		}
		if _, err := s.Reserve(ctx, order, lines, time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	wantStock(t, pool, ids, [2]int{10, 6}, [2]int{4, 4})

	type step struct {
		op     func(context.Context, string) (*catalog.Reservation, error)
		order  string
		status catalog.ReservationStatus // of the reservation returned, or of the conflict
		fails  bool
	}
	steps := []step{
		{s.Commit, "sold", catalog.ReservationCommitted, false},
		{s.Commit, "sold", catalog.ReservationCommitted, false},    // idempotent
		{s.Release, "sold", catalog.ReservationCommitted, true},    // a sale is final
		{s.Release, "dropped", catalog.ReservationReleased, false}, //
		{s.Release, "dropped", catalog.ReservationReleased, false}, // idempotent
		{s.Commit, "dropped", catalog.ReservationReleased, true},   // released is final
	}
	for i, st := range steps {
		r, err := st.op(ctx, st.order)
		switch {
		case st.fails && conflictStatus(t, err) != st.status:
			t.Errorf("step %d (%s): conflict status %v", i, st.order, err)
		case !st.fails && (err != nil || r.Status != st.status):
			t.Errorf("step %d (%s): %+v, %v; want status %s", i, st.order, r, err, st.status)
		}
	}
	wantStock(t, pool, ids, [2]int{7, 0}, [2]int{0, 0})
	for _, op := range []func(context.Context, string) (*catalog.Reservation, error){s.Commit, s.Release} {
		if _, err := op(ctx, "never-reserved"); !errors.Is(err, catalog.ErrReservationNotFound) {
			t.Errorf("unknown order: %v, want ErrReservationNotFound", err)
		}
	}
}

func TestRestockReturnsACommittedSale(t *testing.T) {
	t.Parallel()
	pool, ids := stockPool(t, 4, 10, 4)
	s := New(pool)
	ctx := t.Context()
	lines := []catalog.ReservationLine{{VariantID: ids[0], Quantity: 3}, {VariantID: ids[1], Quantity: 4}}
	for _, order := range []string{"sold", "held"} {
		if order == "held" {
			lines = lines[:1]
		}
		if _, err := s.Reserve(ctx, order, lines, time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Restock(ctx, "sold"); conflictStatus(t, err) != catalog.ReservationReserved {
		t.Fatalf("restock before commit: %v, want a conflict in state reserved", err)
	}
	if _, err := s.Commit(ctx, "sold"); err != nil {
		t.Fatal(err)
	}
	wantStock(t, pool, ids, [2]int{7, 3}, [2]int{0, 0})
	for range 2 { // the second time changes nothing
		r, err := s.Restock(ctx, "sold")
		if err != nil || r.Status != catalog.ReservationReturned {
			t.Fatalf("restock: %+v, %v", r, err)
		}
		wantStock(t, pool, ids, [2]int{10, 3}, [2]int{4, 0})
	}
	if _, err := s.Commit(ctx, "sold"); conflictStatus(t, err) != catalog.ReservationReturned {
		t.Errorf("commit after restock: %v, want a conflict in state returned", err)
	}
	if _, err := s.Restock(ctx, "never-reserved"); !errors.Is(err, catalog.ErrReservationNotFound) {
		t.Errorf("unknown order: %v, want ErrReservationNotFound", err)
	}
}

func TestExpiredReservationCannotBeCommitted(t *testing.T) {
	t.Parallel()
	pool, ids := stockPool(t, 2, 5)
	s := New(pool)
	ctx := t.Context()
	lines := []catalog.ReservationLine{{VariantID: ids[0], Quantity: 2}}
	if _, err := s.Reserve(ctx, "late", lines, time.Minute); err != nil {
		t.Fatal(err)
	}
	expire(t, pool, "late")
	if _, err := s.Commit(ctx, "late"); conflictStatus(t, err) != catalog.ReservationExpired {
		t.Errorf("commit after expiry: %v", err)
	}
	// The failed commit gave the units back at once, without waiting for the sweep.
	wantStock(t, pool, ids, [2]int{5, 0})
	if r, err := s.Release(ctx, "late"); err != nil || r.Status != catalog.ReservationExpired {
		t.Errorf("release after expiry: %+v, %v; want the expired reservation", r, err)
	}
	if _, err := s.Reserve(ctx, "late", lines, time.Minute); conflictStatus(t, err) != catalog.ReservationExpired {
		t.Errorf("reserve after expiry: %v", err)
	}
	// A reservation found overdue by Reserve itself is expired there too.
	if _, err := s.Reserve(ctx, "late-2", lines, time.Minute); err != nil {
		t.Fatal(err)
	}
	expire(t, pool, "late-2")
	if _, err := s.Reserve(ctx, "late-2", lines, time.Minute); conflictStatus(t, err) != catalog.ReservationExpired {
		t.Errorf("reserve again after expiry: %v", err)
	}
	wantStock(t, pool, ids, [2]int{5, 0})
}

// TestLastUnitsNeverOversold has 50 shoppers race for the last 10 units, each
// with an order of its own, while a watcher checks the counters throughout.
func TestLastUnitsNeverOversold(t *testing.T) {
	t.Parallel()
	const units, shoppers = 10, 50
	pool, ids := stockPool(t, 20, units)
	s := New(pool)
	ctx := t.Context()

	stop := make(chan struct{})
	var watched sync.WaitGroup
	var breaches, checks atomic.Int64
	watched.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			var onHand, reserved int
			if err := pool.QueryRow(ctx, `SELECT stock_on_hand, stock_reserved FROM product_variants WHERE id = $1`, ids[0]).
				Scan(&onHand, &reserved); err != nil {
				t.Errorf("watch: %v", err)
				return
			}
			checks.Add(1)
			if reserved > onHand || reserved < 0 || onHand != units {
				breaches.Add(1)
			}
		}
	})

	var won, short atomic.Int64
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range shoppers {
		wg.Go(func() {
			<-start
			_, err := s.Reserve(ctx, fmt.Sprintf("shopper-%d", i), []catalog.ReservationLine{{VariantID: ids[0], Quantity: 1}}, time.Minute)
			var e *catalog.InsufficientStockError
			switch {
			case err == nil:
				won.Add(1)
			case errors.As(err, &e):
				short.Add(1)
				if len(e.Lines) != 1 || e.Lines[0].Available != 0 {
					t.Errorf("shopper %d: short lines %+v, want none available", i, e.Lines)
				}
			default:
				t.Errorf("shopper %d: %v", i, err)
			}
		})
	}
	close(start)
	wg.Wait()
	close(stop)
	watched.Wait()
	if won.Load() != units || short.Load() != shoppers-units {
		t.Errorf("%d reservations succeeded and %d were short; want %d and %d", won.Load(), short.Load(), units, shoppers-units)
	}
	if breaches.Load() > 0 {
		t.Errorf("%d of %d checks saw reserved > on hand", breaches.Load(), checks.Load())
	}
	wantStock(t, pool, ids, [2]int{units, units})
	var held int
	if err := pool.QueryRow(ctx, `SELECT coalesce(sum(quantity), 0) FROM stock_reservation_lines`).Scan(&held); err != nil || held != units {
		t.Errorf("reservation lines hold %d units (%v), want %d", held, err, units)
	}
}

// TestMultiLineOrdersInMixedOrderDoNotDeadlock races orders over the same three
// variants, each listing them in a random order and then committing or releasing,
// while a sweeper expires some; PostgreSQL would report a deadlock as an error.
func TestMultiLineOrdersInMixedOrderDoNotDeadlock(t *testing.T) {
	t.Parallel()
	const units, orders = 20, 40
	pool, ids := stockPool(t, 20, units, units, units)
	s := New(pool)
	ctx := t.Context()

	var committed, won atomic.Int64
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range orders {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(i), 7))
			lines := []catalog.ReservationLine{{VariantID: ids[0], Quantity: 1}, {VariantID: ids[1], Quantity: 1}, {VariantID: ids[2], Quantity: 1}}
			rng.Shuffle(len(lines), func(a, b int) { lines[a], lines[b] = lines[b], lines[a] })
			order := fmt.Sprintf("order-%d", i)
			<-start
			_, err := s.Reserve(ctx, order, lines, time.Minute)
			var short *catalog.InsufficientStockError
			if errors.As(err, &short) {
				return
			}
			if err != nil {
				t.Errorf("%s: reserve: %v", order, err)
				return
			}
			won.Add(1)
			if i%2 == 1 {
				if _, err := s.Release(ctx, order); err != nil {
					t.Errorf("%s: release: %v", order, err)
				}
				return
			}
			_, err = s.Commit(ctx, order)
			var late *catalog.ReservationConflictError
			switch {
			case err == nil:
				committed.Add(1)
			case errors.As(err, &late) && late.Status == catalog.ReservationExpired:
				// the sweep, which runs an hour ahead, got there first
			default:
				t.Errorf("%s: commit: %v", order, err)
			}
		})
	}
	wg.Go(func() {
		<-start
		for range 20 {
			if _, err := s.ReleaseExpired(ctx, time.Now().Add(time.Hour), 5); err != nil {
				t.Errorf("sweep: %v", err)
				return
			}
		}
	})
	close(start)
	wg.Wait()
	if won.Load() < units {
		t.Errorf("only %d of %d orders got stock though %d units each were there", won.Load(), orders, units)
	}
	// Every reservation is settled now, one way or another; what was sold left stock.
	var sold int
	if err := pool.QueryRow(ctx, `
		SELECT count(*) FROM stock_reservations WHERE status = 'committed'`).Scan(&sold); err != nil {
		t.Fatal(err)
	}
	if int64(sold) != committed.Load() {
		t.Errorf("%d committed reservations, but %d commits succeeded", sold, committed.Load())
	}
	for _, id := range ids {
		onHand, reserved := stockOf(t, pool, id)
		if reserved != 0 || onHand != units-sold {
			t.Errorf("variant %d: on hand %d, reserved %d; want %d, 0", id, onHand, reserved, units-sold)
		}
	}
}

// TestReleaseExpiredOnceAcrossWorkers runs two sweepers at once over 30 overdue
// reservations and 10 live ones: each overdue one is released exactly once.
func TestReleaseExpiredOnceAcrossWorkers(t *testing.T) {
	t.Parallel()
	const overdue, live = 30, 10
	pool, ids := stockPool(t, 8, 100, 100)
	s := New(pool)
	ctx := t.Context()
	var expired []string
	for i := range overdue + live {
		order := fmt.Sprintf("order-%02d", i)
		if _, err := s.Reserve(ctx, order, []catalog.ReservationLine{{VariantID: ids[i%2], Quantity: 1}, {VariantID: ids[1-i%2], Quantity: 2}}, time.Hour); err != nil {
			t.Fatal(err)
		}
		if i < overdue {
			expired = append(expired, order)
		}
	}
	expire(t, pool, expired...)

	var mu sync.Mutex
	seen := map[string]int{}
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			for {
				got, err := s.ReleaseExpired(ctx, time.Now(), 4)
				if err != nil {
					t.Errorf("sweep: %v", err)
					return
				}
				if len(got) == 0 {
					return
				}
				mu.Lock()
				for _, r := range got {
					seen[r.OrderID]++
					if r.Status != catalog.ReservationExpired || len(r.Lines) != 2 {
						t.Errorf("released %+v", r)
					}
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	for _, order := range expired {
		if seen[order] != 1 {
			t.Errorf("%s released %d times, want once", order, seen[order])
		}
	}
	if len(seen) != overdue {
		t.Errorf("released %d reservations, want the %d overdue ones", len(seen), overdue)
	}
	// The live ones still hold 3 units each: 1 + 2 across the two variants.
	wantStock(t, pool, ids, [2]int{100, live / 2 * 3}, [2]int{100, live / 2 * 3})
	if _, err := s.ReleaseExpired(ctx, time.Now(), 0); err == nil {
		t.Error("a limit of 0 was accepted")
	}
}
