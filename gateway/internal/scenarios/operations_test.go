package scenarios

import (
	"testing"
)

func TestOperations(t *testing.T) {
	t.Parallel()
	run(t, keysScenario(), []tcase{
		{
			name:     "skip and include with variables",
			query:    `query($a: Boolean!, $b: Boolean!) { items { name @skip(if: $a) price @include(if: $b) ... on Item @include(if: $a) { stock } } }`,
			vars:     map[string]any{"a": true, "b": false},
			data:     `{"items":[{"stock":5},{"stock":null}]}`,
			requests: map[string]int{"a": 1, "b": 0, "c": 1},
		},
		{
			name:     "skip and include other values",
			query:    `query($a: Boolean!, $b: Boolean!) { items { name @skip(if: $a) price @include(if: $b) ... on Item @include(if: $a) { stock } } }`,
			vars:     map[string]any{"a": false, "b": true},
			data:     `{"items":[{"name":"One","price":10},{"name":"Two","price":20}]}`,
			requests: map[string]int{"a": 1, "b": 1, "c": 0},
		},
		{
			name:  "named fragments and merged fields",
			query: `query Q { items { ...A name } } fragment A on Item { name price ...B } fragment B on Item { price stock }`,
			data:  `{"items":[{"name":"One","price":10,"stock":5},{"name":"Two","price":20,"stock":null}]}`,
		},
		{
			name:      "unknown field is a validation error",
			query:     `{ items { nope } }`,
			planError: `Cannot query field "nope"`,
		},
	})
}
