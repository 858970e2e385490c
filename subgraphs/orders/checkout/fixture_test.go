package checkout_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/shopgraph/shopgraph/internal/pg/pgtest"
	"github.com/shopgraph/shopgraph/subgraphs/catalog/internalapi"
	catalogpg "github.com/shopgraph/shopgraph/subgraphs/catalog/postgres"
	"github.com/shopgraph/shopgraph/subgraphs/orders"
	"github.com/shopgraph/shopgraph/subgraphs/orders/catalogclient"
	"github.com/shopgraph/shopgraph/subgraphs/orders/checkout"
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

// reconcile checks that the orders database, the payment ledger and the
// catalog's stock tell one story: every placed order has one successful
// charge of its total under its id (refunded exactly when the order was
// cancelled or refunded), no charge exists without a placed order unless it
// was refunded, no finished order holds a reservation, and each variant's units
// on hand are its starting units less what live orders committed. It returns
// how many orders were placed.
func (f *fixture) reconcile(t *testing.T, startOnHand map[int64]int) int {
	t.Helper()
	ctx := t.Context()
	var bad []string
	rows, err := f.ordersDB.Query(ctx, `
		SELECT o.id::text, o.status, o.payment_status, o.step, o.total_minor, o.restock,
		       c.outcome, c.amount_minor, c.refunded_at IS NOT NULL
		FROM orders o LEFT JOIN test_provider_charges c ON c.idempotency_key = o.id::text`)
	if err != nil {
		t.Fatal(err)
	}
	placed := 0
	sold := map[string]bool{} // orders whose units are gone from stock
	for rows.Next() {
		var id, status, payment, step string
		var total int64
		var restock bool
		var outcome *string
		var amount *int64
		var refunded *bool
		if err := rows.Scan(&id, &status, &payment, &step, &total, &restock, &outcome, &amount, &refunded); err != nil {
			t.Fatal(err)
		}
		charged := outcome != nil && *outcome == "SUCCEEDED"
		switch {
		case step != "DONE":
			bad = append(bad, id+": unfinished in step "+step)
		case payment == "PAID":
			placed++
			sold[id] = true
			if !charged || *amount != total || *refunded {
				bad = append(bad, id+": paid without its charge")
			}
		case payment == "REFUNDED":
			placed++
			if !charged || !*refunded {
				bad = append(bad, id+": refunded but its charge stands")
			}
			// Units come back unless the order had left the warehouse.
			sold[id] = !restock
		case payment == "FAILED":
			if charged && !*refunded {
				bad = append(bad, id+": a failed checkout kept its charge")
			}
		default:
			bad = append(bad, id+": payment "+payment+" on a finished order")
		}
	}
	rows.Close()
	var orphans int
	if err := f.ordersDB.QueryRow(ctx, `
		SELECT count(*) FROM test_provider_charges c
		WHERE c.outcome = 'SUCCEEDED' AND c.refunded_at IS NULL
		  AND NOT EXISTS (SELECT FROM orders o WHERE o.id::text = c.idempotency_key AND o.payment_status = 'PAID')`).Scan(&orphans); err != nil {
		t.Fatal(err)
	}
	if orphans > 0 {
		bad = append(bad, "charges without a paid order")
	}
	// Stock: no live reservation, and on hand = start - committed units.
	var held int
	if err := f.catalogDB.QueryRow(ctx, `SELECT count(*) FROM stock_reservations WHERE status = 'reserved'`).Scan(&held); err != nil {
		t.Fatal(err)
	}
	if held > 0 {
		bad = append(bad, "reservations still held")
	}
	for id, start := range startOnHand {
		var committed int
		if err := f.catalogDB.QueryRow(ctx, `
			SELECT coalesce(sum(l.quantity), 0) FROM stock_reservation_lines l JOIN stock_reservations r USING (order_id)
			WHERE l.variant_id = $1 AND r.status = 'committed'`, id).Scan(&committed); err != nil {
			t.Fatal(err)
		}
		onHand, reserved := f.stock(t, id)
		if onHand != start-committed || reserved != 0 {
			t.Errorf("variant %d: %d on hand, %d reserved; started with %d, %d committed", id, onHand, reserved, start, committed)
		}
	}
	committed, err := f.catalogDB.Query(ctx, `SELECT order_id FROM stock_reservations WHERE status = 'committed'`)
	if err != nil {
		t.Fatal(err)
	}
	ids, err := pgx.CollectRows(committed, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		if !sold[id] {
			bad = append(bad, id+": stock committed for an order that did not keep it")
		}
		delete(sold, id)
	}
	for id, keeps := range sold {
		if keeps {
			bad = append(bad, id+": an order kept its units but its stock is not committed")
		}
	}
	for _, b := range bad {
		t.Error(b)
	}
	return placed
}
