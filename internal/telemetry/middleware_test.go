package telemetry

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/shopgraph/shopgraph/internal/telemetry/telemetrytest"
)

var generatedID = regexp.MustCompile(`^[0-9a-f]{32}$`)

func TestMiddlewareRequestID(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		header string
		want   string // "" means a generated id
	}{
		{"kept when valid", "req-42:a.b_c", "req-42:a.b_c"},
		{"made when missing", "", ""},
		{"made when it has spaces", "a b", ""},
		{"made when it has a newline", "a\nb", ""},
		{"made when too long", strings.Repeat("x", 129), ""},
		{"kept at the longest", strings.Repeat("x", 128), strings.Repeat("x", 128)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var logs bytes.Buffer
			logger := Logger(slog.New(slog.NewJSONHandler(&logs, nil)))
			var seen string
			h := Middleware(HTTP{Component: "test"}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				seen = RequestID(r.Context())
				logger.InfoContext(r.Context(), "handled")
			}))
			req := httptest.NewRequest(http.MethodGet, "/x", nil)
			if tt.header != "" {
				req.Header[RequestIDHeader] = []string{tt.header}
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			got := rec.Header().Get(RequestIDHeader)
			if tt.want != "" && got != tt.want {
				t.Errorf("response id = %q, want %q", got, tt.want)
			}
			if tt.want == "" && !generatedID.MatchString(got) {
				t.Errorf("response id = %q, want a generated 32-hex-digit id", got)
			}
			if seen != got {
				t.Errorf("context id = %q, response id = %q", seen, got)
			}
			var rec1 map[string]any
			if err := json.Unmarshal(logs.Bytes(), &rec1); err != nil {
				t.Fatalf("log %q: %v", logs.String(), err)
			}
			if rec1["request_id"] != got {
				t.Errorf("log request_id = %v, want %q", rec1["request_id"], got)
			}
		})
	}
}

func TestRequestIDsDiffer(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for range 1000 {
		id := NewRequestID()
		if seen[id] {
			t.Fatalf("id %s made twice", id)
		}
		seen[id] = true
	}
}

func TestMiddlewareMetrics(t *testing.T) {
	t.Parallel()
	reg := NewRegistry()
	m, err := NewHTTPMetrics(reg, "test", "/graphql", "/static/", "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/graphql", func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.WriteHeader(http.StatusMethodNotAllowed)
			return
		}
		_, _ = io.WriteString(w, `{"data":{}}`)
	})
	mux.HandleFunc("/static/", func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(5 * time.Millisecond)
		http.NotFound(w, r)
	})
	mux.Handle("/metrics", MetricsHandler(reg))
	srv := httptest.NewServer(Middleware(HTTP{Component: "test", Metrics: m}, mux))
	t.Cleanup(srv.Close)

	send := func(method, path string) {
		t.Helper()
		req, err := http.NewRequest(method, srv.URL+path, strings.NewReader("{}"))
		if err != nil {
			t.Fatal(err)
		}
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	send(http.MethodPost, "/graphql")
	send(http.MethodPost, "/graphql")
	send(http.MethodGet, "/graphql")
	send(http.MethodGet, "/static/app.js")
	send(http.MethodGet, "/secret/path/not/a/label")
	send("BREW", "/graphql")

	got := telemetrytest.Scrape(t, srv.URL+"/metrics")
	const total = "shopgraph_http_requests_total"
	counts := []struct {
		labels []string
		want   float64
	}{
		{[]string{"component", "test", "route", "/graphql", "method", "POST", "code", "200"}, 2},
		{[]string{"route", "/graphql", "method", "GET", "code", "405"}, 1},
		{[]string{"route", "/graphql", "method", "OTHER", "code", "405"}, 1},
		{[]string{"route", "/static/", "method", "GET", "code", "404"}, 1},
		{[]string{"route", "other", "method", "GET", "code", "404"}, 1},
		{nil, 6}, // the scrape itself is counted once it has been served
	}
	for _, c := range counts {
		if v := got.Value(total, c.labels...); v != c.want {
			t.Errorf("%s%v = %v, want %v", total, c.labels, v, c.want)
		}
	}
	if n := got.Count("shopgraph_http_request_duration_seconds", "route", "/graphql"); n != 4 {
		t.Errorf("/graphql latency observations = %d, want 4", n)
	}
	if n := got.Count("shopgraph_http_request_duration_seconds", "route", "/static/", "method", "GET"); n != 1 {
		t.Errorf("/static/ latency observations = %d, want 1", n)
	}
	if v := got.Value("shopgraph_http_requests_in_flight", "component", "test"); v != 1 {
		t.Errorf("in flight during the scrape = %v, want 1 (the scrape)", v)
	}
	for _, name := range []string{"go_goroutines", "process_resident_memory_bytes"} {
		if !got.Has(name) {
			t.Errorf("%s missing: the Go and process collectors are not registered", name)
		}
	}
}

