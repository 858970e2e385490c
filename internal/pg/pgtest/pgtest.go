// Package pgtest gives tests a fresh, migrated PostgreSQL database of their own and
// drops it when the test ends.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/shopgraph/shopgraph/internal/pg"
)

// prefix marks databases made by tests, so that leftovers of killed runs can be found.
const prefix = "sgtest_"

// staleAfter is how old a leftover test database must be before New removes it.
const staleAfter = 2 * time.Hour

// BaseURL is the server tests use: SHOPGRAPH_TEST_DATABASE_URL, else DATABASE_URL,
// else the local default.
func BaseURL() string {
	for _, key := range []string{"SHOPGRAPH_TEST_DATABASE_URL", "DATABASE_URL"} {
		if v := os.Getenv(key); v != "" {
			return v
		}
	}
	return pg.DefaultURL
}

// New creates a database with a unique name, applies migrations (nil for none) and
// returns a pool to it. The pool is closed and the database dropped at cleanup.
func New(t testing.TB, migrations fs.FS) *pgxpool.Pool {
	t.Helper()
	_, pool := create(t, migrations)
	return pool
}

// NewURL is New for tests that need the database's URL, for example to start a
// server process of their own on it. The database is dropped at cleanup.
func NewURL(t testing.TB, migrations fs.FS) string {
	t.Helper()
	url, pool := create(t, migrations)
	pool.Close()
	return url
}

func create(t testing.TB, migrations fs.FS) (string, *pgxpool.Pool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	base := BaseURL()
	dropStale(ctx, t, base)

	name := newName(t.Name())
	if err := pg.EnsureDatabase(ctx, base, name); err != nil {
		t.Fatalf("pgtest: %v (is PostgreSQL running? set SHOPGRAPH_TEST_DATABASE_URL)", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := pg.DropDatabase(ctx, base, name); err != nil {
			t.Logf("pgtest: %v", err)
		}
	})
	url, err := pg.DatabaseURL(base, name)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	pool, err := pg.Open(ctx, url)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(pool.Close)
	if migrations != nil {
		if err := pg.Migrate(ctx, pool, migrations); err != nil {
			t.Fatalf("pgtest: %v", err)
		}
	}
	return url, pool
}

// newName builds sgtest_<unix seconds>_<test name>_<random>, short enough for
// PostgreSQL's 63-byte identifiers.
func newName(testName string) string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	var clean strings.Builder
	for _, r := range strings.ToLower(testName) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			clean.WriteRune(r)
		default:
			clean.WriteByte('_')
		}
	}
	short := clean.String()
	if len(short) > 24 {
		short = short[:24]
	}
	return fmt.Sprintf("%s%d_%s_%s", prefix, time.Now().Unix(), short, hex.EncodeToString(b[:]))
}

// dropStale removes test databases left behind by runs that were killed before
// their cleanup ran.
func dropStale(ctx context.Context, t testing.TB, base string) {
	t.Helper()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		return // New reports the connection problem itself
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, "SELECT datname FROM pg_database WHERE datname LIKE $1", prefix+"%")
	if err != nil {
		return
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return
	}
	for _, name := range names {
		stamp, _, _ := strings.Cut(strings.TrimPrefix(name, prefix), "_")
		sec, err := strconv.ParseInt(stamp, 10, 64)
		if err != nil || time.Since(time.Unix(sec, 0)) < staleAfter {
			continue
		}
		if err := pg.DropDatabase(ctx, base, name); err != nil {
			t.Logf("pgtest: drop stale %s: %v", name, err)
		}
	}
}
