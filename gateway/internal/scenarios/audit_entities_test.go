package scenarios

// Federation-audit style scenarios for @requires, @provides, @key and entity calls.
// Every expected response is worked out from the subgraphs' data and the GraphQL
// and Federation v2 semantics, not taken from the router's output.

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/shopgraph/shopgraph/gateway/internal/testsubgraph"
)

// aeEcho is an entity resolver that answers the representation itself; fields are
// then computed by field resolvers from it.
func aeEcho(typename string) testsubgraph.EntityResolver {
	return func(_ context.Context, rep map[string]any) (any, error) {
		out := map[string]any{"__typename": typename}
		for k, v := range rep {
			out[k] = v
		}
		return out, nil
	}
}

// aeObj copies m and sets its __typename.
func aeObj(typename string, m map[string]any) map[string]any {
	out := map[string]any{"__typename": typename}
	for k, v := range m {
		out[k] = v
	}
	return out
}

// aeQueryMentions reports whether any request's query mentions the field name.
func aeQueryMentions(reqs []testsubgraph.Request, field string) bool {
	re := regexp.MustCompile(`\b` + field + `\b`)
	for _, r := range reqs {
		if re.MatchString(r.Query) {
			return true
		}
	}
	return false
}

// ---------------------------------------------------------------------------
// 1. requires-requires: Product.label (label) @requires(doubled); doubled (double)
// @requires(base); base comes from a third subgraph (base). The root is a fourth.

func auditRequiresChainScenario() scenario {
	p1 := map[string]any{"__typename": "Product", "id": "p1", "name": "Lamp"}
	p2 := map[string]any{"__typename": "Product", "id": "p2", "name": "Desk"}
	byID := map[string]any{"p1": p1, "p2": p2}
	return scenario{subgraphs: []*testsubgraph.Subgraph{
		{
			Name: "shop",
			SDL: fed + `type Query { products: [Product!]! product(id: ID!): Product categories: [Category!]! }
type Category { name: String! products: [Product!]! }
type Product @key(fields: "id") { id: ID! name: String! }`,
			Resolvers: map[string]testsubgraph.Resolver{
				"Query.products": list([]any{p1, p2}),
				"Query.product": func(_ context.Context, _ map[string]any, args map[string]any) (any, error) {
					return byID[fmt.Sprint(args["id"])], nil
				},
				"Query.categories": list([]any{
					map[string]any{"name": "home", "products": []any{p1, p2}},
					map[string]any{"name": "empty", "products": []any{}},
					map[string]any{"name": "office", "products": []any{p2}},
				}),
			},
			Entities: map[string]testsubgraph.EntityResolver{"Product": byKey("Product", "id", map[string]map[string]any{"p1": p1, "p2": p2})},
		},
		{
			Name:     "base",
			SDL:      fed + `type Product @key(fields: "id") { id: ID! base: Int! }`,
			Entities: map[string]testsubgraph.EntityResolver{"Product": byKey("Product", "id", map[string]map[string]any{"p1": {"base": 3}, "p2": {"base": 5}})},
		},
		{
			Name:     "double",
			SDL:      fed + `type Product @key(fields: "id") { id: ID! base: Int! @external doubled: Int! @requires(fields: "base") }`,
			Entities: map[string]testsubgraph.EntityResolver{"Product": aeEcho("Product")},
			Resolvers: map[string]testsubgraph.Resolver{"Product.doubled": func(_ context.Context, p map[string]any, _ map[string]any) (any, error) {
				b, ok := p["base"].(float64)
				if !ok {
					return nil, fmt.Errorf("representation without base: %v", p)
				}
				return int(b) * 2, nil
			}},
		},
		{
			Name:     "label",
			SDL:      fed + `type Product @key(fields: "id") { id: ID! doubled: Int! @external label: String! @requires(fields: "doubled") }`,
			Entities: map[string]testsubgraph.EntityResolver{"Product": aeEcho("Product")},
			Resolvers: map[string]testsubgraph.Resolver{"Product.label": func(_ context.Context, p map[string]any, _ map[string]any) (any, error) {
				d, ok := p["doubled"].(float64)
				if !ok {
					return nil, fmt.Errorf("representation without doubled: %v", p)
				}
				return fmt.Sprintf("L%d", int(d)), nil
			}},
		},
	}}
}

func TestAuditEntitiesRequiresChain(t *testing.T) {
	t.Parallel()
	run(t, auditRequiresChainScenario(), []tcase{
		{
			name:     "requires a field that itself requires a field of a third subgraph",
			query:    `{ products { id label } }`,
			data:     `{"products":[{"id":"p1","label":"L6"},{"id":"p2","label":"L10"}]}`,
			requests: map[string]int{"shop": 1, "base": 1, "double": 1, "label": 1},
			check: func(t *testing.T, got map[string][]testsubgraph.Request) {
				if r := reps(t, got["label"], 0); len(r) != 2 || r[0].(map[string]any)["doubled"] != 6.0 {
					t.Errorf("label got representations %v, want doubled 6 and 10", r)
				}
			},
		},
		{
			name:  "the whole chain selected by the client too",
			query: `{ products { label doubled base name } }`,
			data:  `{"products":[{"label":"L6","doubled":6,"base":3,"name":"Lamp"},{"label":"L10","doubled":10,"base":5,"name":"Desk"}]}`,
		},
		{
			name:     "chain inside nested lists, with an empty list",
			query:    `{ categories { name products { label } } }`,
			data:     `{"categories":[{"name":"home","products":[{"label":"L6"},{"label":"L10"}]},{"name":"empty","products":[]},{"name":"office","products":[{"label":"L10"}]}]}`,
			requests: map[string]int{"shop": 1, "base": 1, "double": 1, "label": 1},
		},
		{
			name:  "intermediate field under a client alias",
			query: `{ products { d: doubled label b: base } }`,
			data:  `{"products":[{"d":6,"label":"L6","b":3},{"d":10,"label":"L10","b":5}]}`,
		},
		{
			name:  "chain on a single entity",
			query: `{ product(id: "p2") { name label } }`,
			data:  `{"product":{"name":"Desk","label":"L10"}}`,
		},
		{
			name:     "chain on a null entity calls nothing",
			query:    `{ product(id: "p9") { label } }`,
			data:     `{"product":null}`,
			requests: map[string]int{"shop": 1, "base": 0, "double": 0, "label": 0},
		},
	})
}

// ---------------------------------------------------------------------------
// 2. requires-with-argument: two subgraphs require the same field with different
// arguments; the client selects it with yet other arguments and aliases.

func auditRequiresArgsScenario() scenario {
	prices := map[string]map[string]float64{
		"p1": {"USD": 100, "EUR": 90, "GBP": 80},
		"p2": {"USD": 40, "EUR": 36, "GBP": 32},
	}
	label := func(cur string) testsubgraph.Resolver {
		return func(_ context.Context, p map[string]any, _ map[string]any) (any, error) {
			v, ok := p["price"].(float64)
			if !ok {
				return nil, fmt.Errorf("representation without price: %v", p)
			}
			return fmt.Sprintf("%s %g", cur, v), nil
		}
	}
	return scenario{subgraphs: []*testsubgraph.Subgraph{
		{
			Name: "catalog",
			SDL: fed + `type Query { products: [Product!]! }
type Product @key(fields: "id") { id: ID! name: String! price(currency: String!): Float! }`,
			Resolvers: map[string]testsubgraph.Resolver{
				"Query.products": list([]any{
					map[string]any{"__typename": "Product", "id": "p1", "name": "Lamp"},
					map[string]any{"__typename": "Product", "id": "p2", "name": "Desk"},
				}),
				"Product.price": func(_ context.Context, p map[string]any, args map[string]any) (any, error) {
					v, ok := prices[fmt.Sprint(p["id"])][fmt.Sprint(args["currency"])]
					if !ok {
						return nil, fmt.Errorf("no price for %v in %v", p["id"], args["currency"])
					}
					return v, nil
				},
			},
			Entities: map[string]testsubgraph.EntityResolver{"Product": byKey("Product", "id", map[string]map[string]any{"p1": {"name": "Lamp"}, "p2": {"name": "Desk"}})},
		},
		{
			Name:      "eu",
			SDL:       fed + `type Product @key(fields: "id") { id: ID! price(currency: String!): Float! @external euLabel: String! @requires(fields: "price(currency: \"EUR\")") }`,
			Entities:  map[string]testsubgraph.EntityResolver{"Product": aeEcho("Product")},
			Resolvers: map[string]testsubgraph.Resolver{"Product.euLabel": label("EUR")},
		},
		{
			Name:      "us",
			SDL:       fed + `type Product @key(fields: "id") { id: ID! price(currency: String!): Float! @external usLabel: String! @requires(fields: "price(currency: \"USD\")") }`,
			Entities:  map[string]testsubgraph.EntityResolver{"Product": aeEcho("Product")},
			Resolvers: map[string]testsubgraph.Resolver{"Product.usLabel": label("USD")},
		},
	}}
}

