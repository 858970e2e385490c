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
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/shopgraph/shopgraph/internal/pg"
	"github.com/shopgraph/shopgraph/internal/pg/pgtest"
	"github.com/shopgraph/shopgraph/web"
)

// The foundation's example operation, as a client sends it to the router.
const exampleOperation = `{ products(first: 3) { totalCount edges { cursor node { id name
    variants { sku weight shippingEstimate(country: "US") { amount currencyCode } }
    reviews(first: 2) { edges { node { rating title author { id name } } } } } } } }`

type exampleResponse struct {
	Data *struct {
		Products struct {
			TotalCount int
			Edges      []struct {
				Cursor string
				Node   struct {
					ID, Name string
					Variants []struct {
						SKU              string `json:"sku"`
						Weight           int
						ShippingEstimate *struct{ Amount, CurrencyCode string }
					}
					Reviews struct {
						Edges []struct {
							Node struct {
								Rating int
								Title  string
								Author *struct{ ID, Name string }
							}
						}
					}
				}
			}
		}
	}
	Errors []gqlError
}

type gqlError struct {
	Message    string
	Path       []any
	Locations  []struct{ Line, Column int }
	Extensions map[string]any
}

// buildBinary compiles cmd/shopgraph once per test binary run.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "shopgraph")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("go build: %v", err)
	}
	return bin
}

// freeAddr returns a loopback address no one listens on right now.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// syncBuffer collects a process's output for the failure message.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// process is a component started as its own OS process.
type process struct {
	cmd  *exec.Cmd
	out  *syncBuffer
	done chan struct{}
}

func start(t *testing.T, bin string, env []string, args ...string) *process {
	t.Helper()
	p := &process{cmd: exec.Command(bin, args...), out: &syncBuffer{}, done: make(chan struct{})}
	p.cmd.Env = append(os.Environ(), env...)
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start %v: %v", args, err)
	}
	go func() { _ = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		p.stop()
		if t.Failed() {
			t.Logf("output of shopgraph %s:\n%s", strings.Join(args, " "), p.out)
		}
	})
	return p
}

// stop sends SIGTERM and waits for the process to exit.
func (p *process) stop() {
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(20 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

func waitFor(t *testing.T, url string, p *process) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	ready := make(chan bool, 1)
	go func() { ready <- waitReady(ctx, url) }()
	select {
	case ok := <-ready:
		if !ok {
			t.Fatalf("%s never became ready", url)
		}
	case <-p.done:
		t.Fatalf("process exited before %s was ready:\n%s", url, p.out)
	}
}

func postQuery(t *testing.T, url, query string) (int, []byte) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query})
	resp, err := http.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatalf("POST %s: %v", url, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, raw
}

// system is the three subgraphs and the router, each its own process on its own
// database and port, set up the way `shopgraph seed` and `serve` do it.
type system struct {
	router string
	dbURL  map[string]string
	procs  map[string]*process
	bin    string
	// subgraphs is the router's --subgraphs list.
	subgraphs string
	// addrs are the subgraphs' listen addresses; env is their environment.
	addrs map[string]string
	env   []string
}

// restart stops subgraph name and starts it again on the same address with
// env added to the system's environment.
func (s *system) restart(t *testing.T, name string, env ...string) {
	t.Helper()
	s.procs[name].stop()
	s.procs[name] = start(t, s.bin, append(append([]string{}, s.env...), env...), "serve", name, "--listen", s.addrs[name])
	waitFor(t, "http://"+s.addrs[name]+"/readyz", s.procs[name])
}

// startSystem seeds fresh databases and starts the subgraphs and a router, each
// process with extra in its environment.
func startSystem(t *testing.T, extra ...string) *system {
	t.Helper()
	bin := buildBinary(t)
	sys := &system{dbURL: map[string]string{}, procs: map[string]*process{}, addrs: map[string]string{}}
	for _, name := range subgraphNames {
		sys.addrs[name] = freeAddr(t)
	}
	// The catalog verifies tokens against the users service's keys; extra may
	// say otherwise (later entries win).
	const serviceToken = "e2e-catalog-service-token-0123456789"
	env := append([]string{
		"CATALOG_JWKS_URL=http://" + sys.addrs["users"] + "/.well-known/jwks.json",
		"ORDERS_JWKS_URL=http://" + sys.addrs["users"] + "/.well-known/jwks.json",
		"CATALOG_SERVICE_TOKEN=" + serviceToken,
		"ORDERS_CATALOG_SERVICE_TOKEN=" + serviceToken,
		"ORDERS_CATALOG_URL=http://" + sys.addrs["catalog"],
		"ORDERS_USERS_URL=http://" + sys.addrs["users"] + "/graphql",
	}, extra...)
	for _, name := range subgraphNames {
		sys.dbURL[name] = pgtest.NewURL(t, nil)
		env = append(env, envPrefix(name)+"DATABASE_URL="+sys.dbURL[name])
	}
	sys.env = env
	seed := exec.Command(bin, "seed")
	seed.Env = append(os.Environ(), env...)
	if out, err := seed.CombinedOutput(); err != nil {
		t.Fatalf("shopgraph seed: %v\n%s", err, out)
	}
	var list []string
	for _, name := range subgraphNames {
		addr := sys.addrs[name]
		sys.procs[name] = start(t, bin, env, "serve", name, "--listen", addr)
		waitFor(t, "http://"+addr+"/readyz", sys.procs[name])
		list = append(list, name+"=http://"+addr+"/graphql")
	}
	sys.bin, sys.subgraphs = bin, strings.Join(list, ",")
	sys.router, sys.procs["router"] = sys.startRouter(t)
	return sys
}

