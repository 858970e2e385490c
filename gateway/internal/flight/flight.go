// Package flight shares one call among identical concurrent callers (in-flight
// de-duplication), for client queries in the server and subgraph fetches in the
// executor.
//
// The shared call runs on a context detached from every caller's cancellation
// (it keeps their values), so that the first caller leaving does not fail the
// others. It is cancelled only when every caller has gone; callers bound it with
// a timeout of their own choosing inside fn.
package flight

import (
	"context"
	"sync"
)

// Group runs calls keyed by K. The zero value is ready to use.
type Group[K comparable, V any] struct {
	mu    sync.Mutex
	calls map[K]*call[V]
}

type call[V any] struct {
	ctx     context.Context
	done    chan struct{}
	val     V
	waiters int
	cancel  context.CancelFunc
}

// Do returns the result of fn for key, running fn once for all concurrent
// callers with the same key. The first caller runs fn itself, on a detached
// context that is cancelled when no caller waits any more, and returns its
// result even when its own ctx has ended; any other caller whose ctx ends
// stops waiting and gets ctx's error. shared reports whether the result
// came from another caller's run.
func (g *Group[K, V]) Do(ctx context.Context, key K, fn func(context.Context) V) (v V, shared bool, err error) {
	g.mu.Lock()
	c, ok := g.calls[key]
	if !ok {
		runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		c = &call[V]{ctx: runCtx, done: make(chan struct{}), cancel: cancel}
		if g.calls == nil {
			g.calls = map[K]*call[V]{}
		}
		g.calls[key] = c
	}
	c.waiters++
	g.mu.Unlock()
	stop := context.AfterFunc(ctx, func() { g.leave(key, c) })
	if !ok {
		c.val = fn(c.ctx)
		g.mu.Lock()
		if g.calls[key] == c {
			delete(g.calls, key)
		}
		g.mu.Unlock()
		close(c.done)
		c.cancel()
		stop()
		return c.val, false, nil
	}
	select {
	case <-c.done:
		stop()
		return c.val, ok, nil
	case <-ctx.Done():
		var zero V
		return zero, ok, ctx.Err()
	}
}

// leave drops a caller whose context ended; the last one out cancels the run
// and unlists it, so that later callers start a fresh one.
func (g *Group[K, V]) leave(key K, c *call[V]) {
	g.mu.Lock()
	defer g.mu.Unlock()
	c.waiters--
	if c.waiters > 0 {
		return
	}
	if g.calls[key] == c {
		delete(g.calls, key)
	}
	c.cancel()
}

// Len returns the number of calls in flight, for tests.
func (g *Group[K, V]) Len() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.calls)
}
