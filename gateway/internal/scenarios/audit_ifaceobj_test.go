package scenarios

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/shopgraph/shopgraph/gateway/internal/testsubgraph"
)

// Audit-style scenarios for @interfaceObject: @requires on interface objects,
// interface objects reached through key chains, non-resolvable interface objects,
// several interface-object subgraphs, @provides/@shareable on interface objects,
// @inaccessible next to interface objects, aliases and variables in fragments on
// interface objects, and @shareable fields whose type differs between subgraphs.
// Every expected response is worked out from the subgraphs' data and the GraphQL
// and Federation v2 semantics, not from the router's output.

// ifoRef is an interface object reference as its subgraph returns it.
func ifoRef(typename, id string) map[string]any {
	return map[string]any{"__typename": typename, "id": id}
}

// byID answers a field from a table indexed by the parent's id.
func byID(table map[string]any) testsubgraph.Resolver {
	return func(_ context.Context, parent map[string]any, _ map[string]any) (any, error) {
		id, _ := parent["id"].(string)
		return table[id], nil
	}
}

// neverAsked fails when a subgraph received a query mentioning one of the words.
func neverAsked(rules map[string][]string) func(t *testing.T, got map[string][]testsubgraph.Request) {
	return func(t *testing.T, got map[string][]testsubgraph.Request) {
		for sg, words := range rules {
			for _, w := range words {
				re := regexp.MustCompile(`\b` + regexp.QuoteMeta(w) + `\b`)
				for _, r := range got[sg] {
					if re.MatchString(r.Query) {
						t.Errorf("subgraph %s was asked for %q, which its schema lacks there: %s", sg, w, r.Query)
					}
				}
			}
		}
	}
}

// ifoRepsAre checks that every representation sent to sg has __typename tn and the fields.
func ifoRepsAre(sg, tn string, fields ...string) func(t *testing.T, got map[string][]testsubgraph.Request) {
	return func(t *testing.T, got map[string][]testsubgraph.Request) {
		for _, r := range got[sg] {
			rs, _ := r.Variables["representations"].([]any)
			for _, x := range rs {
				m, _ := x.(map[string]any)
				if m["__typename"] != tn {
					t.Errorf("representation %v sent to %s: want __typename %s", m, sg, tn)
				}
				for _, f := range fields {
					if _, ok := m[f]; !ok {
						t.Errorf("representation %v sent to %s lacks %s", m, sg, f)
					}
				}
			}
		}
	}
}

// --- 1, 4, 8: @requires on interface objects, two interface-object subgraphs,
// aliases and variables ---

func ifoRequiresScenario() scenario {
	accounts := map[string]map[string]any{
		"u1": {"__typename": "User", "id": "u1", "name": "Ada", "email": "ada@x"},
		"t1": {"__typename": "Team", "id": "t1", "name": "Core", "size": 5},
		"u2": {"__typename": "User", "id": "u2", "name": "Bob", "email": "bob@x"},
	}
	acc := func(id string) map[string]any { return obj(accounts[id]["__typename"].(string), accounts[id]) }
	tiers := map[string]any{"u1": "gold", "t1": "silver", "u2": "bronze"}
	need := func(parent map[string]any, f string) (string, error) {
		v, ok := parent[f].(string)
		if !ok {
			return "", fmt.Errorf("required field %s missing for %v", f, parent["id"])
		}
		return v, nil
	}
	return scenario{subgraphs: []*testsubgraph.Subgraph{
		{
			Name: "accounts",
			SDL: fed + `type Query { accounts: [Account!]! }
interface Account @key(fields: "id") { id: ID! name: String! }
type User implements Account @key(fields: "id") { id: ID! name: String! email: String! }
type Team implements Account @key(fields: "id") { id: ID! name: String! size: Int! }`,
			Resolvers: map[string]testsubgraph.Resolver{"Query.accounts": list([]any{acc("u1"), acc("t1"), acc("u2")})},
			Entities: map[string]testsubgraph.EntityResolver{
				"Account": byTypedKey(accounts),
				"User":    byTypedKey(accounts),
				"Team":    byTypedKey(accounts),
			},
		},
		{
			Name: "tiers",
			SDL:  fed + `type Account @key(fields: "id") @interfaceObject { id: ID! tier: String! greeting(lang: String!): String! }`,
			Resolvers: map[string]testsubgraph.Resolver{
				"Account.tier": byID(tiers),
				"Account.greeting": func(_ context.Context, parent map[string]any, args map[string]any) (any, error) {
					return fmt.Sprint(args["lang"], "-", parent["id"]), nil
				},
			},
			Entities: map[string]testsubgraph.EntityResolver{"Account": byKey("Account", "id", map[string]map[string]any{"u1": {}, "t1": {}, "u2": {}})},
		},
		{
			Name: "scores",
			SDL: fed + `type Query { topAccounts: [Account!]! }
type Account @key(fields: "id") @interfaceObject {
  id: ID!
  name: String! @external
  tier: String! @external
  score: Int! @requires(fields: "name")
  badge(style: String!): String! @requires(fields: "name tier")
}`,
			Resolvers: map[string]testsubgraph.Resolver{
				"Query.topAccounts": list([]any{ifoRef("Account", "t1"), ifoRef("Account", "u2")}),
				"Account.score": func(_ context.Context, parent map[string]any, _ map[string]any) (any, error) {
					n, err := need(parent, "name")
					if err != nil {
						return nil, err
					}
					return 10 * len(n), nil
				},
				"Account.badge": func(_ context.Context, parent map[string]any, args map[string]any) (any, error) {
					n, err := need(parent, "name")
					if err != nil {
						return nil, err
					}
					tr, err := need(parent, "tier")
					if err != nil {
						return nil, err
					}
					return fmt.Sprint(args["style"], ":", n, "/", tr), nil
				},
			},
			Entities: map[string]testsubgraph.EntityResolver{"Account": byKey("Account", "id", map[string]map[string]any{"u1": {}, "t1": {}, "u2": {}})},
		},
	}}
}

