// Package postgres implements the orders domain's services on PostgreSQL with pgx.
package postgres

import (
	"context"
	"embed"
	"fmt"
	"io/fs"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/shopgraph/shopgraph/internal/pg"
	"github.com/shopgraph/shopgraph/subgraphs/orders"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrations returns the orders database's numbered SQL migrations at the FS root.
func Migrations() fs.FS { return pg.SubFS(migrationFiles, "migrations") }

// Store reads and writes the orders database.
type Store struct {
	pool *pgxpool.Pool
}

// New returns a Store on pool.
func New(pool *pgxpool.Pool) *Store {
	return &Store{pool: pool}
}

var _ orders.ShippingService = (*Store)(nil)

func scanRate(row pgx.CollectableRow) (orders.ShippingRate, error) {
	var r orders.ShippingRate
	var country *string
	err := row.Scan(&country, &r.CountryName, &r.Base, &r.PerKg, &r.Currency)
	if country != nil {
		r.Country = *country
	}
	return r, err
}

// ShippingRates implements orders.ShippingService.
func (s *Store) ShippingRates(ctx context.Context) ([]orders.ShippingRate, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT country_code, country_name, base_minor, per_kg_minor, currency
		FROM shipping_rates
		ORDER BY country_code NULLS LAST`)
	if err != nil {
		return nil, fmt.Errorf("query shipping rates: %w", err)
	}
	rates, err := pgx.CollectRows(rows, scanRate)
	if err != nil {
		return nil, fmt.Errorf("read shipping rates: %w", err)
	}
	return rates, nil
}

// RatesForCountries implements orders.ShippingService: each country joins its own
// rate if there is one, else the rest-of-world row, in one statement.
func (s *Store) RatesForCountries(ctx context.Context, countries []string) (map[string]orders.ShippingRate, error) {
	out := make(map[string]orders.ShippingRate, len(countries))
	if len(countries) == 0 {
		return out, nil
	}
	rows, err := s.pool.Query(ctx, `
		SELECT c.code, r.country_code, r.country_name, r.base_minor, r.per_kg_minor, r.currency
		FROM unnest($1::text[]) AS c(code)
		CROSS JOIN LATERAL (
			SELECT * FROM shipping_rates
			WHERE country_code = c.code OR country_code IS NULL
			ORDER BY country_code NULLS LAST
			LIMIT 1
		) AS r`, countries)
	if err != nil {
		return nil, fmt.Errorf("query rates for countries: %w", err)
	}
	var (
		code    string
		country *string
		r       orders.ShippingRate
	)
	_, err = pgx.ForEachRow(rows, []any{&code, &country, &r.CountryName, &r.Base, &r.PerKg, &r.Currency}, func() error {
		rate := r
		if country != nil {
			rate.Country = *country
		}
		out[code] = rate
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read rates for countries: %w", err)
	}
	return out, nil
}
