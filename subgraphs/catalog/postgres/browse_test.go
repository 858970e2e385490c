package postgres

import (
	"cmp"
	"context"
	"slices"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/shopgraph/shopgraph/internal/pg/pgtest"
	"github.com/shopgraph/shopgraph/subgraphs/catalog"
)

// browseFixture is the seeded catalog read back whole, as an oracle that the
// listing's SQL is checked against.
type browseFixture struct {
	store    *Store
	pool     *pgxpool.Pool
	products map[int64]*catalog.Product
	variants map[int64][]*catalog.Variant
	cats     map[int64]*catalog.Category
	ratings  map[int64]catalog.RatingSummary
}

func newBrowseFixture(t *testing.T) *browseFixture {
	t.Helper()
	ctx := t.Context()
	pool := pgtest.New(t, Migrations())
	if err := Seed(ctx, pool); err != nil {
		t.Fatal(err)
	}
	f := &browseFixture{store: New(pool), pool: pool}
	ids := make([]int64, SeedProductCount)
	for i := range ids {
		ids[i] = int64(i + 1)
	}
	var err error
	if f.products, err = f.store.ProductsByIDs(ctx, ids); err != nil {
		t.Fatal(err)
	}
	if f.variants, err = f.store.VariantsByProductIDs(ctx, ids); err != nil {
		t.Fatal(err)
	}
	if f.ratings, err = f.store.RatingSummaries(ctx, ids); err != nil {
		t.Fatal(err)
	}
	catIDs := make([]int64, 100)
	for i := range catIDs {
		catIDs[i] = int64(i + 1)
	}
	if f.cats, err = f.store.CategoriesByIDs(ctx, catIDs); err != nil {
		t.Fatal(err)
	}
	return f
}

// matches is the oracle's reading of a filter (search aside).
func (f *browseFixture) matches(p *catalog.Product, flt catalog.ProductFilter) bool {
	if flt.CategoryID != 0 {
		c := f.cats[p.CategoryID]
		if c == nil || (c.ID != flt.CategoryID && c.ParentID != flt.CategoryID) {
			return false
		}
	}
	vs := f.variants[p.ID]
	any := func(ok func(v *catalog.Variant) bool) bool { return slices.ContainsFunc(vs, ok) }
	if (flt.MinPrice != nil || flt.MaxPrice != nil) && !any(func(v *catalog.Variant) bool {
		return (flt.MinPrice == nil || v.Price >= *flt.MinPrice) && (flt.MaxPrice == nil || v.Price < *flt.MaxPrice)
	}) {
		return false
	}
	if flt.InStock && !any(func(v *catalog.Variant) bool { return v.Available() > 0 }) {
		return false
	}
	for _, o := range flt.Options {
		if !any(func(v *catalog.Variant) bool {
			return slices.ContainsFunc(v.Options, func(vo catalog.Option) bool {
				return vo.Name == o.Name && slices.Contains(o.Values, vo.Value)
			})
		}) {
			return false
		}
	}
	return true
}

// walk pages through a listing in one direction and returns the ids in sort order.
func walk(t *testing.T, s *Store, q catalog.ProductQuery) ([]int64, int) {
	t.Helper()
	return walkWith(t, s, q, defaultCountPolicy())
}

func ptr[T any](v T) *T { return &v }

