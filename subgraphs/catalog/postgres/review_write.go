package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/shopgraph/shopgraph/subgraphs/catalog"
)

// AddReview implements catalog.ReviewWriter. One review per user and product
// holds under concurrency by a transaction-scoped advisory lock on the pair,
// taken before the check in its own statement (so that the check's snapshot
// sees any review committed by a writer that held the lock before). A unique
// index on (product_id, author_id) would make the lock unneeded, but the demo
// data has users with two reviews of a product; a unique violation, should the
// index come, is read as a duplicate too. The rating columns of the product
// follow through the triggers of migration 003.
func (s *Store) AddReview(ctx context.Context, in catalog.NewReview) (*catalog.Review, error) {
	in.Title, in.Body = strings.TrimSpace(in.Title), strings.TrimSpace(in.Body)
	if err := catalog.Invalid(in.Validate()...); err != nil {
		return nil, err
	}
	var r *catalog.Review
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('catalog.review:' || $1::bigint || ':' || $2::bigint, 0))`,
			in.ProductID, in.AuthorID); err != nil {
			return fmt.Errorf("lock review of product %d by user %d: %w", in.ProductID, in.AuthorID, err)
		}
		var productExists, reviewed bool
		err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM products WHERE id = $1),
			EXISTS (SELECT 1 FROM reviews WHERE product_id = $1 AND author_id = $2)`,
			in.ProductID, in.AuthorID).Scan(&productExists, &reviewed)
		if err != nil {
			return fmt.Errorf("check review of product %d by user %d: %w", in.ProductID, in.AuthorID, err)
		}
		switch {
		case !productExists:
			return catalog.Invalid(catalog.FieldError{Code: catalog.CodeNotFound, Field: []string{"productId"}, Message: "no such product"})
		case reviewed:
			return alreadyReviewed()
		}
		rows, err := tx.Query(ctx, `INSERT INTO reviews (product_id, author_id, rating, title, body)
			VALUES ($1, $2, $3, $4, $5)
			RETURNING id, product_id, author_id, rating, title, body, created_at`,
			in.ProductID, in.AuthorID, in.Rating, in.Title, in.Body)
		if err != nil {
			return fmt.Errorf("insert review: %w", err)
		}
		r, err = pgx.CollectExactlyOneRow(rows, func(row pgx.CollectableRow) (*catalog.Review, error) {
			var r catalog.Review
			err := row.Scan(&r.ID, &r.ProductID, &r.AuthorID, &r.Rating, &r.Title, &r.Body, &r.CreatedAt)
			return &r, err
		})
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == uniqueViolation {
			return alreadyReviewed()
		}
		if err != nil {
			return fmt.Errorf("insert review: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

func alreadyReviewed() error {
	return catalog.Invalid(catalog.FieldError{Code: catalog.CodeAlreadyReviewed, Field: []string{"productId"},
		Message: "you have reviewed this product already"})
}

// uniqueViolation is PostgreSQL's SQLSTATE for a duplicate key.
const uniqueViolation = "23505"
