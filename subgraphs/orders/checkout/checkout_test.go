package checkout_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/shopgraph/shopgraph/subgraphs/orders"
	"github.com/shopgraph/shopgraph/subgraphs/orders/catalogclient"
	"github.com/shopgraph/shopgraph/subgraphs/orders/checkout"
	"github.com/shopgraph/shopgraph/subgraphs/orders/checkout/checkouttest"
	"github.com/shopgraph/shopgraph/subgraphs/orders/payments"
)

// placed returns a check that a checkout placed its order.
func placed(t *testing.T) func(checkout.Result, error) *orders.Order {
	return func(res checkout.Result, err error) *orders.Order {
		t.Helper()
		return mustPlace(t, res, err)
	}
}

func mustPlace(t *testing.T, res checkout.Result, err error) *orders.Order {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	if res.Failure != nil || res.Order == nil {
		t.Fatalf("checkout failed: %+v", res.Failure)
	}
	return res.Order
}

// refused returns a check that a checkout failed with code.
func refused(t *testing.T, code string) func(checkout.Result, error) *orders.Failure {
	return func(res checkout.Result, err error) *orders.Failure {
		t.Helper()
		return wantFailure(t, res, err, code)
	}
}

func wantFailure(t *testing.T, res checkout.Result, err error, code string) *orders.Failure {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	if res.Failure == nil || res.Failure.Code != code || res.Order != nil {
		t.Fatalf("checkout: %+v / %+v, want failure %s", res.Order, res.Failure, code)
	}
	return res.Failure
}

func (f *fixture) charges(t *testing.T) int {
	t.Helper()
	var n int
	if err := f.ordersDB.QueryRow(t.Context(), `SELECT count(*) FROM test_provider_charges`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestCheckoutPlacesTheOrderOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t, checkout.Config{})
	ctx := t.Context()
	vs := f.variants(t, 2)
	start := map[int64]int{}
	for _, v := range vs {
		start[v.id], _ = f.stock(t, v.id)
	}
	c := f.cart(t, 0, 2, vs...)
	o := placed(t)(f.svc.Checkout(ctx, checkout.Shopper{}, input(c, "once", payments.CardSucceeds)))

	subtotal := 2*vs[0].price + 2*vs[1].price
	if o.Status != orders.StatusPaid || o.PaymentStatus != orders.PaymentPaid || o.Subtotal != subtotal ||
		o.Total != o.Subtotal+o.Shipping+o.Tax || o.Shipping <= 0 || len(o.Lines) != 2 || o.Lines[0].Quantity != 2 ||
		o.Number == 0 || o.Email != "guest@example.com" || o.ShippingAddress.Country != "GB" {
		t.Errorf("order %+v", o)
	}
	var timeline []orders.Status
	for _, e := range o.Events {
		timeline = append(timeline, e.Status)
	}
	if fmt.Sprint(timeline) != "[PENDING PAID]" {
		t.Errorf("timeline %v", timeline)
	}
	for _, v := range vs {
		if onHand, reserved := f.stock(t, v.id); onHand != start[v.id]-2 || reserved != 0 {
			t.Errorf("variant %d: %d on hand, %d reserved after the sale", v.id, onHand, reserved)
		}
	}
	if got, err := f.store.CartByID(ctx, c.ID); err != nil || len(got.Lines) != 0 {
		t.Errorf("cart after the order: %+v, %v", got, err)
	}

	// The same key: the same order, no second charge, even though the cart is now empty.
	again := placed(t)(f.svc.Checkout(ctx, checkout.Shopper{}, input(c, "once", payments.CardSucceeds)))
	if again.ID != o.ID || f.charges(t) != 1 {
		t.Errorf("retry gave order %s (first %s) with %d charges", again.ID, o.ID, f.charges(t))
	}
	// The same key for another cart is refused.
	other := f.cart(t, 0, 1, vs[0])
	refused(t, orders.FailKeyReused)(f.svc.Checkout(ctx, checkout.Shopper{}, input(other, "once", payments.CardSucceeds)))
	if n := f.reconcile(t, start); n != 1 {
		t.Errorf("%d orders placed", n)
	}
}

