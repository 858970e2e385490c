package plan

import (
	"strings"
	"testing"

	"github.com/shopgraph/shopgraph/gateway/compose"
	"github.com/shopgraph/shopgraph/gateway/supergraph"
)

const (
	subEventsSDL = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
type Query { order(id: ID!): Order }
type Subscription { orderStatusChanged(orderId: ID!): Order }
type Order @key(fields: "id") { id: ID! status: String! product: Product }
type Product @key(fields: "id", resolvable: false) { id: ID! }`
	subCatalogSDL = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
type Query { product(id: ID!): Product }
type Product @key(fields: "id") { id: ID! name: String! }`
)

func subscriptionGraph(t *testing.T) *supergraph.Graph {
	t.Helper()
	sdl, err := compose.Compose([]compose.Subgraph{
		{Name: "orders", URL: "http://orders.test/graphql", SDL: subEventsSDL},
		{Name: "catalog", URL: "http://catalog.test/graphql", SDL: subCatalogSDL},
	})
	if err != nil {
		t.Fatal(err)
	}
	g, err := supergraph.Load(sdl)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func TestSubscriptionRootFieldIsThePrimaryFetch(t *testing.T) {
	t.Parallel()
	p := NewPlanner(subscriptionGraph(t), 16)
	pl, _, err := p.Plan(`subscription($id: ID!) { orderStatusChanged(orderId: $id) { id status product { name } } }`, "", map[string]any{"id": "o1"})
	if err != nil {
		t.Fatal(err)
	}
	var primary []*Fetch
	for _, f := range pl.Fetches {
		if f.Subscription {
			primary = append(primary, f)
		}
	}
	if len(primary) != 1 {
		t.Fatalf("want one subscription fetch, got %d in\n%s", len(primary), pl)
	}
	f := primary[0]
	if f.Subgraph != "orders" || !strings.HasPrefix(f.Operation, "subscription($id:ID!){orderStatusChanged(orderId:$id)") {
		t.Errorf("primary fetch: %s %s", f.Subgraph, f.Operation)
	}
	var entity *Fetch
	for _, g := range pl.Fetches {
		if g.Entity {
			entity = g
		}
	}
	if entity == nil || entity.Subgraph != "catalog" || len(entity.DependsOn) != 1 || entity.DependsOn[0] != f.ID {
		t.Errorf("want a catalog entity fetch after the primary one, got\n%s", pl)
	}
}

func TestSubscriptionWithTwoRootFieldsIsRefused(t *testing.T) {
	t.Parallel()
	p := NewPlanner(subscriptionGraph(t), 16)
	_, _, err := p.Plan(`subscription { a: orderStatusChanged(orderId: "1") { id } b: orderStatusChanged(orderId: "2") { id } }`, "", nil)
	if err == nil {
		t.Fatal("want a validation error for two root fields")
	}
}

// TestSubscriptionPlan pins the whole plan: the primary fetch is a
// subscription operation, the entity fetch an ordinary query after it.
func TestSubscriptionPlan(t *testing.T) {
	t.Parallel()
	p := NewPlanner(subscriptionGraph(t), 16)
	pl, _, err := p.Plan(`subscription($id: ID!) { orderStatusChanged(orderId: $id) { id status product { name } } }`, "", map[string]any{"id": "o1"})
	if err != nil {
		t.Fatal(err)
	}
	want := `QueryPlan {
  Sequence {
    Fetch(service: "orders", id: 0) {
      subscription($id:ID!){orderStatusChanged(orderId:$id){id status product{__typename id}}}
    }
    Flatten(path: "orderStatusChanged.product") {
      Fetch(service: "catalog", id: 1, dependsOn: [0]) {
        {...on Product{__typename id}} =>
        query($representations:[_Any!]!){_entities(representations:$representations){...on Product{name}}}
      }
    }
  }
}
`
	if got := pl.String(); got != want {
		t.Errorf("plan:\n%s\nwant:\n%s", got, want)
	}
}
