package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/shopgraph/shopgraph/internal/apperr"
	"github.com/shopgraph/shopgraph/subgraphs/orders"
)

var _ orders.SagaStore = (*Store)(nil)

// OrderByKey implements orders.SagaStore.
func (s *Store) OrderByKey(ctx context.Context, key string) (*orders.Order, error) {
	var id uuid.UUID
	err := s.pool.QueryRow(ctx, `SELECT id FROM orders WHERE idempotency_key = $1`, key).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, errNoOrder()
	}
	if err != nil {
		return nil, fmt.Errorf("find order of idempotency key: %w", err)
	}
	return readOrder(ctx, s.pool, id)
}

// leaseFor is the lease_until of a lease taken now.
const leaseFor = `now() + $3::bigint * interval '1 microsecond'`

// TakeLease implements orders.SagaStore.
func (s *Store) TakeLease(ctx context.Context, id string, lease orders.Lease) (*orders.Order, bool, error) {
	u, err := uuid.Parse(id)
	if err != nil {
		return nil, false, errNoOrder()
	}
	tag, err := s.pool.Exec(ctx, `
		UPDATE orders SET lease_token = $2, lease_until = `+leaseFor+`
		WHERE id = $1 AND step <> 'DONE' AND (lease_until <= now() OR lease_token = $2)`,
		u, lease.Token, lease.For.Microseconds())
	if err != nil {
		return nil, false, fmt.Errorf("take lease of order %s: %w", id, err)
	}
	o, err := readOrder(ctx, s.pool, u)
	return o, tag.RowsAffected() == 1, err
}

// Advance implements orders.SagaStore.
func (s *Store) Advance(ctx context.Context, id string, lease orders.Lease, a orders.Advance) (*orders.Order, error) {
	u, err := uuid.Parse(id)
	if err != nil {
		return nil, errNoOrder()
	}
	var failure []byte
	if a.Failure != nil {
		if failure, err = json.Marshal(a.Failure); err != nil {
			return nil, fmt.Errorf("encode failure: %w", err)
		}
	}
	var out *orders.Order
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `
			UPDATE orders SET step = $4, lease_until = `+leaseFor+`, updated_at = now(),
				failure = coalesce($5::jsonb, failure),
				recheck_payment_at = coalesce($6, recheck_payment_at)
			WHERE id = $1 AND lease_token = $2 AND step <> 'DONE'`,
			u, lease.Token, lease.For.Microseconds(), string(a.Step), failure, nullTime(a.RecheckPaymentAt))
		if err != nil {
			return fmt.Errorf("record step: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return orders.ErrLeaseLost
		}
		if a.ChargeID != "" {
			if _, err := tx.Exec(ctx, `
				UPDATE orders SET charge_id = $2, payment_status = 'PAID', number = coalesce(number, nextval('order_numbers'))
				WHERE id = $1`, u, a.ChargeID); err != nil {
				return fmt.Errorf("record charge: %w", err)
			}
		}
		if a.Status != "" {
			if err := moveStatus(ctx, tx, u, a.Status, a.Actor, a.Note); err != nil {
				return err
			}
		}
		if a.TakeFromCart {
			if err := takeFromCart(ctx, tx, u); err != nil {
				return err
			}
		}
		out, err = readOrder(ctx, tx, u)
		return err
	})
	if err != nil {
		return nil, apperr.Wrap(err, "advance order %s to %s", id, a.Step)
	}
	return out, nil
}

// nullTime is t, or NULL for the zero time.
func nullTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// takeFromCart removes an order's quantities from the cart it came from: the
// lines it bought in full go, the others keep what the shopper added since.
func takeFromCart(ctx context.Context, tx pgx.Tx, order uuid.UUID) error {
	if _, err := tx.Exec(ctx, `
		DELETE FROM cart_lines c USING orders o, order_lines l
		WHERE o.id = $1 AND c.cart_id = o.cart_id AND l.order_id = o.id AND c.variant_id = l.variant_id
		  AND c.quantity <= l.quantity`, order); err != nil {
		return fmt.Errorf("empty the cart: %w", err)
	}
	if _, err := tx.Exec(ctx, `
		UPDATE cart_lines c SET quantity = c.quantity - l.quantity, updated_at = now()
		FROM orders o, order_lines l
		WHERE o.id = $1 AND c.cart_id = o.cart_id AND l.order_id = o.id AND c.variant_id = l.variant_id`, order); err != nil {
		return fmt.Errorf("empty the cart: %w", err)
	}
	_, err := tx.Exec(ctx, `UPDATE carts c SET updated_at = now() FROM orders o WHERE o.id = $1 AND c.id = o.cart_id`, order)
	return err
}