func TestAuditIfaceObjRequires(t *testing.T) {
	t.Parallel()
	run(t, ifoRequiresScenario(), []tcase{
		{
			name:     "requires a field the implementations' subgraph resolves",
			query:    `{ accounts { id score } }`,
			data:     `{"accounts":[{"id":"u1","score":30},{"id":"t1","score":40},{"id":"u2","score":30}]}`,
			requests: map[string]int{"accounts": 1, "scores": 1, "tiers": 0},
			check:    ifoRepsAre("scores", "Account", "id", "name"),
		},
		{
			name:  "requires inside concrete fragments",
			query: `{ accounts { ... on User { email score } ... on Team { size } } }`,
			data:  `{"accounts":[{"email":"ada@x","score":30},{"size":5},{"email":"bob@x","score":30}]}`,
			check: ifoRepsAre("scores", "Account", "id", "name"),
		},
		{
			name:     "requires from the interface object's own root",
			query:    `{ topAccounts { __typename id score ... on User { email } } }`,
			data:     `{"topAccounts":[{"__typename":"Team","id":"t1","score":40},{"__typename":"User","id":"u2","score":30,"email":"bob@x"}]}`,
			requests: map[string]int{"accounts": 1, "scores": 2, "tiers": 0},
		},
		{
			name:     "requires fields of two other subgraphs, one of them another interface object",
			query:    `{ accounts { id badge(style: "x") } }`,
			data:     `{"accounts":[{"id":"u1","badge":"x:Ada/gold"},{"id":"t1","badge":"x:Core/silver"},{"id":"u2","badge":"x:Bob/bronze"}]}`,
			requests: map[string]int{"accounts": 1, "tiers": 1, "scores": 1},
			check:    ifoRepsAre("scores", "Account", "id", "name", "tier"),
		},
		{
			name:  "requires with both required fields fetched from the interface object's root",
			query: `{ topAccounts { badge(style: "y") } }`,
			data:  `{"topAccounts":[{"badge":"y:Core/silver"},{"badge":"y:Bob/bronze"}]}`,
		},
		{
			name:     "two interface objects plus concrete fields",
			query:    `{ accounts { __typename tier score ... on User { email greeting(lang: "en") } ... on Team { size tier } } }`,
			data:     `{"accounts":[{"__typename":"User","tier":"gold","score":30,"email":"ada@x","greeting":"en-u1"},{"__typename":"Team","tier":"silver","score":40,"size":5},{"__typename":"User","tier":"bronze","score":30,"email":"bob@x","greeting":"en-u2"}]}`,
			requests: map[string]int{"accounts": 1, "tiers": 1, "scores": 1},
		},
		{
			name:  "other interface object's field and concrete fields from an interface object root",
			query: `{ topAccounts { tier ... on Team { name size } } }`,
			data:  `{"topAccounts":[{"tier":"silver","name":"Core","size":5},{"tier":"bronze"}]}`,
		},
		{
			name:     "one interface object's root to another interface object without the interface's subgraph",
			query:    `{ topAccounts { id tier greeting(lang: "nl") } }`,
			data:     `{"topAccounts":[{"id":"t1","tier":"silver","greeting":"nl-t1"},{"id":"u2","tier":"bronze","greeting":"nl-u2"}]}`,
			requests: map[string]int{"scores": 1, "tiers": 1, "accounts": 0},
			check:    ifoRepsAre("tiers", "Account", "id"),
		},
		{
			name:     "same interface object field under two aliases with different arguments",
			query:    `{ accounts { en: greeting(lang: "en") fr: greeting(lang: "fr") } }`,
			data:     `{"accounts":[{"en":"en-u1","fr":"fr-u1"},{"en":"en-t1","fr":"fr-t1"},{"en":"en-u2","fr":"fr-u2"}]}`,
			requests: map[string]int{"accounts": 1, "tiers": 1, "scores": 0},
		},
		{
			name: "variables and aliases inside fragments on the interface object and its implementations",
			query: `query($l: String!, $s: String!) { accounts { ... on Account { g: greeting(lang: $l) } ... on User { b1: badge(style: $s) b2: badge(style: "plain") } ...T } }
fragment T on Team { g: greeting(lang: $l) b1: badge(style: $s) }`,
			vars: map[string]any{"l": "de", "s": "bold"},
			data: `{"accounts":[{"g":"de-u1","b1":"bold:Ada/gold","b2":"plain:Ada/gold"},{"g":"de-t1","b1":"bold:Core/silver"},{"g":"de-u2","b1":"bold:Bob/bronze","b2":"plain:Bob/bronze"}]}`,
		},
		{
			name:  "aliased requires field with different arguments from the interface object root",
			query: `query($x: String!) { topAccounts { a: badge(style: "a") b: badge(style: $x) ... on Team { c: greeting(lang: $x) } } }`,
			vars:  map[string]any{"x": "b"},
			data:  `{"topAccounts":[{"a":"a:Core/silver","b":"b:Core/silver","c":"b-t1"},{"a":"a:Bob/bronze","b":"b:Bob/bronze"}]}`,
		},
		{
			name:  "include and skip with variables on fragments holding interface object fields",
			query: `query($with: Boolean!, $l: String!) { accounts { ... on Account @include(if: $with) { greeting(lang: $l) } ... on User @skip(if: $with) { tier } } }`,
			vars:  map[string]any{"with": true, "l": "xx"},
			data:  `{"accounts":[{"greeting":"xx-u1"},{"greeting":"xx-t1"},{"greeting":"xx-u2"}]}`,
		},
		{
			name:     "include and skip with variables, the other way round",
			query:    `query($with: Boolean!, $l: String!) { accounts { ... on Account @include(if: $with) { greeting(lang: $l) } ... on User @skip(if: $with) { tier } } }`,
			vars:     map[string]any{"with": false, "l": "xx"},
			data:     `{"accounts":[{"tier":"gold"},{},{"tier":"bronze"}]}`,
			requests: map[string]int{"accounts": 1, "tiers": 1, "scores": 0},
		},
		{
			name:  "one alias for an interface object field and a concrete field in sibling fragments",
			query: `{ accounts { ... on Team { x: tier } ... on User { x: email } } }`,
			data:  `{"accounts":[{"x":"ada@x"},{"x":"silver"},{"x":"bob@x"}]}`,
		},
		{
			name:  "same response name, same arguments, in a fragment on the interface and on the implementation",
			query: `query($l: String!) { accounts { ... on Account { id g: greeting(lang: $l) } ... on User { g: greeting(lang: $l) score } } }`,
			vars:  map[string]any{"l": "it"},
			data:  `{"accounts":[{"id":"u1","g":"it-u1","score":30},{"id":"t1","g":"it-t1"},{"id":"u2","g":"it-u2","score":30}]}`,
		},
	})
}

