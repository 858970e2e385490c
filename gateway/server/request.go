package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"unicode/utf8"

	"github.com/shopgraph/shopgraph/gateway/execute"
	"github.com/shopgraph/shopgraph/internal/graphqlhttp"
)

// Error codes of requests refused before GraphQL sees them.
const (
	codeBadRequest         = "BAD_REQUEST"
	codeCSRF               = "CSRF_ERROR"
	codeBatchingOff        = "BATCHING_NOT_ENABLED"
	codeBatchLimitExceeded = "BATCH_LIMIT_EXCEEDED"
)

// httpError is a request refused at the HTTP level: its status holds whatever
// the response's media type.
type httpError struct {
	status  int
	allow   string // the Allow header of a 405
	code    string
	message string
}

func badRequest(format string, args ...any) *httpError {
	return &httpError{status: http.StatusBadRequest, code: codeBadRequest, message: fmt.Sprintf(format, args...)}
}

// gqlRequest is one GraphQL-over-HTTP request: a POST body, one item of a
// batched POST, or a GET's query string.
type gqlRequest struct {
	Query         string
	OperationName string
	Variables     map[string]any
	// Extensions is the request's extensions object as JSON (nil when absent
	// or null; always an object otherwise).
	Extensions json.RawMessage
	// DocumentID names a trusted document (the "documentId" member or URL
	// parameter) to run instead of a query text.
	DocumentID string
	// err is set on a batch item that cannot be decoded; the item's response
	// is this error while the others run.
	err *httpError
}

// decodeHTTPRequest reads the GraphQL requests of r: one from a GET's query
// string, one or a batch (a JSON array) from a POST's application/json body.
// The method, Content-Type and CSRF checks come before it.
func (s *Server) decodeHTTPRequest(w http.ResponseWriter, r *http.Request) ([]gqlRequest, bool, *httpError) {
	if r.Method == http.MethodGet {
		req, herr := decodeQueryString(r.URL.RawQuery)
		if herr != nil {
			return nil, false, herr
		}
		return []gqlRequest{req}, false, nil
	}
	body, err := readBody(w, r, s.cfg.MaxBodyBytes)
	if err != nil {
		if mbe := (*http.MaxBytesError)(nil); errors.As(err, &mbe) {
			return nil, false, &httpError{status: http.StatusRequestEntityTooLarge, code: codeBadRequest,
				message: fmt.Sprintf("request body larger than %d bytes (maxBodyBytes)", s.cfg.MaxBodyBytes)}
		}
		return nil, false, badRequest("cannot read the request body: %v", err)
	}
	reqs, batched, herr := decodeBody(body)
	if herr != nil {
		return nil, false, herr
	}
	if batched {
		switch {
		case s.cfg.MaxBatchSize < 0:
			return nil, false, &httpError{status: http.StatusBadRequest, code: codeBatchingOff,
				message: "batched requests (a JSON array) are not enabled on this router (maxBatchSize is negative); send one request per POST"}
		case len(reqs) > s.cfg.MaxBatchSize:
			return nil, false, &httpError{status: http.StatusBadRequest, code: codeBatchLimitExceeded,
				message: fmt.Sprintf("the batch has %d requests, more than the limit of %d (maxBatchSize)", len(reqs), s.cfg.MaxBatchSize)}
		}
	}
	return reqs, batched, nil
}

// checkContentType accepts application/json in UTF-8, the one request media
// type GraphQL over HTTP requires. Form and text bodies are refused: they are
// what a browser posts cross-origin without a preflight.
func checkContentType(ct string) *httpError {
	if why := graphqlhttp.CheckContentType(ct); why != "" {
		return &httpError{status: http.StatusUnsupportedMediaType, code: codeBadRequest, message: why}
	}
	return nil
}

