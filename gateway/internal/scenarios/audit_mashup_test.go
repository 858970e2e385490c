package scenarios

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/shopgraph/shopgraph/gateway/internal/testsubgraph"
)

// ---------------------------------------------------------------------------
// 1. keys mashup: Product has four keys (id, upc, "sku vendor { id }",
// "ean region") spread over five subgraphs, each knowing some keys only.
//
//	catalog: id → name
//	mapping: id | upc | sku vendor{id} → id upc sku vendor
//	pricing: sku vendor{id} | ean region → price ean region sku vendor
//	stock:   upc → stock
//	ship:    ean region → shipping @requires(price stock)
//
// shipping needs price (pricing, reached by the compound nested key) and stock
// (stock, reached by upc), both obtained through mapping from the id.

type mashupProduct struct {
	id, name, upc, sku, vendor, ean, region string
	price, stock                            int
}

var mashupProducts = []mashupProduct{
	{"1", "Lamp", "u1", "S1", "v1", "E1", "EU", 10, 3},
	{"2", "Desk", "u2", "S1", "v2", "E2", "US", 20, 0},
	{"3", "Chair", "u3", "S3", "v1", "E1", "US", 30, 7},
}

func mashupKeysScenario() scenario {
	ref := func(id string) map[string]any { return map[string]any{"__typename": "Product", "id": id} }
	names := map[string]string{"1": "Lamp", "2": "Desk", "3": "Chair", "4": "Ghost", "5": "Vase"}
	// 5 is known to mapping and stock, not to pricing.
	known := append(append([]mashupProduct(nil), mashupProducts...), mashupProduct{"5", "Vase", "u5", "S5", "v9", "", "", 0, 4})
	findIn := func(ps []mashupProduct, match func(p mashupProduct) bool) *mashupProduct {
		for i := range ps {
			if match(ps[i]) {
				return &ps[i]
			}
		}
		return nil
	}
	find := func(match func(p mashupProduct) bool) *mashupProduct { return findIn(mashupProducts, match) }
	findKnown := func(match func(p mashupProduct) bool) *mashupProduct { return findIn(known, match) }
	vendorOf := func(rep map[string]any) string {
		v, _ := rep["vendor"].(map[string]any)
		s, _ := v["id"].(string)
		return s
	}
	return scenario{subgraphs: []*testsubgraph.Subgraph{
		{
			Name: "catalog",
			SDL: fed + `type Query { products: [Product] grid: [[Product]] more: [Product] }
type Product @key(fields: "id") { id: ID! name: String }`,
			Resolvers: map[string]testsubgraph.Resolver{
				"Query.products": list([]any{ref("1"), ref("2"), ref("3")}),
				// 4 is unknown everywhere but here; 2 appears three times.
				"Query.more": list([]any{ref("5"), ref("1")}),
				"Query.grid": list([]any{[]any{ref("2"), ref("4")}, nil, []any{ref("1"), ref("2"), nil}, []any{ref("2")}}),
				"Product.name": func(_ context.Context, p map[string]any, _ map[string]any) (any, error) {
					return names[p["id"].(string)], nil
				},
			},
			Entities: map[string]testsubgraph.EntityResolver{"Product": func(_ context.Context, rep map[string]any) (any, error) {
				if _, ok := names[fmt.Sprint(rep["id"])]; !ok {
					return nil, nil
				}
				return map[string]any{"__typename": "Product", "id": rep["id"]}, nil
			}},
		},
		{
			Name: "mapping",
			SDL: fed + `type Product @key(fields: "id") @key(fields: "upc") @key(fields: "sku vendor { id }") { id: ID! upc: String! sku: String! vendor: Vendor! }
type Vendor @shareable { id: ID! }`,
			Entities: map[string]testsubgraph.EntityResolver{"Product": func(_ context.Context, rep map[string]any) (any, error) {
				p := findKnown(func(p mashupProduct) bool {
					switch {
					case rep["id"] != nil:
						return rep["id"] == p.id
					case rep["upc"] != nil:
						return rep["upc"] == p.upc
					default:
						return rep["sku"] == p.sku && vendorOf(rep) == p.vendor
					}
				})
				if p == nil {
					return nil, nil
				}
				return map[string]any{"__typename": "Product", "id": p.id, "upc": p.upc, "sku": p.sku, "vendor": map[string]any{"id": p.vendor}}, nil
			}},
		},
		{
			Name: "pricing",
			SDL: fed + `type Product @key(fields: "sku vendor { id }") @key(fields: "ean region") { sku: String! vendor: Vendor! ean: String! region: String! price: Int }
type Vendor @shareable { id: ID! }`,
			Entities: map[string]testsubgraph.EntityResolver{"Product": func(_ context.Context, rep map[string]any) (any, error) {
				p := find(func(p mashupProduct) bool {
					if rep["ean"] != nil {
						return rep["ean"] == p.ean && rep["region"] == p.region
					}
					return rep["sku"] == p.sku && vendorOf(rep) == p.vendor
				})
				if p == nil {
					return nil, nil
				}
				return map[string]any{"__typename": "Product", "sku": p.sku, "vendor": map[string]any{"id": p.vendor}, "ean": p.ean, "region": p.region, "price": p.price}, nil
			}},
		},
		{
			Name: "stock",
			SDL: fed + `type Query { lowStock: [Product] }
type Product @key(fields: "upc") { upc: String! stock: Int }`,
			Resolvers: map[string]testsubgraph.Resolver{
				"Query.lowStock": list([]any{map[string]any{"__typename": "Product", "upc": "u2", "stock": 0}, map[string]any{"__typename": "Product", "upc": "u1", "stock": 3}}),
			},
			Entities: map[string]testsubgraph.EntityResolver{"Product": func(_ context.Context, rep map[string]any) (any, error) {
				p := findKnown(func(p mashupProduct) bool { return rep["upc"] == p.upc })
				if p == nil {
					return nil, nil
				}
				return map[string]any{"__typename": "Product", "upc": p.upc, "stock": p.stock}, nil
			}},
		},
		{
			Name: "ship",
			SDL: fed + `type Query { byEan(ean: String!, region: String!): Product }
type Product @key(fields: "ean region") { ean: String! region: String! price: Int @external stock: Int @external vendor: Vendor! @external
  shipping: Int @requires(fields: "price stock")
  label: String @requires(fields: "vendor { id } price") }
type Vendor @shareable { id: ID! }`,
			Resolvers: map[string]testsubgraph.Resolver{
				"Query.byEan": func(_ context.Context, _ map[string]any, args map[string]any) (any, error) {
					p := find(func(p mashupProduct) bool { return args["ean"] == p.ean && args["region"] == p.region })
					if p == nil {
						return nil, nil
					}
					return map[string]any{"__typename": "Product", "ean": p.ean, "region": p.region}, nil
				},
			},
			Entities: map[string]testsubgraph.EntityResolver{"Product": func(_ context.Context, rep map[string]any) (any, error) {
				out := map[string]any{"__typename": "Product", "ean": rep["ean"], "region": rep["region"]}
				price, ok1 := rep["price"].(float64)
				stock, ok2 := rep["stock"].(float64)
				if ok1 && ok2 {
					out["shipping"] = int(price)*100 + int(stock)
				}
				if v, ok := rep["vendor"].(map[string]any); ok && ok1 {
					out["label"] = fmt.Sprint(v["id"], ":", price)
				}
				return out, nil
			}},
		},
	}}
}

