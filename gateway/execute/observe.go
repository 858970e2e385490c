package execute

import (
	"context"
	"net/http"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/shopgraph/shopgraph/gateway/plan"
	"github.com/shopgraph/shopgraph/internal/telemetry"
)

// Observer is told about the executor's subgraph requests, for metrics. Its
// methods are called concurrently, on the request path: they must be quick.
// (Circuit-breaker states are reported through Options.OnBreakerStateChange.)
type Observer interface {
	// FetchDone reports one HTTP request to a subgraph (a fetch shared by
	// identical concurrent fetches is one request; each retry is another).
	FetchDone(FetchResult)
}

// FetchResult describes one finished subgraph request.
type FetchResult struct {
	Subgraph string
	Duration time.Duration
	// Status is the HTTP status code, 0 when no answer came.
	Status int
	// Code is the error code of a failed request (CodeSubrequestHTTP and
	// the like), "" when it answered with a 2xx status.
	Code string
}

// fetchTelemetry is what subgraph clients report to; its zero value reports
// nothing and costs nothing.
type fetchTelemetry struct {
	observer Observer
	// tracer makes a client span per subgraph request and per plan step;
	// nil makes none.
	tracer trace.Tracer
}

// fetchObservation is one subgraph request being observed.
type fetchObservation struct {
	t        *fetchTelemetry
	subgraph string
	start    time.Time
	span     trace.Span // nil when not tracing
}

// startFetch starts observing a request to subgraph at url: a client span
// (the returned context carries it) and a start time.
func (t *fetchTelemetry) startFetch(ctx context.Context, subgraph, url string) (context.Context, fetchObservation) {
	if t == nil || (t.observer == nil && t.tracer == nil) {
		return ctx, fetchObservation{}
	}
	o := fetchObservation{t: t, subgraph: subgraph}
	if t.tracer != nil {
		ctx, o.span = t.tracer.Start(ctx, "fetch "+subgraph,
			trace.WithSpanKind(trace.SpanKindClient),
			trace.WithAttributes(
				attribute.String("graphql.subgraph", subgraph),
				attribute.String("http.request.method", http.MethodPost),
				attribute.String("url.full", url),
			))
	}
	if t.observer != nil {
		o.start = time.Now()
	}
	return ctx, o
}

// header returns the request header: shared itself, or a copy with the W3C
// trace context added when the request is traced.
func (o fetchObservation) header(ctx context.Context, shared http.Header) http.Header {
	if o.span == nil {
		return shared
	}
	return telemetry.InjectHeader(ctx, shared)
}

// end reports the request's outcome: status is the HTTP status (0 when none
// came) and err the request's error.
func (o fetchObservation) end(status int, err error) {
	if o.t == nil {
		return
	}
	code := ""
	if err != nil {
		code = CodeSubrequestHTTP
		if fe, ok := err.(*fetchError); ok {
			code = fe.code
		}
	} else if status/100 != 2 {
		code = CodeSubrequestHTTP
	}
	if o.span != nil {
		if status != 0 {
			o.span.SetAttributes(attribute.Int("http.response.status_code", status))
		}
		if code != "" {
			msg := code
			if err != nil {
				msg = err.Error()
			}
			o.span.SetStatus(codes.Error, msg)
		}
		o.span.End()
	}
	if o.t.observer != nil {
		o.t.observer.FetchDone(FetchResult{Subgraph: o.subgraph, Duration: time.Since(o.start), Status: status, Code: code})
	}
}

// startStep starts the span of a plan step (a root fetch or an entity fetch
// with its merge) when tracing; end it with endStep.
func (t *fetchTelemetry) startStep(ctx context.Context, kind string, f *plan.Fetch) (context.Context, trace.Span) {
	if t == nil || t.tracer == nil {
		return ctx, nil
	}
	return t.tracer.Start(ctx, kind+" "+f.Subgraph, trace.WithAttributes(
		attribute.String("graphql.subgraph", f.Subgraph),
		attribute.Int("shopgraph.fetch.id", f.ID),
	))
}

// endStep ends a span from startStep.
func endStep(span trace.Span) {
	if span != nil {
		span.End()
	}
}
