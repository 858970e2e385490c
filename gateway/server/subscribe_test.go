package server

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/shopgraph/shopgraph/gateway/compose"
	"github.com/shopgraph/shopgraph/gateway/internal/subscription"
	"github.com/shopgraph/shopgraph/gateway/internal/testsubgraph"
	"github.com/shopgraph/shopgraph/internal/authn/authntest"
)

// The subscription scenarios run on two real loopback subgraphs: "orders"
// owns Subscription.orderStatusChanged and streams events over
// graphql-transport-ws; "catalog" adds Product.name, which the router joins
// into every event with an _entities fetch.

const (
	subOrdersSDL = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
type Query { order(id: ID!): Order }
type Subscription { orderStatusChanged(orderId: ID!): Order }
type Order @key(fields: "id") { id: ID! status: String! product: Product }
type Product @key(fields: "id", resolvable: false) { id: ID! }`
	subCatalogSDL = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
type Query { product(id: ID!): Product }
type Product @key(fields: "id") { id: ID! name: String! }`
	subQuery = `subscription($id: ID!) { orderStatusChanged(orderId: $id) { id status product { id name } } }`
)

// Order ids that steer the test stream.
const (
	orderForever = "forever" // one event, then nothing until the subscriber leaves
	orderBroken  = "broken"  // one event, then the stream fails
	orderSlow    = "slow"    // waits before its events, for heartbeats
)

type subscriptionRig struct {
	srv    *Server
	router *httptest.Server
	orders *testsubgraph.SubscriptionServer
}

func orderStream(ctx context.Context, args map[string]any) (<-chan any, error) {
	id, _ := args["orderId"].(string)
	ch := make(chan any)
	go func() {
		defer close(ch)
		send := func(v any) bool {
			select {
			case ch <- v:
				return true
			case <-ctx.Done():
				return false
			}
		}
		if id == orderSlow {
			select {
			case <-time.After(400 * time.Millisecond):
			case <-ctx.Done():
				return
			}
		}
		for _, status := range []string{"PAID", "SHIPPED"} {
			if !send(map[string]any{"id": id, "status": status, "product": map[string]any{"id": "p-" + id}}) {
				return
			}
			switch id {
			case orderForever:
				<-ctx.Done()
				return
			case orderBroken:
				send(testsubgraph.ErrStreamFailed)
				return
			}
		}
	}()
	return ch, nil
}

func startSubscriptionRig(t *testing.T, cfg Config) *subscriptionRig {
	t.Helper()
	return startSubscriptionRigAt(t, cfg, "")
}

