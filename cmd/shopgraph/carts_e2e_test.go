package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/shopgraph/shopgraph/subgraphs/orders"
	orderspg "github.com/shopgraph/shopgraph/subgraphs/orders/postgres"
)

// TestCartsThroughTheRouter: a guest fills a cart priced from the catalog,
// signs in and keeps it; nobody else reads it; a price change shows.
func TestCartsThroughTheRouter(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: builds and runs the binary")
	}
	sys := startSystem(t)
	url := sys.router

	var product struct {
		Variants []struct {
			ID                string
			SKU               string
			Price             struct{ Amount string }
			QuantityAvailable int
		}
	}
	gql(t, url, "", `{ product(slug: "merino-crew-sweater") { variants { id sku price { amount } quantityAvailable } } }`, nil).field(t, "product", &product)
	var inStock []string
	for _, v := range product.Variants {
		if v.QuantityAvailable >= 5 {
			inStock = append(inStock, v.ID)
		}
	}
	if len(inStock) < 2 {
		t.Fatalf("want two variants with stock: %+v", product)
	}
	a, b := inStock[0], inStock[1]

	const cartFields = `cart { id totalQuantity subtotal { amount currencyCode }
		lines { quantity unitPrice { amount } total { amount } variant { id sku } warnings { code } }
		cost(country: "GB") { subtotal { amount } shipping { amount } tax { amount } total { amount } } }
		userErrors { code field }`
	type cartPayload struct {
		Cart *struct {
			ID            string
			TotalQuantity int
			Subtotal      *struct{ Amount, CurrencyCode string }
			Lines         []struct {
				Quantity  int
				UnitPrice *struct{ Amount string }
				Total     *struct{ Amount string }
				Variant   struct{ ID, SKU string }
				Warnings  []struct{ Code string }
			}
			Cost *struct{ Subtotal, Shipping, Tax, Total struct{ Amount string } }
		}
		UserErrors []struct {
			Code  string
			Field []string
		}
	}
	mutate := func(t *testing.T, token, name, args string, vars map[string]any) cartPayload {
		t.Helper()
		var decl []string
		for v, typ := range map[string]string{"cart": "ID!", "lines": "[CartLineInput!]!", "updates": "[CartLineUpdateInput!]!"} {
			if _, ok := vars[v]; ok {
				decl = append(decl, "$"+v+": "+typ)
			}
		}
		r := gql(t, url, token, `mutation(`+strings.Join(decl, ", ")+`) { p: `+name+args+` { `+cartFields+` } }`, vars)
		if len(r.Errors) > 0 {
			t.Fatalf("%s: %s", name, r.raw)
		}
		var p cartPayload
		r.field(t, "p", &p)
		return p
	}
	_ = json.Marshal

	created := mutate(t, "", "cartCreate", `(lines: $lines)`, map[string]any{"lines": []any{map[string]any{"variantId": a, "quantity": 2}}})
	if created.Cart == nil || created.Cart.TotalQuantity != 2 || len(created.Cart.Lines) != 1 || created.Cart.Lines[0].Variant.ID != a ||
		created.Cart.Lines[0].Variant.SKU == "" || created.Cart.Subtotal == nil || created.Cart.Cost == nil {
		t.Fatalf("cartCreate = %+v", created)
	}
	cartID := created.Cart.ID
	if !strings.HasPrefix(cartID, "gid://shopgraph/Cart/") || len(cartID) < 50 {
		t.Errorf("cart id %q is not an unguessable id", cartID)
	}

	added := mutate(t, "", "cartLinesAdd", `(cartId: $cart, lines: $lines)`, map[string]any{"cart": cartID,
		"lines": []any{map[string]any{"variantId": a, "quantity": 1}, map[string]any{"variantId": b, "quantity": 3}}})
	if added.Cart == nil || added.Cart.TotalQuantity != 6 || added.Cart.Lines[0].Quantity != 3 {
		t.Fatalf("cartLinesAdd = %+v", added)
	}

	for name, c := range map[string]struct {
		args string
		vars map[string]any
		code string
	}{
		"zero to add":     {`(cartId: $cart, lines: $lines)`, map[string]any{"cart": cartID, "lines": []any{map[string]any{"variantId": a, "quantity": 0}}}, "INVALID_QUANTITY"},
		"unknown variant": {`(cartId: $cart, lines: $lines)`, map[string]any{"cart": cartID, "lines": []any{map[string]any{"variantId": "gid://shopgraph/ProductVariant/999999", "quantity": 1}}}, "VARIANT_NOT_FOUND"},
		"unknown cart":    {`(cartId: $cart, lines: $lines)`, map[string]any{"cart": "gid://shopgraph/Cart/3f1e2d4c-0000-4000-8000-000000000000", "lines": []any{map[string]any{"variantId": a, "quantity": 1}}}, "CART_NOT_FOUND"},
	} {
		if p := mutate(t, "", "cartLinesAdd", c.args, c.vars); p.Cart != nil || len(p.UserErrors) != 1 || p.UserErrors[0].Code != c.code {
			t.Errorf("%s: %+v", name, p)
		}
	}

	updated := mutate(t, "", "cartLinesUpdate", `(cartId: $cart, lines: $updates)`, map[string]any{"cart": cartID,
		"updates": []any{map[string]any{"variantId": b, "quantity": 0}}})
	if updated.Cart == nil || len(updated.Cart.Lines) != 1 || updated.Cart.TotalQuantity != 3 {
		t.Fatalf("cartLinesUpdate = %+v", updated)
	}

	// The customer signs in and takes the cart along; it is theirs alone now.
	customer := mustSignIn(t, url, "demo@shopgraph.dev", "Lantern-Harbor-42").Tokens.AccessToken
	attached := mutate(t, customer, "cartAttachToUser", `(cartId: $cart)`, map[string]any{"cart": cartID})
	if attached.Cart == nil || attached.Cart.TotalQuantity != 3 {
		t.Fatalf("cartAttachToUser = %+v", attached)
	}
	mine := attached.Cart.ID
	if r := gql(t, url, customer, `{ me { cart { id totalQuantity } } }`, nil); !strings.Contains(string(r.Data["me"]), mine) {
		t.Errorf("me.cart = %s %+v", r.Data["me"], r.Errors)
	}
	other := signUp(t, url, "nosy.neighbour@example.com", "Nosy Neighbour", "Peeking-Through-Curtains")
	for who, token := range map[string]string{"another customer": other.Tokens.AccessToken, "anonymous": ""} {
		if r := gql(t, url, token, `query($id: ID!) { cart(id: $id) { id } }`, map[string]any{"id": mine}); string(r.Data["cart"]) != "null" {
			t.Errorf("%s reads the customer's cart: %s", who, r.raw)
		}
		if p := mutate(t, token, "cartLinesAdd", `(cartId: $cart, lines: $lines)`, map[string]any{"cart": mine,
			"lines": []any{map[string]any{"variantId": a, "quantity": 1}}}); p.Cart != nil || p.UserErrors[0].Code != "CART_NOT_FOUND" {
			t.Errorf("%s changes the customer's cart: %+v", who, p)
		}
	}

	// An admin raises the price: the cart shows the new price and says so.
	admin := mustSignIn(t, url, "admin@shopgraph.dev", "Granite-Orchard-97").Tokens.AccessToken
	if r := gql(t, url, admin, `mutation($id: ID!) { updateVariant(input: {id: $id, price: "999.00"}) { userErrors { code } } }`,
		map[string]any{"id": a}); !strings.Contains(string(r.raw), `"userErrors":[]`) {
		t.Fatalf("updateVariant: %s", r.raw)
	}
	r := gql(t, url, customer, `query($id: ID!) { cart(id: $id) { subtotal { amount } lines { unitPrice { amount } warnings { code } } } }`, map[string]any{"id": mine})
	if want := `{"subtotal":{"amount":"2997.00"},"lines":[{"unitPrice":{"amount":"999.00"},"warnings":[{"code":"PRICE_CHANGED"}]}]}`; string(r.Data["cart"]) != want {
		t.Errorf("cart after the price change: %s\nwant %s", r.Data["cart"], want)
	}
}

