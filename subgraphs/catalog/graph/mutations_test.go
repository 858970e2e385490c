package graph_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/shopgraph/shopgraph/internal/auth"
	"github.com/shopgraph/shopgraph/internal/gqlserve/gqltest"
	"github.com/shopgraph/shopgraph/internal/pg/pgtest"
	"github.com/shopgraph/shopgraph/subgraphs/catalog/graph"
	"github.com/shopgraph/shopgraph/subgraphs/catalog/postgres"
)

// writeSubgraph is the catalog subgraph over one seeded database, served three
// times: to an anonymous client, to a customer (user 41) and to an admin (user 1).
type writeSubgraph struct {
	anon, customer, admin string
}

func newWriteSubgraph(t *testing.T) *writeSubgraph {
	t.Helper()
	pool := pgtest.New(t, postgres.Migrations())
	if err := postgres.Seed(t.Context(), pool); err != nil {
		t.Fatal(err)
	}
	h := graph.NewHandler(postgres.New(pool), slog.New(slog.NewTextHandler(io.Discard, nil)))
	serve := func(p *auth.Principal) string {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if p != nil {
				r = r.WithContext(auth.With(r.Context(), *p))
			}
			h.ServeHTTP(w, r)
		}))
		t.Cleanup(srv.Close)
		return srv.URL
	}
	return &writeSubgraph{
		anon:     serve(nil),
		customer: serve(&auth.Principal{UserID: 41, Role: auth.RoleCustomer}),
		admin:    serve(&auth.Principal{UserID: 1, Role: auth.RoleAdmin}),
	}
}

// userError is a ReviewUserError or CatalogUserError.
type userError struct {
	Code    string
	Field   []string
	Message string
}

// payload decodes data.<mutation> of a response.
func payload[T any](t *testing.T, res gqltest.Response, mutation string) T {
	t.Helper()
	wantNoErrors(t, res)
	var d map[string]json.RawMessage
	if err := json.Unmarshal(res.Data, &d); err != nil {
		t.Fatal(err)
	}
	var out T
	if err := json.Unmarshal(d[mutation], &out); err != nil {
		t.Fatalf("decode %s: %v (%s)", mutation, err, res.Data)
	}
	return out
}

// wantUserError checks for exactly one userError with code at field (dotted).
func wantUserError(t *testing.T, got []userError, code, field string) {
	t.Helper()
	if len(got) != 1 || got[0].Code != code || strings.Join(got[0].Field, ".") != field || got[0].Message == "" {
		t.Errorf("userErrors %+v; want one %s at %s", got, code, field)
	}
}

// idOf returns the id of the category or product with slug.
func idOf(t *testing.T, url, kind, slug string) string {
	t.Helper()
	res := gqltest.Post(t, url, `query($s: String) { `+kind+`(slug: $s) { id } }`, map[string]any{"s": slug})
	wantNoErrors(t, res)
	var d map[string]struct{ ID string }
	if err := json.Unmarshal(res.Data, &d); err != nil || d[kind].ID == "" {
		t.Fatalf("%s %s: %s (%v)", kind, slug, res.Data, err)
	}
	return d[kind].ID
}

const (
	addReviewMutation = `mutation($in: AddReviewInput!) { addReview(input: $in) {
		review { id rating title body author { id } product { id ratingSummary { count } } }
		userErrors { code field message } } }`
	createCategoryMutation = `mutation($in: CreateCategoryInput!) { createCategory(input: $in) {
		category { id slug name parent { slug } } userErrors { code field message } } }`
	createProductMutation = `mutation($in: CreateProductInput!) { createProduct(input: $in) {
		product { id slug name description category { slug }
			priceRange { min { amount currencyCode } max { amount } }
			variants { id sku name price { amount } compareAtPrice { amount } weight quantityAvailable options { name value } } }
		userErrors { code field message } } }`
	updateProductMutation = `mutation($in: UpdateProductInput!) { updateProduct(input: $in) {
		product { id slug name description category { slug } } userErrors { code field message } } }`
	createVariantMutation = `mutation($in: CreateVariantInput!) { createVariant(input: $in) {
		variant { id sku name price { amount currencyCode } weight quantityAvailable product { id } } userErrors { code field message } } }`
	updateVariantMutation = `mutation($in: UpdateVariantInput!) { updateVariant(input: $in) {
		variant { id sku price { amount } compareAtPrice { amount } weight } userErrors { code field message } } }`
	setStockMutation = `mutation($id: ID!, $n: Int!) { setStock(variantId: $id, onHand: $n) {
		variant { id quantityAvailable stockLevel } userErrors { code field message } } }`
)

