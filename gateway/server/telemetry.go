package server

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/otel/trace"

	"github.com/shopgraph/shopgraph/gateway/execute"
	"github.com/shopgraph/shopgraph/gateway/supergraph"
	"github.com/shopgraph/shopgraph/internal/telemetry"
)

// Option gives a Server a dependency that is not configuration.
type Option func(*options)

type options struct {
	tracing  *telemetry.Tracing
	registry *prometheus.Registry
}

// WithTracing makes the server trace with t: a server span per request
// (continuing the client's W3C trace context), a span per plan step and a
// client span per subgraph request, whose trace context goes to the subgraph.
// Without it the server makes no spans.
func WithTracing(t *telemetry.Tracing) Option { return func(o *options) { o.tracing = t } }

// WithRegistry registers the server's metrics into reg instead of a registry
// of the server's own (which holds the Go and process collectors too).
func WithRegistry(reg *prometheus.Registry) Option { return func(o *options) { o.registry = reg } }

// routerTelemetry holds the router's metrics and tracing.
type routerTelemetry struct {
	registry *prometheus.Registry
	http     *telemetry.HTTPMetrics
	metrics  *RouterMetrics
	tracing  *telemetry.Tracing
	// tracer is the executor's: nil when tracing is off.
	tracer trace.Tracer
}

func newRouterTelemetry(s *Server, opts []Option) (*routerTelemetry, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	if o.registry == nil {
		o.registry = telemetry.NewRegistry()
	}
	if o.tracing == nil {
		o.tracing = telemetry.Disabled()
	}
	t := &routerTelemetry{registry: o.registry, tracing: o.tracing, tracer: o.tracing.Tracer("github.com/shopgraph/shopgraph/gateway/execute")}
	var err error
	// The router's paths have a label of their own; others count as "other".
	routes := []string{"/graphql", "/graphql/assets/", "/playground", "/playground/", "/healthz", "/readyz", "/metrics"}
	if t.http, err = telemetry.NewHTTPMetrics(o.registry, "router", routes...); err != nil {
		return nil, err
	}
	if t.metrics, err = newRouterMetrics(o.registry, s); err != nil {
		return nil, err
	}
	return t, nil
}

// wrap adds the request id, metrics, server span and request logs to h.
func (t *routerTelemetry) wrap(h http.Handler, s *Server) http.Handler {
	return telemetry.Middleware(telemetry.HTTP{Component: "router", Metrics: t.http, Tracing: t.tracing, Logger: s.log}, h)
}

// metricsHandler serves /metrics.
func (t *routerTelemetry) metricsHandler() http.Handler { return telemetry.MetricsHandler(t.registry) }

// graphLoaded shows every subgraph of a newly served supergraph with a closed
// circuit breaker: the new executor's breakers start closed, and subgraphs
// that left the supergraph drop out of the gauge.
func (t *routerTelemetry) graphLoaded(g *supergraph.Graph) {
	t.metrics.breaker.Reset()
	for _, sg := range g.Subgraphs() {
		t.metrics.SetBreakerState(sg.Name, 0)
	}
}

// Metrics returns the router's metrics, for the code that counts errors and
// refusals.
func (s *Server) Metrics() *RouterMetrics { return s.tel.metrics }

// Bounds on label values that come from outside the router's own code.
const (
	maxErrorCodes = 64
	maxLimits     = 32
	maxSubgraphs  = 256
	overflowLabel = "OTHER"
)

// RouterMetrics are the router's GraphQL and subgraph metrics. Its methods
// are safe for concurrent use and cheap: a map read and an atomic add.
type RouterMetrics struct {
	errors        *telemetry.Children[string, prometheus.Counter]
	refused       *telemetry.Children[string, prometheus.Counter]
	fetchDuration *telemetry.Children[string, prometheus.Observer]
	fetchErrors   *telemetry.Children[fetchErrorKey, prometheus.Counter]
	breaker       *prometheus.GaugeVec
	// estimatedCost and actualCost are demand control's measures (demand.go).
	estimatedCost, actualCost prometheus.Histogram
}

type fetchErrorKey struct{ subgraph, code string }