func TestAuditEntitiesRequiresArguments(t *testing.T) {
	t.Parallel()
	run(t, auditRequiresArgsScenario(), []tcase{
		{
			name:     "two requires of one field with different arguments",
			query:    `{ products { euLabel usLabel } }`,
			data:     `{"products":[{"euLabel":"EUR 90","usLabel":"USD 100"},{"euLabel":"EUR 36","usLabel":"USD 40"}]}`,
			requests: map[string]int{"eu": 1, "us": 1},
			check: func(t *testing.T, got map[string][]testsubgraph.Request) {
				if r := reps(t, got["eu"], 0)[0].(map[string]any); r["price"] != 90.0 {
					t.Errorf("eu representation %v, want price 90 (EUR)", r)
				}
				if r := reps(t, got["us"], 0)[0].(map[string]any); r["price"] != 100.0 {
					t.Errorf("us representation %v, want price 100 (USD)", r)
				}
			},
		},
		{
			name:  "client selects the required field with other arguments and aliases",
			query: `{ products { a: price(currency: "GBP") euLabel b: price(currency: "EUR") price(currency: "USD") } }`,
			data:  `{"products":[{"a":80,"euLabel":"EUR 90","b":90,"price":100},{"a":32,"euLabel":"EUR 36","b":36,"price":40}]}`,
		},
		{
			name:  "client selects the required field with the required arguments",
			query: `{ products { price(currency: "EUR") euLabel usLabel } }`,
			data:  `{"products":[{"price":90,"euLabel":"EUR 90","usLabel":"USD 100"},{"price":36,"euLabel":"EUR 36","usLabel":"USD 40"}]}`,
		},
		{
			name:  "client argument from a variable",
			query: `query($c: String!) { products { price(currency: $c) usLabel euLabel } }`,
			vars:  map[string]any{"c": "GBP"},
			data:  `{"products":[{"price":80,"usLabel":"USD 100","euLabel":"EUR 90"},{"price":32,"usLabel":"USD 40","euLabel":"EUR 36"}]}`,
		},
		{
			name:  "client alias named like the required field",
			query: `{ products { price: name euLabel } }`,
			data:  `{"products":[{"price":"Lamp","euLabel":"EUR 90"},{"price":"Desk","euLabel":"EUR 36"}]}`,
		},
	})
}

// ---------------------------------------------------------------------------
// 3. requires-with-fragments: a required list of an interface with type
// conditions, and a required nested object.

func auditRequiresFragmentsScenario() scenario {
	orders := []any{
		map[string]any{"__typename": "Order", "id": "o1",
			"items": []any{
				map[string]any{"__typename": "Book", "id": "b1", "title": "Dune", "pages": 100},
				map[string]any{"__typename": "Magazine", "id": "m1", "title": "Wired", "issue": 7},
			},
			"dimensions": map[string]any{"size": 3, "weight": 4}},
		map[string]any{"__typename": "Order", "id": "o2",
			"items":      []any{map[string]any{"__typename": "Magazine", "id": "m2", "title": "Byte", "issue": 12}},
			"dimensions": map[string]any{"size": 1, "weight": 10}},
		map[string]any{"__typename": "Order", "id": "o3", "items": []any{}, "dimensions": map[string]any{"size": 2, "weight": 2}},
	}
	byID := map[string]map[string]any{}
	for _, o := range orders {
		byID[o.(map[string]any)["id"].(string)] = o.(map[string]any)
	}
	return scenario{subgraphs: []*testsubgraph.Subgraph{
		{
			Name: "store",
			SDL: fed + `type Query { orders: [Order!]! }
type Order @key(fields: "id") { id: ID! items: [Item!]! dimensions: Dimensions! }
interface Item { id: ID! title: String! }
type Book implements Item @shareable { id: ID! title: String! pages: Int! }
type Magazine implements Item @shareable { id: ID! title: String! issue: Int! }
type Dimensions @shareable { size: Int! weight: Int! }`,
			Resolvers: map[string]testsubgraph.Resolver{"Query.orders": list(orders)},
			Entities:  map[string]testsubgraph.EntityResolver{"Order": byKey("Order", "id", byID)},
		},
		{
			Name: "shipping",
			SDL: fed + `type Order @key(fields: "id") {
  id: ID!
  items: [Item!]! @external
  dimensions: Dimensions! @external
  summary: String! @requires(fields: "items { ... on Book { pages } ... on Magazine { issue } }")
  shippingCost: Int! @requires(fields: "dimensions { size weight }")
}
interface Item { id: ID! }
type Book implements Item @shareable { id: ID! pages: Int! }
type Magazine implements Item @shareable { id: ID! issue: Int! }
type Dimensions @shareable { size: Int! weight: Int! }`,
			Entities: map[string]testsubgraph.EntityResolver{"Order": aeEcho("Order")},
			Resolvers: map[string]testsubgraph.Resolver{
				"Order.summary": func(_ context.Context, p map[string]any, _ map[string]any) (any, error) {
					items, ok := p["items"].([]any)
					if !ok {
						return nil, fmt.Errorf("representation without items: %v", p)
					}
					var parts []string
					for _, it := range items {
						m, _ := it.(map[string]any)
						pages, isBook := m["pages"]
						issue, isMag := m["issue"]
						switch {
						case isBook && isMag:
							return nil, fmt.Errorf("item with pages and issue: %v", m)
						case isBook:
							parts = append(parts, fmt.Sprintf("book:%v", pages))
						case isMag:
							parts = append(parts, fmt.Sprintf("magazine:%v", issue))
						default:
							return nil, fmt.Errorf("item without pages or issue: %v", m)
						}
					}
					return strings.Join(parts, ","), nil
				},
				"Order.shippingCost": func(_ context.Context, p map[string]any, _ map[string]any) (any, error) {
					d, _ := p["dimensions"].(map[string]any)
					s, ok1 := d["size"].(float64)
					w, ok2 := d["weight"].(float64)
					if !ok1 || !ok2 {
						return nil, fmt.Errorf("representation without dimensions: %v", p)
					}
					return int(s * w), nil
				},
			},
		},
	}}
}