func TestAuditMashupKeys(t *testing.T) {
	t.Parallel()
	run(t, mashupKeysScenario(), []tcase{
		{
			name:     "two hops: id to the compound nested key",
			query:    `{ products { id name price } }`,
			data:     `{"products":[{"id":"1","name":"Lamp","price":10},{"id":"2","name":"Desk","price":20},{"id":"3","name":"Chair","price":30}]}`,
			requests: map[string]int{"catalog": 1, "mapping": 1, "pricing": 1, "stock": 0, "ship": 0},
		},
		{
			name:     "requires whose fields come from two subgraphs reached by different keys",
			query:    `{ products { name shipping } }`,
			data:     `{"products":[{"name":"Lamp","shipping":1003},{"name":"Desk","shipping":2000},{"name":"Chair","shipping":3007}]}`,
			requests: map[string]int{"catalog": 1, "mapping": 1, "pricing": 1, "stock": 1, "ship": 1},
			check: func(t *testing.T, got map[string][]testsubgraph.Request) {
				r := reps(t, got["ship"], 0)
				if len(r) != 3 {
					t.Fatalf("ship got %v, want three representations", r)
				}
				m := r[0].(map[string]any)
				if m["ean"] != "E1" || m["region"] != "EU" || m["price"] != 10.0 || m["stock"] != 3.0 {
					t.Errorf("ship representation %v, want ean E1 region EU price 10 stock 3", m)
				}
			},
		},
		{
			name:  "client selects the required fields too, under aliases",
			query: `{ products { s: shipping stock p: price price ean } }`,
			data:  `{"products":[{"s":1003,"stock":3,"p":10,"price":10,"ean":"E1"},{"s":2000,"stock":0,"p":20,"price":20,"ean":"E2"},{"s":3007,"stock":7,"p":30,"price":30,"ean":"E1"}]}`,
		},
		{
			name:     "two requires of one subgraph: nested required object from a key and a field from two hops away",
			query:    `{ products { name label shipping } }`,
			data:     `{"products":[{"name":"Lamp","label":"v1:10","shipping":1003},{"name":"Desk","label":"v2:20","shipping":2000},{"name":"Chair","label":"v1:30","shipping":3007}]}`,
			requests: map[string]int{"catalog": 1, "mapping": 1, "pricing": 1, "stock": 1, "ship": 1},
			check: func(t *testing.T, got map[string][]testsubgraph.Request) {
				m := reps(t, got["ship"], 0)[1].(map[string]any)
				v, _ := m["vendor"].(map[string]any)
				if m["price"] != 20.0 || m["stock"] != 0.0 || v["id"] != "v2" {
					t.Errorf("ship representation %v, want price 20, stock 0, vendor v2", m)
				}
			},
		},
		{
			name:  "requires only with the nested object, client selects it under an alias",
			query: `{ products { v: vendor { i: id } label } }`,
			data:  `{"products":[{"v":{"i":"v1"},"label":"v1:10"},{"v":{"i":"v2"},"label":"v2:20"},{"v":{"i":"v1"},"label":"v1:30"}]}`,
		},
		{
			// 5's pricing entity is null: no price, and no ean/region to
			// enter ship with, so shipping is null without an error.
			name:     "requires where one required field's subgraph does not know the entity",
			query:    `{ more { id name stock price label shipping } }`,
			data:     `{"more":[{"id":"5","name":"Vase","stock":4,"price":null,"label":null,"shipping":null},{"id":"1","name":"Lamp","stock":3,"price":10,"label":"v1:10","shipping":1003}]}`,
			requests: map[string]int{"catalog": 1, "mapping": 1, "pricing": 1, "stock": 1, "ship": 1},
			check: func(t *testing.T, got map[string][]testsubgraph.Request) {
				if r := reps(t, got["ship"], 0); len(r) != 1 {
					t.Errorf("ship got %v, want only product 1 (5 has no ean/region)", r)
				}
			},
		},
		{
			name:     "from the upc key to the id and the nested compound key",
			query:    `{ lowStock { upc stock name price ean region } }`,
			data:     `{"lowStock":[{"upc":"u2","stock":0,"name":"Desk","price":20,"ean":"E2","region":"US"},{"upc":"u1","stock":3,"name":"Lamp","price":10,"ean":"E1","region":"EU"}]}`,
			requests: map[string]int{"stock": 1, "mapping": 1, "catalog": 1, "pricing": 1, "ship": 0},
		},
		{
			// Area 5: duplicates, null items, an entity the second hop does
			// not know (so the later hops cannot be reached for it).
			name:  "lists of lists with duplicates, nulls and a dead end in the key chain",
			query: `{ grid { id name price shipping } }`,
			data: `{"grid":[[{"id":"2","name":"Desk","price":20,"shipping":2000},{"id":"4","name":"Ghost","price":null,"shipping":null}],null,
				[{"id":"1","name":"Lamp","price":10,"shipping":1003},{"id":"2","name":"Desk","price":20,"shipping":2000},null],
				[{"id":"2","name":"Desk","price":20,"shipping":2000}]]}`,
			requests: map[string]int{"catalog": 1, "mapping": 1, "pricing": 1, "stock": 1, "ship": 1},
			check: func(t *testing.T, got map[string][]testsubgraph.Request) {
				if k := repKeys(t, got["mapping"], 0, "id"); k != "1,2,4" {
					t.Errorf("mapping got ids %s, want 1,2,4 once each", k)
				}
				if r := reps(t, got["pricing"], 0); len(r) != 2 {
					t.Errorf("pricing got %v, want the two products mapping knows", r)
				}
			},
		},
	})
}

// TestAuditMashupKeysFromLastKey starts at the subgraph that knows only the
// "ean region" key: reaching upc, id or name needs ship → pricing (ean region)
// → mapping (sku vendor { id }) → …. Planning these once recursed until the
// stack overflowed: the planner took a target's first key whether or not it
// could be obtained, and entered the same subgraph again to get it.
func TestAuditMashupKeysFromLastKey(t *testing.T) {
	t.Parallel()
	cases := []tcase{
		{
			name:     "two hops back to the upc key",
			query:    `{ byEan(ean: "E1", region: "US") { upc } }`,
			data:     `{"byEan":{"upc":"u3"}}`,
			requests: map[string]int{"ship": 1, "pricing": 1, "mapping": 1, "catalog": 0, "stock": 0},
		},
		{
			name:     "two hops back to the id key",
			query:    `{ byEan(ean: "E2", region: "US") { id price } }`,
			data:     `{"byEan":{"id":"2","price":20}}`,
			requests: map[string]int{"ship": 1, "pricing": 1, "mapping": 1, "catalog": 0, "stock": 0},
		},
		{
			name:     "three hops to stock",
			query:    `{ byEan(ean: "E1", region: "EU") { stock } }`,
			data:     `{"byEan":{"stock":3}}`,
			requests: map[string]int{"ship": 1, "pricing": 1, "mapping": 1, "catalog": 0, "stock": 1},
		},
		{
			name:     "four hops from the subgraph with the last key back to itself",
			query:    `{ byEan(ean: "E1", region: "US") { id name upc vendor { id } shipping } }`,
			data:     `{"byEan":{"id":"3","name":"Chair","upc":"u3","vendor":{"id":"v1"},"shipping":3007}}`,
			requests: map[string]int{"ship": 2, "pricing": 1, "mapping": 1, "catalog": 1, "stock": 1},
		},
		{
			name:     "null root entity reaches nothing",
			query:    `{ byEan(ean: "E9", region: "EU") { name shipping } }`,
			data:     `{"byEan":null}`,
			requests: map[string]int{"ship": 1, "pricing": 0, "mapping": 0, "catalog": 0, "stock": 0},
		},
	}
	run(t, mashupKeysScenario(), cases)
}

// ---------------------------------------------------------------------------
// 2. deep nesting: malls (malls) → shops (shops) → products (goods) → fields
// (catalog), with aliases, nested arguments from variables and fragments at
// every level; shop S1 and S3 sit under both malls, P1 under two shops.