func TestCheckoutRefusals(t *testing.T) {
	t.Parallel()
	f := newFixture(t, checkout.Config{})
	ctx := t.Context()
	vs := f.variants(t, 1)
	c := f.cart(t, 0, 1, vs[0])
	empty, err := f.store.CreateCart(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	mine := f.cart(t, 42, 1, vs[0])
	tests := []struct {
		name  string
		edit  func(*checkout.Input)
		who   checkout.Shopper
		code  string
		field string
	}{
		{"empty cart", func(in *checkout.Input) { in.CartID = empty.ID }, checkout.Shopper{}, orders.FailEmptyCart, "[cartId]"},
		{"unknown cart", func(in *checkout.Input) { in.CartID = "3b241101-e2bb-4255-8caf-4136c566a962" }, checkout.Shopper{}, orders.FailCartNotFound, "[cartId]"},
		{"another user's cart", func(in *checkout.Input) { in.CartID = mine.ID }, checkout.Shopper{UserID: 7}, orders.FailCartNotFound, "[cartId]"},
		{"a user's cart, anonymously", func(in *checkout.Input) { in.CartID = mine.ID }, checkout.Shopper{}, orders.FailCartNotFound, "[cartId]"},
		{"no address", func(in *checkout.Input) { in.Address = nil }, checkout.Shopper{}, orders.FailInvalidAddress, "[shippingAddress]"},
		{"both addresses", func(in *checkout.Input) { in.AddressID = "gid://shopgraph/Address/1" }, checkout.Shopper{}, orders.FailInvalidAddress, "[shippingAddress]"},
		{"saved address as a guest", func(in *checkout.Input) { in.Address, in.AddressID = nil, "gid://shopgraph/Address/1" }, checkout.Shopper{}, orders.FailAddressNotFound, "[addressId]"},
		{"blank postal code", func(in *checkout.Input) { in.Address.PostalCode = "  " }, checkout.Shopper{}, orders.FailInvalidAddress, "[shippingAddress postalCode]"},
		{"bad country", func(in *checkout.Input) { in.Address.Country = "XX" }, checkout.Shopper{}, orders.FailInvalidAddress, "[shippingAddress country]"},
		{"guest without email", func(in *checkout.Input) { in.Email = "" }, checkout.Shopper{}, orders.FailInvalidEmail, "[email]"},
		{"bad email", func(in *checkout.Input) { in.Email = "not an email" }, checkout.Shopper{}, orders.FailInvalidEmail, "[email]"},
		{"bad card number", func(in *checkout.Input) { in.Card.Number = "4242 4242 4242 4241" }, checkout.Shopper{}, orders.FailInvalidCard, "[payment number]"},
		{"expired card", func(in *checkout.Input) { in.Card.ExpYear = 2020 }, checkout.Shopper{}, orders.FailInvalidCard, "[payment expYear]"},
		{"no key", func(in *checkout.Input) { in.IdempotencyKey = "" }, checkout.Shopper{}, orders.FailInvalidKey, "[idempotencyKey]"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := input(c, fmt.Sprintf("refusal-%d", i), payments.CardSucceeds)
			addr := *in.Address
			in.Address = &addr
			tt.edit(&in)
			fail := refused(t, tt.code)(f.svc.Checkout(ctx, tt.who, in))
			if fmt.Sprint(fail.Field) != tt.field || fail.Message == "" {
				t.Errorf("field %v, message %q; want field %s", fail.Field, fail.Message, tt.field)
			}
		})
	}
	if n := f.charges(t); n != 0 {
		t.Errorf("%d charges for refused checkouts", n)
	}
	var recorded int
	if err := f.ordersDB.QueryRow(ctx, `SELECT count(*) FROM orders`).Scan(&recorded); err != nil || recorded != 0 {
		t.Errorf("%d orders recorded for checkouts refused before they began (%v)", recorded, err)
	}
}

