package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/shopgraph/shopgraph/gateway/execute"
)

// Subscriptions reach the router three ways, all on /graphql:
//   - a WebSocket speaking graphql-transport-ws (subscribe_ws.go), which also
//     runs queries and mutations sent over it;
//   - GraphQL over SSE in its "distinct connections" mode, chosen by Accept:
//     text/event-stream (subscribe_http.go);
//   - Apollo's multipart subscription protocol, chosen by Accept:
//     multipart/mixed;subscriptionSpec="1.0" (subscribe_http.go).
//
// Each runs the operation through the same steps as a query (persisted
// documents, authorization filtering, limits, planning); a subscription's
// plan then goes to execute.Subscribe, which subscribes at the owning
// subgraph and runs the plan's entity fetches for each event. A subscription
// sent as a plain GraphQL over HTTP request is refused: it has no way to
// deliver more than one answer.

// Subscriptions configure the router's subscriptions.
type Subscriptions struct {
	// MaxSubscriptions bounds the subscriptions the router serves at once,
	// over every transport: 0 means 10,000; a negative value refuses all.
	MaxSubscriptions int `yaml:"maxSubscriptions" help:"the most subscriptions served at once (0: 10000; negative refuses subscriptions)"`
	// Heartbeat is how often the router pings WebSocket clients and
	// subgraphs and sends SSE and multipart heartbeats (default 10 s).
	Heartbeat time.Duration `yaml:"heartbeat" help:"how often subscription connections get a heartbeat or ping (0: 10s)"`
	// MaxConnections bounds the WebSocket connections open at once, with or
	// without subscriptions: 0 means 10,000; a negative value refuses all.
	MaxConnections int `yaml:"maxConnections" help:"the most WebSocket connections open at once (0: 10000; negative refuses WebSockets)"`
	// InitTimeout bounds the wait for a WebSocket client's connection_init
	// (default 10 s).
	InitTimeout time.Duration `yaml:"initTimeout" help:"how long a WebSocket client has to send connection_init (0: 10s)"`
	// Subgraphs are, per subgraph name, where the router subscribes when that
	// is not the subgraph's URL: ws://, wss://, http:// or https:// (the
	// last two are upgraded as WebSockets too).
	Subgraphs map[string]SubscriptionSubgraph `yaml:"subgraphs" help:"per subgraph, the URL its subscriptions are served at when it is not the subgraph's URL"`
}

// SubscriptionSubgraph is where one subgraph serves its subscriptions.
type SubscriptionSubgraph struct {
	URL string `yaml:"url"`
}

func (c Subscriptions) withDefaults() Subscriptions {
	if c.MaxSubscriptions == 0 {
		c.MaxSubscriptions = 10000
	}
	if c.MaxConnections == 0 {
		c.MaxConnections = 10000
	}
	if c.Heartbeat == 0 {
		c.Heartbeat = 10 * time.Second
	}
	if c.InitTimeout == 0 {
		c.InitTimeout = 10 * time.Second
	}
	return c
}

func (c Subscriptions) validate() []error {
	var errs []error
	if c.Heartbeat < 0 {
		errs = append(errs, fmt.Errorf("config: subscriptions.heartbeat must not be negative, got %s", c.Heartbeat))
	}
	if c.Heartbeat > 0 && c.Heartbeat < 100*time.Millisecond {
		errs = append(errs, fmt.Errorf("config: subscriptions.heartbeat must be at least 100ms, got %s", c.Heartbeat))
	}
	if c.InitTimeout < 0 {
		errs = append(errs, fmt.Errorf("config: subscriptions.initTimeout must not be negative, got %s", c.InitTimeout))
	}
	names := make([]string, 0, len(c.Subgraphs))
	for name := range c.Subgraphs {
		names = append(names, name)
	}
	sort.Strings(names) // errors in a stable order
	for _, name := range names {
		raw := c.Subgraphs[name].URL
		u, err := url.Parse(raw)
		switch {
		case raw == "":
			errs = append(errs, fmt.Errorf("config: subscriptions.subgraphs.%s.url is required", name))
		case err != nil:
			errs = append(errs, fmt.Errorf("config: subscriptions.subgraphs.%s.url: %w", name, err))
		case u.Host == "" || (u.Scheme != "ws" && u.Scheme != "wss" && u.Scheme != "http" && u.Scheme != "https"):
			errs = append(errs, fmt.Errorf("config: subscriptions.subgraphs.%s.url must be an absolute ws://, wss://, http:// or https:// URL, got %q", name, raw))
		}
	}
	return errs
}

// urls returns the subscription URLs by subgraph name.
func (c Subscriptions) urls() map[string]string {
	if len(c.Subgraphs) == 0 {
		return nil
	}
	out := make(map[string]string, len(c.Subgraphs))
	for name, sg := range c.Subgraphs {
		out[name] = sg.URL
	}
	return out
}

