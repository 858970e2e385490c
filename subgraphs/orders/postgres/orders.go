package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/shopgraph/shopgraph/internal/apperr"
	"github.com/shopgraph/shopgraph/subgraphs/orders"
)

var _ orders.OrderStore = (*Store)(nil)

func errNoOrder() error { return orders.Errorf(orders.ENOTFOUND, "no such order") }

const orderColumns = `id::text, coalesce(number, 0), coalesce(user_id, 0), email, coalesce(cart_id::text, ''), idempotency_key,
	status, payment_status, currency, subtotal_minor, shipping_minor, tax_minor, total_minor,
	shipping_method, shipping_address, created_at, updated_at, step, coalesce(charge_id, ''), failure, restock`

func scanOrder(row pgx.Row) (*orders.Order, error) {
	var o orders.Order
	var status, payment, step string
	var address, failure []byte
	err := row.Scan(&o.ID, &o.Number, &o.UserID, &o.Email, &o.CartID, &o.IdempotencyKey, &status, &payment,
		&o.Currency, &o.Subtotal, &o.Shipping, &o.Tax, &o.Total, &o.ShippingMethod, &address, &o.CreatedAt, &o.UpdatedAt,
		&step, &o.ChargeID, &failure, &o.Restock)
	if err != nil {
		return nil, err
	}
	o.Status, o.PaymentStatus, o.Step = orders.Status(status), orders.PaymentStatus(payment), orders.Step(step)
	if err := json.Unmarshal(address, &o.ShippingAddress); err != nil {
		return nil, fmt.Errorf("decode address of order %s: %w", o.ID, err)
	}
	if failure != nil {
		o.Failure = new(orders.Failure)
		if err := json.Unmarshal(failure, o.Failure); err != nil {
			return nil, fmt.Errorf("decode failure of order %s: %w", o.ID, err)
		}
	}
	return &o, nil
}

// CreateOrder implements orders.OrderStore.
func (s *Store) CreateOrder(ctx context.Context, n orders.NewOrder) (*orders.Order, bool, error) {
	address, err := json.Marshal(n.ShippingAddress)
	if err != nil {
		return nil, false, fmt.Errorf("encode address: %w", err)
	}
	var cart *uuid.UUID
	if n.CartID != "" {
		u, err := parseCartID(n.CartID)
		if err != nil {
			return nil, false, err
		}
		cart = &u
	}
	var user *int64
	if n.UserID != 0 {
		user = &n.UserID
	}
	var id string
	created := false
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `
			INSERT INTO orders (user_id, email, cart_id, idempotency_key, currency, subtotal_minor, shipping_minor,
				tax_minor, total_minor, shipping_method, shipping_address, step, lease_token, lease_until)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $6::bigint + $7::bigint + $8::bigint, $9, $10, 'RESERVING',
				$11, now() + $12::bigint * interval '1 microsecond')
			ON CONFLICT (idempotency_key) DO NOTHING
			RETURNING id::text`,
			user, n.Email, cart, n.IdempotencyKey, n.Currency, n.Subtotal, n.Shipping, n.Tax, n.ShippingMethod, address,
			n.Lease.Token, n.Lease.For.Microseconds()).Scan(&id)
		if errors.Is(err, pgx.ErrNoRows) {
			// Another checkout with this key placed it (perhaps concurrently).
			return nil
		}
		if err != nil {
			return err
		}
		created = true
		rows := make([][]any, len(n.Lines))
		for i, l := range n.Lines {
			rows[i] = []any{id, i, l.VariantID, l.ProductName, l.VariantName, l.SKU, l.UnitPrice, l.Quantity}
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"order_lines"},
			[]string{"order_id", "position", "variant_id", "product_name", "variant_name", "sku", "unit_price_minor", "quantity"},
			pgx.CopyFromRows(rows)); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO order_events (order_id, status, actor) VALUES ($1, 'PENDING', 'SYSTEM')`, id)
		return err
	})
	if err != nil {
		return nil, false, fmt.Errorf("create order: %w", err)
	}
	if !created {
		err := s.pool.QueryRow(ctx, `SELECT id::text FROM orders WHERE idempotency_key = $1`, n.IdempotencyKey).Scan(&id)
		if err != nil {
			return nil, false, fmt.Errorf("read order of key: %w", err)
		}
	}
	o, err := s.OrderByID(ctx, id)
	return o, created, err
}

// lockFinished locks a placed order whose saga is done and returns its status.
func lockFinished(ctx context.Context, tx pgx.Tx, id uuid.UUID) (orders.Status, error) {
	var status, payment, step string
	err := tx.QueryRow(ctx, `SELECT status, payment_status, step FROM orders WHERE id = $1 FOR UPDATE`, id).Scan(&status, &payment, &step)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return "", errNoOrder()
	case err != nil:
		return "", err
	case payment != string(orders.PaymentPaid) && payment != string(orders.PaymentRefunded):
		return "", errNoOrder() // a failed checkout is no order
	case step != string(orders.StepDone):
		return "", orders.Errorf(orders.EINVALID, "the order is still being processed; try again in a moment")
	}
	return orders.Status(status), nil
}

// moveStatus moves the locked order to status to as actor, checked by
// CheckTransition, with the payment status the move implies and an event on
// its timeline.
func moveStatus(ctx context.Context, tx pgx.Tx, id uuid.UUID, to orders.Status, actor orders.Actor, note string) error {
	var status, payment string
	if err := tx.QueryRow(ctx, `SELECT status, payment_status FROM orders WHERE id = $1`, id).Scan(&status, &payment); err != nil {
		return err
	}
	if err := orders.CheckTransition(orders.Status(status), to, actor); err != nil {
		return err
	}
	next := orders.PaymentAfter(orders.PaymentStatus(payment), to)
	if _, err := tx.Exec(ctx, `UPDATE orders SET status = $2, payment_status = $3, updated_at = now() WHERE id = $1`,
		id, string(to), string(next)); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `INSERT INTO order_events (order_id, status, actor, note) VALUES ($1, $2, $3, $4)`,
		id, string(to), string(actor), note); err != nil {
		return err
	}
	// Delivered at commit, and only then, to the listener of every orders
	// process (status_feed.go).
	_, err := tx.Exec(ctx, `SELECT pg_notify($1, $2)`, StatusChannel, id.String())
	return err
}

// OrderByID implements orders.OrderStore.
func (s *Store) OrderByID(ctx context.Context, id string) (*orders.Order, error) {
	u, err := uuid.Parse(id)
	if err != nil {
		return nil, errNoOrder()
	}
	return readOrder(ctx, s.pool, u)
}

func readOrder(ctx context.Context, q querier, id uuid.UUID) (*orders.Order, error) {
	o, err := scanOrder(q.QueryRow(ctx, `SELECT `+orderColumns+` FROM orders WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, errNoOrder()
	}
	if err != nil {
		return nil, fmt.Errorf("read order %s: %w", id, err)
	}
	if err := readDetails(ctx, q, []*orders.Order{o}); err != nil {
		return nil, err
	}
	return o, nil
}

