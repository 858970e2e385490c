package scenarios

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/shopgraph/shopgraph/gateway/internal/testsubgraph"
)

// Audit-style scenarios for abstract types: interfaces and unions whose
// implementations, members and fields are spread over subgraphs. Every expected
// response is worked out from the subgraphs' data and the GraphQL and Federation v2
// semantics, not from the router's output.

// obj copies m and sets its __typename.
func obj(typename string, m map[string]any) map[string]any {
	out := map[string]any{"__typename": typename}
	for k, v := range m {
		out[k] = v
	}
	return out
}

// byTypedKey resolves a representation of an interface (or any type) to the
// concrete object stored under its id, keeping the stored __typename.
func byTypedKey(objs map[string]map[string]any) testsubgraph.EntityResolver {
	return func(_ context.Context, rep map[string]any) (any, error) {
		id, _ := rep["id"].(string)
		o, ok := objs[id]
		if !ok {
			return nil, nil
		}
		return obj(o["__typename"].(string), o), nil
	}
}

// --- 1, 4, 9: an interface whose implementations live in different subgraphs ---

func auditInterfaceScenario() scenario {
	books := map[string]map[string]any{"b1": {"id": "b1", "name": "Dune", "pages": 412}}
	mags := map[string]map[string]any{
		"m1": {"id": "m1", "name": "Wired", "issue": 7, "publisher": "Conde"},
		"m2": {"id": "m2", "name": "Byte", "issue": 3, "publisher": nil},
	}
	catalogMag := func(id string) map[string]any {
		return obj("Magazine", map[string]any{"id": id, "name": mags[id]["name"]})
	}
	b1 := obj("Book", books["b1"])
	return scenario{subgraphs: []*testsubgraph.Subgraph{
		{
			Name: "catalog",
			SDL: fed + `type Query { products: [Product!]! shelf: [Product] all: [Product!] }
interface Product { id: ID! name: String! }
type Book implements Product @key(fields: "id") { id: ID! name: String! pages: Int! }
type Magazine implements Product @key(fields: "id") { id: ID! name: String! @shareable }`,
			Resolvers: map[string]testsubgraph.Resolver{
				"Query.products": list([]any{b1, catalogMag("m1")}),
				"Query.shelf":    list([]any{b1, catalogMag("m2")}),
				"Query.all":      list([]any{b1, catalogMag("m1"), catalogMag("m2")}),
			},
			Entities: map[string]testsubgraph.EntityResolver{
				"Book":     byKey("Book", "id", books),
				"Magazine": byKey("Magazine", "id", map[string]map[string]any{"m1": {"name": "Wired"}, "m2": {"name": "Byte"}}),
			},
		},
		{
			Name: "magazines",
			SDL: fed + `type Query { latestMagazine: Magazine }
interface Product { id: ID! name: String! }
type Magazine implements Product @key(fields: "id") { id: ID! name: String! @shareable issue: Int! publisher: String! }`,
			Resolvers: map[string]testsubgraph.Resolver{"Query.latestMagazine": list(obj("Magazine", mags["m1"]))},
			Entities:  map[string]testsubgraph.EntityResolver{"Magazine": byKey("Magazine", "id", mags)},
		},
		{
			Name: "inventory",
			SDL: fed + `type Book @key(fields: "id") { id: ID! stock: Int! }
type Magazine @key(fields: "id") { id: ID! stock: Int! }`,
			Entities: map[string]testsubgraph.EntityResolver{
				"Book":     byKey("Book", "id", map[string]map[string]any{"b1": {"stock": 5}}),
				"Magazine": byKey("Magazine", "id", map[string]map[string]any{"m1": {"stock": 0}, "m2": {"stock": 2}}),
			},
		},
	}}
}

func TestAuditAbstractInterfaceAcrossSubgraphs(t *testing.T) {
	t.Parallel()
	run(t, auditInterfaceScenario(), []tcase{
		{
			name:     "fragments per implementation with fields of other subgraphs",
			query:    `{ products { __typename id name ... on Book { pages stock } ... on Magazine { issue stock } } }`,
			data:     `{"products":[{"__typename":"Book","id":"b1","name":"Dune","pages":412,"stock":5},{"__typename":"Magazine","id":"m1","name":"Wired","issue":7,"stock":0}]}`,
			requests: map[string]int{"catalog": 1, "magazines": 1, "inventory": 1},
		},
		{
			name:     "fragment on one implementation only",
			query:    `{ products { ... on Magazine { publisher } } }`,
			data:     `{"products":[{},{"publisher":"Conde"}]}`,
			requests: map[string]int{"catalog": 1, "magazines": 1, "inventory": 0},
		},
		{
			name:  "named fragments on the interface and on the implementations",
			query: `query { products { ...P } } fragment P on Product { id ...B ...M } fragment B on Book { stock } fragment M on Magazine { name issue }`,
			data:  `{"products":[{"id":"b1","stock":5},{"id":"m1","name":"Wired","issue":7}]}`,
		},
		{
			name:     "only __typename of the implementations",
			query:    `{ products { __typename } }`,
			data:     `{"products":[{"__typename":"Book"},{"__typename":"Magazine"}]}`,
			requests: map[string]int{"catalog": 1, "magazines": 0, "inventory": 0},
		},
		{
			name:     "root of the other subgraph with a fragment on the interface",
			query:    `{ latestMagazine { __typename name issue stock ... on Product { id } } }`,
			data:     `{"latestMagazine":{"__typename":"Magazine","name":"Wired","issue":7,"stock":0,"id":"m1"}}`,
			requests: map[string]int{"catalog": 0, "magazines": 1, "inventory": 1},
		},
		{
			name:  "aliased __typename and __typename inside fragments resolved by _entities",
			query: `{ products { t: __typename ... on Book { __typename s: stock } ... on Magazine { kind: __typename stock } } }`,
			data:  `{"products":[{"t":"Book","__typename":"Book","s":5},{"t":"Magazine","kind":"Magazine","stock":0}]}`,
		},
		{
			name:  "one alias for different fields of different implementations and subgraphs",
			query: `{ products { n: name ... on Book { x: name } ... on Magazine { x: publisher } } }`,
			data:  `{"products":[{"n":"Dune","x":"Dune"},{"n":"Wired","x":"Conde"}]}`,
		},
		{
			name:     "__typename of the root alone",
			query:    `{ __typename }`,
			data:     `{"__typename":"Query"}`,
			requests: map[string]int{"catalog": 0, "magazines": 0, "inventory": 0},
		},
		{
			name:     "root __typename aliased next to an abstract field",
			query:    `{ q: __typename products { ... on Book { q: __typename } } }`,
			data:     `{"q":"Query","products":[{"q":"Book"},{}]}`,
			requests: map[string]int{"catalog": 1, "magazines": 0, "inventory": 0},
		},
		{
			name:   "null in a non-null field of another subgraph nulls the nullable list item",
			query:  `{ shelf { name ... on Magazine { publisher } } }`,
			data:   `{"shelf":[{"name":"Dune"},null]}`,
			errors: []string{`magazines|shelf.1.publisher|non-nullable`},
		},
		{
			name:   "null in a non-null field of another subgraph nulls the nullable list",
			query:  `{ all { id ... on Magazine { publisher } } }`,
			data:   `{"all":null}`,
			errors: []string{`magazines|all.2.publisher|non-nullable`},
		},
	})
}

