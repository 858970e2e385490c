package plan

import (
	"slices"
	"strings"
	"testing"
)

func TestDeferNormalisedAndDeferredFetches(t *testing.T) {
	t.Parallel()
	p := NewPlanner(loadGraph(t, shopSupergraph), 16)
	const q = `query($d: Boolean) { user(id: "u1") {
  name
  ... @defer(label: "orders", if: $d) { orders { id } }
  ... @defer(if: false) { role }
  ... on User @defer(label: "both") { name reviews(first: 1) { totalCount } }
} }`
	pl, _, err := p.Plan(q, "", map[string]any{"d": true})
	if err != nil {
		t.Fatal(err)
	}
	op := pl.Operation
	if !op.HasDefer() {
		t.Fatal("HasDefer = false")
	}
	user := op.Selections[0].(*Field)
	var labels []string
	for _, d := range user.Defers {
		labels = append(labels, d.Label)
	}
	// if: false is no defer at all.
	if strings.Join(labels, ",") != "orders,both" {
		t.Errorf("defers at user = %q, want orders,both", labels)
	}
	byKey := map[string]*Field{}
	for _, s := range user.Selections {
		if f, ok := s.(*Field); ok {
			byKey[f.Key] = f
		}
	}
	// name is in the first part and in "both": merged, it goes first.
	if byKey["name"].Defer != nil || byKey["role"].Defer != nil {
		t.Errorf("name/role deferred: %v %v", byKey["name"].Defer, byKey["role"].Defer)
	}
	if d := byKey["orders"].Defer; d == nil || d.Label != "orders" {
		t.Errorf("orders defer = %+v", d)
	}
	if d := byKey["reviews"].Defer; d == nil || d.Label != "both" {
		t.Errorf("reviews defer = %+v", d)
	}
	// The fetches of orders and reviews serve only deferred fields; the
	// users fetch serves name.
	deferredSubgraphs := func(pl *Plan) []string {
		var out []string
		for id := range pl.DeferredFetches() {
			out = append(out, pl.Fetches[id].Subgraph)
		}
		slices.Sort(out)
		return out
	}
	if got := deferredSubgraphs(pl); strings.Join(got, ",") != "catalog,orders" {
		t.Errorf("deferred fetches go to %q, want catalog,orders\n%s", got, pl)
	}
	// With $d false the orders fragment is no defer: another plan, in which
	// orders comes with the first part.
	off, _, err := p.Plan(q, "", map[string]any{"d": false})
	if err != nil {
		t.Fatal(err)
	}
	if off == pl {
		t.Error("the plan with $d false is the plan with $d true")
	}
	if got := deferredSubgraphs(off); strings.Join(got, ",") != "catalog" {
		t.Errorf("with $d false, deferred fetches go to %q, want catalog\n%s", got, off)
	}
	if !off.Operation.HasDefer() {
		t.Error("with $d false the operation no longer answers incrementally")
	}
	plainOff, _, err := p.Plan(strings.ReplaceAll(strings.ReplaceAll(q, `@defer(label: "orders", if: $d)`, ""), "($d: Boolean)", ""), "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if plainOff == off {
		t.Error("the plan with the defer turned off is shared with a document that has none")
	}
	if again, _, _ := p.Plan(q, "", map[string]any{"d": true}); again != pl {
		t.Error("the plan with $d true was not found in the cache again")
	}
	// A document that differs only in @defer gets a plan of its own.
	plain, _, err := p.Plan(`{ user(id: "u1") { name orders { id } role reviews(first: 1) { totalCount } } }`, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if plain == pl || plain.Operation.HasDefer() {
		t.Error("the plan without @defer is the plan with it")
	}
}