func TestSeedShapesTheDemoCatalog(t *testing.T) {
	t.Parallel()
	f := newBrowseFixture(t)
	roots := 0
	for _, c := range f.cats {
		if c.ParentID == 0 {
			roots++
		} else if f.cats[c.ParentID] == nil || f.cats[c.ParentID].ParentID != 0 {
			t.Errorf("category %s is not two levels deep", c.Slug)
		}
	}
	if len(f.cats) < 20 || roots < 5 {
		t.Errorf("%d categories, %d roots", len(f.cats), roots)
	}
	var out, low, reduced, reviews, noCategory int
	for id, p := range f.products {
		vs := f.variants[id]
		if len(vs) < 1 || len(vs) > 4 {
			t.Errorf("product %d has %d variants", id, len(vs))
		}
		if c := f.cats[p.CategoryID]; c == nil || c.ParentID == 0 {
			noCategory++
		}
		for _, v := range vs {
			switch v.StockLevel() {
			case catalog.StockOut:
				out++
			case catalog.StockLow:
				low++
			}
			if v.CompareAt != nil {
				reduced++
			}
		}
		reviews += f.ratings[id].Count
	}
	if len(f.products) != SeedProductCount || out == 0 || low == 0 || reduced == 0 || noCategory != 0 {
		t.Errorf("%d products, %d variants out of stock, %d low, %d reduced, %d without a leaf category",
			len(f.products), out, low, reduced, noCategory)
	}
	if reviews != SeedProductCount*SeedReviewsPerProduct {
		t.Errorf("%d reviews", reviews)
	}
	// The triggers keep the figures listings sort on.
	var wrong int
	if err := f.pool.QueryRow(t.Context(), `
		SELECT count(*) FROM products p
		WHERE p.min_price_minor <> (SELECT min(price_minor) FROM product_variants WHERE product_id = p.id)
		   OR p.rating_count <> (SELECT count(*) FROM reviews WHERE product_id = p.id)
		   OR p.rating_sum <> (SELECT coalesce(sum(rating), 0) FROM reviews WHERE product_id = p.id)`).Scan(&wrong); err != nil || wrong != 0 {
		t.Errorf("%d products with stale sort figures (%v)", wrong, err)
	}
	if _, err := f.pool.Exec(t.Context(), `UPDATE product_variants SET price_minor = 1 WHERE id = 1`); err != nil {
		t.Fatal(err)
	}
	var minPrice int64
	if err := f.pool.QueryRow(t.Context(), `SELECT min_price_minor FROM products WHERE id = 1`).Scan(&minPrice); err != nil || minPrice != 1 {
		t.Errorf("after a price change, min price %d (%v)", minPrice, err)
	}
}