// --- 2, 5: an entity interface, an @interfaceObject adding a field, node(id:) ---

func auditEntityInterfaceScenario() scenario {
	nodes := map[string]map[string]any{
		"u1": {"__typename": "User", "id": "u1", "name": "Ada"},
		"u2": {"__typename": "User", "id": "u2", "name": "Bob"},
		"o1": {"__typename": "Org", "id": "o1", "title": "Acme"},
	}
	node := func(id string) map[string]any { return obj(nodes[id]["__typename"].(string), nodes[id]) }
	return scenario{subgraphs: []*testsubgraph.Subgraph{
		{
			Name: "accounts",
			SDL: fed + `type Query { nodes: [Node!]! node(id: ID!): Node }
interface Node @key(fields: "id") { id: ID! }
type User implements Node @key(fields: "id") { id: ID! name: String! }
type Org implements Node @key(fields: "id") { id: ID! title: String! }`,
			Resolvers: map[string]testsubgraph.Resolver{
				"Query.nodes": list([]any{node("u1"), node("o1"), node("u2")}),
				"Query.node": func(_ context.Context, _ map[string]any, args map[string]any) (any, error) {
					if nodes[args["id"].(string)] == nil {
						return nil, nil
					}
					return node(args["id"].(string)), nil
				},
			},
			Entities: map[string]testsubgraph.EntityResolver{
				"Node": byTypedKey(nodes),
				"User": byTypedKey(nodes),
				"Org":  byTypedKey(nodes),
			},
		},
		{
			Name: "activity",
			SDL: fed + `type Query { recent: [Node!]! }
type Node @key(fields: "id") @interfaceObject { id: ID! lastSeen: String }`,
			Resolvers: map[string]testsubgraph.Resolver{"Query.recent": list([]any{
				map[string]any{"__typename": "Node", "id": "o1", "lastSeen": "tue"},
				map[string]any{"__typename": "Node", "id": "u1", "lastSeen": "mon"},
			})},
			Entities: map[string]testsubgraph.EntityResolver{"Node": byKey("Node", "id", map[string]map[string]any{
				"u1": {"lastSeen": "mon"}, "o1": {"lastSeen": "tue"}, "u2": {"lastSeen": nil},
			})},
		},
		{
			Name:     "billing",
			SDL:      fed + `type User @key(fields: "id") { id: ID! plan: String! }`,
			Entities: map[string]testsubgraph.EntityResolver{"User": byKey("User", "id", map[string]map[string]any{"u1": {"plan": "pro"}, "u2": {"plan": "free"}})},
		},
	}}
}

func TestAuditAbstractEntityInterface(t *testing.T) {
	t.Parallel()
	run(t, auditEntityInterfaceScenario(), []tcase{
		{
			name:     "interface object field through the interface",
			query:    `{ nodes { id lastSeen } }`,
			data:     `{"nodes":[{"id":"u1","lastSeen":"mon"},{"id":"o1","lastSeen":"tue"},{"id":"u2","lastSeen":null}]}`,
			requests: map[string]int{"accounts": 1, "activity": 1, "billing": 0},
			check: func(t *testing.T, got map[string][]testsubgraph.Request) {
				for _, r := range reps(t, got["activity"], 0) {
					if tn := r.(map[string]any)["__typename"]; tn != "Node" {
						t.Errorf("representation %v: the interface object needs __typename Node", r)
					}
				}
			},
		},
		{
			name:     "interface object field inside concrete fragments, with a third subgraph",
			query:    `{ nodes { ... on User { name lastSeen plan } ... on Org { title lastSeen } } }`,
			data:     `{"nodes":[{"name":"Ada","lastSeen":"mon","plan":"pro"},{"title":"Acme","lastSeen":"tue"},{"name":"Bob","lastSeen":null,"plan":"free"}]}`,
			requests: map[string]int{"accounts": 1, "activity": 1, "billing": 1},
		},
		{
			name:     "concrete types from the interface object's root",
			query:    `{ recent { __typename lastSeen ... on User { name plan } ... on Org { title } } }`,
			data:     `{"recent":[{"__typename":"Org","lastSeen":"tue","title":"Acme"},{"__typename":"User","lastSeen":"mon","name":"Ada","plan":"pro"}]}`,
			requests: map[string]int{"activity": 1, "accounts": 1, "billing": 1},
		},
		{
			name:     "concrete fragments from the interface object's root without __typename",
			query:    `{ recent { lastSeen ... on User { name } ... on Org { title } } }`,
			data:     `{"recent":[{"lastSeen":"tue","title":"Acme"},{"lastSeen":"mon","name":"Ada"}]}`,
			requests: map[string]int{"activity": 1, "accounts": 1, "billing": 0},
		},
		{
			name:     "only __typename from the interface object's root",
			query:    `{ recent { t: __typename } }`,
			data:     `{"recent":[{"t":"Org"},{"t":"User"}]}`,
			requests: map[string]int{"activity": 1, "accounts": 1, "billing": 0},
		},
		{
			name:     "fragment on the interface from the interface object's root",
			query:    `{ recent { ... on Node { id lastSeen } } }`,
			data:     `{"recent":[{"id":"o1","lastSeen":"tue"},{"id":"u1","lastSeen":"mon"}]}`,
			requests: map[string]int{"activity": 1, "accounts": 0, "billing": 0},
		},
		{
			name:     "interface object's root without concrete needs",
			query:    `{ recent { id lastSeen } }`,
			data:     `{"recent":[{"id":"o1","lastSeen":"tue"},{"id":"u1","lastSeen":"mon"}]}`,
			requests: map[string]int{"activity": 1, "accounts": 0, "billing": 0},
		},
		{
			name:     "node(id:) with fields of two other subgraphs",
			query:    `{ node(id: "u2") { __typename id lastSeen ... on User { plan } } }`,
			data:     `{"node":{"__typename":"User","id":"u2","lastSeen":null,"plan":"free"}}`,
			requests: map[string]int{"accounts": 1, "activity": 1, "billing": 1},
		},
		{
			name:     "node(id:) of a type without the fragment's fields",
			query:    `{ node(id: "o1") { ... on User { plan } ... on Node { lastSeen } } }`,
			data:     `{"node":{"lastSeen":"tue"}}`,
			requests: map[string]int{"accounts": 1, "activity": 1, "billing": 0},
		},
		{
			name:     "node(id:) that is null",
			query:    `{ node(id: "zz") { id lastSeen ... on User { plan } } }`,
			data:     `{"node":null}`,
			requests: map[string]int{"accounts": 1, "activity": 0, "billing": 0},
		},
	})
}

