package postgres

import (
	"slices"
	"testing"
	"time"

	"github.com/shopgraph/shopgraph/subgraphs/catalog"
)

// TestListingSummaryFollowsWrites: the columns listings filter on (migration
// 007: root category, in stock, options, price range) follow every write that
// changes what they summarise, so filtered listings never go stale.
func TestListingSummaryFollowsWrites(t *testing.T) {
	t.Parallel()
	f := newWriteFixture(t)
	ctx := t.Context()
	s := f.store
	listed := func(flt catalog.ProductFilter) bool {
		t.Helper()
		page, err := s.ListProducts(ctx, catalog.ProductQuery{Filter: flt, Sort: catalog.SortPriceAsc, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		return slices.ContainsFunc(page.Products, func(p *catalog.Product) bool { return p.ID == f.product.ID })
	}
	check := func(what string, flt catalog.ProductFilter, want bool) {
		t.Helper()
		if got := listed(flt); got != want {
			t.Errorf("%s: listed %v, want %v", what, got, want)
		}
	}
	inStock := catalog.ProductFilter{InStock: true}
	sizeM := catalog.ProductFilter{Options: []catalog.OptionFilter{{Name: "Size", Values: []string{"M"}}}}
	sizeXL := catalog.ProductFilter{Options: []catalog.OptionFilter{{Name: "Size", Values: []string{"XL"}}}}
	price := func(lo, hi int64) catalog.ProductFilter { return catalog.ProductFilter{MinPrice: &lo, MaxPrice: &hi} }

	check("in stock (S has 10)", inStock, true)
	check("root category", catalog.ProductFilter{CategoryID: f.root.ID}, true)
	check("subcategory", catalog.ProductFilter{CategoryID: f.sub.ID}, true)
	check("size M", sizeM, true)
	check("size XL", sizeXL, false)
	check("a variant at 15.00", price(1400, 1600), true)
	check("between the variants' prices", price(1300, 1400), false)

	// Reserving the last units sells the product out; releasing brings it back.
	if _, err := s.Reserve(ctx, "order-summary", []catalog.ReservationLine{{VariantID: f.variants[0].ID, Quantity: 10}}, time.Minute); err != nil {
		t.Fatal(err)
	}
	check("in stock after the last units were reserved", inStock, false)
	if _, err := s.Release(ctx, "order-summary"); err != nil {
		t.Fatal(err)
	}
	check("in stock after the release", inStock, true)
	if _, err := s.SetStock(ctx, f.variants[0].ID, 0); err != nil {
		t.Fatal(err)
	}
	check("in stock after setStock 0", inStock, false)

	// A new variant adds its options and price.
	if _, err := s.CreateVariant(ctx, catalog.NewVariant{ProductID: f.product.ID, SKU: "TEE-1-XL",
		Options: []catalog.Option{{Name: "Size", Value: "XL"}}, Price: 2500, Currency: "USD", Weight: 200, StockOnHand: 3}); err != nil {
		t.Fatal(err)
	}
	check("size XL after the new variant", sizeXL, true)
	check("in stock with the new variant", inStock, true)
	check("a variant at 25.00", price(2400, 2600), true)
	price2 := int64(1350)
	if _, err := s.UpdateVariant(ctx, f.variants[1].ID, catalog.VariantUpdate{Price: &price2}); err != nil {
		t.Fatal(err)
	}
	check("between the old prices after a price change", price(1300, 1400), true)

	// Moving the product moves it out of the old tree.
	other, err := s.CreateCategory(ctx, catalog.NewCategory{Slug: "garden", Name: "Garden"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.UpdateProduct(ctx, f.product.ID, catalog.ProductUpdate{CategoryID: &other.ID}); err != nil {
		t.Fatal(err)
	}
	check("old root after the move", catalog.ProductFilter{CategoryID: f.root.ID}, false)
	check("new root after the move", catalog.ProductFilter{CategoryID: other.ID}, true)
}

// TestUpdateVariantOptions: a variant's options change when they fit the
// product's other variants, and the listing filters follow.
func TestUpdateVariantOptions(t *testing.T) {
	t.Parallel()
	f := newWriteFixture(t)
	ctx := t.Context()
	s := f.store
	opts := func(o ...catalog.Option) *[]catalog.Option { return &o }
	size := func(v string) catalog.Option { return catalog.Option{Name: "Size", Value: v} }

	_, err := s.UpdateVariant(ctx, f.variants[0].ID, catalog.VariantUpdate{Options: opts(size("M"))})
	wantFieldError(t, err, catalog.CodeTaken, "options")
	_, err = s.UpdateVariant(ctx, f.variants[0].ID, catalog.VariantUpdate{Options: opts(catalog.Option{Name: "Colour", Value: "Navy"})})
	wantFieldError(t, err, catalog.CodeInvalid, "options")
	_, err = s.UpdateVariant(ctx, f.variants[0].ID, catalog.VariantUpdate{Options: opts(size(""))})
	if err == nil {
		t.Error("an empty option value was stored")
	}

	v, err := s.UpdateVariant(ctx, f.variants[0].ID, catalog.VariantUpdate{Options: opts(size("XS"))})
	if err != nil || len(v.Options) != 1 || v.Options[0] != size("XS") {
		t.Fatalf("update to XS: %+v, %v", v, err)
	}
	page, err := s.ListProducts(ctx, catalog.ProductQuery{Limit: 5, Sort: catalog.SortNewest,
		Filter: catalog.ProductFilter{Options: []catalog.OptionFilter{{Name: "Size", Values: []string{"XS"}}}}})
	if err != nil || len(page.Products) != 1 || page.Products[0].ID != f.product.ID {
		t.Errorf("size XS listing after the change: %+v, %v", page.Products, err)
	}
	page, err = s.ListProducts(ctx, catalog.ProductQuery{Limit: 5, Sort: catalog.SortNewest,
		Filter: catalog.ProductFilter{Options: []catalog.OptionFilter{{Name: "Size", Values: []string{"S"}}}}})
	if err != nil || len(page.Products) != 0 {
		t.Errorf("size S listing after the change: %+v, %v", page.Products, err)
	}
}
