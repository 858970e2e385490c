// Package pg opens PostgreSQL connection pools, creates a service's database when it
// is missing and applies its numbered SQL migrations under an advisory lock.
package pg

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// DefaultURL is the local server the components use when DATABASE_URL is not set.
const DefaultURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// databaseName limits the names this package will create, so that a name can be
// quoted safely and means the same in every tool.
var databaseName = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)

// DatabaseURL returns baseURL with its database replaced by name, keeping host,
// credentials and parameters.
func DatabaseURL(baseURL, name string) (string, error) {
	if !databaseName.MatchString(name) {
		return "", fmt.Errorf("database name %q: want lowercase letters, digits and _", name)
	}
	u, err := parseURL(baseURL)
	if err != nil {
		return "", err
	}
	u.Path = "/" + name
	u.RawPath = ""
	return u.String(), nil
}

// parseURL accepts only postgres:// URLs so that a typo fails with a clear message
// instead of pgx falling back to keyword/value parsing.
func parseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("database URL: %w", redact(err, raw))
	}
	if u.Scheme != "postgres" && u.Scheme != "postgresql" {
		return nil, fmt.Errorf("database URL %q: scheme must be postgres://", Redact(raw))
	}
	if u.Host == "" {
		return nil, fmt.Errorf("database URL %q: no host", Redact(raw))
	}
	return u, nil
}

// Redact returns the URL with its password replaced, for logs and error messages.
func Redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}

// redact keeps a URL parse error from echoing a password.
func redact(err error, raw string) error {
	u, perr := url.Parse(raw)
	if perr != nil || u.User == nil {
		return errors.New(strings.ReplaceAll(err.Error(), raw, "(database URL)"))
	}
	return err
}

// Open returns a pool for databaseURL after checking that the server answers.
func Open(ctx context.Context, databaseURL string) (*pgxpool.Pool, error) {
	if _, err := parseURL(databaseURL); err != nil {
		return nil, err
	}
	cfg, err := pgxpool.ParseConfig(databaseURL)
	if err != nil {
		return nil, fmt.Errorf("parse database URL %s: %w", Redact(databaseURL), err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", Redact(databaseURL), err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connect to %s: %w", Redact(databaseURL), err)
	}
	return pool, nil
}

// EnsureDatabase creates database name on the server of baseURL when it does not
// exist. Several processes may race to create it; the losers succeed too.
func EnsureDatabase(ctx context.Context, baseURL, name string) error {
	if !databaseName.MatchString(name) {
		return fmt.Errorf("database name %q: want lowercase letters, digits and _", name)
	}
	if _, err := parseURL(baseURL); err != nil {
		return err
	}
	conn, err := pgx.Connect(ctx, baseURL)
	if err != nil {
		return fmt.Errorf("connect to %s: %w", Redact(baseURL), err)
	}
	defer conn.Close(context.WithoutCancel(ctx))

	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return fmt.Errorf("look up database %s: %w", name, err)
	}
	if exists {
		return nil
	}
	// CREATE DATABASE takes no parameters; the name is checked against databaseName above.
	_, err = conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize())
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && (pgErr.Code == "42P04" || pgErr.Code == "23505") {
		return nil // created concurrently by another process
	}
	if err != nil {
		return fmt.Errorf("create database %s: %w", name, err)
	}
	return nil
}

// DropDatabase removes database name, disconnecting its sessions first.
func DropDatabase(ctx context.Context, baseURL, name string) error {
	if !databaseName.MatchString(name) {
		return fmt.Errorf("database name %q: want lowercase letters, digits and _", name)
	}
	conn, err := pgx.Connect(ctx, baseURL)
	if err != nil {
		return fmt.Errorf("connect to %s: %w", Redact(baseURL), err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
		return fmt.Errorf("drop database %s: %w", name, err)
	}
	return nil
}

// EnsureDatabaseOf creates the database that databaseURL names when it is missing,
// connecting through the same server's maintenance database "postgres".
func EnsureDatabaseOf(ctx context.Context, databaseURL string) error {
	u, err := parseURL(databaseURL)
	if err != nil {
		return err
	}
	name := strings.TrimPrefix(u.Path, "/")
	if name == "" {
		return fmt.Errorf("database URL %q names no database", Redact(databaseURL))
	}
	admin, err := DatabaseURL(databaseURL, "postgres")
	if err != nil {
		return err
	}
	return EnsureDatabase(ctx, admin, name)
}