// --- 3, 4: unions whose members are entities extended in other subgraphs ---

func auditUnionScenario() scenario {
	movies := map[string]map[string]any{"mv1": {"title": "Alien"}, "mv2": {"title": "Heat"}}
	return scenario{subgraphs: []*testsubgraph.Subgraph{
		{
			Name: "search",
			SDL: fed + `type Query { search: [Result!]! }
union Result = Movie | Actor
type Movie @key(fields: "id") { id: ID! title: String! }
type Actor @key(fields: "id") { id: ID! name: String! }`,
			Resolvers: map[string]testsubgraph.Resolver{"Query.search": list([]any{
				map[string]any{"__typename": "Movie", "id": "mv1", "title": "Alien"},
				map[string]any{"__typename": "Actor", "id": "a1", "name": "Sigourney"},
				map[string]any{"__typename": "Movie", "id": "mv2", "title": "Heat"},
			})},
			Entities: map[string]testsubgraph.EntityResolver{
				"Movie": byKey("Movie", "id", movies),
				"Actor": byKey("Actor", "id", map[string]map[string]any{"a1": {"name": "Sigourney"}}),
			},
		},
		{
			Name: "ratings",
			SDL: fed + `type Movie @key(fields: "id") { id: ID! score: Int! }
type Actor @key(fields: "id") { id: ID! awards: Int }`,
			Entities: map[string]testsubgraph.EntityResolver{
				"Movie": byKey("Movie", "id", map[string]map[string]any{"mv1": {"score": 9}, "mv2": {"score": 8}}),
				"Actor": byKey("Actor", "id", map[string]map[string]any{"a1": {"awards": 3}}),
			},
		},
		{
			Name: "tv",
			SDL: fed + `type Query { tvSearch: [Result!]! }
union Result = Movie | Series
type Movie @key(fields: "id") { id: ID! }
type Series @key(fields: "id") { id: ID! seasons: Int! }`,
			Resolvers: map[string]testsubgraph.Resolver{"Query.tvSearch": list([]any{
				map[string]any{"__typename": "Series", "id": "s1", "seasons": 4},
				map[string]any{"__typename": "Movie", "id": "mv2"},
			})},
			Entities: map[string]testsubgraph.EntityResolver{"Series": byKey("Series", "id", map[string]map[string]any{"s1": {"seasons": 4}})},
		},
	}}
}

func TestAuditAbstractUnionEntities(t *testing.T) {
	t.Parallel()
	noType := func(sg, typ string) func(t *testing.T, got map[string][]testsubgraph.Request) {
		return func(t *testing.T, got map[string][]testsubgraph.Request) {
			for _, r := range got[sg] {
				if strings.Contains(r.Query, typ) {
					t.Errorf("%s was asked for %s, which is not in its union: %s", sg, typ, r.Query)
				}
			}
		}
	}
	run(t, auditUnionScenario(), []tcase{
		{
			name:     "member fields from another subgraph per member",
			query:    `{ search { __typename ... on Movie { title score } ... on Actor { name awards } } }`,
			data:     `{"search":[{"__typename":"Movie","title":"Alien","score":9},{"__typename":"Actor","name":"Sigourney","awards":3},{"__typename":"Movie","title":"Heat","score":8}]}`,
			requests: map[string]int{"search": 1, "ratings": 1, "tv": 0},
		},
		{
			name:  "fragment on a member the subgraph does not know",
			query: `{ search { ... on Series { seasons } ... on Movie { id } } }`,
			data:  `{"search":[{"id":"mv1"},{},{"id":"mv2"}]}`,
			check: noType("search", "Series"),
		},
		{
			name:     "other subgraph's union with members resolved elsewhere",
			query:    `{ tvSearch { __typename ... on Movie { title score } ... on Series { seasons } ... on Actor { name } } }`,
			data:     `{"tvSearch":[{"__typename":"Series","seasons":4},{"__typename":"Movie","title":"Heat","score":8}]}`,
			requests: map[string]int{"tv": 1, "search": 1, "ratings": 1},
			check:    noType("tv", "Actor"),
		},
		{
			name:  "aliases and __typename on a union",
			query: `{ r: search { t: __typename ... on Actor { n: name a: awards } } }`,
			data:  `{"r":[{"t":"Movie"},{"t":"Actor","n":"Sigourney","a":3},{"t":"Movie"}]}`,
		},
		{
			name:  "named fragment on the union spread in the union",
			query: `query { search { ...R } tvSearch { ...R } } fragment R on Result { ... on Movie { score } ... on Series { s: __typename } }`,
			data:  `{"search":[{"score":9},{},{"score":8}],"tvSearch":[{"s":"Series"},{"score":8}]}`,
		},
	})
}

