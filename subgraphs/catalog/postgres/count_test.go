package postgres

import (
	"reflect"
	"testing"

	"github.com/shopgraph/shopgraph/subgraphs/catalog"
)

// TestCountsFromASample runs the demo catalog under a policy that treats it as
// large: big totals and facets are estimated from a sample, close to the exact
// figures and rounded; small ones stay exact; the default policy counts exactly.
func TestCountsFromASample(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	store, _ := seededStore(t)
	small := defaultCountPolicy()
	large := countPolicy{exactUpTo: 100, sampleRows: 800, facetSampleRows: 800, exactBelow: 100, facetExactBelow: 100}

	for _, tc := range []struct {
		name      string
		filter    catalog.ProductFilter
		estimated bool
	}{
		{"everything", catalog.ProductFilter{}, true},
		{"a root category in stock", catalog.ProductFilter{CategoryID: 1, InStock: true}, true},
		{"a search for one product", catalog.ProductFilter{Search: "merino crew sweater no. 7"}, false},
		{"a narrow filter", catalog.ProductFilter{CategoryID: 8, Options: []catalog.OptionFilter{{Name: "Size", Values: []string{"XS"}}},
			MinPrice: priceBound(9000), MaxPrice: priceBound(9100)}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pq := catalog.ProductQuery{Filter: tc.filter, Sort: catalog.SortNewest, Limit: 5}
			exact, err := store.listProductsCounted(ctx, pq, []int64{tc.filter.CategoryID}, tc.filter.CategoryID != 0, small)
			if err != nil {
				t.Fatal(err)
			}
			got, err := store.listProductsCounted(ctx, pq, []int64{tc.filter.CategoryID}, tc.filter.CategoryID != 0, large)
			if err != nil {
				t.Fatal(err)
			}
			want, est := exact[0].Total, got[0].Total
			if len(got[0].Products) != len(exact[0].Products) {
				t.Fatalf("a sampled count changed the page: %d products, want %d", len(got[0].Products), len(exact[0].Products))
			}
			if !tc.estimated {
				if est != want {
					t.Errorf("total %d, want the exact %d", est, want)
				}
				return
			}
			if est < want*7/10 || est > want*13/10 || est%10 != 0 {
				t.Errorf("estimate %d for %d: want within 30%%, to two significant digits", est, want)
			}

			exactFacets, err := store.productFacets(ctx, tc.filter, small)
			if err != nil {
				t.Fatal(err)
			}
			facets, err := store.productFacets(ctx, tc.filter, large)
			if err != nil {
				t.Fatal(err)
			}
			sum := func(f catalog.Facets) (n int) {
				for _, b := range f.PriceBands {
					n += b.Count
				}
				return n
			}
			if e, g := sum(exactFacets), sum(facets); g < e*6/10 || g > e*14/10 {
				t.Errorf("price band counts sum to %d, exact %d: want within 40%%", g, e)
			}
			if len(facets.Categories) == 0 || len(facets.Options) == 0 {
				t.Errorf("sampled facets without categories or options: %+v", facets)
			}
		})
	}
}

func priceBound(v int64) *int64 { return &v }

// TestFacetsFromAWholeTableSampleAreExact: a sample of every page, weighted one,
// must count exactly what exact counting does, so the sampled statement counts the
// same things (bands by width_bucket, options by lookup) as the exact one.
func TestFacetsFromAWholeTableSampleAreExact(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	store, _ := seededStore(t)
	whole := countPolicy{exactUpTo: 100, sampleRows: 1_000_000, facetSampleRows: 1_000_000, exactBelow: 1, facetExactBelow: 1}
	for _, f := range []catalog.ProductFilter{
		{},
		{CategoryID: 1, InStock: true},
		{Search: "sweater", MinPrice: priceBound(5000)},
		{CategoryID: 8, Options: []catalog.OptionFilter{{Name: "Size", Values: []string{"M", "L"}}}, MaxPrice: priceBound(10000)},
	} {
		exact, err := store.productFacets(ctx, f, defaultCountPolicy())
		if err != nil {
			t.Fatal(err)
		}
		sampled, err := store.productFacets(ctx, f, whole)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(exact, sampled) {
			t.Errorf("filter %+v: whole-table sample\n%+v\nwant the exact\n%+v", f, sampled, exact)
		}
	}
}
