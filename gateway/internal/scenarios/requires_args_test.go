package scenarios

import (
	"context"
	"fmt"
	"testing"

	"github.com/shopgraph/shopgraph/gateway/internal/testsubgraph"
)

// requiresArgsScenario: two fields of one subgraph require the same external
// field with different arguments (price in USD for one, in EUR for the other).
// Each _entities representation can carry one value per field name, so each
// must go with the value its own field requires.
func requiresArgsScenario() scenario {
	products := []any{
		map[string]any{"__typename": "Product", "id": "p1", "usd": 10.0},
		map[string]any{"__typename": "Product", "id": "p2", "usd": 30.0},
	}
	byID := map[string]map[string]any{}
	for _, p := range products {
		byID[p.(map[string]any)["id"].(string)] = p.(map[string]any)
	}
	price := func(_ context.Context, parent map[string]any, args map[string]any) (any, error) {
		usd := parent["usd"].(float64)
		if args["currency"] == "EUR" {
			return usd * 2, nil // an exchange rate that makes mix-ups obvious
		}
		return usd, nil
	}
	label := func(currency string) func(map[string]any) (any, error) {
		return func(rep map[string]any) (any, error) {
			p, ok := rep["price"].(float64)
			if !ok {
				return nil, fmt.Errorf("representation without price: %v", rep)
			}
			return fmt.Sprintf("%s %.0f", currency, p), nil
		}
	}
	usdLabel, eurLabel := label("USD"), label("EUR")
	return scenario{subgraphs: []*testsubgraph.Subgraph{
		{
			Name:      "products",
			SDL:       fed + `type Query { products: [Product!]! } type Product @key(fields: "id") { id: ID! price(currency: String!): Float! }`,
			Resolvers: map[string]testsubgraph.Resolver{"Query.products": list(products), "Product.price": price},
			Entities:  map[string]testsubgraph.EntityResolver{"Product": byKey("Product", "id", byID)},
		},
		{
			Name: "labels",
			SDL: fed + `type Product @key(fields: "id") {
  id: ID!
  price(currency: String!): Float! @external
  usdLabel: String! @requires(fields: "price(currency: \"USD\")")
  eurLabel: String! @requires(fields: "price(currency: \"EUR\")")
}`,
			Entities: map[string]testsubgraph.EntityResolver{"Product": func(_ context.Context, rep map[string]any) (any, error) {
				// A representation is for one field: the subgraph cannot tell
				// which price it holds, so it answers both from it, and the
				// router must ask for each with its own representation.
				u, err := usdLabel(rep)
				if err != nil {
					return nil, err
				}
				e, _ := eurLabel(rep)
				return map[string]any{"__typename": "Product", "id": rep["id"], "usdLabel": u, "eurLabel": e}, nil
			}},
		},
	}}
}

func TestRequiresTheSameFieldWithDifferentArguments(t *testing.T) {
	t.Parallel()
	run(t, requiresArgsScenario(), []tcase{
		{
			// One _entities call per price: each representation carries its own.
			name:     "each field gets the price its own @requires names",
			query:    `{ products { id usdLabel eurLabel } }`,
			data:     `{"products":[{"id":"p1","usdLabel":"USD 10","eurLabel":"EUR 20"},{"id":"p2","usdLabel":"USD 30","eurLabel":"EUR 60"}]}`,
			requests: map[string]int{"products": 1, "labels": 2},
			check: func(t *testing.T, got map[string][]testsubgraph.Request) {
				seen := map[float64]bool{}
				for i := range got["labels"] {
					for _, r := range reps(t, got["labels"], i) {
						seen[r.(map[string]any)["price"].(float64)] = true
					}
				}
				for _, p := range []float64{10, 30, 20, 60} {
					if !seen[p] {
						t.Errorf("no representation carried price %v: %v", p, seen)
					}
				}
			},
		},
		{
			name:     "one of them alone, aliased twice",
			query:    `{ products { a: eurLabel b: eurLabel } }`,
			data:     `{"products":[{"a":"EUR 20","b":"EUR 20"},{"a":"EUR 60","b":"EUR 60"}]}`,
			requests: map[string]int{"products": 1, "labels": 1},
		},
		{
			name:     "the client's own price beside both labels",
			query:    `{ products { price(currency: "EUR") usdLabel eurLabel } }`,
			data:     `{"products":[{"price":20,"usdLabel":"USD 10","eurLabel":"EUR 20"},{"price":60,"usdLabel":"USD 30","eurLabel":"EUR 60"}]}`,
			requests: map[string]int{"products": 1, "labels": 2},
		},
	})
}
