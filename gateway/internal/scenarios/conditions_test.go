package scenarios

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/shopgraph/shopgraph/gateway/execute"
	"github.com/shopgraph/shopgraph/gateway/internal/testsubgraph"
	"github.com/shopgraph/shopgraph/gateway/plan"
)

// TestConditionsOnePlan: a document with @skip/@include on variables is planned
// once; the cached plan serves every value, sends the entity fetches that only a
// true condition needs only then, and shapes each response by the values.
func TestConditionsOnePlan(t *testing.T) {
	t.Parallel()
	r := start(t, keysScenario())
	ex := execute.New(r.g, engineOptions())
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
			// holds: it sits under Condition nodes for either.
			name:     "a composite field under two conditions: none holds",
			query:    composite,
			vars:     map[string]any{"x": false, "y": false},
			data:     `{}`,
			requests: map[string]int{"a": 0, "b": 0},
		},
		{
			name:     "a composite field under two conditions: the other holds",
			query:    composite,
			vars:     map[string]any{"x": true, "y": false},
			data:     `{"items":[{"name":"One"},{"name":"Two"}]}`,
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

// TestConditionsDependencies: fetches that provide keys or @requires fields
// to other fetches, where the provider serves conditional fields, the
// dependent serves unconditional ones, or entity fetches of one subgraph merge
// across a conditional and an unconditional path. An unconditional field must
// never lose its data because a fetch it depends on was left out.
func TestConditionsDependencies(t *testing.T) {
	t.Parallel()
	// featured (d) -> a (sku, region: b's key) -> b (price); the a fetch also
	// serves a conditional field.
	const chain = `query($x: Boolean!) { featured { ... @include(if: $x) { name } price } }`
	// The a and b fetches under featured are conditional (the first featured),
	// but featured's object is always there (the second); b's fetch for items
	// has no dependents and runs with the later b fetch for featured, which
	// then runs unconditionally and depends on the conditional a fetch.
	const merged = `query($x: Boolean!) { items { name price } featured @include(if: $x) { price } featured { id } }`
	// The same, with the unconditional path asking for what the conditional
	// one does.
	const mergedBoth = `query($x: Boolean!) { items { price } featured @include(if: $x) { name price } other: featured { price } }`
	// The conditional path is the one without dependents.
	const mergedReversed = `query($x: Boolean!) { items @include(if: $x) { name price } featured { price } }`
	// b's fetch serves price under $x and, aliased, under @skip($y): it runs when
	// either holds.
	const either = `query($x: Boolean!, $y: Boolean!) { items { name price @include(if: $x) ... @skip(if: $y) { p: price } } }`
	cases := []tcase{}
	for _, tt := range []struct {
		x, y bool
		data string
		b    int
	}{
		{false, false, `{"items":[{"name":"One","p":10},{"name":"Two","p":20}]}`, 1},
		{false, true, `{"items":[{"name":"One"},{"name":"Two"}]}`, 0},
		{true, false, `{"items":[{"name":"One","price":10,"p":10},{"name":"Two","price":20,"p":20}]}`, 1},
		{true, true, `{"items":[{"name":"One","price":10},{"name":"Two","price":20}]}`, 1},
	} {
		cases = append(cases, tcase{
			name:     fmt.Sprintf("one entity fetch for fields under either condition, x=%v y=%v", tt.x, tt.y),
			query:    either,
			vars:     map[string]any{"x": tt.x, "y": tt.y},
			data:     tt.data,
			requests: map[string]int{"a": 1, "b": tt.b},
		})
	}
	run(t, keysScenario(), append(cases, []tcase{
		{
			name:     "key chain through a fetch that serves a conditional field, false",
			query:    chain,
			vars:     map[string]any{"x": false},
			data:     `{"featured":{"price":10}}`,
			requests: map[string]int{"d": 1, "a": 1, "b": 1},
		},
		{
			name:     "key chain through a fetch that serves a conditional field, true",
			query:    chain,
			vars:     map[string]any{"x": true},
			data:     `{"featured":{"name":"One","price":10}}`,
			requests: map[string]int{"d": 1, "a": 1, "b": 1},
		},
		{
			name:     "merged entity fetch depends on a skipped key fetch",
			query:    merged,
			vars:     map[string]any{"x": false},
			data:     `{"items":[{"name":"One","price":10},{"name":"Two","price":20}],"featured":{"id":"i1"}}`,
			requests: map[string]int{"d": 1, "a": 1, "b": 1},
			check: func(t *testing.T, got map[string][]testsubgraph.Request) {
				if r := reps(t, got["b"], 0); len(r) != 2 {
					t.Errorf("b got representations %v, want the two items only", r)
				}
			},
		},
		{
			name:     "merged entity fetch depends on a key fetch that runs",
			query:    merged,
			vars:     map[string]any{"x": true},
			data:     `{"items":[{"name":"One","price":10},{"name":"Two","price":20}],"featured":{"price":10,"id":"i1"}}`,
			requests: map[string]int{"d": 1, "a": 2, "b": 1},
		},
		{
			name:  "merged across a conditional and an unconditional path, false",
			query: mergedBoth,
			vars:  map[string]any{"x": false},
			data:  `{"items":[{"price":10},{"price":20}],"other":{"price":10}}`,
		},
		{
			name:  "merged across a conditional and an unconditional path, true",
			query: mergedBoth,
			vars:  map[string]any{"x": true},
			data:  `{"items":[{"price":10},{"price":20}],"featured":{"name":"One","price":10},"other":{"price":10}}`,
		},
		{
			name:     "conditional path without dependents, false",
			query:    mergedReversed,
			vars:     map[string]any{"x": false},
			data:     `{"featured":{"price":10}}`,
			requests: map[string]int{"d": 1, "a": 1, "b": 1},
		},
		{
			name:  "conditional path without dependents, true",
			query: mergedReversed,
			vars:  map[string]any{"x": true},
			data:  `{"items":[{"name":"One","price":10},{"name":"Two","price":20}],"featured":{"price":10}}`,
		},
	}...))
	// tax requires shipping, which inventory computes from products' fields.
	const reqChain = `query($x: Boolean!) { products { shipping @include(if: $x) tax } }`
	const reqDup = `query($x: Boolean!) { products @include(if: $x) { tax } products { name } }`
	const reqSkip = `query($x: Boolean!) { products { name ... @skip(if: $x) { shipping } tax @include(if: $x) } }`
	run(t, requiresScenario(), []tcase{
		{
			name:     "required field also asked for under a false condition",
			query:    reqChain,
			vars:     map[string]any{"x": false},
			data:     `{"products":[{"tax":3},{"tax":10}]}`,
			requests: map[string]int{"products": 1, "inventory": 1, "tax": 1},
		},
		{
			name:     "required field also asked for under a true condition",
			query:    reqChain,
			vars:     map[string]any{"x": true},
			data:     `{"products":[{"shipping":32,"tax":3},{"shipping":101,"tax":10}]}`,
			requests: map[string]int{"products": 1, "inventory": 1, "tax": 1},
		},
		{
			name:     "conditional path to objects that are always there, false",
			query:    reqDup,
			vars:     map[string]any{"x": false},
			data:     `{"products":[{"name":"Lamp"},{"name":"Desk"}]}`,
			requests: map[string]int{"products": 1, "inventory": 0, "tax": 0},
		},
		{
			name:     "conditional path to objects that are always there, true",
			query:    reqDup,
			vars:     map[string]any{"x": true},
			data:     `{"products":[{"tax":3,"name":"Lamp"},{"tax":10,"name":"Desk"}]}`,
			requests: map[string]int{"products": 1, "inventory": 1, "tax": 1},
		},
		{
			name:  "required field under the opposite condition, skip",
			query: reqSkip,
			vars:  map[string]any{"x": true},
			data:  `{"products":[{"name":"Lamp","tax":3},{"name":"Desk","tax":10}]}`,
		},
		{
			name:  "required field under the opposite condition, include",
			query: reqSkip,
			vars:  map[string]any{"x": false},
			data:  `{"products":[{"name":"Lamp","shipping":32},{"name":"Desk","shipping":101}]}`,
		},
	})
}