func TestListProductsFiltersAndSorts(t *testing.T) {
	t.Parallel()
	f := newBrowseFixture(t)
	clothing, knitwear := int64(0), int64(0)
	for _, c := range f.cats {
		switch c.Slug {
		case "clothing":
			clothing = c.ID
		case "knitwear":
			knitwear = c.ID
		}
	}
	filters := []struct {
		name string
		f    catalog.ProductFilter
	}{
		{"none", catalog.ProductFilter{}},
		{"root category with subcategories", catalog.ProductFilter{CategoryID: clothing}},
		{"leaf category", catalog.ProductFilter{CategoryID: knitwear}},
		{"min price", catalog.ProductFilter{MinPrice: ptr[int64](10000)}},
		{"price band", catalog.ProductFilter{MinPrice: ptr[int64](2500), MaxPrice: ptr[int64](5000)}},
		{"in stock", catalog.ProductFilter{InStock: true}},
		{"options", catalog.ProductFilter{Options: []catalog.OptionFilter{{Name: "Size", Values: []string{"M", "L"}}}}},
		{"two options", catalog.ProductFilter{Options: []catalog.OptionFilter{
			{Name: "Size", Values: []string{"M"}}, {Name: "Colour", Values: []string{"Navy", "Rust"}}}}},
		{"everything", catalog.ProductFilter{CategoryID: clothing, MaxPrice: ptr[int64](12000), InStock: true,
			Options: []catalog.OptionFilter{{Name: "Colour", Values: []string{"Navy"}}}}},
		{"nothing matches", catalog.ProductFilter{Options: []catalog.OptionFilter{{Name: "Size", Values: []string{"XXXL"}}}}},
	}
	avg := func(id int64) float64 {
		r := f.ratings[id]
		if r.Count == 0 {
			return 0
		}
		return float64(r.Sum) / float64(r.Count)
	}
	minPrice := func(id int64) int64 {
		return slices.MinFunc(f.variants[id], func(a, b *catalog.Variant) int { return cmp.Compare(a.Price, b.Price) }).Price
	}
	sorts := []struct {
		sort catalog.ProductSort
		less func(a, b int64) int
	}{
		{catalog.SortNewest, func(a, b int64) int {
			return cmp.Or(f.products[b].CreatedAt.Compare(f.products[a].CreatedAt), cmp.Compare(b, a))
		}},
		{catalog.SortPriceAsc, func(a, b int64) int { return cmp.Or(cmp.Compare(minPrice(a), minPrice(b)), cmp.Compare(a, b)) }},
		{catalog.SortPriceDesc, func(a, b int64) int { return cmp.Or(cmp.Compare(minPrice(b), minPrice(a)), cmp.Compare(b, a)) }},
		{catalog.SortRating, func(a, b int64) int { return cmp.Or(cmp.Compare(avg(b), avg(a)), cmp.Compare(b, a)) }},
	}
	for _, flt := range filters {
		var want []int64
		for id, p := range f.products {
			if f.matches(p, flt.f) {
				want = append(want, id)
			}
		}
		for _, s := range sorts {
			t.Run(flt.name+"/"+string(s.sort), func(t *testing.T) {
				sorted := slices.Clone(want)
				slices.SortFunc(sorted, s.less)
				q := catalog.ProductQuery{Filter: flt.f, Sort: s.sort, Limit: 97}
				got, total := walk(t, f.store, q)
				if total != len(want) || !slices.Equal(got, sorted) {
					t.Fatalf("forward: total %d, %d products; want %d (first %v, want %v)",
						total, len(got), len(want), got[:min(5, len(got))], sorted[:min(5, len(sorted))])
				}
				q.Backward = true
				back, _ := walk(t, f.store, q)
				if !slices.Equal(back, sorted) {
					t.Fatalf("backward: %d products, differ from forward", len(back))
				}
			})
		}
	}
}

func TestListProductsPageEdges(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	f := newBrowseFixture(t)
	q := catalog.ProductQuery{Sort: catalog.SortNewest, Limit: 3}
	first, err := f.store.ListProducts(ctx, q)
	if err != nil || len(first.Products) != 3 || !first.More || first.Products[0].ID != SeedProductCount {
		t.Fatalf("first page: %+v, %v", first.Cursors, err)
	}
	// Going back from the second product gives just the first, with nothing before it.
	q.Backward, q.After = true, &first.Cursors[1]
	back, err := f.store.ListProducts(ctx, q)
	if err != nil || len(back.Products) != 1 || back.Products[0].ID != SeedProductCount || back.More {
		t.Errorf("back from the second: %d products, more %v, %v", len(back.Products), back.More, err)
	}
	// The last page going back ends at product 1.
	last, err := f.store.ListProducts(ctx, catalog.ProductQuery{Sort: catalog.SortNewest, Limit: 2, Backward: true})
	if err != nil || len(last.Products) != 2 || last.Products[1].ID != 1 || !last.More {
		t.Errorf("last page: %+v, %v", last.Cursors, err)
	}
	// After the last product: empty, nothing more, the total still counted.
	past, err := f.store.ListProducts(ctx, catalog.ProductQuery{Sort: catalog.SortNewest, Limit: 5, After: &last.Cursors[1]})
	if err != nil || len(past.Products) != 0 || past.More || past.Total != SeedProductCount {
		t.Errorf("past the end: %+v, %v", past, err)
	}
	zero, err := f.store.ListProducts(ctx, catalog.ProductQuery{Sort: catalog.SortNewest, Limit: 0})
	if err != nil || len(zero.Products) != 0 || !zero.More || zero.Total != SeedProductCount {
		t.Errorf("zero page: %+v, %v", zero, err)
	}
}