// TestOrderPrivacyThroughTheRouter: a customer reads their orders (with the
// catalog's current variant joined in); nobody else reads them, by order(id)
// or through _entities; admins read every order.
func TestOrderPrivacyThroughTheRouter(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: builds and runs the binary")
	}
	sys := startSystem(t)
	url := sys.router
	store := orderspg.New(sys.pool(t, "orders"))
	place := func(user int64, key string) string {
		t.Helper()
		o, _, err := store.CreateOrder(t.Context(), orders.NewOrder{
			UserID: user, Email: "demo@shopgraph.dev", IdempotencyKey: key, Currency: "USD",
			Subtotal: 2000, Shipping: 499, ShippingMethod: orders.ShippingStandard,
			ShippingAddress: orders.Address{Name: "Emma Thompson", Line1: "1 Harbour Rd", City: "Bristol", PostalCode: "BS1 4RN", Country: "GB"},
			Lines:           []orders.OrderLine{{VariantID: 1, ProductName: "Then-name", VariantName: "M", SKU: "OLD-SKU", UnitPrice: 1000, Quantity: 2}},
		})
		if err != nil {
			t.Fatal(err)
		}
		return "gid://shopgraph/Order/" + o.ID
	}
	first, second := place(1, "demo-1"), place(1, "demo-2")
	customer := mustSignIn(t, url, "demo@shopgraph.dev", "Lantern-Harbor-42").Tokens.AccessToken
	admin := mustSignIn(t, url, "admin@shopgraph.dev", "Granite-Orchard-97").Tokens.AccessToken
	other := signUp(t, url, "curious.cat@example.com", "Curious Cat", "Whiskers-On-Kittens-9").Tokens.AccessToken

	r := gql(t, url, customer, `{ me { orders(first: 5) { edges { node { id number status total { amount }
		lines { sku quantity total { amount } variant { sku } } timeline { status actor } } } pageInfo { hasNextPage } } } }`, nil)
	var me struct {
		Orders struct {
			Edges []struct {
				Node struct {
					ID, Number, Status string
					Total              struct{ Amount string }
					Lines              []struct {
						SKU      string
						Quantity int
						Total    struct{ Amount string }
						Variant  struct{ SKU string }
					}
				}
			}
		}
	}
	r.field(t, "me", &me)
	if len(r.Errors) > 0 || len(me.Orders.Edges) != 2 || me.Orders.Edges[0].Node.ID != second || me.Orders.Edges[1].Node.ID != first {
		t.Fatalf("me.orders: %s", r.raw)
	}
	n := me.Orders.Edges[0].Node
	if len(n.Lines) == 0 {
		t.Fatalf("no lines: %s", r.raw)
	}
	if n.Status != "PENDING" || n.Total.Amount != "24.99" || n.Lines[0].SKU != "OLD-SKU" || n.Lines[0].Total.Amount != "20.00" ||
		n.Lines[0].Variant.SKU == "" || n.Lines[0].Variant.SKU == "OLD-SKU" || !strings.HasPrefix(n.Number, "SG-") {
		t.Errorf("order %+v: want the snapshot beside the catalog's current variant", n)
	}

	const byID = `query($id: ID!) { order(id: $id) { id } }`
	for who, c := range map[string]struct {
		token string
		sees  bool
	}{"the customer": {customer, true}, "an admin": {admin, true}, "another customer": {other, false}, "anonymous": {"", false}} {
		r := gql(t, url, c.token, byID, map[string]any{"id": first})
		if got := string(r.Data["order"]) != "null"; got != c.sees || len(r.Errors) > 0 {
			t.Errorf("%s reads the order: %s", who, r.raw)
		}
	}
	direct := gql(t, "http://"+sys.addrs["orders"]+"/graphql", other,
		`query($r: [_Any!]!) { _entities(representations: $r) { ... on Order { id total { amount } } } }`,
		map[string]any{"r": []any{map[string]any{"__typename": "Order", "id": first}}})
	if string(direct.Data["_entities"]) != "[null]" {
		t.Errorf("_entities gave another customer the order: %s", direct.raw)
	}
	if r := gql(t, url, other, `query($id: ID!) { _x: order(id: $id) { id } }`, map[string]any{"id": "gid://shopgraph/Order/not-a-uuid"}); string(r.Data["_x"]) != "null" {
		t.Errorf("a malformed id: %s", r.raw)
	}
}
