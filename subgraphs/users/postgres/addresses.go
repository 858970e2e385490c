package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/shopgraph/shopgraph/internal/apperr"
	"github.com/shopgraph/shopgraph/subgraphs/users"
)

var _ users.AddressStore = (*Store)(nil)

const addressColumns = `id, user_id, name, line1, coalesce(line2, ''), city, coalesce(region, ''), postal_code,
	country, coalesce(phone, ''), is_default_shipping, is_default_billing, created_at`

func scanAddress(row pgx.Row) (*users.Address, error) {
	var a users.Address
	err := row.Scan(&a.ID, &a.UserID, &a.Name, &a.Line1, &a.Line2, &a.City, &a.Region, &a.PostalCode,
		&a.Country, &a.Phone, &a.DefaultShipping, &a.DefaultBilling, &a.CreatedAt)
	if err != nil {
		return nil, err
	}
	return &a, nil
}

// AddressesByUserIDs implements users.UserService with one query for the batch.
func (s *Store) AddressesByUserIDs(ctx context.Context, userIDs []int64) (map[int64][]*users.Address, error) {
	out := make(map[int64][]*users.Address, len(userIDs))
	if len(userIDs) == 0 {
		return out, nil
	}
	rows, err := s.pool.Query(ctx, `SELECT `+addressColumns+` FROM addresses WHERE user_id = ANY($1) ORDER BY user_id, id`, userIDs)
	if err != nil {
		return nil, fmt.Errorf("query addresses: %w", err)
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (*users.Address, error) { return scanAddress(row) })
	if err != nil {
		return nil, fmt.Errorf("read addresses: %w", err)
	}
	for _, a := range list {
		out[a.UserID] = append(out[a.UserID], a)
	}
	return out, nil
}

// AddAddress implements users.AddressStore. The user's row is locked so that
// the count and the first-address defaults hold under concurrent adds.
func (s *Store) AddAddress(ctx context.Context, userID int64, in users.AddressInput) (*users.Address, error) {
	var out *users.Address
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var exists bool
		err := tx.QueryRow(ctx, `SELECT true FROM users WHERE id = $1 FOR UPDATE`, userID).Scan(&exists)
		if errors.Is(err, pgx.ErrNoRows) {
			return users.Errorf(users.ENOTFOUND, "no such user")
		}
		if err != nil {
			return err
		}
		// Counted by a statement of its own, whose snapshot is taken once the
		// lock is held: a count in the locking statement would miss the adds of
		// whoever held the lock before, letting a book grow past the limit and
		// a later address take the first one's defaults.
		var n int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM addresses WHERE user_id = $1`, userID).Scan(&n); err != nil {
			return err
		}
		if n >= users.MaxAddresses {
			return users.Errorf(users.EINVALID, "an address book holds at most %d addresses", users.MaxAddresses)
		}
		first := n == 0
		shipping := first || (in.DefaultShipping != nil && *in.DefaultShipping)
		billing := first || (in.DefaultBilling != nil && *in.DefaultBilling)
		if err := clearDefaults(ctx, tx, userID, shipping, billing); err != nil {
			return err
		}
		out, err = scanAddress(tx.QueryRow(ctx, `
			INSERT INTO addresses (user_id, name, line1, line2, city, region, postal_code, country, phone,
				is_default_shipping, is_default_billing)
			VALUES ($1, $2, $3, nullif($4, ''), $5, nullif($6, ''), $7, $8, nullif($9, ''), $10, $11)
			RETURNING `+addressColumns,
			userID, deref(in.Name), deref(in.Line1), deref(in.Line2), deref(in.City), deref(in.Region),
			deref(in.PostalCode), deref(in.Country), deref(in.Phone), shipping, billing))
		return err
	})
	if err != nil {
		return nil, apperr.Wrap(err, "add address")
	}
	return out, nil
}

// UpdateAddress implements users.AddressStore.
func (s *Store) UpdateAddress(ctx context.Context, userID, id int64, in users.AddressInput) (*users.Address, error) {
	var out *users.Address
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		// The user's row is locked first, as AddAddress does, so that changes
		// of one user's defaults run one after the other: otherwise two of them
		// each clear the defaults they see and one fails on the unique index.
		if _, err := tx.Exec(ctx, `SELECT FROM users WHERE id = $1 FOR UPDATE`, userID); err != nil {
			return err
		}
		var owned bool
		if err := tx.QueryRow(ctx, `
			SELECT EXISTS (SELECT 1 FROM addresses WHERE id = $1 AND user_id = $2 FOR UPDATE)`, id, userID).Scan(&owned); err != nil {
			return err
		}
		if !owned {
			return users.Errorf(users.ENOTFOUND, "no such address")
		}
		shipping := in.DefaultShipping != nil && *in.DefaultShipping
		billing := in.DefaultBilling != nil && *in.DefaultBilling
		if err := clearDefaults(ctx, tx, userID, shipping, billing); err != nil {
			return err
		}
		var err error
		out, err = scanAddress(tx.QueryRow(ctx, `
			UPDATE addresses SET
				name = coalesce($3, name), line1 = coalesce($4, line1),
				line2 = CASE WHEN $5::text IS NULL THEN line2 ELSE nullif($5, '') END,
				city = coalesce($6, city),
				region = CASE WHEN $7::text IS NULL THEN region ELSE nullif($7, '') END,
				postal_code = coalesce($8, postal_code), country = coalesce($9, country),
				phone = CASE WHEN $10::text IS NULL THEN phone ELSE nullif($10, '') END,
				is_default_shipping = coalesce($11, is_default_shipping),
				is_default_billing = coalesce($12, is_default_billing)
			WHERE id = $1 AND user_id = $2
			RETURNING `+addressColumns,
			id, userID, in.Name, in.Line1, in.Line2, in.City, in.Region,
			in.PostalCode, in.Country, in.Phone, in.DefaultShipping, in.DefaultBilling))
		return err
	})
	if err != nil {
		return nil, apperr.Wrap(err, "update address %d", id)
	}
	return out, nil
}

// DeleteAddress implements users.AddressStore.
func (s *Store) DeleteAddress(ctx context.Context, userID, id int64) error {
	tag, err := s.pool.Exec(ctx, `DELETE FROM addresses WHERE id = $1 AND user_id = $2`, id, userID)
	if err != nil {
		return fmt.Errorf("delete address %d: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return users.Errorf(users.ENOTFOUND, "no such address")
	}
	return nil
}

// clearDefaults takes the default flags off the user's other addresses before
// one address takes them.
func clearDefaults(ctx context.Context, tx pgx.Tx, userID int64, shipping, billing bool) error {
	if shipping {
		if _, err := tx.Exec(ctx, `UPDATE addresses SET is_default_shipping = false WHERE user_id = $1 AND is_default_shipping`, userID); err != nil {
			return err
		}
	}
	if billing {
		if _, err := tx.Exec(ctx, `UPDATE addresses SET is_default_billing = false WHERE user_id = $1 AND is_default_billing`, userID); err != nil {
			return err
		}
	}
	return nil
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