// codeSubscriptionLimit refuses a subscription over MaxSubscriptions, and a
// WebSocket over MaxConnections.
const codeSubscriptionLimit = "SUBSCRIPTION_LIMIT"

// errConnectionLimit refuses a WebSocket upgrade over MaxConnections.
func (s *Server) errConnectionLimit() *httpError {
	s.tel.metrics.Refused("connections")
	msg := fmt.Sprintf("the router serves at most %d WebSocket connections at once", s.cfg.Subscriptions.MaxConnections)
	if s.cfg.Subscriptions.MaxConnections < 0 {
		msg = "WebSocket connections are turned off on this router"
	}
	return &httpError{status: http.StatusServiceUnavailable, code: codeSubscriptionLimit, message: msg}
}

// subscriptionSlots counts the subscriptions served, up to a bound.
type subscriptionSlots struct{ sem chan struct{} }

func newSubscriptionSlots(n int) *subscriptionSlots {
	return &subscriptionSlots{sem: make(chan struct{}, max(n, 0))}
}

// acquire takes a slot; ok is false when all are taken.
func (s *subscriptionSlots) acquire() (release func(), ok bool) {
	select {
	case s.sem <- struct{}{}:
		return func() { <-s.sem }, true
	default:
		return nil, false
	}
}

// errSubscriptionLimit is the error of a subscription refused for the limit.
func (s *Server) errSubscriptionLimit() execute.Error {
	s.tel.metrics.Refused("subscriptions")
	if s.cfg.Subscriptions.MaxSubscriptions < 0 {
		return requestError("subscriptions are turned off on this router", codeSubscriptionLimit)
	}
	return requestError(fmt.Sprintf("the router serves at most %d subscriptions at once", s.cfg.Subscriptions.MaxSubscriptions), codeSubscriptionLimit)
}

// streamingKey marks a request whose transport can carry a subscription.
type streamingKey struct{}

// withStreaming marks r as able to carry a subscription.
func withStreaming(r *http.Request) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), streamingKey{}, true))
}

// streaming reports whether r's transport can carry a subscription.
func streaming(r *http.Request) bool {
	on, _ := r.Context().Value(streamingKey{}).(bool)
	return on
}

// checkSubscriptionTransport refuses a subscription sent where its events
// cannot be delivered.
func checkSubscriptionTransport(r *http.Request, kind ast.Operation) *httpError {
	if kind != ast.Subscription || streaming(r) {
		return nil
	}
	return &httpError{status: http.StatusNotAcceptable, code: codeBadRequest,
		message: `a subscription needs a streaming transport: a graphql-transport-ws WebSocket, Accept: text/event-stream, or Accept: multipart/mixed;subscriptionSpec="1.0"`}
}

// subscribe runs a prepared subscription, calling emit with each event's
// response body. It returns nil when the subgraph completed it, ctx's error
// when ctx ended, and a *execute.SubscriptionError when the subgraph failed.
func (s *Server) subscribe(ctx context.Context, op operation, emit func([]byte) error) error {
	opts := execute.SubscribeOptions{EventTimeout: s.cfg.RequestTimeout, PingInterval: s.cfg.Subscriptions.Heartbeat, URLs: s.subscriptionURLs}
	return op.st.exec.Subscribe(ctx, op.plan, op.vars, opts, func(resp *execute.Response) error {
		defer s.memory.after(resp.SubgraphBytes + int64(len(resp.Data)))
		return emit(s.completeAuthorized(op.authz, resp.AppendJSON(nil)))
	})
}

// subscriptionErrors returns the errors that end a failed subscription.
func subscriptionErrors(err error) []execute.Error {
	var se *execute.SubscriptionError
	if errors.As(err, &se) {
		return se.Errors
	}
	return []execute.Error{requestError(err.Error(), execute.CodeSubscriptionFailed)}
}

// resultErrors returns the errors of a result body ({"errors":[...]}).
func resultErrors(body []byte) json.RawMessage {
	var r struct {
		Errors json.RawMessage `json:"errors"`
	}
	if json.Unmarshal(body, &r) != nil || len(r.Errors) == 0 {
		return json.RawMessage(`[{"message":"the request cannot run"}]`)
	}
	return r.Errors
}

// Streaming transports chosen by Accept.
const (
	streamSSE       = "sse"
	streamMultipart = "multipart"
)

// streamTransport returns the streaming transport Accept asks for, or "".
// Multipart counts only with subscriptionSpec: multipart/mixed alone is
// @defer's incremental delivery.
func streamTransport(accept string) string {
	for _, part := range strings.Split(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil || params["q"] == "0" {
			continue
		}
		switch {
		case mt == "text/event-stream":
			return streamSSE
		case mt == "multipart/mixed" && params["subscriptionspec"] != "":
			return streamMultipart
		}
	}
	return ""
}
