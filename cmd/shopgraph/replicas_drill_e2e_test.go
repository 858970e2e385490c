package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/shopgraph/shopgraph/internal/pg/pgtest"
	"github.com/shopgraph/shopgraph/internal/relay"
)

// balancer is the drill's load balancer: it spreads requests over its
// replicas in turn, skips a replica it cannot connect to (the request was
// never sent, so trying the next is safe), and counts the requests each
// replica holds, so that a kill's in-flight requests are known.
type balancer struct {
	name     string
	srv      *httptest.Server
	next     atomic.Uint64
	replicas []*replica
	// failed counts requests that failed after reaching a replica.
	failed atomic.Int64
}

type replica struct {
	addr     string
	inFlight atomic.Int64
}

// transport opens a connection per request, as a connection-level balancer
// does: a killed replica then refuses new connections (and the request goes
// to the other) instead of failing requests on connections it had open.
var transport = &http.Transport{DisableKeepAlives: true}

func newBalancer(t *testing.T, name string, addrs ...string) *balancer {
	b := &balancer{name: name}
	for _, a := range addrs {
		b.replicas = append(b.replicas, &replica{addr: a})
	}
	b.srv = httptest.NewServer(http.HandlerFunc(b.serve))
	t.Cleanup(b.srv.Close)
	return b
}

func (b *balancer) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	start := b.next.Add(1)
	for i := range b.replicas {
		rep := b.replicas[(int(start)+i)%len(b.replicas)]
		out, _ := http.NewRequestWithContext(r.Context(), r.Method, "http://"+rep.addr+r.URL.RequestURI(), bytes.NewReader(body))
		out.Header = r.Header.Clone()
		rep.inFlight.Add(1)
		resp, err := transport.RoundTrip(out)
		if err != nil {
			rep.inFlight.Add(-1)
			var op *net.OpError
			if errors.As(err, &op) && op.Op == "dial" {
				continue // nothing was sent: the next replica may take it
			}
			b.failed.Add(1)
			http.Error(w, "replica failed: "+err.Error(), http.StatusBadGateway)
			return
		}
		for k, v := range resp.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(resp.StatusCode)
		_, err = io.Copy(w, resp.Body)
		resp.Body.Close()
		rep.inFlight.Add(-1)
		if err != nil {
			b.failed.Add(1)
		}
		return
	}
	http.Error(w, "no replica answers", http.StatusBadGateway)
}

