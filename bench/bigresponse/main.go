// Command bigresponse measures the router's memory and latency on large
// answers, the case issue 13 names: two generated subgraphs on loopback, the
// router as its own process (the shopgraph binary), and
//
//   - one request whose answer (about 8 MiB) comes from one subgraph;
//   - ten concurrent requests whose answers join a second subgraph that answers
//     100 ms late, so that ten large answers are in flight at once.
//
// Each scenario runs on a fresh router; its peak RSS (VmHWM) is read from
// /proc after the requests, with the requests' latencies:
//
//	go build -o /tmp/shopgraph ./cmd/shopgraph
//	go run ./bench/bigresponse -router /tmp/shopgraph [-mib 8] [-clients 10] [-rounds 3]
//
// It is a benchmarking aid: numbers go in bench/gateways-log.md.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/shopgraph/shopgraph/gateway/compose"
)

const itemsSDL = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
type Query { items: [Item!]! }
type Item @key(fields: "id") { id: ID! name: String! sku: String! color: String! size: Int! stock: Int! rating: Float! tags: [String!]! dims: Dims! }
type Dims { w: Int! h: Int! d: Int! }`

const pricesSDL = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
type Item @key(fields: "id") { id: ID! price: Float! }`

func main() {
	router := flag.String("router", "", "the shopgraph binary")
	mib := flag.Int("mib", 8, "size of the items subgraph's answer, in MiB")
	clients := flag.Int("clients", 10, "concurrent requests of the second scenario")
	delay := flag.Duration("delay", 100*time.Millisecond, "how late the prices subgraph answers")
	rounds := flag.Int("rounds", 3, "runs of each scenario")
	flag.Parse()
	if *router == "" {
		fmt.Fprintln(os.Stderr, "bigresponse: -router is required")
		os.Exit(2)
	}
	if err := run(context.Background(), *router, *mib<<20, *clients, *delay, *rounds); err != nil {
		slog.Error("bigresponse", "err", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, router string, size, clients int, delay time.Duration, rounds int) error {
	items := generateItems(size)
	itemsBody, err := json.Marshal(map[string]any{"data": map[string]any{"items": items}})
	if err != nil {
		return fmt.Errorf("encode items: %w", err)
	}
	itemsURL, stopItems, err := serve(func(w http.ResponseWriter, _ []byte) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(itemsBody)
	})
	if err != nil {
		return err
	}
	defer stopItems()
	pricesURL, stopPrices, err := serve(func(w http.ResponseWriter, body []byte) {
		time.Sleep(delay)
		var req struct {
			Variables struct {
				Representations []struct {
					ID string `json:"id"`
				} `json:"representations"`
			} `json:"variables"`
		}
		_ = json.Unmarshal(body, &req)
		var b bytes.Buffer
		b.WriteString(`{"data":{"_entities":[`)
		for i, r := range req.Variables.Representations {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `{"price":%d.5}`, len(r.ID))
		}
		b.WriteString("]}}")
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(b.Bytes())
	})
	if err != nil {
		return err
	}
	defer stopPrices()
	sdl, err := compose.Compose([]compose.Subgraph{
		{Name: "items", URL: itemsURL, SDL: itemsSDL},
		{Name: "prices", URL: pricesURL, SDL: pricesSDL},
	})
	if err != nil {
		return fmt.Errorf("compose: %w", err)
	}
	dir, err := os.MkdirTemp("", "bigresponse")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	file := filepath.Join(dir, "supergraph.graphql")
	if err := os.WriteFile(file, []byte(sdl), 0o600); err != nil {
		return err
	}
	fmt.Printf("items answer %.1f MiB, %d items\n", float64(len(itemsBody))/(1<<20), len(items))
	scenarios := []struct {
		name    string
		query   string
		clients int
	}{
		{"one 8 MiB answer from one subgraph", `{ items { id name sku color size stock rating tags dims { w h d } } }`, 1},
		{fmt.Sprintf("%d concurrent answers joined with a subgraph %v late", clients, delay), `{ items { id name sku color size stock rating tags dims { w h d } price } }`, clients},
	}
	for _, sc := range scenarios {
		var peaks []int
		var lats []time.Duration
		var respBytes int
		for range rounds {
			peak, l, n, err := scenario(ctx, router, file, sc.query, sc.clients)
			if err != nil {
				return fmt.Errorf("%s: %w", sc.name, err)
			}
			peaks = append(peaks, peak)
			lats = append(lats, l...)
			respBytes = n
		}
		sort.Ints(peaks)
		sort.Slice(lats, func(i, j int) bool { return lats[i] < lats[j] })
		fmt.Printf("RESULT %s: peak_rss_mb=%d (runs %v) p50_ms=%.0f max_ms=%.0f response_mib=%.1f\n",
			sc.name, peaks[len(peaks)/2], peaks, ms(lats[len(lats)/2]), ms(lats[len(lats)-1]), float64(respBytes)/(1<<20))
	}
	return nil
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// scenario starts a router, sends the query from n clients at once, and
// returns the router's peak RSS in MB, the latencies and one response's size.
func scenario(ctx context.Context, router, supergraph, query string, n int) (int, []time.Duration, int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, nil, 0, err
	}
	addr := l.Addr().String()
	l.Close()
	cmd := exec.CommandContext(ctx, router, "serve", "router", "--listen", addr, "--supergraph", supergraph, "--log-level", "warn",
		"--limits.max-subgraph-bytes", "-1", "--limits.max-response-bytes", "-1")
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return 0, nil, 0, fmt.Errorf("start router: %w", err)
	}
	defer func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}()
	base := "http://" + addr
	if err := waitReady(base); err != nil {
		return 0, nil, 0, err
	}
	body, _ := json.Marshal(map[string]string{"query": query})
	var wg sync.WaitGroup
	lats := make([]time.Duration, n)
	sizes := make([]int, n)
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			start := time.Now()
			resp, err := http.Post(base+"/graphql", "application/json", bytes.NewReader(body))
			if err != nil {
				errs[i] = err
				return
			}
			defer resp.Body.Close()
			b, err := io.ReadAll(resp.Body)
			lats[i] = time.Since(start)
			sizes[i] = len(b)
			if err == nil && (resp.StatusCode != http.StatusOK || bytes.Contains(b[:min(len(b), 200)], []byte(`"errors"`))) {
				err = fmt.Errorf("status %d: %.200s", resp.StatusCode, b)
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return 0, nil, 0, err
	}
	peak, err := peakRSS(cmd.Process.Pid)
	return peak, lats, sizes[0], err
}