// readDetails fills the lines and timelines of list, two queries in all.
func readDetails(ctx context.Context, q querier, list []*orders.Order) error {
	if len(list) == 0 {
		return nil
	}
	byID := make(map[string]*orders.Order, len(list))
	ids := make([]string, len(list))
	for i, o := range list {
		byID[o.ID], ids[i] = o, o.ID
	}
	rows, err := q.Query(ctx, `
		SELECT order_id::text, variant_id, product_name, variant_name, sku, unit_price_minor, quantity
		FROM order_lines WHERE order_id = ANY($1::uuid[]) ORDER BY order_id, position`, ids)
	if err != nil {
		return fmt.Errorf("read order lines: %w", err)
	}
	var id string
	var l orders.OrderLine
	if _, err := pgx.ForEachRow(rows, []any{&id, &l.VariantID, &l.ProductName, &l.VariantName, &l.SKU, &l.UnitPrice, &l.Quantity}, func() error {
		byID[id].Lines = append(byID[id].Lines, l)
		return nil
	}); err != nil {
		return fmt.Errorf("read order lines: %w", err)
	}
	rows, err = q.Query(ctx, `
		SELECT order_id::text, status, actor, note, created_at FROM order_events
		WHERE order_id = ANY($1::uuid[]) ORDER BY order_id, id`, ids)
	if err != nil {
		return fmt.Errorf("read order timelines: %w", err)
	}
	var e orders.OrderEvent
	var status, actor string
	if _, err := pgx.ForEachRow(rows, []any{&id, &status, &actor, &e.Note, &e.CreatedAt}, func() error {
		e.Status, e.Actor = orders.Status(status), orders.Actor(actor)
		byID[id].Events = append(byID[id].Events, e)
		return nil
	}); err != nil {
		return fmt.Errorf("read order timelines: %w", err)
	}
	return nil
}

// OrdersOfUser implements orders.OrderStore with a keyset page on the user's
// newest-first index, and the page's lines and timelines in two more queries.
func (s *Store) OrdersOfUser(ctx context.Context, userID int64, after string, limit int) (orders.OrderPage, error) {
	cond, args := "true", []any{userID, limit + 1}
	if after != "" {
		u, err := uuid.Parse(after)
		if err != nil {
			return orders.OrderPage{}, orders.Errorf(orders.EINVALID, "invalid cursor")
		}
		cond = "(created_at, id) < (SELECT created_at, id FROM orders WHERE id = $3)"
		args = append(args, u)
	}
	rows, err := s.pool.Query(ctx, `SELECT `+orderColumns+` FROM orders
		WHERE user_id = $1 AND payment_status IN ('PAID', 'REFUNDED') AND `+cond+`
		ORDER BY created_at DESC, id DESC LIMIT $2`, args...)
	if err != nil {
		return orders.OrderPage{}, fmt.Errorf("list orders of user %d: %w", userID, err)
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (*orders.Order, error) { return scanOrder(row) })
	if err != nil {
		return orders.OrderPage{}, fmt.Errorf("list orders of user %d: %w", userID, err)
	}
	page := orders.OrderPage{Orders: list}
	if len(list) > limit {
		page.Orders, page.More = list[:limit], true
	}
	if err := readDetails(ctx, s.pool, page.Orders); err != nil {
		return orders.OrderPage{}, err
	}
	return page, nil
}

// Transition implements orders.OrderStore.
func (s *Store) Transition(ctx context.Context, id string, to orders.Status, actor orders.Actor, note string) (*orders.Order, error) {
	u, err := uuid.Parse(id)
	if err != nil {
		return nil, errNoOrder()
	}
	if to == orders.StatusCancelled || to == orders.StatusRefunded {
		return nil, orders.Errorf(orders.EINVALID, "an order is cancelled or refunded through its return, not moved to %s", to)
	}
	var out *orders.Order
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := lockFinished(ctx, tx, u); err != nil {
			return err
		}
		if err := moveStatus(ctx, tx, u, to, actor, note); err != nil {
			return err
		}
		out, err = readOrder(ctx, tx, u)
		return err
	})
	if err != nil {
		return nil, apperr.Wrap(err, "move order %s to %s", id, to)
	}
	return out, nil
}
