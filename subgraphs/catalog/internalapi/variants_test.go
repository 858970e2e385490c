package internalapi

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shopgraph/shopgraph/internal/pg/pgtest"
	"github.com/shopgraph/shopgraph/internal/relay"
	"github.com/shopgraph/shopgraph/subgraphs/catalog"
	catalogpg "github.com/shopgraph/shopgraph/subgraphs/catalog/postgres"
)

// lookupAnswer is a decoded lookup response.
type lookupAnswer struct {
	status   int
	header   http.Header
	Variants []variantJSON `json:"variants"`
	Missing  []string      `json:"missing"`
	Error    *apiError     `json:"error"`
}

func lookup(t *testing.T, srv *httptest.Server, method, auth, body string) lookupAnswer {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, srv.URL+LookupPath, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	a := lookupAnswer{status: resp.StatusCode, header: resp.Header}
	if err := json.Unmarshal(raw, &a); err != nil {
		t.Fatalf("%s: %v in %s", method, err, raw)
	}
	return a
}

// idsBody is a lookup body asking for ids.
func idsBody(ids ...string) string {
	quoted := make([]string, len(ids))
	for i, id := range ids {
		quoted[i] = strconv.Quote(id)
	}
	return `{"variantIds":[` + strings.Join(quoted, ",") + `]}`
}

func TestLookupAnswersCatalogDataInRequestOrder(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	if _, err := f.pool.Exec(ctx, `UPDATE product_variants SET options = '[{"name":"Size","value":"M"},{"name":"Colour","value":"Red"}]',
		compare_at_minor = 1500, price_minor = 1299, weight_grams = 250 WHERE id = $1`, f.a); err != nil {
		t.Fatal(err)
	}
	// 2 of a's 5 units are held by a checkout: 3 are available.
	if _, err := f.store.Reserve(ctx, "held", []catalog.ReservationLine{{VariantID: f.a, Quantity: 2}}, time.Hour); err != nil {
		t.Fatal(err)
	}
	var productID int64
	if err := f.pool.QueryRow(ctx, `SELECT product_id FROM product_variants WHERE id = $1`, f.a).Scan(&productID); err != nil {
		t.Fatal(err)
	}
	// A server on a pool that counts statements, to show the lookup's cost does
	// not grow with the number of ids.
	counted, counter := pgtest.CountingPool(t, f.pool)
	h, err := New(catalogpg.New(counted), Config{ServiceToken: token, DefaultTTL: time.Minute}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)

	unknown := variantID(999_999)
	compareAt := int64(1500)
	wantA := variantJSON{VariantID: f.va, ProductID: relay.EncodeID("Product", productID), ProductName: "API test", ProductSlug: "api-test",
		SKU: "SKU-1", Name: "Variant 1", Options: []catalog.Option{{Name: "Size", Value: "M"}, {Name: "Colour", Value: "Red"}},
		Price: moneyJSON{AmountMinor: 1299, Currency: "USD"}, CompareAtMinor: &compareAt, WeightGrams: 250, QuantityAvailable: 3}
	wantB := variantJSON{VariantID: f.vb, ProductID: relay.EncodeID("Product", productID), ProductName: "API test", ProductSlug: "api-test",
		SKU: "SKU-2", Name: "Variant 2", Options: []catalog.Option{},
		Price: moneyJSON{AmountMinor: 1000, Currency: "USD"}, WeightGrams: 100, QuantityAvailable: 2}

	tests := []struct {
		name         string
		ids          []string
		wantVariants []variantJSON
		wantMissing  []string
	}{
		{"both", []string{f.va, f.vb}, []variantJSON{wantA, wantB}, []string{}},
		{"request order, not id order", []string{f.vb, f.va}, []variantJSON{wantB, wantA}, []string{}},
		{"missing in its place", []string{unknown, f.vb, variantID(999_998)}, []variantJSON{wantB}, []string{unknown, variantID(999_998)}},
		{"only missing", []string{unknown}, []variantJSON{}, []string{unknown}},
		{"duplicates answered once, at the first place", []string{f.vb, unknown, f.va, f.vb, unknown}, []variantJSON{wantB, wantA}, []string{unknown}},
	}
	for _, tt := range tests {
		before := counter.N()
		a := lookup(t, srv, http.MethodPost, "Bearer "+token, idsBody(tt.ids...))
		if a.status != http.StatusOK {
			t.Errorf("%s: %d %+v", tt.name, a.status, a.Error)
			continue
		}
		if !reflect.DeepEqual(a.Variants, tt.wantVariants) {
			t.Errorf("%s: variants\n%+v\nwant\n%+v", tt.name, a.Variants, tt.wantVariants)
		}
		if !reflect.DeepEqual(a.Missing, tt.wantMissing) {
			t.Errorf("%s: missing %v, want %v", tt.name, a.Missing, tt.wantMissing)
		}
		if n := counter.N() - before; n > 2 {
			t.Errorf("%s: %d statements, want at most 2 (variants, products)", tt.name, n)
		}
	}

	// The most ids a lookup takes still costs two statements.
	many := make([]string, MaxLookupVariants)
	for i := range many {
		many[i] = variantID(int64(1_000_000 + i))
	}
	many[50] = f.va
	before := counter.N()
	a := lookup(t, srv, http.MethodPost, "Bearer "+token, idsBody(many...))
	if a.status != http.StatusOK || len(a.Variants) != 1 || len(a.Missing) != MaxLookupVariants-1 {
		t.Errorf("%d ids: %d, %d variants, %d missing", MaxLookupVariants, a.status, len(a.Variants), len(a.Missing))
	}
	if n := counter.N() - before; n != 2 {
		t.Errorf("%d ids: %d statements, want 2", MaxLookupVariants, n)
	}
}

