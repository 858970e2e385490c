package main

import (
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/shopgraph/shopgraph/subgraphs/orders/checkout/checkouttest"
)

// checkoutFields is what the tests read of a checkout or order payload.
const orderFields = `id number status paymentStatus email total { amount currencyCode } subtotal { amount }
	shippingAddress { name city country } lines { sku quantity unitPrice { amount } variant { id sku } } timeline { status actor }`

type orderResult struct {
	ID, Number, Status, PaymentStatus, Email string
	Total                                    struct{ Amount, CurrencyCode string }
	Subtotal                                 struct{ Amount string }
	ShippingAddress                          struct{ Name, City, Country string }
	Lines                                    []struct {
		SKU       string
		Quantity  int
		UnitPrice struct{ Amount string }
		Variant   struct{ ID, SKU string }
	}
	Timeline []struct{ Status, Actor string }
}

type checkoutResult struct {
	Order      *orderResult
	UserErrors []struct {
		Code    string
		Field   []string
		Message string
		Lines   []struct {
			Variant              struct{ ID string }
			Requested, Available int
		}
	}
}

func (c checkoutResult) code() string {
	if len(c.UserErrors) == 0 {
		return ""
	}
	return c.UserErrors[0].Code
}

// checkoutOperation is the README's checkout, as the journey runs it.
const checkoutOperation = `mutation Checkout($input: CheckoutInput!) {
  checkout(input: $input) {
    order {
      id number status paymentStatus
      total { amount currencyCode }
      lines { productName variantName quantity unitPrice { amount } }
    }
    userErrors { code field message lines { variant { id } requested available } }
  }
}`

// TestREADMEShowsTheCheckout: the README's checkout is the operation the
// journey runs.
func TestREADMEShowsTheCheckout(t *testing.T) {
	raw, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(raw), checkoutOperation) {
		t.Error("the README does not show the checkout operation as the journey runs it")
	}
}

// shopper drives the graph through the router as one client would.
type shopper struct {
	t     *testing.T
	url   string
	token string
}

func (s shopper) do(query string, vars map[string]any, name string, out any) gqlResponse {
	s.t.Helper()
	r := gql(s.t, s.url, s.token, query, vars)
	if len(r.Errors) > 0 {
		s.t.Fatalf("%s: %s", name, r.raw)
	}
	if out != nil {
		r.field(s.t, name, out)
	}
	return r
}

// cartWith creates a cart holding qty of each variant and returns its id.
func (s shopper) cartWith(qty int, variants ...string) string {
	s.t.Helper()
	lines := make([]any, len(variants))
	for i, v := range variants {
		lines[i] = map[string]any{"variantId": v, "quantity": qty}
	}
	var p struct {
		Cart       struct{ ID string }
		UserErrors []struct{ Code string }
	}
	s.do(`mutation($l: [CartLineInput!]!) { cartCreate(lines: $l) { cart { id } userErrors { code } } }`,
		map[string]any{"l": lines}, "cartCreate", &p)
	if len(p.UserErrors) > 0 {
		s.t.Fatalf("cartCreate: %+v", p.UserErrors)
	}
	return p.Cart.ID
}

var guestAddress = map[string]any{"name": "Ada Guest", "line1": "1 Quay St", "city": "Bristol", "postalCode": "BS1 4RN", "country": "GB"}

func testCard(number string) map[string]any {
	return map[string]any{"number": number, "expMonth": 12, "expYear": 2031, "cvc": "123"}
}

// checkout checks out with input (cartId, idempotencyKey and payment at least).
func (s shopper) checkout(input map[string]any) checkoutResult {
	s.t.Helper()
	var c checkoutResult
	s.do(`mutation($in: CheckoutInput!) { checkout(input: $in) { order { `+orderFields+` }
		userErrors { code field message lines { variant { id } requested available } } } }`,
		map[string]any{"in": input}, "checkout", &c)
	return c
}

// guestCheckout is a guest's checkout of cart with card number and key.
func (s shopper) guestCheckout(cart, key, number string) checkoutResult {
	s.t.Helper()
	return s.checkout(map[string]any{"cartId": cart, "idempotencyKey": key, "email": "ada@example.com",
		"shippingAddress": guestAddress, "payment": testCard(number)})
}

func (s shopper) cartLines(cart string) map[string]int {
	s.t.Helper()
	var c *struct {
		Lines []struct {
			Quantity int
			Variant  struct{ ID string }
		}
	}
	s.do(`query($id: ID!) { cart(id: $id) { lines { quantity variant { id } } } }`, map[string]any{"id": cart}, "cart", &c)
	out := map[string]int{}
	if c != nil {
		for _, l := range c.Lines {
			out[l.Variant.ID] = l.Quantity
		}
	}
	return out
}

