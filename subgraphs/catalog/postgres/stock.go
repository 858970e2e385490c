package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/shopgraph/shopgraph/subgraphs/catalog"
)

// How stock reservations stay correct under any concurrency:
//
//   - The counters never go wrong because every change to stock_reserved is a
//     conditional UPDATE (reserve only where on hand minus reserved covers the
//     line) and migration 002's CHECKs refuse anything below zero or above on hand.
//   - No deadlocks: a transaction takes at most one reservation header lock before
//     any variant lock (or, in the expiry sweep, skips headers locked by others),
//     and takes its variant locks in variant id order, through a FOR UPDATE ...
//     ORDER BY id that runs before the UPDATE touches a row (the UPDATE reads only
//     rows the locking CTE has produced, and so locked).
//   - Idempotency: the header's primary key is the order id. Two reservers of one
//     new order meet at INSERT ... ON CONFLICT DO NOTHING; the second waits for the
//     first to commit or roll back, then reads its reservation or inserts its own.

// reserveStock adds each wanted quantity to its variant's reserved units where
// enough is available, and returns the variants it changed; a variant with too
// little left (or none at all) is not returned. $1 are variant ids in ascending
// order, $2 their quantities.
const reserveStock = `
WITH wanted AS (
    SELECT w.variant_id, w.quantity FROM unnest($1::bigint[], $2::integer[]) AS w(variant_id, quantity)
), locked AS MATERIALIZED (
    SELECT v.id FROM product_variants v WHERE v.id = ANY($1::bigint[]) ORDER BY v.id FOR UPDATE
)
UPDATE product_variants v
SET stock_reserved = v.stock_reserved + w.quantity
FROM wanted w
WHERE v.id = w.variant_id
  AND v.id IN (SELECT l.id FROM locked l)
  AND v.stock_on_hand - v.stock_reserved >= w.quantity
RETURNING v.id`

// returnStock takes the lines of the reservations $1 off their variants' reserved
// units and, when $2 (a sale), off the units on hand too.
const returnStock = `
WITH held AS (
    SELECT l.variant_id, sum(l.quantity)::integer AS quantity
    FROM stock_reservation_lines l WHERE l.order_id = ANY($1::text[])
    GROUP BY l.variant_id
), locked AS MATERIALIZED (
    SELECT v.id FROM product_variants v WHERE v.id IN (SELECT h.variant_id FROM held h) ORDER BY v.id FOR UPDATE
)
UPDATE product_variants v
SET stock_reserved = v.stock_reserved - h.quantity,
    stock_on_hand  = v.stock_on_hand - CASE WHEN $2::boolean THEN h.quantity ELSE 0 END
FROM held h
WHERE v.id = h.variant_id AND v.id IN (SELECT l.id FROM locked l)`

// reservationColumns read a reservation r with its lines in variant id order; due
// is whether it is still reserved but past its expiry.
const reservationColumns = `r.order_id, r.status, r.expires_at, r.created_at, r.updated_at,
    ARRAY(SELECT l.variant_id FROM stock_reservation_lines l WHERE l.order_id = r.order_id ORDER BY l.variant_id),
    ARRAY(SELECT l.quantity FROM stock_reservation_lines l WHERE l.order_id = r.order_id ORDER BY l.variant_id),
    r.status = 'reserved' AND r.expires_at <= now()`

// storedReservation is a reservation as read, with whether it is overdue.
type storedReservation struct {
	catalog.Reservation
	due bool
}

func scanReservation(row pgx.CollectableRow) (*storedReservation, error) {
	var (
		r          storedReservation
		status     string
		variantIDs []int64
		quantities []int32
	)
	if err := row.Scan(&r.OrderID, &status, &r.ExpiresAt, &r.CreatedAt, &r.UpdatedAt, &variantIDs, &quantities, &r.due); err != nil {
		return nil, err
	}
	if len(variantIDs) != len(quantities) {
		return nil, fmt.Errorf("reservation %q: %d variants but %d quantities", r.OrderID, len(variantIDs), len(quantities))
	}
	r.Status = catalog.ReservationStatus(status)
	r.Lines = make([]catalog.ReservationLine, len(variantIDs))
	for i := range variantIDs {
		r.Lines[i] = catalog.ReservationLine{VariantID: variantIDs[i], Quantity: int(quantities[i])}
	}
	return &r, nil
}

