package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/shopgraph/shopgraph/internal/apperr"
	"github.com/shopgraph/shopgraph/subgraphs/orders"
)

var _ orders.CartStore = (*Store)(nil)

// errNoCart is the answer for an id that names no cart, well-formed or not.
func errNoCart() error { return orders.Errorf(orders.ENOTFOUND, "no such cart") }

// parseCartID checks that id is a UUID, the only form a cart id has.
func parseCartID(id string) (uuid.UUID, error) {
	u, err := uuid.Parse(id)
	if err != nil {
		return uuid.UUID{}, errNoCart()
	}
	return u, nil
}

// CreateCart implements orders.CartStore.
func (s *Store) CreateCart(ctx context.Context, userID int64) (*orders.Cart, error) {
	var id string
	var err error
	if userID == 0 {
		err = s.pool.QueryRow(ctx, `INSERT INTO carts DEFAULT VALUES RETURNING id::text`).Scan(&id)
	} else {
		// The user's existing cart, or a new one; concurrent calls agree. The
		// read is a statement of its own: one statement's snapshot would miss a
		// cart another call committed while this insert waited for it.
		err = s.pool.QueryRow(ctx, `
			INSERT INTO carts (user_id) VALUES ($1) ON CONFLICT (user_id) WHERE user_id IS NOT NULL DO NOTHING
			RETURNING id::text`, userID).Scan(&id)
		if errors.Is(err, pgx.ErrNoRows) {
			err = s.pool.QueryRow(ctx, `SELECT id::text FROM carts WHERE user_id = $1`, userID).Scan(&id)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("create cart: %w", err)
	}
	return s.CartByID(ctx, id)
}

// CartByID implements orders.CartStore.
func (s *Store) CartByID(ctx context.Context, id string) (*orders.Cart, error) {
	u, err := parseCartID(id)
	if err != nil {
		return nil, err
	}
	return readCart(ctx, s.pool, u)
}

// CartOfUser implements orders.CartStore.
func (s *Store) CartOfUser(ctx context.Context, userID int64) (*orders.Cart, error) {
	var id uuid.UUID
	err := s.pool.QueryRow(ctx, `SELECT id FROM carts WHERE user_id = $1`, userID).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read cart of user %d: %w", userID, err)
	}
	return readCart(ctx, s.pool, id)
}

// querier is a pool or a transaction.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

func readCart(ctx context.Context, q querier, id uuid.UUID) (*orders.Cart, error) {
	c := &orders.Cart{}
	var user *int64
	err := q.QueryRow(ctx, `SELECT id::text, user_id, created_at, updated_at FROM carts WHERE id = $1`, id).
		Scan(&c.ID, &user, &c.CreatedAt, &c.UpdatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, errNoCart()
	}
	if err != nil {
		return nil, fmt.Errorf("read cart: %w", err)
	}
	if user != nil {
		c.UserID = *user
	}
	rows, err := q.Query(ctx, `
		SELECT id, variant_id, quantity, seen_price_minor, currency FROM cart_lines WHERE cart_id = $1 ORDER BY id`, id)
	if err != nil {
		return nil, fmt.Errorf("read cart lines: %w", err)
	}
	c.Lines, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (orders.CartLine, error) {
		var l orders.CartLine
		err := row.Scan(&l.ID, &l.VariantID, &l.Quantity, &l.SeenPrice, &l.Currency)
		return l, err
	})
	if err != nil {
		return nil, fmt.Errorf("read cart lines: %w", err)
	}
	return c, nil
}

// changeCart locks the cart's row, runs change and returns the cart after it.
func (s *Store) changeCart(ctx context.Context, id string, change func(tx pgx.Tx, u uuid.UUID) error) (*orders.Cart, error) {
	u, err := parseCartID(id)
	if err != nil {
		return nil, err
	}
	var out *orders.Cart
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE carts SET updated_at = now() WHERE id = $1`, u)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return errNoCart()
		}
		if err := change(tx, u); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM cart_lines WHERE cart_id = $1`, u).Scan(&n); err != nil {
			return err
		}
		if n > orders.MaxCartLines {
			return orders.Errorf(orders.EINVALID, "a cart holds at most %d lines", orders.MaxCartLines)
		}
		out, err = readCart(ctx, tx, u)
		return err
	})
	if err != nil {
		return nil, apperr.Wrap(err, "change cart %s", id)
	}
	return out, nil
}

// AddLines implements orders.CartStore.
func (s *Store) AddLines(ctx context.Context, cartID string, lines []orders.LineChange) (*orders.Cart, error) {
	return s.changeCart(ctx, cartID, func(tx pgx.Tx, u uuid.UUID) error {
		for _, l := range lines {
			if _, err := tx.Exec(ctx, `
				INSERT INTO cart_lines (cart_id, variant_id, quantity, seen_price_minor, currency)
				VALUES ($1, $2, least($3::int, $6::int), $4, $5)
				ON CONFLICT (cart_id, variant_id) DO UPDATE SET
					quantity = least(cart_lines.quantity + excluded.quantity, $6::int),
					seen_price_minor = excluded.seen_price_minor, currency = excluded.currency, updated_at = now()`,
				u, l.VariantID, l.Quantity, l.SeenPrice, l.Currency, orders.MaxLineQuantity); err != nil {
				return fmt.Errorf("add variant %d: %w", l.VariantID, err)
			}
		}
		return nil
	})
}

