package checkout_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/shopgraph/shopgraph/internal/pg/pgtest"
	"github.com/shopgraph/shopgraph/subgraphs/catalog/internalapi"
	catalogpg "github.com/shopgraph/shopgraph/subgraphs/catalog/postgres"
	"github.com/shopgraph/shopgraph/subgraphs/orders"
	"github.com/shopgraph/shopgraph/subgraphs/orders/catalogclient"
	"github.com/shopgraph/shopgraph/subgraphs/orders/checkout"
	"github.com/shopgraph/shopgraph/subgraphs/orders/checkout/checkouttest"
	"github.com/shopgraph/shopgraph/subgraphs/orders/payments"
	orderspg "github.com/shopgraph/shopgraph/subgraphs/orders/postgres"
)

const serviceToken = "checkout-test-service-token-0123456789"

// fixture is checkout over the real catalog (its internal API on a loopback
// server, over its seeded database), the orders database and the test
// payment provider. The catalog can be taken down: its server then drops
// every connection, as a crashed process would.
type fixture struct {
	catalogDB *pgxpool.Pool
	ordersDB  *pgxpool.Pool
	store     *orderspg.Store
	catalog   *catalogclient.Client
	pay       *payments.Provider
	svc       *checkout.Service
	down      atomic.Bool
}

func newFixture(t *testing.T, cfg checkout.Config) *fixture {
	t.Helper()
	f := &fixture{catalogDB: pgtest.New(t, catalogpg.Migrations()), ordersDB: pgtest.New(t, orderspg.Migrations())}
	if err := catalogpg.Seed(t.Context(), f.catalogDB); err != nil {
		t.Fatal(err)
	}
	if err := orderspg.Seed(t.Context(), f.ordersDB); err != nil {
		t.Fatal(err)
	}
	api, err := internalapi.New(catalogpg.New(f.catalogDB), internalapi.Config{ServiceToken: serviceToken, DefaultTTL: time.Minute}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if f.down.Load() {
			conn, _, err := http.NewResponseController(w).Hijack()
			if err == nil {
				conn.Close()
			}
			return
		}
		api.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	f.catalog, err = catalogclient.New(catalogclient.Config{BaseURL: srv.URL, ServiceToken: serviceToken, Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	f.store = orderspg.New(f.ordersDB)
	f.pay = payments.New(f.ordersDB)
	f.svc = checkout.New(f.store, f.catalog.ForOrders(), f.catalog, f.pay, nil, cfg)
	return f
}

// variant is a catalog variant with stock, its id and price.
type variant struct {
	id    int64
	price int64
}

// variants returns n in-stock variants of the demo catalog, priced in USD.
func (f *fixture) variants(t *testing.T, n int) []variant {
	t.Helper()
	rows, err := f.catalogDB.Query(t.Context(), `
		SELECT id, price_minor FROM product_variants
		WHERE currency = 'USD' AND stock_on_hand - stock_reserved >= 20 ORDER BY id LIMIT $1`, n)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []variant
	for rows.Next() {
		var v variant
		if err := rows.Scan(&v.id, &v.price); err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	if len(out) != n {
		t.Fatalf("the demo catalog has %d USD variants in stock, want %d", len(out), n)
	}
	return out
}

// setStock sets a variant's units on hand.
func (f *fixture) setStock(t *testing.T, id int64, units int) {
	t.Helper()
	if _, err := f.catalogDB.Exec(t.Context(), `UPDATE product_variants SET stock_on_hand = $2 WHERE id = $1`, id, units); err != nil {
		t.Fatal(err)
	}
}

// stock reads a variant's units on hand and reserved.
func (f *fixture) stock(t *testing.T, id int64) (onHand, reserved int) {
	t.Helper()
	if err := f.catalogDB.QueryRow(context.Background(), `SELECT stock_on_hand, stock_reserved FROM product_variants WHERE id = $1`, id).
		Scan(&onHand, &reserved); err != nil {
		t.Fatal(err)
	}
	return onHand, reserved
}

// cart makes a guest cart (or user's, with user) holding qty of each variant,
// at the prices the shopper saw.
func (f *fixture) cart(t *testing.T, user int64, qty int, vs ...variant) *orders.Cart {
	t.Helper()
	c, err := f.store.CreateCart(t.Context(), user)
	if err != nil {
		t.Fatal(err)
	}
	lines := make([]orders.LineChange, len(vs))
	for i, v := range vs {
		lines[i] = orders.LineChange{VariantID: v.id, Quantity: qty, SeenPrice: v.price, Currency: "USD"}
	}
	if c, err = f.store.AddLines(t.Context(), c.ID, lines); err != nil {
		t.Fatal(err)
	}
	return c
}

func card(number string) payments.Card {
	return payments.Card{Number: number, ExpMonth: 12, ExpYear: time.Now().Year() + 2, CVC: "123"}
}

// input is a guest's checkout of cart with card.
func input(cart *orders.Cart, key, number string) checkout.Input {
	return checkout.Input{
		CartID: cart.ID, Email: "guest@example.com", ShippingMethod: orders.ShippingStandard,
		Address:        &orders.Address{Name: "Ada Guest", Line1: "1 Quay St", City: "Bristol", PostalCode: "BS1 4RN", Country: "GB"},
		Card:           card(number),
		IdempotencyKey: key,
	}
}

// reconcile fails the test unless the three records agree (see
// checkouttest.Reconcile), and returns how many orders were placed.
func (f *fixture) reconcile(t *testing.T, startOnHand map[int64]int) int {
	t.Helper()
	r, err := checkouttest.Reconcile(t.Context(), f.ordersDB, f.catalogDB, startOnHand)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range r.Problems {
		t.Error(p)
	}
	return r.Placed
}