// lockReservation reads the order's reservation and locks it for the rest of tx;
// it wraps catalog.ErrReservationNotFound when there is none.
func lockReservation(ctx context.Context, tx pgx.Tx, orderID string) (*storedReservation, error) {
	rows, err := tx.Query(ctx, `SELECT `+reservationColumns+` FROM stock_reservations r WHERE r.order_id = $1 FOR UPDATE`, orderID)
	if err != nil {
		return nil, fmt.Errorf("lock reservation %q: %w", orderID, err)
	}
	r, err := pgx.CollectExactlyOneRow(rows, scanReservation)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("order %q: %w", orderID, catalog.ErrReservationNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("read reservation %q: %w", orderID, err)
	}
	return r, nil
}

// finish moves the reservations orderIDs, all 'reserved' and locked by tx, to
// status, giving their units back (or, for a commit, out of stock) first. It
// returns the new updated_at.
func finish(ctx context.Context, tx pgx.Tx, orderIDs []string, status catalog.ReservationStatus) (time.Time, error) {
	if _, err := tx.Exec(ctx, returnStock, orderIDs, status == catalog.ReservationCommitted); err != nil {
		return time.Time{}, fmt.Errorf("return stock of %d reservations: %w", len(orderIDs), err)
	}
	var updated time.Time
	err := tx.QueryRow(ctx, `
		UPDATE stock_reservations SET status = $2, updated_at = now()
		WHERE order_id = ANY($1::text[]) RETURNING updated_at`, orderIDs, string(status)).Scan(&updated)
	if err != nil {
		return time.Time{}, fmt.Errorf("mark %d reservations %s: %w", len(orderIDs), status, err)
	}
	return updated, nil
}

// restock puts a committed reservation's units back on hand and marks it returned.
func restock(ctx context.Context, tx pgx.Tx, orderID string) (time.Time, error) {
	if _, err := tx.Exec(ctx, restockLines, orderID); err != nil {
		return time.Time{}, fmt.Errorf("put units back on hand: %w", err)
	}
	var updated time.Time
	err := tx.QueryRow(ctx, `UPDATE stock_reservations SET status = 'returned', updated_at = now()
		WHERE order_id = $1 RETURNING updated_at`, orderID).Scan(&updated)
	if err != nil {
		return time.Time{}, fmt.Errorf("mark reservation returned: %w", err)
	}
	return updated, nil
}

// expireNow releases an overdue reservation found by Reserve or Commit, commits
// tx, and returns the conflict the caller reports.
func expireNow(ctx context.Context, tx pgx.Tx, r *storedReservation, op string) error {
	if _, err := finish(ctx, tx, []string{r.OrderID}, catalog.ReservationExpired); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("commit expiry of %q: %w", r.OrderID, err)
	}
	return &catalog.ReservationConflictError{OrderID: r.OrderID, Status: catalog.ReservationExpired,
		Reason: fmt.Sprintf("cannot %s: the reservation expired at %s", op, r.ExpiresAt.UTC().Format(time.RFC3339))}
}