// startRouter starts one more router over the system's subgraphs, with extra
// environment, and returns its /graphql URL.
func (s *system) startRouter(t *testing.T, env ...string) (string, *process) {
	t.Helper()
	addr := freeAddr(t)
	p := start(t, s.bin, append([]string{"ROUTER_SUBGRAPHS=" + s.subgraphs}, env...), "serve", "router", "--listen", addr)
	waitFor(t, "http://"+addr+"/readyz", p)
	return "http://" + addr + "/graphql", p
}

func (s *system) pool(t *testing.T, name string) *pgxpool.Pool {
	t.Helper()
	pool, err := pg.Open(context.Background(), s.dbURL[name])
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// TestExampleOperationEndToEnd runs the real binary: seed, three subgraphs, the
// router; the example operation's answer must come from the databases.
func TestExampleOperationEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: builds and runs the binary")
	}
	sys := startSystem(t)

	status, raw := postQuery(t, sys.router, exampleOperation)
	var resp exampleResponse
	if err := json.Unmarshal(raw, &resp); err != nil || status != http.StatusOK {
		t.Fatalf("status %d, body %s (%v)", status, raw, err)
	}
	if len(resp.Errors) > 0 || resp.Data == nil {
		t.Fatalf("errors: %s", raw)
	}

	ctx := context.Background()
	var products int
	if err := sys.pool(t, "catalog").QueryRow(ctx, "SELECT count(*) FROM products").Scan(&products); err != nil {
		t.Fatal(err)
	}
	got := resp.Data.Products
	if got.TotalCount != products || products < 3 {
		t.Errorf("totalCount = %d, the catalog database has %d products", got.TotalCount, products)
	}
	if len(got.Edges) != 3 {
		t.Fatalf("got %d edges, want 3: %s", len(got.Edges), raw)
	}
	users := sys.pool(t, "users")
	var authors, estimates int
	for _, e := range got.Edges {
		if e.Cursor == "" || !strings.Contains(e.Node.ID, "Product") || e.Node.Name == "" {
			t.Errorf("edge %+v: want cursor, a typed product id and a name", e)
		}
		if len(e.Node.Variants) == 0 {
			t.Errorf("product %s has no variants", e.Node.ID)
		}
		for _, v := range e.Node.Variants {
			if v.SKU == "" || v.Weight <= 0 {
				t.Errorf("variant %+v: want sku and weight", v)
			}
			if v.ShippingEstimate == nil || v.ShippingEstimate.Amount == "" || v.ShippingEstimate.CurrencyCode == "" {
				t.Errorf("variant %s: no shipping estimate", v.SKU)
				continue
			}
			estimates++
		}
		for _, r := range e.Node.Reviews.Edges {
			a := r.Node.Author
			if a == nil {
				t.Errorf("review %q has no author", r.Node.Title)
				continue
			}
			// The author's name must be the one in the users database.
			var name string
			num := a.ID[strings.LastIndex(a.ID, "/")+1:]
			if err := users.QueryRow(ctx, "SELECT name FROM users WHERE id = $1::bigint", num).Scan(&name); err != nil {
				t.Errorf("author %s not in the users database: %v", a.ID, err)
			} else if name != a.Name {
				t.Errorf("author %s name = %q, users database says %q", a.ID, a.Name, name)
			}
			authors++
		}
	}
	if estimates == 0 || authors == 0 {
		t.Errorf("want shipping estimates and review authors, got %d and %d: %s", estimates, authors, raw)
	}

	t.Run("malformed query has a located error", func(t *testing.T) {
		status, raw := postQuery(t, sys.router, "{ products(first: 3) { edges { node { id }  }")
		var r struct{ Errors []gqlError }
		if err := json.Unmarshal(raw, &r); err != nil || len(r.Errors) == 0 {
			t.Fatalf("status %d body %s", status, raw)
		}
		if status != http.StatusBadRequest && status != http.StatusOK {
			t.Errorf("status %d", status)
		}
		if len(r.Errors[0].Locations) == 0 || r.Errors[0].Locations[0].Line != 1 {
			t.Errorf("error without its location: %s", raw)
		}
	})

	t.Run("unknown field is a validation error naming it", func(t *testing.T) {
		_, raw := postQuery(t, sys.router, "{ products(first: 1) { edges { node { colour } } } }")
		if !strings.Contains(string(raw), "colour") || !strings.Contains(string(raw), "locations") {
			t.Errorf("body %s: want an error naming colour with its location", raw)
		}
	})

	t.Run("a subgraph that is down gives partial data and an error naming it", func(t *testing.T) {
		sys.procs["orders"].stop()
		status, raw := postQuery(t, sys.router, exampleOperation)
		var r exampleResponse
		if err := json.Unmarshal(raw, &r); err != nil || r.Data == nil {
			t.Fatalf("status %d body %s: want partial data", status, raw)
		}
		if len(r.Data.Products.Edges) != 3 {
			t.Errorf("want the three products from catalog still: %s", raw)
		}
		for _, e := range r.Data.Products.Edges {
			for _, v := range e.Node.Variants {
				if v.ShippingEstimate != nil {
					t.Errorf("variant %s has an estimate though orders is down", v.SKU)
				}
			}
		}
		named := false
		for _, e := range r.Errors {
			if e.Extensions["serviceName"] == "orders" || strings.Contains(e.Message, "orders") {
				named = true
			}
		}
		if !named {
			t.Errorf("no error names the orders subgraph: %s", raw)
		}
		// The router itself is still up and serving.
		if resp, err := http.Get(strings.TrimSuffix(sys.router, "/graphql") + "/healthz"); err != nil || resp.StatusCode != 200 {
			t.Errorf("router /healthz after the orders outage: %v", err)
		}
	})
}

