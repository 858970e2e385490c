package postgres

import (
	"testing"

	"github.com/shopgraph/shopgraph/internal/pg/pgtest"
)

func TestShippingRates(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	pool := pgtest.New(t, Migrations())
	for range 2 {
		if err := Seed(ctx, pool); err != nil {
			t.Fatal(err)
		}
	}
	counted, counter := pgtest.CountingPool(t, pool)
	s := New(counted)

	rates, err := s.ShippingRates(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(rates) != len(demoRates()) || rates[0].Country != "AU" || rates[len(rates)-1].Country != "" {
		t.Errorf("rates %+v; want every seeded rate by code, rest of world last", rates)
	}

	before := counter.N()
	got, err := s.RatesForCountries(ctx, []string{"US", "DE", "BR", "JP"})
	if err != nil {
		t.Fatal(err)
	}
	if n := counter.N() - before; n != 1 {
		t.Errorf("RatesForCountries sent %d statements, want 1", n)
	}
	if got["US"].Base != 499 || got["DE"].Country != "DE" || got["BR"].Country != "" ||
		got["BR"].CountryName != "Rest of world" || got["JP"].PerKg != 550 {
		t.Errorf("rates %+v", got)
	}
}

func TestOneRestOfWorldRate(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	pool := pgtest.New(t, Migrations())
	if err := Seed(ctx, pool); err != nil {
		t.Fatal(err)
	}
	_, err := pool.Exec(ctx, `INSERT INTO shipping_rates (country_name, base_minor, per_kg_minor, currency)
		VALUES ('Elsewhere', 1, 1, 'USD')`)
	if err == nil {
		t.Error("a second rest-of-world rate was accepted")
	}
}
