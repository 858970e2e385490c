package scenarios

import (
	"strings"
	"testing"

	"github.com/shopgraph/shopgraph/gateway/internal/testsubgraph"
)

// providesAbstractScenario: @provides on fields returning an interface and a
// union, with type conditions in the provided selection. The shelf subgraph can
// give the titles of books (both fields) and of movies (interface field only);
// everything else comes from the catalog subgraph that owns the types.
func providesAbstractScenario() scenario {
	items := []any{
		map[string]any{"__typename": "Book", "id": "b1", "title": "Dune"},
		map[string]any{"__typename": "Movie", "id": "m1", "title": "Alien"},
	}
	return scenario{subgraphs: []*testsubgraph.Subgraph{
		{
			Name: "shelf",
			SDL: fed + `type Query {
  featured: [Media!]! @provides(fields: "... on Book { title } ... on Movie { title }")
  picks: [Pick!]! @provides(fields: "... on Book { title }")
}
interface Media { id: ID! }
union Pick = Book | Movie
type Book implements Media @key(fields: "id") { id: ID! title: String! @external }
type Movie implements Media @key(fields: "id") { id: ID! title: String! @external }`,
			Resolvers: map[string]testsubgraph.Resolver{"Query.featured": list(items), "Query.picks": list(items)},
		},
		{
			Name: "catalog",
			SDL: fed + `type Book @key(fields: "id") { id: ID! title: String! @shareable pages: Int! }
type Movie @key(fields: "id") { id: ID! title: String! @shareable minutes: Int! }`,
			Entities: map[string]testsubgraph.EntityResolver{
				"Book":  byKey("Book", "id", map[string]map[string]any{"b1": {"title": "Dune (catalog)", "pages": 412}}),
				"Movie": byKey("Movie", "id", map[string]map[string]any{"m1": {"title": "Alien (catalog)", "minutes": 117}}),
			},
		},
	}}
}

func TestProvidesOnAbstractTypes(t *testing.T) {
	t.Parallel()
	run(t, providesAbstractScenario(), []tcase{
		{
			name:     "interface: provided titles of every member come from the providing subgraph",
			query:    `{ featured { id ... on Book { title } ... on Movie { title } } }`,
			data:     `{"featured":[{"id":"b1","title":"Dune"},{"id":"m1","title":"Alien"}]}`,
			requests: map[string]int{"shelf": 1, "catalog": 0},
		},
		{
			name:     "interface: fields outside the provided selection need an entity fetch",
			query:    `{ featured { ... on Book { title pages } ... on Movie { minutes } } }`,
			data:     `{"featured":[{"title":"Dune","pages":412},{"minutes":117}]}`,
			requests: map[string]int{"shelf": 1, "catalog": 1},
		},
		{
			name:     "union: only the type condition named in @provides is provided",
			query:    `{ picks { ... on Book { title } ... on Movie { title } } }`,
			data:     `{"picks":[{"title":"Dune"},{"title":"Alien (catalog)"}]}`,
			requests: map[string]int{"shelf": 1, "catalog": 1},
			check: func(t *testing.T, got map[string][]testsubgraph.Request) {
				if q := got["catalog"][0].Query; strings.Contains(q, "Book") {
					t.Errorf("catalog was asked for the provided Book title: %s", q)
				}
			},
		},
	})
}
