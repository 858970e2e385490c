package testsubgraph

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/coder/websocket"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/validator"

	"github.com/shopgraph/shopgraph/gateway/internal/subscription"
)

// Stream produces the events of one subscription field: each value sent is
// the root field's value for one event (resolved against the subscription's
// selections like any object); closing the channel completes the
// subscription. ctx ends when the subscriber leaves.
type Stream func(ctx context.Context, args map[string]any) (<-chan any, error)

// SubscriptionServer is a test subgraph that also serves subscriptions over
// graphql-transport-ws WebSockets on its URL.
type SubscriptionServer struct {
	*Server
	streams map[string]Stream
	// open counts the subscriptions running now; started counts all.
	open, started atomic.Int64

	mu    sync.Mutex
	inits []json.RawMessage
}

// StartSubscriptions serves sg like Start and answers WebSocket upgrades
// with subscriptions, whose events streams (by Subscription field name) make.
func StartSubscriptions(tb testing.TB, sg *Subgraph, streams map[string]Stream) *SubscriptionServer {
	tb.Helper()
	schema, err := sg.Schema()
	if err != nil {
		tb.Fatal(err)
	}
	s := &SubscriptionServer{Server: &Server{sg: sg, schema: schema}, streams: streams}
	s.Server.Server = httptest.NewServer(s)
	tb.Cleanup(s.Server.Close)
	return s
}

// Open returns how many subscriptions are running.
func (s *SubscriptionServer) Open() int64 { return s.open.Load() }

// Started returns how many subscriptions were started.
func (s *SubscriptionServer) Started() int64 { return s.started.Load() }

// InitPayloads returns the connection_init payloads received so far.
func (s *SubscriptionServer) InitPayloads() []json.RawMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]json.RawMessage(nil), s.inits...)
}

// ServeHTTP serves WebSocket upgrades and passes other requests to the
// subgraph's GraphQL over HTTP.
func (s *SubscriptionServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Upgrade") == "" {
		s.Server.ServeHTTP(w, r)
		return
	}
	conn, err := websocket.Accept(w, r, &websocket.AcceptOptions{Subprotocols: []string{subscription.Protocol}})
	if err != nil {
		return
	}
	defer conn.CloseNow()
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	s.serveConn(ctx, conn)
}

// serveConn runs one connection: init, then subscriptions until the peer leaves.
func (s *SubscriptionServer) serveConn(ctx context.Context, conn *websocket.Conn) {
	m, err := subscription.ReadMessage(ctx, conn)
	if err != nil || m.Type != subscription.TypeConnectionInit {
		_ = conn.Close(subscription.CloseUnauthorized, "connection_init expected")
		return
	}
	s.mu.Lock()
	s.inits = append(s.inits, m.Payload)
	s.mu.Unlock()
	if subscription.WriteMessage(ctx, conn, subscription.Message{Type: subscription.TypeConnectionAck}) != nil {
		return
	}
	subs := map[string]context.CancelFunc{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	// Reads and writes use ctx, whose end closes the socket; each
	// subscription's own context only stops its stream.
	ctx, cancel := context.WithCancel(ctx)
	defer wg.Wait()
	defer cancel()
	for {
		m, err := subscription.ReadMessage(ctx, conn)
		if err != nil {
			return // the deferred cancel of ctx stops every subscription
		}
		switch m.Type {
		case subscription.TypePing:
			_ = subscription.WriteMessage(ctx, conn, subscription.Message{Type: subscription.TypePong})
		case subscription.TypeComplete:
			mu.Lock()
			if stop := subs[m.ID]; stop != nil {
				stop()
			}
			mu.Unlock()
		case subscription.TypeSubscribe:
			sctx, stop := context.WithCancel(ctx)
			mu.Lock()
			subs[m.ID] = stop
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer stop()
				s.run(sctx, ctx, conn, m)
			}()
		}
	}
}

// run serves one subscribe message until its stream ends or ctx does.
func (s *SubscriptionServer) run(ctx, connCtx context.Context, conn *websocket.Conn, m subscription.Message) {
	s.started.Add(1)
	s.open.Add(1)
	defer s.open.Add(-1)
	fail := func(errs gqlerror.List) {
		b, _ := json.Marshal(errs)
		_ = subscription.WriteMessage(connCtx, conn, subscription.Message{ID: m.ID, Type: subscription.TypeError, Payload: b})
	}
	var req struct {
		Query     string         `json:"query"`
		Variables map[string]any `json:"variables"`
	}
	if err := json.Unmarshal(m.Payload, &req); err != nil {
		fail(gqlerror.List{gqlerror.Wrap(err)})
		return
	}
	s.Server.mu.Lock()
	s.Server.requests = append(s.Server.requests, Request{Query: req.Query, Variables: req.Variables})
	s.Server.mu.Unlock()
	doc, errs := gqlparser.LoadQuery(s.schema, req.Query)
	if len(errs) > 0 {
		fail(errs)
		return
	}
	if len(doc.Operations) != 1 || doc.Operations[0].Operation != ast.Subscription || len(doc.Operations[0].SelectionSet) != 1 {
		fail(gqlerror.List{gqlerror.Errorf("expected one subscription with one root field")})
		return
	}
	op := doc.Operations[0]
	vars, err := validator.VariableValues(s.schema, op, req.Variables)
	if err != nil {
		fail(gqlerror.List{gqlerror.Wrap(err)})
		return
	}
	root, _ := op.SelectionSet[0].(*ast.Field)
	var stream Stream
	if root != nil {
		stream = s.streams[root.Name]
	}
	if stream == nil {
		fail(gqlerror.List{gqlerror.Errorf("no stream for this field")})
		return
	}
	events, err := stream(ctx, root.ArgumentMap(vars))
	if err != nil {
		fail(gqlerror.List{gqlerror.Errorf("%s", err.Error())})
		return
	}
	for {
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-events:
			if !ok {
				_ = subscription.WriteMessage(connCtx, conn, subscription.Message{ID: m.ID, Type: subscription.TypeComplete})
				return
			}
			if err, isErr := ev.(error); isErr {
				fail(gqlerror.List{gqlerror.Errorf("%s", err.Error())})
				return
			}
			ex := &executor{s: s.Server, vars: vars}
			data, _ := ex.selectionSet(ctx, op.SelectionSet, s.schema.Subscription, map[string]any{root.Name: ev}, nil)
			b, err := json.Marshal(Response{Data: data, Errors: ex.errs})
			if err != nil {
				fail(gqlerror.List{gqlerror.Wrap(err)})
				return
			}
			if err := subscription.WriteMessage(connCtx, conn, subscription.Message{ID: m.ID, Type: subscription.TypeNext, Payload: b}); err != nil {
				return
			}
		}
	}
}

// ErrStreamFailed is an event value that ends a stream with an error message.
var ErrStreamFailed = errors.New("the event source failed")
