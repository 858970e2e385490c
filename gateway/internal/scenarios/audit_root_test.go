package scenarios

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shopgraph/shopgraph/gateway/execute"
	"github.com/shopgraph/shopgraph/gateway/internal/testsubgraph"
	"github.com/shopgraph/shopgraph/gateway/plan"
)

// Audit-style scenarios (in the manner of graphql-hive's federation-audit) for
// root fields, value types, enums and inputs, @inaccessible, @skip/@include,
// mutations, @override, introspection and request validation. Expected
// results follow the GraphQL spec and Federation v2 (Apollo Router) semantics.

// num reads a number an argument map holds, whatever its Go type.
func num(v any) int {
	switch n := v.(type) {
	case int:
		return n
	case int64:
		return int(n)
	case float64:
		return int(n)
	case json.Number:
		i, _ := n.Int64()
		return int(i)
	}
	return 0
}

// exec plans and runs one operation on a started scenario.
func exec(t *testing.T, r *running, ex *execute.Executor, query string, vars map[string]any) (string, []execute.Error, error) {
	t.Helper()
	pl, cv, err := r.planner.Plan(query, "", vars)
	if err != nil {
		return "", nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp := ex.Execute(ctx, pl, cv)
	return string(resp.Data), resp.Errors, nil
}

func startExec(t *testing.T, sc scenario) (*running, *execute.Executor) {
	t.Helper()
	r := start(t, sc)
	ex := execute.New(r.g, engineOptions())
	t.Cleanup(ex.Close)
	return r, ex
}

// ---------------------------------------------------------------------------
// 1. Shared root fields returning value types.

func sharedRootScenario() scenario {
	p := func(kv ...any) map[string]any {
		m := map[string]any{"__typename": "Product"}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}
	return scenario{subgraphs: []*testsubgraph.Subgraph{
		{
			Name: "names",
			SDL: fed + `type Query { product: Product @shareable products: [Product] @shareable productById(id: ID!): Product @shareable }
type Product @shareable { id: ID! name: String details: Details }
type Details @shareable { color: String }`,
			Resolvers: map[string]testsubgraph.Resolver{
				"Query.productById": func(_ context.Context, _ map[string]any, args map[string]any) (any, error) {
					return map[string]any{"p1": p("id", "p1", "name", "Lamp"), "p2": p("id", "p2", "name", "Desk")}[fmt.Sprint(args["id"])], nil
				},
				"Query.product": list(p("id", "p1", "name", "Lamp", "details", map[string]any{"color": "red"})),
				"Query.products": list([]any{
					p("id", "p1", "name", "Lamp", "details", map[string]any{"color": "red"}),
					p("id", "p2", "name", "Desk", "details", map[string]any{"color": "oak"}),
				}),
			},
		},
		{
			Name: "prices",
			SDL: fed + `type Query { product: Product @shareable products: [Product] @shareable productById(id: ID!): Product @shareable }
type Product @shareable { id: ID! price: Int details: Details }
type Details @shareable { size: Int }`,
			Resolvers: map[string]testsubgraph.Resolver{
				"Query.productById": func(_ context.Context, _ map[string]any, args map[string]any) (any, error) {
					return map[string]any{"p1": p("id", "p1", "price", 10), "p2": p("id", "p2", "price", 20)}[fmt.Sprint(args["id"])], nil
				},
				"Query.product": list(p("id", "p1", "price", 10, "details", map[string]any{"size": 3})),
				"Query.products": list([]any{
					p("id", "p1", "price", 10, "details", map[string]any{"size": 3}),
					p("id", "p2", "price", 20, "details", map[string]any{"size": 5}),
				}),
			},
		},
		{
			Name: "categories",
			SDL: fed + `type Query { product: Product @shareable products: [Product] @shareable productById(id: ID!): Product @shareable }
type Product @shareable { id: ID! category: String }`,
			Resolvers: map[string]testsubgraph.Resolver{
				"Query.productById": func(_ context.Context, _ map[string]any, args map[string]any) (any, error) {
					return map[string]any{"p1": p("id", "p1", "category", "Home"), "p2": p("id", "p2", "category", "Office")}[fmt.Sprint(args["id"])], nil
				},
				"Query.product": list(p("id", "p1", "category", "Home")),
				"Query.products": list([]any{
					p("id", "p1", "category", "Home"),
					p("id", "p2", "category", "Office"),
				}),
			},
		},
	}}
}

func TestAuditRootSharedValueTypes(t *testing.T) {
	t.Parallel()
	run(t, sharedRootScenario(), []tcase{
		{
			name:  "one shared root field, fields from three subgraphs",
			query: `{ product { id name price category } }`,
			data:  `{"product":{"id":"p1","name":"Lamp","price":10,"category":"Home"}}`,
		},
		{
			name:  "shared root list merges item by item",
			query: `{ products { id name price category } }`,
			data:  `{"products":[{"id":"p1","name":"Lamp","price":10,"category":"Home"},{"id":"p2","name":"Desk","price":20,"category":"Office"}]}`,
		},
		{
			name:  "nested value type merged from two subgraphs",
			query: `{ product { details { color size } } }`,
			data:  `{"product":{"details":{"color":"red","size":3}}}`,
		},
		{
			name:  "nested value type in a list",
			query: `{ products { name category details { size color } } }`,
			data:  `{"products":[{"name":"Lamp","category":"Home","details":{"size":3,"color":"red"}},{"name":"Desk","category":"Office","details":{"size":5,"color":"oak"}}]}`,
		},
		{
			name:     "a field only one subgraph has asks only that subgraph",
			query:    `{ product { price } }`,
			data:     `{"product":{"price":10}}`,
			requests: map[string]int{"prices": 1, "names": 0, "categories": 0},
		},
		{
			name:  "aliases of the shared root field",
			query: `{ a: product { name } b: product { price id } c: products { category } }`,
			data:  `{"a":{"name":"Lamp"},"b":{"price":10,"id":"p1"},"c":[{"category":"Home"},{"category":"Office"}]}`,
		},
		{
			name:  "typename on a merged value type",
			query: `{ products { __typename name category } }`,
			data:  `{"products":[{"__typename":"Product","name":"Lamp","category":"Home"},{"__typename":"Product","name":"Desk","category":"Office"}]}`,
		},
		{
			name:  "introspection next to shared root data",
			query: `{ __schema { queryType { name } } products { id } __typename }`,
			data:  `{"__schema":{"queryType":{"name":"Query"}},"products":[{"id":"p1"},{"id":"p2"}],"__typename":"Query"}`,
		},
		{
			name:  "shared root field with a literal argument sent to both subgraphs",
			query: `{ productById(id: "p2") { name price } }`,
			data:  `{"productById":{"name":"Desk","price":20}}`,
		},
		{
			name:  "shared root field with a variable argument sent to both subgraphs",
			query: `query($id: ID!) { productById(id: $id) { id price name } }`,
			vars:  map[string]any{"id": "p1"},
			data:  `{"productById":{"id":"p1","price":10,"name":"Lamp"}}`,
		},
		{
			name:  "shared root field answering null in both subgraphs",
			query: `{ productById(id: "p9") { name price } }`,
			data:  `{"productById":null}`,
		},
		{
			name:  "a field every subgraph has is fetched once",
			query: `{ products { id } }`,
			data:  `{"products":[{"id":"p1"},{"id":"p2"}]}`,
			check: func(t *testing.T, got map[string][]testsubgraph.Request) {
				if n := len(got["names"]) + len(got["prices"]) + len(got["categories"]); n != 1 {
					t.Errorf("%d requests, want 1: %v", n, got)
				}
			},
		},
		{
			// Apollo Router would still send the prices fetch (its root
			// selection is unconditional), so only the data is asserted.
			name:  "fields of one subgraph skipped",
			query: `query($s: Boolean!) { product { name price @skip(if: $s) details { size @skip(if: $s) } } }`,
			vars:  map[string]any{"s": true},
			data:  `{"product":{"name":"Lamp","details":{}}}`,
		},
		{
			name:  "fields of one subgraph skipped=false",
			query: `query($s: Boolean!) { product { name price @skip(if: $s) details { size @skip(if: $s) } } }`,
			vars:  map[string]any{"s": false},
			data:  `{"product":{"name":"Lamp","price":10,"details":{"size":3}}}`,
		},
		{
			name:  "fragments on the value type from different subgraphs",
			query: `{ products { ... on Product { category } ...P } } fragment P on Product { name details { ... on Details { size } } }`,
			data:  `{"products":[{"category":"Home","name":"Lamp","details":{"size":3}},{"category":"Office","name":"Desk","details":{"size":5}}]}`,
		},
	})
}

// The alphabetically first subgraph of a shared root field answers null; the
// query only selects a field another subgraph resolves, so only that subgraph
// should be asked (one fetch, as Apollo Router plans it), and its object is
// the answer.
func TestAuditRootSharedOnlyNeededSubgraph(t *testing.T) {
	t.Parallel()
	sc := scenario{subgraphs: []*testsubgraph.Subgraph{
		{
			Name:      "a",
			SDL:       fed + `type Query { thing: Thing @shareable } type Thing @shareable { x: Int }`,
			Resolvers: map[string]testsubgraph.Resolver{"Query.thing": list(nil)},
		},
		{
			Name:      "b",
			SDL:       fed + `type Query { thing: Thing @shareable } type Thing @shareable { x: Int y: Int }`,
			Resolvers: map[string]testsubgraph.Resolver{"Query.thing": list(map[string]any{"x": 1, "y": 2})},
		},
	}}
	run(t, sc, []tcase{
		{name: "field of the second subgraph only", query: `{ thing { y } }`, data: `{"thing":{"y":2}}`, requests: map[string]int{"a": 0, "b": 1}},
	})
}

// A shareable root field that returns an entity.
func TestAuditRootSharedEntity(t *testing.T) {
	t.Parallel()
	sc := scenario{subgraphs: []*testsubgraph.Subgraph{
		{
			Name:      "a",
			SDL:       fed + `type Query { topProduct: Product @shareable } type Product @key(fields: "id") { id: ID! name: String dims: Dims @shareable } type Dims @shareable { w: Int }`,
			Resolvers: map[string]testsubgraph.Resolver{"Query.topProduct": list(map[string]any{"__typename": "Product", "id": "p1", "name": "Lamp", "dims": map[string]any{"w": 4}})},
			Entities:  map[string]testsubgraph.EntityResolver{"Product": byKey("Product", "id", map[string]map[string]any{"p1": {"name": "Lamp", "dims": map[string]any{"w": 4}}})},
		},
		{
			Name:      "b",
			SDL:       fed + `type Query { topProduct: Product @shareable } type Product @key(fields: "id") { id: ID! price: Int dims: Dims @shareable } type Dims @shareable { h: Int }`,
			Resolvers: map[string]testsubgraph.Resolver{"Query.topProduct": list(map[string]any{"__typename": "Product", "id": "p1", "price": 10, "dims": map[string]any{"h": 9}})},
			Entities:  map[string]testsubgraph.EntityResolver{"Product": byKey("Product", "id", map[string]map[string]any{"p1": {"price": 10, "dims": map[string]any{"h": 9}}})},
		},
	}}
	run(t, sc, []tcase{
		{name: "fields of both subgraphs", query: `{ topProduct { id name price } }`, data: `{"topProduct":{"id":"p1","name":"Lamp","price":10}}`},
		{name: "value type under the shared entity, split over both", query: `{ topProduct { dims { w h } name price } }`, data: `{"topProduct":{"dims":{"w":4,"h":9},"name":"Lamp","price":10}}`},
		{name: "one subgraph suffices", query: `{ topProduct { price } }`, data: `{"topProduct":{"price":10}}`, requests: map[string]int{"a": 0, "b": 1}},
		{name: "other subgraph suffices", query: `{ topProduct { name __typename } }`, data: `{"topProduct":{"name":"Lamp","__typename":"Product"}}`, requests: map[string]int{"a": 1, "b": 0}},
	})
}

// ---------------------------------------------------------------------------
// 2. A value type under an entity, its fields spread over two subgraphs.

func TestAuditRootValueTypeUnderEntity(t *testing.T) {
	t.Parallel()
	sc := scenario{subgraphs: []*testsubgraph.Subgraph{
		{
			Name: "users",
			SDL: fed + `type Query { users: [User] }
type User @key(fields: "id") { id: ID! name: String address: Address @shareable }
type Address @shareable { street: String zip: String }`,
			Resolvers: map[string]testsubgraph.Resolver{"Query.users": list([]any{
				map[string]any{"__typename": "User", "id": "u1", "name": "Ann", "address": map[string]any{"street": "1 Main", "zip": "111"}},
				map[string]any{"__typename": "User", "id": "u2", "name": "Bob", "address": map[string]any{"street": "2 High", "zip": "222"}},
			})},
		},
		{
			Name: "geo",
			SDL: fed + `type User @key(fields: "id") { id: ID! address: Address @shareable location: Location }
type Address @shareable { street: String city: String }
type Location @shareable { lat: Float lng: Float }`,
			Entities: map[string]testsubgraph.EntityResolver{"User": byKey("User", "id", map[string]map[string]any{
				"u1": {"address": map[string]any{"street": "1 Main", "city": "Oslo"}, "location": map[string]any{"lat": 59.9, "lng": 10.7}},
				"u2": {"address": map[string]any{"street": "2 High", "city": "Bergen"}, "location": map[string]any{"lat": 60.4, "lng": 5.3}},
			})},
		},
	}}
	run(t, sc, []tcase{
		{
			name:     "value type fields from both subgraphs",
			query:    `{ users { name address { street zip city } } }`,
			data:     `{"users":[{"name":"Ann","address":{"street":"1 Main","zip":"111","city":"Oslo"}},{"name":"Bob","address":{"street":"2 High","zip":"222","city":"Bergen"}}]}`,
			requests: map[string]int{"users": 1, "geo": 1},
		},
		{
			name:     "shareable value field the first subgraph has needs no jump",
			query:    `{ users { address { street zip } } }`,
			data:     `{"users":[{"address":{"street":"1 Main","zip":"111"}},{"address":{"street":"2 High","zip":"222"}}]}`,
			requests: map[string]int{"users": 1, "geo": 0},
		},
		{
			name:  "value type only the second subgraph has, with aliases",
			query: `{ users { id where: location { lat } address { c: city } } }`,
			data:  `{"users":[{"id":"u1","where":{"lat":59.9},"address":{"c":"Oslo"}},{"id":"u2","where":{"lat":60.4},"address":{"c":"Bergen"}}]}`,
		},
	})
}

// ---------------------------------------------------------------------------
// 3. Enums whose values differ between subgraphs.

func enumScenario() scenario {
	users := []map[string]any{
		{"__typename": "User", "id": "u1", "type": "REGULAR", "status": "ACTIVE", "role": "VIEWER"},
		{"__typename": "User", "id": "u2", "type": "ADMIN", "status": "SUSPENDED", "role": "ADMIN"},
		{"__typename": "User", "id": "u3", "type": "ANONYMOUS", "status": "ACTIVE", "role": "EDITOR"},
	}
	byType := func(_ context.Context, _ map[string]any, args map[string]any) (any, error) {
		out := []any{}
		for _, u := range users[:2] {
			if t, ok := args["type"]; ok && t != nil && t != u["type"] {
				continue
			}
			out = append(out, u)
		}
		return out, nil
	}
	byRole := func(_ context.Context, _ map[string]any, args map[string]any) (any, error) {
		out := []any{}
		for _, u := range users {
			if args["role"] == u["role"] {
				out = append(out, u)
			}
		}
		return out, nil
	}
	return scenario{subgraphs: []*testsubgraph.Subgraph{
		{
			Name: "a",
			SDL: fed + `type Query { users(type: UserType): [User] everyone: [User] usersByRole(role: Role!): [User] }
type User @key(fields: "id") { id: ID! type: UserType status: Status }
enum UserType { REGULAR ADMIN ANONYMOUS @inaccessible }
enum Role { ADMIN EDITOR VIEWER }
enum Status { ACTIVE SUSPENDED }`,
			Resolvers: map[string]testsubgraph.Resolver{
				"Query.users":       byType,
				"Query.usersByRole": byRole,
				"Query.everyone":    list([]any{users[0], users[1], users[2]}),
			},
			Entities: map[string]testsubgraph.EntityResolver{"User": byKey("User", "id", map[string]map[string]any{
				"u1": users[0], "u2": users[1], "u3": users[2],
			})},
		},
		{
			Name: "b",
			SDL: fed + `type Query { countByRole(role: Role!): Int }
type User @key(fields: "id") { id: ID! previousStatus: Status }
enum Role { ADMIN VIEWER GUEST }
enum Status { ACTIVE DELETED }`,
			Resolvers: map[string]testsubgraph.Resolver{"Query.countByRole": func(_ context.Context, _ map[string]any, args map[string]any) (any, error) {
				return map[any]int{"ADMIN": 1, "VIEWER": 1, "GUEST": 7}[args["role"]], nil
			}},
			Entities: map[string]testsubgraph.EntityResolver{"User": byKey("User", "id", map[string]map[string]any{
				"u1": {"previousStatus": "DELETED"}, "u2": {"previousStatus": "ACTIVE"}, "u3": {"previousStatus": "BOGUS"},
			})},
		},
	}}
}

func TestAuditRootEnumIntersection(t *testing.T) {
	t.Parallel()
	run(t, enumScenario(), []tcase{
		{
			name:  "enum output values, union enum from another subgraph",
			query: `{ users { id type status previousStatus } }`,
			data:  `{"users":[{"id":"u1","type":"REGULAR","status":"ACTIVE","previousStatus":"DELETED"},{"id":"u2","type":"ADMIN","status":"SUSPENDED","previousStatus":"ACTIVE"}]}`,
		},
		{
			name:  "enum literal argument",
			query: `{ users(type: ADMIN) { id } }`,
			data:  `{"users":[{"id":"u2"}]}`,
		},
		{
			name:  "enum variable argument",
			query: `query($t: UserType) { users(type: $t) { id } }`,
			vars:  map[string]any{"t": "REGULAR"},
			data:  `{"users":[{"id":"u1"}]}`,
		},
		{
			name:  "omitted nullable enum variable leaves the argument out",
			query: `query($t: UserType) { users(type: $t) { id } }`,
			data:  `{"users":[{"id":"u1"},{"id":"u2"}]}`,
		},
		{
			name:  "enum variable with a default value",
			query: `query($t: UserType = ADMIN) { users(type: $t) { id } }`,
			data:  `{"users":[{"id":"u2"}]}`,
		},
		{
			name:      "inaccessible enum value as a literal is a validation error",
			query:     `{ users(type: ANONYMOUS) { id } }`,
			planError: `ANONYMOUS`,
		},
		{
			name:      "inaccessible enum value as a variable is a variable error",
			query:     `query($t: UserType) { users(type: $t) { id } }`,
			vars:      map[string]any{"t": "ANONYMOUS"},
			planError: `ANONYMOUS`,
		},
		{
			name:  "input-only enum: value in every subgraph",
			query: `{ usersByRole(role: VIEWER) { id } countByRole(role: ADMIN) }`,
			data:  `{"usersByRole":[{"id":"u1"}],"countByRole":1}`,
		},
		{
			name:  "input-only enum as a variable to both subgraphs",
			query: `query($r: Role!) { usersByRole(role: $r) { id } countByRole(role: $r) }`,
			vars:  map[string]any{"r": "ADMIN"},
			data:  `{"usersByRole":[{"id":"u2"}],"countByRole":1}`,
		},
		{
			name:      "input-only enum: value of one subgraph only (a) is not in the API",
			query:     `{ usersByRole(role: EDITOR) { id } }`,
			planError: `EDITOR`,
		},
		{
			name:      "input-only enum: value of one subgraph only (b) is not in the API",
			query:     `{ countByRole(role: GUEST) }`,
			planError: `GUEST`,
		},
		{
			name:  "introspection: intersected input enum",
			query: `{ __type(name: "Role") { enumValues { name } } }`,
			data:  `{"__type":{"enumValues":[{"name":"ADMIN"},{"name":"VIEWER"}]}}`,
		},
		{
			name:  "introspection: enum with an inaccessible value",
			query: `{ __type(name: "UserType") { enumValues { name } } }`,
			data:  `{"__type":{"enumValues":[{"name":"REGULAR"},{"name":"ADMIN"}]}}`,
		},
		{
			name:  "introspection: output enum is the union, in order of appearance",
			query: `{ __type(name: "Status") { enumValues { name } } }`,
			data:  `{"__type":{"enumValues":[{"name":"ACTIVE"},{"name":"SUSPENDED"},{"name":"DELETED"}]}}`,
		},
		{
			name:      "input-only enum: one-subgraph value as a variable",
			query:     `query($r: Role!) { countByRole(role: $r) }`,
			vars:      map[string]any{"r": "GUEST"},
			planError: `GUEST`,
		},
	})
}

// A subgraph answers an enum value the API schema does not have (an
// @inaccessible one, or one no subgraph declares): the router must not pass it
// on; the nullable field becomes null. Apollo Router (2.x) also reports an
// error for it; whether it does is not asserted here.
func TestAuditRootEnumUnknownValue(t *testing.T) {
	t.Parallel()
	r, ex := startExec(t, enumScenario())
	for _, tt := range []struct{ query, data string }{
		{`{ everyone { id type } }`, `{"everyone":[{"id":"u1","type":"REGULAR"},{"id":"u2","type":"ADMIN"},{"id":"u3","type":null}]}`},
		{`{ everyone { id previousStatus } }`, `{"everyone":[{"id":"u1","previousStatus":"DELETED"},{"id":"u2","previousStatus":"ACTIVE"},{"id":"u3","previousStatus":null}]}`},
	} {
		data, errs, err := exec(t, r, ex, tt.query, nil)
		if err != nil {
			t.Fatalf("%s: %v", tt.query, err)
		}
		if data != tt.data {
			t.Errorf("%s: data =\n%s\nwant\n%s", tt.query, data, tt.data)
		}
		t.Logf("%s: errors %+v", tt.query, errs)
	}
}

// ---------------------------------------------------------------------------
// 4. Input objects whose fields differ between subgraphs.

func TestAuditRootInputIntersection(t *testing.T) {
	t.Parallel()
	products := []map[string]any{
		{"__typename": "Product", "id": "p1", "name": "Lamp", "price": 10},
		{"__typename": "Product", "id": "p2", "name": "Desk", "price": 20},
	}
	match := func(f map[string]any, p map[string]any) bool {
		if f == nil {
			return true
		}
		if n, ok := f["name"].(string); ok && !strings.HasPrefix(p["name"].(string), n) {
			return false
		}
		if m, ok := f["minPrice"]; ok && m != nil && p["price"].(int) < num(m) {
			return false
		}
		if r, ok := f["range"].(map[string]any); ok {
			if mx, ok := r["max"]; ok && mx != nil && p["price"].(int) > num(mx) {
				return false
			}
		}
		return true
	}
	sc := scenario{subgraphs: []*testsubgraph.Subgraph{
		{
			Name: "a",
			SDL: fed + `type Query { search(filter: Filter): [Product] }
type Product @key(fields: "id") { id: ID! name: String price: Int }
input Filter { name: String minPrice: Int tag: String range: Range }
input Range { max: Int }`,
			Resolvers: map[string]testsubgraph.Resolver{"Query.search": func(_ context.Context, _ map[string]any, args map[string]any) (any, error) {
				f, _ := args["filter"].(map[string]any)
				if _, ok := f["tag"]; ok {
					return nil, errors.New("tag must never reach the subgraph")
				}
				out := []any{}
				for _, p := range products {
					if match(f, p) {
						out = append(out, p)
					}
				}
				return out, nil
			}},
		},
		{
			Name: "b",
			SDL: fed + `type Query { count(filter: Filter): Int }
input Filter { name: String minPrice: Int onSale: Boolean range: Range }
input Range { max: Int }`,
			Resolvers: map[string]testsubgraph.Resolver{"Query.count": func(_ context.Context, _ map[string]any, args map[string]any) (any, error) {
				f, _ := args["filter"].(map[string]any)
				n := 0
				for _, p := range products {
					if match(f, p) {
						n++
					}
				}
				return n, nil
			}},
		},
	}}
	run(t, sc, []tcase{
		{
			name:  "common input fields as literals to both subgraphs",
			query: `{ search(filter: {name: "La", minPrice: 5}) { id name } count(filter: {minPrice: 15}) }`,
			data:  `{"search":[{"id":"p1","name":"Lamp"}],"count":1}`,
		},
		{
			name:  "nested input object",
			query: `{ search(filter: {range: {max: 15}}) { id } count(filter: {range: {max: 100}}) }`,
			data:  `{"search":[{"id":"p1"}],"count":2}`,
		},
		{
			name:  "input object variable to both subgraphs",
			query: `query($f: Filter) { search(filter: $f) { id } count(filter: $f) }`,
			vars:  map[string]any{"f": map[string]any{"minPrice": 15}},
			data:  `{"search":[{"id":"p2"}],"count":1}`,
		},
		{
			name:  "variables inside an input literal",
			query: `query($m: Int, $x: Int) { search(filter: {minPrice: $m, range: {max: $x}}) { id } }`,
			vars:  map[string]any{"m": 5, "x": 25},
			data:  `{"search":[{"id":"p1"},{"id":"p2"}]}`,
		},
		{
			name:  "introspection: intersected input fields",
			query: `{ __type(name: "Filter") { inputFields { name type { name } } } }`,
			data:  `{"__type":{"inputFields":[{"name":"name","type":{"name":"String"}},{"name":"minPrice","type":{"name":"Int"}},{"name":"range","type":{"name":"Range"}}]}}`,
		},
		{
			name:      "input field of one subgraph only (a) is not in the API",
			query:     `{ search(filter: {tag: "x"}) { id } }`,
			planError: `tag`,
		},
		{
			name:      "input field of one subgraph only (b) is not in the API",
			query:     `{ count(filter: {onSale: true}) }`,
			planError: `onSale`,
		},
		{
			name:      "input variable with a field not in the API",
			query:     `query($f: Filter) { search(filter: $f) { id } }`,
			vars:      map[string]any{"f": map[string]any{"tag": "x"}},
			planError: `tag`,
		},
	})
}

// ---------------------------------------------------------------------------
// 5. @inaccessible fields, types, arguments and enum values.

func inaccessibleScenario() scenario {
	products := map[string]map[string]any{
		"p1": {"__typename": "Product", "id": "p1", "sku": "s1", "name": "Lamp", "secret": "x", "kind": "NORMAL"},
		"p2": {"__typename": "Product", "id": "p2", "sku": "s2", "name": "Desk", "secret": "y", "kind": "HIDDEN"},
	}
	return scenario{subgraphs: []*testsubgraph.Subgraph{
		{
			Name: "a",
			SDL: fed + `type Query { products(kinds: [Kind!]): [Product] product(id: ID!, debug: Boolean @inaccessible): Product internal: String @inaccessible hidden: Internal @inaccessible }
type Product @key(fields: "id") @key(fields: "sku") { id: ID! sku: String! @inaccessible name: String secret: String @inaccessible kind: Kind oldName: String @deprecated(reason: "use name") }
enum Kind { NORMAL HIDDEN @inaccessible }
type Internal @inaccessible { x: String }`,
			Resolvers: map[string]testsubgraph.Resolver{
				"Query.products": func(_ context.Context, _ map[string]any, args map[string]any) (any, error) {
					out := []any{}
					for _, id := range []string{"p1", "p2"} {
						ks, filtered := args["kinds"].([]any)
						keep := !filtered
						for _, k := range ks {
							keep = keep || k == products[id]["kind"]
						}
						if keep {
							out = append(out, products[id])
						}
					}
					return out, nil
				},
				"Query.product": func(_ context.Context, _ map[string]any, args map[string]any) (any, error) {
					if _, ok := args["debug"]; ok {
						return nil, errors.New("debug must never reach the subgraph")
					}
					return products[fmt.Sprint(args["id"])], nil
				},
			},
			Entities: map[string]testsubgraph.EntityResolver{"Product": byKey("Product", "id", products)},
		},
		{
			Name:     "b",
			SDL:      fed + `type Product @key(fields: "sku") { sku: String! @inaccessible price: Int secret: String @external note: String @requires(fields: "secret") }`,
			Entities: map[string]testsubgraph.EntityResolver{"Product": byKey("Product", "sku", map[string]map[string]any{"s1": {"price": 10}, "s2": {"price": 20}})},
			Resolvers: map[string]testsubgraph.Resolver{"Product.note": func(_ context.Context, p map[string]any, _ map[string]any) (any, error) {
				if p["secret"] == nil {
					return nil, errors.New("secret missing")
				}
				return "note " + p["secret"].(string), nil
			}},
		},
	}}
}

func TestAuditRootInaccessible(t *testing.T) {
	t.Parallel()
	run(t, inaccessibleScenario(), []tcase{
		{
			name:     "an inaccessible key field is still used for the entity jump",
			query:    `{ products { name price } }`,
			data:     `{"products":[{"name":"Lamp","price":10},{"name":"Desk","price":20}]}`,
			requests: map[string]int{"a": 1, "b": 1},
			check: func(t *testing.T, got map[string][]testsubgraph.Request) {
				rs := reps(t, got["b"], 0)
				if len(rs) != 2 || rs[0].(map[string]any)["sku"] != "s1" {
					t.Errorf("b representations = %v, want sku keys", rs)
				}
			},
		},
		{
			name:  "accessible argument with the inaccessible one left out",
			query: `{ product(id: "p1") { name kind price } }`,
			data:  `{"product":{"name":"Lamp","kind":"NORMAL","price":10}}`,
		},
		{name: "inaccessible key field", query: `{ products { sku } }`, planError: `Cannot query field "sku" on type "Product"`},
		{name: "inaccessible field", query: `{ products { name secret } }`, planError: `Cannot query field "secret" on type "Product"`},
		{name: "inaccessible root field", query: `{ internal }`, planError: `Cannot query field "internal" on type "Query"`},
		{name: "inaccessible root field of inaccessible type", query: `{ hidden { x } }`, planError: `Cannot query field "hidden" on type "Query"`},
		{name: "inaccessible argument", query: `{ product(id: "p1", debug: true) { name } }`, planError: `Unknown argument "debug"`},
		{name: "inaccessible enum value as a variable", query: `query($k: [Kind!]) { products(kinds: $k) { name } } `, vars: map[string]any{"k": []any{"HIDDEN"}}, planError: `HIDDEN`},
		{name: "inaccessible enum value as a literal", query: `{ products(kinds: [HIDDEN]) { name } } `, planError: `HIDDEN`},
		{name: "enum argument", query: `{ products(kinds: [NORMAL]) { name } } `, data: `{"products":[{"name":"Lamp"}]}`},
		{name: "inaccessible type in a fragment", query: `{ products { name ... on Internal { x } } }`, planError: `Internal`},
		{
			name:  "introspection: fields of an entity",
			query: `{ __type(name: "Product") { name fields { name } } }`,
			data:  `{"__type":{"name":"Product","fields":[{"name":"id"},{"name":"name"},{"name":"kind"},{"name":"price"},{"name":"note"}]}}`,
		},
		{
			name:  "an inaccessible field is still sent to @requires",
			query: `{ products { name note } }`,
			data:  `{"products":[{"name":"Lamp","note":"note x"},{"name":"Desk","note":"note y"}]}`,
		},
		{
			name:  "introspection: deprecated fields",
			query: `{ __type(name: "Product") { fields(includeDeprecated: true) { name isDeprecated deprecationReason } } }`,
			data:  `{"__type":{"fields":[{"name":"id","isDeprecated":false,"deprecationReason":null},{"name":"name","isDeprecated":false,"deprecationReason":null},{"name":"kind","isDeprecated":false,"deprecationReason":null},{"name":"oldName","isDeprecated":true,"deprecationReason":"use name"},{"name":"price","isDeprecated":false,"deprecationReason":null},{"name":"note","isDeprecated":false,"deprecationReason":null}]}}`,
		},
		{
			name:  "introspection: an inaccessible type is absent",
			query: `{ __type(name: "Internal") { name } }`,
			data:  `{"__type":null}`,
		},
		{
			name:  "introspection: enum values",
			query: `{ __type(name: "Kind") { enumValues { name } } }`,
			data:  `{"__type":{"enumValues":[{"name":"NORMAL"}]}}`,
		},
		{
			name:  "introspection: arguments of root fields",
			query: `{ __type(name: "Query") { fields { name args { name } } } }`,
			data:  `{"__type":{"fields":[{"name":"products","args":[{"name":"kinds"}]},{"name":"product","args":[{"name":"id"}]}]}}`,
		},
		{
			name:  "introspection mixed with data",
			query: `{ __type(name: "Product") { fields { name } } products { id } }`,
			data:  `{"__type":{"fields":[{"name":"id"},{"name":"name"},{"name":"kind"},{"name":"price"},{"name":"note"}]},"products":[{"id":"p1"},{"id":"p2"}]}`,
		},
		{
			name:  "federation internals are not types of the API",
			query: `{ a: __type(name: "_Entity") { name } b: __type(name: "_Service") { name } c: __type(name: "_Any") { name } d: __type(name: "join__Graph") { name } e: __type(name: "link__Purpose") { name } f: __type(name: "FieldSet") { name } }`,
			data:  `{"a":null,"b":null,"c":null,"d":null,"e":null,"f":null}`,
		},
		{name: "_entities is not queryable", query: `{ _entities(representations: []) { __typename } }`, planError: `Cannot query field "_entities"`},
		{name: "_service is not queryable", query: `{ _service { sdl } }`, planError: `Cannot query field "_service"`},
	})
}

// Every type the API schema lists: no inaccessible or federation types.
func TestAuditRootInaccessibleSchemaTypes(t *testing.T) {
	t.Parallel()
	r, ex := startExec(t, inaccessibleScenario())
	data, errs, err := exec(t, r, ex, `{ __schema { types { name } directives { name } } }`, nil)
	if err != nil || len(errs) > 0 {
		t.Fatalf("err %v, errors %+v", err, errs)
	}
	var got struct {
		Schema struct {
			Types      []struct{ Name string } `json:"types"`
			Directives []struct{ Name string } `json:"directives"`
		} `json:"__schema"`
	}
	if err := json.Unmarshal([]byte(data), &got); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, ty := range got.Schema.Types {
		if !strings.HasPrefix(ty.Name, "__") {
			names = append(names, ty.Name)
		}
	}
	sort.Strings(names)
	// Float is referenced by nothing; whether an unreferenced built-in scalar
	// is listed differs between implementations, so it is not asserted.
	if i := sort.SearchStrings(names, "Float"); i < len(names) && names[i] == "Float" {
		names = append(names[:i], names[i+1:]...)
	}
	if want := "Boolean,ID,Int,Kind,Product,Query,String"; strings.Join(names, ",") != want {
		t.Errorf("types = %s, want %s", strings.Join(names, ","), want)
	}
	var dirs []string
	for _, d := range got.Schema.Directives {
		dirs = append(dirs, d.Name)
	}
	sort.Strings(dirs)
	for _, d := range dirs {
		if strings.HasPrefix(d, "join__") || d == "link" || d == "inaccessible" || d == "key" {
			t.Errorf("directive %s exposed: %v", d, dirs)
		}
	}
	for _, d := range []string{"deprecated", "include", "skip"} {
		if sort.SearchStrings(dirs, d) == len(dirs) || dirs[sort.SearchStrings(dirs, d)] != d {
			t.Errorf("directive %s missing: %v", d, dirs)
		}
	}
}

// ---------------------------------------------------------------------------
// 6. @skip/@include around entity fetches and @requires.

func skipScenario() scenario {
	products := map[string]map[string]any{
		"p1": {"__typename": "Product", "id": "p1", "name": "Lamp", "weight": 2},
		"p2": {"__typename": "Product", "id": "p2", "name": "Desk", "weight": 30},
	}
	return scenario{subgraphs: []*testsubgraph.Subgraph{
		{
			Name:      "products",
			SDL:       fed + `type Query { products: [Product] } type Product @key(fields: "id") { id: ID! name: String weight: Int }`,
			Resolvers: map[string]testsubgraph.Resolver{"Query.products": list([]any{products["p1"], products["p2"]})},
			Entities:  map[string]testsubgraph.EntityResolver{"Product": byKey("Product", "id", products)},
		},
		{
			Name: "inventory",
			SDL:  fed + `type Product @key(fields: "id") { id: ID! weight: Int @external shippingCost: Int @requires(fields: "weight") inStock: Boolean }`,
			Resolvers: map[string]testsubgraph.Resolver{"Product.shippingCost": func(_ context.Context, p map[string]any, _ map[string]any) (any, error) {
				if p["weight"] == nil {
					return nil, errors.New("weight missing")
				}
				return num(p["weight"]) * 5, nil
			}},
			Entities: map[string]testsubgraph.EntityResolver{"Product": byKey("Product", "id", map[string]map[string]any{"p1": {"inStock": true}, "p2": {"inStock": false}})},
		},
		{
			Name:     "reviews",
			SDL:      fed + `type Product @key(fields: "id") { id: ID! reviews: [String] }`,
			Entities: map[string]testsubgraph.EntityResolver{"Product": byKey("Product", "id", map[string]map[string]any{"p1": {"reviews": []any{"bright"}}, "p2": {"reviews": []any{}}})},
		},
	}}
}

func TestAuditRootIncludeSkip(t *testing.T) {
	t.Parallel()
	const reqSkip = `query($s: Boolean!) { products { name shippingCost @skip(if: $s) } }`
	const spread = `query($i: Boolean!) { products { name ...Inv @include(if: $i) } } fragment Inv on Product { inStock shippingCost }`
	const inline = `query($s: Boolean!) { products { id ... on Product @skip(if: $s) { inStock reviews } } }`
	const requiredHidden = `query($x: Boolean!, $y: Boolean!) { products { shippingCost @include(if: $x) weight @include(if: $y) } }`
	const def = `query($i: Boolean = true) { products { name reviews @include(if: $i) } }`
	run(t, skipScenario(), []tcase{
		{
			name:     "skipped @requires field: no fetch",
			query:    reqSkip,
			vars:     map[string]any{"s": true},
			data:     `{"products":[{"name":"Lamp"},{"name":"Desk"}]}`,
			requests: map[string]int{"products": 1, "inventory": 0, "reviews": 0},
		},
		{
			name:     "not skipped @requires field",
			query:    reqSkip,
			vars:     map[string]any{"s": false},
			data:     `{"products":[{"name":"Lamp","shippingCost":10},{"name":"Desk","shippingCost":150}]}`,
			requests: map[string]int{"products": 1, "inventory": 1},
			check: func(t *testing.T, got map[string][]testsubgraph.Request) {
				if rs := reps(t, got["inventory"], 0); len(rs) != 2 || num(rs[0].(map[string]any)["weight"]) != 2 {
					t.Errorf("inventory representations = %v, want weight", rs)
				}
			},
		},
		{
			name:     "literal @include(if: false) on an entity field",
			query:    `{ products { name inStock @include(if: false) reviews @skip(if: true) } }`,
			data:     `{"products":[{"name":"Lamp"},{"name":"Desk"}]}`,
			requests: map[string]int{"products": 1, "inventory": 0, "reviews": 0},
		},
		{
			name:     "literal @include(if: true) and @skip(if: false)",
			query:    `{ products { name inStock @include(if: true) reviews @skip(if: false) } }`,
			data:     `{"products":[{"name":"Lamp","inStock":true,"reviews":["bright"]},{"name":"Desk","inStock":false,"reviews":[]}]}`,
			requests: map[string]int{"products": 1, "inventory": 1, "reviews": 1},
		},
		{
			name:     "fragment spread excluded",
			query:    spread,
			vars:     map[string]any{"i": false},
			data:     `{"products":[{"name":"Lamp"},{"name":"Desk"}]}`,
			requests: map[string]int{"products": 1, "inventory": 0},
		},
		{
			name:     "fragment spread included",
			query:    spread,
			vars:     map[string]any{"i": true},
			data:     `{"products":[{"name":"Lamp","inStock":true,"shippingCost":10},{"name":"Desk","inStock":false,"shippingCost":150}]}`,
			requests: map[string]int{"products": 1},
		},
		{
			name:     "inline fragment skipped: no fetch to either subgraph",
			query:    inline,
			vars:     map[string]any{"s": true},
			data:     `{"products":[{"id":"p1"},{"id":"p2"}]}`,
			requests: map[string]int{"products": 1, "inventory": 0, "reviews": 0},
		},
		{
			name:     "inline fragment kept",
			query:    inline,
			vars:     map[string]any{"s": false},
			data:     `{"products":[{"id":"p1","inStock":true,"reviews":["bright"]},{"id":"p2","inStock":false,"reviews":[]}]}`,
			requests: map[string]int{"products": 1, "inventory": 1, "reviews": 1},
		},
		{
			name:  "required field fetched but excluded from the response",
			query: requiredHidden,
			vars:  map[string]any{"x": true, "y": false},
			data:  `{"products":[{"shippingCost":10},{"shippingCost":150}]}`,
		},
		{
			name:     "required field asked for, dependent excluded",
			query:    requiredHidden,
			vars:     map[string]any{"x": false, "y": true},
			data:     `{"products":[{"weight":2},{"weight":30}]}`,
			requests: map[string]int{"inventory": 0},
		},
		{
			name:     "both excluded: objects stay, empty",
			query:    requiredHidden,
			vars:     map[string]any{"x": false, "y": false},
			data:     `{"products":[{},{}]}`,
			requests: map[string]int{"products": 1, "inventory": 0},
		},
		{
			name:     "variable default value true applies when omitted",
			query:    def,
			data:     `{"products":[{"name":"Lamp","reviews":["bright"]},{"name":"Desk","reviews":[]}]}`,
			requests: map[string]int{"reviews": 1},
		},
		{
			name:     "variable default value overridden by false",
			query:    def,
			vars:     map[string]any{"i": false},
			data:     `{"products":[{"name":"Lamp"},{"name":"Desk"}]}`,
			requests: map[string]int{"reviews": 0},
		},
		{
			// A nullable variable without default may not be used where
			// Boolean! is expected (VariablesInAllowedPosition).
			name:      "nullable variable without default in if: is invalid",
			query:     `query($i: Boolean) { products { name @include(if: $i) } }`,
			planError: `Boolean`,
		},
		{
			name:      "missing required if variable",
			query:     `query($i: Boolean!) { products { name @include(if: $i) } }`,
			planError: `i`,
		},
		{
			name:     "the same field skipped once and kept once is kept",
			query:    `{ products { reviews @skip(if: true) reviews name } }`,
			data:     `{"products":[{"reviews":["bright"],"name":"Lamp"},{"reviews":[],"name":"Desk"}]}`,
			requests: map[string]int{"reviews": 1},
		},
		{
			name:     "the same field included through a fragment only",
			query:    `query($i: Boolean!) { products { name inStock @include(if: $i) ... @include(if: true) { inStock } } }`,
			vars:     map[string]any{"i": false},
			data:     `{"products":[{"name":"Lamp","inStock":true},{"name":"Desk","inStock":false}]}`,
			requests: map[string]int{"inventory": 1},
		},
		{
			name:     "skipped introspection and root typename",
			query:    `query($s: Boolean!) { __typename @skip(if: $s) __schema @skip(if: $s) { queryType { name } } products { id } }`,
			vars:     map[string]any{"s": true},
			data:     `{"products":[{"id":"p1"},{"id":"p2"}]}`,
			requests: map[string]int{"products": 1},
		},
		{
			name:     "skipped root field next to introspection",
			query:    `query($s: Boolean!) { __typename products @skip(if: $s) { id } }`,
			vars:     map[string]any{"s": true},
			data:     `{"__typename":"Query"}`,
			requests: map[string]int{"products": 0},
		},
		{
			name:     "skip on __typename and the only entity field",
			query:    `query($s: Boolean!) { products { __typename @skip(if: $s) reviews @skip(if: $s) } }`,
			vars:     map[string]any{"s": true},
			data:     `{"products":[{},{}]}`,
			requests: map[string]int{"products": 1, "reviews": 0},
		},
	})
}

// ---------------------------------------------------------------------------
// 7. Mutations across two subgraphs, strictly in order.

type mutationLog struct {
	mu      sync.Mutex
	events  []string
	names   map[string]string
	prices  map[string]int
	next    int
	running bool
}

func (l *mutationLog) add(e string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = append(l.events, e)
}

func (l *mutationLog) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.events
	l.events = nil
	return out
}