func TestAuditEntitiesRequiresFragments(t *testing.T) {
	t.Parallel()
	run(t, auditRequiresFragmentsScenario(), []tcase{
		{
			name:     "required interface list with type conditions",
			query:    `{ orders { id summary } }`,
			data:     `{"orders":[{"id":"o1","summary":"book:100,magazine:7"},{"id":"o2","summary":"magazine:12"},{"id":"o3","summary":""}]}`,
			requests: map[string]int{"store": 1, "shipping": 1},
		},
		{
			name:  "required nested object, the client selects part of it",
			query: `{ orders { shippingCost dimensions { size } } }`,
			data:  `{"orders":[{"shippingCost":12,"dimensions":{"size":3}},{"shippingCost":10,"dimensions":{"size":1}},{"shippingCost":4,"dimensions":{"size":2}}]}`,
		},
		{
			name:  "client alias on the required nested object's field name",
			query: `{ orders { shippingCost dimensions { size: weight } } }`,
			data:  `{"orders":[{"shippingCost":12,"dimensions":{"size":4}},{"shippingCost":10,"dimensions":{"size":10}},{"shippingCost":4,"dimensions":{"size":2}}]}`,
		},
		{
			name:  "client alias inside a type condition named like a required field",
			query: `{ orders { summary items { ... on Book { pages: title } } } }`,
			data:  `{"orders":[{"summary":"book:100,magazine:7","items":[{"pages":"Dune"},{}]},{"summary":"magazine:12","items":[{}]},{"summary":"","items":[]}]}`,
		},
		{
			name:  "client selection overlapping the required fragments",
			query: `{ orders { items { title ... on Book { pages } } summary shippingCost } }`,
			data:  `{"orders":[{"items":[{"title":"Dune","pages":100},{"title":"Wired"}],"summary":"book:100,magazine:7","shippingCost":12},{"items":[{"title":"Byte"}],"summary":"magazine:12","shippingCost":10},{"items":[],"summary":"","shippingCost":4}]}`,
		},
	})
}

// ---------------------------------------------------------------------------
// 4. requires through lists where some required values are null.

func auditRequiresNullsScenario() scenario {
	u1 := map[string]any{"__typename": "User", "id": "u1", "name": "Ann"}
	u2 := map[string]any{"__typename": "User", "id": "u2", "name": "Bob"}
	u3 := map[string]any{"__typename": "User", "id": "u3", "name": "Cy"}
	return scenario{subgraphs: []*testsubgraph.Subgraph{
		{
			Name: "users",
			SDL: fed + `type Query { users: [User!]! teams: [Team!]! }
type Team { name: String! members: [User]! }
type User @key(fields: "id") { id: ID! name: String! }`,
			Resolvers: map[string]testsubgraph.Resolver{
				"Query.users": list([]any{u1, u2, u3}),
				"Query.teams": list([]any{
					map[string]any{"name": "t1", "members": []any{u1, nil, u2}},
					map[string]any{"name": "t2", "members": []any{u3}},
				}),
			},
		},
		{
			Name: "profile",
			SDL:  fed + `type User @key(fields: "id") { id: ID! nickname: String tags: [String] }`,
			Entities: map[string]testsubgraph.EntityResolver{"User": byKey("User", "id", map[string]map[string]any{
				"u1": {"nickname": "Al", "tags": []any{"a", nil, "b"}},
				"u2": {"nickname": nil, "tags": nil},
				"u3": {"nickname": "Cy", "tags": []any{}},
			})},
		},
		{
			Name: "greet",
			SDL: fed + `type User @key(fields: "id") {
  id: ID!
  nickname: String @external
  tags: [String] @external
  greeting: String! @requires(fields: "nickname")
  tagCount: Int! @requires(fields: "tags")
}`,
			Entities: map[string]testsubgraph.EntityResolver{"User": aeEcho("User")},
			Resolvers: map[string]testsubgraph.Resolver{
				"User.greeting": func(_ context.Context, p map[string]any, _ map[string]any) (any, error) {
					n, ok := p["nickname"]
					if !ok {
						return nil, fmt.Errorf("representation without nickname: %v", p)
					}
					if n == nil {
						return "Hi anonymous", nil
					}
					return fmt.Sprintf("Hi %v", n), nil
				},
				"User.tagCount": func(_ context.Context, p map[string]any, _ map[string]any) (any, error) {
					v, ok := p["tags"]
					if !ok {
						return nil, fmt.Errorf("representation without tags: %v", p)
					}
					n := 0
					tags, _ := v.([]any)
					for _, tg := range tags {
						if tg != nil {
							n++
						}
					}
					return n, nil
				},
			},
		},
	}}
}

func TestAuditEntitiesRequiresNulls(t *testing.T) {
	t.Parallel()
	run(t, auditRequiresNullsScenario(), []tcase{
		{
			name:  "null required value is passed as null",
			query: `{ users { id nickname greeting } }`,
			data:  `{"users":[{"id":"u1","nickname":"Al","greeting":"Hi Al"},{"id":"u2","nickname":null,"greeting":"Hi anonymous"},{"id":"u3","nickname":"Cy","greeting":"Hi Cy"}]}`,
		},
		{
			name:     "requires through a list with a null entity and a null required value",
			query:    `{ teams { name members { greeting } } }`,
			data:     `{"teams":[{"name":"t1","members":[{"greeting":"Hi Al"},null,{"greeting":"Hi anonymous"}]},{"name":"t2","members":[{"greeting":"Hi Cy"}]}]}`,
			requests: map[string]int{"users": 1, "profile": 1, "greet": 1},
			check: func(t *testing.T, got map[string][]testsubgraph.Request) {
				r := reps(t, got["greet"], 0)
				if len(r) != 3 {
					t.Fatalf("greet got representations %v, want u1, u2 and u3", r)
				}
				for _, x := range r {
					m := x.(map[string]any)
					if v, ok := m["nickname"]; m["id"] == "u2" && (!ok || v != nil) {
						t.Errorf("u2 representation %v, want nickname: null", m)
					}
				}
			},
		},
		{
			name:  "required list with null elements, a null list and an empty list",
			query: `{ users { tagCount } }`,
			data:  `{"users":[{"tagCount":2},{"tagCount":0},{"tagCount":0}]}`,
		},
	})
}

// ---------------------------------------------------------------------------
// 5. nested provides: shelf provides categories { id name subCategories { id name } }.

func auditNestedProvidesScenario() scenario {
	cats := map[string]map[string]any{
		"c1": {"__typename": "Category", "id": "c1", "name": "Home", "description": "home stuff"},
		"c2": {"__typename": "Category", "id": "c2", "name": "Lamps", "description": "lamps"},
		"c3": {"__typename": "Category", "id": "c3", "name": "LED", "description": "led"},
		"c4": {"__typename": "Category", "id": "c4", "name": "Office", "description": "office"},
	}
	cats["c1"]["subCategories"] = []any{cats["c2"]}
	cats["c2"]["subCategories"] = []any{cats["c3"]}
	cats["c3"]["subCategories"] = []any{}
	cats["c4"]["subCategories"] = []any{}
	ref := func(id string) map[string]any { return map[string]any{"__typename": "Category", "id": id} }
	cat := func(id string, subs ...map[string]any) map[string]any {
		s := []any{}
		for _, x := range subs {
			s = append(s, x)
		}
		return map[string]any{"__typename": "Category", "id": id, "name": cats[id]["name"], "subCategories": s}
	}
	leaf := func(id string) map[string]any {
		return map[string]any{"__typename": "Category", "id": id, "name": cats[id]["name"]}
	}
	return scenario{subgraphs: []*testsubgraph.Subgraph{
		{
			Name: "shelf",
			SDL: fed + `type Query { featured: [Product!]! @provides(fields: "categories { id name subCategories { id name } }") }
type Product @key(fields: "id") { id: ID! categories: [Category!]! @external title: String! @external similar: [Product!]! @provides(fields: "title") }
type Category @key(fields: "id") { id: ID! name: String! @external subCategories: [Category!]! @external }`,
			Entities: map[string]testsubgraph.EntityResolver{"Product": byKey("Product", "id", map[string]map[string]any{
				"p1": {"similar": []any{map[string]any{"__typename": "Product", "id": "p2", "title": "Desk"}}},
				"p2": {"similar": []any{}},
			})},
			Resolvers: map[string]testsubgraph.Resolver{"Query.featured": list([]any{
				map[string]any{"__typename": "Product", "id": "p1", "categories": []any{cat("c1", leaf("c2")), cat("c2", leaf("c3"))}},
				map[string]any{"__typename": "Product", "id": "p2", "categories": []any{cat("c4")}},
			})},
		},
		{
			Name: "products",
			SDL: fed + `type Query { allProducts: [Product!]! }
type Product @key(fields: "id") { id: ID! title: String! @shareable categories: [Category!]! @shareable }
type Category @key(fields: "id") { id: ID! }`,
			Resolvers: map[string]testsubgraph.Resolver{"Query.allProducts": list([]any{
				map[string]any{"__typename": "Product", "id": "p1", "title": "Lamp", "categories": []any{ref("c1"), ref("c2")}},
				map[string]any{"__typename": "Product", "id": "p2", "title": "Desk", "categories": []any{ref("c4")}},
			})},
			Entities: map[string]testsubgraph.EntityResolver{"Product": byKey("Product", "id", map[string]map[string]any{
				"p1": {"title": "Lamp", "categories": []any{ref("c1"), ref("c2")}},
				"p2": {"title": "Desk", "categories": []any{ref("c4")}},
			})},
		},
		{
			Name:     "categories",
			SDL:      fed + `type Category @key(fields: "id") { id: ID! name: String! @shareable description: String! subCategories: [Category!]! @shareable }`,
			Entities: map[string]testsubgraph.EntityResolver{"Category": byKey("Category", "id", cats)},
		},
	}}
}

