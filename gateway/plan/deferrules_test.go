package plan

import (
	"strings"
	"testing"

	"github.com/shopgraph/shopgraph/gateway/compose"
	"github.com/shopgraph/shopgraph/gateway/supergraph"
)

func TestDeferRules(t *testing.T) {
	t.Parallel()
	sdl, err := compose.Compose([]compose.Subgraph{{Name: "orders", URL: "http://orders.test/graphql", SDL: `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
type Query { order(id: ID!): Order }
type Mutation { cancel(id: ID!): Order }
type Subscription { orderStatusChanged(orderId: ID!): Order }
type Order @key(fields: "id") { id: ID! status: String! }`}})
	if err != nil {
		t.Fatal(err)
	}
	g, err := supergraph.Load(sdl)
	if err != nil {
		t.Fatal(err)
	}
	p := NewPlanner(g, 16)
	for _, tc := range []struct {
		name, query, wantErr string
		vars                 map[string]any
	}{
		{name: "distinct labels", query: `{ order(id: "1") { ... @defer(label: "a") { id } ... @defer(label: "b") { status } } }`},
		{name: "no label", query: `{ order(id: "1") { ... @defer { id } ... @defer { status } } }`},
		{name: "a label twice", query: `{ order(id: "1") { ... @defer(label: "a") { id } ... @defer(label: "a") { status } } }`,
			wantErr: `The label "a" is used by two @defer directives (the first at line 1)`},
		{name: "a label twice through a fragment", query: "query { order(id: \"1\") { ...F ... @defer(label: \"a\") { id } } }\nfragment F on Order { ... @defer(label: \"a\") { status } }",
			wantErr: `The label "a" is used by two @defer directives`},
		{name: "one fragment spread twice keeps its label", query: "query { order(id: \"1\") { ...F } o2: order(id: \"2\") { ...F } }\nfragment F on Order { ... @defer(label: \"a\") { status } }"},
		{name: "a variable label", query: `query($l: String) { order(id: "1") { ... @defer(label: $l) { id } } }`, vars: map[string]any{"l": "x"},
			wantErr: `The label of @defer must be a literal string, not the variable "$l"`},
		{name: "in a subscription", query: `subscription { orderStatusChanged(orderId: "1") { ... @defer { status } } }`,
			wantErr: `@defer is not supported in subscriptions`},
		{name: "turned off in a subscription", query: `subscription { orderStatusChanged(orderId: "1") { ... @defer(if: false) { status } } }`},
		{name: "on the mutation root", query: `mutation { ... @defer { cancel(id: "1") { id } } }`,
			wantErr: `@defer cannot be used on the root type "Mutation"`},
		{name: "below a mutation's field", query: `mutation { cancel(id: "1") { id ... @defer { status } } }`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := p.Plan(tc.query, "", tc.vars)
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.wantErr != "" && err == nil:
				t.Fatalf("accepted, want %q", tc.wantErr)
			case tc.wantErr != "" && !strings.Contains(err.Error(), tc.wantErr):
				t.Fatalf("error %q, want %q", err, tc.wantErr)
			}
		})
	}
}

// TestDeferredInterfaceFieldsPerImplementation: a deferred field of an
// interface gets an _entities fetch per implementation with a key; an
// implementation without one keeps it in the parent's fetch.
func TestDeferredInterfaceFieldsPerImplementation(t *testing.T) {
	t.Parallel()
	sdl, err := compose.Compose([]compose.Subgraph{{Name: "media", URL: "http://media.test/graphql", SDL: `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
type Query { items: [Item!]! }
interface Item { id: ID! title: String! }
type Book implements Item @key(fields: "id") { id: ID! title: String! }
type Film implements Item @key(fields: "id") { id: ID! title: String! }
type Note implements Item { id: ID! title: String! }`}})
	if err != nil {
		t.Fatal(err)
	}
	g, err := supergraph.Load(sdl)
	if err != nil {
		t.Fatal(err)
	}
	pl, _, err := NewPlanner(g, 16).Plan(`{ items { id ... @defer { title } } }`, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	deferred := pl.DeferredFetches()
	var entity []string
	for _, f := range pl.Fetches {
		if f.Entity {
			if !deferred[f.ID] {
				t.Errorf("entity fetch %d is not deferred:\n%s", f.ID, pl)
			}
			entity = append(entity, f.Operation)
		}
	}
	ops := strings.Join(entity, "\n")
	if !strings.Contains(ops, "...on Book{title}") || !strings.Contains(ops, "...on Film{title}") || strings.Contains(ops, "Note") {
		t.Errorf("deferred entity fetches:\n%s\nwant title through _entities for Book and Film\n%s", ops, pl)
	}
	if root := pl.Fetches[0].Operation; !strings.Contains(root, "...on Note{title}") || strings.Contains(root, "...on Book{title}") {
		t.Errorf("root fetch %s: want Note's title in it and Book's not", root)
	}
}
