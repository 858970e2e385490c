package postgres

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/shopgraph/shopgraph/internal/pg/pgtest"
	"github.com/shopgraph/shopgraph/subgraphs/catalog"
)

// writeFixture is a fresh migrated database with a root category, a
// subcategory and one product with two variants, made through the store.
type writeFixture struct {
	store               *Store
	pool                *pgxpool.Pool
	root, sub           *catalog.Category
	product             *catalog.Product
	variants            []*catalog.Variant
	existingSKU, mSKU   string
	existingSlug, rootS string
}

func newWriteFixture(t *testing.T) *writeFixture {
	t.Helper()
	ctx := t.Context()
	pool := pgtest.New(t, Migrations())
	f := &writeFixture{store: New(pool), pool: pool, existingSKU: "TEE-1-S", mSKU: "TEE-1-M", existingSlug: "plain-tee", rootS: "clothing"}
	var err error
	if f.root, err = f.store.CreateCategory(ctx, catalog.NewCategory{Slug: f.rootS, Name: "Clothing"}); err != nil {
		t.Fatal(err)
	}
	if f.sub, err = f.store.CreateCategory(ctx, catalog.NewCategory{Slug: "tees", Name: " Tees ", ParentID: f.root.ID}); err != nil {
		t.Fatal(err)
	}
	f.product, err = f.store.CreateProduct(ctx, catalog.NewProduct{
		Slug: f.existingSlug, Name: "Plain Tee", Description: "Cotton.", CategoryID: f.sub.ID,
		Variants: []catalog.NewVariant{
			{SKU: f.existingSKU, Options: []catalog.Option{{Name: "Size", Value: "S"}}, Price: 1500, Currency: "USD", Weight: 180, StockOnHand: 10},
			{SKU: f.mSKU, Options: []catalog.Option{{Name: "Size", Value: "M"}}, Price: 1200, Currency: "USD", Weight: 190},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	vs, err := f.store.VariantsByProductIDs(ctx, []int64{f.product.ID})
	if err != nil {
		t.Fatal(err)
	}
	f.variants = vs[f.product.ID]
	return f
}

// wantFieldError checks that err is an *InputError with exactly one error of
// code at field (a dotted path).
func wantFieldError(t *testing.T, err error, code, field string) {
	t.Helper()
	var ie *catalog.InputError
	if !errors.As(err, &ie) {
		t.Fatalf("error %v; want an input error %s at %s", err, code, field)
	}
	if len(ie.Errors) != 1 || ie.Errors[0].Code != code || strings.Join(ie.Errors[0].Field, ".") != field {
		t.Errorf("errors %+v; want one %s at %s", ie.Errors, code, field)
	}
}

func (f *writeFixture) count(t *testing.T, table string) int {
	t.Helper()
	return count(t, f.pool, table)
}

// count returns the rows of table, a name the test gives.
func count(t *testing.T, pool *pgxpool.Pool, table string) int {
	t.Helper()
	var n int
	if err := pool.QueryRow(t.Context(), "SELECT count(*) FROM "+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestCreateCategory(t *testing.T) {
	t.Parallel()
	f := newWriteFixture(t)
	ctx := t.Context()
	if f.sub.ParentID != f.root.ID || f.sub.Name != "Tees" {
		t.Errorf("subcategory %+v", f.sub)
	}
	second, err := f.store.CreateCategory(ctx, catalog.NewCategory{Slug: "knitwear", Name: "Knitwear", ParentID: f.root.ID})
	if err != nil {
		t.Fatal(err)
	}
	children, err := f.store.CategoryChildren(ctx, []int64{f.root.ID})
	if err != nil {
		t.Fatal(err)
	}
	if got := children[f.root.ID]; len(got) != 2 || got[1].ID != second.ID {
		t.Errorf("children %+v: the new one goes last", got)
	}
	cases := []struct {
		name        string
		in          catalog.NewCategory
		code, field string
	}{
		{"slug taken", catalog.NewCategory{Slug: "tees", Name: "T"}, catalog.CodeTaken, "slug"},
		{"slug with capitals", catalog.NewCategory{Slug: "Tees", Name: "T"}, catalog.CodeInvalid, "slug"},
		{"slug with a double hyphen", catalog.NewCategory{Slug: "a--b", Name: "T"}, catalog.CodeInvalid, "slug"},
		{"blank slug", catalog.NewCategory{Name: "T"}, catalog.CodeBlank, "slug"},
		{"slug too long", catalog.NewCategory{Slug: strings.Repeat("a", 101), Name: "T"}, catalog.CodeTooLong, "slug"},
		{"blank name", catalog.NewCategory{Slug: "x", Name: "  "}, catalog.CodeBlank, "name"},
		{"name too long", catalog.NewCategory{Slug: "x", Name: strings.Repeat("n", 201)}, catalog.CodeTooLong, "name"},
		{"no such parent", catalog.NewCategory{Slug: "x", Name: "X", ParentID: 9999}, catalog.CodeNotFound, "parentId"},
		{"parent is a subcategory", catalog.NewCategory{Slug: "x", Name: "X", ParentID: f.sub.ID}, catalog.CodeNotRoot, "parentId"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := f.store.CreateCategory(ctx, c.in)
			wantFieldError(t, err, c.code, c.field)
		})
	}
	if n := f.count(t, "categories"); n != 3 {
		t.Errorf("%d categories after the refusals, want 3", n)
	}
}

func TestCreateProduct(t *testing.T) {
	t.Parallel()
	f := newWriteFixture(t)
	ctx := t.Context()
	if f.product.CategoryID != f.sub.ID || f.product.Name != "Plain Tee" {
		t.Errorf("product %+v", f.product)
	}
	if len(f.variants) != 2 || f.variants[0].SKU != f.existingSKU || f.variants[0].Name != "S" ||
		f.variants[0].StockOnHand != 10 || f.variants[1].Weight != 190 {
		t.Errorf("variants %+v %+v", f.variants[0], f.variants[1])
	}
	var minPrice int64
	if err := f.pool.QueryRow(ctx, `SELECT min_price_minor FROM products WHERE id = $1`, f.product.ID).Scan(&minPrice); err != nil || minPrice != 1200 {
		t.Errorf("min price %d (%v), want 1200 from the trigger", minPrice, err)
	}
	good := func() catalog.NewProduct {
		return catalog.NewProduct{Slug: "new-tee", Name: "New Tee", Variants: []catalog.NewVariant{
			{SKU: "NEW-1", Options: []catalog.Option{{Name: "Size", Value: "S"}}, Price: 100, Currency: "USD"},
			{SKU: "NEW-2", Options: []catalog.Option{{Name: "Size", Value: "M"}}, Price: 100, Currency: "USD"},
		}}
	}
	cases := []struct {
		name        string
		change      func(*catalog.NewProduct)
		code, field string
	}{
		{"slug taken", func(p *catalog.NewProduct) { p.Slug = f.existingSlug }, catalog.CodeTaken, "slug"},
		{"bad slug", func(p *catalog.NewProduct) { p.Slug = "new tee" }, catalog.CodeInvalid, "slug"},
		{"blank name", func(p *catalog.NewProduct) { p.Name = "" }, catalog.CodeBlank, "name"},
		{"description too long", func(p *catalog.NewProduct) { p.Description = strings.Repeat("d", 10001) }, catalog.CodeTooLong, "description"},
		{"no such category", func(p *catalog.NewProduct) { p.CategoryID = 999 }, catalog.CodeNotFound, "categoryId"},
		{"no variants", func(p *catalog.NewProduct) { p.Variants = nil }, catalog.CodeBlank, "variants"},
		{"SKU of another product", func(p *catalog.NewProduct) { p.Variants[1].SKU = f.existingSKU }, catalog.CodeTaken, "variants.1.sku"},
		{"SKU twice", func(p *catalog.NewProduct) { p.Variants[1].SKU = "new-1" }, catalog.CodeTaken, "variants.1.sku"},
		{"bad SKU", func(p *catalog.NewProduct) { p.Variants[0].SKU = "NEW 1" }, catalog.CodeInvalid, "variants.0.sku"},
		{"negative weight", func(p *catalog.NewProduct) { p.Variants[1].Weight = -1 }, catalog.CodeNegative, "variants.1.weight"},
		{"negative price", func(p *catalog.NewProduct) { p.Variants[0].Price = -1 }, catalog.CodeNegative, "variants.0.price"},
		{"compare-at not above price", func(p *catalog.NewProduct) { c := int64(100); p.Variants[0].CompareAt = &c }, catalog.CodeInvalid, "variants.0.compareAtPrice"},
		{"negative stock", func(p *catalog.NewProduct) { p.Variants[0].StockOnHand = -3 }, catalog.CodeNegative, "variants.0.stockOnHand"},
		{"same options twice", func(p *catalog.NewProduct) { p.Variants[1].Options[0].Value = "s" }, catalog.CodeTaken, "variants.1.options"},
		{"other option names", func(p *catalog.NewProduct) { p.Variants[1].Options[0].Name = "Colour" }, catalog.CodeInvalid, "variants.1.options"},
		{"blank option value", func(p *catalog.NewProduct) { p.Variants[0].Options[0].Value = "" }, catalog.CodeBlank, "variants.0.options.0.value"},
		{"option name twice", func(p *catalog.NewProduct) {
			p.Variants = p.Variants[:1]
			p.Variants[0].Options = append(p.Variants[0].Options, catalog.Option{Name: "size", Value: "L"})
		}, catalog.CodeInvalid, "variants.0.options.1.name"},
		{"two currencies", func(p *catalog.NewProduct) { p.Variants[1].Currency = "EUR" }, catalog.CodeInvalid, "variants.1.currencyCode"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := good()
			c.change(&in)
			p, err := f.store.CreateProduct(ctx, in)
			wantFieldError(t, err, c.code, c.field)
			if p != nil {
				t.Errorf("refused, yet returned %+v", p)
			}
		})
	}
	if p, v := f.count(t, "products"), f.count(t, "product_variants"); p != 1 || v != 2 {
		t.Errorf("%d products, %d variants after the refusals; want nothing written", p, v)
	}
	p, err := f.store.CreateProduct(ctx, good())
	if err != nil || p.Slug != "new-tee" || p.CategoryID != 0 {
		t.Errorf("product %+v, %v", p, err)
	}
}

func TestUpdateProduct(t *testing.T) {
	t.Parallel()
	f := newWriteFixture(t)
	ctx := t.Context()
	other, err := f.store.CreateProduct(ctx, catalog.NewProduct{Slug: "other", Name: "Other",
		Variants: []catalog.NewVariant{{SKU: "OTHER-1", Price: 100, Currency: "USD"}}})
	if err != nil {
		t.Fatal(err)
	}
	name, slug, none := "  Heavy Tee ", "heavy-tee", int64(0)
	p, err := f.store.UpdateProduct(ctx, f.product.ID, catalog.ProductUpdate{Name: &name, Slug: &slug})
	if err != nil || p.Name != "Heavy Tee" || p.Slug != slug || p.Description != "Cotton." || p.CategoryID != f.sub.ID {
		t.Errorf("renamed %+v, %v", p, err)
	}
	p, err = f.store.UpdateProduct(ctx, f.product.ID, catalog.ProductUpdate{CategoryID: &none})
	if err != nil || p.CategoryID != 0 || p.Name != "Heavy Tee" {
		t.Errorf("uncategorised %+v, %v", p, err)
	}
	var search string
	if err := f.pool.QueryRow(ctx, `SELECT search::text FROM products WHERE id = $1`, f.product.ID).Scan(&search); err != nil || !strings.Contains(search, "heavi") {
		t.Errorf("search vector %q (%v) does not follow the name", search, err)
	}
	taken, bad, blank, missing := "other", "Other!", "", int64(4242)
	cases := []struct {
		name        string
		id          int64
		in          catalog.ProductUpdate
		code, field string
	}{
		{"slug taken", f.product.ID, catalog.ProductUpdate{Slug: &taken}, catalog.CodeTaken, "slug"},
		{"bad slug", f.product.ID, catalog.ProductUpdate{Slug: &bad}, catalog.CodeInvalid, "slug"},
		{"blank name", f.product.ID, catalog.ProductUpdate{Name: &blank}, catalog.CodeBlank, "name"},
		{"no such category", f.product.ID, catalog.ProductUpdate{CategoryID: &missing}, catalog.CodeNotFound, "categoryId"},
		{"no such product", 4242, catalog.ProductUpdate{Name: &name}, catalog.CodeNotFound, "id"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := f.store.UpdateProduct(ctx, c.id, c.in)
			wantFieldError(t, err, c.code, c.field)
		})
	}
	if got, _ := f.store.ProductsByIDs(ctx, []int64{other.ID}); got[other.ID].Slug != "other" {
		t.Errorf("other product changed: %+v", got[other.ID])
	}
}

func TestCreateVariant(t *testing.T) {
	t.Parallel()
	f := newWriteFixture(t)
	ctx := t.Context()
	compareAt := int64(2500)
	v, err := f.store.CreateVariant(ctx, catalog.NewVariant{ProductID: f.product.ID, SKU: "TEE-1-L",
		Options: []catalog.Option{{Name: "Size", Value: "L"}}, Price: 2000, CompareAt: &compareAt, Currency: "USD", Weight: 200, StockOnHand: 3})
	if err != nil {
		t.Fatal(err)
	}
	if v.ProductID != f.product.ID || v.Name != "L" || *v.CompareAt != 2500 || v.StockOnHand != 3 {
		t.Errorf("variant %+v", v)
	}
	all, _ := f.store.VariantsByProductIDs(ctx, []int64{f.product.ID})
	if got := all[f.product.ID]; len(got) != 3 || got[2].ID != v.ID {
		t.Errorf("variants %v: the new one goes last", got)
	}
	good := func() catalog.NewVariant {
		return catalog.NewVariant{ProductID: f.product.ID, SKU: "TEE-1-XL", Options: []catalog.Option{{Name: "Size", Value: "XL"}}, Price: 100, Currency: "USD"}
	}
	cases := []struct {
		name        string
		change      func(*catalog.NewVariant)
		code, field string
	}{
		{"no such product", func(v *catalog.NewVariant) { v.ProductID = 777 }, catalog.CodeNotFound, "productId"},
		{"SKU taken", func(v *catalog.NewVariant) { v.SKU = f.mSKU }, catalog.CodeTaken, "sku"},
		{"blank SKU", func(v *catalog.NewVariant) { v.SKU = "" }, catalog.CodeBlank, "sku"},
		{"options of a sibling", func(v *catalog.NewVariant) { v.Options[0].Value = "M" }, catalog.CodeTaken, "options"},
		{"other option names", func(v *catalog.NewVariant) { v.Options = []catalog.Option{{Name: "Colour", Value: "Red"}} }, catalog.CodeInvalid, "options"},
		{"no options where siblings have some", func(v *catalog.NewVariant) { v.Options = nil }, catalog.CodeInvalid, "options"},
		{"too many options", func(v *catalog.NewVariant) {
			for _, n := range []string{"A", "B", "C"} {
				v.Options = append(v.Options, catalog.Option{Name: n, Value: n})
			}
		}, catalog.CodeTooLong, "options"},
		{"other currency", func(v *catalog.NewVariant) { v.Currency = "GBP" }, catalog.CodeInvalid, "currencyCode"},
		{"negative weight", func(v *catalog.NewVariant) { v.Weight = -5 }, catalog.CodeNegative, "weight"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := good()
			c.change(&in)
			_, err := f.store.CreateVariant(ctx, in)
			wantFieldError(t, err, c.code, c.field)
		})
	}
	if n := f.count(t, "product_variants"); n != 3 {
		t.Errorf("%d variants after the refusals, want 3", n)
	}
}

func TestUpdateVariant(t *testing.T) {
	t.Parallel()
	f := newWriteFixture(t)
	ctx := t.Context()
	s, m := f.variants[0], f.variants[1]
	price, compareAt, weight, sku := int64(900), int64(1400), 0, "TEE-1-SMALL"
	v, err := f.store.UpdateVariant(ctx, s.ID, catalog.VariantUpdate{Price: &price, CompareAt: &compareAt, Weight: &weight, SKU: &sku})
	if err != nil || v.Price != 900 || *v.CompareAt != 1400 || v.Weight != 0 || v.SKU != sku || v.StockOnHand != 10 {
		t.Fatalf("updated %+v, %v", v, err)
	}
	var minPrice int64
	if err := f.pool.QueryRow(ctx, `SELECT min_price_minor FROM products WHERE id = $1`, f.product.ID).Scan(&minPrice); err != nil || minPrice != 900 {
		t.Errorf("min price %d (%v), want 900 from the trigger", minPrice, err)
	}
	v, err = f.store.UpdateVariant(ctx, s.ID, catalog.VariantUpdate{ClearCompareAt: true})
	if err != nil || v.CompareAt != nil || v.Price != 900 {
		t.Errorf("cleared %+v, %v", v, err)
	}
	high, low, neg := int64(5000), int64(800), -1
	if _, err := f.store.UpdateVariant(ctx, s.ID, catalog.VariantUpdate{CompareAt: &high}); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name        string
		id          int64
		in          catalog.VariantUpdate
		code, field string
	}{
		{"price above the compare-at price", s.ID, catalog.VariantUpdate{Price: &high}, catalog.CodeInvalid, "compareAtPrice"},
		{"compare-at below the price", s.ID, catalog.VariantUpdate{CompareAt: &low}, catalog.CodeInvalid, "compareAtPrice"},
		{"both compare-at and clear", s.ID, catalog.VariantUpdate{CompareAt: &high, ClearCompareAt: true}, catalog.CodeInvalid, "clearCompareAtPrice"},
		{"SKU taken", s.ID, catalog.VariantUpdate{SKU: &m.SKU}, catalog.CodeTaken, "sku"},
		{"negative weight", s.ID, catalog.VariantUpdate{Weight: &neg}, catalog.CodeNegative, "weight"},
		{"no such variant", 5555, catalog.VariantUpdate{Weight: &weight}, catalog.CodeNotFound, "id"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := f.store.UpdateVariant(ctx, c.id, c.in)
			wantFieldError(t, err, c.code, c.field)
		})
	}
}

