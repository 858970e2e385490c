package telemetry

import (
	"context"
	"net/http"

	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// Extract returns ctx with the remote span context of the W3C traceparent and
// tracestate headers of h, when they are present and valid.
func Extract(ctx context.Context, h http.Header) context.Context {
	if len(h["Traceparent"]) == 0 {
		return ctx
	}
	return propagation.TraceContext{}.Extract(ctx, propagation.HeaderCarrier(h))
}

// InjectHeader returns h with the W3C trace context of ctx's span added. When
// ctx carries no span context it returns h itself; otherwise a shallow copy,
// leaving h as it was, so that a header map shared read-only between requests
// can be passed.
func InjectHeader(ctx context.Context, h http.Header) http.Header {
	sc := trace.SpanContextFromContext(ctx)
	if !sc.IsValid() {
		return h
	}
	out := make(http.Header, len(h)+2)
	for k, v := range h {
		out[k] = v
	}
	propagation.TraceContext{}.Inject(ctx, propagation.HeaderCarrier(out))
	return out
}