// startSubscriptionRigAt starts the rig with ordersURL (when set) as the
// orders subgraph's URL in the supergraph instead of its server's.
func startSubscriptionRigAt(t *testing.T, cfg Config, ordersURL string) *subscriptionRig {
	t.Helper()
	orders := testsubgraph.StartSubscriptions(t, &testsubgraph.Subgraph{Name: "orders", SDL: subOrdersSDL},
		map[string]testsubgraph.Stream{"orderStatusChanged": orderStream})
	catalog := testsubgraph.Start(t, &testsubgraph.Subgraph{Name: "catalog", SDL: subCatalogSDL,
		Resolvers: map[string]testsubgraph.Resolver{"Query.product": func(_ context.Context, _, args map[string]any) (any, error) {
			return map[string]any{"id": args["id"], "name": fmt.Sprintf("Name of %v", args["id"])}, nil
		}},
		Entities: map[string]testsubgraph.EntityResolver{"Product": func(_ context.Context, rep map[string]any) (any, error) {
			return map[string]any{"id": rep["id"], "name": fmt.Sprintf("Name of %v", rep["id"])}, nil
		}}})
	if ordersURL == "" {
		ordersURL = orders.URL
	}
	if cfg.Subscriptions.Subgraphs["orders"].URL == "-" {
		cfg.Subscriptions.Subgraphs["orders"] = SubscriptionSubgraph{URL: orders.URL}
	}
	sdl, err := compose.Compose([]compose.Subgraph{
		{Name: "orders", URL: ordersURL, SDL: subOrdersSDL},
		{Name: "catalog", URL: catalog.URL, SDL: subCatalogSDL},
	})
	if err != nil {
		t.Fatal(err)
	}
	cfg.SupergraphSDL = sdl
	s, err := New(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	router := httptest.NewServer(s.Handler())
	t.Cleanup(router.Close)
	return &subscriptionRig{srv: s, router: router, orders: orders}
}

func wantEvent(t *testing.T, payload []byte, id, status string) {
	t.Helper()
	want := fmt.Sprintf(`{"data":{"orderStatusChanged":{"id":%q,"status":%q,"product":{"id":"p-%s","name":"Name of p-%s"}}}}`, id, status, id, id)
	if string(payload) != want {
		t.Errorf("event:\n got %s\nwant %s", payload, want)
	}
}

// wsClient is a graphql-transport-ws client over the same library the router uses.
type wsClient struct {
	t    *testing.T
	conn *websocket.Conn
}

func dialRouter(t *testing.T, ctx context.Context, rig *subscriptionRig, init string) *wsClient {
	t.Helper()
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(rig.router.URL, "http")+"/graphql", &websocket.DialOptions{Subprotocols: []string{subscription.Protocol}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.CloseNow() })
	c := &wsClient{t: t, conn: conn}
	m := subscription.Message{Type: subscription.TypeConnectionInit}
	if init != "" {
		m.Payload = json.RawMessage(init)
	}
	c.send(ctx, m)
	if got := c.read(ctx); got.Type != subscription.TypeConnectionAck {
		t.Fatalf("want connection_ack, got %+v", got)
	}
	return c
}

func (c *wsClient) send(ctx context.Context, m subscription.Message) {
	c.t.Helper()
	if err := subscription.WriteMessage(ctx, c.conn, m); err != nil {
		c.t.Fatal(err)
	}
}

// read returns the next message that is not a ping.
func (c *wsClient) read(ctx context.Context) subscription.Message {
	c.t.Helper()
	for {
		m, err := subscription.ReadMessage(ctx, c.conn)
		if err != nil {
			c.t.Fatalf("read: %v", err)
		}
		if m.Type != subscription.TypePing {
			return m
		}
	}
}

func (c *wsClient) subscribe(ctx context.Context, id, orderID string) {
	c.t.Helper()
	b, _ := json.Marshal(map[string]any{"query": subQuery, "variables": map[string]any{"id": orderID}})
	c.send(ctx, subscription.Message{ID: id, Type: subscription.TypeSubscribe, Payload: b})
}

func TestSubscriptionOverWebSocketJoinsEntityFields(t *testing.T) {
	t.Parallel()
	rig := startSubscriptionRig(t, Config{})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c := dialRouter(t, ctx, rig, "")
	c.subscribe(ctx, "s1", "o1")
	for _, status := range []string{"PAID", "SHIPPED"} {
		m := c.read(ctx)
		if m.Type != subscription.TypeNext || m.ID != "s1" {
			t.Fatalf("want next for s1, got %+v", m)
		}
		wantEvent(t, m.Payload, "o1", status)
	}
	if m := c.read(ctx); m.Type != subscription.TypeComplete || m.ID != "s1" {
		t.Fatalf("want complete, got %+v", m)
	}
	// A query over the same socket: one next, then complete.
	b, _ := json.Marshal(map[string]any{"query": `{ product(id: "p9") { name } }`})
	c.send(ctx, subscription.Message{ID: "q1", Type: subscription.TypeSubscribe, Payload: b})
	if m := c.read(ctx); m.Type != subscription.TypeNext || string(m.Payload) != `{"data":{"product":{"name":"Name of p9"}}}` {
		t.Fatalf("query over the socket: %+v %s", m, m.Payload)
	}
	if m := c.read(ctx); m.Type != subscription.TypeComplete {
		t.Fatalf("want complete after the query, got %+v", m)
	}
}

