package server

import (
	"context"
	"encoding/json"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/shopgraph/shopgraph/gateway/execute"
	"github.com/shopgraph/shopgraph/gateway/plan"
)

// runKey identifies a client query run: cached plans are shared, so the plan's
// identity stands for the document, operation and @skip/@include values.
// caller holds every header sent to the subgraphs and the verified principal
// (callerKey), so that two callers share a run only when the subgraphs cannot
// tell them apart.
type runKey struct {
	plan     *plan.Plan
	vars     string
	withPlan bool
	caller   string
}

// respond runs p and returns the response body. Identical in-flight queries (the
// same cached plan with the same variables) share one execution and the same
// serialised bytes, which every waiting client writes as they are. The shared
// run is detached from any one client: it goes on while some client waits,
// bounded by the request timeout, and stops when all have gone. Mutations always
// run on their own, and so do queries whose subgraph response headers go to
// their client.
func (s *Server) respond(ctx context.Context, st *state, p *plan.Plan, vars map[string]any, withPlan bool) []byte {
	if st.queries == nil || p.Operation.Kind != ast.Query {
		return s.execute(ctx, st, p, vars, withPlan)
	}
	caller, shared := callerKey(ctx, p)
	if !shared {
		return s.execute(ctx, st, p, vars, withPlan)
	}
	key := runKey{plan: p, withPlan: withPlan, caller: caller}
	if len(vars) > 0 {
		b, err := json.Marshal(vars) // map keys are sorted: equal variables, equal bytes
		if err != nil {
			return s.execute(ctx, st, p, vars, withPlan)
		}
		key.vars = string(b)
	}
	body, _, err := st.queries.Do(ctx, key, func(ctx context.Context) []byte {
		return s.execute(ctx, st, p, vars, withPlan)
	})
	if err != nil {
		resp := execute.Response{Errors: []execute.Error{{Message: "request ended before its response: " + err.Error()}}}
		return resp.AppendJSON(nil)
	}
	return body
}

// execute runs p within the request timeout and serialises the response.
func (s *Server) execute(ctx context.Context, st *state, p *plan.Plan, vars map[string]any, withPlan bool) []byte {
	ctx, cancel := context.WithTimeoutCause(ctx, s.cfg.RequestTimeout, &execute.RequestTimeout{After: s.cfg.RequestTimeout})
	defer cancel()
	resp := st.exec.Execute(ctx, p, vars)
	defer func(resp *execute.Response) { s.memory.after(resp.SubgraphBytes + int64(len(resp.Data))) }(resp)
	if withPlan {
		resp.Extensions = map[string]any{"queryPlan": queryPlanExtension(p)}
	}
	return resp.AppendJSON(nil)
}