func mashupDeepScenario() scenario {
	shopsOf := map[string][]struct {
		id   string
		open bool
	}{
		"M1": {{"S1", true}, {"S2", false}, {"S3", true}},
		"M2": {{"S3", true}, {"S1", true}},
	}
	titles := map[string]string{"S1": "Alpha", "S2": "Beta", "S3": "Gamma"}
	productsOf := map[string][]string{"S1": {"P1", "P2", "P3"}, "S2": {"P2"}, "S3": {"P3", "P1"}}
	names := map[string]string{"P1": "Pen", "P2": "Ink", "P3": "Pad"}
	base := map[string]int{"P1": 2, "P2": 5, "P3": 3}
	echo := func(_ context.Context, rep map[string]any) (any, error) { return rep, nil }
	return scenario{subgraphs: []*testsubgraph.Subgraph{
		{
			Name: "malls",
			SDL:  fed + `type Query { malls: [Mall] } type Mall @key(fields: "id") { id: ID! name: String }`,
			Resolvers: map[string]testsubgraph.Resolver{"Query.malls": list([]any{
				map[string]any{"__typename": "Mall", "id": "M1", "name": "North"},
				map[string]any{"__typename": "Mall", "id": "M2", "name": "South"},
			})},
		},
		{
			Name: "shops",
			SDL: fed + `type Mall @key(fields: "id") { id: ID! shops(open: Boolean): [Shop] }
type Shop @key(fields: "id") { id: ID! title: String }`,
			Resolvers: map[string]testsubgraph.Resolver{
				"Mall.shops": func(_ context.Context, p map[string]any, args map[string]any) (any, error) {
					out := []any{}
					for _, s := range shopsOf[p["id"].(string)] {
						if o, ok := args["open"].(bool); ok && o != s.open {
							continue
						}
						out = append(out, map[string]any{"__typename": "Shop", "id": s.id, "title": titles[s.id]})
					}
					return out, nil
				},
			},
			Entities: map[string]testsubgraph.EntityResolver{"Mall": echo, "Shop": echo},
		},
		{
			Name: "goods",
			SDL: fed + `type Shop @key(fields: "id") { id: ID! products(limit: Int, filter: Filter): [Product] }
type Product @key(fields: "id") { id: ID! }
input Filter { ids: [ID!] }`,
			Resolvers: map[string]testsubgraph.Resolver{
				"Shop.products": func(_ context.Context, p map[string]any, args map[string]any) (any, error) {
					ids := productsOf[p["id"].(string)]
					if f, ok := args["filter"].(map[string]any); ok && f["ids"] != nil {
						var kept []string
						for _, id := range ids {
							for _, want := range f["ids"].([]any) {
								if want == id {
									kept = append(kept, id)
								}
							}
						}
						ids = kept
					}
					if l := args["limit"]; l != nil {
						var n int
						fmt.Sscan(fmt.Sprint(l), &n)
						if n < len(ids) {
							ids = ids[:n]
						}
					}
					out := []any{}
					for _, id := range ids {
						out = append(out, map[string]any{"__typename": "Product", "id": id})
					}
					return out, nil
				},
			},
			Entities: map[string]testsubgraph.EntityResolver{"Shop": echo, "Product": echo},
		},
		{
			Name: "catalog",
			SDL:  fed + `type Product @key(fields: "id") { id: ID! name: String price(currency: String!): Int }`,
			Resolvers: map[string]testsubgraph.Resolver{
				"Product.name": func(_ context.Context, p map[string]any, _ map[string]any) (any, error) {
					return names[p["id"].(string)], nil
				},
				"Product.price": func(_ context.Context, p map[string]any, args map[string]any) (any, error) {
					b := base[p["id"].(string)]
					switch args["currency"] {
					case "EUR":
						return b, nil
					case "USD":
						return 2 * b, nil
					}
					return nil, fmt.Errorf("unknown currency %v", args["currency"])
				},
			},
			Entities: map[string]testsubgraph.EntityResolver{"Product": echo},
		},
	}}
}

// usesVar reports whether the request passes the variable name with value
// want, or writes the value into the document.
func usesVar(req testsubgraph.Request, name string, want any, literal string) bool {
	if v, ok := req.Variables[name]; ok && fmt.Sprint(v) == fmt.Sprint(want) && strings.Contains(req.Query, "$"+name) {
		return true
	}
	return strings.Contains(strings.ReplaceAll(req.Query, " ", ""), literal)
}