func waitOpen(t *testing.T, srv *testsubgraph.SubscriptionServer, want int64) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for srv.Open() != want {
		if time.Now().After(deadline) {
			t.Fatalf("subgraph has %d open subscriptions, want %d", srv.Open(), want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestSubscriptionEndsAtTheSubgraphWhenTheClientLeaves(t *testing.T) {
	t.Parallel()
	rig := startSubscriptionRig(t, Config{})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	// complete from the client stops the subgraph subscription.
	c := dialRouter(t, ctx, rig, "")
	c.subscribe(ctx, "a", orderForever)
	wantEvent(t, c.read(ctx).Payload, orderForever, "PAID")
	waitOpen(t, rig.orders, 1)
	c.send(ctx, subscription.Message{ID: "a", Type: subscription.TypeComplete})
	waitOpen(t, rig.orders, 0)

	// So does the socket closing.
	c.subscribe(ctx, "b", orderForever)
	wantEvent(t, c.read(ctx).Payload, orderForever, "PAID")
	waitOpen(t, rig.orders, 1)
	_ = c.conn.CloseNow()
	waitOpen(t, rig.orders, 0)
}

func TestSubscriptionSubgraphFailureEndsWithError(t *testing.T) {
	t.Parallel()
	rig := startSubscriptionRig(t, Config{})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c := dialRouter(t, ctx, rig, "")
	c.subscribe(ctx, "x", orderBroken)
	wantEvent(t, c.read(ctx).Payload, orderBroken, "PAID")
	m := c.read(ctx)
	if m.Type != subscription.TypeError || m.ID != "x" || !strings.Contains(string(m.Payload), testsubgraph.ErrStreamFailed.Error()) {
		t.Fatalf("want an error message with the subgraph's error, got %+v %s", m, m.Payload)
	}
}

func TestSubscriptionLimit(t *testing.T) {
	t.Parallel()
	rig := startSubscriptionRig(t, Config{Subscriptions: Subscriptions{MaxSubscriptions: 1}})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c := dialRouter(t, ctx, rig, "")
	c.subscribe(ctx, "1", orderForever)
	wantEvent(t, c.read(ctx).Payload, orderForever, "PAID")
	c.subscribe(ctx, "2", orderForever)
	m := c.read(ctx)
	if m.Type != subscription.TypeError || m.ID != "2" || !strings.Contains(string(m.Payload), codeSubscriptionLimit) {
		t.Fatalf("want the limit's error, got %+v %s", m, m.Payload)
	}
	// The slot comes back when the first one ends.
	c.send(ctx, subscription.Message{ID: "1", Type: subscription.TypeComplete})
	waitOpen(t, rig.orders, 0)
	deadline := time.Now().Add(5 * time.Second)
	for id := 3; ; id++ {
		c.subscribe(ctx, fmt.Sprint(id), "o2")
		if m := c.read(ctx); m.Type == subscription.TypeNext {
			wantEvent(t, m.Payload, "o2", "PAID")
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the slot never came back")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestSubscriptionProtocolErrorsCloseTheSocket(t *testing.T) {
	t.Parallel()
	rig := startSubscriptionRig(t, Config{Subscriptions: Subscriptions{InitTimeout: 200 * time.Millisecond}})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	url := "ws" + strings.TrimPrefix(rig.router.URL, "http") + "/graphql"
	closeCode := func(conn *websocket.Conn) websocket.StatusCode {
		_, _, err := conn.Read(ctx)
		return websocket.CloseStatus(err)
	}
	// No connection_init in time: 4408.
	conn, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{Subprotocols: []string{subscription.Protocol}})
	if err != nil {
		t.Fatal(err)
	}
	if code := closeCode(conn); code != subscription.CloseInitTimeout {
		t.Errorf("without connection_init: close code %d, want %d", code, subscription.CloseInitTimeout)
	}
	// Two subscriptions with one id: 4409.
	c := dialRouter(t, ctx, rig, "")
	c.subscribe(ctx, "dup", orderForever)
	c.subscribe(ctx, "dup", orderForever)
	for {
		_, _, err := c.conn.Read(ctx)
		if err != nil {
			if code := websocket.CloseStatus(err); code != subscription.CloseSubscriberAlreadyExists {
				t.Errorf("duplicate id: close code %d, want %d (%v)", code, subscription.CloseSubscriberAlreadyExists, err)
			}
			break
		}
	}
}

func streamPost(t *testing.T, ctx context.Context, rig *subscriptionRig, accept, orderID string) (*http.Response, string) {
	t.Helper()
	return streamPostWith(t, ctx, rig, accept, orderID, nil)
}

// streamPostWith is streamPost with more request headers.
func streamPostWith(t *testing.T, ctx context.Context, rig *subscriptionRig, accept, orderID string, header http.Header) (*http.Response, string) {
	t.Helper()
	b, _ := json.Marshal(map[string]any{"query": subQuery, "variables": map[string]any{"id": orderID}})
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, rig.router.URL+"/graphql", strings.NewReader(string(b)))
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", accept)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(body)
}

func TestSubscriptionOverSSE(t *testing.T) {
	t.Parallel()
	rig := startSubscriptionRig(t, Config{})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp, body := streamPost(t, ctx, rig, "text/event-stream", "o3")
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("status %d, type %q: %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	var events []string
	var kinds []string
	sc := bufio.NewScanner(strings.NewReader(body))
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "event: "):
			kinds = append(kinds, strings.TrimPrefix(line, "event: "))
		case strings.HasPrefix(line, "data: "):
			events = append(events, strings.TrimPrefix(line, "data: "))
		}
	}
	if strings.Join(kinds, ",") != "next,next,complete" || len(events) != 2 {
		t.Fatalf("events %v, data %v in\n%s", kinds, events, body)
	}
	wantEvent(t, []byte(events[0]), "o3", "PAID")
	wantEvent(t, []byte(events[1]), "o3", "SHIPPED")

	// A failing subgraph: the errors come as the last next event.
	_, body = streamPost(t, ctx, rig, "text/event-stream", orderBroken)
	if !strings.Contains(body, testsubgraph.ErrStreamFailed.Error()) || !strings.HasSuffix(body, "event: complete\ndata:\n\n") {
		t.Errorf("failing subgraph over SSE:\n%s", body)
	}
}

func TestSubscriptionOverMultipart(t *testing.T) {
	t.Parallel()
	rig := startSubscriptionRig(t, Config{Subscriptions: Subscriptions{Heartbeat: 100 * time.Millisecond}})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp, body := streamPost(t, ctx, rig, `multipart/mixed;subscriptionSpec="1.0", application/json`, orderSlow)
	if ct := resp.Header.Get("Content-Type"); resp.StatusCode != http.StatusOK || !strings.Contains(ct, `boundary="graphql"`) {
		t.Fatalf("status %d, type %q: %s", resp.StatusCode, ct, body)
	}
	if !strings.HasSuffix(body, "\r\n--graphql--\r\n") {
		t.Fatalf("no closing boundary:\n%q", body)
	}
	var payloads []string
	heartbeats := 0
	for _, part := range strings.Split(strings.TrimSuffix(body, "\r\n--graphql--\r\n"), "\r\n--graphql\r\n")[1:] {
		_, content, ok := strings.Cut(part, "\r\n\r\n")
		if !ok {
			t.Fatalf("part without a header: %q", part)
		}
		if content == "{}" {
			heartbeats++
			continue
		}
		var p struct{ Payload json.RawMessage }
		if err := json.Unmarshal([]byte(content), &p); err != nil {
			t.Fatalf("part %q: %v", content, err)
		}
		payloads = append(payloads, string(p.Payload))
	}
	if heartbeats == 0 {
		t.Error("no heartbeat while the subgraph was quiet")
	}
	if len(payloads) != 2 {
		t.Fatalf("want 2 payloads, got %d:\n%q", len(payloads), body)
	}
	wantEvent(t, []byte(payloads[0]), orderSlow, "PAID")
	wantEvent(t, []byte(payloads[1]), orderSlow, "SHIPPED")

	// A failing subgraph: a transport error part, then the closing boundary.
	_, body = streamPost(t, ctx, rig, `multipart/mixed;subscriptionSpec="1.0"`, orderBroken)
	if !strings.Contains(body, `{"payload":null,"errors":[`) || !strings.Contains(body, testsubgraph.ErrStreamFailed.Error()) || !strings.HasSuffix(body, "\r\n--graphql--\r\n") {
		t.Errorf("failing subgraph over multipart:\n%q", body)
	}
}

func TestSubscriptionToASubgraphThatIsDown(t *testing.T) {
	t.Parallel()
	rig := startSubscriptionRig(t, Config{})
	rig.orders.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c := dialRouter(t, ctx, rig, "")
	c.subscribe(ctx, "1", "o1")
	m := c.read(ctx)
	if m.Type != subscription.TypeError || !strings.Contains(string(m.Payload), "SUBSCRIPTION_FAILED") || !strings.Contains(string(m.Payload), `"service":"orders"`) {
		t.Fatalf("want SUBSCRIPTION_FAILED naming the subgraph, got %+v %s", m, m.Payload)
	}
}

func TestSubscriptionOverPlainHTTPIsRefused(t *testing.T) {
	t.Parallel()
	rig := startSubscriptionRig(t, Config{})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp, body := streamPost(t, ctx, rig, "application/json", "o1")
	if resp.StatusCode != http.StatusNotAcceptable || !strings.Contains(body, "streaming transport") {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	if rig.orders.Started() != 0 {
		t.Error("the subgraph was subscribed to")
	}
}

func TestSubscriptionAuthOnConnect(t *testing.T) {
	t.Parallel()
	key := authntest.NewKey(t, "k1", "ES256")
	jwks := authntest.Serve(t, key)
	rig := startSubscriptionRig(t, Config{JWT: JWT{JWKSURL: jwks.URL, Required: true}})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	token := "Bearer " + key.Sign(t, userClaims("alice"))

	// Without a token, or with a bad one, connection_init is refused: 4403.
	for _, init := range []string{"", `{"Authorization":"Bearer not-a-token"}`} {
		conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(rig.router.URL, "http")+"/graphql", &websocket.DialOptions{Subprotocols: []string{subscription.Protocol}})
		if err != nil {
			t.Fatal(err)
		}
		m := subscription.Message{Type: subscription.TypeConnectionInit}
		if init != "" {
			m.Payload = json.RawMessage(init)
		}
		if err := subscription.WriteMessage(ctx, conn, m); err != nil {
			t.Fatal(err)
		}
		_, _, err = conn.Read(ctx)
		if code := websocket.CloseStatus(err); code != subscription.CloseForbidden {
			t.Errorf("init %q: close code %d, want %d (%v)", init, code, subscription.CloseForbidden, err)
		}
		_ = conn.CloseNow()
	}

	// The token in the payload (any case of the header's name) lets it in,
	// and goes on to the subgraph, in its connection_init payload too.
	c := dialRouter(t, ctx, rig, fmt.Sprintf(`{"authorization":%q}`, token))
	c.subscribe(ctx, "1", "o7")
	wantEvent(t, c.read(ctx).Payload, "o7", "PAID")
	inits := rig.orders.InitPayloads()
	if len(inits) != 1 || !strings.Contains(string(inits[0]), token) {
		t.Errorf("subgraph connection_init payloads: %s", inits)
	}
}

// readClose reads until the socket closes and returns its close code.
func (c *wsClient) readClose(ctx context.Context) (websocket.StatusCode, string) {
	c.t.Helper()
	for {
		_, _, err := c.conn.Read(ctx)
		if err != nil {
			var ce websocket.CloseError
			if errors.As(err, &ce) {
				return ce.Code, ce.Reason
			}
			c.t.Fatalf("read: %v, want a close frame", err)
		}
	}
}

// TestSubscriptionsEndWhenTheRouterDrains: on shutdown every stream ends with
// its reason, which http.Server.Shutdown alone never does (it waits for SSE
// streams until its grace runs out and does not see WebSockets): a WebSocket
// closes with 1001, SSE and multipart streams send the error and complete,
// and the subgraph subscriptions end.
func TestSubscriptionsEndWhenTheRouterDrains(t *testing.T) {
	t.Parallel()
	off := false // each client its own subgraph subscription, each with its first event
	rig := startSubscriptionRig(t, Config{Dedupe: &off})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c := dialRouter(t, ctx, rig, "")
	c.subscribe(ctx, "w", orderForever)
	wantEvent(t, c.read(ctx).Payload, orderForever, "PAID")
	bodies := make(chan string, 2)
	for _, accept := range []string{"text/event-stream", `multipart/mixed;subscriptionSpec="1.0"`} {
		go func() {
			_, body := streamPost(t, ctx, rig, accept, orderForever)
			bodies <- body
		}()
	}
	waitOpen(t, rig.orders, 3)
	rig.srv.Drain()
	if code, reason := c.readClose(ctx); code != websocket.StatusGoingAway || !strings.Contains(reason, "shutting down") {
		t.Errorf("WebSocket closed with %d %q, want 1001 saying the router is shutting down", code, reason)
	}
	for range 2 {
		body := <-bodies
		if !strings.Contains(body, `"code":"SHUTTING_DOWN"`) || !strings.Contains(body, `"status":"PAID"`) {
			t.Errorf("stream body lacks its event or the shutdown error:\n%s", body)
		}
		if !strings.Contains(body, "event: complete") && !strings.HasSuffix(strings.TrimSpace(body), "--graphql--") {
			t.Errorf("stream did not complete:\n%s", body)
		}
	}
	waitOpen(t, rig.orders, 0)
	// A socket opened after the drain is closed at once.
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(rig.router.URL, "http")+"/graphql", &websocket.DialOptions{Subprotocols: []string{subscription.Protocol}})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.CloseNow()
	if err := subscription.WriteMessage(ctx, conn, subscription.Message{Type: subscription.TypeConnectionInit}); err != nil {
		t.Fatal(err)
	}
	late := &wsClient{t: t, conn: conn}
	if code, _ := late.readClose(ctx); code != websocket.StatusGoingAway {
		t.Errorf("a socket opened after the drain closed with %d, want 1001", code)
	}
}