// --- 2: interface objects reached through a key chain, returning interface objects ---

func ifoKeyChainScenario() scenario {
	products := map[string]map[string]any{
		"s1": {"__typename": "Shoe", "id": "s1", "title": "Runner", "size": 42},
		"h1": {"__typename": "Hat", "id": "h1", "title": "Fedora", "color": "grey"},
		"h2": {"__typename": "Hat", "id": "h2", "title": "Beanie", "color": "red"},
	}
	numbers := map[string]string{"o1": "N-1", "o2": "N-2"}
	refs := func(ids ...string) []any {
		out := []any{}
		for _, id := range ids {
			out = append(out, ifoRef("Product", id))
		}
		return out
	}
	related := map[string]any{"s1": refs("h1"), "h1": refs("s1", "h2"), "h2": refs()}
	return scenario{subgraphs: []*testsubgraph.Subgraph{
		{
			Name: "orders",
			SDL: fed + `type Query { orders: [Order!]! }
type Order @key(fields: "id") { id: ID! placed: String! }`,
			Resolvers: map[string]testsubgraph.Resolver{"Query.orders": list([]any{
				map[string]any{"__typename": "Order", "id": "o1", "placed": "mon"},
				map[string]any{"__typename": "Order", "id": "o2", "placed": "tue"},
			})},
			Entities: map[string]testsubgraph.EntityResolver{"Order": byKey("Order", "id", map[string]map[string]any{"o1": {"placed": "mon"}, "o2": {"placed": "tue"}})},
		},
		{
			Name: "ledger",
			SDL:  fed + `type Order @key(fields: "id") @key(fields: "number") { id: ID! number: String! }`,
			Entities: map[string]testsubgraph.EntityResolver{"Order": func(_ context.Context, rep map[string]any) (any, error) {
				for id, n := range numbers {
					if rep["id"] == id || rep["number"] == n {
						return map[string]any{"__typename": "Order", "id": id, "number": n}, nil
					}
				}
				return nil, nil
			}},
		},
		{
			Name: "lines",
			SDL: fed + `type Order @key(fields: "number") { number: String! items: [Product!]! }
type Product @key(fields: "id") @interfaceObject { id: ID! rank: Int! related: [Product!]! }`,
			Resolvers: map[string]testsubgraph.Resolver{
				"Product.rank":    byID(map[string]any{"s1": 1, "h1": 2, "h2": 3}),
				"Product.related": byID(related),
			},
			Entities: map[string]testsubgraph.EntityResolver{
				"Order":   byKey("Order", "number", map[string]map[string]any{"N-1": {"items": refs("s1", "h1")}, "N-2": {"items": refs("h1")}}),
				"Product": byKey("Product", "id", map[string]map[string]any{"s1": {}, "h1": {}, "h2": {}}),
			},
		},
		{
			Name: "catalog",
			SDL: fed + `interface Product @key(fields: "id") { id: ID! title: String! }
type Shoe implements Product @key(fields: "id") { id: ID! title: String! size: Int! }
type Hat implements Product @key(fields: "id") { id: ID! title: String! color: String! }`,
			Entities: map[string]testsubgraph.EntityResolver{
				"Product": byTypedKey(products),
				"Shoe":    byTypedKey(products),
				"Hat":     byTypedKey(products),
			},
		},
	}}
}

func TestAuditIfaceObjKeyChain(t *testing.T) {
	t.Parallel()
	h1Related := `[{"__typename":"Shoe","id":"s1","title":"Runner"},{"__typename":"Hat","id":"h2"}]`
	run(t, ifoKeyChainScenario(), []tcase{
		{
			name:  "interface objects behind a key chain with concrete fragments and __typename",
			query: `{ orders { id items { __typename id rank ... on Shoe { size } ... on Hat { color related { __typename id ... on Shoe { title } } } } } }`,
			data: `{"orders":[
				{"id":"o1","items":[{"__typename":"Shoe","id":"s1","rank":1,"size":42},{"__typename":"Hat","id":"h1","rank":2,"color":"grey","related":` + h1Related + `}]},
				{"id":"o2","items":[{"__typename":"Hat","id":"h1","rank":2,"color":"grey","related":` + h1Related + `}]}]}`,
			check: func(t *testing.T, got map[string][]testsubgraph.Request) {
				for _, r := range got["lines"] {
					rs, _ := r.Variables["representations"].([]any)
					for _, x := range rs {
						m, _ := x.(map[string]any)
						switch m["__typename"] {
						case "Order":
							if m["number"] == nil {
								t.Errorf("order representation without its number key: %v", m)
							}
						case "Product":
						default:
							t.Errorf("representation %v sent to lines: want __typename Order or Product (the interface object)", m)
						}
					}
				}
			},
		},
		{
			name:  "three levels of interface objects with __typename and concrete fragments at every level",
			query: `{ orders { placed items { ... on Product { t: __typename related { __typename ... on Hat { color related { __typename title } } } } } } }`,
			data: `{"orders":[
				{"placed":"mon","items":[
					{"t":"Shoe","related":[{"__typename":"Hat","color":"grey","related":[{"__typename":"Shoe","title":"Runner"},{"__typename":"Hat","title":"Beanie"}]}]},
					{"t":"Hat","related":[{"__typename":"Shoe"},{"__typename":"Hat","color":"red","related":[]}]}]},
				{"placed":"tue","items":[
					{"t":"Hat","related":[{"__typename":"Shoe"},{"__typename":"Hat","color":"red","related":[]}]}]}]}`,
		},
		{
			name:     "interface objects behind a key chain without concrete needs",
			query:    `{ orders { items { id rank related { id } } } }`,
			data:     `{"orders":[{"items":[{"id":"s1","rank":1,"related":[{"id":"h1"}]},{"id":"h1","rank":2,"related":[{"id":"s1"},{"id":"h2"}]}]},{"items":[{"id":"h1","rank":2,"related":[{"id":"s1"},{"id":"h2"}]}]}]}`,
			requests: map[string]int{"orders": 1, "ledger": 1, "lines": 1, "catalog": 0},
		},
		{
			name:  "interface object field inside a concrete fragment behind a key chain",
			query: `{ orders { items { ... on Shoe { title related { ... on Hat { title rank } } } } } }`,
			data:  `{"orders":[{"items":[{"title":"Runner","related":[{"title":"Fedora","rank":2}]},{}]},{"items":[{}]}]}`,
		},
	})
}

