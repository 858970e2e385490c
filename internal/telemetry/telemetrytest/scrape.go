package telemetrytest

import (
	"io"
	"net/http"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// Metrics are the metric families of one scrape, by name.
type Metrics map[string]*dto.MetricFamily

// Scrape fetches url (a /metrics endpoint) over HTTP and parses the text
// exposition format, failing the test on any error.
func Scrape(t testing.TB, url string) Metrics {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "text/plain; version=0.0.4")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("scrape %s: %v", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("scrape %s: HTTP %d: %s", url, resp.StatusCode, b)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("scrape %s: parse: %v", url, err)
	}
	return Metrics(fams)
}

// matching returns the series of family name whose labels include the
// name/value pairs of labels.
func (m Metrics) matching(name string, labels ...string) []*dto.Metric {
	fam := m[name]
	if fam == nil {
		return nil
	}
	var out []*dto.Metric
	for _, s := range fam.Metric {
		ok := true
		for i := 0; i+1 < len(labels); i += 2 {
			found := false
			for _, lp := range s.Label {
				if lp.GetName() == labels[i] && lp.GetValue() == labels[i+1] {
					found = true
					break
				}
			}
			if !found {
				ok = false
				break
			}
		}
		if ok {
			out = append(out, s)
		}
	}
	return out
}

// Value returns the sum of the counter, gauge or untyped series of name whose
// labels include labels (name, value, name, value, ...); 0 when none matches.
func (m Metrics) Value(name string, labels ...string) float64 {
	var sum float64
	for _, s := range m.matching(name, labels...) {
		switch {
		case s.Counter != nil:
			sum += s.Counter.GetValue()
		case s.Gauge != nil:
			sum += s.Gauge.GetValue()
		case s.Untyped != nil:
			sum += s.Untyped.GetValue()
		}
	}
	return sum
}

// Count returns the total observation count of the histogram series of name
// whose labels include labels.
func (m Metrics) Count(name string, labels ...string) uint64 {
	var n uint64
	for _, s := range m.matching(name, labels...) {
		if s.Histogram != nil {
			n += s.Histogram.GetSampleCount()
		}
	}
	return n
}

// Has reports whether family name was exposed.
func (m Metrics) Has(name string) bool { return m[name] != nil }