// TestSubscriptionEndsWhenItsTokenExpires: a subscription does not outlive
// the token that authenticated it, over a WebSocket (4403) or SSE (an error
// with TOKEN_EXPIRED, then complete).
func TestSubscriptionEndsWhenItsTokenExpires(t *testing.T) {
	t.Parallel()
	key := authntest.NewKey(t, "k1", "ES256")
	jwks := authntest.Serve(t, key)
	rig := startSubscriptionRig(t, Config{JWT: JWT{JWKSURL: jwks.URL, Required: true, Leeway: time.Millisecond}})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	exp := time.Now().Add(2 * time.Second).Truncate(time.Second)
	token := "Bearer " + key.Sign(t, withClaim(userClaims("alice"), "exp", exp.Unix()))

	c := dialRouter(t, ctx, rig, fmt.Sprintf(`{"Authorization":%q}`, token))
	c.subscribe(ctx, "1", orderForever)
	wantEvent(t, c.read(ctx).Payload, orderForever, "PAID")
	resp, body := streamPostWith(t, ctx, rig, "text/event-stream", orderForever, http.Header{"Authorization": {token}})
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `"code":"TOKEN_EXPIRED"`) || !strings.Contains(body, "event: complete") {
		t.Errorf("SSE stream: HTTP %d\n%s", resp.StatusCode, body)
	}
	code, reason := c.readClose(ctx)
	if code != subscription.CloseForbidden || !strings.Contains(reason, "expired") {
		t.Errorf("WebSocket closed with %d %q, want 4403 saying the token expired", code, reason)
	}
	if now := time.Now(); now.Before(exp) {
		t.Errorf("the streams ended at %s, before the token expired at %s", now.Format(time.StampMilli), exp.Format(time.StampMilli))
	}
	waitOpen(t, rig.orders, 0)
}

