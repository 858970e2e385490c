package scenarios

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/shopgraph/shopgraph/gateway/internal/testsubgraph"
)

// unionScenario: a union whose members differ between subgraphs, and an
// interface whose implementations live in different subgraphs.
func unionScenario() scenario {
	return scenario{subgraphs: []*testsubgraph.Subgraph{
		{
			Name: "posts",
			SDL: fed + `type Query { search: [Result!]! }
union Result = Post
type Post @key(fields: "id") { id: ID! title: String! }
type Photo @key(fields: "id") { id: ID! }`,
			Resolvers: map[string]testsubgraph.Resolver{"Query.search": list([]any{map[string]any{"__typename": "Post", "id": "p1", "title": "Hi"}})},
			Entities:  map[string]testsubgraph.EntityResolver{"Post": byKey("Post", "id", map[string]map[string]any{"p1": {"title": "Hi"}})},
		},
		{
			Name: "photos",
			SDL: fed + `type Query { feed: [Result!]! }
union Result = Post | Photo
type Post @key(fields: "id") { id: ID! }
type Photo @key(fields: "id") { id: ID! url: String! }`,
			Resolvers: map[string]testsubgraph.Resolver{"Query.feed": list([]any{
				map[string]any{"__typename": "Photo", "id": "f1", "url": "/f1.jpg"},
				map[string]any{"__typename": "Post", "id": "p1"},
			})},
			Entities: map[string]testsubgraph.EntityResolver{"Photo": byKey("Photo", "id", map[string]map[string]any{"f1": {"url": "/f1.jpg"}})},
		},
	}}
}

func TestUnions(t *testing.T) {
	t.Parallel()
	run(t, unionScenario(), []tcase{
		{
			name:  "member unknown to the subgraph is not asked for",
			query: `{ search { __typename ... on Post { title } ... on Photo { url } } }`,
			data:  `{"search":[{"__typename":"Post","title":"Hi"}]}`,
			check: func(t *testing.T, got map[string][]testsubgraph.Request) {
				if q := got["posts"][0].Query; strings.Contains(q, "Photo") {
					t.Errorf("posts asked for a type outside its union: %s", q)
				}
			},
		},
		{
			name:     "members resolved by other subgraphs",
			query:    `{ feed { ... on Post { id title } ... on Photo { url } } }`,
			data:     `{"feed":[{"url":"/f1.jpg"},{"id":"p1","title":"Hi"}]}`,
			requests: map[string]int{"photos": 1, "posts": 1},
		},
	})
}

// TestGarbageValues: a subgraph answering a __typename the supergraph does not
// know, an enum value outside the enum and a string for an Int.
func TestGarbageValues(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"data":{"things":[{"__typename":"Ghost","id":"1"},{"__typename":"Thing","id":"2","status":"WEIRD","n":"x"},{"__typename":"Thing","id":"3","status":"OK","n":3}]}}`))
	}))
	t.Cleanup(srv.Close)
	sc := scenario{supergraph: `schema @link(url: "https://specs.apollo.dev/link/v1.0") @link(url: "https://specs.apollo.dev/join/v0.3", for: EXECUTION) { query: Query }
` + joinHeader + `
enum join__Graph { G @join__graph(name: "g", url: "` + srv.URL + `") }
type Query @join__type(graph: G) { things: [Node] }
interface Node @join__type(graph: G) { id: ID! }
type Thing implements Node @join__implements(graph: G, interface: "Node") @join__type(graph: G) { id: ID! status: Status n: Int }
enum Status @join__type(graph: G) { OK BAD }
`}
	run(t, sc, []tcase{{
		name:  "garbage becomes null with errors",
		query: `{ things { id ... on Thing { status n } } }`,
		data:  `{"things":[null,{"id":"2","status":null,"n":null},{"id":"3","status":"OK","n":3}]}`,
		errors: []string{
			`|things.0|"Ghost" is not a possible type of Node`,
			`|things.1.status|not a valid Status`,
			`|things.1.n|not a valid Int`,
		},
	}})
}
