package telemetry

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Namespace prefixes every shopgraph metric name.
const Namespace = "shopgraph"

// LatencyBuckets returns the bounds, in seconds, of the latency histograms:
// the router answers a cached plan in well under a millisecond, so the buckets
// start below Prometheus's default 5 ms.
func LatencyBuckets() []float64 {
	return []float64{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30}
}

// NewRegistry returns a registry of a component's own, holding the Go runtime
// and process collectors. Each component (and each test) has its own, so that
// nothing depends on Prometheus's global default registry.
func NewRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	return reg
}

// MetricsHandler serves reg's metrics in the Prometheus exposition formats.
func MetricsHandler(reg *prometheus.Registry) http.Handler {
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg})
}

// methodNames are the HTTP methods with a label value of their own, at
// their index; others count as "OTHER" (index 0), so that a client cannot
// invent label values.
const methodNames = "OTHER GET POST HEAD OPTIONS PUT DELETE PATCH"

func methodIndex(m string) uint8 {
	switch m {
	case http.MethodGet:
		return 1
	case http.MethodPost:
		return 2
	case http.MethodHead:
		return 3
	case http.MethodOptions:
		return 4
	case http.MethodPut:
		return 5
	case http.MethodDelete:
		return 6
	case http.MethodPatch:
		return 7
	}
	return 0
}

// methodLabel is the label value of a method index.
func methodLabel(i uint8) string { return strings.Fields(methodNames)[i] }

// HTTPMetrics are the request metrics of one component's HTTP server.
type HTTPMetrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	inFlight prometheus.Gauge
	routes   []string
	// Children of the vectors, by route and method index and status code.
	counts *Children[httpKey, prometheus.Counter]
	hists  *Children[httpKey, prometheus.Observer]
}

type httpKey struct {
	route, method uint8
	code          uint16
}

// maxHTTPChildren bounds the label combinations: routes times methods times
// the status codes a server actually sends.
const maxHTTPChildren = 1024

// NewHTTPMetrics registers the HTTP metrics of component into reg. Requests
// are labelled by route: the path when it is one of routes (a route ending in
// "/" also stands for the paths below it), else "other".
func NewHTTPMetrics(reg prometheus.Registerer, component string, routes ...string) (*HTTPMetrics, error) {
	if len(routes) > 250 {
		return nil, fmt.Errorf("telemetry: %d routes: at most 250", len(routes))
	}
	constLabels := prometheus.Labels{"component": component}
	m := &HTTPMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: Namespace, Subsystem: "http", Name: "requests_total",
			Help:        "HTTP requests served, by route, method and status code.",
			ConstLabels: constLabels,
		}, []string{"route", "method", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: Namespace, Subsystem: "http", Name: "request_duration_seconds",
			Help:        "Time to serve an HTTP request, from its headers read to the handler's return, by route and method.",
			ConstLabels: constLabels,
			Buckets:     LatencyBuckets(),
		}, []string{"route", "method"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: Namespace, Subsystem: "http", Name: "requests_in_flight",
			Help:        "HTTP requests being served.",
			ConstLabels: constLabels,
		}),
		routes: append([]string{"other"}, routes...),
	}
	for _, c := range []prometheus.Collector{m.requests, m.duration, m.inFlight} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("telemetry: register HTTP metrics of %s: %w", component, err)
		}
	}
	m.counts = NewChildren(maxHTTPChildren, httpKey{code: 0}, func(k httpKey) prometheus.Counter {
		code := "other"
		if k.code != 0 {
			code = fmt.Sprint(k.code)
		}
		return m.requests.WithLabelValues(m.routes[k.route], methodLabel(k.method), code)
	})
	m.hists = NewChildren(maxHTTPChildren, httpKey{}, func(k httpKey) prometheus.Observer {
		return m.duration.WithLabelValues(m.routes[k.route], methodLabel(k.method))
	})
	return m, nil
}

// route returns the index of path's route label.
func (m *HTTPMetrics) route(path string) uint8 {
	for i := 1; i < len(m.routes); i++ {
		r := m.routes[i]
		if path == r || (len(r) > 1 && r[len(r)-1] == '/' && len(path) > len(r) && path[:len(r)] == r) {
			return uint8(i)
		}
	}
	return 0
}

// RouteLabel returns the route label of a request path.
func (m *HTTPMetrics) RouteLabel(path string) string { return m.routes[m.route(path)] }