// --- 6: a shareable field returning an interface whose implementations differ ---

func auditShareableInterfaceScenario() scenario {
	rex := map[string]any{"__typename": "Dog", "id": "d1", "name": "Rex", "barks": true}
	tom := map[string]any{"__typename": "Cat", "id": "c1", "name": "Tom", "lives": 9}
	owner := func(_ context.Context, rep map[string]any) (any, error) {
		if rep["id"] != "o1" {
			return nil, nil
		}
		return map[string]any{"__typename": "Owner", "id": "o1", "pets": []any{rex}}, nil
	}
	return scenario{subgraphs: []*testsubgraph.Subgraph{
		{
			Name: "x",
			SDL: fed + `type Query { owner: Owner }
type Owner @key(fields: "id") { id: ID! pets: [Animal!]! @shareable }
interface Animal { name: String! }
type Dog implements Animal @key(fields: "id") { id: ID! name: String! @shareable }
type Cat @key(fields: "id") { id: ID! name: String! @shareable }`,
			Resolvers: map[string]testsubgraph.Resolver{"Query.owner": list(map[string]any{"__typename": "Owner", "id": "o1", "pets": []any{rex}})},
			Entities: map[string]testsubgraph.EntityResolver{
				"Owner": owner,
				"Dog":   byKey("Dog", "id", map[string]map[string]any{"d1": rex}),
				"Cat":   byKey("Cat", "id", map[string]map[string]any{"c1": tom}),
			},
		},
		{
			Name: "y",
			SDL: fed + `type Query { pets: [Animal!]! }
type Owner @key(fields: "id") { id: ID! pets: [Animal!]! @shareable }
interface Animal { name: String! }
type Dog implements Animal @key(fields: "id") { id: ID! name: String! @shareable barks: Boolean! }
type Cat implements Animal @key(fields: "id") { id: ID! name: String! @shareable lives: Int! }`,
			Resolvers: map[string]testsubgraph.Resolver{"Query.pets": list([]any{rex, tom})},
			Entities: map[string]testsubgraph.EntityResolver{
				"Owner": owner,
				"Dog":   byKey("Dog", "id", map[string]map[string]any{"d1": rex}),
				"Cat":   byKey("Cat", "id", map[string]map[string]any{"c1": tom}),
			},
		},
	}}
}

func TestAuditAbstractShareableInterface(t *testing.T) {
	t.Parallel()
	run(t, auditShareableInterfaceScenario(), []tcase{
		{
			name:  "fragment on a type that implements the interface only elsewhere",
			query: `{ owner { pets { __typename name ... on Cat { lives } ... on Dog { barks } } } }`,
			data:  `{"owner":{"pets":[{"__typename":"Dog","name":"Rex","barks":true}]}}`,
		},
		{
			name:  "only the fragment of the other subgraph's implementation",
			query: `{ owner { pets { ... on Cat { name } } } }`,
			data:  `{"owner":{"pets":[{}]}}`,
		},
		{
			name:     "root of the subgraph where both implement it",
			query:    `{ pets { __typename name ... on Cat { lives } } }`,
			data:     `{"pets":[{"__typename":"Dog","name":"Rex"},{"__typename":"Cat","name":"Tom","lives":9}]}`,
			requests: map[string]int{"x": 0, "y": 1},
		},
		{
			name:  "interface fragment inside a concrete fragment",
			query: `{ pets { ... on Cat { ... on Animal { name } id } } }`,
			data:  `{"pets":[{},{"name":"Tom","id":"c1"}]}`,
		},
	})
}

// --- 7, 9: nested abstract types ---

func auditNestedScenario() scenario {
	img := map[string]any{"__typename": "Image", "id": "img1", "url": "/i.png"}
	vid := map[string]any{"__typename": "Video", "id": "vid1", "url": "/v.mp4"}
	content := map[string]map[string]any{
		"art1":  {"__typename": "Article", "id": "art1", "title": "Hello", "attachment": img},
		"clip1": {"__typename": "Clip", "id": "clip1", "attachment": img},
		"art2":  {"__typename": "Article", "id": "art2", "title": "Bye", "attachment": vid},
		"clip2": {"__typename": "Clip", "id": "clip2", "attachment": nil},
	}
	feed := []any{}
	for _, id := range []string{"art1", "clip1", "art2", "clip2"} {
		feed = append(feed, obj(content[id]["__typename"].(string), content[id]))
	}
	return scenario{subgraphs: []*testsubgraph.Subgraph{
		{
			Name: "content",
			SDL: fed + `type Query { feed: [Content!]! }
interface Content { id: ID! attachment: Attachment }
union Attachment = Image | Video
type Article implements Content @key(fields: "id") { id: ID! title: String! attachment: Attachment }
type Clip implements Content @key(fields: "id") { id: ID! attachment: Attachment }
type Image @key(fields: "id") { id: ID! url: String! }
type Video @key(fields: "id") { id: ID! url: String! }`,
			Resolvers: map[string]testsubgraph.Resolver{"Query.feed": list(feed)},
			Entities: map[string]testsubgraph.EntityResolver{
				"Article": byTypedKey(content),
				"Clip":    byTypedKey(content),
				"Image":   byKey("Image", "id", map[string]map[string]any{"img1": img}),
				"Video":   byKey("Video", "id", map[string]map[string]any{"vid1": vid}),
			},
		},
		{
			Name: "media",
			SDL: fed + `type Image @key(fields: "id") { id: ID! width: Int! }
type Video @key(fields: "id") { id: ID! length: Int! }`,
			Entities: map[string]testsubgraph.EntityResolver{
				"Image": byKey("Image", "id", map[string]map[string]any{"img1": {"width": 640}}),
				"Video": byKey("Video", "id", map[string]map[string]any{"vid1": {"length": 30}}),
			},
		},
		{
			Name: "prefs",
			SDL: fed + `type User @key(fields: "id") { id: ID! favorites: [Content!]! }
interface Content { id: ID! }
type Article implements Content @key(fields: "id") { id: ID! }
type Clip implements Content @key(fields: "id") { id: ID! }`,
			Entities: map[string]testsubgraph.EntityResolver{"User": byKey("User", "id", map[string]map[string]any{"u1": {"favorites": []any{
				map[string]any{"__typename": "Clip", "id": "clip1"},
				map[string]any{"__typename": "Article", "id": "art2"},
				map[string]any{"__typename": "Clip", "id": "clip2"},
			}}})},
		},
		{
			Name: "users",
			SDL: fed + `type Query { user(id: ID!): User }
type User @key(fields: "id") { id: ID! name: String! }`,
			Resolvers: map[string]testsubgraph.Resolver{"Query.user": func(_ context.Context, _ map[string]any, args map[string]any) (any, error) {
				if args["id"] != "u1" {
					return nil, nil
				}
				return map[string]any{"__typename": "User", "id": "u1", "name": "Ada"}, nil
			}},
			Entities: map[string]testsubgraph.EntityResolver{"User": byKey("User", "id", map[string]map[string]any{"u1": {"name": "Ada"}})},
		},
	}}
}