func TestMutationsNeedAPrincipal(t *testing.T) {
	t.Parallel()
	s := newWriteSubgraph(t)
	review := map[string]any{"in": map[string]any{"productId": "gid://shopgraph/Product/1", "rating": 5, "title": "T", "body": "B"}}
	cases := []struct {
		name, query string
		vars        map[string]any
		adminOnly   bool
	}{
		{"addReview", addReviewMutation, review, false},
		{"createCategory", createCategoryMutation, map[string]any{"in": map[string]any{"slug": "x", "name": "X"}}, true},
		{"createProduct", createProductMutation, map[string]any{"in": map[string]any{"slug": "x", "name": "X",
			"variants": []any{map[string]any{"sku": "X-1", "price": "1.00", "weight": 1}}}}, true},
		{"updateProduct", updateProductMutation, map[string]any{"in": map[string]any{"id": "gid://shopgraph/Product/1", "name": "X"}}, true},
		{"createVariant", createVariantMutation, map[string]any{"in": map[string]any{"productId": "gid://shopgraph/Product/1", "sku": "X-1", "price": "1.00", "weight": 1}}, true},
		{"updateVariant", updateVariantMutation, map[string]any{"in": map[string]any{"id": "gid://shopgraph/ProductVariant/1", "weight": 1}}, true},
		{"setStock", setStockMutation, map[string]any{"id": "gid://shopgraph/ProductVariant/1", "n": 1}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := gqltest.Post(t, s.anon, c.query, c.vars)
			wantError(t, res, "sign in", "UNAUTHENTICATED")
			if string(res.Data) != "null" {
				t.Errorf("anonymous data %s", res.Data)
			}
			if !c.adminOnly {
				return
			}
			res = gqltest.Post(t, s.customer, c.query, c.vars)
			wantError(t, res, "only admins", "FORBIDDEN")
			if len(res.Errors) == 1 && len(res.Errors[0].Path) != 1 || res.Errors[0].Path[0] != c.name {
				t.Errorf("error path %v", res.Errors[0].Path)
			}
		})
	}
	// Nothing was written by the refused requests.
	res := gqltest.Post(t, s.anon, `{ product(id: "gid://shopgraph/Product/1") { name ratingSummary { count } variants { weight } } }`, nil)
	if strings.Contains(string(res.Data), `"name":"X"`) || strings.Contains(string(res.Data), `"weight":1}`) {
		t.Errorf("a refused mutation wrote: %s", res.Data)
	}
}