func mutationScenario(l *mutationLog) scenario {
	// slow makes a mutation take long enough that a router running the next
	// one concurrently would be seen.
	slow := func() { time.Sleep(20 * time.Millisecond) }
	return scenario{subgraphs: []*testsubgraph.Subgraph{
		{
			Name: "a",
			SDL: fed + `type Query { product(id: ID!): Product }
type Mutation { addProduct(name: String!): Product! rename(id: ID!, name: String!): Product }
type Product @key(fields: "id") { id: ID! name: String }`,
			Resolvers: map[string]testsubgraph.Resolver{
				"Query.product": func(_ context.Context, _ map[string]any, args map[string]any) (any, error) {
					id := fmt.Sprint(args["id"])
					l.mu.Lock()
					defer l.mu.Unlock()
					if _, ok := l.names[id]; !ok {
						return nil, nil
					}
					return map[string]any{"__typename": "Product", "id": id, "name": l.names[id]}, nil
				},
				"Mutation.addProduct": func(_ context.Context, _ map[string]any, args map[string]any) (any, error) {
					l.mu.Lock()
					if l.running {
						l.mu.Unlock()
						return nil, errors.New("mutations overlap")
					}
					l.running = true
					l.next++
					id := fmt.Sprintf("p%d", l.next)
					l.names[id] = args["name"].(string)
					l.mu.Unlock()
					slow()
					l.mu.Lock()
					l.running = false
					l.mu.Unlock()
					l.add("add " + id)
					return map[string]any{"__typename": "Product", "id": id, "name": args["name"]}, nil
				},
				"Mutation.rename": func(_ context.Context, _ map[string]any, args map[string]any) (any, error) {
					id := fmt.Sprint(args["id"])
					l.mu.Lock()
					l.names[id] = args["name"].(string)
					l.mu.Unlock()
					l.add("rename " + id)
					return map[string]any{"__typename": "Product", "id": id, "name": args["name"]}, nil
				},
			},
			Entities: map[string]testsubgraph.EntityResolver{"Product": func(_ context.Context, rep map[string]any) (any, error) {
				id := fmt.Sprint(rep["id"])
				l.add("a entity " + id)
				l.mu.Lock()
				defer l.mu.Unlock()
				return map[string]any{"__typename": "Product", "id": id, "name": l.names[id]}, nil
			}},
		},
		{
			Name: "b",
			SDL: fed + `type Mutation { setPrice(id: ID!, price: Int!): Product fail: Product failHard: Product! }
type Product @key(fields: "id") { id: ID! price: Int }`,
			Resolvers: map[string]testsubgraph.Resolver{
				"Mutation.setPrice": func(_ context.Context, _ map[string]any, args map[string]any) (any, error) {
					id := fmt.Sprint(args["id"])
					slow()
					l.mu.Lock()
					l.prices[id] = num(args["price"])
					l.mu.Unlock()
					l.add("setPrice " + id)
					return map[string]any{"__typename": "Product", "id": id, "price": num(args["price"])}, nil
				},
				"Mutation.fail": func(context.Context, map[string]any, map[string]any) (any, error) {
					l.add("fail")
					return nil, errors.New("cannot do that")
				},
				"Mutation.failHard": func(context.Context, map[string]any, map[string]any) (any, error) {
					l.add("failHard")
					return nil, errors.New("cannot do that either")
				},
			},
			Entities: map[string]testsubgraph.EntityResolver{"Product": func(_ context.Context, rep map[string]any) (any, error) {
				id := fmt.Sprint(rep["id"])
				l.add("b entity " + id)
				l.mu.Lock()
				defer l.mu.Unlock()
				return map[string]any{"__typename": "Product", "id": id, "price": l.prices[id]}, nil
			}},
		},
	}}
}

