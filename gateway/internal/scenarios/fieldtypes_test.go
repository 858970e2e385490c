package scenarios

import (
	"strings"
	"testing"

	"github.com/shopgraph/shopgraph/gateway/internal/testsubgraph"
)

// fieldTypesScenario: a field whose type differs between subgraphs
// (join__field(type:)). In the supergraph Box.label and Bag.label are both
// String, so a client may select label on both in sibling fragments; in the
// store subgraph Box.label is String! and Bag.label String, so the same
// selection sent there as it is breaks FieldsInSetCanMerge and the subgraph
// rejects it.
func fieldTypesScenario() scenario {
	return scenario{subgraphs: []*testsubgraph.Subgraph{
		{
			Name: "store",
			SDL: fed + `type Query { things: [Thing!]! }
interface Thing { id: ID! }
type Box implements Thing @key(fields: "id") { id: ID! label: String! @shareable size: Int }
type Bag implements Thing @key(fields: "id") { id: ID! label: String size: Float }`,
			Resolvers: map[string]testsubgraph.Resolver{"Query.things": list([]any{
				map[string]any{"__typename": "Box", "id": "x1", "label": "box", "size": 3},
				map[string]any{"__typename": "Bag", "id": "g1", "label": nil, "size": 1.5},
			})},
		},
		{
			Name: "labels",
			SDL:  fed + `type Box @key(fields: "id") { id: ID! label: String @shareable note: String }`,
			Entities: map[string]testsubgraph.EntityResolver{
				"Box": byKey("Box", "id", map[string]map[string]any{"x1": {"label": "box", "note": "fragile"}}),
			},
		},
	}}
}

func TestFieldTypesDifferBetweenSubgraphs(t *testing.T) {
	t.Parallel()
	run(t, fieldTypesScenario(), []tcase{
		{
			name:     "sibling fragments with conflicting subgraph types are aliased",
			query:    `{ things { id ... on Box { label } ... on Bag { label } } }`,
			data:     `{"things":[{"id":"x1","label":"box"},{"id":"g1","label":null}]}`,
			requests: map[string]int{"store": 1, "labels": 0},
			check: func(t *testing.T, got map[string][]testsubgraph.Request) {
				if q := got["store"][0].Query; !strings.Contains(q, "__sg_label_Bag:label") {
					t.Errorf("store query does not alias the conflicting field: %s", q)
				}
			},
		},
		{
			name:     "aliased fields keep the client's aliases and later entity fetches",
			query:    `{ things { ... on Box { name: label note } ... on Bag { name: label } } }`,
			data:     `{"things":[{"name":"box","note":"fragile"},{"name":null}]}`,
			requests: map[string]int{"store": 1, "labels": 1},
		},
	})
}
