package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shopgraph/shopgraph/bench/pageload"
	"github.com/shopgraph/shopgraph/internal/pg/pgtest"
)

// benchSystem runs the three subgraphs and the router as their own processes on
// fresh seeded databases; the catalog's is SHOPGRAPH_BENCH_SCALE_URL when set (a
// catalog seeded with `shopgraph seed --scale 1000000`), left as it is. It returns
// the router's /graphql URL and the subgraphs' base URLs.
func benchSystem(b *testing.B) (string, []string) {
	b.Helper()
	if testing.Short() {
		b.Skip("builds and runs the binary")
	}
	bin := filepath.Join(b.TempDir(), "shopgraph")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		b.Fatalf("go build: %v", err)
	}
	urls := map[string]string{}
	var env []string
	for _, name := range subgraphNames {
		urls[name] = pgtest.NewURL(b, nil)
		if scale := os.Getenv("SHOPGRAPH_BENCH_SCALE_URL"); name == "catalog" && scale != "" {
			urls[name] = scale
		}
		env = append(env, envPrefix(name)+"DATABASE_URL="+urls[name])
	}
	seed := exec.Command(bin, "seed")
	seed.Env = append(os.Environ(), env...)
	if out, err := seed.CombinedOutput(); err != nil {
		b.Fatalf("shopgraph seed: %v\n%s", err, out)
	}
	addrs := map[string]string{}
	for _, name := range subgraphNames {
		addrs[name] = benchAddr(b)
	}
	// As `shopgraph dev` wires them: orders calls the catalog's internal API
	// and the users service; catalog and orders trust the users service's keys.
	const serviceToken = "bench-catalog-service-token-0123456789"
	jwks := "http://" + addrs["users"] + "/.well-known/jwks.json"
	env = append(env, "CATALOG_SERVICE_TOKEN="+serviceToken, "ORDERS_CATALOG_SERVICE_TOKEN="+serviceToken,
		"ORDERS_CATALOG_URL=http://"+addrs["catalog"], "ORDERS_USERS_URL=http://"+addrs["users"]+"/graphql",
		"CATALOG_JWKS_URL="+jwks, "ORDERS_JWKS_URL="+jwks)
	var list, bases []string
	for _, name := range subgraphNames {
		addr := addrs[name]
		benchStart(b, bin, env, "serve", name, "--listen", addr, "--log-level", "warn")
		list = append(list, name+"=http://"+addr+"/graphql")
		bases = append(bases, "http://"+addr)
	}
	addr := benchAddr(b)
	benchStart(b, bin, []string{"ROUTER_SUBGRAPHS=" + strings.Join(list, ",")}, "serve", "router", "--listen", addr, "--log-level", "warn")
	return "http://" + addr + "/graphql", bases
}

func benchAddr(b *testing.B) string {
	b.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// benchStart starts a component and waits until its /readyz answers.
func benchStart(b *testing.B, bin string, env []string, args ...string) {
	b.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	var out syncBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	p := &process{cmd: cmd, out: &out, done: done}
	b.Cleanup(p.stop)
	addr := args[len(args)-3]
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	ready := make(chan bool, 1)
	go func() { ready <- waitReady(ctx, "http://"+addr+"/readyz") }()
	select {
	case ok := <-ready:
		if !ok {
			b.Fatalf("shopgraph %v never became ready:\n%s", args, out.String())
		}
	case <-done:
		b.Fatalf("shopgraph %v exited:\n%s", args, out.String())
	}
}

// statements sums the subgraphs' connection acquires from their /metrics: each
// statement a store sends (a batch included) acquires a pool connection once.
func statements(b *testing.B, bases []string) int64 {
	b.Helper()
	var sum int64
	for _, base := range bases {
		resp, err := http.Get(base + "/metrics")
		if err != nil {
			b.Fatal(err)
		}
		raw, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			b.Fatal(err)
		}
		for _, line := range strings.Split(string(raw), "\n") {
			name, value, ok := strings.Cut(line, " ")
			if !ok || strings.HasPrefix(line, "#") || !strings.Contains(name, "pool_acquires_total") {
				continue
			}
			v, err := strconv.ParseFloat(value, 64)
			if err != nil {
				b.Fatalf("%s: %q: %v", base, line, err)
			}
			sum += int64(v)
		}
	}
	return sum
}

func benchPost(b *testing.B, url, query string) (int, []byte) {
	b.Helper()
	body, _ := json.Marshal(map[string]any{"query": query})
	resp, err := http.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		b.Fatal(err)
	}
	return resp.StatusCode, raw
}

// BenchmarkCatalogPages requests the README's product page and listing page
// through the router and three subgraph processes, reporting the time per page
// and the statements the subgraphs ran per page.
func BenchmarkCatalogPages(b *testing.B) {
	router, bases := benchSystem(b)
	for _, page := range []struct{ name, query string }{
		{"ProductPage", productPageOperation},
		{"ListingPage", listingPageOperation},
	} {
		b.Run(page.name, func(b *testing.B) {
			body := []pageload.Page{{Name: page.name, Query: page.query}}
			// One request before the clock: connections and plans warm.
			if res, err := pageload.Run(b.Context(), pageload.Config{URL: router, Pages: body, Rate: 10, Duration: 100 * time.Millisecond}); err != nil || res.Pages[0].Errors > 0 {
				b.Fatalf("warm-up: %v %+v", err, res)
			}
			before := statements(b, bases)
			b.ResetTimer()
			for b.Loop() {
				if status, raw := benchPost(b, router, page.query); status != 200 || strings.Contains(string(raw), `"errors"`) {
					b.Fatalf("status %d: %s", status, raw)
				}
			}
			b.StopTimer()
			stmts := statements(b, bases) - before
			b.ReportMetric(float64(stmts)/float64(b.N), "stmts/op")
		})
	}
}

// BenchmarkCatalogPagesLoad drives 200 requests per second for 10 seconds at
// the router, product and listing pages alternating, and reports each page's p50
// and p99 latency. Run it once: -bench CatalogPagesLoad -benchtime 1x.
func BenchmarkCatalogPagesLoad(b *testing.B) {
	router, _ := benchSystem(b)
	pages := []pageload.Page{{Name: "product", Query: productPageOperation}, {Name: "listing", Query: listingPageOperation}}
	for b.Loop() {
		res, err := pageload.Run(b.Context(), pageload.Config{URL: router, Pages: pages, Rate: 200, Duration: 10 * time.Second})
		if err != nil {
			b.Fatal(err)
		}
		for _, s := range res.Pages {
			b.Logf("%s", s)
			if s.Errors > 0 {
				b.Errorf("%s: %d errors", s.Name, s.Errors)
			}
			b.ReportMetric(float64(s.P50.Microseconds())/1000, s.Name+"-p50-ms")
			b.ReportMetric(float64(s.P99.Microseconds())/1000, s.Name+"-p99-ms")
		}
		b.ReportMetric(float64(res.Dropped), "dropped")
	}
}