func TestAuditAbstractNested(t *testing.T) {
	t.Parallel()
	run(t, auditNestedScenario(), []tcase{
		{
			name:  "interface field returning a union whose members are extended elsewhere",
			query: `{ feed { __typename id attachment { __typename ... on Image { url width } ... on Video { length } } } }`,
			data: `{"feed":[
				{"__typename":"Article","id":"art1","attachment":{"__typename":"Image","url":"/i.png","width":640}},
				{"__typename":"Clip","id":"clip1","attachment":{"__typename":"Image","url":"/i.png","width":640}},
				{"__typename":"Article","id":"art2","attachment":{"__typename":"Video","length":30}},
				{"__typename":"Clip","id":"clip2","attachment":null}]}`,
			requests: map[string]int{"content": 1, "media": 1, "prefs": 0, "users": 0},
		},
		{
			name:  "list of interfaces inside an entity fetched by _entities",
			query: `{ user(id: "u1") { name favorites { __typename id ... on Article { title } attachment { ... on Video { url length } } } } }`,
			data: `{"user":{"name":"Ada","favorites":[
				{"__typename":"Clip","id":"clip1","attachment":{}},
				{"__typename":"Article","id":"art2","title":"Bye","attachment":{"url":"/v.mp4","length":30}},
				{"__typename":"Clip","id":"clip2","attachment":null}]}}`,
			requests: map[string]int{"users": 1, "prefs": 1, "content": 1, "media": 1},
		},
		{
			name: "fragments nested in fragments",
			query: `query { feed { ...F } }
fragment F on Content { ... on Article { ...A } ... on Clip { id } }
fragment A on Article { title ... on Content { attachment { ...Att } } }
fragment Att on Attachment { ... on Image { width } ... on Video { __typename } }`,
			data: `{"feed":[{"title":"Hello","attachment":{"width":640}},{"id":"clip1"},{"title":"Bye","attachment":{"__typename":"Video"}},{"id":"clip2"}]}`,
		},
		{
			name:  "same field through the interface and a concrete type with different subselections",
			query: `{ feed { ... on Content { attachment { ... on Image { url } } } ... on Article { attachment { ... on Image { width } ... on Video { length } } } } }`,
			data:  `{"feed":[{"attachment":{"url":"/i.png","width":640}},{"attachment":{"url":"/i.png"}},{"attachment":{"length":30}},{"attachment":null}]}`,
		},
		{
			name:  "same merge inside an entity fetched by _entities",
			query: `{ user(id: "u1") { favorites { id ... on Clip { attachment { __typename } } attachment { ... on Image { width } } ... on Content { ... on Article { attachment { ... on Video { url } } } } } } }`,
			data:  `{"user":{"favorites":[{"id":"clip1","attachment":{"__typename":"Image","width":640}},{"id":"art2","attachment":{"url":"/v.mp4"}},{"id":"clip2","attachment":null}]}}`,
		},
		{
			name:     "null user",
			query:    `{ user(id: "nope") { favorites { id ... on Article { title } } } }`,
			data:     `{"user":null}`,
			requests: map[string]int{"users": 1, "prefs": 0, "content": 0, "media": 0},
		},
	})
}

// --- 5, 8, 9: a circular interface across subgraphs and a node(id:) root ---

func auditCircularScenario() scenario {
	docs := map[string]map[string]any{
		"p1": {"__typename": "Post", "id": "p1", "title": "First"},
		"p2": {"__typename": "Post", "id": "p2", "title": "Second"},
		"c1": {"__typename": "Comment", "id": "c1", "body": "Nice"},
		"c2": {"__typename": "Comment", "id": "c2", "body": "Meh"},
		"c3": {"__typename": "Comment", "id": "c3", "body": nil},
	}
	types := map[string]string{"p1": "Post", "p2": "Post", "p3": "Post", "c1": "Comment", "c2": "Comment", "c3": "Comment"}
	links := map[string][]string{"p1": {"c1", "p2"}, "p2": {"c2"}, "p3": {"c1", "c3"}, "c1": {"p1"}, "c2": {}, "c3": {}}
	ref := func(id string) map[string]any { return map[string]any{"__typename": types[id], "id": id} }
	related := func(_ context.Context, parent map[string]any, _ map[string]any) (any, error) {
		out := []any{}
		for _, id := range links[parent["id"].(string)] {
			out = append(out, ref(id))
		}
		return out, nil
	}
	linkEntity := func(_ context.Context, rep map[string]any) (any, error) {
		id, _ := rep["id"].(string)
		if types[id] == "" {
			return nil, nil
		}
		return ref(id), nil
	}
	return scenario{subgraphs: []*testsubgraph.Subgraph{
		{
			Name: "docs",
			SDL: fed + `type Query { posts: [Post!]! }
interface Node { id: ID! }
type Post implements Node @key(fields: "id") { id: ID! title: String! }
type Comment implements Node @key(fields: "id") { id: ID! body: String! }`,
			Resolvers: map[string]testsubgraph.Resolver{"Query.posts": list([]any{obj("Post", docs["p1"]), obj("Post", docs["p2"])})},
			Entities:  map[string]testsubgraph.EntityResolver{"Post": byTypedKey(docs), "Comment": byTypedKey(docs)},
		},
		{
			Name: "links",
			SDL: fed + `type Query { node(id: ID!): Node }
interface Node { id: ID! related: [Node!]! }
type Post implements Node @key(fields: "id") { id: ID! related: [Node!]! }
type Comment implements Node @key(fields: "id") { id: ID! related: [Node!]! }`,
			Resolvers: map[string]testsubgraph.Resolver{
				"Query.node": func(ctx context.Context, _ map[string]any, args map[string]any) (any, error) {
					return linkEntity(ctx, args)
				},
				"Post.related":    related,
				"Comment.related": related,
			},
			Entities: map[string]testsubgraph.EntityResolver{"Post": linkEntity, "Comment": linkEntity},
		},
	}}
}