// --- 2: an interface object reached through the interface's other key ---

func ifoInterfaceKeyChainScenario() scenario {
	products := map[string]map[string]any{
		"s1": {"__typename": "Shoe", "id": "s1", "sku": "SK-1", "title": "Runner", "size": 42},
		"h1": {"__typename": "Hat", "id": "h1", "sku": "SK-2", "title": "Fedora", "color": "grey"},
	}
	bySKU := map[string]map[string]any{}
	for _, p := range products {
		bySKU[p["sku"].(string)] = p
	}
	resolve := func(_ context.Context, rep map[string]any) (any, error) {
		var o map[string]any
		if id, ok := rep["id"].(string); ok {
			o = products[id]
		} else if sku, ok := rep["sku"].(string); ok {
			o = bySKU[sku]
		}
		if o == nil {
			return nil, nil
		}
		return obj(o["__typename"].(string), o), nil
	}
	return scenario{subgraphs: []*testsubgraph.Subgraph{
		{
			Name: "sales",
			SDL: fed + `type Query { bestsellers: [Product!]! }
type Product @key(fields: "id") @interfaceObject { id: ID! }`,
			Resolvers: map[string]testsubgraph.Resolver{"Query.bestsellers": list([]any{ifoRef("Product", "h1"), ifoRef("Product", "s1")})},
			Entities:  map[string]testsubgraph.EntityResolver{"Product": byKey("Product", "id", map[string]map[string]any{"s1": {}, "h1": {}})},
		},
		{
			Name: "catalog",
			SDL: fed + `interface Product @key(fields: "id") @key(fields: "sku") { id: ID! sku: String! title: String! }
type Shoe implements Product @key(fields: "id") @key(fields: "sku") { id: ID! sku: String! title: String! size: Int! }
type Hat implements Product @key(fields: "id") @key(fields: "sku") { id: ID! sku: String! title: String! color: String! }`,
			Entities: map[string]testsubgraph.EntityResolver{"Product": resolve, "Shoe": resolve, "Hat": resolve},
		},
		{
			Name: "ranks",
			SDL:  fed + `type Product @key(fields: "sku") @interfaceObject { sku: String! rank: Int! }`,
			Resolvers: map[string]testsubgraph.Resolver{"Product.rank": func(_ context.Context, parent map[string]any, _ map[string]any) (any, error) {
				return map[string]int{"SK-1": 1, "SK-2": 2}[fmt.Sprint(parent["sku"])], nil
			}},
			Entities: map[string]testsubgraph.EntityResolver{"Product": byKey("Product", "sku", map[string]map[string]any{"SK-1": {}, "SK-2": {}})},
		},
	}}
}

func TestAuditIfaceObjInterfaceKeyChain(t *testing.T) {
	t.Parallel()
	run(t, ifoInterfaceKeyChainScenario(), []tcase{
		{
			name:     "interface object with one key to an interface object with the other key",
			query:    `{ bestsellers { id rank } }`,
			data:     `{"bestsellers":[{"id":"h1","rank":2},{"id":"s1","rank":1}]}`,
			requests: map[string]int{"sales": 1, "catalog": 1, "ranks": 1},
			check:    ifoRepsAre("ranks", "Product", "sku"),
		},
		{
			name:  "key chain with concrete fragments and __typename",
			query: `{ bestsellers { __typename rank ... on Shoe { size } ... on Hat { sku color } } }`,
			data:  `{"bestsellers":[{"__typename":"Hat","rank":2,"sku":"SK-2","color":"grey"},{"__typename":"Shoe","rank":1,"size":42}]}`,
			check: ifoRepsAre("ranks", "Product", "sku"),
		},
		{
			name:  "interface object field only inside a concrete fragment at the end of the chain",
			query: `{ bestsellers { ... on Shoe { title rank } } }`,
			data:  `{"bestsellers":[{},{"title":"Runner","rank":1}]}`,
		},
	})
}

// --- 3: a non-resolvable interface object ---

