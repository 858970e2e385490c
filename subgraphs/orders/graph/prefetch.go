package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"

	"github.com/shopgraph/shopgraph/subgraphs/orders"
)

// prefetchRates loads, at once, the shipping rates of the countries the
// selected shippingEstimate fields of _entities ask for: the router's fetch of
// a listing's estimates then waits for no loader window. A country that does
// not parse is left for the field to report.
func (r *Resolver) prefetchRates(ctx context.Context) {
	if !graphql.HasOperationContext(ctx) || graphql.GetFieldContext(ctx) == nil {
		return
	}
	vars := graphql.GetOperationContext(ctx).Variables
	seen := map[string]bool{}
	var countries []string
	for _, f := range graphql.CollectFieldsCtx(ctx, []string{"ProductVariant", "_Entity"}) {
		if f.Name != "shippingEstimate" {
			continue
		}
		raw, _ := f.ArgumentMap(vars)["country"].(string)
		code, err := orders.ParseCountry(raw)
		if err != nil || seen[code] {
			continue
		}
		seen[code] = true
		countries = append(countries, code)
	}
	r.loaders(ctx).RatesNow(ctx, countries)
}
