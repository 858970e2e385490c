package pgtest

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Counter is a pgx query tracer that counts the statements started, for tests that
// check a batch costs one statement, not one per key.
type Counter struct{ n atomic.Int64 }

// TraceQueryStart implements pgx.QueryTracer.
func (c *Counter) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	c.n.Add(1)
	return ctx
}

// TraceQueryEnd implements pgx.QueryTracer.
func (c *Counter) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// N returns how many statements have been sent so far.
func (c *Counter) N() int64 { return c.n.Load() }

// CountingPool opens a second pool on pool's database whose statements the returned Counter
// counts. The pool is closed at t's cleanup.
func CountingPool(t testing.TB, pool *pgxpool.Pool) (*pgxpool.Pool, *Counter) {
	t.Helper()
	cfg := pool.Config()
	counter := &Counter{}
	cfg.ConnConfig.Tracer = counter
	counted, err := pgxpool.NewWithConfig(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(counted.Close)
	return counted, counter
}
