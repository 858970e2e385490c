package pg

import (
	"context"
	"fmt"
	"io/fs"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/tern/v2/migrate"
)

// versionTable records the applied migration version in each service's database.
const versionTable = "public.schema_version"

// Migrate applies the numbered SQL files at the root of migrations (001_init.sql,
// 002_...) that the database has not seen yet. tern holds a PostgreSQL advisory lock
// while it works, so replicas starting together migrate once.
func Migrate(ctx context.Context, pool *pgxpool.Pool, migrations fs.FS) error {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("migrate: acquire connection: %w", err)
	}
	defer conn.Release()

	m, err := migrate.NewMigrator(ctx, conn.Conn(), versionTable)
	if err != nil {
		return fmt.Errorf("migrate: prepare version table: %w", err)
	}
	if err := m.LoadMigrations(migrations); err != nil {
		return fmt.Errorf("migrate: load migrations: %w", err)
	}
	if err := m.Migrate(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// Version reports the migration version applied to the database.
func Version(ctx context.Context, pool *pgxpool.Pool) (int32, error) {
	var v int32
	if err := pool.QueryRow(ctx, "SELECT version FROM "+versionTable).Scan(&v); err != nil {
		return 0, fmt.Errorf("read migration version: %w", err)
	}
	return v, nil
}
