package scenarios

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/shopgraph/shopgraph/gateway/compose"
	"github.com/shopgraph/shopgraph/gateway/internal/testsubgraph"
)

// Contextual arguments (@context/@fromContext): a field's argument comes from
// the nearest ancestor on the operation's path whose type sets the context.
// The router reads it there (under an internal alias), and always fetches
// the field through _entities with the value as a variable: one aliased
// _entities field per distinct value in one request.
//
// @apollo/gateway, the property test's second oracle, is no oracle here: it
// starts on these supergraphs only once the context spec's "for: SECURITY"
// is dropped, and then plans the contextual variables but sends them null
// (tried with 2.14.4: every value came back as the field's "no context"
// answer); only Apollo Router executes them.

const fedContext = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.8", import: ["@key", "@shareable", "@external", "@context", "@fromContext"])
`

// contextStoreScenario: stores set context "store" (their currency); a
// product's price in shop takes the currency from the store it is listed
// under. p2 is listed under a USD and an EUR store, s3 has no currency.
func contextStoreScenario() scenario {
	product := func(id string) map[string]any { return map[string]any{"__typename": "Product", "id": id} }
	stores := []any{
		map[string]any{"__typename": "Store", "id": "s1", "currency": "USD", "products": []any{product("p1"), product("p2")}},
		map[string]any{"__typename": "Store", "id": "s2", "currency": "EUR", "products": []any{product("p2"), product("p3")}},
		map[string]any{"__typename": "Store", "id": "s3", "currency": nil, "products": []any{product("p3")}},
	}
	base := map[string]int{"p1": 100, "p2": 200, "p3": 300}
	return scenario{subgraphs: []*testsubgraph.Subgraph{
		{
			Name: "shop",
			SDL: fedContext + `type Query { stores: [Store!]! store(id: ID!): Store }