func TestAuditAbstractCircular(t *testing.T) {
	t.Parallel()
	run(t, auditCircularScenario(), []tcase{
		{
			name:  "interface field returning the interface, three levels across subgraphs",
			query: `{ posts { id title related { __typename id ... on Comment { body } ... on Post { title } related { id ... on Post { title } ... on Comment { body } related { id } } } } }`,
			data: `{"posts":[
				{"id":"p1","title":"First","related":[
					{"__typename":"Comment","id":"c1","body":"Nice","related":[{"id":"p1","title":"First","related":[{"id":"c1"},{"id":"p2"}]}]},
					{"__typename":"Post","id":"p2","title":"Second","related":[{"id":"c2","body":"Meh","related":[]}]}]},
				{"id":"p2","title":"Second","related":[
					{"__typename":"Comment","id":"c2","body":"Meh","related":[]}]}]}`,
		},
		{
			name:     "node(id:) with concrete fields of the other subgraph",
			query:    `{ node(id: "c1") { __typename id ... on Comment { body } related { __typename ... on Post { title } } } }`,
			data:     `{"node":{"__typename":"Comment","id":"c1","body":"Nice","related":[{"__typename":"Post","title":"First"}]}}`,
			requests: map[string]int{"links": 1},
		},
		{
			name:     "node(id:) with interface fields only",
			query:    `{ node(id: "p2") { id related { id related { id } } } }`,
			data:     `{"node":{"id":"p2","related":[{"id":"c2","related":[]}]}}`,
			requests: map[string]int{"links": 1, "docs": 0},
		},
		{
			name:     "node(id:) that is null",
			query:    `{ node(id: "x") { id ... on Post { title } } }`,
			data:     `{"node":null}`,
			requests: map[string]int{"links": 1, "docs": 0},
		},
		{
			name:  "aliased node(id:) of different types",
			query: `{ a: node(id: "p1") { t: __typename ... on Post { title } } b: node(id: "c2") { t: __typename ... on Post { title } } }`,
			data:  `{"a":{"t":"Post","title":"First"},"b":{"t":"Comment"}}`,
		},
		{
			name:   "non-null field of the other subgraph that is null nulls the nullable root",
			query:  `{ node(id: "c3") { id ... on Comment { body } } }`,
			data:   `{"node":null}`,
			errors: []string{`docs|node.body|non-nullable`},
		},
		{
			name:   "null propagates through a non-null list of the interface",
			query:  `{ node(id: "p3") { id related { id ... on Comment { body } } } }`,
			data:   `{"node":null}`,
			errors: []string{`docs|node.related.1.body|non-nullable`},
		},
	})
}

// --- 1, 3, 7: type conditions the querying subgraph does not know ---

func auditUnknownConditionsScenario() scenario {
	return scenario{subgraphs: []*testsubgraph.Subgraph{
		{
			Name: "finder",
			SDL: fed + `type Query { results: [Result!]! items: [Item!]! person: Person }
union Result = Film | Person
type Film @key(fields: "id") { id: ID! title: String! }
type Person @key(fields: "id") { id: ID! }
interface Item { sku: String! }
type Lamp implements Item @key(fields: "sku") { sku: String! watts: Int! }`,
			Resolvers: map[string]testsubgraph.Resolver{
				"Query.results": list([]any{
					map[string]any{"__typename": "Film", "id": "f1", "title": "Alien"},
					map[string]any{"__typename": "Person", "id": "p1"},
				}),
				"Query.items":  list([]any{map[string]any{"__typename": "Lamp", "sku": "L1", "watts": 40}}),
				"Query.person": list(map[string]any{"__typename": "Person", "id": "p1"}),
			},
			Entities: map[string]testsubgraph.EntityResolver{
				"Film":   byKey("Film", "id", map[string]map[string]any{"f1": {"title": "Alien"}}),
				"Person": byKey("Person", "id", map[string]map[string]any{"p1": {}}),
				"Lamp":   byKey("Lamp", "sku", map[string]map[string]any{"L1": {"watts": 40}}),
			},
		},
		{
			Name: "people",
			SDL: fed + `type Query { named: [Named!]! }
interface Named { name: String! }
type Person implements Named @key(fields: "id") { id: ID! name: String! }
type Studio implements Named @key(fields: "id") { id: ID! name: String! }`,
			Resolvers: map[string]testsubgraph.Resolver{"Query.named": list([]any{
				map[string]any{"__typename": "Studio", "id": "s1", "name": "Fox"},
				map[string]any{"__typename": "Person", "id": "p1", "name": "Ridley"},
			})},
			Entities: map[string]testsubgraph.EntityResolver{
				"Person": byKey("Person", "id", map[string]map[string]any{"p1": {"name": "Ridley"}}),
				"Studio": byKey("Studio", "id", map[string]map[string]any{"s1": {"name": "Fox"}}),
			},
		},
		{
			Name: "shop",
			SDL: fed + `type Query { catalogue: [Item!]! }
interface Item { sku: String! }
type Lamp implements Item @key(fields: "sku") { sku: String! price: Int! }
type Chair implements Item @key(fields: "sku") { sku: String! legs: Int! }`,
			Resolvers: map[string]testsubgraph.Resolver{"Query.catalogue": list([]any{
				map[string]any{"__typename": "Chair", "sku": "C1", "legs": 4},
				map[string]any{"__typename": "Lamp", "sku": "L1", "price": 20},
			})},
			Entities: map[string]testsubgraph.EntityResolver{
				"Lamp":  byKey("Lamp", "sku", map[string]map[string]any{"L1": {"price": 20}}),
				"Chair": byKey("Chair", "sku", map[string]map[string]any{"C1": {"legs": 4}}),
			},
		},
	}}
}

