package telemetry

import (
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// HTTP configures Middleware. Every field may be left zero.
type HTTP struct {
	// Component names the server in spans.
	Component string
	// Metrics counts and times requests; nil counts nothing.
	Metrics *HTTPMetrics
	// Tracing makes a server span per request, continuing the client's W3C
	// trace context; nil or disabled makes none.
	Tracing *Tracing
	// Logger, when given, logs every request at debug level and every 5xx
	// answer at warn level, with its request id.
	Logger *slog.Logger
}

// Middleware wraps next with a request id (X-Request-Id kept when valid, else
// made; echoed in the response; in the context for RequestID and the log
// handler), request metrics, a server span, and request logs.
func Middleware(cfg HTTP, next http.Handler) http.Handler {
	mw := &middleware{cfg: cfg, next: next}
	if cfg.Tracing.Enabled() {
		mw.tracer = cfg.Tracing.Tracer("github.com/shopgraph/shopgraph/internal/telemetry")
	}
	mw.writers.New = func() any { return new(statusWriter) }
	return mw
}

type middleware struct {
	cfg    HTTP
	next   http.Handler
	tracer trace.Tracer // nil: no spans
	// writers recycles the status-recording writers: one fewer allocation
	// per request. A handler must not use its ResponseWriter after it
	// returns (net/http's own rule), so reuse is safe.
	writers sync.Pool
}

func (mw *middleware) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	m := mw.cfg.Metrics
	if m != nil {
		m.inFlight.Inc()
		defer m.inFlight.Dec()
	}
	id := r.Header.Get(RequestIDHeader)
	if !ValidRequestID(id) {
		id = NewRequestID()
	}
	ctx := r.Context()
	var span trace.Span
	if mw.tracer != nil {
		ctx = Extract(ctx, r.Header)
		route := r.URL.Path
		if m != nil {
			route = m.RouteLabel(route)
		}
		ctx, span = mw.tracer.Start(ctx, r.Method+" "+route,
			trace.WithSpanKind(trace.SpanKindServer),
			trace.WithAttributes(
				attribute.String("http.request.method", r.Method),
				attribute.String("url.path", r.URL.Path),
				attribute.String("http.route", route),
				attribute.String("service.component", mw.cfg.Component),
				attribute.String("http.request_id", id),
			))
	}
	rc := &requestContext{Context: ctx, header: [1]string{id}}
	w.Header()[RequestIDHeader] = rc.header[:]

	sw := mw.writers.Get().(*statusWriter)
	sw.ResponseWriter, sw.status = w, 0
	defer func() {
		status := sw.status
		if status == 0 {
			status = http.StatusOK
		}
		sw.ResponseWriter = nil
		mw.writers.Put(sw)
		mw.finish(r, rc, span, status, start)
	}()
	mw.next.ServeHTTP(sw, r.WithContext(rc))
}

// finish records a served request. It runs deferred, so that a panicking
// handler (answered 500 by a recoverer inside, or aborting the connection) is
// still counted and its span ended.
func (mw *middleware) finish(r *http.Request, rc *requestContext, span trace.Span, status int, start time.Time) {
	d := time.Since(start)
	if m := mw.cfg.Metrics; m != nil {
		k := httpKey{route: m.route(r.URL.Path), method: methodIndex(r.Method)}
		m.hists.Get(k).Observe(d.Seconds())
		if status >= 100 && status <= 999 {
			k.code = uint16(status)
		}
		m.counts.Get(k).Inc()
	}
	if span != nil {
		span.SetAttributes(attribute.Int("http.response.status_code", status))
		if status >= 500 {
			span.SetStatus(codes.Error, strconv.Itoa(status))
		}
		span.End()
	}
	if l := mw.cfg.Logger; l != nil {
		level := slog.LevelDebug
		if status >= 500 {
			level = slog.LevelWarn
		}
		if l.Enabled(rc, level) {
			l.LogAttrs(rc, level, "request", slog.String("method", r.Method), slog.String("path", r.URL.Path),
				slog.Int("status", status), slog.Float64("duration_ms", float64(d.Microseconds())/1000))
		}
	}
}

// statusWriter records the status code a handler sends.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 && code >= 200 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Flush sends buffered data when the underlying writer can.
func (w *statusWriter) Flush() {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	http.NewResponseController(w.ResponseWriter).Flush()
}

// Unwrap gives http.ResponseController the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