func TestAuditMashupDeepNesting(t *testing.T) {
	t.Parallel()
	const deep = `query Deep($open: Boolean, $limit: Int, $cur: String!) {
  m: malls { mid: id ...MallF }
}
fragment MallF on Mall { n: name s: shops(open: $open) { ... on Shop { sid: id t: title } items: products(limit: $limit) { ...ProdF } } }
fragment ProdF on Product { pid: id ... on Product { nm: name cost: price(currency: $cur) } eur: price(currency: "EUR") }`
	p1 := `{"pid":"P1","nm":"Pen","cost":4,"eur":2}`
	p2 := `{"pid":"P2","nm":"Ink","cost":10,"eur":5}`
	p3 := `{"pid":"P3","nm":"Pad","cost":6,"eur":3}`
	s1 := `{"sid":"S1","t":"Alpha","items":[` + p1 + `,` + p2 + `]}`
	s3 := `{"sid":"S3","t":"Gamma","items":[` + p3 + `,` + p1 + `]}`
	run(t, mashupDeepScenario(), []tcase{
		{
			name:     "three levels of entity lists, aliases, fragments and variables at every level",
			query:    deep,
			vars:     map[string]any{"open": true, "limit": 2, "cur": "USD"},
			data:     `{"m":[{"mid":"M1","n":"North","s":[` + s1 + `,` + s3 + `]},{"mid":"M2","n":"South","s":[` + s3 + `,` + s1 + `]}]}`,
			requests: map[string]int{"malls": 1, "shops": 1, "goods": 1, "catalog": 1},
			check: func(t *testing.T, got map[string][]testsubgraph.Request) {
				if !usesVar(got["shops"][0], "open", true, "shops(open:true)") {
					t.Errorf("shops request does not pass open: %+v", got["shops"][0])
				}
				if !usesVar(got["goods"][0], "limit", 2, "products(limit:2)") {
					t.Errorf("goods request does not pass limit: %+v", got["goods"][0])
				}
				if !usesVar(got["catalog"][0], "cur", "USD", `price(currency:"USD")`) {
					t.Errorf("catalog request does not pass cur: %+v", got["catalog"][0])
				}
				if k := repKeys(t, got["catalog"], 0, "id"); k != "P1,P2,P3" {
					t.Errorf("catalog got %s, want each product once", k)
				}
				if k := repKeys(t, got["goods"], 0, "id"); k != "S1,S3" {
					t.Errorf("goods got %s, want each shop once", k)
				}
			},
		},
		{
			name:  "nullable variables left out: arguments are absent, all shops and products",
			query: `query($cur: String!, $open: Boolean, $limit: Int) { malls { shops(open: $open) { id products(limit: $limit) { price(currency: $cur) } } } }`,
			vars:  map[string]any{"cur": "EUR"},
			data: `{"malls":[{"shops":[{"id":"S1","products":[{"price":2},{"price":5},{"price":3}]},{"id":"S2","products":[{"price":5}]},{"id":"S3","products":[{"price":3},{"price":2}]}]},
				{"shops":[{"id":"S3","products":[{"price":3},{"price":2}]},{"id":"S1","products":[{"price":2},{"price":5},{"price":3}]}]}]}`,
		},
		{
			name:     "include false at the second level: no deeper fetch",
			query:    `query($cur: String!, $with: Boolean!) { malls { name shops { title products @include(if: $with) { name price(currency: $cur) } } } }`,
			vars:     map[string]any{"cur": "EUR", "with": false},
			data:     `{"malls":[{"name":"North","shops":[{"title":"Alpha"},{"title":"Beta"},{"title":"Gamma"}]},{"name":"South","shops":[{"title":"Gamma"},{"title":"Alpha"}]}]}`,
			requests: map[string]int{"malls": 1, "shops": 1, "goods": 0, "catalog": 0},
		},
		{
			name:  "include true at the second level",
			query: `query($cur: String!, $with: Boolean!) { malls { name shops { title products @include(if: $with) { name price(currency: $cur) } } } }`,
			vars:  map[string]any{"cur": "EUR", "with": true},
			data: `{"malls":[{"name":"North","shops":[{"title":"Alpha","products":[{"name":"Pen","price":2},{"name":"Ink","price":5},{"name":"Pad","price":3}]},{"title":"Beta","products":[{"name":"Ink","price":5}]},{"title":"Gamma","products":[{"name":"Pad","price":3},{"name":"Pen","price":2}]}]},
				{"name":"South","shops":[{"title":"Gamma","products":[{"name":"Pad","price":3},{"name":"Pen","price":2}]},{"title":"Alpha","products":[{"name":"Pen","price":2},{"name":"Ink","price":5},{"name":"Pad","price":3}]}]}]}`,
			requests: map[string]int{"malls": 1, "shops": 1, "goods": 1, "catalog": 1},
		},
		{
			name:  "the same field twice with different sub-selections is merged at every level",
			query: `{ malls { shops(open: true) { products(limit: 1) { name } } shops(open: true) { id products(limit: 1) { p: price(currency: "USD") } } } }`,
			data:  `{"malls":[{"shops":[{"products":[{"name":"Pen","p":4}],"id":"S1"},{"products":[{"name":"Pad","p":6}],"id":"S3"}]},{"shops":[{"products":[{"name":"Pad","p":6}],"id":"S3"},{"products":[{"name":"Pen","p":4}],"id":"S1"}]}]}`,
		},
		{
			name:  "one entity at many positions with per-position aliases and arguments",
			query: `query($a: Int, $b: Int) { malls { first: shops(open: true) { top: products(limit: $a) { name } } all: shops { top: products(limit: $b) { id } } } }`,
			vars:  map[string]any{"a": 1, "b": 1},
			data: `{"malls":[{"first":[{"top":[{"name":"Pen"}]},{"top":[{"name":"Pad"}]}],"all":[{"top":[{"id":"P1"}]},{"top":[{"id":"P2"}]},{"top":[{"id":"P3"}]}]},
				{"first":[{"top":[{"name":"Pad"}]},{"top":[{"name":"Pen"}]}],"all":[{"top":[{"id":"P3"}]},{"top":[{"id":"P1"}]}]}]}`,
		},
		{
			name:  "different arguments for the same field of the same entity under two aliases",
			query: `query($a: Int, $b: Int) { malls { shops(open: true) { few: products(limit: $a) { name } many: products(limit: $b) { nm: name } } } }`,
			vars:  map[string]any{"a": 1, "b": 3},
			data: `{"malls":[{"shops":[{"few":[{"name":"Pen"}],"many":[{"nm":"Pen"},{"nm":"Ink"},{"nm":"Pad"}]},{"few":[{"name":"Pad"}],"many":[{"nm":"Pad"},{"nm":"Pen"}]}]},
				{"shops":[{"few":[{"name":"Pad"}],"many":[{"nm":"Pad"},{"nm":"Pen"}]},{"few":[{"name":"Pen"}],"many":[{"nm":"Pen"},{"nm":"Ink"},{"nm":"Pad"}]}]}]}`,
		},
	})
}

// ---------------------------------------------------------------------------
// 3. split: orders → lines → product → reviews → by (User | Bot) → orders inside
// the shop subgraph, with @requires (Product.total needs catalog's price),
// @provides (Line.featured provides name), a union and @skip/@include at the
// cut points. Every split depth must give the hand-computed answer.

func mashupSplitScenario(depth int) scenario {
	type line struct {
		qty int
		upc string
	}
	orders := map[string][]line{"O1": {{1, "p1"}, {2, "p2"}}, "O2": {{3, "p1"}}, "O3": {{1, "p2"}, {1, "p1"}}}
	ordersOf := map[string][]string{"u1": {"O1", "O3"}, "u2": {"O2"}}
	type review struct{ id, upc, by, body string }
	reviews := []review{{"r1", "p1", "u1", "good"}, {"r2", "p1", "", "hi"}, {"r3", "p2", "u2", "meh"}}
	orderObj := func(id string) map[string]any {
		ls := []any{}
		for _, l := range orders[id] {
			ls = append(ls, map[string]any{
				"qty":      l.qty,
				"product":  map[string]any{"__typename": "Product", "upc": l.upc},
				"featured": map[string]any{"__typename": "Product", "upc": l.upc, "name": "Featured " + l.upc},
			})
		}
		return map[string]any{"__typename": "Order", "id": id, "lines": ls}
	}
	reviewObj := func(r review) map[string]any {
		by := map[string]any{"__typename": "Bot", "handle": "b0"}
		if r.by != "" {
			by = map[string]any{"__typename": "User", "id": r.by}
		}
		return map[string]any{"__typename": "Review", "id": r.id, "body": r.body, "by": by}
	}
	return scenario{splitDepth: depth, subgraphs: []*testsubgraph.Subgraph{
		{
			Name: "shop",
			SDL: fed + `type Query { orders: [Order!]! }
type Order @key(fields: "id") { id: ID! lines: [Line!]! }
type Line { qty: Int! product: Product! featured: Product! @provides(fields: "name") }
type Product @key(fields: "upc") { upc: String! name: String! @external price: Int! @external reviews: [Review!]! total: Int! @requires(fields: "price") }
type Review @key(fields: "id") { id: ID! body: String! by: Poster! }
union Poster = User | Bot
type Bot { handle: String! }
type User @key(fields: "id") { id: ID! orders(first: Int): [Order!]! }`,
			Resolvers: map[string]testsubgraph.Resolver{
				"Query.orders": list([]any{orderObj("O1"), orderObj("O2"), orderObj("O3")}),
				"Product.reviews": func(_ context.Context, p map[string]any, _ map[string]any) (any, error) {
					out := []any{}
					for _, r := range reviews {
						if r.upc == p["upc"] {
							out = append(out, reviewObj(r))
						}
					}
					return out, nil
				},
				"Product.total": func(_ context.Context, p map[string]any, _ map[string]any) (any, error) {
					price, ok := p["price"].(float64)
					if !ok {
						return nil, fmt.Errorf("total without price: %v", p)
					}
					return int(price) * 2, nil
				},
				"User.orders": func(_ context.Context, p map[string]any, args map[string]any) (any, error) {
					out := []any{}
					ids := ordersOf[p["id"].(string)]
					if f := args["first"]; f != nil {
						var n int
						fmt.Sscan(fmt.Sprint(f), &n)
						if n < len(ids) {
							ids = ids[:n]
						}
					}
					for _, id := range ids {
						out = append(out, orderObj(id))
					}
					return out, nil
				},
			},
			Entities: map[string]testsubgraph.EntityResolver{
				"Order":   func(_ context.Context, rep map[string]any) (any, error) { return orderObj(rep["id"].(string)), nil },
				"Product": func(_ context.Context, rep map[string]any) (any, error) { return rep, nil },
				"User":    func(_ context.Context, rep map[string]any) (any, error) { return rep, nil },
				"Review": func(_ context.Context, rep map[string]any) (any, error) {
					for _, r := range reviews {
						if r.id == rep["id"] {
							return reviewObj(r), nil
						}
					}
					return nil, nil
				},
			},
		},
		{
			Name: "catalog",
			SDL:  fed + `type Product @key(fields: "upc") { upc: String! name: String! @shareable price: Int! }`,
			Entities: map[string]testsubgraph.EntityResolver{"Product": byKey("Product", "upc", map[string]map[string]any{
				"p1": {"name": "Phone", "price": 100}, "p2": {"name": "Case", "price": 10},
			})},
		},
		{
			Name: "accounts",
			SDL:  fed + `type User @key(fields: "id") { id: ID! name: String! }`,
			Entities: map[string]testsubgraph.EntityResolver{"User": byKey("User", "id", map[string]map[string]any{
				"u1": {"name": "Ann"}, "u2": {"name": "Bob"},
			})},
		},
	}}
}