func TestAuditRootMutations(t *testing.T) {
	t.Parallel()
	l := &mutationLog{names: map[string]string{}, prices: map[string]int{}}
	r, ex := startExec(t, mutationScenario(l))
	type mcase struct {
		name   string
		query  string
		vars   map[string]any
		data   string
		errors []string
		events []string // nil: not checked
	}
	for _, tc := range []mcase{
		{
			name: "alternating subgraphs, each result needing the other subgraph",
			query: `mutation {
  first: addProduct(name: "Lamp") { id name price }
  second: setPrice(id: "p1", price: 30) { id name price }
  third: addProduct(name: "Desk") { id price name }
}`,
			data:   `{"first":{"id":"p1","name":"Lamp","price":0},"second":{"id":"p1","name":"Lamp","price":30},"third":{"id":"p2","price":0,"name":"Desk"}}`,
			events: []string{"add p1", "b entity p1", "setPrice p1", "a entity p1", "add p2", "b entity p2"},
		},
		{
			name: "consecutive fields of one subgraph keep their order",
			query: `mutation {
  x: rename(id: "p1", name: "Lamp 2") { name }
  y: rename(id: "p1", name: "Lamp 3") { name price }
  z: setPrice(id: "p1", price: 31) { name price }
}`,
			data:   `{"x":{"name":"Lamp 2"},"y":{"name":"Lamp 3","price":30},"z":{"name":"Lamp 3","price":31}}`,
			events: []string{"rename p1", "rename p1", "b entity p1", "setPrice p1", "a entity p1"},
		},
		{
			name:   "mutation with variables",
			query:  `mutation($n: String!, $p: Int!) { addProduct(name: $n) { id name } setPrice(id: "p3", price: $p) { price } }`,
			vars:   map[string]any{"n": "Chair", "p": 7},
			data:   `{"addProduct":{"id":"p3","name":"Chair"},"setPrice":{"price":7}}`,
			events: []string{"add p3", "setPrice p3"},
		},
		{
			name:   "a nullable mutation field failing in the middle",
			query:  `mutation { a1: addProduct(name: "X") { id } f: fail { id name } a2: addProduct(name: "Y") { id name } }`,
			data:   `{"a1":{"id":"p4"},"f":null,"a2":{"id":"p5","name":"Y"}}`,
			errors: []string{"b|f|cannot do that"},
			events: []string{"add p4", "fail", "add p5"},
		},
		{
			// failHard is non-null: its null propagates to data. Whether the
			// fields after it still run is not asserted (graphql-js stops,
			// the Apollo Router plan is one sequence).
			name:   "a non-null mutation field failing nulls data",
			query:  `mutation { a1: addProduct(name: "Z") { id } f: failHard { id } }`,
			data:   `null`,
			errors: []string{"b|f|cannot do that either"},
			events: []string{"add p6", "failHard"},
		},
		{
			name:   "a mutation field under a false @include is not executed",
			query:  `mutation($x: Boolean!) { a: addProduct(name: "Skipped") @include(if: $x) { id } b: setPrice(id: "p1", price: 32) { price } }`,
			vars:   map[string]any{"x": false},
			data:   `{"b":{"price":32}}`,
			events: []string{"setPrice p1"},
		},
		{
			name:   "__typename of the mutation root",
			query:  `mutation { __typename r: rename(id: "p1", name: "Lamp 3") { __typename name } }`,
			data:   `{"__typename":"Mutation","r":{"__typename":"Product","name":"Lamp 3"}}`,
			events: []string{"rename p1"},
		},
		{
			name:  "query and mutation types in introspection",
			query: `{ __schema { queryType { name } mutationType { name } subscriptionType { name } } product(id: "p1") { name } }`,
			data:  `{"__schema":{"queryType":{"name":"Query"},"mutationType":{"name":"Mutation"},"subscriptionType":null},"product":{"name":"Lamp 3"}}`,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l.take()
			data, errs, err := exec(t, r, ex, tc.query, tc.vars)
			if err != nil {
				t.Fatalf("plan: %v", err)
			}
			if want := compact(t, tc.data); data != want {
				pl, _, _ := r.planner.Plan(tc.query, "", tc.vars)
				t.Errorf("data =\n%s\nwant\n%s\nplan:\n%s", data, want, pl)
			}
			checkErrors(t, errs, tc.errors)
			if got := l.take(); tc.events != nil && strings.Join(got, ", ") != strings.Join(tc.events, ", ") {
				t.Errorf("events = %v, want %v", got, tc.events)
			}
		})
	}
}

