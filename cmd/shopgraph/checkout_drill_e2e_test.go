package main

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shopgraph/shopgraph/internal/relay"
)

// TestCheckoutRushThroughTheRouter: 100 shoppers check out at once for the
// 10 units of one variant.
func TestCheckoutRushThroughTheRouter(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: builds and runs the binary")
	}
	sys := startSystem(t)
	url := sys.router
	v := inStockVariants(t, url, demoProduct, 10)[0]
	admin := shopper{t: t, url: url, token: mustSignIn(t, url, "admin@shopgraph.dev", "Granite-Orchard-97").Tokens.AccessToken}
	admin.do(`mutation($id: ID!) { setStock(variantId: $id, onHand: 10) { userErrors { code } } }`, map[string]any{"id": v.ID}, "setStock", nil)

	guest := shopper{t: t, url: url}
	carts := make([]string, 100)
	for i := range carts {
		carts[i] = guest.cartWith(1, v.ID)
	}
	var (
		mu     sync.Mutex
		codes  = map[string]int{}
		wg     sync.WaitGroup
		fails  []string
		began  = time.Now()
		client = &http.Client{Timeout: 30 * time.Second}
	)
	for i, cart := range carts {
		wg.Go(func() {
			res, err := checkoutOnce(context.Background(), client, url, cart, "rush-"+strconv.Itoa(i), "4242424242424242")
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err != nil:
				fails = append(fails, err.Error())
			case res.Order != nil:
				codes["ORDER"]++
			default:
				codes[res.code()]++
				if res.code() == "OUT_OF_STOCK" && (len(res.UserErrors[0].Lines) != 1 || res.UserErrors[0].Lines[0].Variant.ID != v.ID) {
					fails = append(fails, fmt.Sprintf("out of stock without its line: %+v", res.UserErrors))
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(began)
	t.Logf("100 concurrent checkouts for 10 units through the router in %s: %v", elapsed.Round(time.Millisecond), codes)
	if codes["ORDER"] != 10 || codes["OUT_OF_STOCK"] != 90 || len(fails) > 0 {
		t.Errorf("outcomes %v, failures %v", codes, fails)
	}
	if got := stockOf(t, url, v.ID); got != 0 {
		t.Errorf("%d units left", got)
	}
	id, err := relay.DecodeID("ProductVariant", v.ID)
	if err != nil {
		t.Fatal(err)
	}
	if r := reconcileSystem(t, sys, map[int64]int{id: 10}); r.Placed != 10 || r.Charges != 10 {
		t.Errorf("reconciled %d orders and %d charges", r.Placed, r.Charges)
	}
}

// checkoutOnce posts one guest checkout through the router; a transport
// failure or a non-GraphQL answer is an error.
func checkoutOnce(ctx context.Context, client *http.Client, url, cart, key, card string) (checkoutResult, error) {
	var out checkoutResult
	err := postOperation(ctx, client, url, "", `mutation($in: CheckoutInput!) { checkout(input: $in) { order { id status paymentStatus }
		userErrors { code message lines { variant { id } requested available } } } }`,
		map[string]any{"in": map[string]any{"cartId": cart, "idempotencyKey": key, "email": "rush@example.com",
			"shippingAddress": guestAddress, "payment": testCard(card)}}, "checkout", &out)
	return out, err
}

// kill ends a component at once (SIGKILL), as a crash or a lost machine does.
func (s *system) kill(t *testing.T, name string) {
	t.Helper()
	p := s.procs[name]
	if err := p.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-p.done
}

// startAgain starts a killed subgraph on its address with the system's environment.
func (s *system) startAgain(t *testing.T, name string, env ...string) {
	t.Helper()
	s.procs[name] = start(t, s.bin, append(append([]string{}, s.env...), env...), "serve", name, "--listen", s.addrs[name])
	waitFor(t, "http://"+s.addrs[name]+"/readyz", s.procs[name])
}

// drillShopper checks out again and again until stop, each checkout retried
// with its key while the system cannot answer.
type drillShopper struct {
	url    string
	client *http.Client
	cart   func() (string, error)
}

// drillTally counts what the shoppers saw.
type drillTally struct {
	mu sync.Mutex
	// attempts counts checkouts begun; placed those answered with an order;
	// refused those answered with a final error; retries the repeats with one
	// key; unanswered checkouts still without an answer when the drill ended.
	attempts, placed, refused, retries, unanswered int
	codes                                          map[string]int
}

func (d *drillShopper) run(ctx context.Context, name string, tally *drillTally) {
	for n := 0; ctx.Err() == nil; n++ {
		cart, err := d.cart()
		if err != nil {
			time.Sleep(50 * time.Millisecond) // the system is down; a shopper waits
			continue
		}
		key := fmt.Sprintf("%s-%d", name, n)
		tally.mu.Lock()
		tally.attempts++
		tally.mu.Unlock()
		// Retry with the same key until a final answer, for up to 20 s.
		deadline := time.Now().Add(20 * time.Second)
		for {
			res, err := checkoutOnce(context.Background(), d.client, d.url, cart, key, "4242424242424242")
			final := err == nil && (res.Order != nil || res.code() != "SERVICE_UNAVAILABLE" && res.code() != "CHECKOUT_IN_PROGRESS")
			tally.mu.Lock()
			switch {
			case final && res.Order != nil:
				tally.placed++
			case final:
				tally.refused++
				tally.codes[res.code()]++
			case time.Now().After(deadline):
				tally.unanswered++
			default:
				tally.retries++
			}
			tally.mu.Unlock()
			if final || time.Now().After(deadline) {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
}

// TestCheckoutSurvivesCrashesThroughTheRouter kills the catalog and then the
// orders service (SIGKILL) in the middle of a stream of checkouts, starts
// them again, and checks that every checkout ends placed or undone, with
// orders, payments and stock in agreement.
func TestCheckoutSurvivesCrashesThroughTheRouter(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: builds and runs the binary")
	}
	// A short lease and a quick recovery, so that the drill ends in seconds.
	sys := startSystem(t, "ORDERS_CHECKOUT_LEASE=1s", "ORDERS_RECOVERY_INTERVAL=200ms", "ORDERS_CHECKOUT_ABANDON_AFTER=10s")
	url := sys.router
	vs := inStockVariants(t, url, demoProduct, 1)[:2]
	admin := shopper{t: t, url: url, token: mustSignIn(t, url, "admin@shopgraph.dev", "Granite-Orchard-97").Tokens.AccessToken}
	start := map[int64]int{}
	for _, v := range vs {
		admin.do(`mutation($id: ID!) { setStock(variantId: $id, onHand: 100000) { userErrors { code } } }`, map[string]any{"id": v.ID}, "setStock", nil)
		id, err := relay.DecodeID("ProductVariant", v.ID)
		if err != nil {
			t.Fatal(err)
		}
		start[id] = 100000
	}
	client := &http.Client{Timeout: 15 * time.Second}
	var carts atomic.Int64
	newCart := func() (string, error) {
		var out struct{ Cart struct{ ID string } }
		err := postOperation(context.Background(), client, url, "", `mutation($l: [CartLineInput!]!) { cartCreate(lines: $l) { cart { id } } }`,
			map[string]any{"l": []any{map[string]any{"variantId": vs[carts.Add(1)%2].ID, "quantity": 1}}}, "cartCreate", &out)
		return out.Cart.ID, err
	}

	tally := &drillTally{codes: map[string]int{}}
	ctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for i := range 6 {
		s := &drillShopper{url: url, client: client, cart: newCart}
		wg.Go(func() { s.run(ctx, "drill-"+strconv.Itoa(i), tally) })
	}
	began := time.Now()
	orders := sys.pool(t, "orders")
	inFlight := func() map[string]int {
		rows, err := orders.Query(t.Context(), `SELECT step, count(*) FROM orders WHERE step <> 'DONE' GROUP BY step`)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]int{}
		var step string
		var n int
		for rows.Next() {
			if err := rows.Scan(&step, &n); err != nil {
				t.Fatal(err)
			}
			out[step] = n
		}
		return out
	}

	time.Sleep(1500 * time.Millisecond)
	sys.kill(t, "catalog")
	t.Logf("%s: catalog killed; checkouts unfinished: %v", time.Since(began).Round(time.Millisecond), inFlight())
	time.Sleep(time.Second)
	sys.startAgain(t, "catalog")
	t.Logf("%s: catalog back", time.Since(began).Round(time.Millisecond))
	time.Sleep(1500 * time.Millisecond)
	sys.kill(t, "orders")
	t.Logf("%s: orders killed; checkouts unfinished: %v", time.Since(began).Round(time.Millisecond), inFlight())
	time.Sleep(500 * time.Millisecond)
	sys.startAgain(t, "orders")
	t.Logf("%s: orders back", time.Since(began).Round(time.Millisecond))
	time.Sleep(1500 * time.Millisecond)
	stop()
	wg.Wait()

	// Recovery finishes what the shoppers left: wait for every saga to end.
	deadline := time.Now().Add(30 * time.Second)
	for len(inFlight()) > 0 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("%s: drill over; shoppers began %d checkouts: %d placed, %d refused %v, %d unanswered, after %d retries",
		time.Since(began).Round(time.Millisecond), tally.attempts, tally.placed, tally.refused, tally.codes, tally.unanswered, tally.retries)
	r := reconcileSystem(t, sys, start)
	if tally.placed == 0 || r.Placed < tally.placed || r.Unfinished > 0 {
		t.Errorf("%d orders placed as shoppers saw it, %d as the records say", tally.placed, r.Placed)
	}
	for code := range tally.codes {
		if code != "CHECKOUT_ABANDONED" && code != "RESERVATION_EXPIRED" {
			t.Errorf("a checkout was refused with %s", code)
		}
	}
}