// orderChange runs orderCancel, orderUpdateStatus or orderRefund.
func (s shopper) orderChange(mutation, args string, vars map[string]any) (*orderResult, string) {
	s.t.Helper()
	var p struct {
		Order      *orderResult
		UserErrors []struct{ Code, Message string }
	}
	s.do(`mutation($id: ID!) { p: `+mutation+`(id: $id`+args+`) { order { `+orderFields+` } userErrors { code message } } }`, vars, "p", &p)
	if len(p.UserErrors) > 0 {
		return p.Order, p.UserErrors[0].Code
	}
	return p.Order, ""
}

// demoProduct is the demo product the checkout tests buy.
const demoProduct = "merino-crew-sweater"

// stockOf reads a demo product variant's available units through the router.
func stockOf(t *testing.T, url, variant string) int {
	t.Helper()
	var p struct {
		Variants []struct {
			ID                string
			QuantityAvailable int
		}
	}
	shopper{t: t, url: url}.do(`query($s: String!) { product(slug: $s) { variants { id quantityAvailable } } }`,
		map[string]any{"s": demoProduct}, "product", &p)
	for _, v := range p.Variants {
		if v.ID == variant {
			return v.QuantityAvailable
		}
	}
	t.Fatalf("no variant %s in %s", variant, demoProduct)
	return 0
}

type demoVariant struct {
	ID    string
	SKU   string
	Price struct{ Amount string }
}

// inStockVariants returns variants of a demo product with at least min units.
func inStockVariants(t *testing.T, url, slug string, min int) []demoVariant {
	t.Helper()
	var product struct {
		Variants []struct {
			demoVariant
			QuantityAvailable int
		}
	}
	gql(t, url, "", `query($s: String!) { product(slug: $s) { variants { id sku price { amount } quantityAvailable } } }`,
		map[string]any{"s": slug}).field(t, "product", &product)
	var out []demoVariant
	for _, v := range product.Variants {
		if v.QuantityAvailable >= min {
			out = append(out, v.demoVariant)
		}
	}
	return out
}