// mashupSplitCases are the split scenario's cases; their answers are computed
// by hand from the data above.
func mashupSplitCases() []tcase {
	// orders → lines → product, with products p1, p2 at positions.
	ordersWith := func(product func(upc string) string, extra string) string {
		lines := func(ls ...[2]string) string {
			var out []string
			for _, l := range ls {
				out = append(out, fmt.Sprintf(`{"qty":%s,"product":%s%s}`, l[0], product(l[1]), extra))
			}
			return "[" + strings.Join(out, ",") + "]"
		}
		return `{"orders":[{"id":"O1","lines":` + lines([2]string{"1", "p1"}, [2]string{"2", "p2"}) +
			`},{"id":"O2","lines":` + lines([2]string{"3", "p1"}) +
			`},{"id":"O3","lines":` + lines([2]string{"1", "p2"}, [2]string{"1", "p1"}) + `}]}`
	}
	name := map[string]string{"p1": "Phone", "p2": "Case"}
	deepReviews := map[string]string{
		"p1": `[{"body":"good","by":{"__typename":"User","name":"Ann","orders":[{"id":"O1","lines":[{"qty":1},{"qty":2}]},{"id":"O3","lines":[{"qty":1},{"qty":1}]}]}},{"body":"hi","by":{"__typename":"Bot","handle":"b0"}}]`,
		"p2": `[{"body":"meh","by":{"__typename":"User","name":"Bob","orders":[{"id":"O2","lines":[{"qty":3}]}]}}]`,
	}
	const deepQ = `query($deep: Boolean!) { orders { id lines { qty product { upc name reviews @include(if: $deep) { body by { __typename ... on User { name orders { id lines { qty } } } ... on Bot { handle } } } } } } }`

	// requires at the cut: p1 total 200, p2 total 20; the authors' orders'
	// products again.
	total := map[string]string{"p1": "200", "p2": "20"}
	authorsProducts := map[string]string{
		// u1's orders O1 (p1, p2), O3 (p2, p1)
		"u1": `{"orders":[{"lines":[{"product":{"upc":"p1","total":200}},{"product":{"upc":"p2","total":20}}]},{"lines":[{"product":{"upc":"p2","total":20}},{"product":{"upc":"p1","total":200}}]}]}`,
		"u2": `{"orders":[{"lines":[{"product":{"upc":"p1","total":200}}]}]}`,
	}
	reqReviews := map[string]string{
		"p1": `[{"by":` + authorsProducts["u1"] + `},{"by":{}}]`,
		"p2": `[{"by":` + authorsProducts["u2"] + `}]`,
	}

	return []tcase{
		{
			name:  "deep walk through product, reviews, a union and back to orders",
			query: deepQ,
			vars:  map[string]any{"deep": true},
			data: ordersWith(func(upc string) string {
				return fmt.Sprintf(`{"upc":%q,"name":%q,"reviews":%s}`, upc, name[upc], deepReviews[upc])
			}, ""),
		},
		{
			name:  "include false at the cut point",
			query: deepQ,
			vars:  map[string]any{"deep": false},
			data: ordersWith(func(upc string) string {
				return fmt.Sprintf(`{"upc":%q,"name":%q}`, upc, name[upc])
			}, ""),
		},
		{
			name:  "requires on the entity at the cut point and again deeper",
			query: `{ orders { id lines { qty product { upc total reviews { by { ... on User { orders { lines { product { upc total } } } } } } } } } }`,
			data: ordersWith(func(upc string) string {
				return fmt.Sprintf(`{"upc":%q,"total":%s,"reviews":%s}`, upc, total[upc], reqReviews[upc])
			}, ""),
		},
		{
			name:  "provided object under the list is kept with its provided name",
			query: `{ orders { id lines { qty product { upc } featured { name reviews { by { ... on User { orders { id } } } } } } } }`,
			data:  ordersWith(func(upc string) string { return fmt.Sprintf(`{"upc":%q}`, upc) }, "") + "",
		},
		{
			name:  "skip on the reference itself at the cut point",
			query: `query($s: Boolean!) { orders { id lines { qty product @skip(if: $s) { upc reviews { body } } } } }`,
			vars:  map[string]any{"s": true},
			data:  `{"orders":[{"id":"O1","lines":[{"qty":1},{"qty":2}]},{"id":"O2","lines":[{"qty":3}]},{"id":"O3","lines":[{"qty":1},{"qty":1}]}]}`,
		},
		{
			name:  "skip false on the reference at the cut point, and a fragment with a condition inside",
			query: `query($s: Boolean!) { orders { id lines { qty product @skip(if: $s) { upc ... on Product @include(if: true) { reviews { body } } } } } }`,
			vars:  map[string]any{"s": false},
			data: ordersWith(func(upc string) string {
				if upc == "p1" {
					return `{"upc":"p1","reviews":[{"body":"good"},{"body":"hi"}]}`
				}
				return `{"upc":"p2","reviews":[{"body":"meh"}]}`
			}, ""),
		},
		{
			name:  "union member fields and typename at the cut point under aliases",
			query: `{ orders { lines { p: product { rs: reviews { who: by { t: __typename ... on User { i: id n: name o: orders { id } } ... on Bot { h: handle } } } } } } }`,
			data: func() string {
				rs := map[string]string{
					"p1": `{"rs":[{"who":{"t":"User","i":"u1","n":"Ann","o":[{"id":"O1"},{"id":"O3"}]}},{"who":{"t":"Bot","h":"b0"}}]}`,
					"p2": `{"rs":[{"who":{"t":"User","i":"u2","n":"Bob","o":[{"id":"O2"}]}}]}`,
				}
				l := func(upcs ...string) string {
					var out []string
					for _, u := range upcs {
						out = append(out, `{"p":`+rs[u]+`}`)
					}
					return "[" + strings.Join(out, ",") + "]"
				}
				return `{"orders":[{"lines":` + l("p1", "p2") + `},{"lines":` + l("p1") + `},{"lines":` + l("p2", "p1") + `}]}`
			}(),
		},
	}
}

func TestAuditMashupSplit(t *testing.T) {
	t.Parallel()
	// The provided case's data: the products are only {upc}, the featured
	// objects carry the provided name and the reviews.
	cases := mashupSplitCases()
	for i := range cases {
		if strings.HasPrefix(cases[i].name, "provided object") {
			prov := map[string]string{
				"p1": `{"name":"Featured p1","reviews":[{"by":{"orders":[{"id":"O1"},{"id":"O3"}]}},{"by":{}}]}`,
				"p2": `{"name":"Featured p2","reviews":[{"by":{"orders":[{"id":"O2"}]}}]}`,
			}
			l := func(ls ...[2]string) string {
				var out []string
				for _, x := range ls {
					out = append(out, fmt.Sprintf(`{"qty":%s,"product":{"upc":%q},"featured":%s}`, x[0], x[1], prov[x[1]]))
				}
				return "[" + strings.Join(out, ",") + "]"
			}
			cases[i].data = `{"orders":[{"id":"O1","lines":` + l([2]string{"1", "p1"}, [2]string{"2", "p2"}) +
				`},{"id":"O2","lines":` + l([2]string{"3", "p1"}) +
				`},{"id":"O3","lines":` + l([2]string{"1", "p2"}, [2]string{"1", "p1"}) + `}]}`
			cases[i].requests = map[string]int{"catalog": 0}
		}
	}
	for _, depth := range []int{-1, 1, 2, 0} {
		t.Run(fmt.Sprintf("depth%d", depth), func(t *testing.T) {
			t.Parallel()
			run(t, mashupSplitScenario(depth), cases)
		})
	}
}

