package telemetry

import (
	"net/http/httptest"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/shopgraph/shopgraph/internal/pg/pgtest"
	"github.com/shopgraph/shopgraph/internal/telemetry/telemetrytest"
)

func TestPoolCollector(t *testing.T) {
	t.Parallel()
	pool, err := pgxpool.New(t.Context(), pgtest.BaseURL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	conn, err := pool.Acquire(t.Context())
	if err != nil {
		t.Fatalf("acquire (is PostgreSQL running at %s?): %v", pgtest.BaseURL(), err)
	}
	defer conn.Release()

	reg := NewRegistry()
	reg.MustRegister(NewPoolCollector(pool, "catalog"))
	srv := httptest.NewServer(MetricsHandler(reg))
	t.Cleanup(srv.Close)
	got := telemetrytest.Scrape(t, srv.URL)
	tests := []struct {
		name string
		min  float64
	}{
		{"shopgraph_db_pool_acquired_connections", 1},
		{"shopgraph_db_pool_connections", 1},
		{"shopgraph_db_pool_max_connections", 1},
		{"shopgraph_db_pool_acquires_total", 1},
	}
	for _, tt := range tests {
		if v := got.Value(tt.name, "database", "catalog"); v < tt.min {
			t.Errorf("%s = %v, want at least %v", tt.name, v, tt.min)
		}
	}
	if !got.Has("shopgraph_db_pool_idle_connections") {
		t.Error("idle connections not exported")
	}
}
