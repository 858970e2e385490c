package plan

import (
	"testing"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
)

func FuzzPlan(f *testing.F) {
	g := loadGraph(f, shopSupergraph)
	for _, seed := range []string{
		shopQuery,
		`{ me { name orders { id lines { variant { sku shippingEstimate(country: "DE") { amount } } } } } }`,
		`query($s: Boolean!) { products { edges { node { id name @skip(if: $s) } } } }`,
		`query Q { user(id: "1") { ...U } } fragment U on User { id name reviews { totalCount } }`,
		`mutation { placeOrder(variantId: "v") { id total { amount } } }`,
		`{ __typename a: me { __typename } }`,
		`{ products { edges { node { ... on Product { id } ... { name } } } } }`,
		`{`,
		`query ($a: Int = 3) { products(first: $a) { totalCount } }`,
		`query($s: Boolean!) { products @include(if: $s) { edges { node { id ... @skip(if: $s) { reviews { totalCount } } } } } }`,
		`query($s: Boolean = true) { me { name @skip(if: $s) @include(if: $s) orders @include(if: $s) { id } } }`,
		`query($s: Boolean!) { me { name ... @defer(label: "o", if: $s) { orders { id ... @defer { lines { quantity } } } } } }`,
		`{ ... @defer { me { id } } products { edges { node { id ... @defer(label: "r") { reviews { totalCount } name } } } } }`,
	} {
		f.Add(seed, "", true)
	}
	f.Fuzz(func(t *testing.T, query, opName string, flag bool) {
		// flag is $s: @skip, @include and @defer(if:) take it.
		p := NewPlanner(g, 8)
		vars := map[string]any{"s": flag, "a": 1, "id": "x"}
		pl, _, err := p.Plan(query, opName, vars)
		if err != nil {
			return
		}
		_ = pl.String()
		_ = pl.Operation.String()
		for _, f := range pl.Fetches {
			if f.Operation == "" || f.Subgraph == "" {
				t.Fatalf("empty fetch %+v", f)
			}
			if _, err := parser.ParseQuery(&ast.Source{Input: f.Operation}); err != nil {
				t.Fatalf("fetch %d operation %q does not parse: %v", f.ID, f.Operation, err)
			}
		}
		_ = pl.Tree()
		// Deferred fetches are some of the plan's.
		for id := range pl.DeferredFetches() {
			if id < 0 || id >= len(pl.Fetches) {
				t.Fatalf("deferred fetch %d of %d", id, len(pl.Fetches))
			}
		}
	})
}

// FuzzPlanSplit plans deep operations on the gateways benchmark's supergraph,
// where fetches are split at repeated entities, with and without splitting:
// both must accept the same operations, every fetch must parse, and every
// fetch may depend only on fetches of earlier stages.
func FuzzPlanSplit(f *testing.F) {
	g := loadGraph(f, benchSupergraph)
	f.Add(benchQuery(f), true)
	for _, seed := range []string{
		`{ users { reviews { product { reviews { author { reviews { product { name } } } } } } } }`,
		`query($s: Boolean!) { topProducts { reviews { author @include(if: $s) { reviews { product { reviews { body } } } } } } }`,
		`{ users { reviews { product { upc __typename reviews { author { username name } } } } } }`,
		`{ me { reviews { product { reviews { product { reviews { product { shippingEstimate } } } } } } } }`,
	} {
		f.Add(seed, false)
	}
	f.Fuzz(func(t *testing.T, query string, flag bool) {
		vars := map[string]any{"s": flag}
		split, _, errSplit := New(g, Options{CacheSize: 2}).Plan(query, "", vars)
		whole, _, errWhole := New(g, Options{CacheSize: 2, SplitDepth: new(int)}).Plan(query, "", vars)
		if (errSplit == nil) != (errWhole == nil) {
			t.Fatalf("split plan error %v, unsplit %v", errSplit, errWhole)
		}
		if errSplit != nil {
			return
		}
		for _, pl := range []*Plan{split, whole} {
			for _, f := range pl.Fetches {
				if _, err := parser.ParseQuery(&ast.Source{Input: f.Operation}); err != nil {
					t.Fatalf("fetch %d operation %q does not parse: %v", f.ID, f.Operation, err)
				}
				for _, d := range f.DependsOn {
					if d >= f.ID {
						t.Fatalf("fetch %d depends on fetch %d of a later stage:\n%s", f.ID, d, pl)
					}
				}
			}
		}
	})
}