// DropLease implements orders.SagaStore.
func (s *Store) DropLease(ctx context.Context, id, token string) error {
	u, err := uuid.Parse(id)
	if err != nil {
		return errNoOrder()
	}
	if _, err := s.pool.Exec(ctx, `UPDATE orders SET lease_until = now() WHERE id = $1 AND lease_token = $2`, u, token); err != nil {
		return fmt.Errorf("drop lease of order %s: %w", id, err)
	}
	return nil
}

// ClaimStale implements orders.SagaStore: FOR UPDATE SKIP LOCKED lets workers
// on several replicas claim side by side, each order by exactly one of them.
func (s *Store) ClaimStale(ctx context.Context, lease orders.Lease, limit int, youngSince time.Time) ([]*orders.Order, error) {
	return s.claim(ctx, `
		UPDATE orders SET lease_token = $1, lease_until = now() + $2::bigint * interval '1 microsecond'
		WHERE id IN (
			SELECT id FROM orders WHERE step <> 'DONE' AND lease_until <= now()
			  AND NOT (step IN ('RESERVING', 'CHARGING') AND updated_at > $4)
			ORDER BY lease_until LIMIT $3 FOR UPDATE SKIP LOCKED)
		RETURNING id`, lease.Token, lease.For.Microseconds(), limit, youngSince)
}

// ClaimPaymentRechecks implements orders.SagaStore.
func (s *Store) ClaimPaymentRechecks(ctx context.Context, lease orders.Lease, limit int) ([]*orders.Order, error) {
	return s.claim(ctx, `
		UPDATE orders SET recheck_payment_at = now() + $1::bigint * interval '1 microsecond'
		WHERE id IN (
			SELECT id FROM orders WHERE recheck_payment_at <= now()
			ORDER BY recheck_payment_at LIMIT $2 FOR UPDATE SKIP LOCKED)
		RETURNING id`, lease.For.Microseconds(), limit)
}

// claim runs an UPDATE ... RETURNING id and reads the orders it returns.
func (s *Store) claim(ctx context.Context, sql string, args ...any) ([]*orders.Order, error) {
	rows, err := s.pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, fmt.Errorf("claim orders: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
	if err != nil {
		return nil, fmt.Errorf("claim orders: %w", err)
	}
	out := make([]*orders.Order, 0, len(ids))
	for _, id := range ids {
		o, err := readOrder(ctx, s.pool, id)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, nil
}

// PaymentRechecked implements orders.SagaStore.
func (s *Store) PaymentRechecked(ctx context.Context, id string) error {
	u, err := uuid.Parse(id)
	if err != nil {
		return errNoOrder()
	}
	if _, err := s.pool.Exec(ctx, `UPDATE orders SET recheck_payment_at = NULL WHERE id = $1`, u); err != nil {
		return fmt.Errorf("clear payment recheck of order %s: %w", id, err)
	}
	return nil
}

// Return implements orders.SagaStore.
func (s *Store) Return(ctx context.Context, id string, to orders.Status, actor orders.Actor, note string, lease orders.Lease) (*orders.Order, error) {
	u, err := uuid.Parse(id)
	if err != nil {
		return nil, errNoOrder()
	}
	if to != orders.StatusCancelled && to != orders.StatusRefunded {
		return nil, orders.Errorf(orders.EINVALID, "a return ends in CANCELLED or REFUNDED, not %s", to)
	}
	var out *orders.Order
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		from, err := lockFinished(ctx, tx, u)
		if err != nil {
			return err
		}
		if err := moveStatus(ctx, tx, u, to, actor, note); err != nil {
			return err
		}
		// Units come back only from an order that had not left the warehouse.
		if _, err := tx.Exec(ctx, `
			UPDATE orders SET step = 'RETURNING', restock = $4, lease_token = $2, lease_until = `+leaseFor+`
			WHERE id = $1`, u, lease.Token, lease.For.Microseconds(), from == orders.StatusPaid); err != nil {
			return err
		}
		out, err = readOrder(ctx, tx, u)
		return err
	})
	if err != nil {
		return nil, apperr.Wrap(err, "return order %s as %s", id, to)
	}
	return out, nil
}