// readBody reads a request body of at most limit bytes into one buffer sized by
// Content-Length when the client sent it.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	size := int64(512)
	if r.ContentLength > 0 {
		size = min(r.ContentLength, limit) + 1 // +1: EOF without growing
	}
	buf := make([]byte, 0, size)
	body := http.MaxBytesReader(w, r.Body, limit)
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := body.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// decodeBody decodes a POST body: a request object, or an array of them (a
// batch, then batched is true). A batch item that is not a valid request gets
// its own error in err; a body that is not JSON, or neither an object nor an
// array, is an error of the whole request.
//
// The common request (query and operationName strings, no variables or
// extensions) is read by the router's own JSON parser; everything else goes
// through encoding/json.
func decodeBody(body []byte) (reqs []gqlRequest, batched bool, herr *httpError) {
	if req, ok := decodeSimple(body); ok {
		return []gqlRequest{req}, false, nil
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, false, badRequest("the POST body is empty: send a JSON object such as {\"query\": \"{ __typename }\"}")
	}
	var top json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil {
		return nil, false, badRequest("invalid JSON body: %s", graphqlhttp.JSONErrorText(err))
	}
	switch top[0] {
	case '{':
		req, herr := decodeObject(top, "")
		return []gqlRequest{req}, false, herr
	case '[':
		var items []json.RawMessage
		if err := json.Unmarshal(top, &items); err != nil {
			return nil, false, badRequest("invalid JSON body: %s", graphqlhttp.JSONErrorText(err))
		}
		if len(items) == 0 {
			return nil, false, badRequest("the batch (a JSON array) is empty: send at least one request")
		}
		reqs = make([]gqlRequest, len(items))
		for i, item := range items {
			reqs[i], reqs[i].err = decodeObject(item, fmt.Sprintf("batch item %d: ", i))
		}
		return reqs, true, nil
	}
	return nil, false, badRequest("the body must be a JSON object with a \"query\" (or an array of them, a batch), got %s", graphqlhttp.JSONKind(top))
}

// decodeSimple is the fast path of decodeBody: it succeeds only on an object
// whose members are query and operationName strings, nulls and an empty
// variables object, and then decodes it exactly as decodeObject would.
func decodeSimple(body []byte) (gqlRequest, bool) {
	var req gqlRequest
	v, err := execute.ParseJSON(body)
	if err != nil || v.Kind != execute.Object {
		return req, false
	}
	for _, m := range v.Fields() {
		switch {
		case m.Value.Kind == execute.Null && (m.Key == "query" || m.Key == "operationName" || m.Key == "variables" || m.Key == "extensions"):
			switch m.Key {
			case "query":
				req.Query = ""
			case "operationName":
				req.OperationName = ""
			}
		// Invalid UTF-8 goes to encoding/json, which turns it into U+FFFD.
		case m.Key == "query" && m.Value.Kind == execute.String && utf8.ValidString(m.Value.Str()):
			req.Query = m.Value.Str()
		case m.Key == "operationName" && m.Value.Kind == execute.String && utf8.ValidString(m.Value.Str()):
			req.OperationName = m.Value.Str()
		case m.Key == "variables" && m.Value.Kind == execute.Object && len(m.Value.Fields()) == 0:
		default:
			return gqlRequest{}, false
		}
	}
	return req, true
}

// decodeObject decodes one request object; where prefixes its errors (the
// batch item). Member names are matched exactly, as the spec names them.
func decodeObject(raw json.RawMessage, where string) (gqlRequest, *httpError) {
	var req gqlRequest
	if len(raw) == 0 || raw[0] != '{' {
		return req, badRequest("%sa request must be a JSON object with a \"query\", got %s", where, graphqlhttp.JSONKind(raw))
	}
	var members map[string]json.RawMessage
	if err := json.Unmarshal(raw, &members); err != nil {
		return req, badRequest("%sinvalid JSON: %s", where, graphqlhttp.JSONErrorText(err))
	}
	var herrs [5]*httpError
	req.DocumentID, herrs[4] = stringParam(members, "documentId", where)
	req.Query, herrs[0] = stringParam(members, "query", where)
	req.OperationName, herrs[1] = stringParam(members, "operationName", where)
	req.Variables, herrs[2] = objectParam(members["variables"], "variables", where)
	req.Extensions, herrs[3] = rawObjectParam(members["extensions"], "extensions", where)
	for _, herr := range herrs {
		if herr != nil {
			return gqlRequest{}, herr
		}
	}
	return req, nil
}

