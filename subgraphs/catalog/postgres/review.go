package postgres

import (
	"context"
	"fmt"
	"slices"
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
	return s.reviewPages(ctx, reviewOwnerProduct, reqs)
}

// ReviewsByAuthor implements catalog.ReviewService.
func (s *Store) ReviewsByAuthor(ctx context.Context, reqs []catalog.ReviewPageRequest) ([]catalog.ReviewList, error) {
	return s.reviewPages(ctx, reviewOwnerAuthor, reqs)
}

// reviewPagesSQL answers many page requests of one order and direction in one
// statement: each request is a row of the unnested arrays (owner, cursor id,
// limit, cursor rating), joined laterally to its count and to its reviews past
// the cursor, one more than asked to tell whether more follow. {owner}, {after}
// and {order} are SQL chosen in code (reviewOrders), never input.
const reviewPagesSQL = `
	SELECT k.ord, c.total, r.id, r.product_id, r.author_id, r.rating, r.title, r.body, r.created_at
	FROM unnest($1::bigint[], $2::bigint[], $3::int[], $4::int[]) WITH ORDINALITY AS k(owner_id, after_id, lim, after_rating, ord)
	CROSS JOIN LATERAL (SELECT count(*) FROM reviews WHERE {owner} = k.owner_id) AS c(total)
	LEFT JOIN LATERAL (
		SELECT * FROM reviews rv
		WHERE rv.{owner} = k.owner_id AND (k.after_id = 0 OR {after})
		ORDER BY {order:rv}
		LIMIT k.lim + 1
	) AS r ON true
	ORDER BY k.ord, {order:r}`

// reviewOrder is the keyset of one order and direction: the condition for the
// rows past the cursor (k.after_rating, k.after_id) and the ORDER BY, with {t}
// standing for the table's alias. Every order ends with the newest first, so
// that reviews of equal rating keep a stable order; going back reverses it.
type reviewOrder struct{ after, order string }

var reviewOrders = map[catalog.ReviewSort][2]reviewOrder{
	catalog.ReviewsNewest: {
		{after: "rv.id < k.after_id", order: "{t}.id DESC"},
		{after: "rv.id > k.after_id", order: "{t}.id ASC"},
	},
	catalog.ReviewsHighest: {
		{after: "(rv.rating, rv.id) < (k.after_rating, k.after_id)", order: "{t}.rating DESC, {t}.id DESC"},
		{after: "(rv.rating, rv.id) > (k.after_rating, k.after_id)", order: "{t}.rating ASC, {t}.id ASC"},
	},
	catalog.ReviewsLowest: {
		{after: "(rv.rating > k.after_rating OR (rv.rating = k.after_rating AND rv.id < k.after_id))", order: "{t}.rating ASC, {t}.id DESC"},
		{after: "(rv.rating < k.after_rating OR (rv.rating = k.after_rating AND rv.id > k.after_id))", order: "{t}.rating DESC, {t}.id ASC"},
	},
}

// reviewPagesQuery returns the statement for pages of owner's reviews
// ("product_id" or "author_id") in sort's order and direction.
func reviewPagesQuery(owner string, sort catalog.ReviewSort, backward bool) (string, error) {
	if sort == "" {
		sort = catalog.ReviewsNewest
	}
	orders, ok := reviewOrders[sort]
	if !ok {
		return "", fmt.Errorf("unknown review sort %q", sort)
	}
	o := orders[0]
	if backward {
		o = orders[1]
	}
	return strings.NewReplacer(
		"{owner}", owner,
		"{after}", o.after,
		"{order:rv}", strings.ReplaceAll(o.order, "{t}", "rv"),
		"{order:r}", strings.ReplaceAll(o.order, "{t}", "r"),
	).Replace(reviewPagesSQL), nil
}

const (
	reviewOwnerProduct = "product_id"
	reviewOwnerAuthor  = "author_id"
)

// reviewPages answers reqs with one statement per order and direction among
// them: one in practice, as a page of products asks for one order.
func (s *Store) reviewPages(ctx context.Context, owner string, reqs []catalog.ReviewPageRequest) ([]catalog.ReviewList, error) {
	out := make([]catalog.ReviewList, len(reqs))
	type group struct {
		sort     catalog.ReviewSort
		backward bool
	}
	groups := map[group][]int{}
	var order []group
	for i, r := range reqs {
		g := group{r.Sort, r.Backward}
		if g.sort == "" {
			g.sort = catalog.ReviewsNewest
		}
		if _, ok := groups[g]; !ok {
			order = append(order, g)
		}
		groups[g] = append(groups[g], i)
	}
	for _, g := range order {
		query, err := reviewPagesQuery(owner, g.sort, g.backward)
		if err != nil {
			return nil, err
		}
		idx := groups[g]
		sub := make([]catalog.ReviewPageRequest, len(idx))
		for j, i := range idx {
			sub[j] = reqs[i]
		}
		lists, err := s.reviewPageGroup(ctx, query, sub)
		if err != nil {
			return nil, err
		}
		for j, i := range idx {
			if g.backward {
				slices.Reverse(lists[j].Reviews)
			}
			out[i] = lists[j]
		}
	}
	return out, nil
}

func (s *Store) reviewPageGroup(ctx context.Context, query string, reqs []catalog.ReviewPageRequest) ([]catalog.ReviewList, error) {
	out := make([]catalog.ReviewList, len(reqs))
	owners := make([]int64, len(reqs))
	afters := make([]int64, len(reqs))
	limits := make([]int32, len(reqs))
	ratings := make([]int32, len(reqs))
	for i, r := range reqs {
		owners[i], afters[i], limits[i], ratings[i] = r.OwnerID, r.After, int32(r.First), int32(r.AfterRating)
	}
	rows, err := s.pool.Query(ctx, query, owners, afters, limits, ratings)
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
