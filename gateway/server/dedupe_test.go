package server

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// helloSupergraph is a one-subgraph supergraph whose subgraph answers at url.
func helloSupergraph(url string) string {
	return `schema @link(url: "https://specs.apollo.dev/link/v1.0") @link(url: "https://specs.apollo.dev/join/v0.3", for: EXECUTION) { query: Query }
directive @join__graph(name: String!, url: String!) on ENUM_VALUE
directive @join__type(graph: join__Graph!, key: String, extension: Boolean! = false, resolvable: Boolean! = true, isInterfaceObject: Boolean! = false) repeatable on OBJECT
directive @link(url: String, as: String, for: link__Purpose, import: [link__Import]) repeatable on SCHEMA
scalar link__Import
enum link__Purpose { SECURITY EXECUTION }
enum join__Graph { A @join__graph(name: "a", url: "` + url + `") }
type Query @join__type(graph: A) { hello: String }`
}

// slowHello is a subgraph that answers {hello: "world"} after release closes
// (or at once when release is nil), counting its requests.
func slowHello(t *testing.T, hits *atomic.Int32, release <-chan struct{}) *httptest.Server {
	t.Helper()
	sub := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if release != nil {
			select {
			case <-release:
			case <-r.Context().Done():
				return
			}
		}
		_, _ = w.Write([]byte(`{"data":{"hello":"world"}}`))
	}))
	t.Cleanup(sub.Close)
	return sub
}

func postCtx(ctx context.Context, h http.Handler, body string, header http.Header) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	req := httptest.NewRequestWithContext(ctx, http.MethodPost, "/graphql", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header[k] = v
	}
	h.ServeHTTP(rec, req)
	return rec
}

func TestDedupeSharesIdenticalQueries(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		disable bool
		want    int32
	}{{"on", false, 1}, {"off", true, 4}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var hits atomic.Int32
			release := make(chan struct{})
			sub := slowHello(t, &hits, release)
			s, err := New(Config{SupergraphSDL: helloSupergraph(sub.URL), Dedupe: new(!tc.disable)}, nil)
			if err != nil {
				t.Fatal(err)
			}
			h := s.Handler()
			var wg sync.WaitGroup
			bodies := make([]string, 4)
			for i := range bodies {
				wg.Add(1)
				go func() {
					defer wg.Done()
					bodies[i] = postCtx(context.Background(), h, `{"query":"{ hello }"}`, nil).Body.String()
				}()
			}
			time.Sleep(50 * time.Millisecond)
			close(release)
			wg.Wait()
			for _, b := range bodies {
				if b != `{"data":{"hello":"world"}}` {
					t.Errorf("body = %s", b)
				}
			}
			if n := hits.Load(); n != tc.want {
				t.Errorf("subgraph got %d requests, want %d", n, tc.want)
			}
		})
	}
}

// TestDedupeFirstClientLeaves: when the client whose request started a shared
// execution disconnects, the clients sharing it still get the data.
func TestDedupeFirstClientLeaves(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	release := make(chan struct{})
	sub := slowHello(t, &hits, release)
	s, err := New(Config{SupergraphSDL: helloSupergraph(sub.URL)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	h := s.Handler()
	firstCtx, disconnect := context.WithCancel(context.Background())
	first := make(chan struct{})
	go func() {
		defer close(first)
		postCtx(firstCtx, h, `{"query":"{ hello }"}`, nil)
	}()
	for hits.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	second := make(chan string)
	go func() { second <- postCtx(context.Background(), h, `{"query":"{ hello }"}`, nil).Body.String() }()
	time.Sleep(30 * time.Millisecond) // the second request joins the first one's run
	disconnect()
	time.Sleep(30 * time.Millisecond)
	close(release)
	if b := <-second; b != `{"data":{"hello":"world"}}` {
		t.Errorf("second client got %s", b)
	}
	<-first
	if n := hits.Load(); n != 1 {
		t.Errorf("subgraph got %d requests, want 1 shared one", n)
	}
}

func TestQueryPlanExtension(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	sub := slowHello(t, &hits, nil)
	s, err := New(Config{SupergraphSDL: helloSupergraph(sub.URL)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	h := s.Handler()
	for _, tc := range []struct {
		name   string
		body   string
		header http.Header
		want   bool
	}{
		{"default", `{"query":"{ hello }"}`, nil, false},
		{"header", `{"query":"{ hello }"}`, http.Header{QueryPlanHeader: {"true"}}, true},
		{"extensions", `{"query":"{ hello }","extensions":{"queryPlan":true}}`, nil, true},
		{"header off", `{"query":"{ hello }"}`, http.Header{QueryPlanHeader: {"false"}}, false},
	} {
		var out struct {
			Data       map[string]any `json:"data"`
			Extensions struct {
				QueryPlan *struct {
					Text   string `json:"text"`
					Object struct {
						Kind string `json:"kind"`
						Node struct {
							Kind        string `json:"kind"`
							ServiceName string `json:"serviceName"`
						} `json:"node"`
					} `json:"object"`
				} `json:"queryPlan"`
			} `json:"extensions"`
		}
		rec := postCtx(context.Background(), h, tc.body, tc.header)
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
			t.Fatalf("%s: %v: %s", tc.name, err, rec.Body)
		}
		if out.Data["hello"] != "world" {
			t.Errorf("%s: data = %v", tc.name, out.Data)
		}
		qp := out.Extensions.QueryPlan
		if (qp != nil) != tc.want {
			t.Fatalf("%s: query plan present = %v, want %v: %s", tc.name, qp != nil, tc.want, rec.Body)
		}
		if qp != nil && (!strings.Contains(qp.Text, `Fetch(service: "a"`) || qp.Object.Kind != "QueryPlan" || qp.Object.Node.Kind != "Fetch" || qp.Object.Node.ServiceName != "a") {
			t.Errorf("%s: query plan = %+v", tc.name, qp)
		}
	}
}