// ---------------------------------------------------------------------------
// 8. @override: simple, on an interface implementation, from a subgraph that is
// not part of the supergraph, and with progressive labels.

func overrideAuditScenario(labels ...string) scenario {
	return scenario{
		labels: labels,
		subgraphs: []*testsubgraph.Subgraph{
			{
				Name: "a",
				SDL: fed + `type Query { products: [Product] items: [Item] featured: Product }
type Product @key(fields: "id") { id: ID! name: String price: Int rating: Int score: Int }
interface Item { id: ID! title: String }
type Book implements Item @key(fields: "id") { id: ID! title: String }
type Magazine implements Item @key(fields: "id") { id: ID! title: String }`,
				Resolvers: map[string]testsubgraph.Resolver{
					"Query.products": list([]any{
						map[string]any{"__typename": "Product", "id": "p1", "name": "Lamp", "price": 1, "rating": 1, "score": 1},
					}),
					"Query.featured": list(map[string]any{"__typename": "Product", "id": "p1", "name": "from a"}),
					"Query.items": list([]any{
						map[string]any{"__typename": "Book", "id": "b1", "title": "a-book"},
						map[string]any{"__typename": "Magazine", "id": "m1", "title": "a-mag"},
					}),
				},
				Entities: map[string]testsubgraph.EntityResolver{
					"Product":  byKey("Product", "id", map[string]map[string]any{"p1": {"name": "Lamp", "price": 1, "rating": 1, "score": 1}}),
					"Book":     byKey("Book", "id", map[string]map[string]any{"b1": {"title": "a-book"}}),
					"Magazine": byKey("Magazine", "id", map[string]map[string]any{"m1": {"title": "a-mag"}}),
				},
			},
			{
				Name: "b",
				SDL: fed + `type Query { featured: Product @override(from: "a") }
type Product @key(fields: "id") { id: ID! price: Int @override(from: "a") stock: Int @override(from: "legacy") rating: Int @override(from: "a", label: "beta") score: Int @override(from: "a", label: "percent(100)") }
type Book @key(fields: "id") { id: ID! title: String @override(from: "a") }`,
				Resolvers: map[string]testsubgraph.Resolver{"Query.featured": list(map[string]any{"__typename": "Product", "id": "p1", "price": 100, "stock": 5, "rating": 100, "score": 100})},
				Entities: map[string]testsubgraph.EntityResolver{
					"Product": byKey("Product", "id", map[string]map[string]any{"p1": {"price": 100, "stock": 5, "rating": 100, "score": 100}}),
					"Book":    byKey("Book", "id", map[string]map[string]any{"b1": {"title": "b-book"}}),
				},
			},
		},
	}
}

