package scenarios

import (
	"context"
	"testing"

	"github.com/shopgraph/shopgraph/gateway/internal/testsubgraph"
)

// keysScenario: an entity with a simple key, a compound nested key, a nullable key
// and a key that is not resolvable in the subgraph that only references it.
func keysScenario() scenario {
	items := map[string]map[string]any{
		"i1": {"id": "i1", "upc": "u1", "sku": "s1", "region": map[string]any{"code": "EU"}, "name": "One"},
		"i2": {"id": "i2", "upc": nil, "sku": "s2", "region": map[string]any{"code": "US"}, "name": "Two"},
	}
	all := []any{}
	for _, id := range []string{"i1", "i2"} {
		o := map[string]any{"__typename": "Item"}
		for k, v := range items[id] {
			o[k] = v
		}
		all = append(all, o)
	}
	return scenario{subgraphs: []*testsubgraph.Subgraph{
		{
			Name: "a",
			SDL: fed + `type Query { items: [Item!]! }
type Item @key(fields: "id") { id: ID! upc: String @shareable sku: String! @shareable region: Region! @shareable name: String! }
type Region @shareable { code: String! }`,
			Resolvers: map[string]testsubgraph.Resolver{"Query.items": list(all)},
			Entities:  map[string]testsubgraph.EntityResolver{"Item": byKey("Item", "id", items)},
		},
		{
			Name: "b",
			SDL: fed + `type Item @key(fields: "sku region { code }") { sku: String! region: Region! price: Int! }
type Region @shareable { code: String! }`,
			Entities: map[string]testsubgraph.EntityResolver{"Item": func(_ context.Context, rep map[string]any) (any, error) {
				region, _ := rep["region"].(map[string]any)
				prices := map[string]int{"s1/EU": 10, "s2/US": 20}
				p, ok := prices[rep["sku"].(string)+"/"+region["code"].(string)]
				if !ok {
					return nil, nil
				}
				return map[string]any{"__typename": "Item", "sku": rep["sku"], "region": region, "price": p}, nil
			}},
		},
		{
			Name:     "c",
			SDL:      fed + `type Item @key(fields: "upc") { upc: String stock: Int }`,
			Entities: map[string]testsubgraph.EntityResolver{"Item": byKey("Item", "upc", map[string]map[string]any{"u1": {"stock": 5}})},
		},
		{
			Name:      "d",
			SDL:       fed + `type Query { featured: Item } type Item @key(fields: "id", resolvable: false) { id: ID! }`,
			Resolvers: map[string]testsubgraph.Resolver{"Query.featured": list(map[string]any{"__typename": "Item", "id": "i1"})},
		},
	}}
}

func TestKeys(t *testing.T) {
	t.Parallel()
	run(t, keysScenario(), []tcase{
		{
			name:     "compound nested key and a null key",
			query:    `{ items { name price stock } }`,
			data:     `{"items":[{"name":"One","price":10,"stock":5},{"name":"Two","price":20,"stock":null}]}`,
			requests: map[string]int{"a": 1, "b": 1, "c": 1, "d": 0},
			check: func(t *testing.T, got map[string][]testsubgraph.Request) {
				if r := reps(t, got["c"], 0); len(r) != 1 {
					t.Errorf("c got representations %v, want only the item with a upc", r)
				}
				if r := reps(t, got["b"], 0); len(r) != 2 || r[0].(map[string]any)["region"] == nil {
					t.Errorf("b got representations %v, want nested keys", r)
				}
			},
		},
		{
			name:     "key chain from a non-resolvable reference",
			query:    `{ featured { id name price stock } }`,
			data:     `{"featured":{"id":"i1","name":"One","price":10,"stock":5}}`,
			requests: map[string]int{"d": 1, "a": 1, "b": 1, "c": 1},
		},
		{
			name:  "client alias on a key field name",
			query: `{ items { sku: name upc: id price } }`,
			data:  `{"items":[{"sku":"One","upc":"i1","price":10},{"sku":"Two","upc":"i2","price":20}]}`,
		},
		{
			name:  "typename on entities and root",
			query: `{ __typename items { __typename t: __typename price } }`,
			data:  `{"__typename":"Query","items":[{"__typename":"Item","t":"Item","price":10},{"__typename":"Item","t":"Item","price":20}]}`,
		},
	})
}
