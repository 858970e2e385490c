package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/shopgraph/shopgraph/subgraphs/catalog"
)

// ReviewsByIDs implements catalog.ReviewService.
func (s *Store) ReviewsByIDs(ctx context.Context, ids []int64) (map[int64]*catalog.Review, error) {
	out := make(map[int64]*catalog.Review, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := s.pool.Query(ctx, `
		SELECT id, product_id, author_id, rating, title, body, created_at
		FROM reviews WHERE id = ANY($1)`, ids)
	if err != nil {
		return nil, fmt.Errorf("query reviews by id: %w", err)
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (*catalog.Review, error) {
		var r catalog.Review
		err := row.Scan(&r.ID, &r.ProductID, &r.AuthorID, &r.Rating, &r.Title, &r.Body, &r.CreatedAt)
		return &r, err
	})
	if err != nil {
		return nil, fmt.Errorf("read reviews by id: %w", err)
	}
	for _, r := range list {
		out[r.ID] = r
	}
	return out, nil
}

// ReviewsByProduct implements catalog.ReviewService.
func (s *Store) ReviewsByProduct(ctx context.Context, reqs []catalog.ReviewPageRequest) ([]catalog.ReviewList, error) {
	return s.reviewPages(ctx, reviewPagesByProduct, reqs)
}

// ReviewsByAuthor implements catalog.ReviewService.
func (s *Store) ReviewsByAuthor(ctx context.Context, reqs []catalog.ReviewPageRequest) ([]catalog.ReviewList, error) {
	return s.reviewPages(ctx, reviewPagesByAuthor, reqs)
}

// reviewPagesSQL answers many page requests in one statement: each request is a
// row of the unnested arrays (owner, after, limit), joined laterally to its
// count and to its newest reviews, one more than asked to tell whether more
// follow. {owner} is a column name chosen in code, never input.
const reviewPagesSQL = `
	SELECT k.ord, c.total, r.id, r.product_id, r.author_id, r.rating, r.title, r.body, r.created_at
	FROM unnest($1::bigint[], $2::bigint[], $3::int[]) WITH ORDINALITY AS k(owner_id, after_id, lim, ord)
	CROSS JOIN LATERAL (SELECT count(*) FROM reviews WHERE {owner} = k.owner_id) AS c(total)
	LEFT JOIN LATERAL (
		SELECT * FROM reviews
		WHERE {owner} = k.owner_id AND (k.after_id = 0 OR id < k.after_id)
		ORDER BY id DESC
		LIMIT k.lim + 1
	) AS r ON true
	ORDER BY k.ord, r.id DESC`

var (
	reviewPagesByProduct = strings.ReplaceAll(reviewPagesSQL, "{owner}", "product_id")
	reviewPagesByAuthor  = strings.ReplaceAll(reviewPagesSQL, "{owner}", "author_id")
)

func (s *Store) reviewPages(ctx context.Context, query string, reqs []catalog.ReviewPageRequest) ([]catalog.ReviewList, error) {
	out := make([]catalog.ReviewList, len(reqs))
	if len(reqs) == 0 {
		return out, nil
	}
	owners := make([]int64, len(reqs))
	afters := make([]int64, len(reqs))
	limits := make([]int32, len(reqs))
	for i, r := range reqs {
		owners[i], afters[i], limits[i] = r.OwnerID, r.After, int32(r.First)
	}
	rows, err := s.pool.Query(ctx, query, owners, afters, limits)
	if err != nil {
		return nil, fmt.Errorf("query review pages: %w", err)
	}
	var (
		ord, total int64
		id         *int64
		r          catalog.Review
		productID  *int64
		authorID   *int64
		rating     *int
		title      *string
		body       *string
		createdAt  *time.Time
	)
	_, err = pgx.ForEachRow(rows, []any{&ord, &total, &id, &productID, &authorID, &rating, &title, &body, &createdAt}, func() error {
		list := &out[ord-1]
		list.Total = int(total)
		if id == nil {
			return nil
		}
		if len(list.Reviews) == reqs[ord-1].First {
			list.HasNext = true
			return nil
		}
		r.ID, r.ProductID, r.AuthorID, r.Rating, r.Title, r.Body, r.CreatedAt = *id, *productID, *authorID, *rating, *title, *body, *createdAt
		item := r
		list.Reviews = append(list.Reviews, &item)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read review pages: %w", err)
	}
	return out, nil
}