// Another subgraph @requires the overridden field: the representation must
// carry the overriding subgraph's value.
func TestAuditRootOverrideWithRequires(t *testing.T) {
	t.Parallel()
	sc := overrideAuditScenario()
	sc.subgraphs = append(sc.subgraphs, &testsubgraph.Subgraph{
		Name: "c",
		SDL:  fed + `type Product @key(fields: "id") { id: ID! price: Int @external tax: Int @requires(fields: "price") }`,
		Resolvers: map[string]testsubgraph.Resolver{"Product.tax": func(_ context.Context, p map[string]any, _ map[string]any) (any, error) {
			return num(p["price"]) / 10, nil
		}},
		Entities: map[string]testsubgraph.EntityResolver{"Product": byKey("Product", "id", map[string]map[string]any{"p1": {}})},
	})
	run(t, sc, []tcase{
		{
			name:  "required field comes from the overriding subgraph",
			query: `{ products { name tax } }`,
			data:  `{"products":[{"name":"Lamp","tax":10}]}`,
			check: func(t *testing.T, got map[string][]testsubgraph.Request) {
				if rs := reps(t, got["c"], 0); len(rs) != 1 || num(rs[0].(map[string]any)["price"]) != 100 {
					t.Errorf("c representations = %v, want price 100", rs)
				}
			},
		},
		{
			name:  "required and selected",
			query: `{ featured { price tax } }`,
			data:  `{"featured":{"price":100,"tax":10}}`,
		},
	})
}