func TestSearchRanksNameAboveDescription(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	f := newBrowseFixture(t)
	// One product has the word in its description, one in its name; the
	// description hit is added first, so that id order would put it first.
	if _, err := f.pool.Exec(ctx, `
		INSERT INTO products (slug, name, description, created_at) VALUES
		  ('plain-tote', 'Plain Tote', 'Strong enough for a zephyrometer and more.', now()),
		  ('zephyrometer', 'Zephyrometer', 'Measures the wind.', now() - interval '1 day');
		INSERT INTO product_variants (product_id, sku, name, price_minor, currency, weight_grams)
		  SELECT id, slug, 'One', 1000, 'USD', 100 FROM products WHERE slug IN ('plain-tote', 'zephyrometer')`); err != nil {
		t.Fatal(err)
	}
	for _, search := range []string{"zephyrometer", "Zephyrometer", "zephyr", "zeph", "wind zephyrom"} {
		page, err := f.store.ListProducts(ctx, catalog.ProductQuery{
			Filter: catalog.ProductFilter{Search: search}, Sort: catalog.SortRelevance, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		var slugs []string
		for _, p := range page.Products {
			slugs = append(slugs, p.Slug)
		}
		want := []string{"zephyrometer", "plain-tote"}
		if search == "wind zephyrom" {
			want = want[:1]
		}
		if !slices.Equal(slugs, want) || page.Total != len(want) {
			t.Errorf("search %q: %v (total %d), want %v", search, slugs, page.Total, want)
		}
	}
	// Whole words of the demo data, stemmed: "sweaters" finds the sweaters.
	page, err := f.store.ListProducts(ctx, catalog.ProductQuery{
		Filter: catalog.ProductFilter{Search: "merino sweaters"}, Sort: catalog.SortRelevance, Limit: 5})
	if err != nil || len(page.Products) == 0 || page.Products[0].Slug != "merino-crew-sweater" {
		t.Errorf("merino sweaters: %v, %v", page.Products, err)
	}
	for _, bad := range []string{`"unclosed`, "-", "a & b | !c", "the", "((("} {
		if _, err := f.store.ListProducts(ctx, catalog.ProductQuery{
			Filter: catalog.ProductFilter{Search: bad}, Sort: catalog.SortRelevance, Limit: 5}); err != nil {
			t.Errorf("search %q: %v", bad, err)
		}
	}
}

func TestFacetsAgreeWithTheListing(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	f := newBrowseFixture(t)
	total := func(flt catalog.ProductFilter) int {
		t.Helper()
		page, err := f.store.ListProducts(ctx, catalog.ProductQuery{Filter: flt, Sort: catalog.SortNewest, Limit: 0})
		if err != nil {
			t.Fatal(err)
		}
		return page.Total
	}
	for _, base := range []catalog.ProductFilter{
		{},
		{InStock: true, Options: []catalog.OptionFilter{{Name: "Size", Values: []string{"M"}}}},
		{Search: "wool", MaxPrice: ptr[int64](10000)},
		// The category counts ignore the category chosen: the other roots still count.
		{CategoryID: 8, MinPrice: ptr[int64](5000)},
	} {
		facets, err := f.store.ProductFacets(ctx, base)
		if err != nil {
			t.Fatal(err)
		}
		// Every product has one leaf category, so the roots add up to the total
		// without the price filter (the category counts ignore only categoryId).
		rootSum := 0
		for _, c := range facets.Categories {
			if f.cats[c.CategoryID].ParentID == 0 {
				rootSum += c.Count
			}
			withCat := base
			withCat.CategoryID = c.CategoryID
			if got := total(withCat); got != c.Count {
				t.Errorf("%+v: category %d counts %d, listing %d", base, c.CategoryID, c.Count, got)
			}
		}
		noCat := base
		noCat.CategoryID = 0
		if rootSum != total(noCat) {
			t.Errorf("%+v: roots add up to %d, listing has %d", base, rootSum, total(noCat))
		}
		for _, b := range facets.PriceBands {
			withBand := base
			withBand.MinPrice = ptr(b.Min)
			withBand.MaxPrice = nil
			if b.Max != 0 {
				withBand.MaxPrice = ptr(b.Max)
			}
			if got := total(withBand); got != b.Count {
				t.Errorf("%+v: band %v counts %d, listing %d", base, b.PriceBand, b.Count, got)
			}
		}
		if base.CategoryID != 0 && rootSum <= facets.Categories[0].Count {
			t.Errorf("%+v: categories other than the chosen one not counted: %+v", base, facets.Categories)
		}
		if len(facets.Options) == 0 {
			t.Errorf("%+v: no option facets", base)
		}
		for _, o := range facets.Options {
			// Choosing the value instead of the option's own filter gives its count.
			withOpt := base
			withOpt.Options = slices.DeleteFunc(slices.Clone(base.Options), func(x catalog.OptionFilter) bool { return x.Name == o.Name })
			withOpt.Options = append(withOpt.Options, catalog.OptionFilter{Name: o.Name, Values: []string{o.Value}})
			if got := total(withOpt); got != o.Count {
				t.Errorf("%+v: option %s=%s counts %d, listing %d", base, o.Name, o.Value, o.Count, got)
			}
		}
	}
}

func TestSearchSuggestions(t *testing.T) {
	t.Parallel()
	f := newBrowseFixture(t)
	ctx := context.Background()
	got, err := f.store.SearchSuggestions(ctx, "meri", 3)
	if err != nil || len(got.Products) != 3 {
		t.Fatalf("meri: %+v, %v", got, err)
	}
	for _, p := range got.Products {
		if p.Name[:6] != "Merino" {
			t.Errorf("meri suggests %q", p.Name)
		}
	}
	got, err = f.store.SearchSuggestions(ctx, "knit", 5)
	if err != nil || len(got.Categories) != 1 || got.Categories[0].Slug != "knitwear" {
		t.Errorf("knit: %+v, %v", got.Categories, err)
	}
	got, err = f.store.SearchSuggestions(ctx, "train", 5)
	if err != nil || len(got.Categories) != 1 || got.Categories[0].Slug != "training" {
		t.Errorf("train (a second word): %+v, %v", got.Categories, err)
	}
	got, err = f.store.SearchSuggestions(ctx, "%_", 5)
	if err != nil || len(got.Categories) != 0 {
		t.Errorf("wildcards are literal: %+v, %v", got.Categories, err)
	}
}

func TestListCategoryProductsIsOneStatementForManyCategories(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	f := newBrowseFixture(t)
	counted, counter := pgtest.CountingPool(t, f.pool)
	s := New(counted)
	q := catalog.ProductQuery{Filter: catalog.ProductFilter{InStock: true}, Sort: catalog.SortPriceAsc, Limit: 4}
	cats := []int64{1, 8, 9, 999, 8}
	before := counter.N()
	pages, err := s.ListCategoryProducts(ctx, q, cats)
	if err != nil || counter.N()-before != 1 || len(pages) != len(cats) {
		t.Fatalf("%d pages in %d statements: %v", len(pages), counter.N()-before, err)
	}
	for i, c := range cats {
		one := q
		one.Filter.CategoryID = c
		want, err := s.ListProducts(ctx, one)
		if err != nil {
			t.Fatal(err)
		}
		if want.Total != pages[i].Total || want.More != pages[i].More || !slices.Equal(want.Cursors, pages[i].Cursors) {
			t.Errorf("category %d: batched %+v, alone %+v", c, pages[i].Cursors, want.Cursors)
		}
	}
	if pages[3].Total != 0 || pages[1].Total == 0 {
		t.Errorf("totals %d, %d", pages[3].Total, pages[1].Total)
	}
}