func TestAuditEntitiesNestedProvides(t *testing.T) {
	t.Parallel()
	run(t, auditNestedProvidesScenario(), []tcase{
		{
			name:     "only provided fields: no entity fetch",
			query:    `{ featured { id categories { id name subCategories { id name } } } }`,
			data:     `{"featured":[{"id":"p1","categories":[{"id":"c1","name":"Home","subCategories":[{"id":"c2","name":"Lamps"}]},{"id":"c2","name":"Lamps","subCategories":[{"id":"c3","name":"LED"}]}]},{"id":"p2","categories":[{"id":"c4","name":"Office","subCategories":[]}]}]}`,
			requests: map[string]int{"shelf": 1, "products": 0, "categories": 0},
		},
		{
			name:     "provided and non-provided fields at both levels",
			query:    `{ featured { title categories { name description subCategories { name description } } } }`,
			data:     `{"featured":[{"title":"Lamp","categories":[{"name":"Home","description":"home stuff","subCategories":[{"name":"Lamps","description":"lamps"}]},{"name":"Lamps","description":"lamps","subCategories":[{"name":"LED","description":"led"}]}]},{"title":"Desk","categories":[{"name":"Office","description":"office","subCategories":[]}]}]}`,
			requests: map[string]int{"shelf": 1, "products": 1},
			check: func(t *testing.T, got map[string][]testsubgraph.Request) {
				if len(got["categories"]) == 0 {
					t.Fatalf("categories got no request for the descriptions")
				}
				if aeQueryMentions(got["categories"], "name") || aeQueryMentions(got["categories"], "subCategories") {
					t.Errorf("categories was asked for provided fields: %+v", got["categories"])
				}
				if aeQueryMentions(got["products"], "categories") {
					t.Errorf("products was asked for the provided categories: %+v", got["products"])
				}
			},
		},
		{
			name:     "one level below the provided selection needs a fetch",
			query:    `{ featured { categories { id subCategories { id subCategories { id name } } } } }`,
			data:     `{"featured":[{"categories":[{"id":"c1","subCategories":[{"id":"c2","subCategories":[{"id":"c3","name":"LED"}]}]},{"id":"c2","subCategories":[{"id":"c3","subCategories":[]}]}]},{"categories":[{"id":"c4","subCategories":[]}]}]}`,
			requests: map[string]int{"shelf": 1, "products": 0, "categories": 1},
		},
		{
			name:     "provides on a field fetched through _entities",
			query:    `{ allProducts { id similar { id title } } }`,
			data:     `{"allProducts":[{"id":"p1","similar":[{"id":"p2","title":"Desk"}]},{"id":"p2","similar":[]}]}`,
			requests: map[string]int{"shelf": 1, "products": 1, "categories": 0},
		},
		{
			name:     "provides does not apply to another path",
			query:    `{ allProducts { id categories { name subCategories { name } } } }`,
			data:     `{"allProducts":[{"id":"p1","categories":[{"name":"Home","subCategories":[{"name":"Lamps"}]},{"name":"Lamps","subCategories":[{"name":"LED"}]}]},{"id":"p2","categories":[{"name":"Office","subCategories":[]}]}]}`,
			requests: map[string]int{"shelf": 0, "products": 1, "categories": 1},
		},
	})
}

// ---------------------------------------------------------------------------
// 6a. composite key "id sku" (written "sku id" in stock): the same id with
// different skus is another entity.

func auditCompositeKeyScenario() scenario {
	compositeBy := func(typename string, objs map[string]map[string]any) testsubgraph.EntityResolver {
		return func(_ context.Context, rep map[string]any) (any, error) {
			if rep["id"] == nil || rep["sku"] == nil {
				return nil, fmt.Errorf("representation without id or sku: %v", rep)
			}
			o, ok := objs[fmt.Sprint(rep["id"])+"/"+fmt.Sprint(rep["sku"])]
			if !ok {
				return nil, nil
			}
			out := aeObj(typename, o)
			out["id"], out["sku"] = rep["id"], rep["sku"]
			return out, nil
		}
	}
	return scenario{subgraphs: []*testsubgraph.Subgraph{
		{
			Name: "catalog",
			SDL: fed + `type Query { products: [Product!]! }
type Product @key(fields: "id sku") { id: ID! sku: String! title: String! }`,
			Resolvers: map[string]testsubgraph.Resolver{"Query.products": list([]any{
				map[string]any{"__typename": "Product", "id": "p1", "sku": "s1", "title": "Red"},
				map[string]any{"__typename": "Product", "id": "p1", "sku": "s2", "title": "Blue"},
				map[string]any{"__typename": "Product", "id": "p2", "sku": "s1", "title": "Big"},
			})},
			Entities: map[string]testsubgraph.EntityResolver{"Product": compositeBy("Product", map[string]map[string]any{
				"p1/s1": {"title": "Red"}, "p1/s2": {"title": "Blue"}, "p2/s1": {"title": "Big"},
			})},
		},
		{
			Name: "stock",
			SDL: fed + `type Query { restock: [Product!]! }
type Product @key(fields: "sku id") { id: ID! sku: String! stock: Int }`,
			Resolvers: map[string]testsubgraph.Resolver{"Query.restock": list([]any{
				map[string]any{"__typename": "Product", "id": "p1", "sku": "s2", "stock": 0},
			})},
			Entities: map[string]testsubgraph.EntityResolver{"Product": compositeBy("Product", map[string]map[string]any{
				"p1/s1": {"stock": 3}, "p1/s2": {"stock": 0},
			})},
		},
	}}
}

func TestAuditEntitiesCompositeKey(t *testing.T) {
	t.Parallel()
	run(t, auditCompositeKeyScenario(), []tcase{
		{
			name:     "composite key, same id with two skus, unknown entity",
			query:    `{ products { id sku title stock } }`,
			data:     `{"products":[{"id":"p1","sku":"s1","title":"Red","stock":3},{"id":"p1","sku":"s2","title":"Blue","stock":0},{"id":"p2","sku":"s1","title":"Big","stock":null}]}`,
			requests: map[string]int{"catalog": 1, "stock": 1},
			check: func(t *testing.T, got map[string][]testsubgraph.Request) {
				r := reps(t, got["stock"], 0)
				if len(r) != 3 {
					t.Fatalf("stock got representations %v, want 3", r)
				}
				for _, x := range r {
					if m := x.(map[string]any); m["id"] == nil || m["sku"] == nil {
						t.Errorf("representation %v lacks part of the composite key", m)
					}
				}
			},
		},
		{
			name:  "composite key from the other side",
			query: `{ restock { title stock } }`,
			data:  `{"restock":[{"title":"Blue","stock":0}]}`,
		},
	})
}

// ---------------------------------------------------------------------------
// 6b. nested key "id organization { id }", referenced by a non-resolvable stub.