func TestLookupBadRequestsNameTheField(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	tooMany := make([]string, MaxLookupVariants+1)
	for i := range tooMany {
		tooMany[i] = f.va
	}
	tests := []struct {
		name, body, field string
	}{
		{"not JSON", `{"variantIds":`, ""},
		{"empty body", ``, ""},
		{"ids missing", `{}`, "variantIds"},
		{"ids null", `{"variantIds":null}`, "variantIds"},
		{"ids not a list", `{"variantIds":"` + f.va + `"}`, "variantIds"},
		{"no ids", `{"variantIds":[]}`, "variantIds"},
		{"too many ids", idsBody(tooMany...), "variantIds"},
		{"unknown field", `{"variantIds":["` + f.va + `"],"prices":[1]}`, "prices"},
		{"a number", `{"variantIds":["` + f.va + `",12]}`, "variantIds[1]"},
		{"null id", `{"variantIds":[null]}`, "variantIds[0]"},
		{"a product id", idsBody(f.va, f.vb, "gid://shopgraph/Product/1"), "variantIds[2]"},
		{"not a global id", idsBody(f.va, f.vb, f.va, "12"), "variantIds[3]"},
		{"zero", idsBody("gid://shopgraph/ProductVariant/0"), "variantIds[0]"},
		{"not canonical", idsBody("gid://shopgraph/ProductVariant/012"), "variantIds[0]"},
	}
	for _, tt := range tests {
		a := lookup(t, f.srv, http.MethodPost, "Bearer "+token, tt.body)
		if a.status != http.StatusBadRequest || a.Error == nil || a.Error.Code != CodeBadRequest || a.Error.Field != tt.field || a.Error.Message == "" {
			t.Errorf("%s: %d %+v, want 400 BAD_REQUEST naming %q", tt.name, a.status, a.Error, tt.field)
		}
	}
}

func TestLookupNeedsTheServiceTokenAndPOST(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	body := idsBody(f.va)
	tests := []struct {
		name, method, auth string
		status             int
		code               string
	}{
		{"no token", http.MethodPost, "", http.StatusUnauthorized, CodeUnauthenticated},
		{"wrong token", http.MethodPost, "Bearer not-the-service-token-at-all", http.StatusUnauthorized, CodeUnauthenticated},
		{"GET without a token learns nothing", http.MethodGet, "", http.StatusUnauthorized, CodeUnauthenticated},
		{"GET", http.MethodGet, "Bearer " + token, http.StatusMethodNotAllowed, CodeBadRequest},
		{"PUT", http.MethodPut, "Bearer " + token, http.StatusMethodNotAllowed, CodeBadRequest},
		{"POST", http.MethodPost, "Bearer " + token, http.StatusOK, ""},
	}
	for _, tt := range tests {
		a := lookup(t, f.srv, tt.method, tt.auth, body)
		if a.status != tt.status {
			t.Errorf("%s: %d %+v, want %d", tt.name, a.status, a.Error, tt.status)
			continue
		}
		switch {
		case tt.code == "" && (a.Error != nil || len(a.Variants) != 1):
			t.Errorf("%s: %+v %+v, want the variant", tt.name, a.Variants, a.Error)
		case tt.code != "" && (a.Error == nil || a.Error.Code != tt.code || a.Variants != nil):
			t.Errorf("%s: %+v, want %s and no variants", tt.name, a.Error, tt.code)
		}
		if tt.status == http.StatusMethodNotAllowed && a.header.Get("Allow") != http.MethodPost {
			t.Errorf("%s: Allow %q, want POST", tt.name, a.header.Get("Allow"))
		}
	}
}
