package gqlserve

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/shopgraph/shopgraph/internal/graphqlhttp"
)

// GraphQL over HTTP media types.
const (
	mediaGraphQLResponse = graphqlhttp.MediaGraphQLResponse
	mediaJSON            = graphqlhttp.MediaJSON
)

// maxBodyBytes bounds a request body. The router's _entities requests carry
// every representation of a plan step, so the bound is generous.
const maxBodyBytes = 32 << 20

// allowedMethods is the Allow header of a 405.
const allowedMethods = "GET, POST"

// transport serves GraphQL over HTTP as its spec says, in place of gqlgen's
// GET and POST transports, which answer 422 for parse and validation errors
// under application/json, write "data": null on errors that come before
// execution, and answer a mutation sent with GET with 406:
//   - POST with Content-Type application/json (UTF-8) only, else 415; GET for
//     queries only (a mutation gets 405 with Allow: POST); other methods 405.
//   - application/graphql-response+json when the client prefers it, else
//     application/json; 406 when Accept accepts neither.
//   - A malformed request (bad JSON, query not a string, variables or
//     extensions not an object, no query) gets 400 and an error naming the
//     member. A request that fails parsing, validation or variable coercion
//     gets 400 under application/graphql-response+json and 200 under
//     application/json, without "data"; an executed one 200 with "data".
//
// It answers every request but WebSocket upgrades, so that wrong methods and
// media types get these errors rather than gqlgen's "transport not supported".
type transport struct{}

var _ graphql.Transport = transport{}

// Supports claims every plain HTTP request.
func (transport) Supports(r *http.Request) bool { return r.Header.Get("Upgrade") == "" }

// Do serves one request.
func (transport) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	media, ok := graphqlhttp.Negotiate(r.Header.Get("Accept"))
	if !ok {
		writeError(w, media, http.StatusNotAcceptable, "the Accept header accepts neither application/graphql-response+json nor application/json")
		return
	}
	start := graphql.Now()
	var params *graphql.RawParams
	var err error
	switch r.Method {
	case http.MethodGet:
		params, err = decodeQueryString(r.URL.RawQuery)
	case http.MethodPost:
		if msg := graphqlhttp.CheckContentType(r.Header.Get("Content-Type")); msg != "" {
			writeError(w, media, http.StatusUnsupportedMediaType, msg)
			return
		}
		params, err = decodeBody(w, r)
	default:
		w.Header().Set("Allow", allowedMethods)
		writeError(w, media, http.StatusMethodNotAllowed, "method "+r.Method+" is not allowed: use GET or POST (GET for queries only)")
		return
	}
	if err != nil {
		status := http.StatusBadRequest
		if mbe := (*http.MaxBytesError)(nil); errors.As(err, &mbe) {
			status = http.StatusRequestEntityTooLarge
		}
		writeError(w, media, status, err.Error())
		return
	}
	if strings.TrimSpace(params.Query) == "" {
		writeError(w, media, http.StatusBadRequest, "the request has no query")
		return
	}
	params.Headers = r.Header
	params.ReadTime = graphql.TraceTiming{Start: start, End: graphql.Now()}

	ctx := r.Context()
	opCtx, gqlErrs := exec.CreateOperationContext(ctx, params)
	if gqlErrs != nil {
		// Nothing ran: no data, and the status says so where the media type
		// lets it.
		resp := exec.DispatchError(graphql.WithOperationContext(ctx, opCtx), gqlErrs)
		status := http.StatusOK
		if media == mediaGraphQLResponse {
			status = http.StatusBadRequest
		}
		writeResponse(w, media, status, resp, false)
		return
	}
	if r.Method == http.MethodGet && opCtx.Operation.Operation != ast.Query {
		w.Header().Set("Allow", http.MethodPost)
		writeError(w, media, http.StatusMethodNotAllowed, "a "+string(opCtx.Operation.Operation)+" cannot be sent with GET: use POST")
		return
	}
	responses, ctx := exec.DispatchOperation(ctx, opCtx)
	writeResponse(w, media, http.StatusOK, responses(ctx), true)
}

// response is graphql.Response as GraphQL over HTTP writes it: "data" only
// when execution started.
type response struct {
	Data       json.RawMessage `json:"data,omitempty"`
	Errors     gqlerror.List   `json:"errors,omitempty"`
	Extensions map[string]any  `json:"extensions,omitempty"`
}

