package execute

import (
	"context"
	"sync"
)

// inflight shares one subgraph HTTP call among identical concurrent fetches. The
// callers share the raw answer and parse it each for itself, since every request
// extends its own response tree in place.
type inflight struct {
	mu    sync.Mutex
	calls map[string]*call
}

type call struct {
	done   chan struct{}
	raw    []byte
	status int
	err    error
}

// do runs fn once for all concurrent callers with the same key. The shared call
// runs detached from any one caller's cancellation (the subgraph timeout still
// bounds it); a caller whose context ends stops waiting.
func (f *inflight) do(ctx context.Context, key string, fn func(context.Context) ([]byte, int, error)) ([]byte, int, error) {
	f.mu.Lock()
	if c, ok := f.calls[key]; ok {
		f.mu.Unlock()
		select {
		case <-c.done:
			return c.raw, c.status, c.err
		case <-ctx.Done():
			return nil, 0, ctx.Err()
		}
	}
	c := &call{done: make(chan struct{})}
	if f.calls == nil {
		f.calls = map[string]*call{}
	}
	f.calls[key] = c
	f.mu.Unlock()
	go func() {
		c.raw, c.status, c.err = fn(context.WithoutCancel(ctx))
		f.mu.Lock()
		delete(f.calls, key)
		f.mu.Unlock()
		close(c.done)
	}()
	select {
	case <-c.done:
		return c.raw, c.status, c.err
	case <-ctx.Done():
		return nil, 0, ctx.Err()
	}
}