func TestAddReviewThroughTheGraph(t *testing.T) {
	t.Parallel()
	s := newWriteSubgraph(t)
	before := summaryCount(t, s.anon, "gid://shopgraph/Product/7")
	in := map[string]any{"productId": "gid://shopgraph/Product/7", "rating": 2, "title": "Itchy", "body": "Too warm for me."}
	type reviewPayload struct {
		Review *struct {
			ID, Title string
			Rating    int
			Author    struct{ ID string }
			Product   struct {
				ID            string
				RatingSummary struct{ Count int }
			}
		}
		UserErrors []userError
	}
	p := payload[reviewPayload](t, gqltest.Post(t, s.customer, addReviewMutation, map[string]any{"in": in}), "addReview")
	if p.Review == nil || len(p.UserErrors) != 0 || p.Review.Author.ID != "gid://shopgraph/User/41" || p.Review.Rating != 2 ||
		p.Review.Product.RatingSummary.Count != before+1 {
		t.Fatalf("payload %+v (count before %d)", p, before)
	}
	// The newest review comes first on the product page.
	res := gqltest.Post(t, s.anon, `{ product(id: "gid://shopgraph/Product/7") { reviews(first: 1) { edges { node { id } } } } }`, nil)
	if !strings.Contains(string(res.Data), p.Review.ID) {
		t.Errorf("newest review %s not first: %s", p.Review.ID, res.Data)
	}
	with := func(k string, v any) map[string]any {
		out := map[string]any{}
		for kk, vv := range in {
			out[kk] = vv
		}
		out[k] = v
		return out
	}
	cases := []struct {
		name        string
		in          map[string]any
		code, field string
	}{
		{"duplicate", in, "ALREADY_REVIEWED", "input.productId"},
		{"rating 0", with("rating", 0), "RATING_OUT_OF_RANGE", "input.rating"},
		{"rating 6", with("rating", 6), "RATING_OUT_OF_RANGE", "input.rating"},
		{"blank title", with("title", "   "), "BLANK", "input.title"},
		{"blank body", with("body", ""), "BLANK", "input.body"},
		{"long title", with("title", strings.Repeat("t", 201)), "TOO_LONG", "input.title"},
		{"long body", with("body", strings.Repeat("b", 5001)), "TOO_LONG", "input.body"},
		{"unknown product", with("productId", "gid://shopgraph/Product/999999"), "NOT_FOUND", "input.productId"},
		{"not a product id", with("productId", "gid://shopgraph/Review/3"), "INVALID", "input.productId"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := payload[reviewPayload](t, gqltest.Post(t, s.customer, addReviewMutation, map[string]any{"in": c.in}), "addReview")
			if p.Review != nil {
				t.Errorf("review %+v added", p.Review)
			}
			wantUserError(t, p.UserErrors, c.code, c.field)
		})
	}
	if n := summaryCount(t, s.anon, "gid://shopgraph/Product/7"); n != before+1 {
		t.Errorf("rating count %d, want %d", n, before+1)
	}
}

func summaryCount(t *testing.T, url, id string) int {
	t.Helper()
	res := gqltest.Post(t, url, `query($id: ID) { product(id: $id) { ratingSummary { count } reviews { totalCount } } }`, map[string]any{"id": id})
	wantNoErrors(t, res)
	var d struct {
		Product struct {
			RatingSummary struct{ Count int }
			Reviews       struct{ TotalCount int }
		}
	}
	if err := json.Unmarshal(res.Data, &d); err != nil {
		t.Fatal(err)
	}
	if d.Product.RatingSummary.Count != d.Product.Reviews.TotalCount {
		t.Errorf("summary counts %d, reviews %d", d.Product.RatingSummary.Count, d.Product.Reviews.TotalCount)
	}
	return d.Product.RatingSummary.Count
}

type variantData struct {
	ID                string
	SKU               string `json:"sku"`
	Name              string
	Price             struct{ Amount, CurrencyCode string }
	CompareAtPrice    *struct{ Amount string }
	Weight            int
	QuantityAvailable int
	StockLevel        string
	Options           []struct{ Name, Value string }
}