// SetLines implements orders.CartStore.
func (s *Store) SetLines(ctx context.Context, cartID string, lines []orders.LineChange) (*orders.Cart, error) {
	return s.changeCart(ctx, cartID, func(tx pgx.Tx, u uuid.UUID) error {
		for _, l := range lines {
			if l.Quantity == 0 {
				if _, err := tx.Exec(ctx, `DELETE FROM cart_lines WHERE cart_id = $1 AND variant_id = $2`, u, l.VariantID); err != nil {
					return fmt.Errorf("remove variant %d: %w", l.VariantID, err)
				}
				continue
			}
			if _, err := tx.Exec(ctx, `
				INSERT INTO cart_lines (cart_id, variant_id, quantity, seen_price_minor, currency)
				VALUES ($1, $2, least($3::int, $6::int), $4, $5)
				ON CONFLICT (cart_id, variant_id) DO UPDATE SET
					quantity = excluded.quantity, seen_price_minor = excluded.seen_price_minor,
					currency = excluded.currency, updated_at = now()`,
				u, l.VariantID, l.Quantity, l.SeenPrice, l.Currency, orders.MaxLineQuantity); err != nil {
				return fmt.Errorf("set variant %d: %w", l.VariantID, err)
			}
		}
		return nil
	})
}

// SeePrices implements orders.CartStore.
func (s *Store) SeePrices(ctx context.Context, cartID string, lines []orders.LineChange) error {
	u, err := parseCartID(cartID)
	if err != nil {
		return err
	}
	ids, prices, currencies := make([]int64, len(lines)), make([]int64, len(lines)), make([]string, len(lines))
	for i, l := range lines {
		ids[i], prices[i], currencies[i] = l.VariantID, l.SeenPrice, l.Currency
	}
	if _, err := s.pool.Exec(ctx, `
		UPDATE cart_lines c SET seen_price_minor = p.price, currency = p.currency
		FROM unnest($2::bigint[], $3::bigint[], $4::text[]) AS p(variant_id, price, currency)
		WHERE c.cart_id = $1 AND c.variant_id = p.variant_id`, u, ids, prices, currencies); err != nil {
		return fmt.Errorf("record seen prices of cart %s: %w", cartID, err)
	}
	return nil
}

// AttachToUser implements orders.CartStore. Both carts' rows are locked, the
// user's first, so that a merge and a checkout of either never interleave.
func (s *Store) AttachToUser(ctx context.Context, cartID string, userID int64, capOf func(variantID int64) int) (*orders.Cart, error) {
	guest, err := parseCartID(cartID)
	if err != nil {
		return nil, err
	}
	var out *orders.Cart
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var mine *uuid.UUID
		err := tx.QueryRow(ctx, `SELECT id FROM carts WHERE user_id = $1 FOR UPDATE`, userID).Scan(&mine)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		var owner *int64
		err = tx.QueryRow(ctx, `SELECT user_id FROM carts WHERE id = $1 FOR UPDATE`, guest).Scan(&owner)
		if errors.Is(err, pgx.ErrNoRows) {
			return errNoCart()
		}
		if err != nil {
			return err
		}
		switch {
		case owner != nil && *owner == userID:
			// Already the user's.
		case owner != nil:
			// Another user's cart: as if it did not exist.
			return errNoCart()
		case mine == nil:
			if _, err := tx.Exec(ctx, `UPDATE carts SET user_id = $2, updated_at = now() WHERE id = $1`, guest, userID); err != nil {
				return err
			}
			mine = &guest
		default:
			from, err := readCart(ctx, tx, guest)
			if err != nil {
				return err
			}
			into, err := readCart(ctx, tx, *mine)
			if err != nil {
				return err
			}
			have := map[int64]int{}
			for _, l := range into.Lines {
				have[l.VariantID] = l.Quantity
			}
			for _, l := range from.Lines {
				q := min(have[l.VariantID]+l.Quantity, orders.MaxLineQuantity)
				if c := capOf(l.VariantID); q > c {
					q = max(c, have[l.VariantID])
				}
				if q <= 0 {
					continue
				}
				if _, err := tx.Exec(ctx, `
					INSERT INTO cart_lines (cart_id, variant_id, quantity, seen_price_minor, currency)
					VALUES ($1, $2, $3, $4, $5)
					ON CONFLICT (cart_id, variant_id) DO UPDATE SET quantity = excluded.quantity, updated_at = now()`,
					*mine, l.VariantID, q, l.SeenPrice, l.Currency); err != nil {
					return fmt.Errorf("merge variant %d: %w", l.VariantID, err)
				}
			}
			if _, err := tx.Exec(ctx, `DELETE FROM carts WHERE id = $1`, guest); err != nil {
				return err
			}
		}
		out, err = readCart(ctx, tx, *mine)
		return err
	})
	if err != nil {
		return nil, apperr.Wrap(err, "attach cart %s to user %d", cartID, userID)
	}
	return out, nil
}
