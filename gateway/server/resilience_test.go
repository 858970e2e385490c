package server

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shopgraph/shopgraph/gateway/compose"
	"github.com/shopgraph/shopgraph/gateway/internal/testsubgraph"
)

// switchable fronts a subgraph: it answers 503 for the next failures requests
// (or all, while down is set) and counts the requests it receives.
type switchable struct {
	next     http.Handler
	calls    atomic.Int32
	down     atomic.Bool
	failures atomic.Int32
}

func (s *switchable) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.calls.Add(1)
	if s.down.Load() || s.failures.Add(-1) >= 0 {
		_, _ = io.Copy(io.Discard, r.Body)
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	s.next.ServeHTTP(w, r)
}

// syncBuffer is a log destination safe for concurrent writers.
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

// startRouterWithSwitchableUsers serves the shop through a real router over
// loopback HTTP, with the users subgraph behind a switchable front.
func startRouterWithSwitchableUsers(t *testing.T, cfg Config, log *slog.Logger) (*httptest.Server, *switchable) {
	t.Helper()
	cat, ord, usr := testsubgraph.Shop()
	users := &switchable{next: testsubgraph.Start(t, usr)}
	front := httptest.NewServer(users)
	t.Cleanup(front.Close)
	in := []compose.Subgraph{
		{Name: "catalog", URL: testsubgraph.Start(t, cat).URL, SDL: cat.SDL},
		{Name: "orders", URL: testsubgraph.Start(t, ord).URL, SDL: ord.SDL},
		{Name: "users", URL: front.URL, SDL: usr.SDL},
	}
	sdl, err := compose.Compose(in)
	if err != nil {
		t.Fatal(err)
	}
	cfg.SupergraphSDL = sdl
	s, err := New(cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	router := httptest.NewServer(s.Handler())
	t.Cleanup(router.Close)
	return router, users
}

type routerAnswer struct {
	Data   json.RawMessage `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
}

func routerQuery(t *testing.T, router *httptest.Server, query string) routerAnswer {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"query": query})
	req, _ := http.NewRequest(http.MethodPost, router.URL+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/graphql-response+json")
	resp, err := router.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	var a routerAnswer
	if err := json.NewDecoder(resp.Body).Decode(&a); err != nil {
		t.Fatal(err)
	}
	return a
}

// readyz returns the status and body of /readyz?verbose.
func readyz(t *testing.T, router *httptest.Server) (int, readiness) {
	t.Helper()
	resp, err := router.Client().Get(router.URL + "/readyz?verbose")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r readiness
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, r
}

func TestResilienceRouterBreakerAndReadiness(t *testing.T) {
	t.Parallel()
	var logs syncBuffer
	const cooldown = 200 * time.Millisecond
	router, users := startRouterWithSwitchableUsers(t,
		Config{SubgraphRetries: -1, BreakerFailures: 2, BreakerCooldown: cooldown},
		slog.New(slog.NewTextHandler(&logs, nil)))
	const query = `{ product(id: "p1") { name } user(id: "u1") { name } }`

	if status, r := readyz(t, router); status != 200 || !r.Ready || r.Subgraphs["users"] != "closed" {
		t.Errorf("readyz = %d %+v, want 200 with users closed", status, r)
	}

	users.down.Store(true)
	for range 2 {
		a := routerQuery(t, router, query)
		if len(a.Errors) != 1 || a.Errors[0].Extensions["code"] != "SUBREQUEST_HTTP_ERROR" {
			t.Errorf("errors = %+v, want one SUBREQUEST_HTTP_ERROR", a.Errors)
		}
	}
	for range 3 {
		a := routerQuery(t, router, query)
		if got, want := string(a.Data), `{"product":{"name":"Product p1"},"user":null}`; got != want {
			t.Errorf("data = %s, want %s", got, want)
		}
		if len(a.Errors) != 1 || a.Errors[0].Extensions["code"] != "SUBGRAPH_CIRCUIT_OPEN" ||
			!strings.Contains(a.Errors[0].Message, `subgraph "users" failed: unavailable: circuit breaker open after 2 consecutive failures, retrying in`) {
			t.Errorf("errors = %+v, want one SUBGRAPH_CIRCUIT_OPEN", a.Errors)
		}
	}
	if n := users.calls.Load(); n != 2 {
		t.Errorf("users received %d requests, want 2: the open breaker sheds", n)
	}
	// Readiness is the router's own: it still serves partial answers.
	if status, r := readyz(t, router); status != 200 || r.Subgraphs["users"] != "open" || r.Subgraphs["catalog"] != "closed" {
		t.Errorf("readyz = %d %+v, want 200 with users open", status, r)
	}
	if !strings.Contains(logs.String(), "subgraph circuit breaker open") || !strings.Contains(logs.String(), "subgraph=users") {
		t.Errorf("no breaker log in:\n%s", logs.String())
	}

	users.down.Store(false)
	time.Sleep(cooldown + 50*time.Millisecond)
	if a := routerQuery(t, router, query); string(a.Data) != `{"product":{"name":"Product p1"},"user":{"name":"Ada"}}` || len(a.Errors) > 0 {
		t.Errorf("after recovery: data = %s, errors = %+v", a.Data, a.Errors)
	}
	if _, r := readyz(t, router); r.Subgraphs["users"] != "closed" {
		t.Errorf("after recovery: users breaker %q, want closed", r.Subgraphs["users"])
	}
}

func TestResilienceRouterRetriesQueries(t *testing.T) {
	t.Parallel()
	router, users := startRouterWithSwitchableUsers(t, Config{}, nil)
	users.failures.Store(2) // the default two retries mend it
	a := routerQuery(t, router, `{ user(id: "u1") { name } }`)
	if string(a.Data) != `{"user":{"name":"Ada"}}` || len(a.Errors) > 0 {
		t.Errorf("data = %s, errors = %+v", a.Data, a.Errors)
	}
	if n := users.calls.Load(); n != 3 {
		t.Errorf("users received %d requests, want 3", n)
	}
}

func TestReadyBeforeSupergraph(t *testing.T) {
	t.Parallel()
	s, err := New(Config{Subgraphs: []Subgraph{{Name: "a", URL: "http://127.0.0.1:1/graphql"}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	router := httptest.NewServer(s.Handler())
	t.Cleanup(router.Close)
	if status, r := readyz(t, router); status != 503 || r.Ready || r.Subgraphs != nil {
		t.Errorf("readyz?verbose = %d %+v, want 503 and not ready", status, r)
	}
	resp, err := router.Client().Get(router.URL + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 503 || string(body) != "supergraph not loaded\n" {
		t.Errorf("readyz = %d %q", resp.StatusCode, body)
	}
}

func TestResilienceConfigValidate(t *testing.T) {
	t.Parallel()
	base := Config{SupergraphSDL: "x"}
	tests := []struct {
		name string
		edit func(*Config)
		want string // "" when valid
	}{
		{"defaults", func(*Config) {}, ""},
		{"retries off", func(c *Config) { c.SubgraphRetries = -1 }, ""},
		{"breakers off", func(c *Config) { c.BreakerFailures = -1 }, ""},
		{"too many retries", func(c *Config) { c.SubgraphRetries = 11 }, "subgraphRetries must be at most 10"},
		{"negative cooldown", func(c *Config) { c.BreakerCooldown = -time.Second }, "breakerCooldown must not be negative"},
		{"tiny cooldown", func(c *Config) { c.BreakerCooldown = time.Millisecond }, "breakerCooldown must be at least 10ms"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := base
			tt.edit(&c)
			err := c.Validate()
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("Validate() = %v, want nil", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("Validate() = %v, want %q", err, tt.want)
			}
		})
	}
}