func ifoNonResolvableScenario() scenario {
	media := map[string]map[string]any{
		"b1": {"__typename": "Book", "id": "b1", "title": "Dune", "author": "Herbert"},
		"m1": {"__typename": "Movie", "id": "m1", "title": "Alien", "director": "Scott"},
	}
	return scenario{subgraphs: []*testsubgraph.Subgraph{
		{
			Name: "library",
			SDL: fed + `type Query { media: [Media!]! }
interface Media @key(fields: "id") { id: ID! title: String! }
type Book implements Media @key(fields: "id") { id: ID! title: String! author: String! }
type Movie implements Media @key(fields: "id") { id: ID! title: String! director: String! }`,
			Resolvers: map[string]testsubgraph.Resolver{"Query.media": list([]any{obj("Book", media["b1"]), obj("Movie", media["m1"])})},
			Entities: map[string]testsubgraph.EntityResolver{
				"Media": byTypedKey(media),
				"Book":  byTypedKey(media),
				"Movie": byTypedKey(media),
			},
		},
		{
			Name: "feed",
			SDL: fed + `type Query { featured: [Media!]! }
type Media @key(fields: "id", resolvable: false) @interfaceObject { id: ID! }`,
			Resolvers: map[string]testsubgraph.Resolver{"Query.featured": list([]any{ifoRef("Media", "m1"), ifoRef("Media", "b1")})},
		},
		{
			Name:      "ratings",
			SDL:       fed + `type Media @key(fields: "id") @interfaceObject { id: ID! rating: Int! }`,
			Resolvers: map[string]testsubgraph.Resolver{"Media.rating": byID(map[string]any{"b1": 4, "m1": 5})},
			Entities:  map[string]testsubgraph.EntityResolver{"Media": byKey("Media", "id", map[string]map[string]any{"b1": {}, "m1": {}})},
		},
	}}
}

func TestAuditIfaceObjNonResolvable(t *testing.T) {
	t.Parallel()
	noEntities := neverAsked(map[string][]string{"feed": {"_entities"}})
	run(t, ifoNonResolvableScenario(), []tcase{
		{
			name:     "fields of a non-resolvable interface object come from the other subgraphs",
			query:    `{ featured { __typename id title rating ... on Book { author } } }`,
			data:     `{"featured":[{"__typename":"Movie","id":"m1","title":"Alien","rating":5},{"__typename":"Book","id":"b1","title":"Dune","rating":4,"author":"Herbert"}]}`,
			requests: map[string]int{"feed": 1, "library": 1, "ratings": 1},
			check:    noEntities,
		},
		{
			name:     "only the key of a non-resolvable interface object",
			query:    `{ featured { id } }`,
			data:     `{"featured":[{"id":"m1"},{"id":"b1"}]}`,
			requests: map[string]int{"feed": 1, "library": 0, "ratings": 0},
		},
		{
			name:     "interface object field of another subgraph from a non-resolvable reference",
			query:    `{ featured { rating } }`,
			data:     `{"featured":[{"rating":5},{"rating":4}]}`,
			requests: map[string]int{"feed": 1, "library": 0, "ratings": 1},
		},
		{
			name:     "the non-resolvable subgraph is never entered",
			query:    `{ media { id title rating } }`,
			data:     `{"media":[{"id":"b1","title":"Dune","rating":4},{"id":"m1","title":"Alien","rating":5}]}`,
			requests: map[string]int{"feed": 0, "library": 1, "ratings": 1},
		},
	})
}

// --- 5: @provides and @shareable on interface objects ---

func ifoProvidesScenario() scenario {
	media := map[string]map[string]any{
		"b1": {"__typename": "Book", "id": "b1", "title": "Dune", "author": "Herbert"},
		"m1": {"__typename": "Movie", "id": "m1", "title": "Alien", "director": "Scott"},
	}
	return scenario{subgraphs: []*testsubgraph.Subgraph{
		{
			Name: "library",
			SDL: fed + `type Query { media: [Media!]! }
interface Media @key(fields: "id") { id: ID! title: String! }
type Book implements Media @key(fields: "id") { id: ID! title: String! @shareable author: String! }
type Movie implements Media @key(fields: "id") { id: ID! title: String! @shareable director: String! }`,
			Resolvers: map[string]testsubgraph.Resolver{"Query.media": list([]any{obj("Book", media["b1"]), obj("Movie", media["m1"])})},
			Entities: map[string]testsubgraph.EntityResolver{
				"Media": byTypedKey(media),
				"Book":  byTypedKey(media),
				"Movie": byTypedKey(media),
			},
		},
		{
			Name: "posts",
			SDL: fed + `type Query { posts: [Post!]! }
type Post { body: String! media: Media! @provides(fields: "title") }
type Media @key(fields: "id") @interfaceObject { id: ID! title: String! @external }`,
			Resolvers: map[string]testsubgraph.Resolver{"Query.posts": list([]any{
				map[string]any{"body": "great", "media": map[string]any{"__typename": "Media", "id": "m1", "title": "Alien"}},
				map[string]any{"body": "meh", "media": map[string]any{"__typename": "Media", "id": "b1", "title": "Dune"}},
			})},
			Entities: map[string]testsubgraph.EntityResolver{"Media": byKey("Media", "id", map[string]map[string]any{"b1": {}, "m1": {}})},
		},
		{
			Name: "picks",
			SDL: fed + `type Query { picks: [Media!]! }
type Media @key(fields: "id") @interfaceObject { id: ID! title: String! @shareable votes: Int! }`,
			Resolvers: map[string]testsubgraph.Resolver{"Query.picks": list([]any{
				map[string]any{"__typename": "Media", "id": "b1", "title": "Dune", "votes": 7},
				map[string]any{"__typename": "Media", "id": "m1", "title": "Alien", "votes": 3},
			})},
			Entities: map[string]testsubgraph.EntityResolver{"Media": byKey("Media", "id", map[string]map[string]any{
				"b1": {"title": "Dune", "votes": 7}, "m1": {"title": "Alien", "votes": 3},
			})},
		},
	}}
}

