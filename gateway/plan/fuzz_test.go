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
	} {
		f.Add(seed, "", true)
	}
	f.Fuzz(func(t *testing.T, query, opName string, flag bool) {
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
	})
}