// TestReplicasSurviveLosingOneOfEach runs two replicas of every subgraph and
// two routers, each pair behind a round-robin balancer, sends shoppers'
// traffic (product pages and checkouts) through them, kills one replica of
// each with SIGKILL, and checks that no request failed beyond those the
// killed replicas held, and that no order was lost or placed twice.
func TestReplicasSurviveLosingOneOfEach(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: builds and runs the binary")
	}
	bin := buildBinary(t)
	const serviceToken = "drill-catalog-service-token-0123456789"
	names := append(append([]string{}, subgraphNames...), "router")
	addrs := map[string][]string{}
	balancers := map[string]*balancer{}
	for _, name := range names {
		addrs[name] = []string{freeAddr(t), freeAddr(t)}
		balancers[name] = newBalancer(t, name, addrs[name]...)
	}
	via := func(name string) string { return balancers[name].srv.URL }
	env := []string{
		"CATALOG_SERVICE_TOKEN=" + serviceToken, "ORDERS_CATALOG_SERVICE_TOKEN=" + serviceToken,
		"ORDERS_CATALOG_URL=" + via("catalog"), "ORDERS_USERS_URL=" + via("users") + "/graphql",
		"CATALOG_JWKS_URL=" + via("users") + "/.well-known/jwks.json", "ORDERS_JWKS_URL=" + via("users") + "/.well-known/jwks.json",
		"ORDERS_CHECKOUT_LEASE=2s", "ORDERS_RECOVERY_INTERVAL=300ms",
		"ROUTER_SUBGRAPHS=" + fmt.Sprintf("catalog=%s/graphql,orders=%s/graphql,users=%s/graphql", via("catalog"), via("orders"), via("users")),
	}
	dbs := map[string]string{}
	for _, name := range subgraphNames {
		dbs[name] = pgtest.NewURL(t, nil)
		env = append(env, envPrefix(name)+"DATABASE_URL="+dbs[name])
	}
	seed := exec.Command(bin, "seed")
	seed.Env = append(os.Environ(), env...)
	if out, err := seed.CombinedOutput(); err != nil {
		t.Fatalf("seed: %v\n%s", err, out)
	}
	procs := map[string][]*process{}
	for _, name := range names {
		for _, addr := range addrs[name] {
			p := start(t, bin, env, "serve", name, "--listen", addr, "--log-level", "warn")
			waitFor(t, "http://"+addr+"/readyz", p)
			procs[name] = append(procs[name], p)
		}
	}
	sys := &system{router: via("router") + "/graphql", dbURL: dbs, bin: bin}
	url := sys.router

	// Plenty of stock, so that every checkout can succeed.
	admin := shopper{t: t, url: url, token: mustSignIn(t, url, "admin@shopgraph.dev", "Granite-Orchard-97").Tokens.AccessToken}
	vs := inStockVariants(t, url, demoProduct, 1)
	start := map[int64]int{}
	for _, v := range vs[:2] {
		admin.do(`mutation($id: ID!) { setStock(variantId: $id, onHand: 100000) { userErrors { code } } }`, map[string]any{"id": v.ID}, "setStock", nil)
		id, _ := relay.DecodeID("ProductVariant", v.ID)
		start[id] = 100000
	}

	var (
		requests, failures atomic.Int64
		mu                 sync.Mutex
		placed             = map[string]string{} // idempotency key -> order id
		wg                 sync.WaitGroup
	)
	client := &http.Client{Timeout: 20 * time.Second}
	ctx, stop := context.WithCancel(context.Background())
	post := func(query string, vars map[string]any, name string, out any) error {
		requests.Add(1)
		err := postOperation(context.Background(), client, url, "", query, vars, name, out)
		if err != nil {
			failures.Add(1)
		}
		return err
	}
	for w := range 6 {
		wg.Go(func() {
			for n := 0; ctx.Err() == nil; n++ {
				if n%3 != 0 {
					var p struct{ ID string }
					_ = post(productPageOperation, nil, "product", &p)
					continue
				}
				var c struct{ Cart struct{ ID string } }
				if post(`mutation($l: [CartLineInput!]!) { cartCreate(lines: $l) { cart { id } } }`,
					map[string]any{"l": []any{map[string]any{"variantId": vs[n%2].ID, "quantity": 1}}}, "cartCreate", &c) != nil {
					continue
				}
				key := "replica-drill-" + strconv.Itoa(w) + "-" + strconv.Itoa(n)
				for attempt := 0; attempt < 50; attempt++ { // a shopper retries with the same key
					var res checkoutResult
					err := post(`mutation($in: CheckoutInput!) { checkout(input: $in) { order { id } userErrors { code } } }`,
						map[string]any{"in": map[string]any{"cartId": c.Cart.ID, "idempotencyKey": key, "email": "drill@example.com",
							"shippingAddress": guestAddress, "payment": testCard("4242424242424242")}}, "checkout", &res)
					if err == nil && res.Order != nil {
						mu.Lock()
						if prev, ok := placed[key]; ok && prev != res.Order.ID {
							t.Errorf("key %s placed two orders: %s and %s", key, prev, res.Order.ID)
						}
						placed[key] = res.Order.ID
						mu.Unlock()
						break
					}
					if err == nil && res.code() != "SERVICE_UNAVAILABLE" && res.code() != "CHECKOUT_IN_PROGRESS" {
						t.Errorf("checkout %s: %s", key, res.code())
						break
					}
					time.Sleep(100 * time.Millisecond)
				}
			}
		})
	}

	time.Sleep(2 * time.Second)
	// Kill one replica of each, all at once, and note what they held.
	var held int64
	for _, name := range names {
		held += balancers[name].replicas[0].inFlight.Load()
		_ = procs[name][0].cmd.Process.Signal(syscall.SIGKILL)
	}
	killedAt := requests.Load()
	for _, name := range names {
		<-procs[name][0].done
	}
	t.Logf("killed one replica of each component after %d requests; they held about %d requests", killedAt, held)
	time.Sleep(3 * time.Second)
	stop()
	wg.Wait()

	var failedAtReplicas int64
	for _, name := range names {
		failedAtReplicas += balancers[name].failed.Load()
	}
	t.Logf("%d requests, %d failed as clients saw them, %d failed at a killed replica; %d checkouts placed",
		requests.Load(), failures.Load(), failedAtReplicas, len(placed))
	// A request that failed at a killed replica was sent to it and never
	// answered: it was in flight when the replica died. Clients may see those
	// fail (a router's fetch among them fails its client's request), no more.
	if failures.Load() > failedAtReplicas {
		t.Errorf("%d requests failed; only the %d the killed replicas held may", failures.Load(), failedAtReplicas)
	}
	if len(placed) == 0 {
		t.Error("no checkout was placed")
	}
	// Every placed checkout is one order; every saga ends.
	pool := sys.pool(t, "orders")
	deadline := time.Now().Add(30 * time.Second)
	for {
		var unfinished int
		if err := pool.QueryRow(t.Context(), `SELECT count(*) FROM orders WHERE step <> 'DONE'`).Scan(&unfinished); err != nil {
			t.Fatal(err)
		}
		if unfinished == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	r := reconcileSystem(t, sys, start)
	var keys []string
	for k := range placed {
		keys = append(keys, k)
	}
	var orders int
	if err := pool.QueryRow(t.Context(), `SELECT count(*) FROM orders WHERE idempotency_key = ANY($1) AND payment_status = 'PAID'`, keys).Scan(&orders); err != nil {
		t.Fatal(err)
	}
	if orders != len(placed) || r.Placed != len(placed) {
		t.Errorf("%d checkouts placed as shoppers saw them, %d paid orders for their keys, %d placed in all", len(placed), orders, r.Placed)
	}
}
