package server

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/shopgraph/shopgraph/gateway/internal/testsubgraph"
)

// addressSubgraph is a subgraph named "users" whose query field `address` and
// mutation `signIn` answer the X-Forwarded-For they received, after delay.
func addressSubgraph(delay time.Duration) *testsubgraph.Subgraph {
	answer := func(ctx context.Context, _, _ map[string]any) (any, error) {
		select {
		case <-time.After(delay):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		return testsubgraph.RequestHeader(ctx).Get("X-Forwarded-For"), nil
	}
	return &testsubgraph.Subgraph{
		Name: "users",
		SDL: `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
type Query { address: String }
type Mutation { signIn: String }`,
		Resolvers: map[string]testsubgraph.Resolver{"Query.address": answer, "Mutation.signIn": answer},
	}
}

// TestSubgraphsSeeTheClientAddress: the router sends the client's address in
// X-Forwarded-For; the test client connects from 127.0.0.1.
func TestSubgraphsSeeTheClientAddress(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		rules string
		sent  []string // the client's X-Forwarded-For
		want  []string // what the subgraph receives
	}{
		{"direct client", ``, nil, []string{"127.0.0.1"}},
		{"untrusted client's own header dropped", ``, []string{"6.6.6.6"}, []string{"127.0.0.1"}},
		{"trusted proxy's chain extended", `trustedProxies: [127.0.0.1/32]`, []string{"1.2.3.4"}, []string{"1.2.3.4, 127.0.0.1"}},
		{"off: absent", `forwardClientAddress: false`, []string{"1.2.3.4"}, nil},
		{"off: a rule propagates it as sent", `
forwardClientAddress: false
all: {request: [{propagate: {named: X-Forwarded-For}}]}`, []string{"1.2.3.4"}, []string{"1.2.3.4"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			url, subs := startEdgeRouter(t, Config{Headers: headersConfig(t, tc.rules)}, edgeSubgraph{sg: addressSubgraph(0)})
			a := postEdge(t, url, `{ address }`, http.Header{"X-Forwarded-For": tc.sent})
			if a.status != http.StatusOK || len(a.Errors) > 0 {
				t.Fatalf("status %d: %s", a.status, a.raw)
			}
			got := subs["users"].Headers()
			if len(got) != 1 {
				t.Fatalf("subgraph got %d requests, want 1", len(got))
			}
			if vs := got[0].Values("X-Forwarded-For"); !slices.Equal(vs, tc.want) {
				t.Errorf("subgraph received X-Forwarded-For %q, want %q", vs, tc.want)
			}
		})
	}
}

// TestMutationsCarryEachCallersAddress: identical concurrent mutations are
// never shared, so each reaches the subgraph with its own client's address.
func TestMutationsCarryEachCallersAddress(t *testing.T) {
	t.Parallel()
	url, subs := startEdgeRouter(t, Config{Headers: headersConfig(t, `trustedProxies: [127.0.0.1/32]`)},
		edgeSubgraph{sg: addressSubgraph(20 * time.Millisecond)})
	const callers = 6
	var wg sync.WaitGroup
	for i := range callers {
		client := fmt.Sprintf("198.51.100.%d", i+1)
		wg.Go(func() {
			a := postEdge(t, url, `mutation { signIn }`, http.Header{"X-Forwarded-For": {client}})
			if want := client + ", 127.0.0.1"; a.status != http.StatusOK || a.Data["signIn"] != want {
				t.Errorf("client %s: got %d %s, want signIn %q", client, a.status, a.raw, want)
			}
		})
	}
	wg.Wait()
	if n := len(subs["users"].Headers()); n != callers {
		t.Errorf("subgraph got %d sign-ins for %d callers", n, callers)
	}
}

// TestCallerKeyLeavesOutTheAddress: two shoppers' identical anonymous reads
// share a run although the subgraphs would see different addresses.
func TestCallerKeyLeavesOutTheAddress(t *testing.T) {
	t.Parallel()
	s, err := New(Config{SupergraphSDL: helloSupergraph("http://127.0.0.1:1"), Headers: headersConfig(t, `trustedProxies: [10.0.0.0/8]`)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	p, _, err := s.state.Load().planner.Plan(`{ hello }`, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	keyOf := func(peer string, h http.Header) string {
		t.Helper()
		r := httptest.NewRequest(http.MethodPost, "/graphql", nil)
		r.RemoteAddr, r.Header = peer, h
		ctx, ae := s.prepareRequest(r)
		if ae != nil {
			t.Fatal(ae.message)
		}
		k, ok := callerKey(ctx, p)
		if !ok {
			t.Fatal("not shareable")
		}
		return k
	}
	for _, pair := range [][2]string{
		{keyOf("203.0.113.1:1", http.Header{}), keyOf("203.0.113.2:1", http.Header{})},
		{keyOf("10.0.0.1:1", http.Header{"X-Forwarded-For": {"1.1.1.1"}}), keyOf("10.0.0.2:1", http.Header{"X-Forwarded-For": {"2.2.2.2"}})},
		{keyOf("203.0.113.1:1", bearer("1")), keyOf("203.0.113.2:1", bearer("1"))},
	} {
		if pair[0] != pair[1] {
			t.Errorf("the address split the key: %q != %q", pair[0], pair[1])
		}
	}
	if a, b := keyOf("203.0.113.1:1", bearer("1")), keyOf("203.0.113.1:1", bearer("2")); a == b {
		t.Errorf("two tokens share key %q", a)
	}
}
