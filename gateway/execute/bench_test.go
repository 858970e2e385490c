package execute

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"sync"
	"testing"

	"github.com/shopgraph/shopgraph/gateway/plan"
)

// replay answers subgraph requests from responses recorded from the real test
// subgraphs, so that the benchmark measures the router, not the subgraphs.
type replay struct {
	mu   sync.Mutex
	next http.RoundTripper
	seen map[string][]byte
	rec  bool
}

func (r *replay) RoundTrip(req *http.Request) (*http.Response, error) {
	body, _ := io.ReadAll(req.Body)
	key := req.URL.String() + "\x00" + string(body)
	r.mu.Lock()
	resp, ok := r.seen[key]
	r.mu.Unlock()
	if !ok {
		if !r.rec {
			return &http.Response{StatusCode: 500, Body: io.NopCloser(bytes.NewReader(nil)), Request: req}, nil
		}
		req.Body = io.NopCloser(bytes.NewReader(body))
		res, err := r.next.RoundTrip(req)
		if err != nil {
			return nil, err
		}
		resp, _ = io.ReadAll(res.Body)
		res.Body.Close()
		r.mu.Lock()
		r.seen[key] = resp
		r.mu.Unlock()
	}
	return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}}, Body: io.NopCloser(bytes.NewReader(resp)), Request: req}, nil
}

func BenchmarkExecuteShop(b *testing.B) {
	s := startShop(b, nil)
	q := `{ products(first: 3) { totalCount edges { cursor node { id name
	    variants { sku weight shippingEstimate(country: "US") { amount currencyCode } }
	    reviews(first: 2) { edges { node { rating title author { id name } } } } } } } }`
	pl, vars, err := plan.NewPlanner(s.g, 8).Plan(q, "", nil)
	if err != nil {
		b.Fatal(err)
	}
	rp := &replay{next: http.DefaultTransport, seen: map[string][]byte{}, rec: true}
	e := New(s.g, Options{Transport: rp})
	if resp := e.Execute(context.Background(), pl, vars); resp.Data == nil {
		b.Fatal("no data")
	}
	rp.rec = false
	b.ReportAllocs()
	for b.Loop() {
		resp := e.Execute(context.Background(), pl, vars)
		if len(resp.Data) < 100 {
			b.Fatalf("short response %s %+v", resp.Data, resp.Errors)
		}
	}
}