type Store @key(fields: "id") @context(name: "store") { id: ID! currency: String products: [Product!]! }
type Product @key(fields: "id") {
  id: ID!
  price(currency: String @fromContext(field: "$store { currency }"), withTax: Boolean): String
}`,
			Resolvers: map[string]testsubgraph.Resolver{
				"Query.stores": list(stores),
				"Query.store": func(_ context.Context, _ map[string]any, args map[string]any) (any, error) {
					for _, s := range stores {
						if s.(map[string]any)["id"] == args["id"] {
							return s, nil
						}
					}
					return nil, nil
				},
				"Product.price": func(_ context.Context, p map[string]any, args map[string]any) (any, error) {
					amount := base[fmt.Sprint(p["id"])]
					if args["withTax"] == true {
						amount += amount / 10
					}
					cur, ok := args["currency"].(string)
					if !ok {
						return fmt.Sprintf("%d (no currency)", amount), nil
					}
					return fmt.Sprintf("%d %s", amount, cur), nil
				},
			},
			Entities: map[string]testsubgraph.EntityResolver{
				"Store":   byKey("Store", "id", map[string]map[string]any{"s1": stores[0].(map[string]any), "s2": stores[1].(map[string]any), "s3": stores[2].(map[string]any)}),
				"Product": aeEcho("Product"),
			},
		},
		{
			Name: "catalog",
			SDL:  fedContext + `type Product @key(fields: "id") { id: ID! name: String! }`,
			Entities: map[string]testsubgraph.EntityResolver{"Product": func(_ context.Context, rep map[string]any) (any, error) {
				return aeObj("Product", map[string]any{"id": rep["id"], "name": "name-" + fmt.Sprint(rep["id"])}), nil
			}},
		},
	}}
}

// entityCalls returns, per aliased _entities field of a request, its
// representations' ids and its contextual variables' values, sorted.
func entityCalls(t *testing.T, req testsubgraph.Request) []string {
	t.Helper()
	var out []string
	for name, v := range req.Variables {
		reps, ok := v.([]any)
		if !ok || (name != "representations" && !strings.HasPrefix(name, "__r")) {
			continue
		}
		suffix := ""
		if name != "representations" {
			suffix = "__" + strings.TrimPrefix(name, "__r")
		}
		var ids []string
		for _, r := range reps {
			m, _ := r.(map[string]any)
			id := m["id"]
			if id == nil {
				id = m["sku"]
			}
			ids = append(ids, fmt.Sprint(id))
		}
		var ctx []string
		for vn, vv := range req.Variables {
			rest, ok := strings.CutPrefix(vn, "__ctx_")
			if !ok {
				continue
			}
			group := ""
			if i := strings.Index(rest, "__"); i >= 0 {
				group = rest[i:]
			}
			if group == suffix {
				ctx = append(ctx, fmt.Sprintf("%v", vv))
			}
		}
		sort.Strings(ctx)
		out = append(out, strings.Join(ids, ",")+" with "+strings.Join(ctx, ","))
	}
	sort.Strings(out)
	return out
}

func TestContextFromObjectAncestor(t *testing.T) {
	t.Parallel()
	cases := []tcase{
		{
			name:  "one store: one _entities call with the store's currency",
			query: `{ store(id: "s1") { products { id price } } }`,
			data:  `{"store":{"products":[{"id":"p1","price":"100 USD"},{"id":"p2","price":"200 USD"}]}}`,
			// The parent comes from shop, and price is still fetched through _entities.
			requests: map[string]int{"shop": 2, "catalog": 0},
			check: func(t *testing.T, got map[string][]testsubgraph.Request) {
				if q := got["shop"][0].Query; !strings.Contains(q, "__sg_currency:currency") {
					t.Errorf("the context is not selected under an internal alias: %s", q)
				}
				if calls := entityCalls(t, got["shop"][1]); strings.Join(calls, ";") != "p1,p2 with USD" {
					t.Errorf("entity calls = %v", calls)
				}
			},
		},
		{
			name:  "per store its own value: one request, one aliased _entities per value, p2 in two",
			query: `{ stores { id products { id price(withTax: true) name } } }`,
			data: `{"stores":[
				{"id":"s1","products":[{"id":"p1","price":"110 USD","name":"name-p1"},{"id":"p2","price":"220 USD","name":"name-p2"}]},
				{"id":"s2","products":[{"id":"p2","price":"220 EUR","name":"name-p2"},{"id":"p3","price":"330 EUR","name":"name-p3"}]},
				{"id":"s3","products":[{"id":"p3","price":"330 (no currency)","name":"name-p3"}]}]}`,
			requests: map[string]int{"shop": 2, "catalog": 1},
			check: func(t *testing.T, got map[string][]testsubgraph.Request) {
				q := got["shop"][1].Query
				for _, want := range []string{"_0:_entities(representations:$__r0)", "_2:_entities", "price(withTax:true,currency:$__ctx_0__1)"} {
					if !strings.Contains(q, want) {
						t.Errorf("entity query lacks %q: %s", want, q)
					}
				}
				want := "p1,p2 with USD;p2,p3 with EUR;p3 with <nil>"
				if calls := entityCalls(t, got["shop"][1]); strings.Join(calls, ";") != want {
					t.Errorf("entity calls = %v, want %s", calls, want)
				}
			},
		},
		{
			name:  "the client selects the context's field too: it is not aliased, and answered",
			query: `{ stores { currency products { price } } }`,
			data: `{"stores":[{"currency":"USD","products":[{"price":"100 USD"},{"price":"200 USD"}]},
				{"currency":"EUR","products":[{"price":"200 EUR"},{"price":"300 EUR"}]},
				{"currency":null,"products":[{"price":"300 (no currency)"}]}]}`,
			check: func(t *testing.T, got map[string][]testsubgraph.Request) {
				if q := got["shop"][0].Query; strings.Contains(q, "__sg_currency") {
					t.Errorf("the context is fetched twice: %s", q)
				}
			},
		},
		{
			name:  "the context's alias never reaches the client",
			query: `{ stores { products { price } } }`,
			data: `{"stores":[{"products":[{"price":"100 USD"},{"price":"200 USD"}]},
				{"products":[{"price":"200 EUR"},{"price":"300 EUR"}]},
				{"products":[{"price":"300 (no currency)"}]}]}`,
		},
	}
	run(t, contextStoreScenario(), cases)
}

// TestContextNullForNonNullArgument runs a supergraph written by hand (the
// composer refuses non-null contextual arguments) whose price takes a
// String!: where the store has no currency the product is not looked up and
// an error says why.
func TestContextNullForNonNullArgument(t *testing.T) {
	t.Parallel()
	sc := contextStoreScenario()
	var inputs []compose.Subgraph
	for _, sg := range sc.subgraphs {
		inputs = append(inputs, compose.Subgraph{Name: sg.Name, URL: "{{" + sg.Name + "}}", SDL: sg.SDL})
	}
	sdl, err := compose.Compose(inputs)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(sdl, `type: "String"`) {
		t.Fatalf("no contextual argument of type String in:\n%s", sdl)
	}
	sc.supergraph = strings.ReplaceAll(sdl, `type: "String"`, `type: "String!"`)
	run(t, sc, []tcase{{
		name:  "null context, non-null argument",
		query: `{ stores { id products { id price } } }`,
		data: `{"stores":[{"id":"s1","products":[{"id":"p1","price":"100 USD"},{"id":"p2","price":"200 USD"}]},
			{"id":"s2","products":[{"id":"p2","price":"200 EUR"},{"id":"p3","price":"300 EUR"}]},
			{"id":"s3","products":[{"id":"p3","price":null}]}]}`,
		errors: []string{"shop|stores.2.products.0|contextual argument of type String! has no value"},
		check: func(t *testing.T, got map[string][]testsubgraph.Request) {
			if calls := entityCalls(t, got["shop"][1]); len(calls) != 2 {
				t.Errorf("entity calls = %v, want the USD and EUR groups only", calls)
			}
		},
	}})
}

// contextVenueScenario: the context is set on an interface; each
// implementation's events take the venue's locale. Events' start times come
// from another subgraph.
func contextVenueScenario() scenario {
	event := func(id string) map[string]any { return map[string]any{"__typename": "Event", "id": id} }
	venues := []any{
		map[string]any{"__typename": "Theatre", "id": "v1", "locale": "fr", "seats": 300, "events": []any{event("e1"), event("e2")}},
		map[string]any{"__typename": "Stadium", "id": "v2", "locale": "de", "events": []any{event("e2")}},
	}
	return scenario{subgraphs: []*testsubgraph.Subgraph{
		{
			Name: "venues",
			SDL: fedContext + `type Query { venues: [Venue!]! }
