package scenarios

import (
	"testing"

	"github.com/shopgraph/shopgraph/gateway/internal/testsubgraph"
)

// A progressive override: "new" takes Product.price from "old" while the label is on.
const overrideSupergraph = `schema @link(url: "https://specs.apollo.dev/link/v1.0") @link(url: "https://specs.apollo.dev/join/v0.5", for: EXECUTION) { query: Query }
` + joinHeader + `
enum join__Graph {
  NEW @join__graph(name: "new", url: "{{new}}")
  OLD @join__graph(name: "old", url: "{{old}}")
}
type Query @join__type(graph: NEW) @join__type(graph: OLD) {
  products: [Product!]! @join__field(graph: OLD)
}
type Product @join__type(graph: NEW, key: "id") @join__type(graph: OLD, key: "id") {
  id: ID!
  name: String! @join__field(graph: OLD)
  price: Int! @join__field(graph: NEW, override: "old", overrideLabel: "percent(50)") @join__field(graph: OLD, overrideLabel: "percent(50)")
  stock: Int! @join__field(graph: NEW, override: "old")
}
`

func overrideScenario(labels ...string) scenario {
	return scenario{
		supergraph: overrideSupergraph,
		labels:     labels,
		subgraphs: []*testsubgraph.Subgraph{
			{
				Name: "old",
				SDL: fed + `type Query { products: [Product!]! }
type Product @key(fields: "id") { id: ID! name: String! price: Int! }`,
				Resolvers: map[string]testsubgraph.Resolver{"Query.products": list([]any{map[string]any{"__typename": "Product", "id": "p1", "name": "Lamp", "price": 1}})},
			},
			{
				Name:     "new",
				SDL:      fed + `type Product @key(fields: "id") { id: ID! price: Int! @override(from: "old", label: "percent(50)") stock: Int! @override(from: "old") }`,
				Entities: map[string]testsubgraph.EntityResolver{"Product": byKey("Product", "id", map[string]map[string]any{"p1": {"price": 2, "stock": 7}})},
			},
		},
	}
}

func TestOverride(t *testing.T) {
	t.Parallel()
	t.Run("label off", func(t *testing.T) {
		t.Parallel()
		run(t, overrideScenario(), []tcase{
			{name: "overridden field stays", query: `{ products { name price } }`, data: `{"products":[{"name":"Lamp","price":1}]}`, requests: map[string]int{"old": 1, "new": 0}},
			{name: "plain override", query: `{ products { stock } }`, data: `{"products":[{"stock":7}]}`, requests: map[string]int{"old": 1, "new": 1}},
		})
	})
	t.Run("label on", func(t *testing.T) {
		t.Parallel()
		run(t, overrideScenario("percent(50)"), []tcase{
			{name: "field moves", query: `{ products { name price stock } }`, data: `{"products":[{"name":"Lamp","price":2,"stock":7}]}`, requests: map[string]int{"old": 1, "new": 1}},
		})
	})
}