func TestAdminWritesThroughTheGraph(t *testing.T) {
	t.Parallel()
	s := newWriteSubgraph(t)
	type categoryPayload struct {
		Category *struct {
			ID, Slug, Name string
			Parent         *struct{ Slug string }
		}
		UserErrors []userError
	}
	root := payload[categoryPayload](t, gqltest.Post(t, s.admin, createCategoryMutation,
		map[string]any{"in": map[string]any{"slug": "garden", "name": "Garden"}}), "createCategory")
	if root.Category == nil || root.Category.Parent != nil || len(root.UserErrors) != 0 {
		t.Fatalf("root %+v", root)
	}
	sub := payload[categoryPayload](t, gqltest.Post(t, s.admin, createCategoryMutation,
		map[string]any{"in": map[string]any{"slug": "planters", "name": "Planters", "parentId": root.Category.ID}}), "createCategory")
	if sub.Category == nil || sub.Category.Parent == nil || sub.Category.Parent.Slug != "garden" {
		t.Fatalf("subcategory %+v", sub)
	}

	type productPayload struct {
		Product *struct {
			ID, Slug, Name, Description string
			Category                    *struct{ Slug string }
			PriceRange                  struct {
				Min struct{ Amount, CurrencyCode string }
				Max struct{ Amount string }
			}
			Variants []variantData
		}
		UserErrors []userError
	}
	variant := func(sku, size, price string) map[string]any {
		return map[string]any{"sku": sku, "price": price, "weight": 900, "stockOnHand": 4,
			"options": []any{map[string]any{"name": "Size", "value": size}}}
	}
	product := map[string]any{"slug": "terracotta-planter", "name": "Terracotta Planter", "description": "Fired clay.",
		"categoryId": sub.Category.ID, "variants": []any{variant("PLT-1-S", "Small", "12.50"), variant("PLT-1-L", "Large", "30")}}
	created := payload[productPayload](t, gqltest.Post(t, s.admin, createProductMutation, map[string]any{"in": product}), "createProduct")
	p := created.Product
	if p == nil || len(created.UserErrors) != 0 || p.Category == nil || p.Category.Slug != "planters" || len(p.Variants) != 2 ||
		p.PriceRange.Min.Amount != "12.50" || p.PriceRange.Max.Amount != "30.00" || p.PriceRange.Min.CurrencyCode != "USD" ||
		p.Variants[0].Name != "Small" || p.Variants[0].QuantityAvailable != 4 || p.Variants[1].Price.Amount != "30.00" {
		t.Fatalf("created %+v", created)
	}
	if got := idOf(t, s.anon, "product", "terracotta-planter"); got != p.ID {
		t.Errorf("product by slug %s, want %s", got, p.ID)
	}

	updated := payload[productPayload](t, gqltest.Post(t, s.admin, updateProductMutation,
		map[string]any{"in": map[string]any{"id": p.ID, "name": "Clay Planter", "removeCategory": true}}), "updateProduct")
	if updated.Product == nil || updated.Product.Name != "Clay Planter" || updated.Product.Category != nil || updated.Product.Description != "Fired clay." {
		t.Errorf("updated %+v", updated)
	}

	type variantPayload struct {
		Variant    *variantData
		UserErrors []userError
	}
	nv := payload[variantPayload](t, gqltest.Post(t, s.admin, createVariantMutation, map[string]any{"in": map[string]any{
		"productId": p.ID, "sku": "PLT-1-M", "price": "19.99", "weight": 700,
		"options": []any{map[string]any{"name": "Size", "value": "Medium"}}}}), "createVariant")
	if nv.Variant == nil || nv.Variant.Price.Amount != "19.99" || nv.Variant.QuantityAvailable != 0 || nv.Variant.Name != "Medium" {
		t.Fatalf("new variant %+v", nv)
	}
	uv := payload[variantPayload](t, gqltest.Post(t, s.admin, updateVariantMutation, map[string]any{"in": map[string]any{
		"id": nv.Variant.ID, "price": "17.5", "compareAtPrice": "19.99", "sku": "PLT-1-MED"}}), "updateVariant")
	if uv.Variant == nil || uv.Variant.Price.Amount != "17.50" || uv.Variant.CompareAtPrice == nil || uv.Variant.CompareAtPrice.Amount != "19.99" {
		t.Fatalf("updated variant %+v", uv)
	}
	uv = payload[variantPayload](t, gqltest.Post(t, s.admin, updateVariantMutation, map[string]any{"in": map[string]any{
		"id": nv.Variant.ID, "clearCompareAtPrice": true}}), "updateVariant")
	if uv.Variant == nil || uv.Variant.CompareAtPrice != nil || uv.Variant.Price.Amount != "17.50" {
		t.Fatalf("cleared compare-at %+v", uv)
	}
	st := payload[variantPayload](t, gqltest.Post(t, s.admin, setStockMutation, map[string]any{"id": nv.Variant.ID, "n": 3}), "setStock")
	if st.Variant == nil || st.Variant.QuantityAvailable != 3 || st.Variant.StockLevel != "LOW_STOCK" {
		t.Fatalf("set stock %+v", st)
	}
	// The product page shows every change.
	res := gqltest.Post(t, s.anon, `{ product(slug: "terracotta-planter") { name priceRange { min { amount } }
		variants { sku quantityAvailable } } }`, nil)
	want := `{"product":{"name":"Clay Planter","priceRange":{"min":{"amount":"12.50"}},"variants":[{"sku":"PLT-1-S","quantityAvailable":4},{"sku":"PLT-1-L","quantityAvailable":4},{"sku":"PLT-1-MED","quantityAvailable":3}]}}`
	if string(res.Data) != want {
		t.Errorf("product page %s\nwant %s", res.Data, want)
	}

	knitwear := idOf(t, s.anon, "category", "knitwear")
	v1 := "gid://shopgraph/ProductVariant/1"
	cases := []struct {
		name, mutation, query string
		vars                  map[string]any
		code, field           string
	}{
		{"category slug taken", "createCategory", createCategoryMutation, map[string]any{"in": map[string]any{"slug": "garden", "name": "G"}}, "TAKEN", "input.slug"},
		{"category slug format", "createCategory", createCategoryMutation, map[string]any{"in": map[string]any{"slug": "Garden Tools", "name": "G"}}, "INVALID", "input.slug"},
		{"category blank name", "createCategory", createCategoryMutation, map[string]any{"in": map[string]any{"slug": "tools", "name": ""}}, "BLANK", "input.name"},
		{"category under a subcategory", "createCategory", createCategoryMutation, map[string]any{"in": map[string]any{"slug": "tools", "name": "T", "parentId": knitwear}}, "NOT_ROOT", "input.parentId"},
		{"category parent unknown", "createCategory", createCategoryMutation, map[string]any{"in": map[string]any{"slug": "tools", "name": "T", "parentId": "gid://shopgraph/Category/9999"}}, "NOT_FOUND", "input.parentId"},
		{"category parent not a category id", "createCategory", createCategoryMutation, map[string]any{"in": map[string]any{"slug": "tools", "name": "T", "parentId": p.ID}}, "INVALID", "input.parentId"},
		{"product slug taken", "createProduct", createProductMutation, map[string]any{"in": with(product, "slug", "merino-crew-sweater")}, "TAKEN", "input.slug"},
		{"product slug format", "createProduct", createProductMutation, map[string]any{"in": with(product, "slug", "-x")}, "INVALID", "input.slug"},
		{"product blank name", "createProduct", createProductMutation, map[string]any{"in": with(with(product, "slug", "a"), "name", " ")}, "BLANK", "input.name"},
		{"product category unknown", "createProduct", createProductMutation, map[string]any{"in": with(with(product, "slug", "a"), "categoryId", "gid://shopgraph/Category/9999")}, "NOT_FOUND", "input.categoryId"},
		{"product without variants", "createProduct", createProductMutation, map[string]any{"in": with(with(product, "slug", "a"), "variants", []any{})}, "BLANK", "input.variants"},
		{"product variant price format", "createProduct", createProductMutation, map[string]any{"in": with(with(product, "slug", "a"), "variants", []any{variant("A-1", "S", "12.505")})}, "INVALID", "input.variants.0.price"},
		{"product variant price not a number", "createProduct", createProductMutation, map[string]any{"in": with(with(product, "slug", "a"), "variants", []any{variant("A-1", "S", "1,5")})}, "INVALID", "input.variants.0.price"},
		{"product variant negative price", "createProduct", createProductMutation, map[string]any{"in": with(with(product, "slug", "a"), "variants", []any{variant("A-1", "S", "-1.00")})}, "NEGATIVE", "input.variants.0.price"},
		{"product variant SKU taken", "createProduct", createProductMutation, map[string]any{"in": with(with(product, "slug", "a"), "variants", []any{variant("A-1", "S", "1"), variant("SWT-00001-1", "M", "1")})}, "TAKEN", "input.variants.1.sku"},
		{"product variant same options", "createProduct", createProductMutation, map[string]any{"in": with(with(product, "slug", "a"), "variants", []any{variant("A-1", "S", "1"), variant("A-2", "S", "1")})}, "TAKEN", "input.variants.1.options"},
		{"product variant negative weight", "createProduct", createProductMutation, map[string]any{"in": with(with(product, "slug", "a"), "variants", []any{with(variant("A-1", "S", "1"), "weight", -1)})}, "NEGATIVE", "input.variants.0.weight"},
		{"product variant compare-at below price", "createProduct", createProductMutation, map[string]any{"in": with(with(product, "slug", "a"), "variants", []any{with(variant("A-1", "S", "10"), "compareAtPrice", "9.99")})}, "INVALID", "input.variants.0.compareAtPrice"},
		{"product JPY price with cents", "createProduct", createProductMutation, map[string]any{"in": with(with(product, "slug", "a"), "variants", []any{with(variant("A-1", "S", "100.5"), "currencyCode", "JPY")})}, "INVALID", "input.variants.0.price"},
		{"update slug taken", "updateProduct", updateProductMutation, map[string]any{"in": map[string]any{"id": p.ID, "slug": "merino-crew-sweater"}}, "TAKEN", "input.slug"},
		{"update unknown product", "updateProduct", updateProductMutation, map[string]any{"in": map[string]any{"id": "gid://shopgraph/Product/999999", "name": "N"}}, "NOT_FOUND", "input.id"},
		{"update category and remove", "updateProduct", updateProductMutation, map[string]any{"in": map[string]any{"id": p.ID, "categoryId": knitwear, "removeCategory": true}}, "INVALID", "input.removeCategory"},
		{"update long description", "updateProduct", updateProductMutation, map[string]any{"in": map[string]any{"id": p.ID, "description": strings.Repeat("d", 10001)}}, "TOO_LONG", "input.description"},
		{"variant unknown product", "createVariant", createVariantMutation, map[string]any{"in": map[string]any{"productId": "gid://shopgraph/Product/999999", "sku": "Z-1", "price": "1", "weight": 1}}, "NOT_FOUND", "input.productId"},
		{"variant options unlike the product's", "createVariant", createVariantMutation, map[string]any{"in": map[string]any{"productId": p.ID, "sku": "Z-1", "price": "1", "weight": 1,
			"options": []any{map[string]any{"name": "Colour", "value": "Red"}}}}, "INVALID", "input.options"},
		{"variant other currency", "createVariant", createVariantMutation, map[string]any{"in": map[string]any{"productId": p.ID, "sku": "Z-1", "price": "1", "weight": 1, "currencyCode": "EUR",
			"options": []any{map[string]any{"name": "Size", "value": "Tiny"}}}}, "INVALID", "input.currencyCode"},
		{"variant bad SKU", "createVariant", createVariantMutation, map[string]any{"in": map[string]any{"productId": p.ID, "sku": "Z 1", "price": "1", "weight": 1,
			"options": []any{map[string]any{"name": "Size", "value": "Tiny"}}}}, "INVALID", "input.sku"},
		{"update variant unknown", "updateVariant", updateVariantMutation, map[string]any{"in": map[string]any{"id": "gid://shopgraph/ProductVariant/999999", "price": "1"}}, "NOT_FOUND", "input.id"},
		{"update variant price format", "updateVariant", updateVariantMutation, map[string]any{"in": map[string]any{"id": v1, "price": "abc"}}, "INVALID", "input.price"},
		{"update variant price above compare-at", "updateVariant", updateVariantMutation, map[string]any{"in": map[string]any{"id": nv.Variant.ID, "compareAtPrice": "17.50"}}, "INVALID", "input.compareAtPrice"},
		{"update variant SKU taken", "updateVariant", updateVariantMutation, map[string]any{"in": map[string]any{"id": v1, "sku": "PLT-1-S"}}, "TAKEN", "input.sku"},
		{"stock negative", "setStock", setStockMutation, map[string]any{"id": v1, "n": -1}, "NEGATIVE", "onHand"},
		{"stock unknown variant", "setStock", setStockMutation, map[string]any{"id": "gid://shopgraph/ProductVariant/999999", "n": 1}, "NOT_FOUND", "variantId"},
		{"stock not a variant id", "setStock", setStockMutation, map[string]any{"id": p.ID, "n": 1}, "INVALID", "variantId"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := gqltest.Post(t, s.admin, c.query, c.vars)
			out := payload[struct{ UserErrors []userError }](t, res, c.mutation)
			wantUserError(t, out.UserErrors, c.code, c.field)
			if strings.Contains(string(res.Data), `"id":"gid`) {
				t.Errorf("a refused %s returned an object: %s", c.mutation, res.Data)
			}
		})
	}
}

// with returns a copy of m with k set to v.
func with(m map[string]any, k string, v any) map[string]any {
	out := make(map[string]any, len(m)+1)
	for kk, vv := range m {
		out[kk] = vv
	}
	out[k] = v
	return out
}