func auditNestedKeyScenario() scenario {
	org := func(id string) map[string]any { return map[string]any{"__typename": "Organization", "id": id} }
	userBy := func(objs map[string]map[string]any) testsubgraph.EntityResolver {
		return func(_ context.Context, rep map[string]any) (any, error) {
			o, _ := rep["organization"].(map[string]any)
			if o == nil || o["id"] == nil {
				return nil, fmt.Errorf("representation without organization id: %v", rep)
			}
			v, ok := objs[fmt.Sprint(rep["id"])+"/"+fmt.Sprint(o["id"])]
			if !ok {
				return nil, nil
			}
			out := aeObj("User", v)
			out["id"], out["organization"] = rep["id"], org(fmt.Sprint(o["id"]))
			return out, nil
		}
	}
	return scenario{subgraphs: []*testsubgraph.Subgraph{
		{
			Name: "accounts",
			SDL: fed + `type Query { users: [User!]! }
type User @key(fields: "id organization { id }") { id: ID! organization: Organization! name: String! }
type Organization @key(fields: "id") { id: ID! }`,
			Resolvers: map[string]testsubgraph.Resolver{"Query.users": list([]any{
				map[string]any{"__typename": "User", "id": "1", "organization": org("o1"), "name": "Ann"},
				map[string]any{"__typename": "User", "id": "1", "organization": org("o2"), "name": "Ann B"},
				map[string]any{"__typename": "User", "id": "2", "organization": org("o1"), "name": "Bob"},
			})},
			Entities: map[string]testsubgraph.EntityResolver{
				"User":         userBy(map[string]map[string]any{"1/o1": {"name": "Ann"}, "1/o2": {"name": "Ann B"}, "2/o1": {"name": "Bob"}}),
				"Organization": aeEcho("Organization"),
			},
		},
		{
			Name: "billing",
			SDL: fed + `type User @key(fields: "id organization { id }") { id: ID! organization: Organization! plan: String! }
type Organization @key(fields: "id") { id: ID! }`,
			Entities: map[string]testsubgraph.EntityResolver{
				"User":         userBy(map[string]map[string]any{"1/o1": {"plan": "free"}, "1/o2": {"plan": "pro"}, "2/o1": {"plan": "team"}}),
				"Organization": aeEcho("Organization"),
			},
		},
		{
			Name:     "orgs",
			SDL:      fed + `type Organization @key(fields: "id") { id: ID! name: String! }`,
			Entities: map[string]testsubgraph.EntityResolver{"Organization": byKey("Organization", "id", map[string]map[string]any{"o1": {"name": "Acme"}, "o2": {"name": "Bolt"}})},
		},
		{
			Name: "reviews",
			SDL: fed + `type Query { reviews: [Review!]! }
type Review { body: String! author: User! }
type User @key(fields: "id organization { id }", resolvable: false) { id: ID! organization: Organization! }
type Organization @key(fields: "id", resolvable: false) { id: ID! }`,
			Resolvers: map[string]testsubgraph.Resolver{"Query.reviews": list([]any{
				map[string]any{"body": "nice", "author": map[string]any{"__typename": "User", "id": "2", "organization": org("o1")}},
				map[string]any{"body": "ok", "author": map[string]any{"__typename": "User", "id": "1", "organization": org("o2")}},
			})},
		},
	}}
}

func TestAuditEntitiesNestedKey(t *testing.T) {
	t.Parallel()
	run(t, auditNestedKeyScenario(), []tcase{
		{
			name:     "nested key, same id in two organizations",
			query:    `{ users { name plan organization { id name } } }`,
			data:     `{"users":[{"name":"Ann","plan":"free","organization":{"id":"o1","name":"Acme"}},{"name":"Ann B","plan":"pro","organization":{"id":"o2","name":"Bolt"}},{"name":"Bob","plan":"team","organization":{"id":"o1","name":"Acme"}}]}`,
			requests: map[string]int{"accounts": 1, "billing": 1, "orgs": 1, "reviews": 0},
			check: func(t *testing.T, got map[string][]testsubgraph.Request) {
				for _, x := range reps(t, got["billing"], 0) {
					if o, _ := x.(map[string]any)["organization"].(map[string]any); o["id"] == nil {
						t.Errorf("billing representation %v without organization { id }", x)
					}
				}
			},
		},
		{
			name:  "client aliases on the nested key's fields",
			query: `{ users { i: id organization { orgId: id } plan } }`,
			data:  `{"users":[{"i":"1","organization":{"orgId":"o1"},"plan":"free"},{"i":"1","organization":{"orgId":"o2"},"plan":"pro"},{"i":"2","organization":{"orgId":"o1"},"plan":"team"}]}`,
		},
		{
			name:     "non-resolvable nested-key reference resolved by the others",
			query:    `{ reviews { body author { id name plan organization { name } } } }`,
			data:     `{"reviews":[{"body":"nice","author":{"id":"2","name":"Bob","plan":"team","organization":{"name":"Acme"}}},{"body":"ok","author":{"id":"1","name":"Ann B","plan":"pro","organization":{"name":"Bolt"}}}]}`,
			requests: map[string]int{"reviews": 1, "accounts": 1, "billing": 1, "orgs": 1},
		},
		{
			name:     "only key fields of the reference",
			query:    `{ reviews { author { id organization { id } } } }`,
			data:     `{"reviews":[{"author":{"id":"2","organization":{"id":"o1"}}},{"author":{"id":"1","organization":{"id":"o2"}}}]}`,
			requests: map[string]int{"reviews": 1, "accounts": 0, "billing": 0, "orgs": 0},
		},
	})
}

// ---------------------------------------------------------------------------
// 6c. key chain: a knows only id, b maps id <-> upc, c knows only upc.

func auditKeyChainScenario() scenario {
	upcs := map[string]string{"i1": "u1", "i2": "u2", "i3": "u3"}
	return scenario{subgraphs: []*testsubgraph.Subgraph{
		{
			Name: "a",
			SDL: fed + `type Query { items: [Item!]! }
type Item @key(fields: "id") { id: ID! name: String! }`,
			Resolvers: map[string]testsubgraph.Resolver{"Query.items": list([]any{
				map[string]any{"__typename": "Item", "id": "i1", "name": "One"},
				map[string]any{"__typename": "Item", "id": "i2", "name": "Two"},
				map[string]any{"__typename": "Item", "id": "i3", "name": "Three"},
			})},
			Entities: map[string]testsubgraph.EntityResolver{"Item": byKey("Item", "id", map[string]map[string]any{"i1": {"name": "One"}, "i2": {"name": "Two"}, "i3": {"name": "Three"}})},
		},
		{
			Name: "b",
			SDL:  fed + `type Item @key(fields: "id") @key(fields: "upc") { id: ID! upc: String! }`,
			Entities: map[string]testsubgraph.EntityResolver{"Item": func(_ context.Context, rep map[string]any) (any, error) {
				for id, upc := range upcs {
					if rep["id"] == id || rep["upc"] == upc {
						return map[string]any{"__typename": "Item", "id": id, "upc": upc}, nil
					}
				}
				return nil, nil
			}},
		},
		{
			Name: "c",
			SDL: fed + `type Query { cheapest: Item }
type Item @key(fields: "upc") { upc: String! price: Int! name: String! @external slug: String! @requires(fields: "name") }`,
			Resolvers: map[string]testsubgraph.Resolver{
				"Query.cheapest": list(map[string]any{"__typename": "Item", "upc": "u2", "price": 5}),
				"Item.slug": func(_ context.Context, p map[string]any, _ map[string]any) (any, error) {
					n, ok := p["name"].(string)
					if !ok {
						return nil, fmt.Errorf("representation without name: %v", p)
					}
					return strings.ToLower(n) + "-" + fmt.Sprint(p["upc"]), nil
				},
			},
			Entities: map[string]testsubgraph.EntityResolver{"Item": byKey("Item", "upc", map[string]map[string]any{"u1": {"price": 10}, "u2": {"price": 5}, "u3": {"price": 7}})},
		},
	}}
}