// TestCheckoutJourneysThroughTheRouter: a guest and a signed-in customer buy,
// retry, meet a declined card and a price change, cancel, and an admin
// fulfils and refunds; nobody else sees their orders. The three services'
// records agree at the end.
func TestCheckoutJourneysThroughTheRouter(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: builds and runs the binary")
	}
	sys := startSystem(t)
	url := sys.router
	vs := inStockVariants(t, url, demoProduct, 10)
	if len(vs) < 2 {
		t.Fatalf("want two variants with stock, got %+v", vs)
	}
	a, b := vs[0], vs[1]
	guest := shopper{t: t, url: url}

	// A guest buys two of a.
	stockA := stockOf(t, url, a.ID)
	cart := guest.cartWith(2, a.ID)
	res := guest.guestCheckout(cart, "guest-1", "4242 4242 4242 4242")
	o := res.Order
	if o == nil || o.Status != "PAID" || o.PaymentStatus != "PAID" || !strings.HasPrefix(o.Number, "SG-") ||
		len(o.Lines) != 1 || o.Lines[0].Quantity != 2 || o.Lines[0].Variant.ID != a.ID || o.Lines[0].UnitPrice.Amount != a.Price.Amount ||
		o.Email != "ada@example.com" || o.ShippingAddress.City != "Bristol" || len(o.Timeline) != 2 {
		t.Fatalf("guest checkout: %+v", res)
	}
	if got := stockOf(t, url, a.ID); got != stockA-2 {
		t.Errorf("stock of a: %d after selling 2 of %d", got, stockA)
	}
	if lines := guest.cartLines(cart); len(lines) != 0 {
		t.Errorf("cart after the order: %v", lines)
	}
	// The README's operation, retried with the same key: the same order.
	var again checkoutResult
	guest.do(checkoutOperation, map[string]any{"input": map[string]any{"cartId": cart, "idempotencyKey": "guest-1", "email": "ada@example.com",
		"shippingAddress": guestAddress, "payment": testCard("4242424242424242")}}, "checkout", &again)
	if again.Order == nil || again.Order.ID != o.ID || again.Order.Total != o.Total || len(again.UserErrors) != 0 {
		t.Errorf("retry with the same key: %+v", again)
	}

	// Ten concurrent requests with one key place one order.
	rushCart := guest.cartWith(1, b.ID)
	ids := make([]string, 10)
	var wg sync.WaitGroup
	for i := range ids {
		wg.Go(func() {
			res, err := checkoutOnce(t.Context(), http.DefaultClient, url, rushCart, "guest-same-key", "4242424242424242")
			if err != nil || res.Order == nil {
				t.Errorf("concurrent retry %d: %+v, %v", i, res, err)
				return
			}
			ids[i] = res.Order.ID
		})
	}
	wg.Wait()
	for _, id := range ids {
		if id != ids[0] {
			t.Errorf("one key, several orders: %v", ids)
			break
		}
	}

	// A declined card changes nothing.
	cart2 := guest.cartWith(1, a.ID)
	if res := guest.guestCheckout(cart2, "guest-2", "4000 0000 0000 0002"); res.code() != "PAYMENT_DECLINED" || res.Order != nil {
		t.Errorf("declined card: %+v", res)
	}
	if res := guest.guestCheckout(cart2, "guest-3", "4000000000009995"); res.code() != "INSUFFICIENT_FUNDS" {
		t.Errorf("insufficient funds: %+v", res)
	}
	if lines := guest.cartLines(cart2); lines[a.ID] != 1 || stockOf(t, url, a.ID) != stockA-2 {
		t.Errorf("after declines: cart %v, stock %d", lines, stockOf(t, url, a.ID))
	}
	if res := guest.checkout(map[string]any{"cartId": cart2, "idempotencyKey": "guest-4", "payment": testCard("4242424242424242"),
		"email": "ada@example.com", "shippingAddress": map[string]any{"name": "Ada", "line1": "1 Quay St", "city": "Bristol", "postalCode": "BS1", "country": "ZZ"}}); res.code() != "INVALID_ADDRESS" || fmt.Sprint(res.UserErrors[0].Field) != "[shippingAddress country]" {
		t.Errorf("bad country: %+v", res)
	}

	// The demo customer signs in, merges a guest cart and pays to a saved address.
	demo := shopper{t: t, url: url, token: mustSignIn(t, url, "demo@shopgraph.dev", "Lantern-Harbor-42").Tokens.AccessToken}
	var added struct{ Address struct{ ID string } }
	demo.do(`mutation { addAddress(input: {name: "Emma Thompson", line1: "9 Harbour Rd", city: "Leeds", postalCode: "LS1 4AP", country: "GB"}) { address { id } } }`,
		nil, "addAddress", &added)
	guestCart := guest.cartWith(1, b.ID)
	var attached struct{ Cart struct{ ID string } }
	demo.do(`mutation($c: ID!) { cartAttachToUser(cartId: $c) { cart { id } } }`, map[string]any{"c": guestCart}, "cartAttachToUser", &attached)
	res = demo.checkout(map[string]any{"cartId": attached.Cart.ID, "idempotencyKey": "demo-1", "addressId": added.Address.ID,
		"shippingMethod": "EXPRESS", "payment": testCard("4242424242424242")})
	first := res.Order
	if first == nil || first.Email != "demo@shopgraph.dev" || first.ShippingAddress.City != "Leeds" || first.Lines[0].Variant.ID != b.ID {
		t.Fatalf("demo checkout: %+v", res)
	}
	var me struct {
		Orders struct {
			Edges []struct{ Node struct{ ID string } }
		}
	}
	demo.do(`{ me { orders(first: 5) { edges { node { id } } } } }`, nil, "me", &me)
	if len(me.Orders.Edges) != 1 || me.Orders.Edges[0].Node.ID != first.ID {
		t.Errorf("me.orders: %+v", me)
	}

	// A price change between adding and paying is shown, then accepted.
	admin := shopper{t: t, url: url, token: mustSignIn(t, url, "admin@shopgraph.dev", "Granite-Orchard-97").Tokens.AccessToken}
	cart3 := demo.cartWith(1, a.ID)
	admin.do(`mutation($id: ID!) { updateVariant(input: {id: $id, price: "123.45"}) { userErrors { code } } }`, map[string]any{"id": a.ID}, "updateVariant", nil)
	in := map[string]any{"cartId": cart3, "idempotencyKey": "demo-2", "addressId": added.Address.ID, "payment": testCard("4242424242424242")}
	res = demo.checkout(in)
	if res.code() != "PRICE_CHANGED" || len(res.UserErrors[0].Lines) != 1 || res.UserErrors[0].Lines[0].Variant.ID != a.ID {
		t.Fatalf("price change: %+v", res)
	}
	res = demo.checkout(in)
	second := res.Order
	if second == nil || second.Lines[0].UnitPrice.Amount != "123.45" {
		t.Fatalf("checkout at the new price: %+v", res)
	}

	// The customer cancels the first order: refunded, and b is back in stock.
	stockB := stockOf(t, url, b.ID)
	cancelled, code := demo.orderChange("orderCancel", `, reason: "ordered twice"`, map[string]any{"id": first.ID})
	if code != "" || cancelled.Status != "CANCELLED" || cancelled.PaymentStatus != "REFUNDED" {
		t.Errorf("cancel: %+v %s", cancelled, code)
	}
	if got := stockOf(t, url, b.ID); got != stockB+1 {
		t.Errorf("stock of b after the cancel: %d, want %d", got, stockB+1)
	}

	// Nobody else reads or cancels the second order.
	other := shopper{t: t, url: url, token: signUp(t, url, "curious.cat@example.com", "Curious Cat", "Whiskers-On-Kittens-9").Tokens.AccessToken}
	for who, s := range map[string]shopper{"another customer": other, "anonymous": guest} {
		if r := gql(t, url, s.token, `query($id: ID!) { order(id: $id) { id } }`, map[string]any{"id": second.ID}); string(r.Data["order"]) != "null" {
			t.Errorf("%s reads the order: %s", who, r.raw)
		}
	}
	if _, code := other.orderChange("orderCancel", "", map[string]any{"id": second.ID}); code != "ORDER_NOT_FOUND" {
		t.Errorf("another customer cancels: %s", code)
	}
	direct := gql(t, "http://"+sys.addrs["orders"]+"/graphql", other.token,
		`query($r: [_Any!]!) { _entities(representations: $r) { ... on Order { id total { amount } } } }`,
		map[string]any{"r": []any{map[string]any{"__typename": "Order", "id": second.ID}}})
	if string(direct.Data["_entities"]) != "[null]" {
		t.Errorf("_entities gave another customer the order: %s", direct.raw)
	}
	if r := gql(t, url, admin.token, `query($id: ID!) { order(id: $id) { id } }`, map[string]any{"id": second.ID}); string(r.Data["order"]) == "null" {
		t.Errorf("an admin cannot read the order: %s", r.raw)
	}

	// An admin fulfils and ships it; the customer can no longer cancel; the admin refunds.
	if r := gql(t, url, demo.token, `mutation($id: ID!) { orderUpdateStatus(id: $id, status: FULFILLED) { order { id } } }`,
		map[string]any{"id": second.ID}); r.code() != "FORBIDDEN" {
		t.Errorf("a customer fulfils an order: %s", r.raw)
	}
	for _, status := range []string{"FULFILLED", "SHIPPED"} {
		if o, code := admin.orderChange("orderUpdateStatus", ", status: "+status, map[string]any{"id": second.ID}); code != "" || o.Status != status {
			t.Errorf("%s: %+v %s", status, o, code)
		}
	}
	if _, code := demo.orderChange("orderCancel", "", map[string]any{"id": second.ID}); code != "INVALID_STATUS_CHANGE" {
		t.Errorf("cancel after shipping: %s", code)
	}
	refunded, code := admin.orderChange("orderRefund", "", map[string]any{"id": second.ID})
	if code != "" || refunded.Status != "REFUNDED" || refunded.PaymentStatus != "REFUNDED" {
		t.Errorf("refund: %+v %s", refunded, code)
	}
	var timeline []string
	for _, e := range refunded.Timeline {
		timeline = append(timeline, e.Status+"/"+e.Actor)
	}
	if strings.Join(timeline, " ") != "PENDING/SYSTEM PAID/SYSTEM FULFILLED/ADMIN SHIPPED/ADMIN REFUNDED/ADMIN" {
		t.Errorf("timeline %v", timeline)
	}
	reconcileSystem(t, sys, nil)
}

// reconcileSystem fails the test unless the system's orders, payments and
// stock agree (checkouttest.Reconcile), and returns the report.
func reconcileSystem(t *testing.T, sys *system, startOnHand map[int64]int) checkouttest.Report {
	t.Helper()
	r, err := checkouttest.Reconcile(t.Context(), sys.pool(t, "orders"), sys.pool(t, "catalog"), startOnHand)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range r.Problems {
		t.Error(p)
	}
	t.Logf("reconciled: %d checkouts, %d placed (%d returned), %d failed; %d charges (%d refunded); %d reservations committed",
		r.Orders, r.Placed, r.Returned, r.Failed, r.Charges, r.Refunds, r.Committed)
	return r
}
