package scenarios

import (
	"context"
	"errors"
	"strings"
	"sync"
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

// TestMutationStopsAtNullNonNullField: mutation fields run one after the
// other; when a non-null one fails, the data is null and the fields after it
// are not executed (GraphQL's serial execution ends there), while a nullable
// failure lets the sequence go on.
func TestMutationStopsAtNullNonNullField(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var calls []string
	record := func(name string, fail bool) testsubgraph.Resolver {
		return func(context.Context, map[string]any, map[string]any) (any, error) {
			mu.Lock()
			calls = append(calls, name)
			mu.Unlock()
			if fail {
				return nil, errors.New(name + " failed")
			}
			return 1, nil
		}
	}
	sc := scenario{subgraphs: []*testsubgraph.Subgraph{
		{
			Name: "a",
			SDL:  fed + `type Query { a: Int } type Mutation { first: Int! strict: Int! loose: Int }`,
			Resolvers: map[string]testsubgraph.Resolver{
				"Mutation.first": record("first", false), "Mutation.strict": record("strict", true), "Mutation.loose": record("loose", true),
			},
		},
		{
			Name:      "b",
			SDL:       fed + `type Query { b: Int } type Mutation { last: Int }`,
			Resolvers: map[string]testsubgraph.Resolver{"Mutation.last": record("last", false)},
		},
	}}
	run(t, sc, []tcase{
		{
			name:   "a nullable failure goes on",
			query:  `mutation { first loose last }`,
			data:   `{"first":1,"loose":null,"last":1}`,
			errors: []string{"a|loose|loose failed"},
		},
		{
			name:   "a non-null failure stops the sequence",
			query:  `mutation { first strict last }`,
			data:   `null`,
			errors: []string{"a|strict|strict failed"},
			check: func(t *testing.T, _ map[string][]testsubgraph.Request) {
				mu.Lock()
				defer mu.Unlock()
				if got := strings.Join(calls, ","); got != "first,loose,last,first,strict" {
					t.Errorf("mutation fields ran: %s, want first,strict after the first case's three", got)
				}
			},
		},
	})
}
