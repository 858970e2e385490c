package main

import (
	"encoding/json"
	"strings"
	"testing"
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