interface Venue @context(name: "venue") { id: ID! locale: String! events: [Event!]! }
type Theatre implements Venue @key(fields: "id") { id: ID! locale: String! events: [Event!]! seats: Int! }
type Stadium implements Venue @key(fields: "id") { id: ID! locale: String! events: [Event!]! }
type Event @key(fields: "id") { id: ID! title(locale: String @fromContext(field: "$venue { locale }")): String! }`,
			Resolvers: map[string]testsubgraph.Resolver{
				"Query.venues": list(venues),
				"Event.title": func(_ context.Context, e map[string]any, args map[string]any) (any, error) {
					return fmt.Sprintf("%s [%v]", e["id"], args["locale"]), nil
				},
			},
			Entities: map[string]testsubgraph.EntityResolver{"Event": aeEcho("Event")},
		},
		{
			Name: "times",
			SDL:  fedContext + `type Event @key(fields: "id") { id: ID! startsAt: String! }`,
			Entities: map[string]testsubgraph.EntityResolver{"Event": func(_ context.Context, rep map[string]any) (any, error) {
				return aeObj("Event", map[string]any{"id": rep["id"], "startsAt": "t-" + fmt.Sprint(rep["id"])}), nil
			}},
		},
	}}
}

func TestContextFromInterfaceAncestor(t *testing.T) {
	t.Parallel()
	cases := []tcase{
		{
			name:  "through the interface",
			query: `{ venues { id events { title startsAt } } }`,
			data: `{"venues":[{"id":"v1","events":[{"title":"e1 [fr]","startsAt":"t-e1"},{"title":"e2 [fr]","startsAt":"t-e2"}]},
				{"id":"v2","events":[{"title":"e2 [de]","startsAt":"t-e2"}]}]}`,
			requests: map[string]int{"venues": 2, "times": 1},
		},
		{
			name:  "through an implementation's fragment",
			query: `{ venues { ... on Theatre { seats events { title } } } }`,
			data:  `{"venues":[{"seats":300,"events":[{"title":"e1 [fr]"},{"title":"e2 [fr]"}]},{}]}`,
			check: func(t *testing.T, got map[string][]testsubgraph.Request) {
				if calls := entityCalls(t, got["venues"][1]); strings.Join(calls, ";") != "e1,e2 with fr" {
					t.Errorf("entity calls = %v", calls)
				}
			},
		},
	}
	run(t, contextVenueScenario(), cases)
}

// contextOwnerScenario: the context is set on a union; each member gives it
// from a field of its own. Pet pt2 belongs to a person and a company.
func contextOwnerScenario() scenario {
	pet := func(id string) map[string]any { return map[string]any{"__typename": "Pet", "id": id} }
	owners := []any{
		map[string]any{"__typename": "Person", "id": "o1", "name": "Ada", "pets": []any{pet("pt1"), pet("pt2")}},
		map[string]any{"__typename": "Company", "id": "o2", "legalName": "Acme Ltd", "pets": []any{pet("pt2")}},
	}
	return scenario{subgraphs: []*testsubgraph.Subgraph{{
		Name: "owners",
		SDL: fedContext + `type Query { owners: [Owner!]! }
