package pg_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/shopgraph/shopgraph/internal/pg"
	"github.com/shopgraph/shopgraph/internal/pg/pgtest"
)

func TestDatabaseURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		base, name, want, wantErr string
	}{
		{base: pg.DefaultURL, name: "catalog", want: "postgres://postgres@127.0.0.1:5432/catalog?sslmode=disable"},
		{base: "postgresql://u:secret@db:6543/x", name: "orders", want: "postgresql://u:secret@db:6543/orders"},
		{base: pg.DefaultURL, name: "Bad-Name", wantErr: "database name"},
		{base: "mysql://root@localhost/x", name: "users", wantErr: "scheme must be postgres://"},
		{base: "postgres:///x", name: "users", wantErr: "no host"},
	}
	for _, tt := range tests {
		got, err := pg.DatabaseURL(tt.base, tt.name)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("DatabaseURL(%q, %q) error = %v, want it to contain %q", tt.base, tt.name, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("DatabaseURL(%q, %q) = %q, %v; want %q", tt.base, tt.name, got, err, tt.want)
		}
	}
}

func TestRedactHidesPassword(t *testing.T) {
	t.Parallel()
	got := pg.Redact("postgres://u:hunter2@db/x")
	if strings.Contains(got, "hunter2") {
		t.Fatalf("Redact kept the password: %s", got)
	}
}

func TestMigrateAppliesOnceUnderConcurrency(t *testing.T) {
	t.Parallel()
	migrations := fstest.MapFS{
		"001_things.sql":      {Data: []byte("CREATE TABLE things (id bigint PRIMARY KEY, name text NOT NULL);")},
		"002_more_things.sql": {Data: []byte("INSERT INTO things VALUES (1, 'one'); ALTER TABLE things ADD COLUMN weight int;")},
	}
	pool := pgtest.New(t, nil)
	ctx := context.Background()

	// Replicas starting together all call Migrate; the advisory lock makes it run once.
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		wg.Go(func() { errs <- pg.Migrate(ctx, pool, migrations) })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("Migrate: %v", err)
		}
	}
	if err := pg.Migrate(ctx, pool, migrations); err != nil {
		t.Fatalf("Migrate again: %v", err)
	}
	v, err := pg.Version(ctx, pool)
	if err != nil || v != 2 {
		t.Fatalf("Version = %d, %v; want 2", v, err)
	}
	var n int
	if err := pool.QueryRow(ctx, "SELECT count(*) FROM things").Scan(&n); err != nil || n != 1 {
		t.Fatalf("things rows = %d, %v; want 1 (the insert ran once)", n, err)
	}
}

func TestMigrateReportsBadSQL(t *testing.T) {
	t.Parallel()
	pool := pgtest.New(t, nil)
	err := pg.Migrate(context.Background(), pool, fstest.MapFS{"001_bad.sql": {Data: []byte("CREATE TABLEX nope;")}})
	if err == nil || !strings.Contains(err.Error(), "001_bad.sql") {
		t.Fatalf("Migrate(bad SQL) error = %v, want one naming 001_bad.sql", err)
	}
}

func TestEnsureDatabaseIsIdempotent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	base := pgtest.BaseURL()
	// Not under pgtest's prefix: its stale-database sweep must not race with this test.
	name := fmt.Sprintf("pgtest_ensure_%d", time.Now().UnixNano())
	t.Cleanup(func() { _ = pg.DropDatabase(context.Background(), base, name) })
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() {
			if err := pg.EnsureDatabase(ctx, base, name); err != nil {
				t.Errorf("EnsureDatabase: %v", err)
			}
		})
	}
	wg.Wait()
	url, err := pg.DatabaseURL(base, name)
	if err != nil {
		t.Fatal(err)
	}
	pool, err := pg.Open(ctx, url)
	if err != nil {
		t.Fatalf("Open created database: %v", err)
	}
	pool.Close()
}

func TestOpenNamesUnreachableServer(t *testing.T) {
	t.Parallel()
	_, err := pg.Open(context.Background(), "postgres://postgres:pw@127.0.0.1:1/x?connect_timeout=2")
	if err == nil || !strings.Contains(err.Error(), "127.0.0.1:1") || strings.Contains(err.Error(), ":pw@") {
		t.Fatalf("Open error = %v; want one naming the server without the password", err)
	}
}