func TestAuditIfaceObjProvidesShareable(t *testing.T) {
	t.Parallel()
	run(t, ifoProvidesScenario(), []tcase{
		{
			name:     "provided external field of an interface object",
			query:    `{ posts { body media { id title } } }`,
			data:     `{"posts":[{"body":"great","media":{"id":"m1","title":"Alien"}},{"body":"meh","media":{"id":"b1","title":"Dune"}}]}`,
			requests: map[string]int{"posts": 1, "library": 0, "picks": 0},
		},
		{
			name:     "provided field with the concrete type and a concrete field",
			query:    `{ posts { media { __typename title ... on Book { author } } } }`,
			data:     `{"posts":[{"media":{"__typename":"Movie","title":"Alien"}},{"media":{"__typename":"Book","title":"Dune","author":"Herbert"}}]}`,
			requests: map[string]int{"posts": 1, "library": 1, "picks": 0},
		},
		{
			name:  "provided field asked inside a concrete fragment",
			query: `{ posts { media { ... on Movie { title } } } }`,
			data:  `{"posts":[{"media":{"title":"Alien"}},{"media":{}}]}`,
		},
		{
			name:     "shareable interface object field from its own root",
			query:    `{ picks { id title votes } }`,
			data:     `{"picks":[{"id":"b1","title":"Dune","votes":7},{"id":"m1","title":"Alien","votes":3}]}`,
			requests: map[string]int{"picks": 1, "library": 0, "posts": 0},
		},
		{
			name:     "shareable field from the implementations' subgraph, interface object field from another",
			query:    `{ media { title votes } }`,
			data:     `{"media":[{"title":"Dune","votes":7},{"title":"Alien","votes":3}]}`,
			requests: map[string]int{"library": 1, "picks": 1, "posts": 0},
		},
		{
			name:     "shareable field inside a concrete fragment from the interface object root",
			query:    `{ picks { ... on Movie { director title } votes } }`,
			data:     `{"picks":[{"votes":7},{"director":"Scott","title":"Alien","votes":3}]}`,
			requests: map[string]int{"picks": 1, "library": 1, "posts": 0},
		},
		{
			name:     "field that is neither provided nor local behind a provides",
			query:    `{ posts { media { title votes } } }`,
			data:     `{"posts":[{"media":{"title":"Alien","votes":3}},{"media":{"title":"Dune","votes":7}}]}`,
			requests: map[string]int{"posts": 1, "library": 0, "picks": 1},
		},
	})
}

// --- 6: a @shareable field whose type differs between subgraphs ---

func ifoTypeMismatchScenario() scenario {
	north := map[string]any{
		"__typename": "Store", "id": "st1",
		"manager": map[string]any{"name": "Ann", "email": "ann@x"},
		"staff":   []any{map[string]any{"name": "Ann", "email": "ann@x"}, map[string]any{"name": "Ben", "email": nil}},
		"top":     map[string]any{"__typename": "Pen", "sku": "P1", "ink": "blue"},
		"tops":    []any{map[string]any{"__typename": "Pen", "sku": "P1", "ink": "blue"}, map[string]any{"__typename": "Pen", "sku": "P2", "ink": "black"}},
		"promo":   map[string]any{"__typename": "Pen", "sku": "P2", "ink": "black"},
	}
	south := map[string]any{
		"__typename": "Store", "id": "st1",
		"manager": map[string]any{"name": "Ann", "phone": "555"},
		"staff":   []any{map[string]any{"name": "Ann", "phone": "555"}, map[string]any{"name": "Ben", "phone": "556"}},
		"top":     map[string]any{"__typename": "Pen", "sku": "P1", "color": "red"},
		"tops":    []any{map[string]any{"__typename": "Pen", "sku": "P1", "color": "red"}, map[string]any{"__typename": "Pen", "sku": "P2", "color": "green"}},
		"promo":   map[string]any{"__typename": "Pen", "sku": "P2", "color": "green"},
	}
	entity := func(m map[string]any) testsubgraph.EntityResolver {
		return func(_ context.Context, rep map[string]any) (any, error) {
			if rep["id"] != "st1" {
				return nil, nil
			}
			return m, nil
		}
	}
	return scenario{subgraphs: []*testsubgraph.Subgraph{
		{
			Name: "north",
			SDL: fed + `type Query { store: Store }
type Store @key(fields: "id") { id: ID! manager: Person @shareable staff: [Person] @shareable top: Item @shareable tops: [Item] @shareable promo: Promo @shareable }
union Promo = Pen | Pencil
type Person @shareable { name: String! email: String }
interface Item { sku: String! }
type Pen implements Item @shareable { sku: String! ink: String! }
type Pencil implements Item { sku: String! hardness: String! }`,
			Resolvers: map[string]testsubgraph.Resolver{"Query.store": list(north)},
			Entities:  map[string]testsubgraph.EntityResolver{"Store": entity(north)},
		},
		{
			Name: "south",
			SDL: fed + `type Query { store2: Store }
type Store @key(fields: "id") { id: ID! manager: Person! @shareable staff: [Person!]! @shareable top: Pen @shareable tops: [Pen!]! @shareable promo: Pen @shareable }
type Person @shareable { name: String! phone: String }
type Pen @shareable { sku: String! color: String! }`,
			Resolvers: map[string]testsubgraph.Resolver{"Query.store2": list(south)},
			Entities:  map[string]testsubgraph.EntityResolver{"Store": entity(south)},
		},
	}}
}