func writeResponse(w http.ResponseWriter, media string, status int, resp *graphql.Response, executed bool) {
	out := response{Errors: resp.Errors, Extensions: resp.Extensions}
	if executed {
		out.Data = resp.Data
		if len(out.Data) == 0 {
			out.Data = json.RawMessage("null")
		}
	}
	body, err := json.Marshal(out)
	if err != nil {
		status = http.StatusInternalServerError
		body = []byte(`{"errors":[{"message":"internal error encoding the response"}]}`)
	}
	h := w.Header()
	h.Set("Content-Type", media+"; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// writeError answers a request refused before GraphQL saw it.
func writeError(w http.ResponseWriter, media string, status int, message string) {
	resp := &graphql.Response{Errors: gqlerror.List{{Message: message, Extensions: map[string]any{"code": "BAD_REQUEST"}}}}
	writeResponse(w, media, status, resp, false)
}

// decodeBody reads a POST body: one JSON object. Subgraphs take no batches:
// the router sends one request at a time.
func decodeBody(w http.ResponseWriter, r *http.Request) (*graphql.RawParams, error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	if err != nil {
		if mbe := (*http.MaxBytesError)(nil); errors.As(err, &mbe) {
			return nil, fmt.Errorf("request body larger than %d bytes: %w", maxBodyBytes, err)
		}
		return nil, fmt.Errorf("cannot read the request body: %w", err)
	}
	body = bytes.TrimSpace(body)
	switch {
	case len(body) == 0:
		return nil, errors.New(`the POST body is empty: send a JSON object such as {"query": "{ __typename }"}`)
	case !json.Valid(body):
		var x any
		return nil, fmt.Errorf("invalid JSON body: %s", graphqlhttp.JSONErrorText(json.Unmarshal(body, &x)))
	case body[0] == '[':
		return nil, errors.New("batched requests (a JSON array) are not supported: send one request per POST")
	case body[0] != '{':
		return nil, fmt.Errorf("the body must be a JSON object with a \"query\", got %s", graphqlhttp.JSONKind(body))
	}
	var members map[string]json.RawMessage
	if err := json.Unmarshal(body, &members); err != nil {
		return nil, fmt.Errorf("invalid JSON body: %s", graphqlhttp.JSONErrorText(err))
	}
	p := &graphql.RawParams{}
	errs := []error{
		stringParam(members, "query", &p.Query),
		stringParam(members, "operationName", &p.OperationName),
		objectParam(members["variables"], "variables", &p.Variables),
		objectParam(members["extensions"], "extensions", &p.Extensions),
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return p, nil
}

// decodeQueryString reads a GET's parameters: query and operationName as
// they are, variables and extensions as JSON objects.
func decodeQueryString(rawQuery string) (*graphql.RawParams, error) {
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		return nil, fmt.Errorf("cannot parse the URL query string: %w", err)
	}
	p := &graphql.RawParams{Query: q.Get("query"), OperationName: q.Get("operationName")}
	for name, dst := range map[string]*map[string]any{"variables": &p.Variables, "extensions": &p.Extensions} {
		v := strings.TrimSpace(q.Get(name))
		if v == "" {
			continue
		}
		if !json.Valid([]byte(v)) {
			var x any
			return nil, fmt.Errorf("the %q URL parameter is not valid JSON: %s", name, graphqlhttp.JSONErrorText(json.Unmarshal([]byte(v), &x)))
		}
		if err := objectParam(json.RawMessage(v), name, dst); err != nil {
			return nil, err
		}
	}
	return p, nil
}

func stringParam(members map[string]json.RawMessage, name string, dst *string) error {
	raw, ok := members[name]
	if !ok || graphqlhttp.JSONKind(raw) == "null" {
		return nil
	}
	if raw[0] != '"' || json.Unmarshal(raw, dst) != nil {
		return fmt.Errorf("%q must be a string, got %s", name, graphqlhttp.JSONKind(raw))
	}
	return nil
}

// objectParam decodes variables or extensions: a JSON object, absent or null.
// Numbers stay json.Number, which gqlgen's scalars expect.
func objectParam(raw json.RawMessage, name string, dst *map[string]any) error {
	if len(raw) == 0 || graphqlhttp.JSONKind(raw) == "null" {
		return nil
	}
	if raw[0] != '{' {
		return fmt.Errorf("%q must be a JSON object, got %s", name, graphqlhttp.JSONKind(raw))
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(dst); err != nil {
		return fmt.Errorf("%q: invalid JSON: %s", name, graphqlhttp.JSONErrorText(err))
	}
	return nil
}
