package graph_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/shopgraph/shopgraph/internal/auth"
	"github.com/shopgraph/shopgraph/internal/pg/pgtest"
	"github.com/shopgraph/shopgraph/subgraphs/orders"
	"github.com/shopgraph/shopgraph/subgraphs/orders/graph"
	"github.com/shopgraph/shopgraph/subgraphs/orders/postgres"
)

// asUser stands in for the auth middleware, which verifies tokens (tested in
// internal/auth): the X-Test-User header names the signed-in user.
func asUser(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if id, err := strconv.ParseInt(r.Header.Get("X-Test-User"), 10, 64); err == nil {
			r = r.WithContext(auth.With(r.Context(), auth.Principal{UserID: id, Role: auth.RoleCustomer}))
		}
		next.ServeHTTP(w, r)
	})
}

// placedOrder takes a new order of user through a successful checkout's steps.
func placedOrder(t *testing.T, s *postgres.Store, user int64) *orders.Order {
	t.Helper()
	ctx := t.Context()
	lease := orders.Lease{Token: "checkout-sub", For: time.Minute}
	o, _, err := s.CreateOrder(ctx, orders.NewOrder{
		Lease: lease, UserID: user, Email: "shopper@example.com", IdempotencyKey: "key-sub", Currency: "USD",
		Subtotal: 1000, Shipping: 499, ShippingMethod: orders.ShippingStandard,
		ShippingAddress: orders.Address{Name: "Emma Thompson", Line1: "1 Harbour Rd", City: "Bristol", PostalCode: "BS1 4RN", Country: "GB"},
		Lines:           []orders.OrderLine{{VariantID: 7, ProductName: "Wool Socks", VariantName: "One size", SKU: "SOCK-1", UnitPrice: 1000, Quantity: 1}},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []orders.Advance{
		{Step: orders.StepCharging},
		{Step: orders.StepCommitting, ChargeID: "ch_sub"},
		{Step: orders.StepDone, Status: orders.StatusPaid, Actor: orders.ActorSystem, TakeFromCart: true},
	} {
		if o, err = s.Advance(ctx, o.ID, lease, a); err != nil {
			t.Fatalf("advance to %s: %v", a.Step, err)
		}
	}
	return o
}

type wsMsg struct {
	ID      string          `json:"id,omitempty"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

// subscribeAs opens a graphql-transport-ws socket as user and subscribes to
// the order's status changes.
func subscribeAs(t *testing.T, ctx context.Context, url string, user int64, orderID string) *websocket.Conn {
	t.Helper()
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(url, "http"), &websocket.DialOptions{
		Subprotocols: []string{"graphql-transport-ws"},
		HTTPHeader:   http.Header{"X-Test-User": {strconv.FormatInt(user, 10)}},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.CloseNow() })
	send := func(m wsMsg) {
		b, _ := json.Marshal(m)
		if err := conn.Write(ctx, websocket.MessageText, b); err != nil {
			t.Fatal(err)
		}
	}
	send(wsMsg{Type: "connection_init"})
	if m := readMsg(t, ctx, conn); m.Type != "connection_ack" {
		t.Fatalf("want connection_ack, got %+v", m)
	}
	payload, _ := json.Marshal(map[string]any{
		"query":     `subscription($id: ID!) { orderStatusChanged(orderId: $id) { id status } }`,
		"variables": map[string]any{"id": "gid://shopgraph/Order/" + orderID},
	})
	send(wsMsg{ID: "1", Type: "subscribe", Payload: payload})
	return conn
}

func readMsg(t *testing.T, ctx context.Context, conn *websocket.Conn) wsMsg {
	t.Helper()
	for {
		_, b, err := conn.Read(ctx)
		if err != nil {
			t.Fatalf("read: %v", err)
		}
		var m wsMsg
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		if m.Type != "ping" && m.Type != "pong" && m.Type != "ka" {
			return m
		}
	}
}

func TestOrderStatusChangedForTheOwnerOnly(t *testing.T) {
	t.Parallel()
	pool := pgtest.New(t, postgres.Migrations())
	store := postgres.New(pool)
	o := placedOrder(t, store, 21)
	ctx, cancel := context.WithTimeout(t.Context(), 15*time.Second)
	defer cancel()
	feed := postgres.NewStatusFeed(pool, nil)
	go feed.Run(ctx)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv := httptest.NewServer(asUser(graph.NewHandler(store, nil, nil, logger, graph.WithStatusFeed(feed))))
	t.Cleanup(srv.Close)

	stranger := subscribeAs(t, ctx, srv.URL, 22, o.ID)
	// gqlgen answers a resolver's refusal as a next with errors.
	if m := readMsg(t, ctx, stranger); m.Type == "complete" || !strings.Contains(string(m.Payload), "NOT_FOUND") || strings.Contains(string(m.Payload), `"status"`) {
		t.Errorf("another user's subscription: %+v %s", m, m.Payload)
	}

	owner := subscribeAs(t, ctx, srv.URL, 21, o.ID)
	// The listener may not be listening yet: move the status until an
	// event comes, each move a new status.
	got := make(chan wsMsg, 1)
	go func() { got <- readMsg(t, ctx, owner) }()
	var m wsMsg
	moved := false
	for _, to := range []orders.Status{orders.StatusFulfilled, orders.StatusShipped, orders.StatusDelivered} {
		if _, err := store.Transition(ctx, o.ID, to, orders.ActorAdmin, ""); err != nil {
			t.Fatal(err)
		}
		select {
		case m = <-got:
			moved = true
		case <-time.After(time.Second):
		}
		if moved {
			break
		}
	}
	if !moved {
		t.Fatal("no event after three status changes")
	}
	if m.Type != "next" || !strings.Contains(string(m.Payload), `"status":"`) || strings.Contains(string(m.Payload), `"status":"PAID"`) {
		t.Errorf("owner's event: %+v %s", m, m.Payload)
	}
}
