package scenarios

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/shopgraph/shopgraph/gateway/internal/testsubgraph"
)

// Supergraphs written by older composers: join v0.1 (Federation 1 composers,
// under @core) and join v0.2 (the first Federation 2 composers, under @link).
// The router loads them as it loads today's and plans the same operations
// across the same two subgraphs.

// joinSubgraphs are the subgraphs both supergraphs describe: products owns
// Product; inventory extends it, computes shippingEstimate from the product's
// price and weight, and has a root field of its own that returns products.
func joinSubgraphs() []*testsubgraph.Subgraph {
	products := map[string]map[string]any{
		"1": {"upc": "1", "name": "Table", "price": 100, "weight": 10, "dimensions": map[string]any{"width": 2, "height": 3}},
		"2": {"upc": "2", "name": "Chair", "price": 50, "weight": 5, "dimensions": map[string]any{"width": 1, "height": 2}},
	}
	inStock := map[string]bool{"1": true, "2": false}
	return []*testsubgraph.Subgraph{
		{
			Name: "products",
			SDL: fed + `
type Query { topProducts(first: Int = 5): [Product] }
type Product @key(fields: "upc") { upc: String! name: String price: Int weight: Int dimensions: Dimensions }
type Dimensions { width: Int height: Int }`,
			Resolvers: map[string]testsubgraph.Resolver{
				"Query.topProducts": list([]any{joinProduct(products["1"]), joinProduct(products["2"])}),
			},
			Entities: map[string]testsubgraph.EntityResolver{"Product": byKey("Product", "upc", products)},
		},
		{
			Name: "inventory",
			SDL: fed + `
type Query { lowStock: [Product] }
type Product @key(fields: "upc") {
  upc: String!
  price: Int @external
  weight: Int @external
  inStock: Boolean
  shippingEstimate: Int @requires(fields: "price weight")
  availability: Availability
}
enum Availability { IN_STOCK OUT_OF_STOCK }`,
			Resolvers: map[string]testsubgraph.Resolver{
				"Query.lowStock": list([]any{map[string]any{"__typename": "Product", "upc": "2", "inStock": false, "availability": "OUT_OF_STOCK"}}),
			},
			Entities: map[string]testsubgraph.EntityResolver{
				"Product": func(_ context.Context, rep map[string]any) (any, error) {
					upc, _ := rep["upc"].(string)
					out := map[string]any{"__typename": "Product", "upc": upc, "inStock": inStock[upc], "availability": "OUT_OF_STOCK"}
					if inStock[upc] {
						out["availability"] = "IN_STOCK"
					}
					if price, ok := joinNumber(rep["price"]); ok {
						if weight, ok := joinNumber(rep["weight"]); ok {
							out["shippingEstimate"] = price * weight
						}
					}
					return out, nil
				},
			},
		},
	}
}

func joinProduct(m map[string]any) map[string]any {
	out := map[string]any{"__typename": "Product"}
	for k, v := range m {
		out[k] = v
	}
	return out
}

func joinNumber(v any) (int64, bool) {
	switch n := v.(type) {
	case float64:
		return int64(n), true
	case int64:
		return n, true
	case int:
		return int64(n), true
	case json.Number:
		i, err := n.Int64()
		return i, err == nil
	}
	return 0, false
}

// joinV01Supergraph is what a Federation 1 composer wrote: @core instead of
// @link, @join__owner on entities, @join__type only on entities (with a key),
// a non-repeatable @join__field without external:, and no @join__implements or
// @join__unionMember. Product.weight has no @join__field: it belongs to the
// owner; Dimensions is a value type with no join directive at all.
const joinV01Supergraph = `
schema
  @core(feature: "https://specs.apollo.dev/core/v0.1")
  @core(feature: "https://specs.apollo.dev/join/v0.1", for: EXECUTION)
{
  query: Query
}

directive @core(feature: String!, as: String, for: core__Purpose) repeatable on SCHEMA
directive @join__field(graph: join__Graph, requires: join__FieldSet, provides: join__FieldSet) on FIELD_DEFINITION
directive @join__type(graph: join__Graph!, key: join__FieldSet) repeatable on OBJECT | INTERFACE
directive @join__owner(graph: join__Graph!) on OBJECT | INTERFACE
directive @join__graph(name: String!, url: String!) on ENUM_VALUE

enum core__Purpose { EXECUTION SECURITY }
scalar join__FieldSet

enum join__Graph {
  INVENTORY @join__graph(name: "inventory", url: "{{inventory}}")
  PRODUCTS @join__graph(name: "products", url: "{{products}}")
}

type Dimensions {
  width: Int
  height: Int
}

type Product
  @join__owner(graph: PRODUCTS)
  @join__type(graph: PRODUCTS, key: "upc")
  @join__type(graph: INVENTORY, key: "upc")
{
  upc: String! @join__field(graph: PRODUCTS)
  name: String @join__field(graph: PRODUCTS)
  price: Int @join__field(graph: PRODUCTS)
  weight: Int
  dimensions: Dimensions @join__field(graph: PRODUCTS)
  inStock: Boolean @join__field(graph: INVENTORY)
  shippingEstimate: Int @join__field(graph: INVENTORY, requires: "price weight")
}

type Query {
  topProducts(first: Int = 5): [Product] @join__field(graph: PRODUCTS)
  lowStock: [Product] @join__field(graph: INVENTORY)
}
`

