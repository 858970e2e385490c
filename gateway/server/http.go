package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/shopgraph/shopgraph/gateway/execute"
	"github.com/shopgraph/shopgraph/gateway/plan"
)

const (
	mediaGraphQLResponse = "application/graphql-response+json"
	mediaJSON            = "application/json"
)

// Handler returns the router's HTTP handler.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/graphql", s.serveGraphQL)
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, "ok\n")
	})
	mux.HandleFunc("/readyz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if !s.Ready() {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = io.WriteString(w, "supergraph not loaded\n")
			return
		}
		_, _ = io.WriteString(w, "ok\n")
	})
	return s.recoverer(mux)
}

func (s *Server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("panic serving request", "path", r.URL.Path, "panic", fmt.Sprint(v))
				http.Error(w, "internal error", http.StatusInternalServerError)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

type gqlRequest struct {
	Query         string          `json:"query"`
	OperationName string          `json:"operationName"`
	Variables     map[string]any  `json:"variables"`
	Extensions    json.RawMessage `json:"extensions"`
}

// negotiate picks the response media type from Accept: graphql-response+json when
// accepted, else application/json (also for clients that send no Accept at all).
func negotiate(accept string) string {
	if accept == "" {
		return mediaJSON
	}
	json := false
	for _, part := range strings.Split(accept, ",") {
		mt, _, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		switch mt {
		case mediaGraphQLResponse:
			return mediaGraphQLResponse
		case mediaJSON, "*/*", "application/*":
			json = true
		}
	}
	if json {
		return mediaJSON
	}
	return mediaGraphQLResponse
}

func (s *Server) writeErrors(w http.ResponseWriter, media string, status int, errs ...execute.Error) {
	resp := execute.Response{Errors: errs}
	w.Header().Set("Content-Type", media+"; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(resp.AppendJSON(nil))
}

func requestError(msg string, code string) execute.Error {
	return execute.Error{Message: msg, Extensions: map[string]any{"code": code}}
}

func (s *Server) serveGraphQL(w http.ResponseWriter, r *http.Request) {
	media := negotiate(r.Header.Get("Accept"))
	var req gqlRequest
	switch r.Method {
	case http.MethodPost:
		ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if ct != "" && ct != mediaJSON {
			s.writeErrors(w, media, http.StatusUnsupportedMediaType, requestError("unsupported Content-Type "+ct+": send application/json", "BAD_REQUEST"))
			return
		}
		body, err := readBody(w, r, s.cfg.MaxBodyBytes)
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				s.writeErrors(w, media, http.StatusRequestEntityTooLarge, requestError(fmt.Sprintf("request body larger than %d bytes", s.cfg.MaxBodyBytes), "BAD_REQUEST"))
				return
			}
			s.writeErrors(w, media, http.StatusBadRequest, requestError("cannot read request body: "+err.Error(), "BAD_REQUEST"))
			return
		}
		if err := decodeRequest(body, &req); err != nil {
			s.writeErrors(w, media, http.StatusBadRequest, requestError("invalid JSON body: "+err.Error(), "BAD_REQUEST"))
			return
		}
	case http.MethodGet:
		q := r.URL.Query()
		req.Query = q.Get("query")
		req.OperationName = q.Get("operationName")
		if v := q.Get("variables"); v != "" {
			if err := json.Unmarshal([]byte(v), &req.Variables); err != nil {
				s.writeErrors(w, media, http.StatusBadRequest, requestError("invalid JSON in variables: "+err.Error(), "BAD_REQUEST"))
				return
			}
		}
	default:
		w.Header().Set("Allow", "GET, POST")
		s.writeErrors(w, media, http.StatusMethodNotAllowed, requestError("use GET or POST", "BAD_REQUEST"))
		return
	}
	if strings.TrimSpace(req.Query) == "" {
		s.writeErrors(w, media, http.StatusBadRequest, requestError("the request has no query", "BAD_REQUEST"))
		return
	}
	st := s.state.Load()
	if st == nil {
		s.writeErrors(w, media, http.StatusServiceUnavailable, requestError("the router is starting: the supergraph is not loaded yet (waiting for subgraphs)", "SERVICE_UNAVAILABLE"))
		return
	}
	p, vars, err := st.planner.Plan(req.Query, req.OperationName, req.Variables)
	if err != nil {
		var re *plan.RequestError
		if errors.As(err, &re) {
			status := http.StatusOK
			if media == mediaGraphQLResponse {
				status = http.StatusBadRequest
			}
			s.writeErrors(w, media, status, fromGQLErrors(re)...)
			return
		}
		s.log.Warn("cannot plan operation", "err", err, "operation", req.OperationName)
		status := http.StatusOK
		if media == mediaGraphQLResponse {
			status = http.StatusInternalServerError
		}
		s.writeErrors(w, media, status, requestError(err.Error(), "QUERY_PLANNING_FAILED"))
		return
	}
	if r.Method == http.MethodGet && p.Operation.Kind != ast.Query {
		w.Header().Set("Allow", "POST")
		s.writeErrors(w, media, http.StatusMethodNotAllowed, requestError("mutations must use POST", "BAD_REQUEST"))
		return
	}
	body := s.respond(r.Context(), st, p, vars, wantsQueryPlan(r, req.Extensions))
	h := w.Header()
	h.Set("Content-Type", media+"; charset=utf-8")
	// A known length spares chunked encoding and its final write.
	h.Set("Content-Length", strconv.Itoa(len(body)))
	_, _ = w.Write(body)
}

func fromGQLErrors(re *plan.RequestError) []execute.Error {
	code := map[string]string{"parse": "GRAPHQL_PARSE_FAILED", "variables": "BAD_USER_INPUT"}[re.Phase]
	if code == "" {
		code = "GRAPHQL_VALIDATION_FAILED"
	}
	out := make([]execute.Error, 0, len(re.Errors))
	for _, e := range re.Errors {
		ee := execute.Error{Message: e.Message, Extensions: map[string]any{"code": code}}
		for _, l := range e.Locations {
			ee.Locations = append(ee.Locations, execute.Location{Line: l.Line, Column: l.Column})
		}
		for k, v := range e.Extensions {
			ee.Extensions[k] = v
		}
		out = append(out, ee)
	}
	return out
}