func TestAuditRootOverride(t *testing.T) {
	t.Parallel()
	t.Run("labels off", func(t *testing.T) {
		t.Parallel()
		run(t, overrideAuditScenario(), []tcase{
			{name: "simple override", query: `{ products { name price } }`, data: `{"products":[{"name":"Lamp","price":100}]}`, requests: map[string]int{"a": 1, "b": 1}},
			{name: "override from a subgraph not in the supergraph", query: `{ products { stock } }`, data: `{"products":[{"stock":5}]}`, requests: map[string]int{"a": 1, "b": 1}},
			{name: "overridden root field", query: `{ featured { id price } }`, data: `{"featured":{"id":"p1","price":100}}`, requests: map[string]int{"a": 0, "b": 1}},
			{name: "overridden root field, then the other subgraph", query: `{ featured { name } }`, data: `{"featured":{"name":"Lamp"}}`, requests: map[string]int{"a": 1, "b": 1}},
			{name: "all overrides in one query", query: `{ products { name price stock rating score } }`, data: `{"products":[{"name":"Lamp","price":100,"stock":5,"rating":1,"score":100}]}`, requests: map[string]int{"a": 1, "b": 1}},
			{name: "progressive override, label off", query: `{ products { rating } }`, data: `{"products":[{"rating":1}]}`, requests: map[string]int{"a": 1, "b": 0}},
			{name: "progressive override percent(100) is always on", query: `{ products { score } }`, data: `{"products":[{"score":100}]}`, requests: map[string]int{"a": 1, "b": 1}},
			{
				name:     "override of a field of an interface implementation",
				query:    `{ items { id title } }`,
				data:     `{"items":[{"id":"b1","title":"b-book"},{"id":"m1","title":"a-mag"}]}`,
				requests: map[string]int{"a": 1, "b": 1},
				check: func(t *testing.T, got map[string][]testsubgraph.Request) {
					if rs := reps(t, got["b"], 0); len(rs) != 1 {
						t.Errorf("b representations = %v, want the Book only", rs)
					}
				},
			},
			{
				name:  "override of an interface implementation's field through a fragment",
				query: `{ items { ... on Book { title } ... on Magazine { id } } }`,
				data:  `{"items":[{"title":"b-book"},{"id":"m1"}]}`,
			},
		})
	})
	t.Run("label on", func(t *testing.T) {
		t.Parallel()
		run(t, overrideAuditScenario("beta"), []tcase{
			{name: "progressive override, label on", query: `{ products { name rating } }`, data: `{"products":[{"name":"Lamp","rating":100}]}`, requests: map[string]int{"a": 1, "b": 1}},
			{name: "all overrides in one query, label on", query: `{ products { name price stock rating score } }`, data: `{"products":[{"name":"Lamp","price":100,"stock":5,"rating":100,"score":100}]}`, requests: map[string]int{"a": 1, "b": 1}},
			{name: "other overrides unchanged", query: `{ products { price score } }`, data: `{"products":[{"price":100,"score":100}]}`},
		})
	})
}