// TestDevRunsEverythingAndStopsOnInterrupt is what `make run` does: dev migrates,
// seeds and starts every component as its own process; Ctrl-C stops them all.
func TestDevRunsEverythingAndStopsOnInterrupt(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: builds and runs the binary")
	}
	bin := buildBinary(t)
	env, listens := devEnvironment(t)
	p := start(t, bin, env, "dev")
	waitFor(t, "http://"+listens["router"]+"/readyz", p)
	status, raw := postQuery(t, "http://"+listens["router"]+"/graphql", exampleOperation)
	if status != http.StatusOK || !strings.Contains(string(raw), `"edges"`) || strings.Contains(string(raw), `"errors"`) {
		t.Fatalf("status %d body %s", status, raw)
	}
	// The web store is up, and its operations, sent by hash, reach the router.
	waitFor(t, "http://"+listens["web"]+"/readyz", p)
	var docs map[string]string
	if err := json.Unmarshal(web.TrustedDocuments(), &docs); err != nil {
		t.Fatal(err)
	}
	for id, body := range docs {
		if !strings.Contains(body, "query HomePage") {
			continue
		}
		req, _ := json.Marshal(map[string]any{"operationName": "HomePage",
			"extensions": map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": strings.TrimPrefix(id, "sha256:")}}})
		resp, err := http.Post("http://"+listens["web"]+"/graphql", "application/json", bytes.NewReader(req))
		if err != nil {
			t.Fatal(err)
		}
		home, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(home), `"categories"`) || strings.Contains(string(home), `"errors"`) {
			t.Errorf("the store's home page by hash through dev's web store: %d %s", resp.StatusCode, home)
		}
	}
	// Logs are prefixed with the component's name.
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(p.out.String(), "shopgraph is up") && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	for _, c := range []string{"catalog ", "orders  ", "users   ", "router  ", "web     "} {
		if !strings.Contains(p.out.String(), c+"| ") {
			t.Errorf("no log line prefixed %q", c+"| ")
		}
	}

	_ = p.cmd.Process.Signal(os.Interrupt)
	select {
	case <-p.done:
	case <-time.After(30 * time.Second):
		t.Fatal("dev did not stop on interrupt")
	}
	for c, addr := range listens {
		if conn, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			conn.Close()
			t.Errorf("%s still listens on %s after dev stopped", c, addr)
		}
	}
	if code := p.cmd.ProcessState.ExitCode(); code != 0 {
		t.Errorf("dev exit code %d after Ctrl-C, want 0:\n%s", code, p.out)
	}
}

// devEnvironment gives every component of `dev` a free loopback address and
// every subgraph a fresh database, as environment for the dev process.
func devEnvironment(t *testing.T) (env []string, listens map[string]string) {
	t.Helper()
	listens = map[string]string{}
	for _, c := range append(append([]string{}, subgraphNames...), "router", "web") {
		listens[c] = freeAddr(t)
		env = append(env, envPrefix(c)+"LISTEN="+listens[c])
		if c != "router" && c != "web" {
			env = append(env, envPrefix(c)+"DATABASE_URL="+pgtest.NewURL(t, nil))
		}
	}
	return env, listens
}
