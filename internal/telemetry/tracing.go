package telemetry

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"
)

// TracingConfig configures a component's traces.
type TracingConfig struct {
	// ServiceName is the service.name of every span (the component's name).
	ServiceName string
	// Endpoint is the OTLP/HTTP collector's base URL, as in
	// OTEL_EXPORTER_OTLP_ENDPOINT: spans go to its path plus /v1/traces (a URL
	// already ending in /v1/traces is used as it is). Empty turns tracing off.
	Endpoint string
	// BatchTimeout is the longest a finished span waits before it is sent
	// (default 5 s).
	BatchTimeout time.Duration
}

// Tracing is a component's tracer provider. When tracing is off it holds a
// no-op provider and Enabled reports false, so that callers skip span work
// altogether instead of making spans that go nowhere.
type Tracing struct {
	provider trace.TracerProvider
	sdk      *sdktrace.TracerProvider // nil when off
}

// Disabled returns a Tracing that makes no spans.
func Disabled() *Tracing { return &Tracing{provider: noop.NewTracerProvider()} }

// NewTracing returns the tracing of cfg: spans batched and exported over
// OTLP/HTTP to cfg.Endpoint, or Disabled when it is empty. Sampling follows
// OTEL_TRACES_SAMPLER when set, else a sampled parent's decision and otherwise
// every trace. Call Shutdown on exit to send the spans still buffered.
func NewTracing(ctx context.Context, cfg TracingConfig) (*Tracing, error) {
	if cfg.Endpoint == "" {
		return Disabled(), nil
	}
	endpoint, err := TracesURL(cfg.Endpoint)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(cfg.ServiceName) == "" {
		return nil, errors.New("telemetry: tracing: the service name is empty")
	}
	exp, err := otlptracehttp.New(ctx, otlptracehttp.WithEndpointURL(endpoint))
	if err != nil {
		return nil, fmt.Errorf("telemetry: OTLP exporter for %s: %w", endpoint, err)
	}
	res, err := resource.Merge(resource.Default(), resource.NewSchemaless(attribute.String("service.name", cfg.ServiceName)))
	if err != nil {
		return nil, fmt.Errorf("telemetry: tracing resource: %w", err)
	}
	var batch []sdktrace.BatchSpanProcessorOption
	if cfg.BatchTimeout > 0 {
		batch = append(batch, sdktrace.WithBatchTimeout(cfg.BatchTimeout))
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp, batch...), sdktrace.WithResource(res))
	return &Tracing{provider: tp, sdk: tp}, nil
}

// TracesURL returns the OTLP/HTTP traces URL of a collector's base URL.
func TracesURL(endpoint string) (string, error) {
	u, err := url.Parse(endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("telemetry: OTLP endpoint %q: want an http(s) URL such as http://127.0.0.1:4318", endpoint)
	}
	if !strings.HasSuffix(u.Path, "/v1/traces") {
		u.Path = strings.TrimSuffix(u.Path, "/") + "/v1/traces"
	}
	return u.String(), nil
}

// Enabled reports whether spans are recorded and exported.
func (t *Tracing) Enabled() bool { return t != nil && t.sdk != nil }

// Provider returns the tracer provider (a no-op one when tracing is off).
func (t *Tracing) Provider() trace.TracerProvider {
	if t == nil {
		return noop.NewTracerProvider()
	}
	return t.provider
}

// Tracer returns the named tracer when tracing is on, and nil when it is off:
// code that holds a nil tracer makes no spans.
func (t *Tracing) Tracer(name string) trace.Tracer {
	if !t.Enabled() {
		return nil
	}
	return t.provider.Tracer(name)
}

// ForceFlush sends the finished spans now.
func (t *Tracing) ForceFlush(ctx context.Context) error {
	if !t.Enabled() {
		return nil
	}
	return t.sdk.ForceFlush(ctx)
}

// Shutdown sends the spans still buffered and stops the exporter.
func (t *Tracing) Shutdown(ctx context.Context) error {
	if !t.Enabled() {
		return nil
	}
	if err := t.sdk.Shutdown(ctx); err != nil {
		return fmt.Errorf("telemetry: shut down tracing: %w", err)
	}
	return nil
}