union Owner @context(name: "owner") = Person | Company
type Person @key(fields: "id") { id: ID! name: String! pets: [Pet!]! }
type Company @key(fields: "id") { id: ID! legalName: String! pets: [Pet!]! }
type Pet @key(fields: "id") {
  id: ID!
  greeting(ownerName: String @fromContext(field: "$owner ... on Person { name } ... on Company { legalName }")): String!
}`,
		Resolvers: map[string]testsubgraph.Resolver{
			"Query.owners": list(owners),
			"Pet.greeting": func(_ context.Context, p map[string]any, args map[string]any) (any, error) {
				return fmt.Sprintf("%s of %v", p["id"], args["ownerName"]), nil
			},
		},
		Entities: map[string]testsubgraph.EntityResolver{"Pet": aeEcho("Pet")},
	}}}
}

func TestContextFromUnionAncestor(t *testing.T) {
	t.Parallel()
	cases := []tcase{{
		name:  "each member's own field, pt2 under both",
		query: `{ owners { ... on Person { pets { id greeting } } ... on Company { pets { id greeting } } } }`,
		data: `{"owners":[{"pets":[{"id":"pt1","greeting":"pt1 of Ada"},{"id":"pt2","greeting":"pt2 of Ada"}]},
			{"pets":[{"id":"pt2","greeting":"pt2 of Acme Ltd"}]}]}`,
		check: func(t *testing.T, got map[string][]testsubgraph.Request) {
			var calls []string
			for _, req := range got["owners"][1:] {
				calls = append(calls, entityCalls(t, req)...)
			}
			sort.Strings(calls)
			if want := "pt1,pt2 with Ada;pt2 with Acme Ltd"; strings.Join(calls, ";") != want {
				t.Errorf("entity calls = %v, want %s", calls, want)
			}
		},
	}}
	run(t, contextOwnerScenario(), cases)
}

// contextPlaceScenario: two object types set the same context name; items
// under shelves and bins each take the code of their own; weights come from
// another subgraph.
func contextPlaceScenario() scenario {
	item := func(sku string) map[string]any { return map[string]any{"__typename": "Item", "sku": sku} }
	shelves := []any{map[string]any{"__typename": "Shelf", "id": "sh1", "code": "S-1", "items": []any{item("i1"), item("i2")}}}
	bins := []any{
		map[string]any{"__typename": "Bin", "id": "b1", "code": "B-1", "items": []any{item("i2")}},
		map[string]any{"__typename": "Bin", "id": "b2", "code": "B-2", "items": []any{item("i2"), item("i3")}},
	}
	return scenario{subgraphs: []*testsubgraph.Subgraph{
		{
			Name: "places",
			SDL: fedContext + `type Query { shelves: [Shelf!]! bins: [Bin!]! }
