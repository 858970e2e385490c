package execute

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/shopgraph/shopgraph/gateway/internal/subscription"
	"github.com/shopgraph/shopgraph/gateway/plan"
)

// Subscriptions: the plan of a subscription has one primary fetch
// (plan.Fetch.Subscription), the subscription operation for the subgraph that
// owns the root field, and possibly entity fetches for the fields other
// subgraphs add to the event. Subscribe sends the primary fetch over a
// graphql-transport-ws socket to that subgraph and, for each event, merges
// the event's data as a root fetch's answer would be merged and runs the
// rest of the plan: every event is a small query execution of its own, with
// its own budget and deadline.

// CodeSubscriptionFailed marks the error that ends a subscription whose
// subgraph socket failed (not one the subgraph ended with its own errors).
const CodeSubscriptionFailed = "SUBSCRIPTION_FAILED"

// SubscribeOptions configure Executor.Subscribe.
type SubscribeOptions struct {
	// EventTimeout bounds the work for one event (its entity fetches and
	// shaping); zero means 30 s.
	EventTimeout time.Duration
	// PingInterval is how often the router pings the subgraph; zero means
	// the subscription package's default.
	PingInterval time.Duration
	// URLs are, per subgraph name, where the router subscribes when that is
	// not the subgraph's URL (a separate WebSocket path or host).
	URLs map[string]string
}

// SubscriptionError ends a subscription that the subgraph could not serve or
// ended with errors. Errors are what the client is told.
type SubscriptionError struct {
	Subgraph string
	Errors   []Error
	err      error
}

// Error describes the failure.
func (e *SubscriptionError) Error() string {
	if e.err != nil {
		return fmt.Sprintf("subscription at subgraph %q: %v", e.Subgraph, e.err)
	}
	return fmt.Sprintf("subscription at subgraph %q ended with errors", e.Subgraph)
}

// Unwrap returns the cause.
func (e *SubscriptionError) Unwrap() error { return e.err }

// SubscriptionFetch returns the primary fetch of a subscription's plan, or nil.
func SubscriptionFetch(p *plan.Plan) *plan.Fetch {
	for _, f := range p.Fetches {
		if f.Subscription {
			return f
		}
	}
	return nil
}

// Subscribe runs the subscription plan p: it subscribes at the owning
// subgraph and calls emit with the response for each event. It returns nil
// when the subgraph completes the subscription, ctx's error when ctx ends, a
// *SubscriptionError when the subgraph fails or ends it with errors, and
// emit's error when emit fails.
func (e *Executor) Subscribe(ctx context.Context, p *plan.Plan, vars map[string]any, opts SubscribeOptions, emit func(*Response) error) error {
	f := SubscriptionFetch(p)
	if f == nil {
		return errors.New("the plan has no subscription fetch")
	}
	c := e.clients[f.Subgraph]
	if c == nil {
		return &SubscriptionError{Subgraph: f.Subgraph, err: errors.New("unknown subgraph"), Errors: []Error{subscriptionFailed(f.Subgraph, "unknown subgraph")}}
	}
	if opts.EventTimeout <= 0 {
		opts.EventTimeout = 30 * time.Second
	}
	req, err := e.subscribeRequest(f, vars)
	if err != nil {
		return err
	}
	header := c.header.Clone()
	for k, vs := range subgraphHeaders(ctx, f.Subgraph) {
		header[k] = vs
	}
	// Headers that describe a POST body do not belong on an upgrade.
	header.Del("Content-Type")
	header.Del("Accept")
	copts := subscription.ClientOptions{Header: header, PingInterval: opts.PingInterval}
	// Subgraph servers (gqlgen's among them) read credentials from the
	// connection_init payload rather than from the upgrade's headers.
	if a := header.Get("Authorization"); a != "" {
		copts.InitPayload = map[string]any{"Authorization": a}
	}
	rest := withoutFetch(p.Root, f)
	var emitErr error
	url := c.url
	if u := opts.URLs[c.name]; u != "" {
		url = u
	}
	event := func(payload []byte) error {
		ectx, cancel := context.WithTimeoutCause(ctx, opts.EventTimeout, &RequestTimeout{After: opts.EventTimeout})
		defer cancel()
		if emitErr = emit(e.ExecuteEvent(ectx, p, rest, vars, payload)); emitErr != nil {
			return emitErr
		}
		return nil
	}
	upstream := func(ctx context.Context, next func([]byte) error) error {
		return subscription.Subscribe(ctx, url, req, copts, next)
	}
	if e.dedupe {
		err = e.shared(ctx, upstream, url, req, header, event)
	} else {
		err = upstream(ctx, event)
	}
	switch {
	case err == nil:
		return nil
	case emitErr != nil && errors.Is(err, emitErr):
		return emitErr
	case ctx.Err() != nil:
		return ctx.Err()
	case errors.Is(err, errLagged):
		return &SubscriptionError{Subgraph: f.Subgraph, err: err, Errors: []Error{subscriptionFailed(f.Subgraph, err.Error())}}
	}
	var se *subscription.SubgraphError
	if errors.As(err, &se) {
		var errs []Error
		if json.Unmarshal(se.Errors, &errs) != nil || len(errs) == 0 {
			errs = []Error{subscriptionFailed(f.Subgraph, "the subgraph ended the subscription with an error: "+snippet(se.Errors))}
		}
		return &SubscriptionError{Subgraph: f.Subgraph, Errors: errs, err: err}
	}
	return &SubscriptionError{Subgraph: f.Subgraph, err: err, Errors: []Error{subscriptionFailed(f.Subgraph, err.Error())}}
}