// ---------------------------------------------------------------------------
// 4. value types shared by two subgraphs, nested: Store → [Section] → Layout →
// Size (with arguments), an entity below the value types, and value types
// under an entity (Item → Spec → [Part]) with an entity below them.

func mashupValueScenario() scenario {
	itemsA := map[string]map[string]any{
		"I1": {"spec": map[string]any{"parts": []any{map[string]any{"label": "lid"}, map[string]any{"label": "base"}}}},
		"I2": {"spec": map[string]any{"parts": []any{map[string]any{"label": "top"}}}},
	}
	layoutA := func(rows, wcm, win int, feature string) map[string]any {
		return map[string]any{"rows": rows, "sizes": map[string]any{"cm": map[string]any{"w": wcm}, "in": map[string]any{"w": win}},
			"feature": map[string]any{"__typename": "Item", "id": feature, "spec": itemsA[feature]["spec"]}}
	}
	layoutB := func(cols, hcm, hin int) map[string]any {
		return map[string]any{"cols": cols, "sizes": map[string]any{"cm": map[string]any{"h": hcm}, "in": map[string]any{"h": hin}}}
	}
	size := func(_ context.Context, p map[string]any, args map[string]any) (any, error) {
		return p["sizes"].(map[string]any)[args["unit"].(string)], nil
	}
	part := func(kg int, maker string) map[string]any {
		return map[string]any{"weights": map[string]any{"kg": kg, "g": kg * 1000}, "maker": map[string]any{"__typename": "Maker", "id": maker}}
	}
	itemsB := map[string]map[string]any{
		"I1": {"spec": map[string]any{"parts": []any{part(1, "M1"), part(2, "M2")}}},
		"I2": {"spec": map[string]any{"parts": []any{part(5, "M1")}}},
	}
	return scenario{subgraphs: []*testsubgraph.Subgraph{
		{
			Name: "a",
			SDL: fed + `type Query { store: Store @shareable item(id: ID!): Item items: [Item] }
type Store @shareable { name: String sections: [Section] }
type Section @shareable { title: String layout: Layout tags: [Tag] }
type Tag @shareable { name: String }
type Layout @shareable { rows: Int size(unit: String!): Size feature: Item }
type Size @shareable { w: Int }
type Item @key(fields: "id") { id: ID! spec: Spec @shareable }
type Spec @shareable { parts: [Part] }
type Part @shareable { label: String }`,
			Resolvers: map[string]testsubgraph.Resolver{
				"Query.store": list(map[string]any{"name": "Shop", "sections": []any{
					map[string]any{"title": "Front", "layout": layoutA(2, 10, 4, "I1"), "tags": []any{map[string]any{"name": "new"}, nil, map[string]any{"name": "hot"}}},
					nil,
					map[string]any{"title": "Back", "layout": layoutA(5, 20, 8, "I2"), "tags": []any{}},
				}}),
				"Query.items": func(context.Context, map[string]any, map[string]any) (any, error) {
					out := []any{}
					for _, id := range []string{"I1", "", "I2", "I1"} {
						if id == "" {
							out = append(out, nil)
							continue
						}
						out = append(out, map[string]any{"__typename": "Item", "id": id, "spec": itemsA[id]["spec"]})
					}
					return out, nil
				},
				"Query.item": func(_ context.Context, _ map[string]any, args map[string]any) (any, error) {
					id := args["id"].(string)
					if itemsA[id] == nil {
						return nil, nil
					}
					return map[string]any{"__typename": "Item", "id": id, "spec": itemsA[id]["spec"]}, nil
				},
				"Layout.size": size,
			},
			Entities: map[string]testsubgraph.EntityResolver{"Item": byKey("Item", "id", itemsA)},
		},
		{
			Name: "b",
			SDL: fed + `type Query { store: Store @shareable }
type Store @shareable { sections: [Section] }
type Section @shareable { layout: Layout tags: [Tag] }
type Tag @shareable { color(shade: String): String }
type Layout @shareable { cols: Int size(unit: String!): Size }
type Size @shareable { h: Int }
type Item @key(fields: "id") { id: ID! spec: Spec @shareable }
type Spec @shareable { parts: [Part] }
type Part @shareable { weight(unit: String!): Int maker: Maker }
type Maker @key(fields: "id") { id: ID! }`,
			Resolvers: map[string]testsubgraph.Resolver{
				"Query.store": list(map[string]any{"sections": []any{
					map[string]any{"layout": layoutB(3, 30, 12), "tags": []any{map[string]any{"color": "red"}, nil, map[string]any{"color": "blue"}}},
					nil,
					map[string]any{"layout": layoutB(6, 40, 16), "tags": []any{}},
				}}),
				"Layout.size": size,
				"Tag.color": func(_ context.Context, p map[string]any, args map[string]any) (any, error) {
					if args["shade"] != nil {
						return fmt.Sprint(args["shade"], " ", p["color"]), nil
					}
					return p["color"], nil
				},
				"Part.weight": func(_ context.Context, p map[string]any, args map[string]any) (any, error) {
					return p["weights"].(map[string]any)[args["unit"].(string)], nil
				},
			},
			Entities: map[string]testsubgraph.EntityResolver{"Item": byKey("Item", "id", itemsB)},
		},
		{
			Name: "c",
			SDL: fed + `type Item @key(fields: "id") { id: ID! name: String }
type Maker @key(fields: "id") { id: ID! name: String }`,
			Entities: map[string]testsubgraph.EntityResolver{
				"Item":  byKey("Item", "id", map[string]map[string]any{"I1": {"name": "Box"}, "I2": {"name": "Crate"}}),
				"Maker": byKey("Maker", "id", map[string]map[string]any{"M1": {"name": "Acme"}, "M2": {"name": "Bolt"}}),
			},
		},
	}}
}