// TestSubscriptionAtItsOwnURL: a subgraph that serves subscriptions elsewhere
// than at its URL (subscriptions.subgraphs.<name>.url) is subscribed there;
// its URL in the supergraph here answers nothing but 404.
func TestSubscriptionAtItsOwnURL(t *testing.T) {
	t.Parallel()
	nowhere := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(nowhere.Close)
	cfg := Config{Subscriptions: Subscriptions{Subgraphs: map[string]SubscriptionSubgraph{"orders": {URL: "-"}}}}
	rig := startSubscriptionRigAt(t, cfg, nowhere.URL)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c := dialRouter(t, ctx, rig, "")
	c.subscribe(ctx, "s", "o5")
	wantEvent(t, c.read(ctx).Payload, "o5", "PAID")
	if rig.orders.Started() != 1 {
		t.Errorf("the subscription server had %d subscriptions, want 1", rig.orders.Started())
	}

	// Without the setting, the router subscribes at the subgraph's URL.
	rig = startSubscriptionRigAt(t, Config{}, nowhere.URL)
	c = dialRouter(t, ctx, rig, "")
	c.subscribe(ctx, "s", "o5")
	if m := c.read(ctx); m.Type != subscription.TypeError || !strings.Contains(string(m.Payload), "SUBSCRIPTION_FAILED") {
		t.Errorf("subscribing at a URL that serves none: %+v %s, want a SUBSCRIPTION_FAILED error", m, m.Payload)
	}
}