func TestDeclinedCardsLeaveTheCartAndStock(t *testing.T) {
	t.Parallel()
	f := newFixture(t, checkout.Config{})
	ctx := t.Context()
	vs := f.variants(t, 1)
	start, _ := f.stock(t, vs[0].id)
	for _, tt := range []struct{ number, code string }{
		{payments.CardDeclined, orders.FailPaymentDeclined},
		{payments.CardInsufficientFunds, orders.FailInsufficientFunds},
	} {
		c := f.cart(t, 0, 3, vs[0])
		key := "declined-" + tt.number
		before, _ := f.stock(t, vs[0].id)
		refused(t, tt.code)(f.svc.Checkout(ctx, checkout.Shopper{}, input(c, key, tt.number)))
		if onHand, reserved := f.stock(t, vs[0].id); onHand != before || reserved != 0 {
			t.Errorf("%s: stock %d on hand, %d reserved after a decline", tt.code, onHand, reserved)
		}
		if got, _ := f.store.CartByID(ctx, c.ID); len(got.Lines) != 1 || got.Lines[0].Quantity != 3 {
			t.Errorf("%s: cart after a decline: %+v", tt.code, got)
		}
		// The same key gets the same answer and charges nothing more.
		charges := f.charges(t)
		refused(t, tt.code)(f.svc.Checkout(ctx, checkout.Shopper{}, input(c, key, payments.CardSucceeds)))
		if f.charges(t) != charges {
			t.Errorf("%s: a retry charged again", tt.code)
		}
		// A new key with a good card goes through.
		placed(t)(f.svc.Checkout(ctx, checkout.Shopper{}, input(c, key+"-again", payments.CardSucceeds)))
	}
	if n := f.reconcile(t, map[int64]int{vs[0].id: start}); n != 2 {
		t.Errorf("%d orders placed, want 2", n)
	}
}

func TestAPriceChangeIsShownBeforeCharging(t *testing.T) {
	t.Parallel()
	f := newFixture(t, checkout.Config{})
	ctx := t.Context()
	vs := f.variants(t, 2)
	c := f.cart(t, 0, 1, vs...)
	newPrice := vs[1].price + 500
	if _, err := f.catalogDB.Exec(ctx, `UPDATE product_variants SET price_minor = $2 WHERE id = $1`, vs[1].id, newPrice); err != nil {
		t.Fatal(err)
	}
	fail := refused(t, orders.FailPriceChanged)(f.svc.Checkout(ctx, checkout.Shopper{}, input(c, "price", payments.CardSucceeds)))
	if len(fail.Lines) != 1 || fail.Lines[0].VariantID != vs[1].id {
		t.Errorf("changed lines %+v", fail.Lines)
	}
	if f.charges(t) != 0 {
		t.Error("charged at a price the shopper had not seen")
	}
	// The cart now shows the new price; placing the order again uses it.
	o := placed(t)(f.svc.Checkout(ctx, checkout.Shopper{}, input(c, "price", payments.CardSucceeds)))
	if o.Subtotal != vs[0].price+newPrice {
		t.Errorf("subtotal %d, want %d", o.Subtotal, vs[0].price+newPrice)
	}
}

// TestConcurrentCheckoutsNeverOversell runs 100 checkouts at once for the 10
// units of one variant.
func TestConcurrentCheckoutsNeverOversell(t *testing.T) {
	t.Parallel()
	f := newFixture(t, checkout.Config{})
	ctx := t.Context()
	v := f.variants(t, 1)[0]
	f.setStock(t, v.id, 10)
	carts := make([]*orders.Cart, 100)
	for i := range carts {
		carts[i] = f.cart(t, 0, 1, v)
	}
	var (
		mu       sync.Mutex
		placed   int
		short    int
		others   []string
		wg       sync.WaitGroup
		began    = time.Now()
		attempts = len(carts)
	)
	for i, c := range carts {
		wg.Go(func() {
			res, err := f.svc.Checkout(ctx, checkout.Shopper{}, input(c, fmt.Sprintf("rush-%d", i), payments.CardSucceeds))
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err != nil:
				others = append(others, err.Error())
			case res.Order != nil:
				placed++
			case res.Failure.Code == orders.FailOutOfStock && len(res.Failure.Lines) == 1 && res.Failure.Lines[0].VariantID == v.id:
				short++
			default:
				others = append(others, res.Failure.Code)
			}
		})
	}
	wg.Wait()
	t.Logf("%d attempts in %s: %d orders, %d out of stock", attempts, time.Since(began).Round(time.Millisecond), placed, short)
	if placed != 10 || short != 90 || len(others) > 0 {
		t.Errorf("%d placed, %d out of stock, others %v", placed, short, others)
	}
	if onHand, reserved := f.stock(t, v.id); onHand != 0 || reserved != 0 {
		t.Errorf("stock %d on hand, %d reserved", onHand, reserved)
	}
	if n := f.reconcile(t, map[int64]int{v.id: 10}); n != 10 {
		t.Errorf("reconciled %d orders", n)
	}
	if n := f.charges(t); n != 10 {
		t.Errorf("%d charges, want 10", n)
	}
}