func TestAuditMashupValueTypes(t *testing.T) {
	t.Parallel()
	run(t, mashupValueScenario(), []tcase{
		{
			name:  "value type inside value type inside a list, arguments, aliases and an entity below",
			query: `{ store { name s: sections { t: title l: layout { rows cols cm: size(unit: "cm") { w h } inch: size(unit: "in") { w h } feature { id name } } } } }`,
			data: `{"store":{"name":"Shop","s":[{"t":"Front","l":{"rows":2,"cols":3,"cm":{"w":10,"h":30},"inch":{"w":4,"h":12},"feature":{"id":"I1","name":"Box"}}},null,
				{"t":"Back","l":{"rows":5,"cols":6,"cm":{"w":20,"h":40},"inch":{"w":8,"h":16},"feature":{"id":"I2","name":"Crate"}}}]}}`,
			requests: map[string]int{"a": 1, "b": 1, "c": 1},
		},
		{
			name:     "only the second subgraph's fields under the nested value types",
			query:    `{ store { sections { layout { cols big: size(unit: "cm") { h } } } } }`,
			data:     `{"store":{"sections":[{"layout":{"cols":3,"big":{"h":30}}},null,{"layout":{"cols":6,"big":{"h":40}}}]}}`,
			requests: map[string]int{"a": 0, "b": 1, "c": 0},
		},
		{
			name:     "the same argument-taking field under two aliases, each from both subgraphs",
			query:    `{ store { sections { layout { x: size(unit: "in") { h } y: size(unit: "cm") { w } z: size(unit: "in") { w } } } } }`,
			data:     `{"store":{"sections":[{"layout":{"x":{"h":12},"y":{"w":10},"z":{"w":4}}},null,{"layout":{"x":{"h":16},"y":{"w":20},"z":{"w":8}}}]}}`,
			requests: map[string]int{"a": 1, "b": 1},
		},
		{
			name:     "value types under an entity, an entity below them",
			query:    `{ item(id: "I1") { name spec { parts { label w: weight(unit: "kg") g: weight(unit: "g") maker { name } } } } }`,
			data:     `{"item":{"name":"Box","spec":{"parts":[{"label":"lid","w":1,"g":1000,"maker":{"name":"Acme"}},{"label":"base","w":2,"g":2000,"maker":{"name":"Bolt"}}]}}}`,
			requests: map[string]int{"a": 1, "b": 1},
		},
		{
			name:     "entity below a shared value type, then value types under that entity",
			query:    `{ store { sections { layout { feature { spec { parts { label weight(unit: "kg") maker { id } } } } } } } }`,
			data:     `{"store":{"sections":[{"layout":{"feature":{"spec":{"parts":[{"label":"lid","weight":1,"maker":{"id":"M1"}},{"label":"base","weight":2,"maker":{"id":"M2"}}]}}}},null,{"layout":{"feature":{"spec":{"parts":[{"label":"top","weight":5,"maker":{"id":"M1"}}]}}}}]}}`,
			requests: map[string]int{"a": 1, "b": 1, "c": 0},
		},
		{
			name:     "list of value types inside a list of value types, merged item by item, with arguments",
			query:    `query($shade: String) { store { sections { title tags { name color dark: color(shade: $shade) } } } }`,
			vars:     map[string]any{"shade": "dark"},
			data:     `{"store":{"sections":[{"title":"Front","tags":[{"name":"new","color":"red","dark":"dark red"},null,{"name":"hot","color":"blue","dark":"dark blue"}]},null,{"title":"Back","tags":[]}]}}`,
			requests: map[string]int{"a": 1, "b": 1, "c": 0},
		},
		{
			name:     "value types under a list of entities with repeats and a null",
			query:    `{ items { id spec { parts { label g: weight(unit: "g") maker { name } } } } }`,
			data:     `{"items":[{"id":"I1","spec":{"parts":[{"label":"lid","g":1000,"maker":{"name":"Acme"}},{"label":"base","g":2000,"maker":{"name":"Bolt"}}]}},null,{"id":"I2","spec":{"parts":[{"label":"top","g":5000,"maker":{"name":"Acme"}}]}},{"id":"I1","spec":{"parts":[{"label":"lid","g":1000,"maker":{"name":"Acme"}},{"label":"base","g":2000,"maker":{"name":"Bolt"}}]}}]}`,
			requests: map[string]int{"a": 1, "b": 1, "c": 1},
			check: func(t *testing.T, got map[string][]testsubgraph.Request) {
				if k := repKeys(t, got["b"], 0, "id"); k != "I1,I2" {
					t.Errorf("b got %s, want I1,I2 once each", k)
				}
			},
		},
		{
			name:  "fragments on the value types",
			query: `{ store { sections { ...S } } } fragment S on Section { layout { ... on Layout { cols } ...L } } fragment L on Layout { rows size(unit: "cm") { ... on Size { h w } } }`,
			data:  `{"store":{"sections":[{"layout":{"cols":3,"rows":2,"size":{"h":30,"w":10}}},null,{"layout":{"cols":6,"rows":5,"size":{"h":40,"w":20}}}]}}`,
		},
	})
}

// ---------------------------------------------------------------------------
// 5. entity fetches for representations that share a key value across types,
// repeat, are null, or come back null or without fields.

func mashupMediaScenario() scenario {
	m := func(tn, id, title string) map[string]any {
		return map[string]any{"__typename": tn, "id": id, "title": title}
	}
	return scenario{subgraphs: []*testsubgraph.Subgraph{
		{
			Name: "a",
			SDL: fed + `type Query { feed: [Media] shelves: [[Media]!] }
interface Media { id: ID! title: String }
type Book implements Media @key(fields: "id") { id: ID! title: String }
type Movie implements Media @key(fields: "id") { id: ID! title: String }`,
			Resolvers: map[string]testsubgraph.Resolver{
				"Query.feed": list([]any{m("Book", "1", "B1"), m("Movie", "1", "M1"), m("Book", "1", "B1"), nil, m("Movie", "2", "M2"), m("Book", "3", "B3"), m("Movie", "1", "M1")}),
				"Query.shelves": list([]any{
					[]any{m("Movie", "1", "M1"), nil, m("Book", "1", "B1")},
					[]any{},
					[]any{m("Book", "3", "B3"), m("Movie", "1", "M1"), m("Movie", "2", "M2")},
				}),
			},
		},
		{
			Name: "b",
			SDL: fed + `type Book @key(fields: "id") { id: ID! rating: Int }
type Movie @key(fields: "id") { id: ID! rating: Int title: String @external blurb: String @requires(fields: "title") }`,
			Entities: map[string]testsubgraph.EntityResolver{
				"Book": func(_ context.Context, rep map[string]any) (any, error) {
					switch rep["id"] {
					case "1":
						return map[string]any{"__typename": "Book", "id": "1", "rating": 5}, nil
					case "3": // known, but without a rating
						return map[string]any{"__typename": "Book", "id": "3"}, nil
					}
					return nil, nil
				},
				"Movie": func(_ context.Context, rep map[string]any) (any, error) {
					if rep["id"] != "1" {
						return nil, nil
					}
					return map[string]any{"__typename": "Movie", "id": "1", "rating": 9, "blurb": fmt.Sprint(rep["title"], "!")}, nil
				},
			},
		},
	}}
}

func TestAuditMashupEntityPositions(t *testing.T) {
	t.Parallel()
	run(t, mashupMediaScenario(), []tcase{
		{
			name:  "same id in two types, repeated, null items, unknown and field-less entities",
			query: `{ feed { __typename id title ... on Book { rating } ... on Movie { r: rating } } }`,
			data: `{"feed":[{"__typename":"Book","id":"1","title":"B1","rating":5},{"__typename":"Movie","id":"1","title":"M1","r":9},{"__typename":"Book","id":"1","title":"B1","rating":5},null,
				{"__typename":"Movie","id":"2","title":"M2","r":null},{"__typename":"Book","id":"3","title":"B3","rating":null},{"__typename":"Movie","id":"1","title":"M1","r":9}]}`,
			requests: map[string]int{"a": 1, "b": 1},
			check: func(t *testing.T, got map[string][]testsubgraph.Request) {
				var keys []string
				for _, r := range reps(t, got["b"], 0) {
					m := r.(map[string]any)
					keys = append(keys, fmt.Sprint(m["__typename"], m["id"]))
				}
				if len(keys) != 4 {
					t.Errorf("b got representations %v, want Book1 Movie1 Movie2 Book3 once each", keys)
				}
			},
		},
		{
			name:  "requires on a repeated entity, and the same field under an alias only for one type",
			query: `{ feed { ... on Movie { blurb rating } ... on Book { blurb: title } } }`,
			data:  `{"feed":[{"blurb":"B1"},{"blurb":"M1!","rating":9},{"blurb":"B1"},null,{"blurb":null,"rating":null},{"blurb":"B3"},{"blurb":"M1!","rating":9}]}`,
		},
		{
			name:  "list of lists with an empty list and a null item",
			query: `{ shelves { id ... on Media { rating: title } ... on Movie { score: rating } ... on Book { score: rating } } }`,
			data: `{"shelves":[[{"id":"1","rating":"M1","score":9},null,{"id":"1","rating":"B1","score":5}],[],
				[{"id":"3","rating":"B3","score":null},{"id":"1","rating":"M1","score":9},{"id":"2","rating":"M2","score":null}]]}`,
			requests: map[string]int{"a": 1, "b": 1},
		},
	})
}