func TestAuditAbstractUnknownConditions(t *testing.T) {
	t.Parallel()
	notIn := func(sg string, words ...string) func(t *testing.T, got map[string][]testsubgraph.Request) {
		return func(t *testing.T, got map[string][]testsubgraph.Request) {
			for _, r := range got[sg] {
				for _, w := range words {
					if strings.Contains(r.Query, w) {
						t.Errorf("%s was asked about %s, which it does not define: %s", sg, w, r.Query)
					}
				}
			}
		}
	}
	run(t, auditUnknownConditionsScenario(), []tcase{
		{
			name:  "fragment on an interface the union's subgraph does not define",
			query: `{ results { __typename ... on Named { name } } }`,
			data:  `{"results":[{"__typename":"Film"},{"__typename":"Person","name":"Ridley"}]}`,
			check: notIn("finder", "Named"),
		},
		{
			name:  "named fragment on an interface the union's subgraph does not define",
			query: `query { results { ...N ... on Film { title } } } fragment N on Named { name }`,
			data:  `{"results":[{"title":"Alien"},{"name":"Ridley"}]}`,
			check: notIn("finder", "Named"),
		},
		{
			name:  "union member fragment spread inside an interface fragment",
			query: `{ named { ... on Named { name ... on Result { ... on Film { title } ... on Person { id } } } } }`,
			data:  `{"named":[{"name":"Fox"},{"name":"Ridley","id":"p1"}]}`,
			check: notIn("people", "Result", "Film"),
		},
		{
			name:  "interface fragment spread inside a union fragment",
			query: `{ results { ... on Result { ... on Named { n: name } ... on Film { title } } } }`,
			data:  `{"results":[{"title":"Alien"},{"n":"Ridley"}]}`,
			check: notIn("finder", "Named"),
		},
		{
			name:  "fragment on an interface the object's subgraph does not define, on a concrete type",
			query: `{ person { id ... on Named { name } } }`,
			data:  `{"person":{"id":"p1","name":"Ridley"}}`,
			check: notIn("finder", "Named"),
		},
		{
			name:  "fragment on an implementation the subgraph does not define",
			query: `{ items { sku ... on Chair { legs } ... on Lamp { watts price } } }`,
			data:  `{"items":[{"sku":"L1","watts":40,"price":20}]}`,
			check: notIn("finder", "Chair"),
		},
		{
			name:     "implementation known only to the root's subgraph, fields from the other",
			query:    `{ catalogue { __typename sku ... on Lamp { watts } ... on Chair { legs } } }`,
			data:     `{"catalogue":[{"__typename":"Chair","sku":"C1","legs":4},{"__typename":"Lamp","sku":"L1","watts":40}]}`,
			requests: map[string]int{"shop": 1, "finder": 1, "people": 0},
		},
		{
			name:     "skip and include on abstract fragments",
			query:    `query($yes: Boolean!, $no: Boolean!) { catalogue { ... on Lamp @include(if: $yes) { watts } ... on Chair @skip(if: $yes) { legs } ... on Item @include(if: $no) { sku } } }`,
			vars:     map[string]any{"yes": true, "no": false},
			data:     `{"catalogue":[{},{"watts":40}]}`,
			requests: map[string]int{"shop": 1, "finder": 1, "people": 0},
		},
		{
			name:  "inline fragment without a type condition on an abstract type",
			query: `{ catalogue { ... { __typename } ... @include(if: true) { sku } } }`,
			data:  `{"catalogue":[{"__typename":"Chair","sku":"C1"},{"__typename":"Lamp","sku":"L1"}]}`,
		},
	})
}

// --- 2, 7, 8: interface objects returned by fields inside the @interfaceObject subgraph ---

func auditNestedInterfaceObjectScenario() scenario {
	sc := auditEntityInterfaceScenario()
	ref := func(id string) map[string]any { return map[string]any{"__typename": "Node", "id": id} }
	similar := map[string][]string{"u1": {"o1", "u2"}, "o1": {"u1"}, "u2": {}}
	seen := map[string]any{"u1": "mon", "o1": "tue", "u2": nil}
	sc.subgraphs[1] = &testsubgraph.Subgraph{
		Name: "activity",
		SDL: fed + `type Query { recent: [Node!]! events: [Event!]! }
type Event { at: String! subject: Node }
type Node @key(fields: "id") @interfaceObject { id: ID! lastSeen: String similar: [Node!]! risk: Int level: Int! }`,
		Resolvers: map[string]testsubgraph.Resolver{
			"Query.recent": list([]any{ref("o1"), ref("u1")}),
			"Query.events": list([]any{
				map[string]any{"at": "9:00", "subject": ref("u2")},
				map[string]any{"at": "9:30", "subject": ref("o1")},
			}),
			"Node.lastSeen": func(_ context.Context, parent map[string]any, _ map[string]any) (any, error) {
				return seen[parent["id"].(string)], nil
			},
			"Node.risk": func(_ context.Context, parent map[string]any, _ map[string]any) (any, error) {
				if parent["id"] == "u2" {
					return nil, errors.New("no risk for u2")
				}
				return len(parent["id"].(string)), nil
			},
			"Node.level": func(_ context.Context, parent map[string]any, _ map[string]any) (any, error) {
				if parent["id"] == "u2" {
					return nil, nil
				}
				return 1, nil
			},
			"Node.similar": func(_ context.Context, parent map[string]any, _ map[string]any) (any, error) {
				out := []any{}
				for _, id := range similar[parent["id"].(string)] {
					out = append(out, ref(id))
				}
				return out, nil
			},
		},
		Entities: map[string]testsubgraph.EntityResolver{"Node": byKey("Node", "id", map[string]map[string]any{"u1": {}, "o1": {}, "u2": {}})},
	}
	return sc
}