func TestConcurrentRetriesWithOneKeyPlaceOneOrder(t *testing.T) {
	t.Parallel()
	f := newFixture(t, checkout.Config{})
	ctx := t.Context()
	vs := f.variants(t, 1)
	c := f.cart(t, 0, 1, vs[0])
	ids := make([]string, 10)
	var wg sync.WaitGroup
	for i := range ids {
		wg.Go(func() {
			res, err := f.svc.Checkout(ctx, checkout.Shopper{}, input(c, "one-key", payments.CardSucceeds))
			if err != nil || res.Order == nil {
				t.Errorf("retry %d: %+v %v", i, res.Failure, err)
				return
			}
			ids[i] = res.Order.ID
		})
	}
	wg.Wait()
	for _, id := range ids {
		if id != ids[0] {
			t.Fatalf("one key, several orders: %v", ids)
		}
	}
	if n := f.charges(t); n != 1 {
		t.Errorf("%d charges", n)
	}
}

func TestCancelRefundsAndRestocks(t *testing.T) {
	t.Parallel()
	f := newFixture(t, checkout.Config{})
	ctx := t.Context()
	vs := f.variants(t, 1)
	start, _ := f.stock(t, vs[0].id)
	c := f.cart(t, 5, 2, vs[0])
	o := placed(t)(f.svc.Checkout(ctx, checkout.Shopper{UserID: 5}, input(c, "cancel", payments.CardSucceeds)))
	got, err := f.svc.Return(ctx, o.ID, orders.StatusCancelled, orders.ActorCustomer, "wrong size")
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != orders.StatusCancelled || got.PaymentStatus != orders.PaymentRefunded || got.Step != orders.StepDone {
		t.Errorf("cancelled order %+v", got)
	}
	if onHand, _ := f.stock(t, vs[0].id); onHand != start {
		t.Errorf("stock %d after the cancel, want %d", onHand, start)
	}
	if _, err := f.svc.Return(ctx, o.ID, orders.StatusCancelled, orders.ActorCustomer, ""); err == nil {
		t.Error("cancelled twice")
	}

	// Shipped, then refunded by an admin: the money comes back, the units do not.
	c = f.cart(t, 5, 1, vs[0])
	o = placed(t)(f.svc.Checkout(ctx, checkout.Shopper{UserID: 5}, input(c, "refund", payments.CardSucceeds)))
	for _, to := range []orders.Status{orders.StatusFulfilled, orders.StatusShipped} {
		if _, err := f.store.Transition(ctx, o.ID, to, orders.ActorAdmin, ""); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.svc.Return(ctx, o.ID, orders.StatusCancelled, orders.ActorCustomer, ""); err == nil {
		t.Error("a customer cancelled a shipped order")
	}
	if got, err = f.svc.Return(ctx, o.ID, orders.StatusRefunded, orders.ActorAdmin, "damaged in transit"); err != nil {
		t.Fatal(err)
	}
	if got.Status != orders.StatusRefunded || got.PaymentStatus != orders.PaymentRefunded {
		t.Errorf("refunded order %+v", got)
	}
	if onHand, _ := f.stock(t, vs[0].id); onHand != start-1 {
		t.Errorf("stock %d after refunding a shipped order, want %d", onHand, start-1)
	}
	f.reconcile(t, map[int64]int{vs[0].id: start})
}

func TestOutagesArePausedAndRecovered(t *testing.T) {
	t.Parallel()
	f := newFixture(t, checkout.Config{Lease: 200 * time.Millisecond})
	ctx := t.Context()
	vs := f.variants(t, 1)
	start, _ := f.stock(t, vs[0].id)

	// The catalog is down when the checkout begins: nothing happens, and the
	// shopper is told to retry.
	c1 := f.cart(t, 0, 1, vs[0])
	f.down.Store(true)
	refused(t, orders.FailUnavailable)(f.svc.Checkout(ctx, checkout.Shopper{}, input(c1, "down-early", payments.CardSucceeds)))
	f.down.Store(false)
	placed(t)(f.svc.Checkout(ctx, checkout.Shopper{}, input(c1, "down-early", payments.CardSucceeds)))

	// The catalog goes down after the charge: the order is paid and pending,
	// and recovery confirms it once the catalog is back.
	c2 := f.cart(t, 0, 1, vs[0])
	pending := &downAfterCharge{Payments: f.pay, f: f}
	svc := checkout.New(f.store, f.catalog.ForOrders(), f.catalog, pending, nil, checkout.Config{Lease: 200 * time.Millisecond})
	o := placed(t)(svc.Checkout(ctx, checkout.Shopper{}, input(c2, "down-late", payments.CardSucceeds)))
	if o.Status != orders.StatusPending || o.PaymentStatus != orders.PaymentPaid || o.Step != orders.StepCommitting {
		t.Fatalf("order paid while the catalog is down: %+v", o)
	}
	if n, err := f.svc.Recover(ctx); err != nil || n != 1 {
		t.Fatalf("recovery with the catalog down: %d, %v", n, err)
	}
	if got, _ := f.store.OrderByID(ctx, o.ID); got.Step != orders.StepCommitting {
		t.Fatalf("recovery moved on with the catalog down: %+v", got)
	}
	f.down.Store(false)
	time.Sleep(250 * time.Millisecond) // recovery's lease runs out
	if _, err := f.svc.Recover(ctx); err != nil {
		t.Fatal(err)
	}
	if got, _ := f.store.OrderByID(ctx, o.ID); got.Status != orders.StatusPaid || got.Step != orders.StepDone {
		t.Fatalf("after recovery: %+v", got)
	}
	if n := f.reconcile(t, map[int64]int{vs[0].id: start}); n != 2 {
		t.Errorf("%d orders placed", n)
	}
}

// downAfterCharge takes the catalog down once a charge succeeds.
type downAfterCharge struct {
	checkout.Payments
	f *fixture
}

func (d *downAfterCharge) Charge(ctx context.Context, key string, amount int64, currency string, card payments.Card) (payments.Charge, error) {
	ch, err := d.Payments.Charge(ctx, key, amount, currency, card)
	d.f.down.Store(true)
	return ch, err
}

// TestRecoveryFinishesWhatACrashLeft leaves orders in each step as a crashed
// process would, then runs recovery on two workers at once.
func TestRecoveryFinishesWhatACrashLeft(t *testing.T) {
	t.Parallel()
	lease := 100 * time.Millisecond
	f := newFixture(t, checkout.Config{Lease: lease, AbandonAfter: lease})
	ctx := t.Context()
	vs := f.variants(t, 1)
	start, _ := f.stock(t, vs[0].id)

	// crashAt runs a checkout whose process dies at one remote call (a
	// panic there: nothing after it runs, and the lease is never dropped).
	crashAt := func(key string, stockAt orders.Step, pay payMode) string {
		c := f.cart(t, 0, 1, vs[0])
		crash := &crashingStock{Stock: f.catalog, at: stockAt}
		svc := checkout.New(f.store, f.catalog.ForOrders(), crash, &crashingPayments{Payments: f.pay, mode: pay}, nil, checkout.Config{Lease: lease})
		func() {
			defer func() {
				if recover() == nil {
					t.Fatalf("%s: the checkout did not crash", key)
				}
			}()
			_, _ = svc.Checkout(ctx, checkout.Shopper{}, input(c, key, payments.CardSucceeds))
		}()
		o, err := f.store.OrderByKey(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		return o.ID
	}
	beforeReserve := crashAt("crash-reserving", orders.StepReserving, payNormally)
	chargedNotRecorded := crashAt("crash-charged", "", chargeThenCrash)
	notCharged := crashAt("crash-not-charged", "", crashBeforeCharge)
	beforeCommit := crashAt("crash-committing", orders.StepCommitting, payNormally)

	time.Sleep(2 * lease)
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			if _, err := f.svc.Recover(ctx); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	want := map[string]orders.Status{
		beforeReserve:      orders.StatusCancelled,
		chargedNotRecorded: orders.StatusPaid,
		notCharged:         orders.StatusCancelled,
		beforeCommit:       orders.StatusPaid,
	}
	for id, status := range want {
		o, err := f.store.OrderByID(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if o.Status != status || o.Step != orders.StepDone {
			t.Errorf("%s: %s in step %s, want %s", o.IdempotencyKey, o.Status, o.Step, status)
		}
		if status == orders.StatusCancelled && (o.Failure == nil || o.Failure.Code != orders.FailAbandoned) {
			t.Errorf("%s: failure %+v", o.IdempotencyKey, o.Failure)
		}
	}

	// A charge that lands after recovery gave its checkout up is refunded by
	// the payment recheck.
	late, err := f.pay.Charge(ctx, notCharged, 1000, "USD", card(payments.CardSucceeds))
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(2*lease + 50*time.Millisecond)
	if _, err := f.svc.Recover(ctx); err != nil {
		t.Fatal(err)
	}
	if got, _ := f.pay.ChargeByKey(ctx, notCharged); got == nil || got.ID != late.ID || !got.Refunded {
		t.Errorf("late charge after the recheck: %+v", got)
	}
	if n := f.reconcile(t, map[int64]int{vs[0].id: start}); n != 2 {
		t.Errorf("%d orders placed, want 2", n)
	}
}

// crashingStock dies on the call of step at: RESERVING the reservation,
// COMMITTING the commit.
type crashingStock struct {
	checkout.Stock
	at orders.Step
}

func (c *crashingStock) Reserve(ctx context.Context, id string, lines []catalogclient.ReserveLine, ttl time.Duration) error {
	if c.at == orders.StepReserving {
		panic("crash before reserving")
	}
	return c.Stock.Reserve(ctx, id, lines, ttl)
}

func (c *crashingStock) Commit(ctx context.Context, id string) error {
	if c.at == orders.StepCommitting {
		panic("crash before committing")
	}
	return c.Stock.Commit(ctx, id)
}

// payMode is where a crashingPayments dies.
type payMode int

const (
	payNormally payMode = iota
	crashBeforeCharge
	chargeThenCrash
)

type crashingPayments struct {
	checkout.Payments
	mode payMode
}

func (c *crashingPayments) Charge(ctx context.Context, key string, amount int64, currency string, card payments.Card) (payments.Charge, error) {
	if c.mode == crashBeforeCharge {
		panic("crash before charging")
	}
	ch, err := c.Payments.Charge(ctx, key, amount, currency, card)
	if c.mode == chargeThenCrash {
		panic("crash after charging")
	}
	return ch, err
}

// TestReconcileNoticesDisagreement: the check the other tests rely on fails
// when the records disagree.
func TestReconcileNoticesDisagreement(t *testing.T) {
	t.Parallel()
	f := newFixture(t, checkout.Config{})
	ctx := t.Context()
	vs := f.variants(t, 1)
	start, _ := f.stock(t, vs[0].id)
	o := placed(t)(f.svc.Checkout(ctx, checkout.Shopper{}, input(f.cart(t, 0, 1, vs[0]), "agree", payments.CardSucceeds)))
	r, err := checkouttest.Reconcile(ctx, f.ordersDB, f.catalogDB, map[int64]int{vs[0].id: start})
	if err != nil || len(r.Problems) > 0 || r.Placed != 1 || r.Charges != 1 || r.Committed != 1 {
		t.Fatalf("agreeing records: %+v, %v", r, err)
	}
	if _, err := f.pay.Refund(ctx, o.ChargeID); err != nil { // money back, order still paid
		t.Fatal(err)
	}
	if err := f.catalog.Reserve(ctx, "stray", []catalogclient.ReserveLine{{VariantID: vs[0].id, Quantity: 1}}, time.Minute); err != nil {
		t.Fatal(err)
	}
	r, err = checkouttest.Reconcile(ctx, f.ordersDB, f.catalogDB, map[int64]int{vs[0].id: start + 1})
	if err != nil || len(r.Problems) != 3 {
		t.Errorf("want 3 problems (refunded charge of a paid order, a held reservation, stock off by one): %+v, %v", r.Problems, err)
	}
}
