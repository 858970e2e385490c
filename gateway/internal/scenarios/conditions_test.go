package scenarios

import (
	"context"
	"testing"
	"time"

	"github.com/shopgraph/shopgraph/gateway/execute"
	"github.com/shopgraph/shopgraph/gateway/plan"
)

// TestConditionsOnePlan: a document with @skip/@include on variables is planned
// once; the cached plan serves every value, sends the entity fetches that only a
// true condition needs only then, and shapes each response by the values.
func TestConditionsOnePlan(t *testing.T) {
	t.Parallel()
	r := start(t, keysScenario())
	ex := execute.New(r.g, execute.Options{SubgraphTimeout: 2 * time.Second})
	t.Cleanup(ex.Close)
	const query = `query($x: Boolean!) { items { name price @include(if: $x) stock @skip(if: $x) } }`
	tests := []struct {
		x        bool
		data     string
		requests map[string]int
	}{
		{true, `{"items":[{"name":"One","price":10},{"name":"Two","price":20}]}`, map[string]int{"a": 1, "b": 1, "c": 0}},
		{false, `{"items":[{"name":"One","stock":5},{"name":"Two","stock":null}]}`, map[string]int{"a": 1, "b": 0, "c": 1}},
		{true, `{"items":[{"name":"One","price":10},{"name":"Two","price":20}]}`, map[string]int{"a": 1, "b": 1, "c": 0}},
	}
	var first *plan.Plan
	for _, tt := range tests {
		before := map[string]int{}
		for n, s := range r.servers {
			before[n] = len(s.Requests())
		}
		pl, vars, err := r.planner.Plan(query, "", map[string]any{"x": tt.x})
		if err != nil {
			t.Fatalf("plan: %v", err)
		}
		if first == nil {
			first = pl
		} else if pl != first {
			t.Errorf("x=%v: planned again instead of using the cached plan", tt.x)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		resp := ex.Execute(ctx, pl, vars)
		cancel()
		if got, want := string(resp.Data), compact(t, tt.data); got != want {
			t.Errorf("x=%v: data =\n%s\nwant\n%s\nplan:\n%s", tt.x, got, want, pl)
		}
		checkErrors(t, resp.Errors, nil)
		for n, want := range tt.requests {
			if got := len(r.servers[n].Requests()) - before[n]; got != want {
				t.Errorf("x=%v: subgraph %s got %d requests, want %d", tt.x, n, got, want)
			}
		}
	}
}

func TestConditions(t *testing.T) {
	t.Parallel()
	const nested = `query($x: Boolean!, $y: Boolean!) { items @include(if: $x) { name ... @skip(if: $y) { price stock @include(if: $x) } } }`
	const combined = `query($s: Boolean!, $i: Boolean!) { items { name price @skip(if: $s) @include(if: $i) } }`
	const defaults = `query($x: Boolean = false) { items { name price @include(if: $x) } }`
	const sameKey = `query($x: Boolean!, $y: Boolean!) { items { name ... @include(if: $x) { id name } ... @include(if: $y) { price } } }`
	const keyField = `query($x: Boolean!) { items { upc @include(if: $x) stock } }`
	const composite = `query($x: Boolean!, $y: Boolean!) { items @include(if: $x) { name } items @include(if: $y) { price } }`
	run(t, keysScenario(), []tcase{
		{
			name:     "a conditional field the plan also needs as a key",
			query:    keyField,
			vars:     map[string]any{"x": false},
			data:     `{"items":[{"stock":5},{"stock":null}]}`,
			requests: map[string]int{"a": 1, "c": 1},
		},
		{
			name:     "a conditional field the plan also needs as a key, included",
			query:    keyField,
			vars:     map[string]any{"x": true},
			data:     `{"items":[{"upc":"u1","stock":5},{"upc":null,"stock":null}]}`,
			requests: map[string]int{"a": 1, "c": 1},
		},
		{
			name:     "a composite field under two conditions: one holds",
			query:    composite,
			vars:     map[string]any{"x": false, "y": true},
			data:     `{"items":[{"price":10},{"price":20}]}`,
			requests: map[string]int{"a": 1, "b": 1},
		},
		{
			name:     "a composite field under two conditions: both hold",
			query:    composite,
			vars:     map[string]any{"x": true, "y": true},
			data:     `{"items":[{"name":"One","price":10},{"name":"Two","price":20}]}`,
			requests: map[string]int{"a": 1, "b": 1},
		},
		{
			// The root fetch serves both fields, so it is wanted when x or y
			// holds; Condition nodes express only conjunctions, so it runs
			// without directives and shaping leaves both fields out.
			name:     "a composite field under two conditions: none holds",
			query:    composite,
			vars:     map[string]any{"x": false, "y": false},
			data:     `{}`,
			requests: map[string]int{"a": 1, "b": 0},
		},
		{
			name:     "nested: outer false leaves out the root fetch",
			query:    nested,
			vars:     map[string]any{"x": false, "y": false},
			data:     `{}`,
			requests: map[string]int{"a": 0, "b": 0, "c": 0},
		},
		{
			name:     "nested: outer true, inner skip false",
			query:    nested,
			vars:     map[string]any{"x": true, "y": false},
			data:     `{"items":[{"name":"One","price":10,"stock":5},{"name":"Two","price":20,"stock":null}]}`,
			requests: map[string]int{"a": 1, "b": 1, "c": 1},
		},
		{
			name:     "nested: outer true, inner skip true",
			query:    nested,
			vars:     map[string]any{"x": true, "y": true},
			data:     `{"items":[{"name":"One"},{"name":"Two"}]}`,
			requests: map[string]int{"a": 1, "b": 0, "c": 0},
		},
		{
			name:     "skip and include combined: both let the field in",
			query:    combined,
			vars:     map[string]any{"s": false, "i": true},
			data:     `{"items":[{"name":"One","price":10},{"name":"Two","price":20}]}`,
			requests: map[string]int{"a": 1, "b": 1},
		},
		{
			name:     "skip and include combined: skip wins",
			query:    combined,
			vars:     map[string]any{"s": true, "i": true},
			data:     `{"items":[{"name":"One"},{"name":"Two"}]}`,
			requests: map[string]int{"a": 1, "b": 0},
		},
		{
			name:     "skip and include combined: include false",
			query:    combined,
			vars:     map[string]any{"s": false, "i": false},
			data:     `{"items":[{"name":"One"},{"name":"Two"}]}`,
			requests: map[string]int{"a": 1, "b": 0},
		},
		{
			name:     "variable default value applies when the variable is absent",
			query:    defaults,
			data:     `{"items":[{"name":"One"},{"name":"Two"}]}`,
			requests: map[string]int{"a": 1, "b": 0},
		},
		{
			name:     "variable default value overridden",
			query:    defaults,
			vars:     map[string]any{"x": true},
			data:     `{"items":[{"name":"One","price":10},{"name":"Two","price":20}]}`,
			requests: map[string]int{"a": 1, "b": 1},
		},
		{
			name:     "one key under several conditions: only what holds",
			query:    sameKey,
			vars:     map[string]any{"x": true, "y": false},
			data:     `{"items":[{"name":"One","id":"i1"},{"name":"Two","id":"i2"}]}`,
			requests: map[string]int{"a": 1, "b": 0},
		},
		{
			name:     "one key under several conditions: all hold",
			query:    sameKey,
			vars:     map[string]any{"x": true, "y": true},
			data:     `{"items":[{"name":"One","id":"i1","price":10},{"name":"Two","id":"i2","price":20}]}`,
			requests: map[string]int{"a": 1, "b": 1},
		},
	})
}