func waitReady(base string) error {
	for range 100 {
		if resp, err := http.Get(base + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return errors.New("router not ready after 5 s")
}

// peakRSS reads VmHWM, the process's peak resident set, in MB.
func peakRSS(pid int) (int, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmHWM:" {
			kb, err := strconv.Atoi(f[1])
			return kb / 1024, err
		}
	}
	return 0, errors.New("no VmHWM in /proc status")
}

// serve runs a subgraph answering every POST with handle.
func serve(handle func(w http.ResponseWriter, body []byte)) (string, func(), error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		handle(w, body)
	})}
	go func() { _ = srv.Serve(l) }()
	return "http://" + l.Addr().String() + "/graphql", func() { _ = srv.Close() }, nil
}

// generateItems makes items whose JSON totals about size bytes: many small
// values, as catalog answers have, which is what costs a router memory.
func generateItems(size int) []map[string]any {
	var out []map[string]any
	total := 0
	for i := 0; total < size; i++ {
		it := map[string]any{
			"__typename": "Item",
			"id":         "item-" + strconv.Itoa(i),
			"name":       "Item " + strconv.Itoa(i),
			"sku":        "SKU-" + strconv.Itoa(100000+i),
			"color":      []string{"red", "green", "blue", "black"}[i%4],
			"size":       36 + i%10,
			"stock":      i % 97,
			"rating":     float64(i%50) / 10,
			"tags":       []string{"tag" + strconv.Itoa(i%7), "tag" + strconv.Itoa(i%11), "sale"},
			"dims":       map[string]any{"w": i % 100, "h": i % 60, "d": i % 30},
		}
		b, _ := json.Marshal(it)
		total += len(b)
		out = append(out, it)
	}
	return out
}
