// Package postgres implements the users domain's services on PostgreSQL with pgx.
package postgres

import (
	"context"
	"embed"
	"fmt"
	"io/fs"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/shopgraph/shopgraph/internal/pg"
	"github.com/shopgraph/shopgraph/subgraphs/users"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrations returns the users database's numbered SQL migrations at the FS root.
func Migrations() fs.FS { return pg.SubFS(migrationFiles, "migrations") }

// Store reads and writes the users database.
type Store struct {
	pool *pgxpool.Pool
}

// New returns a Store on pool.
func New(pool *pgxpool.Pool) *Store {
	return &Store{pool: pool}
}

var _ users.UserService = (*Store)(nil)

// UsersByIDs implements users.UserService with one query for the whole batch.
func (s *Store) UsersByIDs(ctx context.Context, ids []int64) (map[int64]*users.User, error) {
	out := make(map[int64]*users.User, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := s.pool.Query(ctx, `
		SELECT id, email, name, role, created_at
		FROM users
		WHERE id = ANY($1)`, ids)
	if err != nil {
		return nil, fmt.Errorf("query users by id: %w", err)
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (*users.User, error) {
		var u users.User
		var role string
		if err := row.Scan(&u.ID, &u.Email, &u.Name, &role, &u.CreatedAt); err != nil {
			return nil, err
		}
		u.Role = users.Role(role)
		return &u, nil
	})
	if err != nil {
		return nil, fmt.Errorf("read users by id: %w", err)
	}
	for _, u := range list {
		out[u.ID] = u
	}
	return out, nil
}
