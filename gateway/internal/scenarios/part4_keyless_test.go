package scenarios

import (
	"context"
	"fmt"
	"testing"

	"github.com/shopgraph/shopgraph/gateway/internal/testsubgraph"
)

// keylessChildScenario: Category has no key anywhere. Its fields are split
// between two subgraphs that both reach it through the @shareable
// Product.category, so a field the first one lacks must be fetched from the
// other through Product's key, not through Category (which has none).
func keylessChildScenario() scenario {
	ids := []any{
		map[string]any{"__typename": "Product", "id": "p1"},
		map[string]any{"__typename": "Product", "id": "p2"},
	}
	cat := map[string]map[string]any{
		"p1": {"name": "Lamps", "slug": "lamps", "description": "Light", "parent": map[string]any{"name": "Home", "slug": "home", "description": "All home"}},
		"p2": {"name": "Desks", "slug": "desks", "description": "Work", "parent": nil},
	}
	// Each subgraph answers only the fields its schema has: the test
	// subgraph's executor selects what was asked from what is returned.
	withCategory := func(rep map[string]any) map[string]any {
		return map[string]any{"__typename": "Product", "id": rep["id"], "category": cat[fmt.Sprint(rep["id"])]}
	}
	entity := func(_ context.Context, rep map[string]any) (any, error) { return withCategory(rep), nil }
	return scenario{subgraphs: []*testsubgraph.Subgraph{
		{
			Name:      "shop",
			SDL:       fed + `type Query { products: [Product!]! } type Product @key(fields: "id") { id: ID! }`,
			Resolvers: map[string]testsubgraph.Resolver{"Query.products": list(ids)},
			Entities:  map[string]testsubgraph.EntityResolver{"Product": aeEcho("Product")},
		},
		{
			Name: "names",
			SDL: fed + `type Product @key(fields: "id") { id: ID! category: Category @shareable }
type Category { name: String! @shareable slug: String! parent: Category @shareable }`,
			Entities: map[string]testsubgraph.EntityResolver{"Product": entity},
		},
		{
			Name: "texts",
			SDL: fed + `type Product @key(fields: "id") { id: ID! category: Category @shareable }
type Category { name: String! @shareable description: String! parent: Category @shareable }`,
			Entities: map[string]testsubgraph.EntityResolver{"Product": entity},
		},
	}}
}

func TestKeylessChildFieldsSplitThroughTheParentsKey(t *testing.T) {
	t.Parallel()
	run(t, keylessChildScenario(), []tcase{
		{
			name:     "fields of a keyless type from two subgraphs",
			query:    `{ products { id category { name slug description } } }`,
			data:     `{"products":[{"id":"p1","category":{"name":"Lamps","slug":"lamps","description":"Light"}},{"id":"p2","category":{"name":"Desks","slug":"desks","description":"Work"}}]}`,
			requests: map[string]int{"shop": 1, "names": 1, "texts": 1},
		},
		{
			name:     "a nested keyless field from each side",
			query:    `{ products { category { parent { slug description } } } }`,
			data:     `{"products":[{"category":{"parent":{"slug":"home","description":"All home"}}},{"category":{"parent":null}}]}`,
			requests: map[string]int{"shop": 1, "names": 1, "texts": 1},
		},
		{
			name:     "only the shared field: one subgraph is enough",
			query:    `{ products { category { name } } }`,
			data:     `{"products":[{"category":{"name":"Lamps"}},{"category":{"name":"Desks"}}]}`,
			requests: map[string]int{"shop": 1},
		},
	})
}

// keylessInOneScenario: Category is an entity in "categories" but keyless in
// "catalog", the only subgraph whose Product.category leads to it. Its
// description is reached by fetching Product from catalog by Product's key.
func keylessInOneScenario() scenario {
	ids := []any{
		map[string]any{"__typename": "Product", "id": "p1", "name": "Lamp"},
		map[string]any{"__typename": "Product", "id": "p2", "name": "Desk"},
	}
	return scenario{subgraphs: []*testsubgraph.Subgraph{
		{
			Name:      "shop",
			SDL:       fed + `type Query { products: [Product!]! } type Product @key(fields: "id") { id: ID! name: String! }`,
			Resolvers: map[string]testsubgraph.Resolver{"Query.products": list(ids)},
			Entities: map[string]testsubgraph.EntityResolver{"Product": byKey("Product", "id", map[string]map[string]any{
				"p1": {"name": "Lamp"}, "p2": {"name": "Desk"},
			})},
		},
		{
			Name: "catalog",
			SDL: fed + `type Product @key(fields: "id") { id: ID! category: Category! }
type Category { id: ID! @shareable description: String! }`,
			Entities: map[string]testsubgraph.EntityResolver{"Product": byKey("Product", "id", map[string]map[string]any{
				"p1": {"category": map[string]any{"id": "c1", "description": "Light"}},
				"p2": {"category": map[string]any{"id": "c2", "description": "Work"}},
			})},
		},
		{
			Name: "categories",
			SDL:  fed + `type Category @key(fields: "id") { id: ID! title: String! }`,
			Entities: map[string]testsubgraph.EntityResolver{"Category": byKey("Category", "id", map[string]map[string]any{
				"c1": {"title": "Lamps"}, "c2": {"title": "Desks"},
			})},
		},
	}}
}

func TestKeylessInTheSubgraphThatHoldsTheField(t *testing.T) {
	t.Parallel()
	run(t, keylessInOneScenario(), []tcase{
		{
			name:     "keyless fields through the parent, then the entity elsewhere",
			query:    `{ products { name category { description title } } }`,
			data:     `{"products":[{"name":"Lamp","category":{"description":"Light","title":"Lamps"}},{"name":"Desk","category":{"description":"Work","title":"Desks"}}]}`,
			requests: map[string]int{"shop": 1, "catalog": 1, "categories": 1},
		},
	})
}
