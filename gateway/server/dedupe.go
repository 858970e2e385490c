package server

import (
	"context"
	"encoding/json"
	"sync"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/shopgraph/shopgraph/gateway/execute"
	"github.com/shopgraph/shopgraph/gateway/plan"
)

// executor runs plans; *execute.Executor is one, dedupedExecutor wraps one.
type executor interface {
	Execute(ctx context.Context, p *plan.Plan, vars map[string]any) *execute.Response
	Close()
}

// dedupedExecutor shares one execution among identical in-flight queries: the
// same cached plan (the same document, operation and @skip/@include values) with
// the same variables. Responses are immutable once made, so every waiting client
// writes the same one. Mutations always run on their own.
type dedupedExecutor struct {
	*execute.Executor
	mu    sync.Mutex
	calls map[runKey]*sharedRun
}

// runKey identifies a run: cached plans are shared, so the plan's identity
// stands for the document, operation and @skip/@include values.
type runKey struct {
	plan *plan.Plan
	vars string
}

type sharedRun struct {
	done chan struct{}
	resp *execute.Response
}

func newDedupedExecutor(e *execute.Executor) *dedupedExecutor {
	return &dedupedExecutor{Executor: e, calls: map[runKey]*sharedRun{}}
}

// Execute runs p, or waits for an identical run already in flight.
func (d *dedupedExecutor) Execute(ctx context.Context, p *plan.Plan, vars map[string]any) *execute.Response {
	if p.Operation.Kind != ast.Query {
		return d.Executor.Execute(ctx, p, vars)
	}
	key := runKey{plan: p}
	if len(vars) > 0 {
		b, err := json.Marshal(vars) // map keys are sorted: equal variables, equal bytes
		if err != nil {
			return d.Executor.Execute(ctx, p, vars)
		}
		key.vars = string(b)
	}
	d.mu.Lock()
	if c, ok := d.calls[key]; ok {
		d.mu.Unlock()
		select {
		case <-c.done:
			return c.resp
		case <-ctx.Done():
			return &execute.Response{Errors: []execute.Error{{Message: "request timed out: " + ctx.Err().Error()}}}
		}
	}
	c := &sharedRun{done: make(chan struct{})}
	d.calls[key] = c
	d.mu.Unlock()
	defer func() {
		d.mu.Lock()
		delete(d.calls, key)
		d.mu.Unlock()
		close(c.done)
	}()
	c.resp = d.Executor.Execute(ctx, p, vars)
	return c.resp
}
