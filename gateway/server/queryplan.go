package server

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/shopgraph/shopgraph/gateway/plan"
)

// QueryPlanHeader asks for the query plan in the response's extensions (as the
// playground does); a request's "extensions": {"queryPlan": true} does the same.
const QueryPlanHeader = "X-Shopgraph-Query-Plan"

// wantsQueryPlan reports whether the client opted in to extensions.queryPlan.
func wantsQueryPlan(r *http.Request, ext json.RawMessage) bool {
	if v := r.Header.Get(QueryPlanHeader); v != "" {
		return strings.EqualFold(v, "true") || v == "1"
	}
	if len(ext) == 0 {
		return false
	}
	var e struct {
		QueryPlan bool `json:"queryPlan"`
	}
	return json.Unmarshal(ext, &e) == nil && e.QueryPlan
}

// queryPlanExtension is extensions.queryPlan: the plan's readable text and its
// tree as JSON.
func queryPlanExtension(p *plan.Plan) map[string]any {
	return map[string]any{"text": p.String(), "object": p.Tree()}
}
