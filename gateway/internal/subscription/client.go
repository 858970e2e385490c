package subscription

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
)

// ClientOptions configure a subscription the router opens at a subgraph.
type ClientOptions struct {
	// Header is sent with the WebSocket upgrade (propagated client headers).
	Header http.Header
	// InitPayload is connection_init's payload; nil sends none.
	InitPayload map[string]any
	// PingInterval is how often a ping goes to the subgraph; a subgraph
	// silent for two intervals is taken as gone. Zero means 15 s.
	PingInterval time.Duration
	// AckTimeout bounds the wait for connection_ack; zero means 10 s.
	AckTimeout time.Duration
	// MaxMessageBytes bounds one event; zero means 16 MiB.
	MaxMessageBytes int64
}

// SubgraphError is a subscription the subgraph ended with an error message:
// Errors is its payload, a JSON array of GraphQL errors.
type SubgraphError struct{ Errors json.RawMessage }

// Error returns the errors as JSON.
func (e *SubgraphError) Error() string { return "subgraph error: " + string(e.Errors) }

// errSilent reports a subgraph that stopped answering pings.
var errSilent = errors.New("the subgraph stopped answering pings")

// Subscribe opens a graphql-transport-ws socket to url (http(s) URLs become
// ws(s)), subscribes with req and calls next with the payload of each event,
// a GraphQL response. It returns nil when the subgraph completes the
// subscription, a *SubgraphError when it ends it with errors, ctx's error when
// ctx ends (after telling the subgraph to complete), and other errors when
// the connection fails. next's error ends the subscription and is returned.
func Subscribe(ctx context.Context, url string, req Request, opts ClientOptions, next func(payload []byte) error) error {
	opts = opts.withDefaults()
	conn, resp, err := websocket.Dial(ctx, wsURL(url), &websocket.DialOptions{HTTPHeader: opts.Header, Subprotocols: []string{Protocol}})
	if resp != nil && resp.Body != nil {
		_ = resp.Body.Close()
	}
	if err != nil {
		return fmt.Errorf("connect to %s: %w", url, err)
	}
	defer conn.CloseNow()
	if conn.Subprotocol() != Protocol {
		_ = conn.Close(CloseSubprotocolNotAccepted, "")
		return fmt.Errorf("connect to %s: the subgraph does not speak %s", url, Protocol)
	}
	conn.SetReadLimit(opts.MaxMessageBytes)
	c := &clientConn{conn: conn}
	if err := c.init(ctx, opts); err != nil {
		return fmt.Errorf("connection_init at %s: %w", url, err)
	}
	const id = "1"
	payload, err := json.Marshal(req)
	if err != nil {
		return fmt.Errorf("encode subscribe: %w", err)
	}
	if err := WriteMessage(ctx, conn, Message{ID: id, Type: TypeSubscribe, Payload: payload}); err != nil {
		return fmt.Errorf("subscribe at %s: %w", url, err)
	}
	runCtx, stop := context.WithCancelCause(ctx)
	defer stop(nil)
	// The library closes a socket whose read or write context ends; reads
	// and writes therefore run on a context that does not, and the end of
	// runCtx is handled here: complete goes to the subgraph first, so that
	// it stops its work for this subscription before the socket closes.
	ioCtx := context.WithoutCancel(ctx)
	closed := make(chan struct{})
	stopWatch := context.AfterFunc(runCtx, func() {
		defer close(closed)
		if ctx.Err() != nil {
			wctx, cancel := context.WithTimeout(ioCtx, time.Second)
			_ = WriteMessage(wctx, conn, Message{ID: id, Type: TypeComplete})
			cancel()
		}
		_ = conn.Close(websocket.StatusNormalClosure, "")
	})
	go c.ping(runCtx, ioCtx, stop, opts.PingInterval)
	err = c.events(ioCtx, id, next)
	if !stopWatch() {
		<-closed
	}
	switch {
	case errors.Is(context.Cause(runCtx), errSilent):
		return fmt.Errorf("subscription at %s: %w", url, errSilent)
	case ctx.Err() != nil:
		return ctx.Err()
	case err == nil:
		_ = conn.Close(websocket.StatusNormalClosure, "")
	}
	return err
}

func (o ClientOptions) withDefaults() ClientOptions {
	if o.PingInterval <= 0 {
		o.PingInterval = 15 * time.Second
	}
	if o.AckTimeout <= 0 {
		o.AckTimeout = 10 * time.Second
	}
	if o.MaxMessageBytes <= 0 {
		o.MaxMessageBytes = 16 << 20
	}
	return o
}

// clientConn is the router's socket to one subgraph.
type clientConn struct {
	conn *websocket.Conn
	// lastRead is when the subgraph last sent anything (UnixNano).
	lastRead atomic.Int64
}

// init sends connection_init and waits for connection_ack, answering pings.
func (c *clientConn) init(ctx context.Context, opts ClientOptions) error {
	m := Message{Type: TypeConnectionInit}
	if opts.InitPayload != nil {
		b, err := json.Marshal(opts.InitPayload)
		if err != nil {
			return fmt.Errorf("encode payload: %w", err)
		}
		m.Payload = b
	}
	if err := WriteMessage(ctx, c.conn, m); err != nil {
		return err
	}
	actx, cancel := context.WithTimeout(ctx, opts.AckTimeout)
	defer cancel()
	for {
		m, err := ReadMessage(actx, c.conn)
		if err != nil {
			return fmt.Errorf("waiting for connection_ack: %w", err)
		}
		switch m.Type {
		case TypeConnectionAck:
			c.lastRead.Store(time.Now().UnixNano())
			return nil
		case TypePing:
			if err := WriteMessage(actx, c.conn, Message{Type: TypePong}); err != nil {
				return err
			}
		}
	}
}

// events reads until the subscription ends, passing each event to next.
func (c *clientConn) events(ctx context.Context, id string, next func([]byte) error) error {
	for {
		m, err := ReadMessage(ctx, c.conn)
		if err != nil {
			return fmt.Errorf("read: %w", err)
		}
		c.lastRead.Store(time.Now().UnixNano())
		switch m.Type {
		case TypeNext:
			if m.ID == id {
				if err := next(m.Payload); err != nil {
					return err
				}
			}
		case TypeError:
			if m.ID == id {
				return &SubgraphError{Errors: m.Payload}
			}
		case TypeComplete:
			if m.ID == id {
				return nil
			}
		case TypePing:
			if err := WriteMessage(ctx, c.conn, Message{Type: TypePong}); err != nil {
				return fmt.Errorf("pong: %w", err)
			}
		}
	}
}

// ping sends a ping every interval and stops the subscription when the
// subgraph has sent nothing, not even a pong, for two intervals.
func (c *clientConn) ping(ctx, ioCtx context.Context, stop context.CancelCauseFunc, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if time.Since(time.Unix(0, c.lastRead.Load())) > 2*interval {
			stop(errSilent)
			return
		}
		wctx, cancel := context.WithTimeout(ioCtx, interval)
		err := WriteMessage(wctx, c.conn, Message{Type: TypePing})
		cancel()
		if err != nil {
			return
		}
	}
}

// wsURL turns an http(s) URL into the ws(s) URL of the same endpoint.
func wsURL(u string) string {
	switch {
	case strings.HasPrefix(u, "http://"):
		return "ws://" + strings.TrimPrefix(u, "http://")
	case strings.HasPrefix(u, "https://"):
		return "wss://" + strings.TrimPrefix(u, "https://")
	}
	return u
}
