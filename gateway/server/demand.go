package server

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/shopgraph/shopgraph/internal/telemetry"
)

// Demand control's metrics, as Apollo Router reports them: the estimated cost of
// every operation that ran (the estimate the cost limit checked) and its actual
// cost (the same weights over the lists the answer really holds, see
// limits.Config.ActualCost). Operations refused for their estimate are counted
// by operations_refused_total{limit="cost"}. The histograms carry no labels: the
// router's other metrics are not labelled by operation either, whose names
// clients choose without bound.

func newCostHistograms() (estimated, actual prometheus.Histogram) {
	// From a leaf query (0) to well past the default limit (50,000).
	buckets := []float64{0, 1, 5, 10, 50, 100, 500, 1000, 5000, 10_000, 50_000, 100_000, 1_000_000}
	opts := func(name, help string) prometheus.HistogramOpts {
		return prometheus.HistogramOpts{Namespace: telemetry.Namespace, Subsystem: "router", Name: name, Help: help, Buckets: buckets}
	}
	estimated = prometheus.NewHistogram(opts("operation_cost_estimated",
		"Estimated cost of each operation run (@cost weights, list sizes from slicing arguments, @listSize or the default)."))
	actual = prometheus.NewHistogram(opts("operation_cost_actual",
		"Actual cost of each operation run: the estimate's weights over the list lengths of its response."))
	return estimated, actual
}

// observeCost records the estimated and actual cost of the operation res ran,
// when limits.costMetrics is on.
// It is called once the response is written: the actual cost rereads the
// response, which should not delay it.
func (s *Server) observeCost(res result) {
	op := res.ran
	if op == nil || !s.cfg.Limits.CostMetrics {
		return
	}
	d, ok := op.st.planner.Demand(op.query, op.operationName, op.vars)
	if !ok {
		return
	}
	s.tel.metrics.estimatedCost.Observe(float64(d.Estimated))
	actual, err := s.cfg.Limits.ActualCost(op.st.graph, d.Doc, d.Op, op.vars, res.body)
	if err != nil {
		// The router wrote the response itself: this is a bug, not a client's fault.
		s.log.Warn("cannot measure the actual cost", "err", err, "operation", op.operationName)
		return
	}
	s.tel.metrics.actualCost.Observe(float64(actual))
}
