package server

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/shopgraph/shopgraph/gateway/execute"
	"github.com/shopgraph/shopgraph/gateway/internal/subscription"
)

// isWebSocket reports whether r asks to upgrade to a WebSocket.
func isWebSocket(r *http.Request) bool {
	return r.Method == http.MethodGet && strings.EqualFold(r.Header.Get("Upgrade"), "websocket")
}

// serveWebSocket serves one graphql-transport-ws connection.
func (s *Server) serveWebSocket(w http.ResponseWriter, r *http.Request) {
	release, ok := s.connections.acquire()
	if !ok {
		s.writeHTTPError(w, mediaJSON, s.errConnectionLimit())
		return
	}
	defer release()
	conn, err := websocket.Accept(w, r, &websocket.AcceptOptions{
		Subprotocols:   []string{subscription.Protocol},
		OriginPatterns: wsOriginPatterns(s.cfg.CORS.AllowOrigins),
	})
	if err != nil {
		s.log.Debug("websocket upgrade refused", "err", err)
		return // Accept answered the request
	}
	defer conn.CloseNow()
	if conn.Subprotocol() != subscription.Protocol {
		_ = conn.Close(subscription.CloseSubprotocolNotAccepted, "Subprotocol not acceptable: use "+subscription.Protocol)
		return
	}
	conn.SetReadLimit(s.cfg.MaxBodyBytes)
	ctx, cancel := context.WithCancel(r.Context())
	ws := &wsSession{s: s, conn: conn, subs: map[string]context.CancelFunc{}}
	defer ws.wg.Wait()
	defer cancel() // before the wait: stops every subscription of the socket
	ws.serve(ctx, r)
}

// wsOriginPatterns turns the CORS origins into the host patterns the
// WebSocket upgrade accepts besides the router's own host: browsers send
// cross-origin upgrades without a preflight, so the origin check is the only
// guard against pages of other sites using a visitor's cookies.
func wsOriginPatterns(origins []string) []string {
	var out []string
	for _, o := range origins {
		if o == "*" {
			return []string{"*"}
		}
		if u, err := url.Parse(o); err == nil && u.Host != "" {
			out = append(out, u.Host)
		}
	}
	return out
}

// wsSession is one client's socket.
type wsSession struct {
	s    *Server
	conn *websocket.Conn
	// req is the upgrade request with the connection's credentials and
	// prepared context, set by init.
	req *http.Request

	// ctx is the connection's: writes use it whichever operation they are
	// for, since a write whose context ends closes the socket.
	ctx  context.Context
	mu   sync.Mutex
	subs map[string]context.CancelFunc
	wg   sync.WaitGroup
}

// serve runs the connection: connection_init, then messages until either
// side closes it.
func (ws *wsSession) serve(ctx context.Context, r *http.Request) {
	if !ws.init(ctx, r) {
		return
	}
	// The prepared context carries the principal and the headers for the
	// subgraphs; it ends with ctx.
	ctx = ws.req.Context()
	ws.ctx = ctx
	// Not by ending ctx: the library closes a socket whose read context ends
	// without a close code, and the client should know why (subscribe_end.go).
	defer ws.s.watchStream(ctx, func(why execute.Error) {
		code := subscription.CloseForbidden
		if why.Extensions["code"] == codeShuttingDown {
			code = websocket.StatusGoingAway
		}
		_ = ws.conn.Close(code, closeReason(why.Message))
	})()
	go ws.keepAlive(ctx)
	for {
		m, err := subscription.ReadMessage(ctx, ws.conn)
		if err != nil {
			if subscription.IsBadMessage(err) {
				_ = ws.conn.Close(subscription.CloseBadRequest, "Invalid message received")
			}
			return
		}
		switch m.Type {
		case subscription.TypeConnectionInit:
			_ = ws.conn.Close(subscription.CloseTooManyInits, "Too many initialisation requests")
			return
		case subscription.TypePing:
			_ = ws.write(ctx, subscription.Message{Type: subscription.TypePong})
		case subscription.TypePong:
		case subscription.TypeSubscribe:
			if !ws.start(ctx, m) {
				return
			}
		case subscription.TypeComplete:
			ws.mu.Lock()
			if stop := ws.subs[m.ID]; stop != nil {
				stop()
			}
			ws.mu.Unlock()
		default:
			_ = ws.conn.Close(subscription.CloseBadRequest, "Invalid message received")
			return
		}
	}
}

