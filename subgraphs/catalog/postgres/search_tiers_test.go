package postgres

import (
	"context"
	"slices"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/shopgraph/shopgraph/subgraphs/catalog"
)

// walkWith pages through a listing with policy pol, forward or backward, and
// returns the ids in sort order.
func walkWith(t *testing.T, s *Store, q catalog.ProductQuery, pol countPolicy) ([]int64, int) {
	t.Helper()
	var ids []int64
	total := -1
	for range 1000 {
		pages, err := s.listProductsCounted(t.Context(), q, []int64{q.Filter.CategoryID}, q.Filter.CategoryID != 0, pol)
		if err != nil {
			t.Fatal(err)
		}
		page := pages[0]
		if total >= 0 && page.Total != total {
			t.Fatalf("total changed from %d to %d", total, page.Total)
		}
		total = page.Total
		if len(page.Products) != len(page.Cursors) || len(page.Products) > q.Limit {
			t.Fatalf("page of %d products, %d cursors, limit %d", len(page.Products), len(page.Cursors), q.Limit)
		}
		batch := make([]int64, len(page.Products))
		for i, p := range page.Products {
			batch[i] = p.ID
		}
		if q.Backward {
			ids = append(batch, ids...)
			if len(page.Cursors) > 0 {
				q.After = &page.Cursors[0]
			}
		} else {
			ids = append(ids, batch...)
			if len(page.Cursors) > 0 {
				q.After = &page.Cursors[len(page.Cursors)-1]
			}
		}
		if !page.More {
			return ids, page.Total
		}
	}
	t.Fatal("listing never ended")
	return nil, 0
}

// TestBroadSearchPagesByTiers: a search the sample finds broad is ordered by
// tiers — products whose name matches, then the rest, newest first in each —
// and pages through every match exactly once, both ways, whichever way each
// tier is read (walking the index or through the search index).
func TestBroadSearchPagesByTiers(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	store, _ := seededStore(t)
	expected := func(search string, inStock bool) []int64 {
		var a sqlArgs
		with := searchCTE(&a, search)
		stock := "true"
		if inStock {
			stock = "p.in_stock"
		}
		rows, err := store.pool.Query(ctx, with+`SELECT p.id FROM products p CROSS JOIN q
			WHERE p.search @@ q.q AND `+stock+`
			ORDER BY p.name_search @@ q.q DESC, p.created_at DESC, p.id DESC`, a...)
		if err != nil {
			t.Fatal(err)
		}
		ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			t.Fatal(err)
		}
		return ids
	}
	for _, c := range []struct {
		search  string
		inStock bool
	}{{"steel", false}, {"stee", true}, {"sweater", false}, {"merino", true}, {"kettleb", false}} {
		want := expected(c.search, c.inStock)
		if c.search == "steel" {
			// Both tiers: "steel" is in 60 names and 90 other descriptions.
			var names int
			if err := store.pool.QueryRow(ctx, `SELECT count(*) FROM products WHERE name_search @@ to_tsquery('english', 'steel')`).Scan(&names); err != nil || names == 0 || names == len(want) {
				t.Fatalf("steel: %d name matches of %d (%v)", names, len(want), err)
			}
		}
		if len(want) < 3 {
			t.Fatalf("search %q matches %d products: too few to test paging", c.search, len(want))
		}
		for _, rankBelow := range []int{1, len(want) / 2} {
			pol := countPolicy{exactUpTo: 100, sampleRows: 1_000_000, facetSampleRows: 1_000_000, exactBelow: 1, facetExactBelow: 1, rankBelow: rankBelow}
			q := catalog.ProductQuery{Filter: catalog.ProductFilter{Search: c.search, InStock: c.inStock}, Sort: catalog.SortRelevance, Limit: 7}
			got, total := walkWith(t, store, q, pol)
			if !slices.Equal(got, want) {
				t.Errorf("search %q (rankBelow %d) forward:\n got %v\nwant %v", c.search, rankBelow, got, want)
			}
			if total < len(want)*9/10 || total > len(want)*11/10 {
				t.Errorf("search %q: total %d for %d matches", c.search, total, len(want))
			}
			q.Backward = true
			if back, _ := walkWith(t, store, q, pol); !slices.Equal(back, want) {
				t.Errorf("search %q (rankBelow %d) backward:\n got %v\nwant %v", c.search, rankBelow, back, want)
			}
		}
	}
	// A narrow search keeps exact ranking: the default policy never tiers the
	// demo catalog, and a policy that would tier it still ranks by ts_rank when
	// the estimate is below rankBelow.
	pol := countPolicy{exactUpTo: 100, sampleRows: 1_000_000, facetSampleRows: 1_000_000, exactBelow: 1, facetExactBelow: 1, rankBelow: 1_000_000}
	q := catalog.ProductQuery{Filter: catalog.ProductFilter{Search: "merino sweaters"}, Sort: catalog.SortRelevance, Limit: 5}
	pages, err := store.listProductsCounted(context.Background(), q, []int64{0}, false, pol)
	if err != nil || len(pages[0].Products) == 0 || pages[0].Products[0].Slug != "merino-crew-sweater" {
		t.Errorf("narrow search: %v %v", pages, err)
	}
}
