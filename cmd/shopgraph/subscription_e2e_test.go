package main

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestOrderStatusChangedThroughTheRouter subscribes over SSE at the router to
// a guest order's status changes as an admin, then moves its status: the
// event comes from the orders subgraph's WebSocket, fed by LISTEN/NOTIFY,
// with the variant's SKU joined from the catalog.
func TestOrderStatusChangedThroughTheRouter(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: builds and runs the binary")
	}
	sys := startSystem(t)
	url := sys.router
	vs := inStockVariants(t, url, demoProduct, 2)
	if len(vs) == 0 {
		t.Fatal("no variant with stock")
	}
	guest := shopper{t: t, url: url}
	res := guest.guestCheckout(guest.cartWith(1, vs[0].ID), "sub-1", "4242424242424242")
	if res.Order == nil {
		t.Fatalf("guest checkout: %+v", res)
	}
	admin := shopper{t: t, url: url, token: mustSignIn(t, url, "admin@shopgraph.dev", "Granite-Orchard-97").Tokens.AccessToken}

	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	body, _ := json.Marshal(map[string]any{
		"query":     `subscription($id: ID!) { orderStatusChanged(orderId: $id) { id status lines { variant { id sku } } } }`,
		"variables": map[string]any{"id": res.Order.ID},
	})
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("Authorization", "Bearer "+admin.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	events := make(chan string, 4)
	go func() {
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			if data, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
				events <- data
			}
		}
		close(events)
	}()
	// The subscription reaches the subgraph a moment after the headers:
	// move the status on until an event comes.
	var got string
	for _, status := range []string{"FULFILLED", "SHIPPED", "DELIVERED"} {
		if o, code := admin.orderChange("orderUpdateStatus", ", status: "+status, map[string]any{"id": res.Order.ID}); code != "" || o.Status != status {
			t.Fatalf("move to %s: %+v %s", status, o, code)
		}
		select {
		case got = <-events:
		case <-time.After(2 * time.Second):
		}
		if got != "" {
			break
		}
	}
	var ev struct {
		Data struct {
			OrderStatusChanged struct {
				ID, Status string
				Lines      []struct{ Variant struct{ ID, SKU string } }
			}
		}
		Errors []any
	}
	if err := json.Unmarshal([]byte(got), &ev); err != nil {
		t.Fatalf("event %q: %v", got, err)
	}
	o := ev.Data.OrderStatusChanged
	if len(ev.Errors) > 0 || o.ID != res.Order.ID || o.Status == "PAID" || len(o.Lines) != 1 || o.Lines[0].Variant.SKU == "" {
		t.Errorf("event: %s", got)
	}
}
