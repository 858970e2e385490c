package plan

import (
	"testing"
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
		}
	})
}
