package server

import (
	"encoding/json"
	"io"
	"net/http"
)

// readiness is the verbose /readyz answer.
type readiness struct {
	// Ready is whether the router serves: a supergraph is loaded.
	Ready bool `json:"ready"`
	// Subgraphs maps each subgraph to the state of its circuit breaker:
	// "closed", "open" or "half-open".
	Subgraphs map[string]string `json:"subgraphs,omitempty"`
}

// serveReady answers /readyz: 200 once a supergraph is loaded, 503 before.
//
// Readiness reflects the router's own state only, as Apollo Router's does: a
// router whose subgraphs are all down still answers every request at once,
// with partial data and errors that say which subgraph failed, and taking it
// out of a load balancer would only turn those answers into connection errors
// (and every replica would drop out together, since they share the
// subgraphs). Subgraph health is reported, not acted on: /readyz?verbose
// answers JSON with each subgraph's circuit breaker state, for dashboards and
// people.
func (s *Server) serveReady(w http.ResponseWriter, r *http.Request) {
	st := s.state.Load()
	status := http.StatusOK
	if st == nil {
		status = http.StatusServiceUnavailable
	}
	if !r.URL.Query().Has("verbose") {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(status)
		if st == nil {
			_, _ = io.WriteString(w, "supergraph not loaded\n")
			return
		}
		_, _ = io.WriteString(w, "ok\n")
		return
	}
	out := readiness{Ready: st != nil}
	if st != nil {
		out.Subgraphs = st.exec.Health()
	}
	body, _ := json.Marshal(out)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(append(body, '\n'))
}
