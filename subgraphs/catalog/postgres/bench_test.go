package postgres

import (
	"context"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/shopgraph/shopgraph/subgraphs/catalog"
)

// scaleCase is a storefront read measured over the million-product catalog.
type scaleCase struct {
	name string
	run  func(ctx context.Context, s *Store) error
}

// scaleCases are the reads a listing page, a search page and their facets make.
// Category ids are the demo tree's: 1 clothing, 8 knitwear.
func scaleCases(p func(int64) *int64) []scaleCase {
	list := func(pq catalog.ProductQuery) func(ctx context.Context, s *Store) error {
		return func(ctx context.Context, s *Store) error { _, err := s.ListProducts(ctx, pq); return err }
	}
	facets := func(f catalog.ProductFilter) func(ctx context.Context, s *Store) error {
		return func(ctx context.Context, s *Store) error { _, err := s.ProductFacets(ctx, f); return err }
	}
	filtered := catalog.ProductFilter{CategoryID: 1, InStock: true, MinPrice: p(5000), MaxPrice: p(10000),
		Options: []catalog.OptionFilter{{Name: "Size", Values: []string{"M", "L"}}}}
	return []scaleCase{
		{"ListAll", list(catalog.ProductQuery{Sort: catalog.SortNewest, Limit: 24})},
		{"ListCategory", list(catalog.ProductQuery{Filter: catalog.ProductFilter{CategoryID: 8}, Sort: catalog.SortNewest, Limit: 24})},
		{"ListRootCategoryPrice", list(catalog.ProductQuery{Filter: catalog.ProductFilter{CategoryID: 1}, Sort: catalog.SortPriceAsc, Limit: 24})},
		{"ListFiltered", list(catalog.ProductQuery{Filter: filtered, Sort: catalog.SortPriceAsc, Limit: 24})},
		{"SearchCommon", list(catalog.ProductQuery{Filter: catalog.ProductFilter{Search: "merino sweater"}, Sort: catalog.SortRelevance, Limit: 24})},
		{"SearchRare", list(catalog.ProductQuery{Filter: catalog.ProductFilter{Search: "merino sweater no. 1234"}, Sort: catalog.SortRelevance, Limit: 24})},
		{"SearchPrefix", list(catalog.ProductQuery{Filter: catalog.ProductFilter{Search: "kettleb"}, Sort: catalog.SortRelevance, Limit: 24})},
		{"FacetsAll", facets(catalog.ProductFilter{})},
		{"FacetsCategory", facets(catalog.ProductFilter{CategoryID: 8})},
		{"FacetsRootCategory", facets(catalog.ProductFilter{CategoryID: 1})},
		{"FacetsFiltered", facets(filtered)},
		{"FacetsSearch", facets(catalog.ProductFilter{Search: "merino sweater"})},
	}
}

// scaleStore opens the million-product catalog named by SHOPGRAPH_BENCH_SCALE_URL
// (made by `shopgraph seed --scale 1000000`), or skips.
func scaleStore(b *testing.B) *Store {
	b.Helper()
	url := os.Getenv("SHOPGRAPH_BENCH_SCALE_URL")
	if url == "" {
		b.Skip("SHOPGRAPH_BENCH_SCALE_URL is not set: the store benchmarks need a catalog seeded with `shopgraph seed --scale 1000000`")
	}
	pool, err := pgxpool.New(b.Context(), url)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(pool.Close)
	return New(pool)
}

// BenchmarkScale measures listings, searches and facets over the million-product
// catalog, one storefront read per op.
func BenchmarkScale(b *testing.B) {
	s := scaleStore(b)
	for _, tc := range scaleCases(func(v int64) *int64 { return &v }) {
		b.Run(tc.name, func(b *testing.B) {
			ctx := b.Context()
			var took []time.Duration
			for b.Loop() {
				start := time.Now()
				if err := tc.run(ctx, s); err != nil {
					b.Fatal(err)
				}
				took = append(took, time.Since(start))
			}
			// The targets are on the 99th percentile, so report it beside the mean.
			slices.Sort(took)
			b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(took[min(len(took)-1, len(took)*99/100)].Microseconds())/1000, "p99-ms")
		})
	}
}
