package execute

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shopgraph/shopgraph/gateway/compose"
	"github.com/shopgraph/shopgraph/gateway/internal/testsubgraph"
	"github.com/shopgraph/shopgraph/gateway/plan"
	"github.com/shopgraph/shopgraph/gateway/supergraph"
)

// Faults a faultySubgraph can play, per request.
const (
	faultNone   = ""
	fault502    = "502"
	fault503    = "503"
	faultClose  = "close"  // the connection closes before any answer
	faultErrors = "errors" // 200 with a GraphQL error and no data
	faultHang   = "hang"   // no answer until the client gives up
)

// faultySubgraph fronts a real test subgraph with faults a test switches, and
// counts the requests that reach it.
type faultySubgraph struct {
	next  http.Handler
	calls atomic.Int32

	mu sync.Mutex
	// next faults for the coming requests in order, then always for the rest.
	queue  []string
	always string
}

func (f *faultySubgraph) set(always string, first ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.queue, f.always = first, always
}

func (f *faultySubgraph) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.calls.Add(1)
	f.mu.Lock()
	fault := f.always
	if len(f.queue) > 0 {
		fault, f.queue = f.queue[0], f.queue[1:]
	}
	f.mu.Unlock()
	switch fault {
	case faultNone:
		f.next.ServeHTTP(w, r)
		return
	}
	_, _ = io.Copy(io.Discard, r.Body)
	switch fault {
	case fault502:
		http.Error(w, "bad gateway", http.StatusBadGateway)
	case fault503:
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
	case faultErrors:
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"data":null,"errors":[{"message":"boom"}]}`)
	case faultHang:
		<-r.Context().Done()
	case faultClose:
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			conn.Close()
		}
	}
}

// faultyShop is the test shop with every subgraph behind a faultySubgraph.
type faultyShop struct {
	g      *supergraph.Graph
	faults map[string]*faultySubgraph
}

// startFaultyShop runs the shop's subgraphs behind fault fronts; tweak, when
// set, changes the subgraphs before they start.
func startFaultyShop(t *testing.T, tweak func(catalog, orders, users *testsubgraph.Subgraph)) *faultyShop {
	t.Helper()
	cat, ord, usr := testsubgraph.Shop()
	if tweak != nil {
		tweak(cat, ord, usr)
	}
	s := &faultyShop{faults: map[string]*faultySubgraph{}}
	var inputs []compose.Subgraph
	for _, sg := range []*testsubgraph.Subgraph{cat, ord, usr} {
		f := &faultySubgraph{next: testsubgraph.Start(t, sg)}
		front := httptest.NewServer(f)
		t.Cleanup(front.Close)
		s.faults[sg.Name] = f
		inputs = append(inputs, compose.Subgraph{Name: sg.Name, URL: front.URL, SDL: sg.SDL})
	}
	sdl, err := compose.Compose(inputs)
	if err != nil {
		t.Fatal(err)
	}
	if s.g, err = supergraph.Load(sdl); err != nil {
		t.Fatal(err)
	}
	return s
}

func (s *faultyShop) executor(t *testing.T, opts Options) *Executor {
	t.Helper()
	e := New(s.g, opts)
	t.Cleanup(e.Close)
	return e
}

// exec runs query on e within timeout.
func (s *faultyShop) exec(t *testing.T, e *Executor, timeout time.Duration, query string) *Response {
	t.Helper()
	p, vars, err := plan.NewPlanner(s.g, 8).Plan(query, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	return e.Execute(ctx, p, vars)
}

// oneError checks that resp has exactly one error, from subgraph, with code and
// a message containing each of parts.
func oneError(t *testing.T, resp *Response, subgraph, code string, parts ...string) {
	t.Helper()
	if len(resp.Errors) != 1 {
		t.Fatalf("errors = %+v, want one", resp.Errors)
	}
	e := resp.Errors[0]
	if e.Extensions["service"] != subgraph || e.Extensions["code"] != code {
		t.Errorf("error extensions = %v, want service %q and code %q", e.Extensions, subgraph, code)
	}
	for _, p := range parts {
		if !strings.Contains(e.Message, p) {
			t.Errorf("error message %q does not contain %q", e.Message, p)
		}
	}
}

func TestResilienceHangingSubgraphTimesOut(t *testing.T) {
	t.Parallel()
	s := startFaultyShop(t, nil)
	s.faults["users"].set(faultHang)
	e := s.executor(t, Options{SubgraphTimeout: 300 * time.Millisecond})
	start := time.Now()
	resp := s.exec(t, e, 10*time.Second, `{ product(id: "p1") { name } user(id: "u1") { name } }`)
	took := time.Since(start)
	if took < 300*time.Millisecond || took > 2*time.Second {
		t.Errorf("took %s, want about the 300ms subgraph timeout", took)
	}
	if got, want := string(resp.Data), `{"product":{"name":"Product p1"},"user":null}`; got != want {
		t.Errorf("data = %s, want %s", got, want)
	}
	oneError(t, resp, "users", CodeSubrequestHTTP, `subgraph "users" failed`, "timed out after 300ms")
	// A timeout has spent the budget a retry would need.
	if n := s.faults["users"].calls.Load(); n != 1 {
		t.Errorf("users received %d requests, want 1 (timeouts are not retried)", n)
	}
}

func TestResilienceSlowFieldGivesPartialData(t *testing.T) {
	t.Parallel()
	s := startFaultyShop(t, func(_, orders, _ *testsubgraph.Subgraph) {
		resolve := orders.Resolvers["ProductVariant.shippingEstimate"]
		orders.Resolvers["ProductVariant.shippingEstimate"] = func(ctx context.Context, parent, args map[string]any) (any, error) {
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(3 * time.Second):
			}
			return resolve(ctx, parent, args)
		}
	})
	e := s.executor(t, Options{SubgraphTimeout: 250 * time.Millisecond})
	start := time.Now()
	resp := s.exec(t, e, 10*time.Second, `{ product(id: "p1") { name variants { sku shippingEstimate(country: "US") { amount } } } }`)
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("took %s, want about the 250ms subgraph timeout", took)
	}
	want := `{"product":{"name":"Product p1","variants":[{"sku":"SKU-1","shippingEstimate":null},{"sku":"SKU-2","shippingEstimate":null}]}}`
	if got := string(resp.Data); got != want {
		t.Errorf("data = %s, want %s", got, want)
	}
	oneError(t, resp, "orders", CodeSubrequestHTTP, "timed out after 250ms")
}

func TestRetryQueriesOnly(t *testing.T) {
	t.Parallel()
	const query = `{ user(id: "u1") { name } }`
	const mutation = `mutation { placeOrder(variantId: "v1") { id } }`
	tests := []struct {
		name     string
		subgraph string
		op       string
		retries  int
		faults   []string
		calls    int32
		data     string
		errCode  string // "" when the answer has no error
		errPart  string
	}{
		{"503 then OK", "users", query, 0, []string{fault503}, 2, `{"user":{"name":"Ada"}}`, "", ""},
		{"502 twice then OK", "users", query, 0, []string{fault502, fault502}, 3, `{"user":{"name":"Ada"}}`, "", ""},
		{"connection closed then OK", "users", query, 0, []string{faultClose}, 2, `{"user":{"name":"Ada"}}`, "", ""},
		{"503 past the retries", "users", query, 2, []string{fault503, fault503, fault503}, 3, `{"user":null}`, CodeSubrequestHTTP, "HTTP 503"},
		{"GraphQL errors are not retried", "users", query, 0, []string{faultErrors}, 1, `{"user":null}`, "", "boom"},
		{"retries off", "users", query, -1, []string{fault503}, 1, `{"user":null}`, CodeSubrequestHTTP, "HTTP 503"},
		{"mutation is not retried", "orders", mutation, 0, []string{fault503}, 1, `null`, CodeSubrequestHTTP, "HTTP 503"},
		{"mutation after a closed connection is not retried", "orders", mutation, 0, []string{faultClose}, 1, `null`, CodeSubrequestHTTP, `subgraph "orders" failed`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := startFaultyShop(t, nil)
			s.faults[tt.subgraph].set(faultNone, tt.faults...)
			e := s.executor(t, Options{SubgraphRetries: tt.retries})
			resp := s.exec(t, e, 10*time.Second, tt.op)
			if got := string(resp.Data); got != tt.data {
				t.Errorf("data = %s, want %s", got, tt.data)
			}
			if n := s.faults[tt.subgraph].calls.Load(); n != tt.calls {
				t.Errorf("%s received %d requests, want %d", tt.subgraph, n, tt.calls)
			}
			switch {
			case tt.errCode != "":
				oneError(t, resp, tt.subgraph, tt.errCode, tt.errPart)
			case tt.errPart != "":
				if len(resp.Errors) != 1 || !strings.Contains(resp.Errors[0].Message, tt.errPart) {
					t.Errorf("errors = %+v, want one with %q", resp.Errors, tt.errPart)
				}
			case len(resp.Errors) > 0:
				t.Errorf("errors = %+v, want none", resp.Errors)
			}
		})
	}
}

func TestRetryNeverSleepsPastTheDeadline(t *testing.T) {
	t.Parallel()
	s := startFaultyShop(t, nil)
	s.faults["users"].set(fault503)
	// Back-off from 50 ms doubling: ten retries need far more than 150 ms.
	e := s.executor(t, Options{SubgraphRetries: 10})
	start := time.Now()
	resp := s.exec(t, e, 150*time.Millisecond, `{ user(id: "u1") { name } }`)
	if took := time.Since(start); took >= 150*time.Millisecond {
		t.Errorf("took %s, want the answer before the 150ms deadline", took)
	}
	// The last attempt's answer stands, not a "deadline exceeded".
	oneError(t, resp, "users", CodeSubrequestHTTP, "HTTP 503")
	if n := s.faults["users"].calls.Load(); n < 1 || n > 3 {
		t.Errorf("users received %d requests, want 1 to 3 in 150ms", n)
	}
}

// stateLog records breaker state changes.
type stateLog struct {
	mu     sync.Mutex
	states []string
}

func (l *stateLog) record(subgraph, state string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.states = append(l.states, subgraph+":"+state)
}

func (l *stateLog) get() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.states)
}

func TestBreakerOpensShedsHalfOpensAndCloses(t *testing.T) {
	t.Parallel()
	s := startFaultyShop(t, nil)
	users := s.faults["users"]
	users.set(fault503)
	var log stateLog
	const cooldown = 200 * time.Millisecond
	e := s.executor(t, Options{SubgraphRetries: -1, BreakerFailures: 3, BreakerCooldown: cooldown, OnBreakerStateChange: log.record})
	const both = `{ product(id: "p1") { name } user(id: "u1") { name } }`

	for i := range 3 {
		resp := s.exec(t, e, 5*time.Second, both)
		oneError(t, resp, "users", CodeSubrequestHTTP, "HTTP 503")
		if want := map[bool]string{true: BreakerOpen, false: BreakerClosed}[i == 2]; e.Health()["users"] != want {
			t.Errorf("after %d failures: users breaker %q, want %q", i+1, e.Health()["users"], want)
		}
	}

	// Open: shed without calling users, while the others still answer.
	for range 5 {
		resp := s.exec(t, e, 5*time.Second, both)
		if got, want := string(resp.Data), `{"product":{"name":"Product p1"},"user":null}`; got != want {
			t.Errorf("data = %s, want %s", got, want)
		}
		oneError(t, resp, "users", CodeSubgraphCircuitOpen, `subgraph "users" failed: unavailable: circuit breaker open after 3 consecutive failures, retrying in `)
	}
	if n := users.calls.Load(); n != 3 {
		t.Errorf("users received %d requests, want 3: an open breaker sheds", n)
	}
	if h := e.Health(); h["catalog"] != BreakerClosed || h["orders"] != BreakerClosed {
		t.Errorf("health = %v, want the other breakers closed", h)
	}

	// Half-open after the cooldown; a failed trial opens it again.
	time.Sleep(cooldown + 50*time.Millisecond)
	if got := e.Health()["users"]; got != BreakerHalfOpen {
		t.Errorf("after the cooldown: users breaker %q, want half-open", got)
	}
	oneError(t, s.exec(t, e, 5*time.Second, both), "users", CodeSubrequestHTTP, "HTTP 503")
	if n := users.calls.Load(); n != 4 {
		t.Errorf("users received %d requests, want 4 (one trial)", n)
	}
	oneError(t, s.exec(t, e, 5*time.Second, both), "users", CodeSubgraphCircuitOpen, "circuit breaker open")

	// The subgraph recovers: the next trial closes the breaker.
	users.set(faultNone)
	time.Sleep(cooldown + 50*time.Millisecond)
	for range 3 {
		resp := s.exec(t, e, 5*time.Second, both)
		if got, want := string(resp.Data), `{"product":{"name":"Product p1"},"user":{"name":"Ada"}}`; got != want || len(resp.Errors) > 0 {
			t.Errorf("data = %s, errors = %+v; want %s", got, resp.Errors, want)
		}
	}
	if n := users.calls.Load(); n != 7 {
		t.Errorf("users received %d requests, want 7", n)
	}
	if got := e.Health()["users"]; got != BreakerClosed {
		t.Errorf("after recovery: users breaker %q, want closed", got)
	}
	want := []string{"users:open", "users:half-open", "users:open", "users:half-open", "users:closed"}
	if got := log.get(); !slices.Equal(got, want) {
		t.Errorf("state changes = %v, want %v", got, want)
	}
}

func TestBreakerCountsOnlySubgraphFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		fault string
		open  bool
	}{
		{"HTTP 503", fault503, true},
		{"timeout", faultHang, true},
		{"connection closed", faultClose, true},
		{"GraphQL errors", faultErrors, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := startFaultyShop(t, nil)
			s.faults["users"].set(tt.fault)
			e := s.executor(t, Options{SubgraphTimeout: 100 * time.Millisecond, SubgraphRetries: -1, BreakerFailures: 2, BreakerCooldown: time.Minute})
			for range 3 {
				s.exec(t, e, 5*time.Second, `{ user(id: "u1") { name } }`)
			}
			wantState, wantCalls := BreakerClosed, int32(3)
			if tt.open {
				wantState, wantCalls = BreakerOpen, 2
			}
			if got := e.Health()["users"]; got != wantState {
				t.Errorf("users breaker %q, want %q", got, wantState)
			}
			if n := s.faults["users"].calls.Load(); n != wantCalls {
				t.Errorf("users received %d requests, want %d", n, wantCalls)
			}
		})
	}
}

func TestBreakerCountsAFetchWithItsRetriesOnce(t *testing.T) {
	t.Parallel()
	s := startFaultyShop(t, nil)
	s.faults["users"].set(fault503)
	e := s.executor(t, Options{SubgraphRetries: 2, BreakerFailures: 2, BreakerCooldown: time.Minute})
	s.exec(t, e, 5*time.Second, `{ user(id: "u1") { name } }`)
	if got := e.Health()["users"]; got != BreakerClosed {
		t.Errorf("after one fetch of three attempts: users breaker %q, want closed", got)
	}
	s.exec(t, e, 5*time.Second, `{ user(id: "u1") { name } }`)
	if got := e.Health()["users"]; got != BreakerOpen {
		t.Errorf("after two failed fetches: users breaker %q, want open", got)
	}
	if n := s.faults["users"].calls.Load(); n != 6 {
		t.Errorf("users received %d requests, want 6", n)
	}
}

func TestBreakerOffSendsEveryFetch(t *testing.T) {
	t.Parallel()
	s := startFaultyShop(t, nil)
	s.faults["users"].set(fault503)
	e := s.executor(t, Options{SubgraphRetries: -1, BreakerFailures: -1})
	for range 8 {
		oneError(t, s.exec(t, e, 5*time.Second, `{ user(id: "u1") { name } }`), "users", CodeSubrequestHTTP, "HTTP 503")
	}
	if n := s.faults["users"].calls.Load(); n != 8 {
		t.Errorf("users received %d requests, want 8", n)
	}
	b, _ := json.Marshal(e.Health())
	if string(b) != `{"catalog":"closed","orders":"closed","users":"closed"}` {
		t.Errorf("health = %s", b)
	}
}