// ---------------------------------------------------------------------------
// 6. a → b → a → b: users (a) → score, posts (b) → title, author (a) → score (b),
// with entity fetches of one subgraph at one stage merged.

func mashupPingPongScenario() scenario {
	users := map[string]map[string]any{
		"u1": {"name": "Ann", "friend": "u2", "score": 10, "posts": []string{"t1"}},
		"u2": {"name": "Bob", "friend": "u3", "score": 20, "posts": []string{"t2", "t3"}},
		"u3": {"name": "Cid", "friend": nil, "score": 30, "posts": []string{}},
	}
	posts := map[string]map[string]any{
		"t1": {"title": "T1", "author": "u2", "likes": 1},
		"t2": {"title": "T2", "author": "u1", "likes": 2},
		"t3": {"title": "T3", "author": "u3", "likes": 3},
	}
	uref := func(id any) any {
		if id == nil {
			return nil
		}
		return map[string]any{"__typename": "User", "id": id}
	}
	return scenario{subgraphs: []*testsubgraph.Subgraph{
		{
			Name: "a",
			SDL: fed + `type Query { users: [User!]! }
type User @key(fields: "id") { id: ID! name: String! friend: User }
type Post @key(fields: "id") { id: ID! title: String! author: User! }`,
			Resolvers: map[string]testsubgraph.Resolver{
				"Query.users": list([]any{uref("u1"), uref("u2"), uref("u3")}),
				"User.name": func(_ context.Context, p map[string]any, _ map[string]any) (any, error) {
					return users[p["id"].(string)]["name"], nil
				},
				"User.friend": func(_ context.Context, p map[string]any, _ map[string]any) (any, error) {
					return uref(users[p["id"].(string)]["friend"]), nil
				},
				"Post.title": func(_ context.Context, p map[string]any, _ map[string]any) (any, error) {
					return posts[p["id"].(string)]["title"], nil
				},
				"Post.author": func(_ context.Context, p map[string]any, _ map[string]any) (any, error) {
					return uref(posts[p["id"].(string)]["author"]), nil
				},
			},
			Entities: map[string]testsubgraph.EntityResolver{
				"User": func(_ context.Context, rep map[string]any) (any, error) { return rep, nil },
				"Post": func(_ context.Context, rep map[string]any) (any, error) { return rep, nil },
			},
		},
		{
			Name: "b",
			SDL: fed + `type User @key(fields: "id") { id: ID! score: Int! posts: [Post!]! }
type Post @key(fields: "id") { id: ID! likes: Int! }`,
			Resolvers: map[string]testsubgraph.Resolver{
				"User.score": func(_ context.Context, p map[string]any, _ map[string]any) (any, error) {
					return users[p["id"].(string)]["score"], nil
				},
				"User.posts": func(_ context.Context, p map[string]any, _ map[string]any) (any, error) {
					out := []any{}
					for _, id := range users[p["id"].(string)]["posts"].([]string) {
						out = append(out, map[string]any{"__typename": "Post", "id": id})
					}
					return out, nil
				},
				"Post.likes": func(_ context.Context, p map[string]any, _ map[string]any) (any, error) {
					return posts[p["id"].(string)]["likes"], nil
				},
			},
			Entities: map[string]testsubgraph.EntityResolver{
				"User": func(_ context.Context, rep map[string]any) (any, error) { return rep, nil },
				"Post": func(_ context.Context, rep map[string]any) (any, error) { return rep, nil },
			},
		},
	}}
}

func TestAuditMashupPingPong(t *testing.T) {
	t.Parallel()
	run(t, mashupPingPongScenario(), []tcase{
		{
			name:     "a → b → a → b",
			query:    `{ users { name score posts { title author { name score } } } }`,
			data:     `{"users":[{"name":"Ann","score":10,"posts":[{"title":"T1","author":{"name":"Bob","score":20}}]},{"name":"Bob","score":20,"posts":[{"title":"T2","author":{"name":"Ann","score":10}},{"title":"T3","author":{"name":"Cid","score":30}}]},{"name":"Cid","score":30,"posts":[]}]}`,
			requests: map[string]int{"a": 2, "b": 2},
			check: func(t *testing.T, got map[string][]testsubgraph.Request) {
				if k := repKeys(t, got["b"], 1, "id"); k != "u1,u2,u3" {
					t.Errorf("second b call got %s, want the three authors once each", k)
				}
			},
		},
		{
			// users and their friends are the same entities of b at the same
			// stage; the posts' authors and their friends too.
			name:     "entity fetches of one stage on one subgraph are merged",
			query:    `{ users { score friend { score name } posts { likes title author { score friend { score } } } } }`,
			data:     `{"users":[{"score":10,"friend":{"score":20,"name":"Bob"},"posts":[{"likes":1,"title":"T1","author":{"score":20,"friend":{"score":30}}}]},{"score":20,"friend":{"score":30,"name":"Cid"},"posts":[{"likes":2,"title":"T2","author":{"score":10,"friend":{"score":20}}},{"likes":3,"title":"T3","author":{"score":30,"friend":null}}]},{"score":30,"friend":null,"posts":[]}]}`,
			requests: map[string]int{"a": 2, "b": 2},
		},
		{
			name:     "a → b → a → b → a",
			query:    `{ users { posts { author { posts { author { name } } } } } }`,
			data:     `{"users":[{"posts":[{"author":{"posts":[{"author":{"name":"Ann"}},{"author":{"name":"Cid"}}]}}]},{"posts":[{"author":{"posts":[{"author":{"name":"Bob"}}]}},{"author":{"posts":[]}}]},{"posts":[]}]}`,
			requests: map[string]int{"a": 3, "b": 2},
		},
		{
			// Two paths asking different fields of one type are not merged (as
			// Apollo Router does not): a field one path wants would land in the
			// other path's objects, and its errors would null their entities.
			name:     "one entity at one stage from two paths with different selections",
			query:    `{ users { friend { p: posts { likes } } posts { likes author { score } } } }`,
			data:     `{"users":[{"friend":{"p":[{"likes":2},{"likes":3}]},"posts":[{"likes":1,"author":{"score":20}}]},{"friend":{"p":[]},"posts":[{"likes":2,"author":{"score":10}},{"likes":3,"author":{"score":30}}]},{"friend":null,"posts":[]}]}`,
			requests: map[string]int{"a": 2, "b": 3},
		},
		{
			// x and y ask the posts' authors for different fields, so their
			// _entities calls to a stay apart; the identical ones to b merge.
			name:     "the same walk under two aliases is fetched once per stage",
			query:    `{ x: users { posts { author { score } } } y: users { posts { author { name score } } } }`,
			data:     `{"x":[{"posts":[{"author":{"score":20}}]},{"posts":[{"author":{"score":10}},{"author":{"score":30}}]},{"posts":[]}],"y":[{"posts":[{"author":{"name":"Bob","score":20}}]},{"posts":[{"author":{"name":"Ann","score":10}},{"author":{"name":"Cid","score":30}}]},{"posts":[]}]}`,
			requests: map[string]int{"a": 3, "b": 2},
		},
	})
}
