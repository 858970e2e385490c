package scenarios

import (
	"context"
	"fmt"
	"testing"

	"github.com/shopgraph/shopgraph/gateway/internal/testsubgraph"
)

// requiresScenario: @requires with arguments and a fragment on fields of another
// subgraph, and a chain: tax requires shipping, which requires weight and dims.
func requiresScenario() scenario {
	products := []any{
		map[string]any{"__typename": "Product", "id": "p1", "name": "Lamp", "kg": 2.0, "dims": map[string]any{"w": 3, "h": 4}},
		map[string]any{"__typename": "Product", "id": "p2", "name": "Desk", "kg": 10.0, "dims": map[string]any{"w": 1, "h": 1}},
	}
	byID := map[string]map[string]any{}
	for _, p := range products {
		byID[p.(map[string]any)["id"].(string)] = p.(map[string]any)
	}
	weight := func(_ context.Context, parent map[string]any, args map[string]any) (any, error) {
		kg := parent["kg"].(float64)
		if args["unit"] == "lb" {
			return kg * 2, nil
		}
		return kg, nil
	}
	return scenario{subgraphs: []*testsubgraph.Subgraph{
		{
			Name: "products",
			SDL: fed + `type Query { products: [Product!]! }
type Product @key(fields: "id") { id: ID! name: String! weight(unit: String!): Float! dims: Dims! }
type Dims @shareable { w: Int! h: Int! }`,
			Resolvers: map[string]testsubgraph.Resolver{"Query.products": list(products), "Product.weight": weight},
			Entities:  map[string]testsubgraph.EntityResolver{"Product": byKey("Product", "id", byID)},
		},
		{
			Name: "inventory",
			SDL: fed + `type Product @key(fields: "id") {
  id: ID!
  weight(unit: String!): Float! @external
  dims: Dims! @external
  shipping: Int! @requires(fields: "weight(unit: \"kg\") dims { ... on Dims { w h } }")
}
type Dims @shareable { w: Int! h: Int! }`,
			Entities: map[string]testsubgraph.EntityResolver{"Product": func(_ context.Context, rep map[string]any) (any, error) {
				w, ok := rep["weight"].(float64)
				d, ok2 := rep["dims"].(map[string]any)
				if !ok || !ok2 {
					return nil, fmt.Errorf("representation without weight or dims: %v", rep)
				}
				return map[string]any{"__typename": "Product", "id": rep["id"], "shipping": int(w)*10 + int(d["w"].(float64)*d["h"].(float64))}, nil
			}},
		},
		{
			Name: "tax",
			SDL:  fed + `type Product @key(fields: "id") { id: ID! shipping: Int! @external tax: Int! @requires(fields: "shipping") }`,
			Entities: map[string]testsubgraph.EntityResolver{"Product": func(_ context.Context, rep map[string]any) (any, error) {
				s, ok := rep["shipping"].(float64)
				if !ok {
					return nil, fmt.Errorf("representation without shipping: %v", rep)
				}
				return map[string]any{"__typename": "Product", "id": rep["id"], "tax": int(s) / 10}, nil
			}},
		},
	}}
}

func TestRequires(t *testing.T) {
	t.Parallel()
	run(t, requiresScenario(), []tcase{
		{
			name:     "requires with arguments and a fragment",
			query:    `{ products { name shipping } }`,
			data:     `{"products":[{"name":"Lamp","shipping":32},{"name":"Desk","shipping":101}]}`,
			requests: map[string]int{"products": 1, "inventory": 1, "tax": 0},
		},
		{
			name:     "chain of requires, client selects the required field with other arguments",
			query:    `{ products { weight(unit: "lb") tax shipping } }`,
			data:     `{"products":[{"weight":4,"tax":3,"shipping":32},{"weight":20,"tax":10,"shipping":101}]}`,
			requests: map[string]int{"products": 1, "inventory": 1, "tax": 1},
			check: func(t *testing.T, got map[string][]testsubgraph.Request) {
				r := reps(t, got["inventory"], 0)[0].(map[string]any)
				if r["weight"] != 2.0 {
					t.Errorf("inventory representation %v, want the kg weight", r)
				}
			},
		},
		{
			name:  "requires under an alias and a fragment",
			query: `query { list: products { ... on Product { s: shipping } id } }`,
			data:  `{"list":[{"s":32,"id":"p1"},{"s":101,"id":"p2"}]}`,
		},
	})
}