func newRouterMetrics(reg prometheus.Registerer, s *Server) (*RouterMetrics, error) {
	opts := func(name, help string) prometheus.Opts {
		return prometheus.Opts{Namespace: telemetry.Namespace, Subsystem: "router", Name: name, Help: help}
	}
	errorsVec := prometheus.NewCounterVec(prometheus.CounterOpts(opts("graphql_errors_total",
		"GraphQL errors in responses, by extensions.code.")), []string{"code"})
	refusedVec := prometheus.NewCounterVec(prometheus.CounterOpts(opts("operations_refused_total",
		"Operations refused for going over a limit, by limit.")), []string{"limit"})
	durationVec := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Namespace: telemetry.Namespace, Subsystem: "router", Name: "subgraph_fetch_duration_seconds",
		Help:    "Time of one HTTP request to a subgraph (a retry is another request), by subgraph.",
		Buckets: telemetry.LatencyBuckets(),
	}, []string{"subgraph"})
	fetchErrorsVec := prometheus.NewCounterVec(prometheus.CounterOpts(opts("subgraph_fetch_errors_total",
		"Failed subgraph requests (no answer, unreadable, or a non-2xx status), by subgraph and error code.")), []string{"subgraph", "code"})
	breakerVec := prometheus.NewGaugeVec(prometheus.GaugeOpts(opts("subgraph_breaker_state",
		"Each subgraph's circuit breaker: 0 closed, 1 half-open, 2 open.")), []string{"subgraph"})
	planStat := func(hits bool) func() float64 {
		return func() float64 {
			st := s.state.Load()
			if st == nil {
				return 0
			}
			h, m := st.planner.Stats()
			if hits {
				return float64(h)
			}
			return float64(m)
		}
	}
	// The counts are the served planner's: they restart when a new
	// supergraph is loaded, which Prometheus reads as a counter reset.
	planHits := prometheus.NewCounterFunc(prometheus.CounterOpts(opts("plan_cache_hits_total",
		"Operations whose plan came from the plan cache (since the supergraph was loaded).")), planStat(true))
	planMisses := prometheus.NewCounterFunc(prometheus.CounterOpts(opts("plan_cache_misses_total",
		"Operations that had to be planned (since the supergraph was loaded).")), planStat(false))
	estimated, actual := newCostHistograms()
	for _, c := range []prometheus.Collector{errorsVec, refusedVec, durationVec, fetchErrorsVec, breakerVec, planHits, planMisses, estimated, actual} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("router metrics: %w", err)
		}
	}
	return &RouterMetrics{
		errors: telemetry.NewChildren(maxErrorCodes, overflowLabel, func(code string) prometheus.Counter {
			return errorsVec.WithLabelValues(code)
		}),
		refused: telemetry.NewChildren(maxLimits, overflowLabel, func(limit string) prometheus.Counter {
			return refusedVec.WithLabelValues(limit)
		}),
		fetchDuration: telemetry.NewChildren(maxSubgraphs, overflowLabel, func(sg string) prometheus.Observer {
			return durationVec.WithLabelValues(sg)
		}),
		fetchErrors: telemetry.NewChildren(maxSubgraphs*4, fetchErrorKey{overflowLabel, overflowLabel}, func(k fetchErrorKey) prometheus.Counter {
			return fetchErrorsVec.WithLabelValues(k.subgraph, k.code)
		}),
		breaker:       breakerVec,
		estimatedCost: estimated,
		actualCost:    actual,
	}, nil
}

// GraphQLError counts one error of a response by its extensions.code ("" for
// an error without one).
func (m *RouterMetrics) GraphQLError(code string) {
	if code == "" {
		code = "NO_CODE"
	}
	m.errors.Get(code).Inc()
}

// Refused counts an operation refused for going over limit (such as
// "depth" or "cost").
func (m *RouterMetrics) Refused(limit string) { m.refused.Get(limit).Inc() }

// SetBreakerState shows a subgraph's circuit-breaker state: 0 closed, 1
// half-open, 2 open.
func (m *RouterMetrics) SetBreakerState(subgraph string, state int) {
	m.breaker.WithLabelValues(subgraph).Set(float64(state))
}

// BreakerStateChanged is execute.Options.OnBreakerStateChange: it shows the
// state named "closed", "half-open" or "open".
func (m *RouterMetrics) BreakerStateChanged(subgraph, state string) {
	switch state {
	case "closed":
		m.SetBreakerState(subgraph, 0)
	case "half-open":
		m.SetBreakerState(subgraph, 1)
	case "open":
		m.SetBreakerState(subgraph, 2)
	default:
		if n, err := strconv.Atoi(state); err == nil {
			m.SetBreakerState(subgraph, n)
		}
	}
}

// FetchDone implements execute.Observer.
func (m *RouterMetrics) FetchDone(f execute.FetchResult) {
	m.fetchDuration.Get(f.Subgraph).Observe(f.Duration.Seconds())
	if f.Code != "" {
		m.fetchErrors.Get(fetchErrorKey{f.Subgraph, f.Code}).Inc()
	}
}
