package server

import (
	"net/http"
	"sync"

	"github.com/vektah/gqlparser/v2/ast"
)

// serveBatch answers a batched POST (a JSON array of requests) with a JSON
// array of their responses in the same order, each run as if sent alone. Every
// item is checked and planned first; then queries run concurrently, while a
// mutation waits for the items before it and runs before any after it starts,
// so mutations take effect in the order sent and later items see them.
//
// The array is answered with 200 whatever the items' outcomes: each item's
// errors are in its own response, and GraphQL over HTTP defines no status for
// a batch. Only a request refused as a whole (not JSON, over maxBatchSize, the
// router not ready) gets an error status.
func (s *Server) serveBatch(w http.ResponseWriter, r *http.Request, media string, reqs []gqlRequest) {
	if s.state.Load() == nil {
		s.writeHTTPError(w, media, errNotLoaded())
		return
	}
	results := make([]result, len(reqs))
	ops := make([]operation, len(reqs))
	ready := make([]bool, len(reqs))
	for i, req := range reqs {
		ops[i], results[i], ready[i] = s.prepare(r, req)
	}
	var wg sync.WaitGroup
	for i, op := range ops {
		switch {
		case !ready[i]:
		case op.plan.Operation.Kind == ast.Mutation:
			wg.Wait()
			results[i] = s.run(r.Context(), op)
		default:
			wg.Go(func() { results[i] = s.run(r.Context(), op) })
		}
	}
	wg.Wait()
	size := 2
	for _, res := range results {
		size += len(res.body) + 1
	}
	body := make([]byte, 0, size)
	body = append(body, '[')
	for i, res := range results {
		if i > 0 {
			body = append(body, ',')
		}
		body = append(body, res.body...)
	}
	body = append(body, ']')
	writeBody(w, media, http.StatusOK, body)
	for _, res := range results {
		s.observeCost(res)
	}
}