func TestAuditAbstractNestedInterfaceObject(t *testing.T) {
	t.Parallel()
	run(t, auditNestedInterfaceObjectScenario(), []tcase{
		{
			name:  "interface objects under an interface object, concrete fields and __typename",
			query: `{ nodes { id similar { __typename id ... on User { name plan } ... on Org { title } } } }`,
			data: `{"nodes":[
				{"id":"u1","similar":[{"__typename":"Org","id":"o1","title":"Acme"},{"__typename":"User","id":"u2","name":"Bob","plan":"free"}]},
				{"id":"o1","similar":[{"__typename":"User","id":"u1","name":"Ada","plan":"pro"}]},
				{"id":"u2","similar":[]}]}`,
		},
		{
			name:  "interface object in a value type of the interface object subgraph",
			query: `{ events { at subject { __typename id lastSeen ... on User { name } } } }`,
			data:  `{"events":[{"at":"9:00","subject":{"__typename":"User","id":"u2","lastSeen":null,"name":"Bob"}},{"at":"9:30","subject":{"__typename":"Org","id":"o1","lastSeen":"tue"}}]}`,
		},
		{
			name:  "concrete fragment on an interface object in a value type, without __typename",
			query: `{ events { at subject { ... on User { name } ... on Org { title } } } }`,
			data:  `{"events":[{"at":"9:00","subject":{"name":"Bob"}},{"at":"9:30","subject":{"title":"Acme"}}]}`,
		},
		{
			name:  "three levels of interface objects with only __typename",
			query: `{ recent { t: __typename similar { __typename similar { __typename id } } } }`,
			data: `{"recent":[
				{"t":"Org","similar":[{"__typename":"User","similar":[{"__typename":"Org","id":"o1"},{"__typename":"User","id":"u2"}]}]},
				{"t":"User","similar":[{"__typename":"Org","similar":[{"__typename":"User","id":"u1"}]},{"__typename":"User","similar":[]}]}]}`,
		},
		{
			name:  "concrete fragment around interface object fields at depth",
			query: `{ nodes { ... on Org { similar { ... on User { lastSeen similar { ... on Node { lastSeen } ... on Org { title } } } } } } }`,
			data:  `{"nodes":[{},{"similar":[{"lastSeen":"mon","similar":[{"lastSeen":"tue","title":"Acme"},{"lastSeen":null}]}]},{}]}`,
		},
		{
			name:   "error of an interface object field keeps the client path",
			query:  `{ nodes { id ... on User { risk } } }`,
			data:   `{"nodes":[{"id":"u1","risk":2},{"id":"o1"},{"id":"u2","risk":null}]}`,
			errors: []string{`activity|nodes.2.risk|no risk for u2`},
		},
		{
			name:   "null in a non-null interface object field propagates to the nullable parent",
			query:  `{ events { at subject { id level } } }`,
			data:   `{"events":[{"at":"9:00","subject":null},{"at":"9:30","subject":{"id":"o1","level":1}}]}`,
			errors: []string{`activity|events.0.subject.level|non-nullable`},
		},
		{
			name:   "null in a non-null interface object field nulls data through non-null lists",
			query:  `{ nodes { id level } }`,
			data:   `null`,
			errors: []string{`activity|nodes.2.level|non-nullable`},
		},
		{
			name:     "interface objects at depth without concrete needs stay in one subgraph",
			query:    `{ recent { id similar { id lastSeen } } }`,
			data:     `{"recent":[{"id":"o1","similar":[{"id":"u1","lastSeen":"mon"}]},{"id":"u1","similar":[{"id":"o1","lastSeen":"tue"},{"id":"u2","lastSeen":null}]}]}`,
			requests: map[string]int{"activity": 1, "accounts": 0, "billing": 0},
		},
	})
}

// --- 1: implementations with different keys ---

func auditDifferentKeysScenario() scenario {
	return scenario{subgraphs: []*testsubgraph.Subgraph{
		{
			Name: "store",
			SDL: fed + `type Query { stock: [Product!]! }
interface Product { title: String! }
type Book implements Product @key(fields: "isbn") { isbn: String! title: String! }
type Journal implements Product @key(fields: "issn vol") { issn: String! vol: Int! title: String! }`,
			Resolvers: map[string]testsubgraph.Resolver{"Query.stock": list([]any{
				map[string]any{"__typename": "Journal", "issn": "J-1", "vol": 2, "title": "Nature"},
				map[string]any{"__typename": "Book", "isbn": "B-1", "title": "Dune"},
				map[string]any{"__typename": "Journal", "issn": "J-1", "vol": 3, "title": "Nature"},
			})},
		},
		{
			Name: "pricing",
			SDL: fed + `type Book @key(fields: "isbn") { isbn: String! price: Int! }
type Journal @key(fields: "issn vol") { issn: String! vol: Int! price: Int! }`,
			Entities: map[string]testsubgraph.EntityResolver{
				"Book": byKey("Book", "isbn", map[string]map[string]any{"B-1": {"price": 10}}),
				"Journal": func(_ context.Context, rep map[string]any) (any, error) {
					v, _ := rep["vol"].(float64)
					return map[string]any{"__typename": "Journal", "issn": rep["issn"], "vol": rep["vol"], "price": 100 + int(v)}, nil
				},
			},
		},
	}}
}

func TestAuditAbstractDifferentKeys(t *testing.T) {
	t.Parallel()
	run(t, auditDifferentKeysScenario(), []tcase{
		{
			name:     "each implementation's own key in the representations",
			query:    `{ stock { title ... on Book { price } ... on Journal { vol price } } }`,
			data:     `{"stock":[{"title":"Nature","vol":2,"price":102},{"title":"Dune","price":10},{"title":"Nature","vol":3,"price":103}]}`,
			requests: map[string]int{"store": 1, "pricing": 1},
			check: func(t *testing.T, got map[string][]testsubgraph.Request) {
				for _, r := range reps(t, got["pricing"], 0) {
					m := r.(map[string]any)
					switch m["__typename"] {
					case "Book":
						if m["isbn"] == nil || len(m) != 2 {
							t.Errorf("book representation %v", m)
						}
					case "Journal":
						if m["issn"] == nil || m["vol"] == nil || len(m) != 3 {
							t.Errorf("journal representation %v", m)
						}
					}
				}
			},
		},
	})
}