// init waits for connection_init and authenticates the connection with the
// token of its payload (under the JWT header's name, any case) or, without
// one, of the upgrade request's header.
func (ws *wsSession) init(ctx context.Context, r *http.Request) bool {
	// Not a read deadline: the library closes a socket whose read context
	// ends, without the close code that says why.
	timer := time.AfterFunc(ws.s.cfg.Subscriptions.InitTimeout, func() {
		_ = ws.conn.Close(subscription.CloseInitTimeout, "Connection initialisation timeout")
	})
	m, err := subscription.ReadMessage(ctx, ws.conn)
	if !timer.Stop() {
		return false
	}
	switch {
	case err != nil:
		if subscription.IsBadMessage(err) {
			_ = ws.conn.Close(subscription.CloseBadRequest, "Invalid message received")
		}
		return false
	case m.Type != subscription.TypeConnectionInit:
		_ = ws.conn.Close(subscription.CloseUnauthorized, "Unauthorized")
		return false
	}
	req := r.Clone(ctx)
	if len(m.Payload) > 0 && string(m.Payload) != "null" {
		var payload map[string]any
		if err := json.Unmarshal(m.Payload, &payload); err != nil {
			_ = ws.conn.Close(subscription.CloseBadRequest, "connection_init payload must be an object")
			return false
		}
		name := ws.s.cfg.JWT.HeaderName
		for k, v := range payload {
			if s, ok := v.(string); ok && strings.EqualFold(k, name) {
				req.Header.Set(name, s)
			}
		}
	}
	pctx, ae := ws.s.prepareRequest(req)
	if ae != nil {
		_ = ws.conn.Close(subscription.CloseForbidden, closeReason(ae.message))
		return false
	}
	// Operations on the socket are POSTs in all but name: any kind may run.
	req = withStreaming(req.WithContext(pctx))
	req.Method = http.MethodPost
	ws.req = req
	return ws.write(ctx, subscription.Message{Type: subscription.TypeConnectionAck}) == nil
}

// closeReason fits a message into a close frame's 123 bytes.
func closeReason(msg string) string {
	if len(msg) > 120 {
		return msg[:120]
	}
	return msg
}

// keepAlive pings the client every heartbeat; a client that stopped reading
// makes the write fail, which closes the socket.
func (ws *wsSession) keepAlive(ctx context.Context) {
	t := time.NewTicker(ws.s.cfg.Subscriptions.Heartbeat)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := ws.write(ctx, subscription.Message{Type: subscription.TypePing}); err != nil {
				_ = ws.conn.CloseNow()
				return
			}
		}
	}
}

// write sends one message, bounded by the heartbeat so that a stalled
// client cannot hold a subscription's goroutine.
func (ws *wsSession) write(ctx context.Context, m subscription.Message) error {
	if ctx.Err() != nil {
		return ctx.Err() // its operation ended: nothing more is sent for it
	}
	base := ws.ctx
	if base == nil {
		base = ctx // before connection_ack
	}
	wctx, cancel := context.WithTimeout(base, 3*ws.s.cfg.Subscriptions.Heartbeat)
	defer cancel()
	return subscription.WriteMessage(wctx, ws.conn, m)
}

// start begins the operation of a subscribe message; false means the
// connection was closed for a protocol error.
func (ws *wsSession) start(ctx context.Context, m subscription.Message) bool {
	var p subscription.Request
	var vars map[string]any
	if m.ID == "" || json.Unmarshal(m.Payload, &p) != nil || (len(p.Variables) > 0 && json.Unmarshal(p.Variables, &vars) != nil) {
		_ = ws.conn.Close(subscription.CloseBadRequest, "Invalid message received")
		return false
	}
	ws.mu.Lock()
	if ws.subs[m.ID] != nil {
		ws.mu.Unlock()
		_ = ws.conn.Close(subscription.CloseSubscriberAlreadyExists, closeReason("Subscriber for "+m.ID+" already exists"))
		return false
	}
	sctx, stop := context.WithCancel(ctx)
	ws.subs[m.ID] = stop
	ws.mu.Unlock()
	req := gqlRequest{Query: p.Query, OperationName: p.OperationName, Variables: vars}
	if len(p.Extensions) > 0 && string(p.Extensions) != "null" {
		req.Extensions = p.Extensions
	}
	ws.wg.Add(1)
	go func() {
		defer ws.wg.Done()
		defer func() {
			ws.mu.Lock()
			delete(ws.subs, m.ID)
			ws.mu.Unlock()
			stop()
		}()
		ws.run(sctx, m.ID, req)
	}()
	return true
}

// run runs one operation and sends its answers: next per result, then
// complete, or error when it cannot run or its subgraph fails. Nothing is
// sent once the client completed it.
func (ws *wsSession) run(ctx context.Context, id string, req gqlRequest) {
	s := ws.s
	op, res, ok := s.prepare(ws.req.WithContext(ctx), req)
	if !ok {
		_ = ws.write(ctx, subscription.Message{ID: id, Type: subscription.TypeError, Payload: resultErrors(res.body)})
		return
	}
	if op.plan.Operation.Kind != ast.Subscription {
		res := s.run(ctx, op)
		if ws.write(ctx, subscription.Message{ID: id, Type: subscription.TypeNext, Payload: res.body}) == nil {
			_ = ws.write(ctx, subscription.Message{ID: id, Type: subscription.TypeComplete})
		}
		s.observeCost(res)
		return
	}
	release, ok := s.subscriptions.acquire()
	if !ok {
		b, _ := json.Marshal([]any{s.errSubscriptionLimit()})
		_ = ws.write(ctx, subscription.Message{ID: id, Type: subscription.TypeError, Payload: b})
		return
	}
	defer release()
	err := s.subscribe(ctx, op, func(body []byte) error {
		return ws.write(ctx, subscription.Message{ID: id, Type: subscription.TypeNext, Payload: body})
	})
	switch {
	case ctx.Err() != nil:
		// The client completed it or left.
	case err == nil:
		_ = ws.write(ctx, subscription.Message{ID: id, Type: subscription.TypeComplete})
	default:
		s.log.Debug("subscription failed", "err", err)
		b, _ := json.Marshal(subscriptionErrors(err))
		_ = ws.write(ctx, subscription.Message{ID: id, Type: subscription.TypeError, Payload: b})
	}
}
