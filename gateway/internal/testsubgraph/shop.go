package testsubgraph

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
)

// CatalogSDL is the test catalog subgraph: products, variants, reviews.
const CatalogSDL = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@shareable"])

type Query {
  products(first: Int, after: String): ProductConnection!
  product(id: ID!): Product
  search(text: String!): [SearchResult!]!
}

union SearchResult = Product | Review

type ProductConnection { totalCount: Int! edges: [ProductEdge!]! }
type ProductEdge { cursor: String! node: Product! }

type Product @key(fields: "id") @key(fields: "slug") {
  id: ID!
  slug: String!
  name: String!
  variants: [ProductVariant!]!
  reviews(first: Int, after: String): ReviewConnection!
}

type ProductVariant @key(fields: "id") {
  id: ID!
  sku: String!
  weight: Int!
  price: Money!
}

type ReviewConnection { edges: [ReviewEdge!]! }
type ReviewEdge { node: Review! }
type Review { id: ID! rating: Int! title: String! author: User! }

type User @key(fields: "id") { id: ID! }

type Money @shareable { amount: String! currencyCode: CurrencyCode! }
enum CurrencyCode { USD EUR }
`

// OrdersSDL is the test orders subgraph: shipping estimates computed from @requires.
const OrdersSDL = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@external", "@requires", "@shareable"])

type ProductVariant @key(fields: "id") {
  id: ID!
  weight: Int! @external
  shippingEstimate(country: String!): Money @requires(fields: "weight")
}

type Money @shareable { amount: String! currencyCode: CurrencyCode! }
enum CurrencyCode { USD EUR }

type Mutation { placeOrder(variantId: ID!, quantity: Int! = 1): Order! }

type Order @key(fields: "id") {
  id: ID!
  quantity: Int!
  variant: ProductVariant!
}
`

// UsersSDL is the test users subgraph.
const UsersSDL = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])

type Query { user(id: ID!): User }