func TestMiddlewareWithoutTracingMakesNoSpan(t *testing.T) {
	t.Parallel()
	var valid bool
	h := Middleware(HTTP{Tracing: Disabled()}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		valid = trace.SpanContextFromContext(r.Context()).IsValid()
	}))
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Header.Set("Traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
	h.ServeHTTP(httptest.NewRecorder(), req)
	if valid {
		t.Error("a span context reached the handler with tracing off")
	}
}

func TestMiddlewareTracing(t *testing.T) {
	t.Parallel()
	col := telemetrytest.StartCollector(t)
	tr, err := NewTracing(t.Context(), TracingConfig{ServiceName: "svc", Endpoint: col.URL})
	if err != nil {
		t.Fatal(err)
	}
	m, err := NewHTTPMetrics(NewRegistry(), "svc", "/graphql")
	if err != nil {
		t.Fatal(err)
	}
	var inner trace.SpanContext
	h := Middleware(HTTP{Component: "svc", Metrics: m, Tracing: tr}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		inner = trace.SpanContextFromContext(r.Context())
		w.WriteHeader(http.StatusBadGateway)
	}))
	const traceID, parentID = "0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331"
	req := httptest.NewRequest(http.MethodPost, "/graphql", nil)
	req.Header.Set("Traceparent", "00-"+traceID+"-"+parentID+"-01")
	req.Header.Set(RequestIDHeader, "rid-1")
	h.ServeHTTP(httptest.NewRecorder(), req)
	if err := tr.Shutdown(t.Context()); err != nil {
		t.Fatal(err)
	}
	spans := col.Spans()
	if len(spans) != 1 {
		t.Fatalf("got %d spans, want 1 (collector errors: %v)", len(spans), col.Errors())
	}
	s := spans[0]
	checks := []struct{ what, got, want string }{
		{"service", s.Service, "svc"},
		{"name", s.Name, "POST /graphql"},
		{"kind", s.Kind.String(), "SPAN_KIND_SERVER"},
		{"trace id", s.TraceID(), traceID},
		{"parent", s.ParentID(), parentID},
		{"span id seen by the handler", inner.SpanID().String(), s.ID()},
		{"status code attribute", s.Attr("http.response.status_code"), "502"},
		{"route attribute", s.Attr("http.route"), "/graphql"},
		{"request id attribute", s.Attr("http.request_id"), "rid-1"},
		{"status", s.Status.GetCode().String(), "STATUS_CODE_ERROR"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.what, c.got, c.want)
		}
	}
}

func BenchmarkMiddleware(b *testing.B) {
	reg := NewRegistry()
	m, err := NewHTTPMetrics(reg, "bench", "/graphql", "/healthz")
	if err != nil {
		b.Fatal(err)
	}
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
	})
	cases := []struct {
		name string
		h    http.Handler
	}{
		{"none", ok},
		{"metrics+request-id+tracing-off", Middleware(HTTP{Component: "bench", Metrics: m, Tracing: Disabled()}, ok)},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			req := httptest.NewRequest(http.MethodPost, "/graphql", nil)
			w := &discardWriter{h: http.Header{}}
			b.ReportAllocs()
			for b.Loop() {
				clear(w.h)
				c.h.ServeHTTP(w, req)
			}
		})
	}
}

// discardWriter is the cheapest ResponseWriter, so that the benchmark
// measures the middleware, not a recorder.
type discardWriter struct{ h http.Header }

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *discardWriter) WriteHeader(int)             {}