func TestAuditEntitiesKeyChain(t *testing.T) {
	t.Parallel()
	run(t, auditKeyChainScenario(), []tcase{
		{
			name:     "id to upc through the mapping subgraph",
			query:    `{ items { name price } }`,
			data:     `{"items":[{"name":"One","price":10},{"name":"Two","price":5},{"name":"Three","price":7}]}`,
			requests: map[string]int{"a": 1, "b": 1, "c": 1},
		},
		{
			name:     "upc to id through the mapping subgraph",
			query:    `{ cheapest { price name id } }`,
			data:     `{"cheapest":{"price":5,"name":"Two","id":"i2"}}`,
			requests: map[string]int{"a": 1, "b": 1, "c": 1},
		},
		{
			name:     "requires in the subgraph that knows only the second key",
			query:    `{ items { slug } }`,
			data:     `{"items":[{"slug":"one-u1"},{"slug":"two-u2"},{"slug":"three-u3"}]}`,
			requests: map[string]int{"a": 1, "b": 1, "c": 1},
			check: func(t *testing.T, got map[string][]testsubgraph.Request) {
				if r := reps(t, got["c"], 0)[0].(map[string]any); r["upc"] != "u1" || r["name"] != "One" {
					t.Errorf("c representation %v, want upc u1 and name One", r)
				}
			},
		},
		{
			name:  "requires back into the root subgraph through the key chain",
			query: `{ cheapest { slug } }`,
			data:  `{"cheapest":{"slug":"two-u2"}}`,
		},
		{
			name:     "second key only",
			query:    `{ items { id upc } }`,
			data:     `{"items":[{"id":"i1","upc":"u1"},{"id":"i2","upc":"u2"},{"id":"i3","upc":"u3"}]}`,
			requests: map[string]int{"a": 1, "b": 1, "c": 0},
		},
	})
}

// ---------------------------------------------------------------------------
// 7. parent-entity-call: entities in non-entity positions, one and two levels
// deep with lists, whose fields come from two other subgraphs.

func auditParentEntityCallScenario() scenario {
	p := func(id string) map[string]any { return map[string]any{"__typename": "Product", "id": id} }
	m := func(id string) map[string]any { return map[string]any{"__typename": "Maker", "id": id} }
	return scenario{subgraphs: []*testsubgraph.Subgraph{
		{
			Name: "shelf",
			SDL: fed + `type Query { store: Store! departments: [Department!]! }
type Store { name: String! featured: Product }
type Department { name: String! aisles: [Aisle!]! }
type Aisle { number: Int! products: [Product]! }
type Product @key(fields: "id") { id: ID! }`,
			Resolvers: map[string]testsubgraph.Resolver{
				"Query.store": list(map[string]any{"name": "Corner", "featured": p("p1")}),
				"Query.departments": list([]any{
					map[string]any{"name": "Home", "aisles": []any{
						map[string]any{"number": 1, "products": []any{p("p1"), p("p2")}},
						map[string]any{"number": 2, "products": []any{}},
					}},
					map[string]any{"name": "Office", "aisles": []any{
						map[string]any{"number": 3, "products": []any{p("p2"), nil, p("p3")}},
					}},
				}),
			},
		},
		{
			Name: "details",
			SDL: fed + `type Product @key(fields: "id") { id: ID! name: String! maker: Maker! }
type Maker @key(fields: "id") { id: ID! name: String! }`,
			Entities: map[string]testsubgraph.EntityResolver{
				"Product": byKey("Product", "id", map[string]map[string]any{
					"p1": {"name": "Lamp", "maker": m("m1")}, "p2": {"name": "Desk", "maker": m("m2")}, "p3": {"name": "Chair", "maker": m("m1")},
				}),
				"Maker": byKey("Maker", "id", map[string]map[string]any{"m1": {"name": "Acme"}, "m2": {"name": "Bolt"}}),
			},
			Resolvers: map[string]testsubgraph.Resolver{"Maker.name": func(_ context.Context, p map[string]any, _ map[string]any) (any, error) {
				return map[string]string{"m1": "Acme", "m2": "Bolt"}[fmt.Sprint(p["id"])], nil
			}},
		},
		{
			Name: "pricing",
			SDL: fed + `type Product @key(fields: "id") { id: ID! price: Int! maker: Maker! @external tagline: String! @requires(fields: "maker { name }") }
type Maker @key(fields: "id") { id: ID! country: String! name: String! @external }`,
			Entities: map[string]testsubgraph.EntityResolver{
				"Product": byKey("Product", "id", map[string]map[string]any{"p1": {"price": 10}, "p2": {"price": 20}, "p3": {"price": 30}}),
				"Maker":   byKey("Maker", "id", map[string]map[string]any{"m1": {"country": "SE"}, "m2": {"country": "DE"}}),
			},
			Resolvers: map[string]testsubgraph.Resolver{"Product.tagline": func(_ context.Context, p map[string]any, _ map[string]any) (any, error) {
				m, _ := p["maker"].(map[string]any)
				n, ok := m["name"].(string)
				if !ok {
					return nil, fmt.Errorf("representation without maker name: %v", p)
				}
				return n + " product", nil
			}},
		},
	}}
}

func TestAuditEntitiesParentEntityCall(t *testing.T) {
	t.Parallel()
	run(t, auditParentEntityCallScenario(), []tcase{
		{
			name:     "entity under a non-entity object, fields from two subgraphs",
			query:    `{ store { name featured { id name price } } }`,
			data:     `{"store":{"name":"Corner","featured":{"id":"p1","name":"Lamp","price":10}}}`,
			requests: map[string]int{"shelf": 1, "details": 1, "pricing": 1},
		},
		{
			name:     "complex: two levels of lists, a null item, a nested entity",
			query:    `{ departments { name aisles { number products { name price maker { name country } } } } }`,
			data:     `{"departments":[{"name":"Home","aisles":[{"number":1,"products":[{"name":"Lamp","price":10,"maker":{"name":"Acme","country":"SE"}},{"name":"Desk","price":20,"maker":{"name":"Bolt","country":"DE"}}]},{"number":2,"products":[]}]},{"name":"Office","aisles":[{"number":3,"products":[{"name":"Desk","price":20,"maker":{"name":"Bolt","country":"DE"}},null,{"name":"Chair","price":30,"maker":{"name":"Acme","country":"SE"}}]}]}]}`,
			requests: map[string]int{"shelf": 1, "details": 1},
		},
		{
			name:  "the same entities at a root-near and a deep position",
			query: `{ store { featured { name maker { country } } } departments { aisles { products { id price } } } }`,
			data:  `{"store":{"featured":{"name":"Lamp","maker":{"country":"SE"}}},"departments":[{"aisles":[{"products":[{"id":"p1","price":10},{"id":"p2","price":20}]},{"products":[]}]},{"aisles":[{"products":[{"id":"p2","price":20},null,{"id":"p3","price":30}]}]}]}`,
		},
		{
			name:  "complex: requires of a nested entity's field from another subgraph",
			query: `{ departments { aisles { products { tagline } } } }`,
			data:  `{"departments":[{"aisles":[{"products":[{"tagline":"Acme product"},{"tagline":"Bolt product"}]},{"products":[]}]},{"aisles":[{"products":[{"tagline":"Bolt product"},null,{"tagline":"Acme product"}]}]}]}`,
		},
		{
			name:  "complex: only the far nested entity's field",
			query: `{ departments { aisles { products { maker { country } } } } }`,
			data:  `{"departments":[{"aisles":[{"products":[{"maker":{"country":"SE"}},{"maker":{"country":"DE"}}]},{"products":[]}]},{"aisles":[{"products":[{"maker":{"country":"DE"}},null,{"maker":{"country":"SE"}}]}]}]}`,
		},
	})
}

// ---------------------------------------------------------------------------
// 8. null entities and null keys: b answers null for an unknown book (so c cannot
// be reached for it) and has a null isbn for another; every field stays null
// without errors.

