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

// TestConditionAlternatives: a fetch serving fields under several conditions
// runs when any of them holds, through a tree of Condition nodes.
func TestConditionAlternatives(t *testing.T) {
	t.Parallel()
	a := FieldCondition{Variable: "a", Include: true}
	notA := FieldCondition{Variable: "a", Include: false}
	b := FieldCondition{Variable: "b", Include: true}
	c := FieldCondition{Variable: "c", Include: false}
	tests := []struct {
		name  string
		needs []Conditions
		// alts is the expected number of alternatives kept.
		alts int
	}{
		{"one conjunction", []Conditions{{a, b}}, 1},
		{"a or b", []Conditions{{a}, {b}}, 2},
		{"a or a and b", []Conditions{{a, b}, {a}}, 1},
		{"a and b or a", []Conditions{{a}, {a, b}}, 1},
		{"always wins", []Conditions{{a}, nil, {b}}, 1},
		{"a or not a", []Conditions{{a}, {notA}}, 2},
		{"skip and include", []Conditions{{a, c}, {b}, {notA, c}}, 3},
		{"contradictions only", []Conditions{{a, notA}, {b, FieldCondition{Variable: "b"}}}, 2},
		{"too many: what they share", []Conditions{{a, b, c}, {notA, b, c}, {b, c, FieldCondition{Variable: "d", Include: true}}}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fetch{}
			for _, cs := range tt.needs {
				f.need(cs)
			}
			if len(f.alts) != tt.alts {
				t.Errorf("alternatives %v, want %d", f.alts, tt.alts)
			}
			leaf := &Fetch{ID: 7}
			tree := wrapAny(f.alts, leaf)
			// Every assignment of the variables: the fetch is reached exactly
			// when some needed conjunction holds (the kept ones may be weaker,
			// but never stronger).
			vars := []string{"a", "b", "c", "d"}
			for m := 0; m < 1<<len(vars); m++ {
				vals := map[string]any{}
				for i, v := range vars {
					vals[v] = m&(1<<i) != 0
				}
				reached := reaches(tree, leaf, vals)
				wanted, kept := false, false
				for _, cs := range tt.needs {
					wanted = wanted || cs.Hold(vals)
				}
				for _, cs := range f.alts {
					kept = kept || cs.Hold(vals)
				}
				if reached != kept {
					t.Errorf("%v: reached = %v, alternatives %v hold = %v\n%s", vals, reached, f.alts, kept, (&Plan{Root: tree}).String())
				}
				if wanted && !reached {
					t.Errorf("%v: a needed field's conditions hold but the fetch does not run\n%s", vals, (&Plan{Root: tree}).String())
				}
			}
		})
	}
}

// reaches reports whether executing n with vars reaches leaf.
func reaches(n Node, leaf *Fetch, vars map[string]any) bool {
	switch n := n.(type) {
	case *Fetch:
		return n == leaf
	case *Condition:
		return reaches(n.Branch(vars), leaf, vars)
	}
	return false
}