func TestSubscriptionSubgraphURLsAreValidated(t *testing.T) {
	t.Parallel()
	for url, want := range map[string]string{
		"":                   "subscriptions.subgraphs.orders.url is required",
		"/ws":                "subscriptions.subgraphs.orders.url must be an absolute ws://",
		"ftp://orders/ws":    "subscriptions.subgraphs.orders.url must be an absolute ws://",
		"ws://orders:4002/%": "subscriptions.subgraphs.orders.url: ",
	} {
		_, err := New(Config{Subscriptions: Subscriptions{Subgraphs: map[string]SubscriptionSubgraph{"orders": {URL: url}}}}, nil)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("url %q: %v, want %q", url, err, want)
		}
	}
	for _, url := range []string{"ws://orders:4002/ws", "wss://orders.example/ws", "http://orders:4002/graphql"} {
		if err := (Subscriptions{Subgraphs: map[string]SubscriptionSubgraph{"orders": {URL: url}}}).validate(); len(err) != 0 {
			t.Errorf("url %q refused: %v", url, err)
		}
	}
}

// TestIdenticalSubscriptionsShareOneAtTheSubgraph: clients subscribing to the
// same event with the same credentials share one subgraph subscription, each
// getting every event from when it joined, with its own entity fetches; it
// ends with its last client. Other credentials get one of their own.
func TestIdenticalSubscriptionsShareOneAtTheSubgraph(t *testing.T) {
	t.Parallel()
	key := authntest.NewKey(t, "k1", "ES256")
	jwks := authntest.Serve(t, key)
	rig := startSubscriptionRig(t, Config{JWT: JWT{JWKSURL: jwks.URL}})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	alice := fmt.Sprintf(`{"Authorization":%q}`, "Bearer "+key.Sign(t, userClaims("alice")))
	bob := fmt.Sprintf(`{"Authorization":%q}`, "Bearer "+key.Sign(t, userClaims("bob")))

	// The slow stream waits 400 ms before its events: both clients are in by then.
	a1, a2 := dialRouter(t, ctx, rig, alice), dialRouter(t, ctx, rig, alice)
	a1.subscribe(ctx, "1", orderSlow)
	waitOpen(t, rig.orders, 1)
	a2.subscribe(ctx, "x", orderSlow)
	for _, c := range []*wsClient{a1, a2} {
		for _, status := range []string{"PAID", "SHIPPED"} {
			wantEvent(t, c.read(ctx).Payload, orderSlow, status)
		}
		if m := c.read(ctx); m.Type != subscription.TypeComplete {
			t.Errorf("want complete after the subgraph completed, got %+v", m)
		}
	}
	if n := rig.orders.Started(); n != 1 {
		t.Errorf("the subgraph had %d subscriptions for two identical ones, want 1", n)
	}

	// It lives while one client does; another user never shares it.
	a1.subscribe(ctx, "2", orderForever)
	wantEvent(t, a1.read(ctx).Payload, orderForever, "PAID")
	a2.subscribe(ctx, "y", orderForever)
	b := dialRouter(t, ctx, rig, bob)
	b.subscribe(ctx, "z", orderForever)
	wantEvent(t, b.read(ctx).Payload, orderForever, "PAID")
	waitOpen(t, rig.orders, 2)
	if n := rig.orders.Started(); n != 3 {
		t.Errorf("the subgraph had %d subscriptions, want 3 (one shared by alice's two clients, one for bob)", n)
	}
	a1.send(ctx, subscription.Message{ID: "2", Type: subscription.TypeComplete})
	time.Sleep(100 * time.Millisecond)
	waitOpen(t, rig.orders, 2) // a2 still holds alice's
	a2.send(ctx, subscription.Message{ID: "y", Type: subscription.TypeComplete})
	waitOpen(t, rig.orders, 1) // bob's alone
	_ = b.conn.CloseNow()
	waitOpen(t, rig.orders, 0)
}

