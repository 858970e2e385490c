package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/shopgraph/shopgraph/gateway/authz"
	"github.com/shopgraph/shopgraph/gateway/execute"
	"github.com/shopgraph/shopgraph/gateway/persisted"
	"github.com/shopgraph/shopgraph/gateway/plan"
	"github.com/shopgraph/shopgraph/gateway/playground"
	"github.com/shopgraph/shopgraph/internal/graphqlhttp"
)

const (
	mediaGraphQLResponse = graphqlhttp.MediaGraphQLResponse
	mediaJSON            = graphqlhttp.MediaJSON
)

// Handler returns the router's HTTP handler.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	// The playground, also served at /graphql to a browser that navigates there
	// (its assets then load from beneath /graphql), unless switched off.
	if on(s.cfg.Playground) {
		pg := playground.Handler("/graphql")
		mux.Handle("/playground", pg)
		mux.Handle("/playground/", pg)
		mux.Handle("/graphql/assets/", pg)
		mux.HandleFunc("/graphql", func(w http.ResponseWriter, r *http.Request) {
			if playground.WantsPage(r) {
				pg.ServeHTTP(w, r)
				return
			}
			s.serveGraphQL(w, r)
		})
	} else {
		mux.HandleFunc("/graphql", s.serveGraphQL)
	}
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, "ok\n")
	})
	mux.HandleFunc("/readyz", s.serveReady)
	mux.Handle("/metrics", s.tel.metricsHandler())
	return s.tel.wrap(s.recoverer(mux), s)
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

// negotiate picks the response media type from Accept by preference
// (q-values): application/graphql-response+json when the client prefers it
// or likes both equally, application/json when it prefers that, sends
// */* or application/* (the spec's SHOULD), or sends no Accept. ok is false
// when Accept accepts neither type (406).
func negotiate(accept string) (media string, ok bool) { return graphqlhttp.Negotiate(accept) }

// allowedMethods is the Allow header of /graphql.
const allowedMethods = "GET, POST, OPTIONS"

// serveGraphQL serves /graphql. Each step may answer the request itself:
//  1. CORS (cors.go): a preflight is answered; other requests get CORS headers.
//  2. The response media type from Accept (406 when neither JSON type is).
//  3. The method (405 unless GET or POST) and a POST's Content-Type (415),
//     then CSRF prevention (csrf.go, 400).
//  4. decodeHTTPRequest (request.go): the GET query string or the POST body
//     (413, 400), one request or a batch.
//  5. prepare and run for the request (serveDeferred, defer.go, when it
//     uses @defer), or serveBatch (batch.go) for a batch.
func (s *Server) serveGraphQL(w http.ResponseWriter, r *http.Request) {
	if s.cfg.CORS.serve(w, r, s.cfg.CSRF) {
		return
	}
	if s.serveStreaming(w, r) {
		return // a WebSocket, SSE or multipart subscription (subscribe*.go)
	}
	media, ok := negotiate(r.Header.Get("Accept"))
	multipart := acceptsMultipart(r.Header.Get("Accept")) // for @defer (defer.go)
	if !ok && !multipart {
		s.writeHTTPError(w, media, &httpError{status: http.StatusNotAcceptable, code: codeBadRequest,
			message: "the Accept header accepts neither application/graphql-response+json nor application/json"})
		return
	}
	switch r.Method {
	case http.MethodGet:
	case http.MethodPost:
		// Before CSRF prevention: a form or text POST is refused whatever its
		// headers, with the status that says why.
		if herr := checkContentType(r.Header.Get("Content-Type")); herr != nil {
			s.writeHTTPError(w, media, herr)
			return
		}
	case http.MethodOptions:
		w.Header().Set("Allow", allowedMethods)
		w.WriteHeader(http.StatusNoContent)
		return
	default:
		s.writeHTTPError(w, media, &httpError{status: http.StatusMethodNotAllowed, allow: allowedMethods, code: codeBadRequest,
			message: "method " + r.Method + " is not allowed: use GET or POST (GET for queries only)"})
		return
	}
	if herr := s.checkCSRF(r); herr != nil {
		s.writeHTTPError(w, media, herr)
		return
	}
	if w, r, ok = s.authenticate(w, r, media); !ok {
		return
	}
	reqs, batched, herr := s.decodeHTTPRequest(w, r)
	if herr != nil {
		s.writeHTTPError(w, media, herr)
		return
	}
	if batched {
		s.serveBatch(w, r, media, reqs)
		return
	}
	op, res, ok := s.prepare(r, reqs[0])
	if ok && op.plan.Operation.HasDefer() {
		s.serveDeferred(w, r, media, multipart, op)
		return
	}
	if ok {
		res = s.run(r.Context(), op)
	}
	s.writeResult(w, media, res)
	s.observeCost(res)
}

// result is one GraphQL response and the HTTP status it calls for.
type result struct {
	body []byte
	// status is the HTTP status under application/graphql-response+json.
	// Under application/json a GraphQL response is 200 (the spec's SHOULD for
	// well-formed requests) unless httpLevel.
	status    int
	httpLevel bool   // status holds under application/json too (400 for a malformed request, 405, 503)
	allow     string // the Allow header of a 405
	noCache   bool   // Cache-Control: no-cache (a persisted query to register first)
	// ran is the operation that produced body, whose cost is measured once
	// the response is written (demand.go); nil when none ran.
	ran *operation
}

// persistedError is the response of a request whose persisted query cannot run.
func persistedError(err error) result {
	var pe *persisted.Error
	if !errors.As(err, &pe) {
		// The request's context ended during a lookup.
		return errorResult(&httpError{status: http.StatusServiceUnavailable, code: "SERVICE_UNAVAILABLE", message: "persisted query lookup: " + err.Error()})
	}
	return result{
		body:      (&execute.Response{Errors: []execute.Error{requestError(pe.Message, pe.Code)}}).AppendJSON(nil),
		status:    pe.Status,
		httpLevel: true,
		noCache:   pe.NoCache,
	}
}

