package postgres

import (
	"testing"
	"time"

	"github.com/shopgraph/shopgraph/internal/pg/pgtest"
	"github.com/shopgraph/shopgraph/subgraphs/catalog"
)

// seededStore returns a store over a fresh seeded database whose pool counts statements.
func seededStore(t *testing.T) (*Store, *pgtest.Counter) {
	t.Helper()
	pool := pgtest.New(t, Migrations())
	if err := Seed(t.Context(), pool); err != nil {
		t.Fatal(err)
	}
	counted, counter := pgtest.CountingPool(t, pool)
	return New(counted), counter
}

// statements runs fn and returns how many statements it sent.
func statements(t *testing.T, c *pgtest.Counter, fn func() error) int64 {
	t.Helper()
	before := c.N()
	if err := fn(); err != nil {
		t.Fatal(err)
	}
	return c.N() - before
}

func TestSeed(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	pool := pgtest.New(t, Migrations())
	for i := range 2 {
		start := time.Now()
		if err := Seed(ctx, pool); err != nil {
			t.Fatal(err)
		}
		t.Logf("seed %d took %v", i+1, time.Since(start))
	}
	var products, badVariantCounts, reviews, minAuthor, maxAuthor int
	if err := pool.QueryRow(ctx, `
		SELECT (SELECT count(*) FROM products),
		       (SELECT count(*) FROM (SELECT count(v.id) AS n FROM products p
		            LEFT JOIN product_variants v ON v.product_id = p.id GROUP BY p.id) c
		        WHERE n NOT BETWEEN 1 AND 4),
		       (SELECT count(*) FROM reviews),
		       (SELECT min(author_id) FROM reviews), (SELECT max(author_id) FROM reviews)`).
		Scan(&products, &badVariantCounts, &reviews, &minAuthor, &maxAuthor); err != nil {
		t.Fatal(err)
	}
	if products != SeedProductCount || badVariantCounts != 0 || reviews < SeedProductCount || minAuthor < 1 || maxAuthor > SeedUserCount {
		t.Errorf("seeded %d products (%d with other than 1-4 variants), %d reviews by users %d..%d",
			products, badVariantCounts, reviews, minAuthor, maxAuthor)
	}
	s := New(pool)
	got, err := s.ProductsBySlugs(ctx, []string{"merino-crew-sweater"})
	if err != nil || got["merino-crew-sweater"] == nil || got["merino-crew-sweater"].ID != 1 {
		t.Errorf("product 1 by slug: %v %v", got, err)
	}
}

func TestSeedGeneratesUniqueDataAtScale(t *testing.T) {
	t.Parallel()
	d, err := generate(2000, 500)
	if err != nil {
		t.Fatal(err)
	}
	slugs := map[string]bool{}
	for _, p := range d.products {
		slug := p[1].(string)
		if slugs[slug] {
			t.Fatalf("duplicate slug %q", slug)
		}
		slugs[slug] = true
	}
	again, _ := generate(2000, 500)
	if len(again.reviews) != len(d.reviews) || again.variants[100][2] != d.variants[100][2] {
		t.Error("generate is not deterministic")
	}
}

func TestBatchesAreOneStatement(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s, counter := seededStore(t)

	var products map[int64]*catalog.Product
	if n := statements(t, counter, func() (err error) {
		products, err = s.ProductsByIDs(ctx, []int64{3, 1, 9999})
		return err
	}); n != 1 || len(products) != 2 || products[3].Slug != "ridge-trail-runner" {
		t.Errorf("ProductsByIDs: %d statements, %v", n, products)
	}

	var variants map[int64][]*catalog.Variant
	if n := statements(t, counter, func() (err error) {
		variants, err = s.VariantsByProductIDs(ctx, []int64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})
		return err
	}); n != 1 || len(variants) != 12 {
		t.Errorf("VariantsByProductIDs: %d statements, %d products", n, len(variants))
	}
	for pid, vs := range variants {
		for _, v := range vs {
			if v.ProductID != pid || v.Price <= 0 || v.Currency != "USD" || v.Weight <= 0 || len(v.Options) == 0 {
				t.Errorf("variant %+v", v)
			}
		}
	}

	reqs := []catalog.ReviewPageRequest{
		{OwnerID: 1, Page: catalog.Page{First: 2}},
		{OwnerID: 2, Page: catalog.Page{First: 10}},
		{OwnerID: 9999, Page: catalog.Page{First: 10}},
		{OwnerID: 1, Page: catalog.Page{First: 2}},
	}
	var pages []catalog.ReviewList
	if n := statements(t, counter, func() (err error) {
		pages, err = s.ReviewsByProduct(ctx, reqs)
		return err
	}); n != 1 || len(pages) != len(reqs) {
		t.Fatalf("ReviewsByProduct: %d statements, %d pages", n, len(pages))
	}
	if pages[2].Total != 0 || len(pages[2].Reviews) != 0 || pages[2].HasNext {
		t.Errorf("unknown product: %+v", pages[2])
	}
	if len(pages[0].Reviews) != len(pages[3].Reviews) {
		t.Errorf("same request, different answers: %+v %+v", pages[0], pages[3])
	}
}

func TestReviewPagesWalkEveryReviewOnce(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s, _ := seededStore(t)
	for _, author := range []int64{1, 7} {
		seen := map[int64]bool{}
		page := catalog.Page{First: 50}
		total := -1
		for range 100 {
			lists, err := s.ReviewsByAuthor(ctx, []catalog.ReviewPageRequest{{OwnerID: author, Page: page}})
			if err != nil {
				t.Fatal(err)
			}
			l := lists[0]
			total = l.Total
			for i, r := range l.Reviews {
				if r.AuthorID != author || seen[r.ID] || (i > 0 && r.ID >= l.Reviews[i-1].ID) {
					t.Fatalf("author %d: review %d repeated, misordered or foreign", author, r.ID)
				}
				seen[r.ID] = true
			}
			if !l.HasNext {
				break
			}
			page.After = l.Reviews[len(l.Reviews)-1].ID
		}
		if len(seen) != total || total == 0 {
			t.Errorf("author %d: walked %d reviews, total says %d", author, len(seen), total)
		}
	}
}
