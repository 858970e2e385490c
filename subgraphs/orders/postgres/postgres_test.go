package postgres

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/shopgraph/shopgraph/internal/pg/pgtest"
)

// statementCounter counts the statements a pool sends.
type statementCounter struct{ n atomic.Int64 }

func (c *statementCounter) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	c.n.Add(1)
	return ctx
}

func (c *statementCounter) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

func TestShippingRates(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	pool := pgtest.New(t, Migrations())
	for range 2 {
		if err := Seed(ctx, pool); err != nil {
			t.Fatal(err)
		}
	}
	cfg := pool.Config()
	counter := &statementCounter{}
	cfg.ConnConfig.Tracer = counter
	counted, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(counted.Close)
	s := New(counted)

	rates, err := s.ShippingRates(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(rates) != len(demoRates()) || rates[0].Country != "AU" || rates[len(rates)-1].Country != "" {
		t.Errorf("rates %+v; want every seeded rate by code, rest of world last", rates)
	}

	before := counter.n.Load()
	got, err := s.RatesForCountries(ctx, []string{"US", "DE", "BR", "JP"})
	if err != nil {
		t.Fatal(err)
	}
	if n := counter.n.Load() - before; n != 1 {
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