func TestAuditIfaceObjChildTypeMismatch(t *testing.T) {
	t.Parallel()
	strict := neverAsked(map[string][]string{
		"north": {"phone", "color"},
		"south": {"email", "ink", "hardness", "Item", "Pencil", "Promo"},
	})
	run(t, ifoTypeMismatchScenario(), []tcase{
		{
			name:     "nullable in one subgraph, non-null in the other, fields from both",
			query:    `{ store { manager { name email phone } } }`,
			data:     `{"store":{"manager":{"name":"Ann","email":"ann@x","phone":"555"}}}`,
			requests: map[string]int{"north": 1, "south": 1},
			check:    strict,
		},
		{
			name:     "[T] in one subgraph, [T!]! in the other, fields from both",
			query:    `{ store { staff { name email phone } } }`,
			data:     `{"store":{"staff":[{"name":"Ann","email":"ann@x","phone":"555"},{"name":"Ben","email":null,"phone":"556"}]}}`,
			requests: map[string]int{"north": 1, "south": 1},
			check:    strict,
		},
		{
			name:     "interface in one subgraph, object in the other, fragments of both",
			query:    `{ store { top { __typename sku ... on Pen { ink color } ... on Pencil { hardness } } } }`,
			data:     `{"store":{"top":{"__typename":"Pen","sku":"P1","ink":"blue","color":"red"}}}`,
			requests: map[string]int{"north": 1, "south": 1},
			check:    strict,
		},
		{
			name:     "object-typed subgraph first, then the interface-typed one",
			query:    `{ store2 { top { sku ... on Pen { color ink } } manager { phone email } } }`,
			data:     `{"store2":{"top":{"sku":"P1","color":"red","ink":"blue"},"manager":{"phone":"555","email":"ann@x"}}}`,
			requests: map[string]int{"north": 1, "south": 1},
			check:    strict,
		},
		{
			name:     "fragments on the interface and another implementation under the object-typed field",
			query:    `{ store2 { top { ... on Item { sku } ... on Pencil { hardness } } } }`,
			data:     `{"store2":{"top":{"sku":"P1"}}}`,
			requests: map[string]int{"south": 1, "north": 0},
			check:    strict,
		},
		{
			name:     "__typename and a fragment only the object-typed subgraph can answer, from the interface-typed root",
			query:    `{ store { top { __typename ... on Pen { color } } } }`,
			data:     `{"store":{"top":{"__typename":"Pen","color":"red"}}}`,
			requests: map[string]int{"north": 1, "south": 1},
			check:    strict,
		},
		{
			name:     "[Item] in one subgraph, [Pen!]! in the other, from the object-typed root",
			query:    `{ store2 { tops { sku ... on Pen { ink color } } } }`,
			data:     `{"store2":{"tops":[{"sku":"P1","ink":"blue","color":"red"},{"sku":"P2","ink":"black","color":"green"}]}}`,
			requests: map[string]int{"north": 1, "south": 1},
			check:    strict,
		},
		{
			name:     "[Item] in one subgraph, [Pen!]! in the other, from the interface-typed root",
			query:    `{ store { tops { __typename ... on Pen { color } ... on Pencil { hardness } } } }`,
			data:     `{"store":{"tops":[{"__typename":"Pen","color":"red"},{"__typename":"Pen","color":"green"}]}}`,
			requests: map[string]int{"north": 1, "south": 1},
			check:    strict,
		},
		{
			name:     "union in one subgraph, member object in the other, from the object-typed root",
			query:    `{ store2 { promo { __typename ... on Pen { sku color ink } ... on Pencil { hardness } } } }`,
			data:     `{"store2":{"promo":{"__typename":"Pen","sku":"P2","color":"green","ink":"black"}}}`,
			requests: map[string]int{"north": 1, "south": 1},
			check:    strict,
		},
		{
			name:     "union in one subgraph, member object in the other, from the union-typed root",
			query:    `{ store { promo { ... on Pen { sku color } } } }`,
			data:     `{"store":{"promo":{"sku":"P2","color":"green"}}}`,
			requests: map[string]int{"north": 1, "south": 1},
			check:    strict,
		},
		{
			name:  "fields of the non-null list from the nullable list's subgraph only",
			query: `{ store2 { staff { email } } }`,
			data:  `{"store2":{"staff":[{"email":"ann@x"},{"email":null}]}}`,
			check: strict,
		},
	})
}

// --- 6: a @shareable field returning the interface in one subgraph and the
// interface object (an object type there) in another ---

func ifoShareableListScenario() scenario {
	media := map[string]map[string]any{
		"b1": {"__typename": "Book", "id": "b1", "title": "Dune", "author": "Herbert"},
		"m1": {"__typename": "Movie", "id": "m1", "title": "Alien", "director": "Scott"},
	}
	libShelf := map[string]any{"__typename": "Shelf", "id": "sh1", "items": []any{obj("Book", media["b1"]), obj("Movie", media["m1"])}}
	revShelf := map[string]any{"__typename": "Shelf", "id": "sh1", "items": []any{
		map[string]any{"__typename": "Media", "id": "b1", "rating": 4},
		map[string]any{"__typename": "Media", "id": "m1", "rating": 5},
	}}
	shelf := func(m map[string]any) testsubgraph.EntityResolver {
		return func(_ context.Context, rep map[string]any) (any, error) {
			if rep["id"] != "sh1" {
				return nil, nil
			}
			return m, nil
		}
	}
	return scenario{subgraphs: []*testsubgraph.Subgraph{
		{
			Name: "library",
			SDL: fed + `type Query { shelf: Shelf }
type Shelf @key(fields: "id") { id: ID! items: [Media!]! @shareable }
interface Media @key(fields: "id") { id: ID! title: String! }
type Book implements Media @key(fields: "id") { id: ID! title: String! author: String! }
type Movie implements Media @key(fields: "id") { id: ID! title: String! director: String! }`,
			Resolvers: map[string]testsubgraph.Resolver{"Query.shelf": list(libShelf)},
			Entities: map[string]testsubgraph.EntityResolver{
				"Shelf": shelf(libShelf),
				"Media": byTypedKey(media),
				"Book":  byTypedKey(media),
				"Movie": byTypedKey(media),
			},
		},
		{
			Name: "reviews",
			SDL: fed + `type Query { shelf2: Shelf }
type Shelf @key(fields: "id") { id: ID! items: [Media!]! @shareable }
type Media @key(fields: "id") @interfaceObject { id: ID! rating: Int! }`,
			Resolvers: map[string]testsubgraph.Resolver{
				"Query.shelf2": list(revShelf),
				"Media.rating": byID(map[string]any{"b1": 4, "m1": 5}),
			},
			Entities: map[string]testsubgraph.EntityResolver{
				"Shelf": shelf(revShelf),
				"Media": byKey("Media", "id", map[string]map[string]any{"b1": {}, "m1": {}}),
			},
		},
	}}
}

