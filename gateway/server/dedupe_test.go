package server

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shopgraph/shopgraph/gateway/execute"
	"github.com/shopgraph/shopgraph/gateway/plan"
	"github.com/shopgraph/shopgraph/gateway/supergraph"
)

func TestDedupedExecutorSharesIdenticalQueries(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	sub := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		time.Sleep(100 * time.Millisecond)
		_, _ = w.Write([]byte(`{"data":{"hello":"world"}}`))
	}))
	defer sub.Close()
	g, err := supergraph.Load(`schema @link(url: "https://specs.apollo.dev/link/v1.0") @link(url: "https://specs.apollo.dev/join/v0.3", for: EXECUTION) { query: Query }
directive @join__graph(name: String!, url: String!) on ENUM_VALUE
directive @join__type(graph: join__Graph!, key: String, extension: Boolean! = false, resolvable: Boolean! = true, isInterfaceObject: Boolean! = false) repeatable on OBJECT
directive @link(url: String, as: String, for: link__Purpose, import: [link__Import]) repeatable on SCHEMA
scalar link__Import
enum link__Purpose { SECURITY EXECUTION }
enum join__Graph { A @join__graph(name: "a", url: "` + sub.URL + `") }
type Query @join__type(graph: A) { hello: String }`)
	if err != nil {
		t.Fatal(err)
	}
	p := plan.NewPlanner(g, 4)
	pl, vars, err := p.Plan(`{ hello }`, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		exec executor
		want int32
	}{
		{"on", newDedupedExecutor(execute.New(g, execute.Options{})), 1},
		{"off", execute.New(g, execute.Options{NoDedupe: true}), 4},
	} {
		hits.Store(0)
		var wg sync.WaitGroup
		for i := 0; i < 4; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				resp := tc.exec.Execute(context.Background(), pl, vars)
				if string(resp.Data) != `{"hello":"world"}` {
					t.Errorf("%s: data = %s", tc.name, resp.Data)
				}
			}()
		}
		wg.Wait()
		tc.exec.Close()
		if n := hits.Load(); n != tc.want {
			t.Errorf("dedupe %s: subgraph got %d requests, want %d", tc.name, n, tc.want)
		}
	}
}
