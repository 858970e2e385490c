package plan

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestConditionsHold(t *testing.T) {
	t.Parallel()
	inc := FieldCondition{Variable: "a", Include: true}
	skip := FieldCondition{Variable: "b", Include: false}
	tests := []struct {
		name  string
		conds Conditions
		vars  map[string]any
		want  bool
	}{
		{"none", nil, nil, true},
		{"include true", Conditions{inc}, map[string]any{"a": true}, true},
		{"include false", Conditions{inc}, map[string]any{"a": false}, false},
		{"include missing", Conditions{inc}, nil, false},
		{"skip false", Conditions{skip}, map[string]any{"b": false}, true},
		{"skip true", Conditions{skip}, map[string]any{"b": true}, false},
		{"both hold", Conditions{inc, skip}, map[string]any{"a": true, "b": false}, true},
		{"one fails", Conditions{inc, skip}, map[string]any{"a": true, "b": true}, false},
	}
	for _, tt := range tests {
		if got := tt.conds.Hold(tt.vars); got != tt.want {
			t.Errorf("%s: Hold = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// TestConditionPlan: one plan for every value, an entity fetch needed only under
// a condition sits in a Condition node in both the text and the JSON forms, and
// the conditions of fields inside a fetch stay directives of its operation.
func TestConditionPlan(t *testing.T) {
	t.Parallel()
	g := loadGraph(t, shopSupergraph)
	p := NewPlanner(g, 8)
	q := `query($r: Boolean!) { me { name @skip(if: $r) reviews @include(if: $r) { totalCount } } }`
	a, _, err := p.Plan(q, "", map[string]any{"r": true})
	if err != nil {
		t.Fatal(err)
	}
	b, _, err := p.Plan(q, "", map[string]any{"r": false})
	if err != nil {
		t.Fatal(err)
	}
	if a != b {
		t.Fatal("a value of $r got a plan of its own")
	}
	text := a.String()
	for _, want := range []string{"Condition(if: $r) {", "Then {", "name @skip(if:$r)"} {
		if !strings.Contains(text, want) {
			t.Errorf("plan lacks %q:\n%s", want, text)
		}
	}
	js, err := json.Marshal(a.Tree())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(js), `"kind":"Condition","condition":"r","ifClause":{"kind":"Flatten"`) {
		t.Errorf("tree lacks the Condition node: %s", js)
	}
}