func errorResult(herr *httpError) result {
	return result{
		body:      (&execute.Response{Errors: []execute.Error{requestError(herr.message, herr.code)}}).AppendJSON(nil),
		status:    herr.status,
		httpLevel: true,
		allow:     herr.allow,
	}
}

// operation is a request ready to run.
type operation struct {
	st       *state
	plan     *plan.Plan
	vars     map[string]any
	withPlan bool
	// authz, when set, holds what authorization removed (authz.go).
	authz *authz.Result
	// query (resolved from a persisted query) and operationName find the
	// operation's document again to measure its cost.
	query, operationName string
}

// prepare checks and plans one request; when it cannot run, ok is false and
// res is its error response.
func (s *Server) prepare(r *http.Request, req gqlRequest) (op operation, res result, ok bool) {
	if req.err != nil {
		return op, errorResult(req.err), false
	}
	query, err := s.persisted.Resolve(r.Context(), persisted.Request{Query: req.Query, Extensions: req.Extensions, DocumentID: req.DocumentID})
	if err != nil {
		return op, persistedError(err), false
	}
	req.Query = query
	if strings.TrimSpace(req.Query) == "" {
		return op, errorResult(badRequest("the request has no query")), false
	}
	st := s.state.Load()
	if st == nil {
		return op, errorResult(errNotLoaded()), false
	}
	az, err := s.authorize(r.Context(), st, &req)
	if err != nil {
		return op, errorResult(badRequest("%s", err.Error())), false
	}
	p, vars, res, ok := s.plan(st, req)
	if !ok {
		return op, res, false
	}
	// The kind is known once the document is parsed and validated (by the
	// planner), so an invalid mutation sent with GET gets its validation
	// error rather than 405.
	if herr := checkSubscriptionTransport(r, p.Operation.Kind); herr != nil {
		return op, errorResult(herr), false
	}
	// An EventSource can only GET: a subscription may come that way when
	// its events stream back.
	if r.Method == http.MethodGet && p.Operation.Kind != ast.Query && !(p.Operation.Kind == ast.Subscription && streaming(r)) {
		return op, errorResult(&httpError{status: http.StatusMethodNotAllowed, allow: http.MethodPost, code: codeBadRequest,
			message: "a " + string(p.Operation.Kind) + " cannot be sent with GET: use POST"}), false
	}
	return operation{st: st, plan: p, vars: vars, withPlan: wantsQueryPlan(r, req.Extensions), authz: az, query: req.Query, operationName: req.OperationName}, result{}, true
}

// run executes a prepared operation.
func (s *Server) run(ctx context.Context, op operation) result {
	body := s.completeAuthorized(op.authz, s.respond(ctx, op.st, op.plan, op.vars, op.withPlan))
	return result{body: body, status: http.StatusOK, ran: &op}
}

// errNotLoaded answers requests until a supergraph is loaded.
func errNotLoaded() *httpError {
	return &httpError{status: http.StatusServiceUnavailable, code: "SERVICE_UNAVAILABLE",
		message: "the router is starting: the supergraph is not loaded yet (waiting for subgraphs)"}
}

// plan plans req; when it cannot, ok is false and res is the error response:
// 400 under application/graphql-response+json for parse, validation, variable
// and limit errors, 500 when the supergraph cannot serve a valid operation.
func (s *Server) plan(st *state, req gqlRequest) (p *plan.Plan, vars map[string]any, res result, ok bool) {
	p, vars, err := st.planner.Plan(req.Query, req.OperationName, req.Variables)
	if err == nil {
		return p, vars, result{}, true
	}
	var re *plan.RequestError
	if errors.As(err, &re) {
		resp := execute.Response{Errors: fromGQLErrors(re)}
		for _, e := range resp.Errors {
			code, _ := e.Extensions["code"].(string)
			s.tel.metrics.GraphQLError(code)
			if limit, ok := e.Extensions["limit"].(string); ok && re.Phase == "limit" {
				s.tel.metrics.Refused(limit)
			}
		}
		return nil, nil, result{body: resp.AppendJSON(nil), status: http.StatusBadRequest}, false
	}
	s.log.Warn("cannot plan operation", "err", err, "operation", req.OperationName)
	s.tel.metrics.GraphQLError("QUERY_PLANNING_FAILED")
	resp := execute.Response{Errors: []execute.Error{requestError(err.Error(), "QUERY_PLANNING_FAILED")}}
	return nil, nil, result{body: resp.AppendJSON(nil), status: http.StatusInternalServerError}, false
}

// writeResult writes one response with the status its media type calls for.
func (s *Server) writeResult(w http.ResponseWriter, media string, res result) {
	status := res.status
	if media == mediaJSON && !res.httpLevel {
		status = http.StatusOK
	}
	if res.allow != "" {
		w.Header().Set("Allow", res.allow)
	}
	if res.noCache {
		w.Header().Set("Cache-Control", persisted.NoCacheValue)
	}
	writeBody(w, media, status, res.body)
}

func (s *Server) writeHTTPError(w http.ResponseWriter, media string, herr *httpError) {
	s.writeResult(w, media, errorResult(herr))
}

func writeBody(w http.ResponseWriter, media string, status int, body []byte) {
	h := w.Header()
	h.Set("Content-Type", media+"; charset=utf-8")
	// A known length spares chunked encoding and its final write.
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func requestError(msg string, code string) execute.Error {
	return execute.Error{Message: msg, Extensions: map[string]any{"code": code}}
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
