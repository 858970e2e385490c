package scenarios

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/shopgraph/shopgraph/gateway/internal/testsubgraph"
)

// TestContextWithRequires: a field that takes a contextual argument and also
// @requires a field of another subgraph gets both: the required value in its
// representation and the context's value as its argument.
func TestContextWithRequires(t *testing.T) {
	t.Parallel()
	product := func(id string) map[string]any { return map[string]any{"__typename": "Product", "id": id} }
	stores := []any{
		map[string]any{"__typename": "Store", "id": "s1", "currency": "USD", "products": []any{product("p1"), product("p2")}},
		map[string]any{"__typename": "Store", "id": "s2", "currency": "EUR", "products": []any{product("p2")}},
	}
	weights := map[string]int{"p1": 3, "p2": 5}
	sc := scenario{subgraphs: []*testsubgraph.Subgraph{
		{
			Name: "shop",
			SDL: fedContext + `type Query { stores: [Store!]! }
type Store @key(fields: "id") @context(name: "store") { id: ID! currency: String products: [Product!]! }
type Product @key(fields: "id") {
  id: ID!
  weight: Int @external
  shipping(currency: String @fromContext(field: "$store { currency }")): String @requires(fields: "weight")
}`,
			Resolvers: map[string]testsubgraph.Resolver{
				"Query.stores": list(stores),
				"Product.shipping": func(_ context.Context, p map[string]any, args map[string]any) (any, error) {
					w, ok := p["weight"]
					if !ok {
						return nil, fmt.Errorf("shipping of %v: the weight was not sent", p["id"])
					}
					return fmt.Sprintf("%v kg to ship in %v", w, args["currency"]), nil
				},
			},
			Entities: map[string]testsubgraph.EntityResolver{"Product": aeEcho("Product")},
		},
		{
			Name: "catalog",
			SDL:  fedContext + `type Product @key(fields: "id") { id: ID! weight: Int }`,
			Entities: map[string]testsubgraph.EntityResolver{"Product": func(_ context.Context, rep map[string]any) (any, error) {
				return aeObj("Product", map[string]any{"id": rep["id"], "weight": weights[fmt.Sprint(rep["id"])]}), nil
			}},
		},
	}}
	run(t, sc, []tcase{{
		name:  "the weight from catalog and the currency from the store",
		query: `{ stores { id products { id shipping } } }`,
		data: `{"stores":[{"id":"s1","products":[{"id":"p1","shipping":"3 kg to ship in USD"},{"id":"p2","shipping":"5 kg to ship in USD"}]},
			{"id":"s2","products":[{"id":"p2","shipping":"5 kg to ship in EUR"}]}]}`,
		check: func(t *testing.T, got map[string][]testsubgraph.Request) {
			last := got["shop"][len(got["shop"])-1]
			if !strings.Contains(last.Query, "shipping(currency:$__ctx_0") {
				t.Errorf("the entity fetch does not pass the context: %s", last.Query)
			}
		},
	}})
}