func stringParam(members map[string]json.RawMessage, name, where string) (string, *httpError) {
	raw, ok := members[name]
	if !ok || graphqlhttp.JSONKind(raw) == "null" {
		return "", nil
	}
	var s string
	if raw[0] != '"' || json.Unmarshal(raw, &s) != nil {
		return "", badRequest("%s%q must be a string, got %s", where, name, graphqlhttp.JSONKind(raw))
	}
	return s, nil
}

// rawObjectParam checks that raw is a JSON object, absent or null, and
// returns the object (or nil).
func rawObjectParam(raw json.RawMessage, name, where string) (json.RawMessage, *httpError) {
	if len(raw) == 0 || graphqlhttp.JSONKind(raw) == "null" {
		return nil, nil
	}
	if raw[0] != '{' {
		return nil, badRequest("%s%q must be a JSON object, got %s", where, name, graphqlhttp.JSONKind(raw))
	}
	return raw, nil
}

// objectParam decodes variables or extensions: a JSON object, absent or null.
// Numbers become float64, as encoding/json decodes them into an any.
func objectParam(raw json.RawMessage, name, where string) (map[string]any, *httpError) {
	if len(raw) == 0 || graphqlhttp.JSONKind(raw) == "null" {
		return nil, nil
	}
	if raw[0] != '{' {
		return nil, badRequest("%s%q must be a JSON object, got %s", where, name, graphqlhttp.JSONKind(raw))
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, badRequest("%s%q: invalid JSON: %s", where, name, graphqlhttp.JSONErrorText(err))
	}
	if err := toFloats(m); err != nil {
		return nil, badRequest("%s%q: %v", where, name, err)
	}
	if len(m) == 0 {
		return nil, nil // as absent: nothing to coerce
	}
	return m, nil
}

// toFloats turns the json.Numbers of v into float64 in place, refusing a
// number that no float64 holds (encoding/json's own error for it names Go
// types).
func toFloats(v any) error {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if n, ok := x.(json.Number); ok {
				f, err := strconv.ParseFloat(string(n), 64)
				if err != nil {
					return fmt.Errorf("the number %s at %q is out of range", n, k)
				}
				v[k] = f
				continue
			}
			if err := toFloats(x); err != nil {
				return err
			}
		}
	case []any:
		for i, x := range v {
			if n, ok := x.(json.Number); ok {
				f, err := strconv.ParseFloat(string(n), 64)
				if err != nil {
					return fmt.Errorf("the number %s at index %d is out of range", n, i)
				}
				v[i] = f
				continue
			}
			if err := toFloats(x); err != nil {
				return err
			}
		}
	}
	return nil
}

// decodeQueryString reads a GET request's parameters: query and
// operationName as they are, variables and extensions as JSON objects.
func decodeQueryString(rawQuery string) (gqlRequest, *httpError) {
	var req gqlRequest
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		return req, badRequest("cannot parse the URL query string: %v", err)
	}
	req.Query = q.Get("query")
	req.OperationName = q.Get("operationName")
	req.DocumentID = q.Get("documentId")
	for _, name := range []string{"variables", "extensions"} {
		v := q.Get(name)
		if v == "" {
			continue
		}
		raw := json.RawMessage(bytes.TrimSpace([]byte(v)))
		if !json.Valid(raw) {
			var x any
			err := json.Unmarshal(raw, &x)
			return req, badRequest("the %q URL parameter is not valid JSON: %s", name, graphqlhttp.JSONErrorText(err))
		}
		var herr *httpError
		if name == "variables" {
			req.Variables, herr = objectParam(raw, name, "the URL parameter ")
		} else {
			req.Extensions, herr = rawObjectParam(raw, name, "the URL parameter ")
		}
		if herr != nil {
			return req, herr
		}
	}
	return req, nil
}