// Reserve implements catalog.StockService.
func (s *Store) Reserve(ctx context.Context, orderID string, lines []catalog.ReservationLine, ttl time.Duration) (*catalog.Reservation, error) {
	sorted, err := catalog.CheckReservation(orderID, lines, ttl)
	if err != nil {
		return nil, err
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("reserve %q: begin: %w", orderID, err)
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()

	r := catalog.Reservation{OrderID: orderID, Status: catalog.ReservationReserved, Lines: sorted}
	err = tx.QueryRow(ctx, `
		INSERT INTO stock_reservations (order_id, expires_at)
		VALUES ($1, now() + $2::bigint * interval '1 microsecond')
		ON CONFLICT (order_id) DO NOTHING
		RETURNING expires_at, created_at, updated_at`, orderID, ttl.Microseconds()).
		Scan(&r.ExpiresAt, &r.CreatedAt, &r.UpdatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return reserveAgain(ctx, tx, orderID, sorted)
	}
	if err != nil {
		return nil, fmt.Errorf("reserve %q: insert reservation: %w", orderID, err)
	}

	ids := make([]int64, len(sorted))
	quantities := make([]int32, len(sorted))
	for i, l := range sorted {
		ids[i], quantities[i] = l.VariantID, int32(l.Quantity)
	}
	rows, err := tx.Query(ctx, reserveStock, ids, quantities)
	if err != nil {
		return nil, fmt.Errorf("reserve %q: reserve stock: %w", orderID, err)
	}
	changed, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("reserve %q: reserve stock: %w", orderID, err)
	}
	if len(changed) < len(sorted) {
		return nil, shortage(ctx, tx, orderID, lines, sorted, changed)
	}
	if _, err := tx.Exec(ctx, `
		INSERT INTO stock_reservation_lines (order_id, variant_id, quantity)
		SELECT $1, w.variant_id, w.quantity FROM unnest($2::bigint[], $3::integer[]) AS w(variant_id, quantity)`,
		orderID, ids, quantities); err != nil {
		return nil, fmt.Errorf("reserve %q: insert lines: %w", orderID, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("reserve %q: commit: %w", orderID, err)
	}
	return &r, nil
}

// reserveAgain answers a Reserve for an order that already has a reservation.
func reserveAgain(ctx context.Context, tx pgx.Tx, orderID string, sorted []catalog.ReservationLine) (*catalog.Reservation, error) {
	r, err := lockReservation(ctx, tx, orderID)
	if err != nil {
		return nil, err
	}
	switch {
	case !catalog.SameLines(r.Lines, sorted):
		return nil, &catalog.ReservationConflictError{OrderID: orderID, Status: r.Status,
			Reason: "the order already has a reservation with other lines"}
	case r.due:
		return nil, expireNow(ctx, tx, r, "reserve again")
	case r.Status == catalog.ReservationReleased || r.Status == catalog.ReservationExpired:
		return nil, &catalog.ReservationConflictError{OrderID: orderID, Status: r.Status,
			Reason: "the reservation was given up; reserve under a new order id"}
	}
	return &r.Reservation, nil
}

// shortage builds the error for a reservation that stock could not cover, from
// the variants' counts as tx sees them: every variant is locked by tx, so the
// numbers are exact. changed are the variants reserveStock did raise; their own
// increment is taken off again.
func shortage(ctx context.Context, tx pgx.Tx, orderID string, asked, sorted []catalog.ReservationLine, changed []int64) error {
	ids := make([]int64, len(sorted))
	for i, l := range sorted {
		ids[i] = l.VariantID
	}
	rows, err := tx.Query(ctx, `SELECT id, stock_on_hand - stock_reserved FROM product_variants WHERE id = ANY($1::bigint[])`, ids)
	if err != nil {
		return fmt.Errorf("reserve %q: read availability: %w", orderID, err)
	}
	available := map[int64]int{}
	var (
		id int64
		n  int
	)
	if _, err := pgx.ForEachRow(rows, []any{&id, &n}, func() error { available[id] = n; return nil }); err != nil {
		return fmt.Errorf("reserve %q: read availability: %w", orderID, err)
	}
	raised := map[int64]bool{}
	for _, id := range changed {
		raised[id] = true
	}
	for i, l := range asked {
		if _, ok := available[l.VariantID]; !ok {
			return &catalog.InvalidStockRequestError{Field: fmt.Sprintf("lines[%d].variantId", i), Message: fmt.Sprintf("no variant %d", l.VariantID)}
		}
	}
	e := &catalog.InsufficientStockError{OrderID: orderID}
	for _, l := range sorted {
		if raised[l.VariantID] {
			continue
		}
		e.Lines = append(e.Lines, catalog.ShortLine{VariantID: l.VariantID, Requested: l.Quantity, Available: max(available[l.VariantID], 0)})
	}
	return e
}

// Release implements catalog.StockService.
func (s *Store) Release(ctx context.Context, orderID string) (*catalog.Reservation, error) {
	return s.settle(ctx, orderID, catalog.ReservationReleased)
}

// Commit implements catalog.StockService.
func (s *Store) Commit(ctx context.Context, orderID string) (*catalog.Reservation, error) {
	return s.settle(ctx, orderID, catalog.ReservationCommitted)
}

// Restock implements catalog.StockService.
func (s *Store) Restock(ctx context.Context, orderID string) (*catalog.Reservation, error) {
	return s.settle(ctx, orderID, catalog.ReservationReturned)
}

// restockLines puts the lines of reservation $1 back on hand.
const restockLines = `
WITH held AS (
    SELECT l.variant_id, l.quantity FROM stock_reservation_lines l WHERE l.order_id = $1
), locked AS MATERIALIZED (
    SELECT v.id FROM product_variants v WHERE v.id IN (SELECT h.variant_id FROM held h) ORDER BY v.id FOR UPDATE
)
UPDATE product_variants v
SET stock_on_hand = v.stock_on_hand + h.quantity
FROM held h
WHERE v.id = h.variant_id AND v.id IN (SELECT l.id FROM locked l)`

// settle moves the order's reservation to to (released, committed, or, from
// committed, returned); calling it again with the same target returns the
// reservation unchanged.
func (s *Store) settle(ctx context.Context, orderID string, to catalog.ReservationStatus) (*catalog.Reservation, error) {
	if err := catalog.CheckOrderID(orderID); err != nil {
		return nil, err
	}
	op, from := "release", catalog.ReservationReserved
	switch to {
	case catalog.ReservationCommitted:
		op = "commit"
	case catalog.ReservationReturned:
		op, from = "restock", catalog.ReservationCommitted
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("%s %q: begin: %w", op, orderID, err)
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	r, err := lockReservation(ctx, tx, orderID)
	if err != nil {
		return nil, err
	}
	switch {
	case r.Status == to,
		to == catalog.ReservationReleased && r.Status == catalog.ReservationExpired:
		return &r.Reservation, nil // done before: idempotent
	case r.Status != from:
		return nil, &catalog.ReservationConflictError{OrderID: orderID, Status: r.Status,
			Reason: fmt.Sprintf("cannot %s it once %s", op, r.Status)}
	case r.due && to == catalog.ReservationCommitted:
		return nil, expireNow(ctx, tx, r, op)
	}
	var updated time.Time
	if to == catalog.ReservationReturned {
		updated, err = restock(ctx, tx, orderID)
	} else {
		updated, err = finish(ctx, tx, []string{orderID}, to)
	}
	if err != nil {
		return nil, fmt.Errorf("%s %q: %w", op, orderID, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("%s %q: commit: %w", op, orderID, err)
	}
	r.Status, r.UpdatedAt = to, updated
	return &r.Reservation, nil
}

// ReleaseExpired implements catalog.StockService. SKIP LOCKED lets replicas sweep
// side by side: each takes the overdue headers no other transaction holds, and a
// header another sweep has just expired no longer matches when its lock is freed.
func (s *Store) ReleaseExpired(ctx context.Context, now time.Time, limit int) ([]*catalog.Reservation, error) {
	if limit <= 0 {
		return nil, &catalog.InvalidStockRequestError{Field: "limit", Message: "must be positive"}
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("release expired: begin: %w", err)
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	rows, err := tx.Query(ctx, `
		SELECT order_id FROM stock_reservations
		WHERE status = 'reserved' AND expires_at <= $1
		ORDER BY expires_at, order_id
		LIMIT $2
		FOR UPDATE SKIP LOCKED`, now, limit)
	if err != nil {
		return nil, fmt.Errorf("release expired: find: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("release expired: find: %w", err)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	if _, err := finish(ctx, tx, ids, catalog.ReservationExpired); err != nil {
		return nil, fmt.Errorf("release expired: %w", err)
	}
	rows, err = tx.Query(ctx, `SELECT `+reservationColumns+` FROM stock_reservations r WHERE r.order_id = ANY($1::text[]) ORDER BY r.expires_at, r.order_id`, ids)
	if err != nil {
		return nil, fmt.Errorf("release expired: read back: %w", err)
	}
	stored, err := pgx.CollectRows(rows, scanReservation)
	if err != nil {
		return nil, fmt.Errorf("release expired: read back: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("release expired: commit: %w", err)
	}
	out := make([]*catalog.Reservation, len(stored))
	for i, r := range stored {
		out[i] = &r.Reservation
	}
	return out, nil
}

var _ catalog.StockService = (*Store)(nil)
