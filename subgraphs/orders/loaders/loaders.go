// Package loaders batches the orders subgraph's reads per request with
// dataloaders, so estimates for N variants cost one query, not N.
package loaders

import (
	"context"
	"net/http"
	"time"

	"github.com/graph-gophers/dataloader/v7"

	"github.com/shopgraph/shopgraph/internal/gqlserve"
	"github.com/shopgraph/shopgraph/subgraphs/orders"
)

// batchWait is how long a loader collects keys before it queries. gqlgen starts the
// resolvers of a list together, so a short wait catches them all without adding
// much latency.
const batchWait = 5 * time.Millisecond

// Loaders holds one request's dataloaders.
type Loaders struct {
	// RateForCountry loads the shipping rate that applies to a country code.
	RateForCountry *dataloader.Loader[string, orders.ShippingRate]
	rates          dataloader.BatchFunc[string, orders.ShippingRate]
}

// New returns fresh loaders reading through svc. Loaders cache what they load,
// so make new ones for every request.
func New(svc orders.ShippingService) *Loaders {
	rates := ratesForCountries(svc)
	return &Loaders{
		RateForCountry: dataloader.NewBatchedLoader(rates, dataloader.WithWait[string, orders.ShippingRate](batchWait)),
		rates:          rates,
	}
}

// RatesNow loads the rates of countries at once and primes RateForCountry with
// them, so that the fields asking for them wait for no batch window: the
// entity resolver knows every country its variants' estimates need.
func (l *Loaders) RatesNow(ctx context.Context, countries []string) {
	if len(countries) == 0 {
		return
	}
	for i, r := range l.rates(ctx, countries) {
		if r.Error == nil {
			l.RateForCountry.Prime(ctx, countries[i], r.Data)
		}
	}
}

func ratesForCountries(svc orders.ShippingService) dataloader.BatchFunc[string, orders.ShippingRate] {
	return func(ctx context.Context, countries []string) []*dataloader.Result[orders.ShippingRate] {
		found, err := svc.RatesForCountries(ctx, countries)
		err = orders.Internal(err)
		out := make([]*dataloader.Result[orders.ShippingRate], len(countries))
		for i, c := range countries {
			r := &dataloader.Result[orders.ShippingRate]{Error: err}
			if err == nil {
				rate, ok := found[c]
				if !ok {
					r.Error = orders.Internal(errNoRate{c})
				}
				r.Data = rate
			}
			out[i] = r
		}
		return out
	}
}

// errNoRate reports a country with no rate, which means the rest-of-world row is missing.
type errNoRate struct{ country string }

func (e errNoRate) Error() string {
	return "no shipping rate for " + e.country + " and no rest-of-world rate"
}

// Middleware gives each request its own loaders.
func Middleware(svc orders.ShippingService, next http.Handler) http.Handler {
	return gqlserve.PerRequest(func() *Loaders { return New(svc) }, next)
}

// For returns the request's loaders. Without Middleware it returns loaders that
// still work but batch and cache nothing across calls.
func For(ctx context.Context, svc orders.ShippingService) *Loaders {
	return gqlserve.FromRequest(ctx, func() *Loaders { return New(svc) })
}