// errLagged ends the subscription of a client that fell behind the others
// of a shared subscription.
var errLagged = fmt.Errorf("the client fell more than %d events behind", sharedBacklog)

// shared runs a client's subscription on the shared subscription of its key
// (subshare.go), calling event for each event until the subscription ends,
// ctx ends or event fails.
func (e *Executor) shared(ctx context.Context, upstream func(context.Context, func([]byte) error) error, url string, req subscription.Request, header http.Header, event func([]byte) error) error {
	payload, err := json.Marshal(req)
	if err != nil {
		return fmt.Errorf("encode subscribe: %w", err)
	}
	s, end, leave := e.subs.join(subscriptionKey(url, payload, header), upstream)
	defer leave()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case payload, ok := <-s.events:
			if !ok {
				lagged, err := end()
				if lagged {
					return errLagged
				}
				return err
			}
			if err := event(payload); err != nil {
				return err
			}
		}
	}
}

func subscriptionFailed(sg, msg string) Error {
	return Error{Message: fmt.Sprintf("subscription at subgraph %q failed: %s", sg, msg),
		Extensions: map[string]any{"code": CodeSubscriptionFailed, "service": sg, "serviceName": sg}}
}

// subscribeRequest is the subscribe payload for fetch f: its operation and
// the client variables it uses.
func (e *Executor) subscribeRequest(f *plan.Fetch, vars map[string]any) (subscription.Request, error) {
	req := subscription.Request{Query: f.Operation}
	if len(f.Variables) > 0 {
		used := make(map[string]any, len(f.Variables))
		for _, name := range f.Variables {
			if v, ok := vars[name]; ok {
				used[name] = v
			}
		}
		b, err := json.Marshal(used)
		if err != nil {
			return req, fmt.Errorf("encode subscription variables: %w", err)
		}
		req.Variables = b
	}
	return req, nil
}

// ExecuteEvent makes the response to one event of p's subscription: payload
// is the subgraph's GraphQL response for the primary fetch, rest the plan
// without that fetch (nil when nothing else is fetched).
func (e *Executor) ExecuteEvent(ctx context.Context, p *plan.Plan, rest plan.Node, vars map[string]any, payload []byte) *Response {
	r := e.newRun(ctx, p, vars)
	defer r.arena.free()
	f := SubscriptionFetch(p)
	resp, err := parseResponse(&r.arena, payload, http.StatusOK)
	if err != nil {
		r.fetchFailed(f, err)
	} else {
		r.mu.Lock()
		if d := resp.Get("data"); d != nil && d.Kind == Object {
			merge(&r.arena, r.data, d)
		} else if hasErrors(resp) {
			r.failed = append(r.failed, f.Scope...)
		}
		r.subgraphErrors(f, resp, nil)
		r.mu.Unlock()
		if rest != nil {
			r.schedule(rest)
		}
	}
	if r.cut.Load() {
		return &Response{Data: []byte("null"), Errors: r.errors, SubgraphBytes: r.budget.bytes.Load()}
	}
	if te := timeoutError(ctx); te != nil {
		r.errors = append(r.errors, *te)
	}
	// Shaped as Execute shapes a query's data; the plan's size hint is left
	// to queries, whose answers are larger and steadier than one event's.
	return e.respond(r, p)
}

// withoutFetch returns the plan tree n without fetch f; fetches that depend
// on f then run at once (schedule skips dependencies it does not run).
func withoutFetch(n plan.Node, f *plan.Fetch) plan.Node {
	switch n := n.(type) {
	case *plan.Fetch:
		if n == f {
			return nil
		}
		return n
	case *plan.Sequence:
		nodes := without(n.Nodes, f)
		if len(nodes) == 0 {
			return nil
		}
		return &plan.Sequence{Nodes: nodes}
	case *plan.Parallel:
		nodes := without(n.Nodes, f)
		if len(nodes) == 0 {
			return nil
		}
		return &plan.Parallel{Nodes: nodes}
	case *plan.Condition:
		c := *n
		c.If, c.Else = withoutFetch(n.If, f), withoutFetch(n.Else, f)
		return &c
	}
	return n
}

func without(nodes []plan.Node, f *plan.Fetch) []plan.Node {
	out := make([]plan.Node, 0, len(nodes))
	for _, c := range nodes {
		if c = withoutFetch(c, f); c != nil {
			out = append(out, c)
		}
	}
	return out
}
