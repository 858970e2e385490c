// Package telemetry gives every shopgraph component the same observability:
// Prometheus metrics on a registry of the component's own (served at /metrics),
// OpenTelemetry traces exported over OTLP/HTTP with W3C trace context carried
// between components, and a request id in every request's context and log
// records.
//
// The hot path is the router's, whose throughput is benchmarked, so the HTTP
// middleware keeps its per-request work to a few atomic updates and three small
// allocations (request id, context, request copy). Tracing that is not
// configured is off, not merely sampled out: no span, no extraction, no
// injection, nothing allocated. Metric children are looked up in copy-on-write
// maps (Children) rather than by hashing label values on every request, which
// also bounds the labels' cardinality.
//
// Nothing here is global: the registry, the tracer provider and the propagator
// are constructed by the component's wiring and injected.
package telemetry