func TestAuditIfaceObjShareableInterfaceVsObject(t *testing.T) {
	t.Parallel()
	strict := neverAsked(map[string][]string{
		"reviews": {"Book", "Movie", "title", "author", "director"},
		"library": {"rating"},
	})
	run(t, ifoShareableListScenario(), []tcase{
		{
			name:  "interface-typed root, concrete fragments and the interface object's field",
			query: `{ shelf { items { __typename title rating ... on Book { author } } } }`,
			data:  `{"shelf":{"items":[{"__typename":"Book","title":"Dune","rating":4,"author":"Herbert"},{"__typename":"Movie","title":"Alien","rating":5}]}}`,
			check: strict,
		},
		{
			name:  "interface-object-typed root, concrete fragments and __typename",
			query: `{ shelf2 { items { __typename rating ... on Movie { director } } } }`,
			data:  `{"shelf2":{"items":[{"__typename":"Book","rating":4},{"__typename":"Movie","rating":5,"director":"Scott"}]}}`,
			check: strict,
		},
		{
			name:     "interface-object-typed root without concrete needs",
			query:    `{ shelf2 { items { id rating } } }`,
			data:     `{"shelf2":{"items":[{"id":"b1","rating":4},{"id":"m1","rating":5}]}}`,
			requests: map[string]int{"reviews": 1, "library": 0},
		},
		{
			name:  "interface-typed root with only the interface object's fields",
			query: `{ shelf { items { id rating } } }`,
			data:  `{"shelf":{"items":[{"id":"b1","rating":4},{"id":"m1","rating":5}]}}`,
			check: strict,
		},
		{
			name:  "fragment on the interface under the interface-object-typed field",
			query: `{ shelf2 { items { ... on Media { id title } ... on Book { author } } } }`,
			data:  `{"shelf2":{"items":[{"id":"b1","title":"Dune","author":"Herbert"},{"id":"m1","title":"Alien"}]}}`,
			check: strict,
		},
	})
}

// --- 7: @inaccessible implementations and fields with interface objects ---

func ifoInaccessibleScenario() scenario {
	media := map[string]map[string]any{
		"b1": {"__typename": "Book", "id": "b1", "title": "Dune", "secret": 2, "author": "Herbert"},
		"b2": {"__typename": "Book", "id": "b2", "title": "Emma", "secret": 5, "author": "Austen"},
		"p1": {"__typename": "Podcast", "id": "p1", "title": "Talk", "secret": 7, "host": "Ann"},
	}
	return scenario{subgraphs: []*testsubgraph.Subgraph{
		{
			Name: "shelf",
			SDL: fed + `type Query { media: [Media!]! }
interface Media @key(fields: "id") { id: ID! title: String! secret: Int @inaccessible }
type Book implements Media @key(fields: "id") { id: ID! title: String! secret: Int @inaccessible author: String! }
type Podcast implements Media @key(fields: "id") @inaccessible { id: ID! title: String! secret: Int host: String! }`,
			Resolvers: map[string]testsubgraph.Resolver{"Query.media": list([]any{obj("Book", media["b1"]), obj("Book", media["b2"])})},
			Entities: map[string]testsubgraph.EntityResolver{
				"Media":   byTypedKey(media),
				"Book":    byTypedKey(media),
				"Podcast": byTypedKey(media),
			},
		},
		{
			Name: "stars",
			SDL: fed + `type Query { topMedia: [Media!]! }
type Media @key(fields: "id") @interfaceObject { id: ID! secret: Int @external stars: Int! @requires(fields: "secret") internal: String @inaccessible }`,
			Resolvers: map[string]testsubgraph.Resolver{
				"Query.topMedia": list([]any{ifoRef("Media", "b2"), ifoRef("Media", "b1")}),
				"Media.stars": func(_ context.Context, parent map[string]any, _ map[string]any) (any, error) {
					s, ok := parent["secret"].(float64)
					if !ok {
						return nil, fmt.Errorf("secret missing for %v", parent["id"])
					}
					return int(s) * 2, nil
				},
			},
			Entities: map[string]testsubgraph.EntityResolver{"Media": byKey("Media", "id", map[string]map[string]any{"b1": {}, "b2": {}, "p1": {}})},
		},
	}}
}

func TestAuditIfaceObjInaccessible(t *testing.T) {
	t.Parallel()
	run(t, ifoInaccessibleScenario(), []tcase{
		{
			name:     "interface object field requiring an inaccessible interface field, next to an inaccessible implementation",
			query:    `{ media { id title stars } }`,
			data:     `{"media":[{"id":"b1","title":"Dune","stars":4},{"id":"b2","title":"Emma","stars":10}]}`,
			requests: map[string]int{"shelf": 1, "stars": 1},
			check:    ifoRepsAre("stars", "Media", "id", "secret"),
		},
		{
			name:  "interface object root with a required inaccessible field and a concrete fragment",
			query: `{ topMedia { title stars ... on Book { author } } }`,
			data:  `{"topMedia":[{"title":"Emma","stars":10,"author":"Austen"},{"title":"Dune","stars":4,"author":"Herbert"}]}`,
		},
		{
			name:  "interface object field in a fragment on an accessible implementation",
			query: `{ media { ... on Book { stars } } }`,
			data:  `{"media":[{"stars":4},{"stars":10}]}`,
		},
		{
			name:  "__typename from the interface object root next to an inaccessible implementation",
			query: `{ topMedia { __typename id stars } }`,
			data:  `{"topMedia":[{"__typename":"Book","id":"b2","stars":10},{"__typename":"Book","id":"b1","stars":4}]}`,
			check: neverAsked(map[string][]string{"stars": {"Podcast", "Book"}}),
		},
		{name: "fragment on the inaccessible implementation", query: `{ media { ... on Podcast { host } } }`, planError: `Podcast`},
		{name: "inaccessible interface field", query: `{ media { secret } }`, planError: `Cannot query field "secret" on type "Media"`},
		{name: "inaccessible interface object field", query: `{ topMedia { internal } }`, planError: `Cannot query field "internal" on type "Media"`},
		{name: "inaccessible interface field inside an accessible implementation", query: `{ media { ... on Book { secret } } }`, planError: `Cannot query field "secret" on type "Book"`},
	})
}
