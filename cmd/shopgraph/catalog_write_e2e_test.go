package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/shopgraph/shopgraph/internal/auth"
	"github.com/shopgraph/shopgraph/internal/authn/authntest"
)

// postAs sends an operation to url with a bearer token ("" for none).
func postAs(t *testing.T, url, token, query string, vars map[string]any) (int, []byte) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, err := http.NewRequest("POST", url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", url, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, raw
}

// TestCatalogWritesThroughTheRouter: the catalog verifies the bearer token the
// router passes on against the users service's JWKS, so a customer signed in
// with the users service reviews, only an admin creates products, and an
// anonymous or forged write is refused.
func TestCatalogWritesThroughTheRouter(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: builds and runs the binary")
	}
	sys := startSystem(t)
	newbie := signUp(t, sys.router, "kim.reviewer@example.com", "Kim Reviewer", "Birch-Canoe-Lantern")
	if newbie.Tokens == nil {
		t.Fatalf("signUp = %+v", newbie)
	}
	customer := newbie.Tokens.AccessToken
	admin := mustSignIn(t, sys.router, "admin@shopgraph.dev", "Granite-Orchard-97").Tokens.AccessToken

	type response struct {
		Data   map[string]json.RawMessage
		Errors []gqlError
	}
	post := func(t *testing.T, token, query string, vars map[string]any) response {
		t.Helper()
		status, raw := postAs(t, sys.router, token, query, vars)
		var r response
		if err := json.Unmarshal(raw, &r); err != nil {
			t.Fatalf("status %d, body %s: %v", status, raw, err)
		}
		return r
	}
	const review = `mutation($in: AddReviewInput!) { addReview(input: $in) {
		review { rating author { id } product { ratingSummary { count } } } userErrors { code field } } }`
	in := map[string]any{"in": map[string]any{"productId": "gid://shopgraph/Product/5", "rating": 4, "title": "Sturdy", "body": "Keeps coffee hot."}}

	t.Run("anonymous review is UNAUTHENTICATED", func(t *testing.T) {
		r := post(t, "", review, in)
		if len(r.Errors) == 0 || r.Errors[0].Extensions["code"] != "UNAUTHENTICATED" {
			t.Errorf("errors %+v", r.Errors)
		}
	})
	t.Run("a customer reviews once", func(t *testing.T) {
		r := post(t, customer, review, in)
		if len(r.Errors) > 0 || !strings.Contains(string(r.Data["addReview"]), `"author":{"id":"`+newbie.User.ID+`"}`) {
			t.Fatalf("data %s, errors %+v", r.Data["addReview"], r.Errors)
		}
		r = post(t, customer, review, in)
		if !strings.Contains(string(r.Data["addReview"]), `"code":"ALREADY_REVIEWED"`) {
			t.Errorf("second review: %s %+v", r.Data["addReview"], r.Errors)
		}
	})
	const create = `mutation($in: CreateProductInput!) { createProduct(input: $in) {
		product { slug priceRange { min { amount } } } userErrors { code field } } }`
	product := map[string]any{"in": map[string]any{"slug": "enamel-camp-mug", "name": "Enamel Camp Mug",
		"variants": []any{map[string]any{"sku": "MUG-CAMP-1", "price": "9.90", "weight": 250, "stockOnHand": 12}}}}
	t.Run("a customer may not create products", func(t *testing.T) {
		r := post(t, customer, create, product)
		if len(r.Errors) == 0 || r.Errors[0].Extensions["code"] != "FORBIDDEN" {
			t.Errorf("errors %+v", r.Errors)
		}
	})
	t.Run("an admin creates a product shoppers then find", func(t *testing.T) {
		r := post(t, admin, create, product)
		if len(r.Errors) > 0 || !strings.Contains(string(r.Data["createProduct"]), `"min":{"amount":"9.90"}`) {
			t.Fatalf("data %s, errors %+v", r.Data["createProduct"], r.Errors)
		}
		r = post(t, "", `{ product(slug: "enamel-camp-mug") { name variants { sku quantityAvailable stockLevel } } }`, nil)
		want := `{"name":"Enamel Camp Mug","variants":[{"sku":"MUG-CAMP-1","quantityAvailable":12,"stockLevel":"IN_STOCK"}]}`
		if string(r.Data["product"]) != want {
			t.Errorf("product %s, errors %+v", r.Data["product"], r.Errors)
		}
	})
	t.Run("a forged token writes nothing", func(t *testing.T) {
		forger := authntest.NewKey(t, "users-1", "ES256")
		forged := forger.Sign(t, jwt.MapClaims{"sub": "1", "role": "ADMIN", "iss": auth.DefaultIssuer, "aud": auth.DefaultAudience,
			"exp": time.Now().Add(time.Hour).Unix(), "iat": time.Now().Unix()})
		r := post(t, forged, create, map[string]any{"in": map[string]any{"slug": "forged", "name": "Forged",
			"variants": []any{map[string]any{"sku": "FORGED-1", "price": "1", "weight": 1}}}})
		if len(r.Errors) == 0 || r.Errors[0].Extensions["code"] != "UNAUTHENTICATED" || strings.Contains(string(r.Data["createProduct"]), "forged") {
			t.Errorf("data %s, errors %+v", r.Data["createProduct"], r.Errors)
		}
		r = post(t, "", `{ product(slug: "forged") { id } }`, nil)
		if string(r.Data["product"]) != "null" {
			t.Errorf("forged product exists: %s", r.Data["product"])
		}
	})
}
