package postgres

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/shopgraph/shopgraph/subgraphs/catalog"
)

// Broad searches at scale. Ranking by ts_rank reads every match's row, and a
// search such as "kettleb" matches 45,000 of a million products: 250 ms. So a
// search the sample estimates at countPolicy.rankBelow matches or more (only in
// a catalog large enough to be sampled) is ordered by tiers instead:
//
//  1. products whose name matches the search,
//  2. products matching it elsewhere (the description),
//
// newest first within a tier. A page then needs only its own rows: a tier with
// many matches is found by walking the newest-first index and checking each
// row (at 0.5% density, about 5,000 rows for a page), a tier with few through
// its GIN index and a sort of its matches (at most about 5,000). Which one is
// decided here from the sample's estimate of the tier, not left to the
// planner, whose guess at a prefix query's matches is a fixed 0.5%: it would
// walk a sparse tier's index to the end (1,000,000 rows) or sort a dense one.
//
// Keys put the tier above the date (tier 1: 1e10 + seconds since 2000), so
// cursors compare across tiers as within one.

// tierEstimate is the sample's estimate of a broad search's matches.
type tierEstimate struct {
	matches, nameMatches int64
}

// tierOffset lifts tier 1's keys above any date's seconds.
const tierOffset = 1e10

// tier is one tier's condition and key offset.
type tier struct {
	cond   string
	offset float64
	est    int64
}

// tieredSearchPage fills page (its Total already set) with the page of pq by
// tiers: the tiers in the page's direction, each queried until the page is full.
func (s *Store) tieredSearchPage(ctx context.Context, pq catalog.ProductQuery, est tierEstimate, pol countPolicy, page *catalog.ProductPage) error {
	newest, desc := sortKey(catalog.SortNewest, false)
	if pq.Backward {
		desc = !desc
	}
	tiers := []tier{
		{cond: "p.name_search @@ q.q", offset: tierOffset, est: est.nameMatches},
		{cond: "NOT (p.name_search @@ q.q)", offset: 0, est: est.matches - est.nameMatches},
	}
	if !desc {
		tiers[0], tiers[1] = tiers[1], tiers[0]
	}
	want := pq.Limit + 1
	for _, t := range tiers {
		// A cursor in a tier further on in the page's direction leaves nothing of
		// this one; a cursor in an earlier tier leaves all of it.
		var after *catalog.Cursor
		if pq.After != nil {
			cursorTier := 0.0
			if k, err := strconv.ParseFloat(pq.After.Key, 64); err == nil && k >= tierOffset {
				cursorTier = tierOffset
			}
			switch {
			case cursorTier == t.offset:
				after = pq.After
			case (cursorTier > t.offset) != desc:
				// The cursor's tier comes after this one: this tier was paged already.
				continue
			}
		}
		got, err := s.tierRows(ctx, pq, t, newest, desc, after, want, pol)
		if err != nil {
			return err
		}
		page.Products = append(page.Products, got.products...)
		page.Cursors = append(page.Cursors, got.cursors...)
		if want -= len(got.products); want <= 0 {
			break
		}
	}
	return nil
}

type tierPage struct {
	products []*catalog.Product
	cursors  []catalog.Cursor
}

// tierRows returns up to limit products of tier t after the cursor, walking
// the newest-first index when the tier is dense and using the search index
// when it is sparse (each forced for this statement alone, with SET LOCAL).
func (s *Store) tierRows(ctx context.Context, pq catalog.ProductQuery, t tier, newest string, desc bool, after *catalog.Cursor, limit int, pol countPolicy) (tierPage, error) {
	var a sqlArgs
	with := searchCTE(&a, pq.Filter.Search)
	conds, err := filterConditions(&a, pq.Filter)
	if err != nil {
		return tierPage{}, err
	}
	dir, cmp := "ASC", ">"
	if desc {
		dir, cmp = "DESC", "<"
	}
	offset := a.add(t.offset)
	key := "(" + offset + "::numeric + " + newest + ")"
	cursor := "true"
	if after != nil {
		cursor = "(" + key + ", p.id) " + cmp + " (" + a.add(after.Key) + "::numeric, " + a.add(after.ID) + "::bigint)"
	}
	query := with + `
		SELECT p.id, p.slug, p.name, p.description, p.created_at, coalesce(p.category_id, 0), ` + key + `::text
		FROM products p CROSS JOIN q
		WHERE ` + and(conds.all(), t.cond, cursor) + `
		ORDER BY ` + newest + ` ` + dir + `, p.id ` + dir + `
		LIMIT ` + a.add(limit)
	// Walk the newest-first index (no bitmap, no sort, no whole-table scan), or
	// use the GIN index and sort its matches.
	plan := []string{"enable_bitmapscan", "enable_seqscan", "enable_sort"}
	if t.est < int64(pol.rankBelow) {
		plan = []string{"enable_indexscan", "enable_indexonlyscan"}
	}
	var out tierPage
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		sets := make([]string, len(plan))
		for i, setting := range plan {
			sets[i] = "SET LOCAL " + setting + " = off"
		}
		// One round trip: without arguments, Exec sends the simple protocol,
		// which takes several statements.
		if _, err := tx.Exec(ctx, strings.Join(sets, "; ")); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, query, a...)
		if err != nil {
			return err
		}
		var (
			p         catalog.Product
			keyText   string
			createdAt time.Time
		)
		_, err = pgx.ForEachRow(rows, []any{&p.ID, &p.Slug, &p.Name, &p.Description, &createdAt, &p.CategoryID, &keyText}, func() error {
			product := p
			product.CreatedAt = createdAt
			out.products = append(out.products, &product)
			out.cursors = append(out.cursors, catalog.Cursor{Key: keyText, ID: p.ID})
			return nil
		})
		return err
	})
	if err != nil {
		return tierPage{}, fmt.Errorf("query search tier: %w", err)
	}
	return out, nil
}