type User @key(fields: "id") {
  id: ID!
  name: String!
  email: String
}
`

type variant struct {
	id, sku string
	weight  int
	cents   int
}

// intArg reads an Int argument, given literally (int64) or by a JSON variable (float64).
func intArg(args map[string]any, name string, def int) int {
	switch v := args[name].(type) {
	case int64:
		return int(v)
	case float64:
		return int(v)
	case int:
		return v
	}
	return def
}

func obj(kv ...any) map[string]any {
	m := map[string]any{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1]
	}
	return m
}

// Shop returns the three test subgraphs with consistent demo data: products p1..p4,
// each with variants and reviews written by users u1..u3 (u3 has no name, which
// violates User.name: String! on purpose).
func Shop() (catalog, orders, users *Subgraph) {
	variants := map[string][]variant{
		"p1": {{"v1", "SKU-1", 100, 1999}, {"v2", "SKU-2", 250, 2499}},
		"p2": {{"v3", "SKU-3", 1000, 500}},
		"p3": {{"v4", "SKU-4", 0, 100}, {"v1", "SKU-1", 100, 1999}},
		"p4": {},
	}
	reviewAuthors := map[string][]string{"p1": {"u1", "u2"}, "p2": {"u2"}, "p3": {}, "p4": {"u3"}}
	product := func(id string) map[string]any {
		vs := variants[id]
		if vs == nil {
			return nil
		}
		var list []any
		for _, v := range vs {
			list = append(list, obj("__typename", "ProductVariant", "id", v.id, "sku", v.sku, "weight", v.weight,
				"price", obj("amount", fmt.Sprintf("%d.%02d", v.cents/100, v.cents%100), "currencyCode", "USD")))
		}
		return obj("__typename", "Product", "id", id, "slug", "slug-"+id, "name", "Product "+id, "variants", list)
	}
	catalog = &Subgraph{
		Name: "catalog",
		SDL:  CatalogSDL,
		Resolvers: map[string]Resolver{
			"Query.products": func(_ context.Context, _ map[string]any, args map[string]any) (any, error) {
				first := intArg(args, "first", 10)
				var edges []any
				for i, id := range []string{"p1", "p2", "p3", "p4"} {
					if i >= first {
						break
					}
					edges = append(edges, obj("cursor", "c"+id, "node", product(id)))
				}
				return obj("totalCount", 4, "edges", edges), nil
			},
			"Query.product": func(_ context.Context, _ map[string]any, args map[string]any) (any, error) {
				p := product(args["id"].(string))
				if p == nil {
					return nil, nil
				}
				return p, nil
			},
			"Query.search": func(context.Context, map[string]any, map[string]any) (any, error) {
				return []any{product("p1"), obj("__typename", "Review", "id", "r1", "rating", 5, "title", "Great", "author", obj("__typename", "User", "id", "u1")), product("p2")}, nil
			},
			"Product.reviews": func(_ context.Context, parent map[string]any, args map[string]any) (any, error) {
				first := intArg(args, "first", 10)
				var edges []any
				for i, u := range reviewAuthors[parent["id"].(string)] {
					if i >= first {
						break
					}
					edges = append(edges, obj("node", obj("id", parent["id"].(string)+"-r"+strconv.Itoa(i), "rating", 5-i, "title", "Review "+strconv.Itoa(i), "author", obj("__typename", "User", "id", u))))
				}
				return obj("edges", edges), nil
			},
		},
		Entities: map[string]EntityResolver{
			"Product": func(_ context.Context, rep map[string]any) (any, error) {
				if id, ok := rep["id"].(string); ok {
					return product(id), nil
				}
				if slug, ok := rep["slug"].(string); ok && len(slug) > 5 {
					return product(slug[5:]), nil
				}
				return nil, errors.New("bad Product representation")
			},
			"ProductVariant": func(_ context.Context, rep map[string]any) (any, error) {
				for pid, vs := range variants {
					for _, v := range vs {
						if v.id == rep["id"] {
							p := product(pid)
							for _, pv := range p["variants"].([]any) {
								if pv.(map[string]any)["id"] == v.id {
									return pv, nil
								}
							}
						}
					}
				}
				return nil, nil
			},
			"User": func(_ context.Context, rep map[string]any) (any, error) {
				return obj("__typename", "User", "id", rep["id"]), nil
			},
		},
	}
	var orderMu sync.Mutex
	orderSeq := 0
	orders = &Subgraph{
		Name: "orders",
		SDL:  OrdersSDL,
		Resolvers: map[string]Resolver{
			"Mutation.placeOrder": func(_ context.Context, _ map[string]any, args map[string]any) (any, error) {
				orderMu.Lock()
				defer orderMu.Unlock()
				orderSeq++
				return obj("__typename", "Order", "id", "o"+strconv.Itoa(orderSeq), "quantity", args["quantity"],
					"variant", obj("__typename", "ProductVariant", "id", args["variantId"])), nil
			},
			"ProductVariant.shippingEstimate": func(_ context.Context, parent map[string]any, args map[string]any) (any, error) {
				w, ok := parent["weight"].(float64)
				if !ok {
					return nil, errors.New("weight was not provided")
				}
				if w == 0 {
					return nil, errors.New("cannot ship a weightless variant")
				}
				cents := 500 + int(w)
				if args["country"] != "US" {
					cents *= 2
				}
				return obj("amount", fmt.Sprintf("%d.%02d", cents/100, cents%100), "currencyCode", "USD"), nil
			},
		},
		Entities: map[string]EntityResolver{
			"ProductVariant": func(_ context.Context, rep map[string]any) (any, error) {
				return obj("__typename", "ProductVariant", "id", rep["id"], "weight", rep["weight"]), nil
			},
		},
	}
	names := map[string]string{"u1": "Ada", "u2": "Grace"}
	users = &Subgraph{
		Name: "users",
		SDL:  UsersSDL,
		Resolvers: map[string]Resolver{
			"Query.user": func(_ context.Context, _ map[string]any, args map[string]any) (any, error) {
				id := args["id"].(string)
				if _, ok := names[id]; !ok && id != "u3" {
					return nil, nil
				}
				return obj("__typename", "User", "id", id, "name", names[id]), nil
			},
		},
		Entities: map[string]EntityResolver{
			"User": func(_ context.Context, rep map[string]any) (any, error) {
				id, _ := rep["id"].(string)
				u := obj("__typename", "User", "id", id)
				if n, ok := names[id]; ok {
					u["name"] = n
				}
				return u, nil
			},
		},
	}
	return catalog, orders, users
}
