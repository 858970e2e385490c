package scenarios

import (
	"strings"
	"testing"

	"github.com/shopgraph/shopgraph/gateway/internal/testsubgraph"
)

// reenterScenario: value types (@shareable, no @key) whose fields are spread
// over subgraphs, under a shared root field and under an entity. No subgraph
// can be entered at a Price or a Dimensions by key, so the router must ask
// again from the shared root field or from the entity above them.
func reenterScenario() scenario {
	return scenario{subgraphs: []*testsubgraph.Subgraph{
		{
			Name: "a",
			SDL: fed + `type Query { deal: Deal @shareable deals: [Deal] @shareable item(id: ID!): Item }
type Deal @shareable { id: ID! title: String price: Price }
type Price @shareable { amount: Int }
type Item @key(fields: "id") { id: ID! name: String dims: Dimensions @shareable }
type Dimensions @shareable { width: Int }`,
			Resolvers: map[string]testsubgraph.Resolver{
				"Query.deal": list(map[string]any{"id": "d1", "title": "Spring sale", "price": map[string]any{"amount": 10}}),
				"Query.deals": list([]any{
					map[string]any{"id": "d1", "title": "Spring sale", "price": map[string]any{"amount": 10}},
					nil,
					map[string]any{"id": "d3", "title": "Summer sale", "price": map[string]any{"amount": 30}},
				}),
				"Query.item": list(map[string]any{"__typename": "Item", "id": "i1", "name": "Box", "dims": map[string]any{"width": 4}}),
			},
			Entities: map[string]testsubgraph.EntityResolver{"Item": byKey("Item", "id", map[string]map[string]any{
				"i1": {"name": "Box", "dims": map[string]any{"width": 4}},
			})},
		},
		{
			Name: "b",
			SDL: fed + `type Query { deal: Deal @shareable deals: [Deal] @shareable }
type Deal @shareable { id: ID! price: Price expires: String }
type Price @shareable { amount: Int currency: String }
type Item @key(fields: "id") { id: ID! dims: Dimensions @shareable }
type Dimensions @shareable { height: Int }`,
			Resolvers: map[string]testsubgraph.Resolver{
				"Query.deal": list(map[string]any{"id": "d1", "expires": "May", "price": map[string]any{"amount": 10, "currency": "EUR"}}),
				"Query.deals": list([]any{
					map[string]any{"id": "d1", "expires": "May", "price": map[string]any{"amount": 10, "currency": "EUR"}},
					nil,
					map[string]any{"id": "d3", "expires": "Aug", "price": map[string]any{"amount": 30, "currency": "USD"}},
				}),
			},
			Entities: map[string]testsubgraph.EntityResolver{"Item": byKey("Item", "id", map[string]map[string]any{
				"i1": {"dims": map[string]any{"height": 7}},
			})},
		},
	}}
}

func TestReenterForValueTypes(t *testing.T) {
	t.Parallel()
	run(t, reenterScenario(), []tcase{
		{
			name:     "a shared root value type takes fields from both subgraphs",
			query:    `{ deal { title expires price { amount currency } } }`,
			data:     `{"deal":{"title":"Spring sale","expires":"May","price":{"amount":10,"currency":"EUR"}}}`,
			requests: map[string]int{"a": 1, "b": 1},
			check: func(t *testing.T, got map[string][]testsubgraph.Request) {
				// Both fields of b come in one request, under the same root field.
				if q := got["b"][0].Query; !strings.Contains(q, "deal{") || !strings.Contains(q, "currency") || !strings.Contains(q, "expires") {
					t.Errorf("b was asked %s, want deal { expires price { currency } }", q)
				}
			},
		},
		{
			name:     "lists of shared values merge item by item, nulls included",
			query:    `{ deals { id title price { currency } } }`,
			data:     `{"deals":[{"id":"d1","title":"Spring sale","price":{"currency":"EUR"}},null,{"id":"d3","title":"Summer sale","price":{"currency":"USD"}}]}`,
			requests: map[string]int{"a": 1, "b": 1},
		},
		{
			name:     "aliases and arguments are repeated on the second subgraph",
			query:    `{ x: deal { t: title p: price { c: currency } } }`,
			data:     `{"x":{"t":"Spring sale","p":{"c":"EUR"}}}`,
			requests: map[string]int{"a": 1, "b": 1},
		},
		{
			name:     "fields of one subgraph only need no second fetch",
			query:    `{ deal { title price { amount } } }`,
			data:     `{"deal":{"title":"Spring sale","price":{"amount":10}}}`,
			requests: map[string]int{"a": 1, "b": 0},
		},
		{
			name:     "a value type under an entity is completed through the entity's key",
			query:    `{ item(id: "i1") { name dims { width height } } }`,
			data:     `{"item":{"name":"Box","dims":{"width":4,"height":7}}}`,
			requests: map[string]int{"a": 1, "b": 1},
			check: func(t *testing.T, got map[string][]testsubgraph.Request) {
				if r := reps(t, got["b"], 0); len(r) != 1 || r[0].(map[string]any)["id"] != "i1" {
					t.Errorf("b got representations %v, want the item i1", r)
				}
			},
		},
	})
}