func auditNullEntitiesScenario() scenario {
	book := func(id, title string) map[string]any {
		return map[string]any{"__typename": "Book", "id": id, "title": title}
	}
	b1, b2, b3, b4 := book("b1", "T1"), book("b2", "T2"), book("b3", "T3"), book("b4", "T4")
	return scenario{subgraphs: []*testsubgraph.Subgraph{
		{
			Name: "a",
			SDL: fed + `type Query { books: [Book!]! shelf: Shelf! }
type Shelf { name: String! pick: Book picks: [Book]! }
type Book @key(fields: "id") { id: ID! title: String! }`,
			Resolvers: map[string]testsubgraph.Resolver{
				"Query.books": list([]any{b1, b2, b3, b4}),
				"Query.shelf": list(map[string]any{"name": "S", "pick": b3, "picks": []any{b1, nil, b4}}),
			},
		},
		{
			Name: "b",
			SDL:  fed + `type Book @key(fields: "id") @key(fields: "isbn") { id: ID! isbn: ID }`,
			Entities: map[string]testsubgraph.EntityResolver{"Book": byKey("Book", "id", map[string]map[string]any{
				"b1": {"isbn": "i1"}, "b2": {"isbn": "i2"}, "b3": {"isbn": nil},
			})},
		},
		{
			Name: "c",
			SDL:  fed + `type Book @key(fields: "isbn") { isbn: ID author: String }`,
			Entities: map[string]testsubgraph.EntityResolver{"Book": byKey("Book", "isbn", map[string]map[string]any{
				"i1": {"author": "Alice"}, "i2": {"author": nil},
			})},
		},
	}}
}

func TestAuditEntitiesNullEntities(t *testing.T) {
	t.Parallel()
	run(t, auditNullEntitiesScenario(), []tcase{
		{
			name:  "null entity and null key in the middle of a key chain",
			query: `{ books { id title author } }`,
			data:  `{"books":[{"id":"b1","title":"T1","author":"Alice"},{"id":"b2","title":"T2","author":null},{"id":"b3","title":"T3","author":null},{"id":"b4","title":"T4","author":null}]}`,
			check: func(t *testing.T, got map[string][]testsubgraph.Request) {
				for _, req := range got["c"] {
					r, _ := req.Variables["representations"].([]any)
					for _, x := range r {
						if m := x.(map[string]any); m["isbn"] == nil {
							t.Logf("note: c got a representation with a null isbn: %v", m)
						}
					}
				}
			},
		},
		{
			name:  "null entity from the entity resolver: nullable field is null",
			query: `{ books { isbn } }`,
			data:  `{"books":[{"isbn":"i1"},{"isbn":"i2"},{"isbn":null},{"isbn":null}]}`,
		},
		{
			name:  "nested positions with a null item",
			query: `{ shelf { name pick { title author } picks { id author } } }`,
			data:  `{"shelf":{"name":"S","pick":{"title":"T3","author":null},"picks":[{"id":"b1","author":"Alice"},null,{"id":"b4","author":null}]}}`,
		},
	})
}

// ---------------------------------------------------------------------------
// 9. a Federation 1 subgraph (no @link, extend type, @external key) mixed with
// Federation 2 ones; an @external field used by no directive is never fetched
// from the Federation 1 subgraph.

func auditFed1MixedScenario() scenario {
	return scenario{subgraphs: []*testsubgraph.Subgraph{
		{
			Name: "legacy",
			SDL: `extend type Query { topReviews: [Review] }
type Review @key(fields: "id") { id: ID! body: String! product: Product @provides(fields: "name") }
extend type Product @key(fields: "upc") {
  upc: String! @external
  name: String @external
  weight: Int @external
  price: Int @external
  shippingEstimate: Int @requires(fields: "weight")
}`,
			Resolvers: map[string]testsubgraph.Resolver{
				"Query.topReviews": list([]any{
					map[string]any{"__typename": "Review", "id": "r1", "body": "Great", "product": map[string]any{"__typename": "Product", "upc": "u1", "name": "Lamp"}},
					map[string]any{"__typename": "Review", "id": "r2", "body": "Meh", "product": map[string]any{"__typename": "Product", "upc": "u2", "name": "Desk"}},
					map[string]any{"__typename": "Review", "id": "r3", "body": "Void", "product": nil},
				}),
				"Product.shippingEstimate": func(_ context.Context, p map[string]any, _ map[string]any) (any, error) {
					w, ok := p["weight"].(float64)
					if !ok {
						return nil, fmt.Errorf("representation without weight: %v", p)
					}
					return int(w) * 2, nil
				},
			},
			Entities: map[string]testsubgraph.EntityResolver{"Product": aeEcho("Product")},
		},
		{
			Name: "products",
			SDL: fed + `type Query { products: [Product!]! }
type Product @key(fields: "upc") { upc: String! name: String @shareable weight: Int price: Int }`,
			Resolvers: map[string]testsubgraph.Resolver{"Query.products": list([]any{
				map[string]any{"__typename": "Product", "upc": "u1", "name": "Lamp", "weight": 3, "price": 10},
				map[string]any{"__typename": "Product", "upc": "u2", "name": "Desk", "weight": 20, "price": 50},
			})},
			Entities: map[string]testsubgraph.EntityResolver{"Product": byKey("Product", "upc", map[string]map[string]any{
				"u1": {"name": "Lamp", "weight": 3, "price": 10}, "u2": {"name": "Desk", "weight": 20, "price": 50},
			})},
		},
		{
			Name:     "inventory",
			SDL:      fed + `type Product @key(fields: "upc") { upc: String! inStock: Boolean }`,
			Entities: map[string]testsubgraph.EntityResolver{"Product": byKey("Product", "upc", map[string]map[string]any{"u1": {"inStock": true}, "u2": {"inStock": false}})},
		},
	}}
}

func TestAuditEntitiesFed1Mixed(t *testing.T) {
	t.Parallel()
	run(t, auditFed1MixedScenario(), []tcase{
		{
			name:     "fed1 @provides",
			query:    `{ topReviews { body product { name } } }`,
			data:     `{"topReviews":[{"body":"Great","product":{"name":"Lamp"}},{"body":"Meh","product":{"name":"Desk"}},{"body":"Void","product":null}]}`,
			requests: map[string]int{"legacy": 1, "products": 0},
		},
		{
			name:     "mysterious external: an unused @external field comes from its owner",
			query:    `{ topReviews { product { price } } }`,
			data:     `{"topReviews":[{"product":{"price":10}},{"product":{"price":50}},{"product":null}]}`,
			requests: map[string]int{"legacy": 1, "products": 1},
			check: func(t *testing.T, got map[string][]testsubgraph.Request) {
				if aeQueryMentions(got["legacy"], "price") {
					t.Errorf("legacy was asked for its @external price: %+v", got["legacy"])
				}
			},
		},
		{
			name:     "external field used only in @requires is not fetched from the fed1 subgraph",
			query:    `{ topReviews { product { weight } } }`,
			data:     `{"topReviews":[{"product":{"weight":3}},{"product":{"weight":20}},{"product":null}]}`,
			requests: map[string]int{"legacy": 1, "products": 1},
			check: func(t *testing.T, got map[string][]testsubgraph.Request) {
				if aeQueryMentions(got["legacy"], "weight") {
					t.Errorf("legacy was asked for its @external weight: %+v", got["legacy"])
				}
			},
		},
		{
			name:  "fed1 @requires from a fed2 root, with a fed2 entity field",
			query: `{ products { upc shippingEstimate inStock } }`,
			data:  `{"products":[{"upc":"u1","shippingEstimate":6,"inStock":true},{"upc":"u2","shippingEstimate":40,"inStock":false}]}`,
			check: func(t *testing.T, got map[string][]testsubgraph.Request) {
				if len(got["legacy"]) != 1 {
					t.Fatalf("legacy got %d requests, want 1", len(got["legacy"]))
				}
				if r := reps(t, got["legacy"], 0)[0].(map[string]any); r["weight"] != 3.0 {
					t.Errorf("legacy representation %v, want weight 3", r)
				}
			},
		},
		{
			name:  "fed1 root, requires back into the fed1 subgraph",
			query: `{ topReviews { product { upc shippingEstimate } } }`,
			data:  `{"topReviews":[{"product":{"upc":"u1","shippingEstimate":6}},{"product":{"upc":"u2","shippingEstimate":40}},{"product":null}]}`,
		},
	})
}

