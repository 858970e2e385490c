package plan

import (
	"strconv"
	"testing"
)

func BenchmarkPlan(b *testing.B) {
	cases := []struct {
		name, path, query string
	}{
		{"shop", shopSupergraph, shopQuery},
		{"gateways-benchmark", benchSupergraph, ""},
	}
	for _, c := range cases {
		g := loadGraph(b, c.path)
		q := c.query
		if q == "" {
			q = benchQuery(b)
		}
		b.Run(c.name+"/cold", func(b *testing.B) {
			p := NewPlanner(g, 1)
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				// A distinct document each time defeats the cache.
				if _, _, err := p.Plan(q+" #"+strconv.Itoa(i), "", nil); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(c.name+"/cached", func(b *testing.B) {
			p := NewPlanner(g, 16)
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := p.Plan(q, "", nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
