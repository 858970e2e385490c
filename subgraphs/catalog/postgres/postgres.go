// Package postgres implements the catalog domain's services on PostgreSQL with pgx.
// Every method that takes many keys sends one statement for all of them.
package postgres

import (
	"embed"
	"io/fs"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/shopgraph/shopgraph/internal/pg"
	"github.com/shopgraph/shopgraph/subgraphs/catalog"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrations returns the catalog database's numbered SQL migrations at the FS root.
func Migrations() fs.FS { return pg.SubFS(migrationFiles, "migrations") }

// Store reads and writes the catalog database.
type Store struct {
	pool *pgxpool.Pool
}

// New returns a Store on pool.
func New(pool *pgxpool.Pool) *Store {
	return &Store{pool: pool}
}

var _ catalog.Service = (*Store)(nil)
