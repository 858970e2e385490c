package server

import (
	"context"

	"github.com/shopgraph/shopgraph/gateway/authz"
	"github.com/shopgraph/shopgraph/internal/authn"
)

// authorize filters req's operation by the authorization directives of the
// supergraph and the request's verified token: req.Query becomes the filtered
// document, which is what gets planned (and what the plan cache is keyed by),
// and the result says what to write back into the answer (nil: nothing was
// removed).
func (s *Server) authorize(ctx context.Context, st *state, req *gqlRequest) (*authz.Result, error) {
	if st.authz == nil {
		return nil, nil
	}
	var ar authz.Request
	if p, ok := authn.FromContext(ctx); ok && p != nil {
		ar = authz.Request{Authenticated: true, Scopes: p.Scopes, Claims: p.Claims}
	}
	res, err := st.authz.Apply(req.Query, req.OperationName, ar)
	if err != nil || res == nil {
		return nil, err
	}
	s.log.Debug("operation filtered by authorization", "operation", req.OperationName, "removed", len(res.Removed))
	req.Query = res.Query
	return res, nil
}

// completeAuthorized writes the removed fields back into body as nulls with
// their errors.
func (s *Server) completeAuthorized(res *authz.Result, body []byte) []byte {
	if res == nil {
		return body
	}
	out, err := res.Complete(body)
	if err != nil {
		// The body holds only what the request may read; it lacks the nulls.
		s.log.Error("cannot complete an authorization-filtered answer", "err", err)
		return body
	}
	for range res.Removed {
		s.tel.metrics.GraphQLError(authz.Code)
	}
	return out
}
