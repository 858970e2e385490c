package scenarios

import (
	"context"
	"errors"
	"testing"

	"github.com/shopgraph/shopgraph/gateway/internal/testsubgraph"
)

// TestNullFromSubgraphErrorIsExplainedOnce: a subgraph error deep in a non-null
// chain nulls the subgraph's data up to the root; the router's response keeps
// that one error and adds no "Cannot return null" error for the same null
// (GraphQL spec, "Handling Field Errors").
func TestNullFromSubgraphErrorIsExplainedOnce(t *testing.T) {
	t.Parallel()
	sc := scenario{subgraphs: []*testsubgraph.Subgraph{{
		Name: "a",
		SDL:  fed + `type Query { events: [Event!]! maybe: [Event!] } type Event { at: String! subject: String! }`,
		Resolvers: map[string]testsubgraph.Resolver{
			"Query.events": list([]any{map[string]any{"at": "9:00"}, map[string]any{"at": "9:30"}}),
			"Query.maybe":  list([]any{map[string]any{"at": "9:00"}, map[string]any{"at": "9:30"}}),
			"Event.subject": func(_ context.Context, p map[string]any, _ map[string]any) (any, error) {
				if p["at"] == "9:30" {
					return nil, errors.New("subject hidden")
				}
				return "standup", nil
			},
		},
	}}}
	run(t, sc, []tcase{
		{
			name:   "the null reaches the root",
			query:  `{ events { at subject } }`,
			data:   `null`,
			errors: []string{"a|events.1.subject|subject hidden"},
		},
		{
			name:   "the null stops at a nullable list",
			query:  `{ maybe { at subject } }`,
			data:   `{"maybe":null}`,
			errors: []string{"a|maybe.1.subject|subject hidden"},
		},
	})
}
