package scenarios

import (
	"testing"

	"github.com/shopgraph/shopgraph/gateway/internal/testsubgraph"
)

// aliasingScenario: sibling fragments whose fields share a response key. In
// the store subgraph Box.dims is Dims! while Bag.dims and Sack.dims are Dims,
// so the planner gives conflicting fields data keys of their own; Bag is an
// entity whose weight lives in the extra subgraph, entered by its id.
func aliasingScenario() scenario {
	return scenario{subgraphs: []*testsubgraph.Subgraph{
		{
			Name: "store",
			SDL: fed + `type Query { things: [Thing!]! }
interface Thing { id: ID! }
interface Sack { dims: Dims }
type Box implements Thing @key(fields: "id") { id: ID! dims: Dims! @shareable }
type Bag implements Thing & Sack @key(fields: "id") { id: ID! code: ID! dims: Dims }
type Dims @shareable { w: Int h: Int }`,
			Resolvers: map[string]testsubgraph.Resolver{"Query.things": list([]any{
				map[string]any{"__typename": "Box", "id": "x1", "dims": map[string]any{"w": 1, "h": 2}},
				map[string]any{"__typename": "Bag", "id": "g1", "code": "G-1", "dims": map[string]any{"w": 3, "h": 4}},
			})},
		},
		{
			Name: "boxes",
			SDL:  fed + `type Box @key(fields: "id") { id: ID! dims: Dims @shareable } type Dims @shareable { w: Int h: Int }`,
		},
		{
			Name:     "extra",
			SDL:      fed + `type Bag @key(fields: "id") { id: ID! weight: Int }`,
			Entities: map[string]testsubgraph.EntityResolver{"Bag": byKey("Bag", "id", map[string]map[string]any{"g1": {"weight": 7}})},
		},
	}}
}

func TestAliasing(t *testing.T) {
	t.Parallel()
	run(t, aliasingScenario(), []tcase{
		{
			name:     "a key field whose response key a sibling fragment uses for another field",
			query:    `{ things { ... on Box { id } ... on Bag { id: code weight } } }`,
			data:     `{"things":[{"id":"x1"},{"id":"G-1","weight":7}]}`,
			requests: map[string]int{"store": 1, "extra": 1},
		},
		{
			name:     "the same with the fragments the other way round",
			query:    `{ things { ... on Bag { id: code weight } ... on Box { id } } }`,
			data:     `{"things":[{"id":"x1"},{"id":"G-1","weight":7}]}`,
			requests: map[string]int{"store": 1, "extra": 1},
		},
		{
			name:     "a composite field aliased in one fragment merged with an unaliased one",
			query:    `{ things { ... on Bag { dims { h } } ... on Box { dims { w } } ... on Sack { dims { w } } } }`,
			data:     `{"things":[{"dims":{"w":1}},{"dims":{"h":4,"w":3}}]}`,
			requests: map[string]int{"store": 1},
		},
		{
			name:     "a composite field aliased apart in two fragments that both apply",
			query:    `{ things { ... on Box { dims { w } } ... on Bag { dims { h } } ... on Sack { dims { w } } } }`,
			data:     `{"things":[{"dims":{"w":1}},{"dims":{"h":4,"w":3}}]}`,
			requests: map[string]int{"store": 1},
		},
	})
}