// ---------------------------------------------------------------------------
// 10. Variables and validation errors.

func TestAuditRootRequestErrors(t *testing.T) {
	t.Parallel()
	r, ex := startExec(t, inaccessibleScenario())
	type ecase struct {
		name  string
		query string
		vars  map[string]any
		phase string
		// message substrings, all required (alternatives split by "||")
		want []string
		// line:column of the first error's first location, "" for none
		// required; "||" separates what implementations differ on (graphql-js
		// points at the first of the nodes involved, gqlparser at the last)
		loc string
	}
	for _, tc := range []ecase{
		{name: "unknown field", query: "{\n  products {\n    nope\n  }\n}", phase: "validation", want: []string{`Cannot query field "nope" on type "Product"`}, loc: "3:5"},
		{name: "unknown argument", query: `{ products { id } product(id: "p1", nope: 1) { id } }`, phase: "validation", want: []string{`Unknown argument "nope"`, "product"}, loc: "1:37"},
		{name: "missing required argument", query: `{ product { id } }`, phase: "validation", want: []string{`"id"`, "ID!"}, loc: "1:3"},
		{name: "wrong literal type", query: `{ product(id: 1.5) { id } }`, phase: "validation", want: []string{"ID"}, loc: "1:15"},
		{name: "unknown type in a variable definition", query: `query($x: Nope) { products { id } }`, phase: "validation", want: []string{"Nope"}, loc: "1:11"},
		{name: "undefined variable", query: `{ product(id: $id) { id } }`, phase: "validation", want: []string{`"$id"||"id"||$id`}, loc: "1:15"},
		{name: "unused variable", query: `query($u: ID) { products { id } }`, phase: "validation", want: []string{"u"}, loc: "1:7"},
		{name: "selection on a leaf", query: `{ products { name { x } } }`, phase: "validation", want: []string{"name"}, loc: "1:14"},
		{name: "missing selection on an object", query: `{ products }`, phase: "validation", want: []string{"products"}, loc: "1:3"},
		{name: "syntax error", query: `{ products { id }`, phase: "parse", want: []string{"Expected"}, loc: "1:18"},
		{name: "missing required variable", query: `query($id: ID!) { product(id: $id) { name } }`, phase: "variables", want: []string{"id", "||required||provided||must be defined"}},
		{name: "null for a required variable", query: `query($id: ID!) { product(id: $id) { name } }`, vars: map[string]any{"id": nil}, phase: "variables", want: []string{"id"}},
		{name: "wrong variable type", query: `query($b: Boolean!) { products { name @include(if: $b) } }`, vars: map[string]any{"b": "yes"}, phase: "variables", want: []string{"b", "Boolean"}},
		{name: "variable of an incompatible type", query: `query($n: Int!) { product(id: $n) { id } }`, phase: "validation", want: []string{"$n||\"n\"", "Int"}, loc: "1:7||1:31"},
		{name: "nullable variable in a non-null position", query: `query($n: ID) { product(id: $n) { id } }`, phase: "validation", want: []string{"$n||\"n\"", "ID!"}, loc: "1:7||1:29"},
		{name: "unknown enum value in a list variable", query: `query($k: [Kind!]) { products(kinds: $k) { id } }`, vars: map[string]any{"k": []any{"NORMAL", "NOPE"}}, phase: "variables", want: []string{"k", "NOPE"}},
		{name: "duplicate operation names", query: `query A { products { id } } query A { products { name } }`, phase: "validation", want: []string{"A"}, loc: "1:7||1:29"},
		{name: "fields that cannot merge", query: `{ products { x: id x: name } }`, phase: "validation", want: []string{"x"}, loc: "1:14||1:20"},
		{name: "wrong variable type in a list", query: `query($k: [Kind!]) { products(kinds: $k) { id } }`, vars: map[string]any{"k": []any{"NORMAL", 3}}, phase: "variables", want: []string{"k"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := exec(t, r, ex, tc.query, tc.vars)
			var re *plan.RequestError
			if !errors.As(err, &re) {
				t.Fatalf("error = %v, want a RequestError", err)
			}
			if !anyOf(re.Phase, tc.phase) {
				t.Errorf("phase = %q, want %q (%v)", re.Phase, tc.phase, re)
			}
			msg := re.Error()
			for _, w := range tc.want {
				if !containsAny(msg, w) {
					t.Errorf("message %q does not contain %q", msg, w)
				}
			}
			if tc.loc != "" {
				if len(re.Errors) == 0 || len(re.Errors[0].Locations) == 0 {
					t.Errorf("no locations in %+v", re.Errors)
				} else if l := re.Errors[0].Locations[0]; !anyOf(fmt.Sprintf("%d:%d", l.Line, l.Column), tc.loc) {
					t.Errorf("location = %d:%d, want %s (%s)", l.Line, l.Column, tc.loc, msg)
				}
			}
		})
	}
	// Variables the operation does not declare are ignored.
	data, errs, err := exec(t, r, ex, `{ products { id } }`, map[string]any{"extra": 1})
	if err != nil || len(errs) > 0 || data != `{"products":[{"id":"p1"},{"id":"p2"}]}` {
		t.Errorf("undeclared variable: data %s, errors %+v, err %v", data, errs, err)
	}
}

func anyOf(s, alts string) bool {
	for _, a := range strings.Split(alts, "||") {
		if s == a {
			return true
		}
	}
	return false
}

func containsAny(s, alts string) bool {
	for _, a := range strings.Split(alts, "||") {
		if a != "" && strings.Contains(s, a) {
			return true
		}
	}
	return false
}
