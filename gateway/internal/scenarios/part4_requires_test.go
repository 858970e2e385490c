package scenarios

import (
	"context"
	"fmt"
	"testing"

	"github.com/shopgraph/shopgraph/gateway/internal/testsubgraph"
)

// number reads a float field of a representation, or fails naming what is missing.
func number(rep map[string]any, path ...string) (float64, error) {
	var cur any = rep
	for _, p := range path {
		m, ok := cur.(map[string]any)
		if !ok {
			return 0, fmt.Errorf("representation without %v: %v", path, rep)
		}
		cur = m[p]
	}
	f, ok := cur.(float64)
	if !ok {
		return 0, fmt.Errorf("representation without %v: %v", path, rep)
	}
	return f, nil
}

// requiresRoundTripScenario: "b" computes top from mid, which "a" computes
// from base, which "b" holds — the chain goes b → a → b.
func requiresRoundTripScenario() scenario {
	products := []any{
		map[string]any{"__typename": "Product", "id": "p1", "base": 1},
		map[string]any{"__typename": "Product", "id": "p2", "base": 5},
	}
	byID := map[string]map[string]any{"p1": products[0].(map[string]any), "p2": products[1].(map[string]any)}
	return scenario{subgraphs: []*testsubgraph.Subgraph{
		{
			Name: "b",
			SDL: fed + `type Query { products: [Product!]! }
type Product @key(fields: "id") { id: ID! base: Int! mid: Int! @external top: String! @requires(fields: "mid") }`,
			Resolvers: map[string]testsubgraph.Resolver{
				"Query.products": list(products),
				"Product.top": func(_ context.Context, p map[string]any, _ map[string]any) (any, error) {
					m, err := number(p, "mid")
					if err != nil {
						return nil, err
					}
					return fmt.Sprintf("top-%d", int(m)), nil
				},
			},
			Entities: map[string]testsubgraph.EntityResolver{"Product": func(ctx context.Context, rep map[string]any) (any, error) {
				out := aeObj("Product", rep)
				if p, ok := byID[fmt.Sprint(rep["id"])]; ok {
					out["base"] = p["base"]
				}
				return out, nil
			}},
		},
		{
			Name:     "a",
			SDL:      fed + `type Product @key(fields: "id") { id: ID! base: Int! @external mid: Int! @requires(fields: "base") }`,
			Entities: map[string]testsubgraph.EntityResolver{"Product": aeEcho("Product")},
			Resolvers: map[string]testsubgraph.Resolver{"Product.mid": func(_ context.Context, p map[string]any, _ map[string]any) (any, error) {
				b, err := number(p, "base")
				if err != nil {
					return nil, err
				}
				return int(b) * 10, nil
			}},
		},
	}}
}

func TestRequiresChainBackToTheSubgraphThatStarted(t *testing.T) {
	t.Parallel()
	run(t, requiresRoundTripScenario(), []tcase{
		{
			name:     "b → a → b",
			query:    `{ products { id top } }`,
			data:     `{"products":[{"id":"p1","top":"top-10"},{"id":"p2","top":"top-50"}]}`,
			requests: map[string]int{"b": 2, "a": 1},
		},
		{
			name:  "the middle of the chain selected too",
			query: `{ products { mid top base } }`,
			data:  `{"products":[{"mid":10,"top":"top-10","base":1},{"mid":50,"top":"top-50","base":5}]}`,
		},
	})
}

// requiresNestedScenario: "ship" requires a nested selection with an
// argument, dims { weight(unit: "kg") size }, whose leaves come from two
// other subgraphs through Product's key (Dims has no key).
func requiresNestedScenario() scenario {
	ids := []any{
		map[string]any{"__typename": "Product", "id": "p1"},
		map[string]any{"__typename": "Product", "id": "p2"},
	}
	grams := map[string]float64{"p1": 1500, "p2": 20000}
	sizes := map[string]float64{"p1": 3, "p2": 40}
	return scenario{subgraphs: []*testsubgraph.Subgraph{
		{
			Name:      "shop",
			SDL:       fed + `type Query { products: [Product!]! } type Product @key(fields: "id") { id: ID! }`,
			Resolvers: map[string]testsubgraph.Resolver{"Query.products": list(ids)},
		},
		{
			Name: "weights",
			SDL: fed + `type Product @key(fields: "id") { id: ID! dims: Dims! @shareable }
type Dims { weight(unit: String!): Float! }`,
			Entities: map[string]testsubgraph.EntityResolver{"Product": func(_ context.Context, rep map[string]any) (any, error) {
				return map[string]any{"__typename": "Product", "id": rep["id"], "dims": map[string]any{"grams": grams[fmt.Sprint(rep["id"])]}}, nil
			}},
			Resolvers: map[string]testsubgraph.Resolver{"Dims.weight": func(_ context.Context, d map[string]any, args map[string]any) (any, error) {
				g := d["grams"].(float64)
				if args["unit"] == "kg" {
					return g / 1000, nil
				}
				return g, nil
			}},
		},
		{
			Name: "sizes",
			SDL: fed + `type Product @key(fields: "id") { id: ID! dims: Dims! @shareable }
type Dims { size: Int! }`,
			Entities: map[string]testsubgraph.EntityResolver{"Product": func(_ context.Context, rep map[string]any) (any, error) {
				return map[string]any{"__typename": "Product", "id": rep["id"], "dims": map[string]any{"size": sizes[fmt.Sprint(rep["id"])]}}, nil
			}},
		},
		{
			Name: "ship",
			SDL: fed + `type Product @key(fields: "id") { id: ID! dims: Dims! @external cost: String! @requires(fields: "dims { weight(unit: \"kg\") size }") }
type Dims { weight(unit: String!): Float! @external size: Int! @external }`,
			Entities: map[string]testsubgraph.EntityResolver{"Product": aeEcho("Product")},
			Resolvers: map[string]testsubgraph.Resolver{"Product.cost": func(_ context.Context, p map[string]any, _ map[string]any) (any, error) {
				w, err := number(p, "dims", "weight")
				if err != nil {
					return nil, err
				}
				s, err := number(p, "dims", "size")
				if err != nil {
					return nil, err
				}
				return fmt.Sprintf("%.1fkg/%d", w, int(s)), nil
			}},
		},
	}}
}

func TestRequiresNestedSelectionFromTwoOtherSubgraphs(t *testing.T) {
	t.Parallel()
	run(t, requiresNestedScenario(), []tcase{
		{
			name:     "required leaves from two subgraphs, one with an argument",
			query:    `{ products { id cost } }`,
			data:     `{"products":[{"id":"p1","cost":"1.5kg/3"},{"id":"p2","cost":"20.0kg/40"}]}`,
			requests: map[string]int{"shop": 1, "weights": 1, "sizes": 1, "ship": 1},
		},
		{
			name:  "the client's own weight in grams beside the cost",
			query: `{ products { dims { weight(unit: "g") } cost } }`,
			data:  `{"products":[{"dims":{"weight":1500},"cost":"1.5kg/3"},{"dims":{"weight":20000},"cost":"20.0kg/40"}]}`,
		},
	})
}
