package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/shopgraph/shopgraph/bench/pageload"
)

// benchDo posts an operation as token ("" for none) and decodes data[name]
// into out; any error fails the benchmark.
func benchDo(b *testing.B, client *http.Client, url, token, query string, vars map[string]any, name string, out any) {
	b.Helper()
	if err := postOperation(b.Context(), client, url, token, query, vars, name, out); err != nil {
		b.Fatal(err)
	}
}

// postOperation posts an operation as token ("" for none) and decodes
// data[name] into out; a transport failure, GraphQL errors or a missing field
// are errors.
func postOperation(ctx context.Context, client *http.Client, url, token, query string, vars map[string]any, name string, out any) error {
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var r struct {
		Data   map[string]json.RawMessage
		Errors []json.RawMessage
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		return fmt.Errorf("HTTP %d: %w", resp.StatusCode, err)
	}
	if len(r.Errors) > 0 || r.Data[name] == nil {
		return fmt.Errorf("%s: %s", name, r.Errors)
	}
	return json.Unmarshal(r.Data[name], out)
}

// BenchmarkCheckout measures checkouts through the router and the three
// subgraph processes: 8 guests at once, each creating a cart of two variants
// and checking it out with the test card, 400 checkouts a run. It reports the
// checkout call's p50 and p99, checkouts per second and the statements the
// subgraphs ran per checkout (carts are made beforehand, outside the timing).
func BenchmarkCheckout(b *testing.B) {
	router, bases := benchSystem(b)
	client := &http.Client{Timeout: 30 * time.Second}
	var signIn struct{ Tokens struct{ AccessToken string } }
	benchDo(b, client, router, "", `mutation { signIn(input: {email: "admin@shopgraph.dev", password: "Granite-Orchard-97"}) { tokens { accessToken } } }`,
		nil, "signIn", &signIn)
	var product struct{ Variants []struct{ ID string } }
	benchDo(b, client, router, "", `{ product(slug: "merino-crew-sweater") { variants { id } } }`, nil, "product", &product)
	variants := product.Variants[:2]
	for _, v := range variants {
		var set struct{ UserErrors []struct{ Code string } }
		benchDo(b, client, router, signIn.Tokens.AccessToken, `mutation($id: ID!) { setStock(variantId: $id, onHand: 1000000) { userErrors { code } } }`,
			map[string]any{"id": v.ID}, "setStock", &set)
	}
	shoppers, perRun := 8, 400
	if n, err := strconv.Atoi(os.Getenv("SHOPGRAPH_BENCH_SHOPPERS")); err == nil && n > 0 {
		shoppers = n
	}
	run := 0
	for b.Loop() {
		run++
		carts := make([]string, perRun)
		for i := range carts {
			var p struct{ Cart struct{ ID string } }
			benchDo(b, client, router, "", `mutation($l: [CartLineInput!]!) { cartCreate(lines: $l) { cart { id } } }`,
				map[string]any{"l": []any{map[string]any{"variantId": variants[0].ID, "quantity": 1}, map[string]any{"variantId": variants[1].ID, "quantity": 2}}},
				"cartCreate", &p)
			carts[i] = p.Cart.ID
		}
		var (
			mu        sync.Mutex
			latencies []time.Duration
			failures  int
			wg        sync.WaitGroup
			next      = make(chan int)
		)
		before := statements(b, bases)
		began := time.Now()
		for range shoppers {
			wg.Go(func() {
				for i := range next {
					start := time.Now()
					res, err := checkoutOnce(b.Context(), client, router, carts[i], fmt.Sprintf("bench-%d-%d", run, i), "4242424242424242")
					took := time.Since(start)
					mu.Lock()
					latencies = append(latencies, took)
					if err != nil || res.Order == nil {
						failures++
					}
					mu.Unlock()
				}
			})
		}
		for i := range carts {
			next <- i
		}
		close(next)
		wg.Wait()
		elapsed := time.Since(began)
		perCheckout := float64(statements(b, bases)-before) / float64(perRun)
		s := pageload.Summarize("checkout", latencies, failures)
		b.Logf("%s  (%d shoppers, %.0f checkouts/s, %.1f statements each)", s, shoppers, float64(perRun)/elapsed.Seconds(), perCheckout)
		if failures > 0 {
			b.Errorf("%d checkouts failed", failures)
		}
		b.ReportMetric(float64(s.P50.Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(s.P99.Microseconds())/1000, "p99-ms")
		b.ReportMetric(float64(perRun)/elapsed.Seconds(), "checkouts/s")
		b.ReportMetric(perCheckout, "statements/checkout")
	}
}