// ---------------------------------------------------------------------------
// 10. override-with-requires: shipping moves from old to new, where it requires
// weight (still in old); tax requires the moved field.

func auditOverrideRequiresScenario() scenario {
	return scenario{subgraphs: []*testsubgraph.Subgraph{
		{
			Name: "old",
			SDL: fed + `type Query { products: [Product!]! }
type Product @key(fields: "id") { id: ID! name: String! weight: Int! shipping: Int! }`,
			Resolvers: map[string]testsubgraph.Resolver{"Query.products": list([]any{
				map[string]any{"__typename": "Product", "id": "p1", "name": "Lamp", "weight": 2, "shipping": 999},
				map[string]any{"__typename": "Product", "id": "p2", "name": "Desk", "weight": 5, "shipping": 999},
			})},
			Entities: map[string]testsubgraph.EntityResolver{"Product": byKey("Product", "id", map[string]map[string]any{
				"p1": {"name": "Lamp", "weight": 2, "shipping": 999}, "p2": {"name": "Desk", "weight": 5, "shipping": 999},
			})},
		},
		{
			Name:     "new",
			SDL:      fed + `type Product @key(fields: "id") { id: ID! weight: Int! @external shipping: Int! @override(from: "old") @requires(fields: "weight") }`,
			Entities: map[string]testsubgraph.EntityResolver{"Product": aeEcho("Product")},
			Resolvers: map[string]testsubgraph.Resolver{"Product.shipping": func(_ context.Context, p map[string]any, _ map[string]any) (any, error) {
				w, ok := p["weight"].(float64)
				if !ok {
					return nil, fmt.Errorf("representation without weight: %v", p)
				}
				return int(w) * 3, nil
			}},
		},
		{
			Name:     "tax",
			SDL:      fed + `type Product @key(fields: "id") { id: ID! shipping: Int! @external tax: Int! @requires(fields: "shipping") }`,
			Entities: map[string]testsubgraph.EntityResolver{"Product": aeEcho("Product")},
			Resolvers: map[string]testsubgraph.Resolver{"Product.tax": func(_ context.Context, p map[string]any, _ map[string]any) (any, error) {
				s, ok := p["shipping"].(float64)
				if !ok {
					return nil, fmt.Errorf("representation without shipping: %v", p)
				}
				return int(s) + 1, nil
			}},
		},
	}}
}

func TestAuditEntitiesOverrideRequires(t *testing.T) {
	t.Parallel()
	run(t, auditOverrideRequiresScenario(), []tcase{
		{
			name:     "overridden field with @requires",
			query:    `{ products { name shipping } }`,
			data:     `{"products":[{"name":"Lamp","shipping":6},{"name":"Desk","shipping":15}]}`,
			requests: map[string]int{"old": 1, "new": 1, "tax": 0},
		},
		{
			name:     "requires of the overridden field",
			query:    `{ products { tax } }`,
			data:     `{"products":[{"tax":7},{"tax":16}]}`,
			requests: map[string]int{"old": 1, "new": 1, "tax": 1},
			check: func(t *testing.T, got map[string][]testsubgraph.Request) {
				if r := reps(t, got["tax"], 0)[0].(map[string]any); r["shipping"] != 6.0 {
					t.Errorf("tax representation %v, want shipping 6 from new", r)
				}
			},
		},
		{
			name:  "everything together",
			query: `{ products { weight shipping tax } }`,
			data:  `{"products":[{"weight":2,"shipping":6,"tax":7},{"weight":5,"shipping":15,"tax":16}]}`,
		},
	})
}

// ---------------------------------------------------------------------------
// 11. errors of an _entities call, for some entities only, re-pathed to the
// client's paths with the subgraph's name.

func auditEntityErrorsScenario() scenario {
	p := func(id, name string) map[string]any {
		return map[string]any{"__typename": "Product", "id": id, "name": name}
	}
	return scenario{subgraphs: []*testsubgraph.Subgraph{
		{
			Name: "a",
			SDL: fed + `type Query { products: [Product!]! shelf: Shelf grid: [[Product!]]! twice: [Product!]! }
type Shelf { items: [Product!]! }
type Product @key(fields: "id") { id: ID! name: String! }`,
			Resolvers: map[string]testsubgraph.Resolver{
				"Query.products": list([]any{p("p1", "Lamp"), p("p2", "Desk"), p("p3", "Chair")}),
				"Query.shelf":    list(map[string]any{"items": []any{p("p1", "Lamp"), p("p2", "Desk"), p("p1", "Lamp"), p("p2", "Desk")}}),
				"Query.twice":    list([]any{p("p3", "Chair"), p("p1", "Lamp"), p("p3", "Chair")}),
				"Query.grid":     list([]any{[]any{p("p1", "Lamp")}, nil, []any{p("p3", "Chair"), p("p1", "Lamp")}}),
			},
		},
		{
			Name: "b",
			SDL: fed + `type Product @key(fields: "id") { id: ID! price: Int details: Details }
type Details { color: String size: Int }`,
			Entities: map[string]testsubgraph.EntityResolver{"Product": func(_ context.Context, rep map[string]any) (any, error) {
				switch rep["id"] {
				case "p1":
					return map[string]any{"__typename": "Product", "id": "p1", "price": 10, "details": map[string]any{"size": 1}}, nil
				case "p2":
					return map[string]any{"__typename": "Product", "id": "p2", "details": map[string]any{"color": "red", "size": 2}}, nil
				}
				return nil, fmt.Errorf("no such product %v", rep["id"])
			}},
			Resolvers: map[string]testsubgraph.Resolver{
				"Product.price": func(_ context.Context, p map[string]any, _ map[string]any) (any, error) {
					if p["id"] == "p2" {
						return nil, fmt.Errorf("price unavailable for p2")
					}
					return p["price"], nil
				},
				"Details.color": func(_ context.Context, d map[string]any, _ map[string]any) (any, error) {
					if d["color"] == nil {
						return nil, fmt.Errorf("color unknown")
					}
					return d["color"], nil
				},
			},
		},
	}}
}

func TestAuditEntitiesErrors(t *testing.T) {
	t.Parallel()
	run(t, auditEntityErrorsScenario(), []tcase{
		{
			name:  "entity and field errors of one _entities call",
			query: `{ products { name price } }`,
			data:  `{"products":[{"name":"Lamp","price":10},{"name":"Desk","price":null},{"name":"Chair","price":null}]}`,
			errors: []string{
				"b|products.2|no such product p3",
				"b|products.1.price|price unavailable for p2",
			},
		},
		{
			name:  "error below a nested object of an entity",
			query: `{ products { details { color size } } }`,
			data:  `{"products":[{"details":{"color":null,"size":1}},{"details":{"color":"red","size":2}},{"details":null}]}`,
			errors: []string{
				"b|products.2|no such product p3",
				"b|products.0.details.color|color unknown",
			},
		},
		{
			name:   "entity error inside a list of lists",
			query:  `{ grid { name price } }`,
			data:   `{"grid":[[{"name":"Lamp","price":10}],null,[{"name":"Chair","price":null},{"name":"Lamp","price":10}]]}`,
			errors: []string{"b|grid.2.0|no such product p3"},
		},
		{
			name:  "entity at two positions: its error at both",
			query: `{ shelf { items { id price } } }`,
			data:  `{"shelf":{"items":[{"id":"p1","price":10},{"id":"p2","price":null},{"id":"p1","price":10},{"id":"p2","price":null}]}}`,
			errors: []string{
				"b|shelf.items.1.price|price unavailable for p2",
				"b|shelf.items.3.price|price unavailable for p2",
			},
		},
		{
			name:  "entity-level error for an entity at two positions",
			query: `{ twice { name price } }`,
			data:  `{"twice":[{"name":"Chair","price":null},{"name":"Lamp","price":10},{"name":"Chair","price":null}]}`,
			errors: []string{
				"b|twice.0|no such product p3",
				"b|twice.2|no such product p3",
			},
		},
	})
}
