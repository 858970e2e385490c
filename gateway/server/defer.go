package server

import (
	"context"
	"fmt"
	"mime"
	"net/http"
	"strings"

	"github.com/shopgraph/shopgraph/gateway/execute"
)

// Incremental delivery (@defer) over HTTP, as Apollo Router serves it: a
// client that accepts multipart/mixed gets the payloads of
// execute.ExecuteIncremental as the parts of a multipart/mixed response
// (boundary "-", deferSpec=20220824), each written and flushed as soon as it
// is made; a client that does not gets 406, with a message that says which
// Accept header to send.

// MediaMultipartDefer is the Content-Type of an incremental response.
const MediaMultipartDefer = `multipart/mixed; boundary="-"; deferSpec=20220824`

// As Apollo Router writes them, each payload ends with the delimiter after
// it, so that a client can read it before the next one is made: the first
// starts with a delimiter line, the others start with their part header.
const (
	firstDelimiter = "\r\n---\r\n"
	partHeader     = "Content-Type: application/json; charset=utf-8\r\n\r\n"
	nextDelimiter  = "\r\n---\r\n"
	// closeDelimiter ends the response: "--" + boundary + "--".
	closeDelimiter     = "\r\n-----\r\n"
	codeDeferBadHeader = "DEFER_BAD_HEADER"
)

// acceptsMultipart reports whether Accept lists multipart/mixed (with no
// deferSpec or deferSpec=20220824) or a wildcard for it.
func acceptsMultipart(accept string) bool {
	for _, item := range strings.Split(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(item))
		if err != nil {
			continue
		}
		if mt != "multipart/mixed" && mt != "multipart/*" {
			continue
		}
		if spec, ok := params["deferspec"]; ok && spec != "20220824" {
			continue
		}
		if params["q"] == "0" {
			continue
		}
		return true
	}
	return false
}

// errDeferNotAccepted is Apollo Router's answer to @defer from a client that
// cannot read multipart/mixed.
func errDeferNotAccepted() *httpError {
	return &httpError{status: http.StatusNotAcceptable, code: codeDeferBadHeader,
		message: "the router received a query with the @defer directive but the client does not accept multipart/mixed HTTP responses. " +
			"To enable @defer support, add the HTTP header 'Accept: multipart/mixed;deferSpec=20220824'"}
}

// serveDeferred answers an operation that uses @defer.
func (s *Server) serveDeferred(w http.ResponseWriter, r *http.Request, media string, multipart bool, op operation) {
	if !multipart {
		s.writeHTTPError(w, media, errDeferNotAccepted())
		return
	}
	ctx, cancel := context.WithTimeoutCause(r.Context(), s.cfg.RequestTimeout, &execute.RequestTimeout{After: s.cfg.RequestTimeout})
	defer cancel()
	h := w.Header()
	h.Set("Content-Type", MediaMultipartDefer)
	h.Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	first := true
	buf := make([]byte, 0, 1024)
	whole, err := op.st.exec.ExecuteIncremental(ctx, op.plan, op.vars, s.cfg.Limits.CostMetrics, func(payload []byte, hasNext bool) error {
		buf = buf[:0]
		if first {
			// Fields that authorization removed come back as nulls with
			// their errors in the first payload.
			payload = s.completeAuthorized(op.authz, payload)
			buf = append(buf, firstDelimiter...)
			first = false
		}
		buf = append(buf, partHeader...)
		buf = append(buf, payload...)
		if hasNext {
			buf = append(buf, nextDelimiter...)
		} else {
			buf = append(buf, closeDelimiter...)
		}
		if _, err := w.Write(buf); err != nil {
			return fmt.Errorf("write part: %w", err)
		}
		if err := rc.Flush(); err != nil {
			return fmt.Errorf("flush part: %w", err)
		}
		return nil
	})
	if err != nil {
		s.log.Debug("incremental response ended early", "err", err, "operation", op.operationName)
		return
	}
	// The actual cost is that of the whole response the parts made up.
	s.observeCost(result{body: whole, ran: &op})
}