// joinV02Supergraph is what an early Federation 2 composer wrote: @link,
// @join__type on every type, @join__field(external:) and @join__implements,
// but no @join__unionMember, @join__enumValue or isInterfaceObject.
const joinV02Supergraph = `
schema
  @link(url: "https://specs.apollo.dev/link/v1.0")
  @link(url: "https://specs.apollo.dev/join/v0.2", for: EXECUTION)
{
  query: Query
}

directive @join__field(graph: join__Graph!, requires: join__FieldSet, provides: join__FieldSet, type: String, external: Boolean, override: String, usedOverridden: Boolean) repeatable on FIELD_DEFINITION | INPUT_FIELD_DEFINITION
directive @join__graph(name: String!, url: String!) on ENUM_VALUE
directive @join__implements(graph: join__Graph!, interface: String!) repeatable on OBJECT | INTERFACE
directive @join__type(graph: join__Graph!, key: join__FieldSet, extension: Boolean! = false, resolvable: Boolean! = true) repeatable on OBJECT | INTERFACE | UNION | ENUM | INPUT_OBJECT | SCALAR
directive @link(url: String, as: String, for: link__Purpose, import: [link__Import]) repeatable on SCHEMA

enum Availability @join__type(graph: INVENTORY) {
  IN_STOCK
  OUT_OF_STOCK
}

type Dimensions @join__type(graph: PRODUCTS) {
  width: Int
  height: Int
}

scalar join__FieldSet

enum join__Graph {
  INVENTORY @join__graph(name: "inventory", url: "{{inventory}}")
  PRODUCTS @join__graph(name: "products", url: "{{products}}")
}

scalar link__Import

enum link__Purpose {
  SECURITY
  EXECUTION
}

type Product
  @join__type(graph: INVENTORY, key: "upc")
  @join__type(graph: PRODUCTS, key: "upc")
{
  upc: String!
  price: Int @join__field(graph: INVENTORY, external: true) @join__field(graph: PRODUCTS)
  weight: Int @join__field(graph: INVENTORY, external: true) @join__field(graph: PRODUCTS)
  inStock: Boolean @join__field(graph: INVENTORY)
  shippingEstimate: Int @join__field(graph: INVENTORY, requires: "price weight")
  availability: Availability @join__field(graph: INVENTORY)
  name: String @join__field(graph: PRODUCTS)
  dimensions: Dimensions @join__field(graph: PRODUCTS)
}

type Query
  @join__type(graph: INVENTORY)
  @join__type(graph: PRODUCTS)
{
  lowStock: [Product] @join__field(graph: INVENTORY)
  topProducts(first: Int = 5): [Product] @join__field(graph: PRODUCTS)
}
`

func joinVersionCases(withAvailability bool) []tcase {
	cases := []tcase{
		{
			name:     "owner fields, a value type and @requires through an entity fetch",
			query:    `{ topProducts { upc name weight dimensions { width } inStock shippingEstimate } }`,
			data:     `{"topProducts":[{"upc":"1","name":"Table","weight":10,"dimensions":{"width":2},"inStock":true,"shippingEstimate":1000},{"upc":"2","name":"Chair","weight":5,"dimensions":{"width":1},"inStock":false,"shippingEstimate":250}]}`,
			requests: map[string]int{"products": 1, "inventory": 1},
		},
		{
			name:     "the extending subgraph's root field, its key, then the owner",
			query:    `{ lowStock { upc name weight inStock } }`,
			data:     `{"lowStock":[{"upc":"2","name":"Chair","weight":5,"inStock":false}]}`,
			requests: map[string]int{"products": 1, "inventory": 1},
		},
	}
	if withAvailability {
		cases = append(cases, tcase{
			name:     "an enum without @join__enumValue",
			query:    `{ topProducts { name availability } }`,
			data:     `{"topProducts":[{"name":"Table","availability":"IN_STOCK"},{"name":"Chair","availability":"OUT_OF_STOCK"}]}`,
			requests: map[string]int{"products": 1, "inventory": 1},
		})
	}
	return cases
}

func TestJoinV01Supergraph(t *testing.T) {
	t.Parallel()
	run(t, scenario{subgraphs: joinSubgraphs(), supergraph: joinV01Supergraph}, joinVersionCases(false))
}

func TestJoinV02Supergraph(t *testing.T) {
	t.Parallel()
	run(t, scenario{subgraphs: joinSubgraphs(), supergraph: joinV02Supergraph}, joinVersionCases(true))
}
