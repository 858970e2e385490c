// Package postgres implements the users domain's services on PostgreSQL with pgx.
package postgres

import (
	"context"
	"embed"
	"errors"
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

// DevSigningKey returns the development signing key stored in the database,
// storing the one generate makes when there is none yet. Concurrent starts
// agree on one key: the first insert wins and everyone reads it back.
func (s *Store) DevSigningKey(ctx context.Context, generate func() ([]byte, error)) ([]byte, error) {
	var pem string
	err := s.pool.QueryRow(ctx, `SELECT pem FROM dev_signing_keys WHERE id = 1`).Scan(&pem)
	if err == nil {
		return []byte(pem), nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("read development signing key: %w", err)
	}
	fresh, err := generate()
	if err != nil {
		return nil, fmt.Errorf("generate development signing key: %w", err)
	}
	if _, err := s.pool.Exec(ctx, `
		INSERT INTO dev_signing_keys (id, pem) VALUES (1, $1) ON CONFLICT (id) DO NOTHING`, string(fresh)); err != nil {
		return nil, fmt.Errorf("store development signing key: %w", err)
	}
	// A new statement sees whichever start's key won.
	if err := s.pool.QueryRow(ctx, `SELECT pem FROM dev_signing_keys WHERE id = 1`).Scan(&pem); err != nil {
		return nil, fmt.Errorf("read development signing key: %w", err)
	}
	return []byte(pem), nil
}
