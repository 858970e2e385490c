package telemetry

import (
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
)

// PoolCollector exports a pgx pool's statistics, read at each scrape.
type PoolCollector struct {
	pool                          *pgxpool.Pool
	acquired, idle, total, max    *prometheus.Desc
	acquires, emptyAcquires, wait *prometheus.Desc
}

// NewPoolCollector returns a collector of pool's statistics, labelled with
// the database's name db.
func NewPoolCollector(pool *pgxpool.Pool, db string) *PoolCollector {
	labels := prometheus.Labels{"database": db}
	desc := func(name, help string) *prometheus.Desc {
		return prometheus.NewDesc(prometheus.BuildFQName(Namespace, "db_pool", name), help, nil, labels)
	}
	return &PoolCollector{
		pool:          pool,
		acquired:      desc("acquired_connections", "Connections in use."),
		idle:          desc("idle_connections", "Idle connections."),
		total:         desc("connections", "Open connections (in use, idle and being opened)."),
		max:           desc("max_connections", "The pool's size limit."),
		acquires:      desc("acquires_total", "Connections acquired from the pool."),
		emptyAcquires: desc("empty_acquires_total", "Acquires that had to wait or open a connection because none was idle."),
		wait:          desc("acquire_wait_seconds_total", "Time spent waiting for a connection."),
	}
}

// Describe implements prometheus.Collector.
func (c *PoolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.acquired, c.idle, c.total, c.max, c.acquires, c.emptyAcquires, c.wait} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c *PoolCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.pool.Stat()
	ch <- prometheus.MustNewConstMetric(c.acquired, prometheus.GaugeValue, float64(s.AcquiredConns()))
	ch <- prometheus.MustNewConstMetric(c.idle, prometheus.GaugeValue, float64(s.IdleConns()))
	ch <- prometheus.MustNewConstMetric(c.total, prometheus.GaugeValue, float64(s.TotalConns()))
	ch <- prometheus.MustNewConstMetric(c.max, prometheus.GaugeValue, float64(s.MaxConns()))
	ch <- prometheus.MustNewConstMetric(c.acquires, prometheus.CounterValue, float64(s.AcquireCount()))
	ch <- prometheus.MustNewConstMetric(c.emptyAcquires, prometheus.CounterValue, float64(s.EmptyAcquireCount()))
	ch <- prometheus.MustNewConstMetric(c.wait, prometheus.CounterValue, s.AcquireDuration().Seconds())
}
