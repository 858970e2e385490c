package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// seedLock is the advisory lock key that makes concurrent seeders wait for each other.
const seedLock = 0x5e3d_0002

// demoRates are the demo shipping rates in US cents: a base per shipment and a
// rate per started kilogram. The entry with no code is the rest of the world.
func demoRates() [][]any {
	rate := func(code, name string, base, perKg int64) []any {
		var c any
		if code != "" {
			c = code
		}
		return []any{c, name, base, perKg, "USD"}
	}
	return [][]any{
		rate("US", "United States", 499, 150),
		rate("CA", "Canada", 899, 250),
		rate("MX", "Mexico", 1199, 300),
		rate("GB", "United Kingdom", 1299, 350),
		rate("IE", "Ireland", 1299, 350),
		rate("DE", "Germany", 1199, 300),
		rate("FR", "France", 1199, 300),
		rate("NL", "Netherlands", 1199, 300),
		rate("ES", "Spain", 1299, 325),
		rate("IT", "Italy", 1299, 325),
		rate("SE", "Sweden", 1399, 350),
		rate("AU", "Australia", 1999, 600),
		rate("JP", "Japan", 1799, 550),
		rate("", "Rest of world", 2499, 800),
	}
}

// Seed creates the demo shipping rates once: it does nothing when rates exist.
func Seed(ctx context.Context, pool *pgxpool.Pool) error {
	tx, err := pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("seed orders: begin: %w", err)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", seedLock); err != nil {
		return fmt.Errorf("seed orders: lock: %w", err)
	}
	var seeded bool
	if err := tx.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM shipping_rates)").Scan(&seeded); err != nil {
		return fmt.Errorf("seed orders: check: %w", err)
	}
	if seeded {
		return nil
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"shipping_rates"},
		[]string{"country_code", "country_name", "base_minor", "per_kg_minor", "currency"},
		pgx.CopyFromRows(demoRates())); err != nil {
		return fmt.Errorf("seed orders: copy shipping rates: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("seed orders: commit: %w", err)
	}
	return nil
}
