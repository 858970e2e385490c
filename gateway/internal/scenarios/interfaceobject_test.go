package scenarios

import (
	"context"
	"testing"

	"github.com/shopgraph/shopgraph/gateway/internal/testsubgraph"
)

// joinHeader is the machinery of a hand-written join v0.3 supergraph.
const joinHeader = `
directive @join__enumValue(graph: join__Graph!) repeatable on ENUM_VALUE
directive @join__field(graph: join__Graph, requires: join__FieldSet, provides: join__FieldSet, type: String, external: Boolean, override: String, usedOverridden: Boolean, overrideLabel: String) repeatable on FIELD_DEFINITION | INPUT_FIELD_DEFINITION
directive @join__graph(name: String!, url: String!) on ENUM_VALUE
directive @join__implements(graph: join__Graph!, interface: String!) repeatable on OBJECT | INTERFACE
directive @join__type(graph: join__Graph!, key: join__FieldSet, extension: Boolean! = false, resolvable: Boolean! = true, isInterfaceObject: Boolean! = false) repeatable on OBJECT | INTERFACE | UNION | ENUM | INPUT_OBJECT | SCALAR
directive @join__unionMember(graph: join__Graph!, member: String!) repeatable on UNION
directive @link(url: String, as: String, for: link__Purpose, import: [link__Import]) repeatable on SCHEMA
scalar join__FieldSet
scalar link__Import
enum link__Purpose { SECURITY EXECUTION }
`

// The supergraph Apollo composition makes of the two subgraphs below: the
// interface object's field appears on every implementation with a bare @join__field.
const interfaceObjectSupergraph = `schema @link(url: "https://specs.apollo.dev/link/v1.0") @link(url: "https://specs.apollo.dev/join/v0.3", for: EXECUTION) { query: Query }
` + joinHeader + `
enum join__Graph {
  LIBRARY @join__graph(name: "library", url: "{{library}}")
  REVIEWS @join__graph(name: "reviews", url: "{{reviews}}")
}
type Query @join__type(graph: LIBRARY) @join__type(graph: REVIEWS) {
  media: [Media!]! @join__field(graph: LIBRARY)
  topMedia: [Media!]! @join__field(graph: REVIEWS)
}
interface Media @join__type(graph: LIBRARY, key: "id") @join__type(graph: REVIEWS, key: "id", isInterfaceObject: true) {
  id: ID!
  title: String! @join__field(graph: LIBRARY)
  rating: Int! @join__field(graph: REVIEWS)
}
type Book implements Media @join__implements(graph: LIBRARY, interface: "Media") @join__type(graph: LIBRARY, key: "id") {
  id: ID!
  title: String!
  author: String!
  rating: Int! @join__field
}
type Movie implements Media @join__implements(graph: LIBRARY, interface: "Media") @join__type(graph: LIBRARY, key: "id") {
  id: ID!
  title: String!
  director: String!
  rating: Int! @join__field
}
`

func interfaceObjectScenario() scenario {
	media := map[string]map[string]any{
		"b1": {"__typename": "Book", "id": "b1", "title": "Dune", "author": "Herbert"},
		"m1": {"__typename": "Movie", "id": "m1", "title": "Alien", "director": "Scott"},
	}
	concrete := func(id string) map[string]any {
		out := map[string]any{}
		for k, v := range media[id] {
			out[k] = v
		}
		return out
	}
	lookup := func(tn string) testsubgraph.EntityResolver {
		return byKey(tn, "id", media)
	}
	return scenario{
		supergraph: interfaceObjectSupergraph,
		subgraphs: []*testsubgraph.Subgraph{
			{
				Name: "library",
				SDL: fed + `type Query { media: [Media!]! }
interface Media @key(fields: "id") { id: ID! title: String! }
type Book implements Media @key(fields: "id") { id: ID! title: String! author: String! }
type Movie implements Media @key(fields: "id") { id: ID! title: String! director: String! }`,
				Resolvers: map[string]testsubgraph.Resolver{"Query.media": list([]any{concrete("b1"), concrete("m1")})},
				Entities: map[string]testsubgraph.EntityResolver{
					// The interface's key resolves to the concrete object and its type.
					"Media": func(_ context.Context, rep map[string]any) (any, error) {
						id, _ := rep["id"].(string)
						if media[id] == nil {
							return nil, nil
						}
						return concrete(id), nil
					},
					"Book":  lookup("Book"),
					"Movie": lookup("Movie"),
				},
			},
			{
				Name: "reviews",
				SDL: fed + `type Query { topMedia: [Media!]! }
type Media @key(fields: "id") @interfaceObject { id: ID! rating: Int! }`,
				Resolvers: map[string]testsubgraph.Resolver{"Query.topMedia": list([]any{
					map[string]any{"__typename": "Media", "id": "m1", "rating": 5},
					map[string]any{"__typename": "Media", "id": "b1", "rating": 4},
				})},
				Entities: map[string]testsubgraph.EntityResolver{"Media": byKey("Media", "id", map[string]map[string]any{"b1": {"rating": 4}, "m1": {"rating": 5}})},
			},
		},
	}
}

func TestInterfaceObject(t *testing.T) {
	t.Parallel()
	run(t, interfaceObjectScenario(), []tcase{
		{
			name:     "interface object field on the interface",
			query:    `{ media { __typename title rating } }`,
			data:     `{"media":[{"__typename":"Book","title":"Dune","rating":4},{"__typename":"Movie","title":"Alien","rating":5}]}`,
			requests: map[string]int{"library": 1, "reviews": 1},
			check: func(t *testing.T, got map[string][]testsubgraph.Request) {
				for _, r := range reps(t, got["reviews"], 0) {
					if tn := r.(map[string]any)["__typename"]; tn != "Media" {
						t.Errorf("representation %v: the interface object needs __typename Media", r)
					}
				}
			},
		},
		{
			name:  "interface object field inside a concrete fragment",
			query: `{ media { ... on Book { author rating } ... on Movie { director } } }`,
			data:  `{"media":[{"author":"Herbert","rating":4},{"director":"Scott"}]}`,
		},
		{
			name:     "concrete type and fields from the interface object's root",
			query:    `{ topMedia { __typename id rating title ... on Movie { director } } }`,
			data:     `{"topMedia":[{"__typename":"Movie","id":"m1","rating":5,"title":"Alien","director":"Scott"},{"__typename":"Book","id":"b1","rating":4,"title":"Dune"}]}`,
			requests: map[string]int{"library": 1, "reviews": 1},
		},
		{
			name:     "interface object root without concrete needs",
			query:    `{ topMedia { id rating } }`,
			data:     `{"topMedia":[{"id":"m1","rating":5},{"id":"b1","rating":4}]}`,
			requests: map[string]int{"library": 0, "reviews": 1},
		},
	})
}
