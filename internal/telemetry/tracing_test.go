package telemetry

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/trace"
)

func TestTracesURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want, err string
	}{
		{"http://127.0.0.1:4318", "http://127.0.0.1:4318/v1/traces", ""},
		{"http://collector:4318/", "http://collector:4318/v1/traces", ""},
		{"https://otel.example/base", "https://otel.example/base/v1/traces", ""},
		{"http://collector:4318/v1/traces", "http://collector:4318/v1/traces", ""},
		{"collector:4318", "", "want an http(s) URL"},
		{"grpc://collector:4317", "", "want an http(s) URL"},
		{"http://", "", "want an http(s) URL"},
	}
	for _, tt := range tests {
		got, err := TracesURL(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) || !strings.Contains(err.Error(), tt.in) {
				t.Errorf("TracesURL(%q) error = %v, want one naming the value and %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("TracesURL(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestNewTracing(t *testing.T) {
	t.Parallel()
	off, err := NewTracing(t.Context(), TracingConfig{ServiceName: "x"})
	if err != nil || off.Enabled() || off.Tracer("t") != nil {
		t.Errorf("no endpoint: enabled=%v tracer=%v err=%v; want off", off.Enabled(), off.Tracer("t"), err)
	}
	if err := off.Shutdown(t.Context()); err != nil {
		t.Errorf("shutting down disabled tracing: %v", err)
	}
	if _, err := NewTracing(t.Context(), TracingConfig{ServiceName: "x", Endpoint: "nope"}); err == nil {
		t.Error("bad endpoint accepted")
	}
	if _, err := NewTracing(t.Context(), TracingConfig{Endpoint: "http://127.0.0.1:4318"}); err == nil || !strings.Contains(err.Error(), "service name") {
		t.Errorf("empty service name: err = %v", err)
	}
	on, err := NewTracing(t.Context(), TracingConfig{ServiceName: "x", Endpoint: "http://127.0.0.1:4318"})
	if err != nil || !on.Enabled() || on.Tracer("t") == nil {
		t.Fatalf("endpoint set: enabled=%v err=%v; want on", on.Enabled(), err)
	}
	_ = on.Shutdown(context.WithoutCancel(t.Context()))
}

func TestInjectHeader(t *testing.T) {
	t.Parallel()
	shared := http.Header{"Content-Type": {"application/json"}}
	if got := InjectHeader(t.Context(), shared); len(got) != 1 || got.Get("Traceparent") != "" {
		t.Errorf("without a span: %v, want the header unchanged", got)
	}
	tid, _ := trace.TraceIDFromHex("0af7651916cd43dd8448eb211c80319c")
	sid, _ := trace.SpanIDFromHex("b7ad6b7169203331")
	tests := []struct {
		name  string
		flags trace.TraceFlags
		want  string
	}{
		{"sampled", trace.FlagsSampled, "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"},
		{"not sampled", 0, "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00"},
	}
	for _, tt := range tests {
		sc := trace.NewSpanContext(trace.SpanContextConfig{TraceID: tid, SpanID: sid, TraceFlags: tt.flags})
		ctx := trace.ContextWithSpanContext(t.Context(), sc)
		got := InjectHeader(ctx, shared)
		if got.Get("Traceparent") != tt.want || got.Get("Content-Type") != "application/json" {
			t.Errorf("%s: header %v, want traceparent %s beside the shared header", tt.name, got, tt.want)
		}
		if shared.Get("Traceparent") != "" || len(shared) != 1 {
			t.Errorf("%s: the shared header was modified: %v", tt.name, shared)
		}
		back := trace.SpanContextFromContext(Extract(t.Context(), got))
		if back.TraceID() != tid || back.SpanID() != sid || !back.IsRemote() {
			t.Errorf("%s: extracted %v, want the injected span context", tt.name, back)
		}
	}
}