// TestWebSocketConnectionLimit: past subscriptions.maxConnections an upgrade
// is refused with 503 and the reason, before any WebSocket opens; a closed
// connection frees its place.
func TestWebSocketConnectionLimit(t *testing.T) {
	t.Parallel()
	rig := startSubscriptionRig(t, Config{Subscriptions: Subscriptions{MaxConnections: 1}})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	first := dialRouter(t, ctx, rig, "")
	url := "ws" + strings.TrimPrefix(rig.router.URL, "http") + "/graphql"
	_, resp, err := websocket.Dial(ctx, url, &websocket.DialOptions{Subprotocols: []string{subscription.Protocol}})
	if err == nil || resp == nil || resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("a second connection: err %v, response %+v, want 503", err, resp)
	}
	body, _ := io.ReadAll(resp.Body)
	if !strings.Contains(string(body), "at most 1 WebSocket connections") || !strings.Contains(string(body), "SUBSCRIPTION_LIMIT") {
		t.Errorf("refusal body: %s", body)
	}
	_ = first.conn.Close(websocket.StatusNormalClosure, "")
	deadline := time.Now().Add(5 * time.Second)
	for {
		conn, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{Subprotocols: []string{subscription.Protocol}})
		if err == nil {
			_ = conn.CloseNow()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the place of a closed connection was not freed: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