type Shelf @key(fields: "id") @context(name: "place") { id: ID! code: String! items: [Item!]! }
type Bin @key(fields: "id") @context(name: "place") { id: ID! code: String! items: [Item!]! }
type Item @key(fields: "sku") { sku: ID! label(code: String @fromContext(field: "$place { code }")): String! }`,
			Resolvers: map[string]testsubgraph.Resolver{
				"Query.shelves": list(shelves),
				"Query.bins":    list(bins),
				"Item.label": func(_ context.Context, i map[string]any, args map[string]any) (any, error) {
					return fmt.Sprintf("%s@%v", i["sku"], args["code"]), nil
				},
			},
			Entities: map[string]testsubgraph.EntityResolver{"Item": aeEcho("Item")},
		},
		{
			Name: "weights",
			SDL:  fedContext + `type Item @key(fields: "sku") { sku: ID! weight: Int! }`,
			Entities: map[string]testsubgraph.EntityResolver{"Item": func(_ context.Context, rep map[string]any) (any, error) {
				return aeObj("Item", map[string]any{"sku": rep["sku"], "weight": len(fmt.Sprint(rep["sku"]))}), nil
			}},
		},
	}}
}

func TestContextFromTwoTypesWithOneName(t *testing.T) {
	t.Parallel()
	cases := []tcase{{
		name:  "shelves and bins, i2 under three places",
		query: `{ shelves { items { label weight } } bins { code items { sku label } } }`,
		data: `{"shelves":[{"items":[{"label":"i1@S-1","weight":2},{"label":"i2@S-1","weight":2}]}],
			"bins":[{"code":"B-1","items":[{"sku":"i2","label":"i2@B-1"}]},{"code":"B-2","items":[{"sku":"i2","label":"i2@B-2"},{"sku":"i3","label":"i3@B-2"}]}]}`,
		requests: map[string]int{"places": 3, "weights": 1},
	}}
	run(t, contextPlaceScenario(), cases)
}

// contextTeamScenario: two arguments read through the same ancestor's nested
// object, one of them a list.
func contextTeamScenario() scenario {
	task := func(id string) map[string]any { return map[string]any{"__typename": "Task", "id": id} }
	teams := []any{map[string]any{"__typename": "Team", "id": "t1",
		"lead":    map[string]any{"__typename": "Member", "id": "m1", "name": "Grace", "tags": []any{"ops", "db"}},
		"members": []any{map[string]any{"__typename": "Member", "id": "m2", "tasks": []any{task("k1")}}}}}
	return scenario{subgraphs: []*testsubgraph.Subgraph{{
		Name: "teams",
		SDL: fedContext + `type Query { teams: [Team!]! }
type Team @key(fields: "id") @context(name: "team") { id: ID! lead: Member! members: [Member!]! }
type Member @key(fields: "id") { id: ID! name: String tags: [String!] tasks: [Task!] }
type Task @key(fields: "id") {
  id: ID!
  summary(lead: String @fromContext(field: "$team { lead { name } }"), tags: [String] @fromContext(field: "$team { lead { tags } }")): String!
}`,
		Resolvers: map[string]testsubgraph.Resolver{
			"Query.teams": list(teams),
			"Task.summary": func(_ context.Context, k map[string]any, args map[string]any) (any, error) {
				return fmt.Sprintf("%s by %v %v", k["id"], args["lead"], args["tags"]), nil
			},
		},
		Entities: map[string]testsubgraph.EntityResolver{"Task": aeEcho("Task")},
	}}}
}

func TestContextNestedSelectionAndList(t *testing.T) {
	t.Parallel()
	cases := []tcase{{
		name:  "lead's name and tags",
		query: `{ teams { members { tasks { summary } } } }`,
		data:  `{"teams":[{"members":[{"tasks":[{"summary":"k1 by Grace [ops db]"}]}]}]}`,
		check: func(t *testing.T, got map[string][]testsubgraph.Request) {
			if calls := entityCalls(t, got["teams"][1]); strings.Join(calls, ";") != "k1 with Grace,[ops db]" {
				t.Errorf("entity calls = %v", calls)
			}
		},
	}}
	run(t, contextTeamScenario(), cases)
}
