package server

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/shopgraph/shopgraph/gateway/execute"
)

// serveStreaming serves the requests of the streaming transports: WebSocket
// upgrades, and requests whose Accept asks for SSE or multipart
// subscriptions. It reports whether it served r; other requests go on as
// GraphQL over HTTP.
func (s *Server) serveStreaming(w http.ResponseWriter, r *http.Request) bool {
	if isWebSocket(r) {
		s.serveWebSocket(w, r)
		return true
	}
	transport := streamTransport(r.Header.Get("Accept"))
	if transport == "" {
		return false
	}
	// Errors before the stream starts are plain JSON responses.
	media := mediaJSON
	switch r.Method {
	case http.MethodGet:
	case http.MethodPost:
		if herr := checkContentType(r.Header.Get("Content-Type")); herr != nil {
			s.writeHTTPError(w, media, herr)
			return true
		}
	default:
		return false // OPTIONS and the rest as GraphQL over HTTP answers them
	}
	if herr := s.checkCSRF(r); herr != nil {
		s.writeHTTPError(w, media, herr)
		return true
	}
	w, r, ok := s.authenticate(w, r, media)
	if !ok {
		return true
	}
	reqs, batched, herr := s.decodeHTTPRequest(w, r)
	if herr == nil && batched {
		herr = badRequest("a batch cannot be streamed: send one operation per request")
	}
	if herr != nil {
		s.writeHTTPError(w, media, herr)
		return true
	}
	r = withStreaming(r)
	op, res, ok := s.prepare(r, reqs[0])
	if !ok {
		s.writeResult(w, media, res)
		return true
	}
	st := newEventStream(w, transport)
	if op.plan.Operation.Kind != ast.Subscription {
		// One answer, as the one event of a stream.
		res := s.run(r.Context(), op)
		st.start(http.StatusOK)
		st.next(res.body)
		st.complete()
		s.observeCost(res)
		return true
	}
	release, ok := s.subscriptions.acquire()
	if !ok {
		s.writeResult(w, media, result{body: (&execute.Response{Errors: []execute.Error{s.errSubscriptionLimit()}}).AppendJSON(nil), status: http.StatusServiceUnavailable, httpLevel: true})
		return true
	}
	defer release()
	s.streamSubscription(r.Context(), st, op)
	return true
}

// streamSubscription runs a subscription and streams its events, with a
// heartbeat while it is idle, until the subgraph or the client ends it.
func (s *Server) streamSubscription(ctx context.Context, st *eventStream, op operation) {
	// The server's write timeout is for answers, not for streams.
	_ = http.NewResponseController(st.w).SetWriteDeadline(time.Time{})
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var ended atomic.Pointer[execute.Error] // why the router ended it
	defer s.watchStream(ctx, func(why execute.Error) {
		ended.Store(&why)
		cancel()
	})()
	defer st.close() // no heartbeat may write once the handler returns
	st.start(http.StatusOK)
	go func() {
		t := time.NewTicker(s.cfg.Subscriptions.Heartbeat)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if st.heartbeat() != nil {
					cancel() // the client is gone
					return
				}
			}
		}
	}()
	err := s.subscribe(ctx, op, st.next)
	switch {
	case ended.Load() != nil:
		st.fail([]execute.Error{*ended.Load()})
	case ctx.Err() != nil:
		return // the client left: nothing more can reach it
	case err != nil:
		s.log.Debug("subscription failed", "err", err)
		st.fail(subscriptionErrors(err))
	}
	st.complete()
}

// eventStream writes a stream of GraphQL responses as SSE events or as the
// parts of Apollo's multipart subscription response. Heartbeats come from
// another goroutine than events, hence the lock.
type eventStream struct {
	w         http.ResponseWriter
	transport string
	mu        sync.Mutex
	done      bool
}

func newEventStream(w http.ResponseWriter, transport string) *eventStream {
	return &eventStream{w: w, transport: transport}
}

// multipartBoundary separates the parts of a multipart subscription response.
const multipartBoundary = "graphql"

// start writes the response header.
func (st *eventStream) start(status int) {
	h := st.w.Header()
	h.Del("Content-Length")
	h.Set("Cache-Control", "no-cache")
	if st.transport == streamSSE {
		h.Set("Content-Type", "text/event-stream; charset=utf-8")
		h.Set("X-Accel-Buffering", "no") // proxies must not hold events back
	} else {
		h.Set("Content-Type", `multipart/mixed;boundary="`+multipartBoundary+`";subscriptionSpec="1.0"`)
	}
	st.w.WriteHeader(status)
	_ = st.flush()
}

// next writes one response.
func (st *eventStream) next(body []byte) error {
	if st.transport == streamSSE {
		return st.write("event: next\ndata: ", body, "\n\n")
	}
	return st.part(`{"payload":`, body, `}`)
}

// fail writes the errors that end the stream: a last next event for SSE, a
// transport error (payload null) for multipart.
func (st *eventStream) fail(errs []execute.Error) {
	if st.transport == streamSSE {
		_ = st.next((&execute.Response{Errors: errs}).AppendJSON(nil))
		return
	}
	b, err := json.Marshal(errs)
	if err != nil {
		b = []byte(`[{"message":"the subscription failed"}]`)
	}
	_ = st.part(`{"payload":null,"errors":`, b, `}`)
}

// heartbeat keeps an idle stream alive: an SSE comment or an empty part.
func (st *eventStream) heartbeat() error {
	if st.transport == streamSSE {
		return st.write(":\n\n", nil, "")
	}
	return st.part("{}", nil, "")
}

// complete ends the stream.
func (st *eventStream) complete() {
	if st.transport == streamSSE {
		_ = st.write("event: complete\ndata:\n\n", nil, "")
	} else {
		_ = st.write("\r\n--"+multipartBoundary+"--\r\n", nil, "")
	}
	st.close()
}

// close refuses every later write.
func (st *eventStream) close() {
	st.mu.Lock()
	st.done = true
	st.mu.Unlock()
}

// errStreamClosed is a write to a stream that has ended.
var errStreamClosed = errors.New("the event stream has ended")

func (st *eventStream) part(prefix string, body []byte, suffix string) error {
	return st.write("\r\n--"+multipartBoundary+"\r\nContent-Type: application/json; charset=utf-8\r\n\r\n"+prefix, body, suffix)
}

// write writes prefix, body and suffix at once and flushes them.
func (st *eventStream) write(prefix string, body []byte, suffix string) error {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.done {
		return errStreamClosed
	}
	buf := make([]byte, 0, len(prefix)+len(body)+len(suffix))
	buf = append(append(append(buf, prefix...), body...), suffix...)
	if _, err := st.w.Write(buf); err != nil {
		return err
	}
	return st.flush()
}

func (st *eventStream) flush() error {
	return http.NewResponseController(st.w).Flush()
}
