package execute

import (
	"context"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/shopgraph/shopgraph/gateway/plan"
	"github.com/shopgraph/shopgraph/gateway/supergraph"
)

// BenchmarkExecuteGatewaysBenchmark runs the gateways-benchmark query against
// answers recorded from its subgraphs (which must run on 127.0.0.1:4301 for the
// recording; the benchmark skips otherwise): planning is cached, so this measures
// fetch bodies, parsing, merging and shaping.
func BenchmarkExecuteGatewaysBenchmark(b *testing.B) {
	const dir = "../../../shared/bench/gateways-benchmark/"
	c := http.Client{Timeout: 300 * time.Millisecond}
	if resp, err := c.Get("http://127.0.0.1:4301/health"); err != nil {
		b.Skip("gateways-benchmark subgraphs are not running on 127.0.0.1:4301")
	} else {
		resp.Body.Close()
	}
	sdl, err := os.ReadFile(dir + "schema/supergraph.graphql")
	if err != nil {
		b.Skip(err)
	}
	raw, _ := os.ReadFile(dir + "query.json")
	q := string(raw)
	q = q[strings.Index(q, `"query":"`)+9 : strings.LastIndex(q, `"`)]
	q = strings.NewReplacer(`\n`, "\n", `\"`, `"`).Replace(q)
	g, err := supergraph.Load(string(sdl))
	if err != nil {
		b.Fatal(err)
	}
	pl, vars, err := plan.NewPlanner(g, 8).Plan(q, "", nil)
	if err != nil {
		b.Fatal(err)
	}
	rp := &replay{next: http.DefaultTransport, seen: map[string][]byte{}, rec: true}
	e := New(g, Options{Transport: rp, Dedupe: new(bool)})
	if resp := e.Execute(context.Background(), pl, vars); resp.Data == nil || len(resp.Errors) > 0 {
		b.Fatalf("recording failed: %+v", resp.Errors)
	}
	rp.rec = false
	b.ReportAllocs()
	for b.Loop() {
		resp := e.Execute(context.Background(), pl, vars)
		if len(resp.Data) < 1000 || len(resp.Errors) > 0 {
			b.Fatalf("short response %s %+v", resp.Data, resp.Errors)
		}
	}
}
