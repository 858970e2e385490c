package execute

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/shopgraph/shopgraph/gateway/compose"
	"github.com/shopgraph/shopgraph/gateway/internal/testsubgraph"
	"github.com/shopgraph/shopgraph/gateway/plan"
	"github.com/shopgraph/shopgraph/gateway/supergraph"
)

func TestFlightKey(t *testing.T) {
	t.Parallel()
	body := []byte(`{"query":"{ whoami }"}`)
	base := flightKey(body, http.Header{"Authorization": {"Bearer 1"}})
	for name, h := range map[string]http.Header{
		"other token":   {"Authorization": {"Bearer 2"}},
		"extra header":  {"Authorization": {"Bearer 1"}, "X-Tenant": {"t"}},
		"two values":    {"Authorization": {"Bearer 1", "Bearer 2"}},
		"joined values": {"Authorization": {"Bearer 1:Bearer 2"}},
		"none":          nil,
	} {
		if flightKey(body, h) == base {
			t.Errorf("%s: same key as the base", name)
		}
	}
	if flightKey(body, nil) != string(body) {
		t.Error("without headers the key is not the body")
	}
	if flightKey(body, http.Header{"B": {"1"}, "A": {"2"}}) != flightKey(body, http.Header{"A": {"2"}, "B": {"1"}}) {
		t.Error("key depends on map order")
	}
}

type headerSink struct {
	mu   sync.Mutex
	want string
	got  []string
}

func (c *headerSink) Wants(subgraph string) bool { return subgraph == c.want }

func (c *headerSink) Collect(subgraph string, h http.Header) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.got = append(c.got, subgraph+"="+h.Get("X-Answer"))
}

// TestSharedFetchesNeverMixCallers: identical fetches of concurrent requests
// are shared only between requests that send the same headers.
func TestSharedFetchesNeverMixCallers(t *testing.T) {
	t.Parallel()
	sub := testsubgraph.StartWithHeaders(t, testsubgraph.WhoAmI("a", 30*time.Millisecond), func(r *http.Request) http.Header {
		return http.Header{"X-Answer": {r.Header.Get("Authorization")}}
	})
	sdl, err := compose.Compose([]compose.Subgraph{{Name: "a", URL: sub.URL, SDL: testsubgraph.WhoAmI("a", 0).SDL}})
	if err != nil {
		t.Fatal(err)
	}
	g, err := supergraph.Load(sdl)
	if err != nil {
		t.Fatal(err)
	}
	pl, vars, err := plan.NewPlanner(g, 8).Plan(`{ whoami }`, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	e := New(g, Options{})
	t.Cleanup(e.Close)
	users := []string{"user-1", "user-2", ""}
	const perUser = 8
	var wg sync.WaitGroup
	got := make([][]string, len(users))
	for u, user := range users {
		got[u] = make([]string, perUser)
		for i := range perUser {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ctx := context.Background()
				if user != "" {
					ctx = WithSubgraphHeaders(ctx, func(string) http.Header {
						return http.Header{"Authorization": {"Bearer " + user}}
					})
				}
				got[u][i] = string(e.Execute(ctx, pl, vars).Data)
			}()
		}
	}
	wg.Wait()
	for u, user := range users {
		want := `{"whoami":"caller:` + user + `"}`
		if user == "" {
			want = `{"whoami":"anonymous"}`
		}
		for _, g := range got[u] {
			if g != want {
				t.Errorf("%q got %s, want %s", user, g, want)
			}
		}
	}
	n := len(sub.Headers())
	if n < len(users) || n >= len(users)*perUser {
		t.Errorf("subgraph got %d requests for %d callers of %d identities: want some shared, none across identities", n, len(users)*perUser, len(users))
	}

	// A fetch whose response headers are collected runs for its request alone,
	// and its headers reach that request's headerSink only.
	before := len(sub.Headers())
	cols := make([]*headerSink, 4)
	for i := range cols {
		cols[i] = &headerSink{want: "a"}
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx := WithResponseHeaders(WithSubgraphHeaders(context.Background(), func(string) http.Header {
				return http.Header{"Authorization": {"Bearer same"}}
			}), cols[i])
			e.Execute(ctx, pl, vars)
		}()
	}
	wg.Wait()
	if n := len(sub.Headers()) - before; n != len(cols) {
		t.Errorf("%d subgraph requests for %d collecting callers, want one each", n, len(cols))
	}
	for i, c := range cols {
		if len(c.got) != 1 || c.got[0] != "a=Bearer same" {
			t.Errorf("collector %d got %v", i, c.got)
		}
	}
}

func TestRequestHeadersKeepTheRoutersOwn(t *testing.T) {
	t.Parallel()
	base := requestHeader(http.Header{"X-Static": {"s"}})
	got := withRequestHeaders(base, http.Header{"Authorization": {"Bearer x"}, "X-Static": {"client"}})
	if got.Get("Content-Type") != "application/json" || got.Get("Authorization") != "Bearer x" || got.Get("X-Static") != "s" {
		t.Errorf("merged headers = %v", got)
	}
	if base.Get("Authorization") != "" {
		t.Error("the shared base header was modified")
	}
	if h := withRequestHeaders(base, nil); len(h) != len(base) {
		t.Errorf("without extra headers: %v", h)
	}
}
