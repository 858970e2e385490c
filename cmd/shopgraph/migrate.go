package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"

	"github.com/shopgraph/shopgraph/internal/config"
	"github.com/shopgraph/shopgraph/internal/pg"
)

// migrateCommand implements `migrate` and `seed`: for each named subgraph (all when
// none are named) create its database when missing, migrate it and, for seed, load
// the demo data once.
func migrateCommand(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer, seed bool) error {
	verb := "migrate"
	if seed {
		verb = "seed"
	}
	var log logSettings
	s := newMigrateSettings(verb, getenv, &log)
	var scale int64
	if seed {
		s.Int(&scale, "scale", "SEED_SCALE", 0, 0, 100_000_000,
			"grow the catalog to this many products for measurements (a million takes minutes); 0 seeds the demo catalog alone")
	}
	names, err := parseWithHelp(s, args, stderr, " [SUBGRAPH ...]")
	if errors.Is(err, errHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	if len(names) == 0 {
		names = subgraphNames
	}
	for _, name := range names {
		if !slices.Contains(subgraphNames, name) {
			return fmt.Errorf("%s: unknown subgraph %q (want one of %v)", verb, name, subgraphNames)
		}
	}
	logger := log.logger(stderr, verb)
	for _, name := range names {
		if err := setUpDatabase(ctx, getenv, name, seed, logger); err != nil {
			return fmt.Errorf("%s: %w", verb, err)
		}
		if scale > 0 {
			if err := scaleDatabase(ctx, getenv, name, int(scale), logger); err != nil {
				return fmt.Errorf("%s: %w", verb, err)
			}
		}
	}
	return nil
}

// newMigrateSettings registers the settings of `migrate` and `seed`. The databases
// come from DATABASE_URL or NAME_DATABASE_URL, read by subgraphDatabaseURL.
func newMigrateSettings(verb string, getenv func(string) string, log *logSettings) *config.Set {
	s := config.New(verb, getenv)
	log.register(s)
	return s
}

// migrateEnvNames are the variables migrate and seed read besides their settings.
func migrateEnvNames() []string {
	names := []string{"DATABASE_URL"}
	for _, n := range subgraphNames {
		names = append(names, envPrefix(n)+"DATABASE_URL")
	}
	return names
}

// subgraphDatabaseURL is the database of a subgraph: <NAME>_DATABASE_URL, else
// DATABASE_URL's server with the subgraph's own database.
func subgraphDatabaseURL(getenv func(string) string, name string) (string, error) {
	if v := getenv(envPrefix(name) + "DATABASE_URL"); v != "" {
		if err := config.CheckURL(v, "postgres", "postgresql"); err != nil {
			return "", fmt.Errorf("%sDATABASE_URL: %w", envPrefix(name), err)
		}
		return v, nil
	}
	return databaseURLFor(getenv, name)
}

// setUpDatabase creates, migrates and optionally seeds one subgraph's database.
func setUpDatabase(ctx context.Context, getenv func(string) string, name string, seed bool, logger *slog.Logger) error {
	parts, err := subgraphParts(name)
	if err != nil {
		return err
	}
	url, err := subgraphDatabaseURL(getenv, name)
	if err != nil {
		return err
	}
	if err := pg.EnsureDatabaseOf(ctx, url); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	pool, err := pg.Open(ctx, url)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	defer pool.Close()
	if err := pg.Migrate(ctx, pool, parts.Migrations); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	version, err := pg.Version(ctx, pool)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	logger.Info("migrated", "subgraph", name, "database", pg.Redact(url), "version", version)
	if !seed {
		return nil
	}
	if err := parts.Seed(ctx, pool); err != nil {
		return fmt.Errorf("%s: seed: %w", name, err)
	}
	logger.Info("seeded", "subgraph", name)
	return nil
}

// scaleDatabase grows a seeded subgraph's demo data to n products; subgraphs
// without scale seeding keep their demo data.
func scaleDatabase(ctx context.Context, getenv func(string) string, name string, n int, logger *slog.Logger) error {
	parts, err := subgraphParts(name)
	if err != nil || parts.SeedScale == nil {
		return err
	}
	url, err := subgraphDatabaseURL(getenv, name)
	if err != nil {
		return err
	}
	pool, err := pg.Open(ctx, url)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	defer pool.Close()
	if err := parts.SeedScale(ctx, pool, n, logger); err != nil {
		return fmt.Errorf("%s: seed --scale %d: %w", name, n, err)
	}
	logger.Info("seeded to scale", "subgraph", name, "products", n)
	return nil
}
