package scenarios

import (
	"context"
	"fmt"
	"testing"

	"github.com/shopgraph/shopgraph/gateway/internal/testsubgraph"
)

// sharedNodeScenario: node(id) is a @shareable root field of two subgraphs.
// "catalog" knows Products with their name and only references Users;
// "accounts" knows Users with their email and Products with a price that
// is @external there (catalog's @provides does not cover it). Whichever
// subgraph answers node, the fragments it cannot resolve go elsewhere.
func sharedNodeScenario() scenario {
	nodes := map[string]map[string]any{
		"p1": {"__typename": "Product", "id": "p1", "name": "Lamp", "price": 10},
		"u1": {"__typename": "User", "id": "u1", "email": "ann@example.com", "nick": "ann"},
	}
	node := func(_ context.Context, _ map[string]any, args map[string]any) (any, error) {
		n, ok := nodes[fmt.Sprint(args["id"])]
		if !ok {
			return nil, nil
		}
		return n, nil
	}
	entity := func(typename string) testsubgraph.EntityResolver {
		return func(_ context.Context, rep map[string]any) (any, error) {
			n, ok := nodes[fmt.Sprint(rep["id"])]
			if !ok || n["__typename"] != typename {
				return nil, nil
			}
			return n, nil
		}
	}
	return scenario{subgraphs: []*testsubgraph.Subgraph{
		{
			Name: "catalog",
			SDL: fed + `type Query { node(id: ID!): Node @shareable }
interface Node { id: ID! }
type Product implements Node @key(fields: "id") { id: ID! name: String! price: Int! }
type User implements Node @key(fields: "id", resolvable: false) { id: ID! }`,
			Resolvers: map[string]testsubgraph.Resolver{"Query.node": node},
			Entities:  map[string]testsubgraph.EntityResolver{"Product": entity("Product")},
		},
		{
			Name: "accounts",
			SDL: fed + `type Query { node(id: ID!): Node @shareable }
interface Node { id: ID! }
type User implements Node @key(fields: "id") { id: ID! email: String! nick: String! }
type Product implements Node @key(fields: "id") { id: ID! price: Int! @external priceLabel: String! @requires(fields: "price") }`,
			Resolvers: map[string]testsubgraph.Resolver{
				"Query.node": node,
				"Product.priceLabel": func(_ context.Context, p map[string]any, _ map[string]any) (any, error) {
					v, err := number(p, "price")
					if err != nil {
						return nil, err
					}
					return fmt.Sprintf("$%d", int(v)), nil
				},
			},
			Entities: map[string]testsubgraph.EntityResolver{"User": entity("User"), "Product": aeEcho("Product")},
		},
	}}
}

func TestSharedAbstractRootFieldFragmentsElsewhere(t *testing.T) {
	t.Parallel()
	sc := sharedNodeScenario()
	run(t, sc, []tcase{
		{
			name:  "a product's fields from both subgraphs",
			query: `{ node(id: "p1") { id ... on Product { name price priceLabel } ... on User { email } } }`,
			data:  `{"node":{"id":"p1","name":"Lamp","price":10,"priceLabel":"$10"}}`,
		},
		{
			name:  "a user's fields, where the other subgraph answers node",
			query: `{ node(id: "u1") { id ... on Product { name } ... on User { email nick } } }`,
			data:  `{"node":{"id":"u1","email":"ann@example.com","nick":"ann"}}`,
		},
		{
			name:  "both under aliases",
			query: `{ a: node(id: "p1") { ... on Product { priceLabel } } b: node(id: "u1") { ... on User { email } } c: node(id: "x") { id } }`,
			data:  `{"a":{"priceLabel":"$10"},"b":{"email":"ann@example.com"},"c":null}`,
		},
	})
}

// TestUnreachableSelectionFailsPlanning: the only subgraph holding secret has
// Product behind a resolvable: false key, so nothing can fetch it for the
// products the shop lists. A supergraph written by hand (composition would
// refuse it) must make the planner fail clearly, never drop the field.
func TestUnreachableSelectionFailsPlanning(t *testing.T) {
	t.Parallel()
	shop := &testsubgraph.Subgraph{
		Name:      "shop",
		SDL:       fed + `type Query { products: [Product!]! } type Product @key(fields: "id") { id: ID! name: String! }`,
		Resolvers: map[string]testsubgraph.Resolver{"Query.products": list([]any{map[string]any{"__typename": "Product", "id": "p1", "name": "Lamp"}})},
		Entities:  map[string]testsubgraph.EntityResolver{"Product": byKey("Product", "id", map[string]map[string]any{"p1": {"name": "Lamp"}})},
	}
	vault := &testsubgraph.Subgraph{
		Name:      "vault",
		SDL:       fed + `type Query { featured: Product } type Product @key(fields: "id", resolvable: false) { id: ID! secret: String! }`,
		Resolvers: map[string]testsubgraph.Resolver{"Query.featured": list(map[string]any{"__typename": "Product", "id": "p1", "secret": "s1"})},
	}
	sc := scenario{subgraphs: []*testsubgraph.Subgraph{shop, vault}, supergraph: `schema @link(url: "https://specs.apollo.dev/link/v1.0") @link(url: "https://specs.apollo.dev/join/v0.3", for: EXECUTION) { query: Query }
` + joinHeader + `
enum join__Graph { SHOP @join__graph(name: "shop", url: "{{shop}}") VAULT @join__graph(name: "vault", url: "{{vault}}") }
type Query @join__type(graph: SHOP) @join__type(graph: VAULT) { products: [Product!]! @join__field(graph: SHOP) featured: Product @join__field(graph: VAULT) }
type Product @join__type(graph: SHOP, key: "id") @join__type(graph: VAULT, key: "id", resolvable: false) {
  id: ID!
  name: String! @join__field(graph: SHOP)
  secret: String! @join__field(graph: VAULT)
}
`}
	run(t, sc, []tcase{
		{
			name:      "a field behind a key no subgraph resolves",
			query:     `{ products { name secret } }`,
			planError: `cannot plan Product.secret from subgraph "shop": no subgraph that resolves it can be entered through a resolvable @key`,
		},
		{
			name:  "the same field where its subgraph is the one answering",
			query: `{ featured { secret } }`,
			data:  `{"featured":{"secret":"s1"}}`,
		},
		{
			// The vault's key cannot be entered, but the shop's can: the
			// vault's answer carries the id the shop resolves name by.
			name:     "from the vault to the shop, whose key is resolvable",
			query:    `{ featured { secret name } }`,
			data:     `{"featured":{"secret":"s1","name":"Lamp"}}`,
			requests: map[string]int{"vault": 1, "shop": 1},
		},
	})
}