func TestSetStock(t *testing.T) {
	t.Parallel()
	f := newWriteFixture(t)
	ctx := t.Context()
	id := f.variants[0].ID
	if _, err := f.pool.Exec(ctx, `UPDATE product_variants SET stock_reserved = 4 WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
	v, err := f.store.SetStock(ctx, id, 4)
	if err != nil || v.StockOnHand != 4 || v.StockReserved != 4 || v.Available() != 0 {
		t.Errorf("set to what is reserved: %+v, %v", v, err)
	}
	v, err = f.store.SetStock(ctx, id, 50)
	if err != nil || v.Available() != 46 {
		t.Errorf("set to 50: %+v, %v", v, err)
	}
	cases := []struct {
		name        string
		id          int64
		onHand      int
		code, field string
	}{
		{"below reserved", id, 3, catalog.CodeBelowReserved, "onHand"},
		{"negative", id, -1, catalog.CodeNegative, "onHand"},
		{"no such variant", 9191, 5, catalog.CodeNotFound, "variantId"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := f.store.SetStock(ctx, c.id, c.onHand)
			wantFieldError(t, err, c.code, c.field)
		})
	}
	if on, _ := stockOf(t, f.pool, id); on != 50 {
		t.Errorf("on hand %d after the refusals, want 50", on)
	}
}

func TestAddReview(t *testing.T) {
	t.Parallel()
	f := newWriteFixture(t)
	ctx := t.Context()
	pid := f.product.ID
	r, err := f.store.AddReview(ctx, catalog.NewReview{ProductID: pid, AuthorID: 7, Rating: 4, Title: " Good ", Body: "Soft."})
	if err != nil || r.Title != "Good" || r.AuthorID != 7 || r.ProductID != pid || r.CreatedAt.IsZero() {
		t.Fatalf("review %+v, %v", r, err)
	}
	if _, err := f.store.AddReview(ctx, catalog.NewReview{ProductID: pid, AuthorID: 8, Rating: 1, Title: "Bad", Body: "Shrank."}); err != nil {
		t.Fatal(err)
	}
	sums, err := f.store.RatingSummaries(ctx, []int64{pid})
	if err != nil || sums[pid].Count != 2 || sums[pid].Histogram != [5]int{1, 0, 0, 1, 0} {
		t.Errorf("summary %+v, %v", sums[pid], err)
	}
	var count, sum int
	if err := f.pool.QueryRow(ctx, `SELECT rating_count, rating_sum FROM products WHERE id = $1`, pid).Scan(&count, &sum); err != nil || count != 2 || sum != 5 {
		t.Errorf("product rating columns %d, %d (%v); want 2, 5 from the trigger", count, sum, err)
	}
	cases := []struct {
		name        string
		in          catalog.NewReview
		code, field string
	}{
		{"duplicate", catalog.NewReview{ProductID: pid, AuthorID: 7, Rating: 5, Title: "Again", Body: "x"}, catalog.CodeAlreadyReviewed, "productId"},
		{"no such product", catalog.NewReview{ProductID: 999, AuthorID: 7, Rating: 5, Title: "T", Body: "B"}, catalog.CodeNotFound, "productId"},
		{"rating 0", catalog.NewReview{ProductID: pid, AuthorID: 9, Rating: 0, Title: "T", Body: "B"}, catalog.CodeRatingOutOfRange, "rating"},
		{"rating 6", catalog.NewReview{ProductID: pid, AuthorID: 9, Rating: 6, Title: "T", Body: "B"}, catalog.CodeRatingOutOfRange, "rating"},
		{"blank title", catalog.NewReview{ProductID: pid, AuthorID: 9, Rating: 3, Title: " ", Body: "B"}, catalog.CodeBlank, "title"},
		{"title too long", catalog.NewReview{ProductID: pid, AuthorID: 9, Rating: 3, Title: strings.Repeat("t", 201), Body: "B"}, catalog.CodeTooLong, "title"},
		{"blank body", catalog.NewReview{ProductID: pid, AuthorID: 9, Rating: 3, Title: "T"}, catalog.CodeBlank, "body"},
		{"body too long", catalog.NewReview{ProductID: pid, AuthorID: 9, Rating: 3, Title: "T", Body: strings.Repeat("é", 5001)}, catalog.CodeTooLong, "body"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := f.store.AddReview(ctx, c.in)
			wantFieldError(t, err, c.code, c.field)
		})
	}
	if n := f.count(t, "reviews"); n != 2 {
		t.Errorf("%d reviews, want 2", n)
	}
}

// One review per user and product holds when the same user posts many at once:
// rounds of writers on their own connections, each round a new user.
func TestAddReviewConcurrentDuplicates(t *testing.T) {
	t.Parallel()
	const writers, rounds = 16, 10
	pool, _ := stockPool(t, writers, 1)
	store := New(pool)
	var productID int64
	if err := pool.QueryRow(t.Context(), `SELECT id FROM products`).Scan(&productID); err != nil {
		t.Fatal(err)
	}
	for round := range rounds {
		var wg sync.WaitGroup
		start := make(chan struct{})
		errs := make([]error, writers)
		for i := range writers {
			wg.Go(func() {
				<-start
				_, errs[i] = store.AddReview(t.Context(), catalog.NewReview{ProductID: productID, AuthorID: int64(round + 1), Rating: 5, Title: "Mine", Body: "Once."})
			})
		}
		close(start)
		wg.Wait()
		ok := 0
		for _, err := range errs {
			var ie *catalog.InputError
			switch {
			case err == nil:
				ok++
			case errors.As(err, &ie) && ie.Errors[0].Code == catalog.CodeAlreadyReviewed:
			default:
				t.Errorf("unexpected error %v", err)
			}
		}
		if ok != 1 {
			t.Errorf("round %d: %d writers succeeded, want exactly one", round, ok)
		}
	}
	var n, pairs int
	if err := pool.QueryRow(t.Context(), `SELECT count(*), count(DISTINCT author_id) FROM reviews`).Scan(&n, &pairs); err != nil || n != rounds || pairs != rounds {
		t.Errorf("%d reviews by %d authors (%v); want %d by %d", n, pairs, err, rounds, rounds)
	}
}

// Every sort pages forward and back to the same order as sorting all reviews in
// Go, at every page size, and the rating sorts break ties newest first.
func TestReviewSortsPageBothWays(t *testing.T) {
	t.Parallel()
	f := newWriteFixture(t)
	ctx := t.Context()
	ratings := []int{3, 5, 1, 5, 3, 2, 4, 5, 1, 3, 4}
	var all []*catalog.Review
	for i, rating := range ratings {
		r, err := f.store.AddReview(ctx, catalog.NewReview{ProductID: f.product.ID, AuthorID: int64(100 + i), Rating: rating, Title: "T", Body: "B"})
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, r)
	}
	want := map[catalog.ReviewSort][]int64{}
	for sort, cmp := range map[catalog.ReviewSort]func(a, b *catalog.Review) int{
		catalog.ReviewsNewest:  func(a, b *catalog.Review) int { return int(b.ID - a.ID) },
		catalog.ReviewsHighest: func(a, b *catalog.Review) int { return cmpOr(b.Rating-a.Rating, int(b.ID-a.ID)) },
		catalog.ReviewsLowest:  func(a, b *catalog.Review) int { return cmpOr(a.Rating-b.Rating, int(b.ID-a.ID)) },
	} {
		s := slices.Clone(all)
		slices.SortFunc(s, cmp)
		for _, r := range s {
			want[sort] = append(want[sort], r.ID)
		}
	}
	ratingOf := map[int64]int{}
	for _, r := range all {
		ratingOf[r.ID] = r.Rating
	}
	for sort, order := range want {
		for _, size := range []int{1, 3, 4, 11, 20} {
			// Forward from the start, then back from the end.
			var fwd []int64
			req := catalog.ReviewPageRequest{OwnerID: f.product.ID, Page: catalog.Page{First: size}, Sort: sort}
			for {
				lists, err := f.store.ReviewsByProduct(ctx, []catalog.ReviewPageRequest{req})
				if err != nil {
					t.Fatal(err)
				}
				l := lists[0]
				if l.Total != len(all) {
					t.Fatalf("total %d", l.Total)
				}
				for _, r := range l.Reviews {
					fwd = append(fwd, r.ID)
				}
				if !l.HasNext {
					break
				}
				last := l.Reviews[len(l.Reviews)-1]
				req.After, req.AfterRating = last.ID, last.Rating
			}
			if !slices.Equal(fwd, order) {
				t.Errorf("%s by %d forward: %v, want %v", sort, size, fwd, order)
			}
			// Back: the last page before the end, then before each first item.
			var back []int64
			req = catalog.ReviewPageRequest{OwnerID: f.product.ID, Page: catalog.Page{First: size}, Sort: sort, Backward: true}
			for {
				lists, err := f.store.ReviewsByProduct(ctx, []catalog.ReviewPageRequest{req})
				if err != nil {
					t.Fatal(err)
				}
				l := lists[0]
				ids := make([]int64, len(l.Reviews))
				for i, r := range l.Reviews {
					ids[i] = r.ID
				}
				back = append(ids, back...)
				if !l.HasNext {
					break
				}
				first := l.Reviews[0]
				req.After, req.AfterRating = first.ID, ratingOf[first.ID]
			}
			if !slices.Equal(back, order) {
				t.Errorf("%s by %d backward: %v, want %v", sort, size, back, order)
			}
		}
	}
}

func cmpOr(a, b int) int {
	if a != 0 {
		return a
	}
	return b
}

// Variants with the same options created at once: the product's lock lets one
// in, the others see it and are TAKEN.
func TestCreateVariantConcurrentSameOptions(t *testing.T) {
	t.Parallel()
	const writers, rounds = 12, 5
	pool, _ := stockPool(t, writers)
	store := New(pool)
	for round := range rounds {
		var productID int64
		if err := pool.QueryRow(t.Context(), `INSERT INTO products (slug, name) VALUES ($1, 'Race') RETURNING id`,
			"race-"+strconv.Itoa(round)).Scan(&productID); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		start := make(chan struct{})
		errs := make([]error, writers)
		for i := range writers {
			wg.Go(func() {
				<-start
				_, errs[i] = store.CreateVariant(t.Context(), catalog.NewVariant{ProductID: productID, SKU: fmt.Sprintf("RACE-%d-%d", round, i),
					Options: []catalog.Option{{Name: "Size", Value: "M"}}, Price: 100, Currency: "USD"})
			})
		}
		close(start)
		wg.Wait()
		ok := 0
		for _, err := range errs {
			var ie *catalog.InputError
			switch {
			case err == nil:
				ok++
			case errors.As(err, &ie) && ie.Errors[0].Code == catalog.CodeTaken && strings.Join(ie.Errors[0].Field, ".") == "options":
			default:
				t.Errorf("unexpected error %v", err)
			}
		}
		if ok != 1 {
			t.Errorf("round %d: %d variants with the same options created, want 1", round, ok)
		}
	}
	if n := count(t, pool, "product_variants"); n != rounds {
		t.Errorf("%d variants, want %d", n, rounds)
	}
}
