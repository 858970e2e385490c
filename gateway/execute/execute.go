// Package execute runs query plans: it sends the plan's fetches to the subgraphs
// (parallel branches concurrently, one _entities request per entity fetch with
// de-duplicated representations), merges the results into one response tree, and
// shapes the client's response with null propagation by the API schema.
//
// Failures of a subgraph never fail the request as a whole: the fields it should
// have supplied come back null, with an error naming the subgraph.
package execute

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vektah/gqlparser/v2/ast"
	"go.opentelemetry.io/otel/trace"

	"github.com/shopgraph/shopgraph/gateway/plan"
	"github.com/shopgraph/shopgraph/gateway/supergraph"
)

// Options configure an Executor.
type Options struct {
	// SubgraphTimeout bounds each subgraph request; zero means 30 s.
	SubgraphTimeout time.Duration
	// MaxResponseBytes bounds each subgraph response body; zero means 64 MiB.
	MaxResponseBytes int64
	// Transport replaces the default pooled transport (shared by all subgraphs), for tests.
	Transport http.RoundTripper
	// Headers are added to every subgraph request.
	Headers http.Header
	// Dedupe shares identical in-flight subgraph fetches (same subgraph, body
	// and headers) and identical subgraph subscriptions (subshare.go); nil
	// means on. Mutations are never shared.
	Dedupe *bool
	// SubgraphRetries is how many times a query's fetch is sent again after a
	// connection error or an HTTP 502/503/504, with jittered exponential
	// back-off from 50 ms (never past the request's deadline); zero means 2, a
	// negative value none. Mutations and subgraph timeouts are never retried.
	SubgraphRetries int
	// BreakerFailures is how many consecutive failed fetches (connection
	// errors, timeouts, HTTP 5xx; not GraphQL errors) open a subgraph's
	// circuit breaker; zero means 5, a negative value turns breakers off.
	BreakerFailures int
	// BreakerCooldown is how long an open breaker sheds fetches before it
	// lets one trial fetch through; zero means 10 s.
	BreakerCooldown time.Duration
	// OnBreakerStateChange, when set, hears each breaker's state changes
	// ("closed", "open", "half-open"), for metrics. It runs under the
	// breaker's lock: it must be quick and must not call the Executor.
	OnBreakerStateChange func(subgraph, state string)
	// Logger logs breaker state changes; nil logs nothing.
	Logger *slog.Logger
	// MaxRequestBytes caps the subgraph answer bytes one request may read,
	// summed over its fetches; zero means DefaultMaxRequestBytes, negative none.
	MaxRequestBytes int64
	// MaxEntities caps the objects one request's entity fetches may be made
	// for; zero means DefaultMaxEntities, negative none.
	MaxEntities int
	// MaxOutputBytes caps the client response's data; zero means
	// DefaultMaxOutputBytes, negative none.
	MaxOutputBytes int
	// Observer hears every subgraph request's latency and outcome; nil
	// reports nothing.
	Observer Observer
	// Tracer makes a span per plan step and a client span per subgraph
	// request, whose W3C trace context goes to the subgraph; nil (tracing
	// off) makes none and costs nothing.
	Tracer trace.Tracer
}

// Executor runs plans against the subgraphs of one supergraph. It is safe for
// concurrent use.
type Executor struct {
	schema  *ast.Schema
	intro   *introView
	clients map[string]*subgraphClient
	dedupe  bool
	chunks  *chunkPool
	tel     *fetchTelemetry
	// per-request caps (Options); negative: none.
	maxRequestBytes int64
	maxEntities     int
	maxOutputBytes  int
	// ifaceObjects: some subgraph models an interface as an @interfaceObject
	// (keepConcrete has work to do).
	ifaceObjects bool
	// subs shares identical subgraph subscriptions (subshare.go).
	subs *subscriptionHub
}

// New returns an executor with one pooled HTTP client per subgraph of g.
func New(g *supergraph.Graph, opts Options) *Executor {
	if opts.SubgraphTimeout <= 0 {
		opts.SubgraphTimeout = 30 * time.Second
	}
	if opts.MaxResponseBytes <= 0 {
		opts.MaxResponseBytes = 64 << 20
	}
	if opts.MaxRequestBytes == 0 {
		opts.MaxRequestBytes = DefaultMaxRequestBytes
	}
	if opts.MaxEntities == 0 {
		opts.MaxEntities = DefaultMaxEntities
	}
	if opts.MaxOutputBytes == 0 {
		opts.MaxOutputBytes = DefaultMaxOutputBytes
	}
	if opts.SubgraphRetries == 0 {
		opts.SubgraphRetries = DefaultSubgraphRetries
	}
	if opts.BreakerFailures == 0 {
		opts.BreakerFailures = DefaultBreakerFailures
	}
	if opts.BreakerCooldown <= 0 {
		opts.BreakerCooldown = DefaultBreakerCooldown
	}
	e := &Executor{schema: g.API(), intro: newIntroView(g.API()), clients: map[string]*subgraphClient{}, dedupe: opts.Dedupe == nil || *opts.Dedupe, chunks: newChunkPool(), subs: newSubscriptionHub(),
		maxRequestBytes: opts.MaxRequestBytes, maxEntities: opts.MaxEntities, maxOutputBytes: opts.MaxOutputBytes}
	e.tel = &fetchTelemetry{observer: opts.Observer, tracer: opts.Tracer}
	for _, name := range g.TypeNames() {
		e.ifaceObjects = e.ifaceObjects || g.Type(name).HasInterfaceObject()
	}
	for _, sg := range g.Subgraphs() {
		tr := opts.Transport
		if tr == nil {
			tr = newTransport()
		}
		e.clients[sg.Name] = &subgraphClient{
			name:    sg.Name,
			url:     sg.URL,
			hc:      &http.Client{Transport: tr},
			timeout: opts.SubgraphTimeout,
			maxBody: opts.MaxResponseBytes,
			header:  requestHeader(opts.Headers),
			flight:  &inflight{},
			tel:     e.tel,
			retry:   retryPolicy{retries: max(opts.SubgraphRetries, 0), initial: retryInitial, max: retryMax},
		}
		if opts.BreakerFailures > 0 {
			e.clients[sg.Name].breaker = newBreaker(sg.Name, opts.BreakerFailures, opts.BreakerCooldown, opts.Logger, opts.OnBreakerStateChange)
		}
	}
	return e
}

// Close releases idle connections.
func (e *Executor) Close() {
	for _, c := range e.clients {
		c.hc.CloseIdleConnections()
	}
}

type run struct {
	e    *Executor
	ctx  context.Context
	vars map[string]any

	arena arena

	mu     sync.Mutex
	data   *Value
	errors []Error
	// failed are the scopes of fetches that failed or answered errors
	// without a path: missing values there need no error of their own.
	failed []plan.Path
	varEnc map[string][]byte
	// nonNullRoot holds the response keys of a mutation's non-null root
	// fields; once one of them is null the response's data is null, and the
	// mutations after it must not run (stopped).
	nonNullRoot map[string]bool
	stopped     atomic.Bool
	// responseKeys maps planner data keys back to client response keys.
	responseKeys map[string]string
	// unresolved: see shaper.unresolved.
	unresolved map[*Value]bool
	// nulled: see shaper.nulled.
	nulled map[*Value]bool
	// budget is what the request may still consume; cut is set once it
	// went over, which stops every later step.
	budget *budget
	cut    atomic.Bool
}

// outputHint is the size to start the response's buffer at: the last response
// to p, or before there was one, the subgraph bytes read for this one, which
// the response seldom exceeds by much. Starting small would grow the buffer
// by copies that allocate several times the response.
func (r *run) outputHint(p *plan.Plan) int {
	if n := p.SizeHint.Load(); n > 0 {
		return int(n)
	}
	return int(r.budget.bytes.Load())
}

// Execute runs p with the coerced variables and returns the shaped response.
func (e *Executor) Execute(ctx context.Context, p *plan.Plan, vars map[string]any) *Response {
	r := e.newRun(ctx, p, vars)
	defer r.arena.free()
	if resp := r.runPlan(ctx, p); resp != nil {
		return resp
	}
	resp := e.respond(r, p)
	if resp.full != nil {
		p.SizeHint.Store(int64(len(resp.full)))
	}
	return resp
}

// respond shapes r's data into the response to p, within the response cap.
func (e *Executor) respond(r *run, p *plan.Plan) *Response {
	sh := shaper{schema: e.schema, vars: r.vars, errors: r.errors, failed: r.failed, unresolved: r.unresolved, nulled: r.nulled}
	if e.maxOutputBytes > 0 {
		sh.maxBytes = len(dataPrefix) + e.maxOutputBytes
	}
	data := sh.shape(r.data, p.Operation, r.outputHint(p))
	if sh.over() {
		return e.overflowResponse(r)
	}
	return &Response{Data: data[len(dataPrefix):], Errors: sh.errors, full: data, SubgraphBytes: r.budget.bytes.Load()}
}

func (e *Executor) newRun(ctx context.Context, p *plan.Plan, vars map[string]any) *run {
	r := &run{e: e, vars: vars, data: &Value{Kind: Object}, varEnc: map[string][]byte{}, responseKeys: p.ResponseKeys}
	r.budget = &budget{maxBytes: e.maxRequestBytes, maxEntities: int64(e.maxEntities)}
	r.ctx = withBudget(ctx, r.budget)
	r.arena.pool = e.chunks
	return r
}

// overflowResponse answers a request whose response went over MaxOutputBytes.
func (e *Executor) overflowResponse(r *run) *Response {
	return &Response{Data: []byte("null"), Errors: append(r.errors, e.overflowError()), SubgraphBytes: r.budget.bytes.Load()}
}

// overflowError says that the response went over the router's cap.
func (e *Executor) overflowError() Error {
	return Error{
		Message:    fmt.Sprintf("the response is larger than %d bytes (the router's limit per response)", e.maxOutputBytes),
		Extensions: map[string]any{"code": CodeResponseLimit},
	}
}

// runPlan runs p's fetches into r.data; it returns the whole response when
// the request went over its budget (nothing is answered then), else nil.
func (r *run) runPlan(ctx context.Context, p *plan.Plan) *Response {
	vars := r.vars
	switch {
	case p.Root == nil:
	case p.Operation.Kind == ast.Query:
		r.schedule(p.Root)
	default:
		r.nonNullRoot = map[string]bool{}
		for _, s := range p.Operation.Selections {
			if f, ok := s.(*plan.Field); ok && f.Type != nil && f.Type.NonNull && f.Conditions.Hold(vars) {
				r.nonNullRoot[f.DataKeyOrKey()] = true
			}
		}
		if seq, ok := p.Root.(*plan.Sequence); ok {
			// Mutation fields run one after the other; a null that the
			// entity fetches of one push up into a non-null root field ends
			// the sequence as surely as a null root answer does.
			for i, step := range seq.Nodes {
				if r.ctx.Err() != nil || r.stopped.Load() {
					break
				}
				if i > 0 && runsMutation(step) && r.rootNulled(p.Operation) {
					break
				}
				r.node(step)
			}
		} else {
			r.node(p.Root)
		}
	}
	if r.cut.Load() {
		// The data is incomplete in unknown places: none of it is answered.
		return &Response{Data: []byte("null"), Errors: r.errors, SubgraphBytes: r.budget.bytes.Load()}
	}
	if te := timeoutError(ctx); te != nil {
		r.errors = append(r.errors, *te)
	}
	r.introspect(p.Operation)
	return nil
}

// cutOff stops the request for going over its budget, once, with err's message.
func (r *run) cutOff(err error) {
	if r.cut.Swap(true) {
		return
	}
	r.stopped.Store(true)
	r.addError(Error{Message: err.Error(), Extensions: map[string]any{"code": CodeResponseLimit}})
}

func (r *run) node(n plan.Node) {
	switch n := n.(type) {
	case *plan.Sequence:
		for _, c := range n.Nodes {
			if r.ctx.Err() != nil || r.stopped.Load() {
				return
			}
			r.node(c)
		}
	case *plan.Parallel:
		var wg sync.WaitGroup
		for _, c := range n.Nodes {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r.node(c)
			}()
		}
		wg.Wait()
	case *plan.Fetch:
		r.rootFetch(n)
	case *plan.Flatten:
		r.entityFetch(n)
	case *plan.Condition:
		if br := n.Branch(r.vars); br != nil {
			r.node(br)
		}
	}
}

func (r *run) addError(e Error) {
	r.mu.Lock()
	r.errors = append(r.errors, e)
	r.mu.Unlock()
}

// fetchFailed reports a fetch that produced no data.
func (r *run) fetchFailed(f *plan.Fetch, err error) {
	var be *errBudget
	if errors.As(err, &be) {
		r.cutOff(be)
		return
	}
	if r.ctx.Err() != nil {
		// The request's own deadline or cancellation: reported once, by
		// Execute, not as this subgraph's failure; the fields stay null.
		r.mu.Lock()
		r.failed = append(r.failed, f.Scope...)
		r.mu.Unlock()
		return
	}
	code := CodeSubrequestHTTP
	if fe, ok := err.(*fetchError); ok {
		code = fe.code
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.fetchError(f, fmt.Sprintf("subgraph %q failed: %v", f.Subgraph, err), code)
}

// fetchError records an error about fetch f as a whole, with the fetch's
// scope as failed. Callers hold r.mu.
func (r *run) fetchError(f *plan.Fetch, msg, code string) {
	r.errors = append(r.errors, Error{Message: msg, Extensions: map[string]any{"service": f.Subgraph, "serviceName": f.Subgraph, "code": code}})
	r.failed = append(r.failed, f.Scope...)
}

// body builds the request JSON for a fetch; reps are the representations, if any.
func (r *run) body(f *plan.Fetch, reps []string) []byte {
	buf := make([]byte, 0, 256+len(f.Operation))
	buf = append(buf, `{"query":`...)
	buf = appendString(buf, f.Operation)
	buf = append(buf, `,"variables":{`...)
	n := 0
	if f.Entity {
		buf = append(buf, `"representations":[`...)
		for i, rep := range reps {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = append(buf, rep...)
		}
		buf = append(buf, ']')
		n++
	}
	for _, name := range f.Variables {
		v, ok := r.vars[name]
		if !ok {
			continue
		}
		if n > 0 {
			buf = append(buf, ',')
		}
		buf = appendString(buf, name)
		buf = append(buf, ':')
		buf = append(buf, r.encodeVar(name, v)...)
		n++
	}
	return append(buf, "}}"...)
}

func (r *run) encodeVar(name string, v any) []byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	if b, ok := r.varEnc[name]; ok {
		return b
	}
	b, err := json.Marshal(v)
	if err != nil {
		b = []byte("null")
	}
	r.varEnc[name] = b
	return b
}

func (r *run) rootFetch(f *plan.Fetch) {
	c := r.e.clients[f.Subgraph]
	if c == nil {
		r.fetchFailed(f, fmt.Errorf("unknown subgraph"))
		return
	}
	ctx, span := r.e.tel.startStep(r.ctx, "Fetch", f)
	defer endStep(span)
	resp, err := c.do(ctx, &r.arena, f, r.body(f, nil), r.e.dedupe && !f.Mutation)
	if err != nil {
		r.fetchFailed(f, err)
		if f.Mutation {
			r.mu.Lock()
			r.stopAtNullRoot(f)
			r.mu.Unlock()
		}
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if d := resp.Get("data"); d != nil && d.Kind == Object {
		merge(&r.arena, r.data, d)
	} else if hasErrors(resp) {
		// The subgraph's errors nulled its whole answer: they explain every
		// field of this fetch.
		r.failed = append(r.failed, f.Scope...)
	}
	r.subgraphErrors(f, resp, nil)
	if f.Mutation {
		r.stopAtNullRoot(f)
	}
}

// runsMutation reports whether a plan step sends a mutation's root fetch.
func runsMutation(n plan.Node) bool {
	switch n := n.(type) {
	case *plan.Fetch:
		return n.Mutation
	case *plan.Sequence:
		return slices.ContainsFunc(n.Nodes, runsMutation)
	case *plan.Parallel:
		return slices.ContainsFunc(n.Nodes, runsMutation)
	case *plan.Condition:
		return (n.If != nil && runsMutation(n.If)) || (n.Else != nil && runsMutation(n.Else))
	}
	return false
}

// rootNulled reports whether a mutation root field already answered, of a
// non-null type, shapes as null so far: the response's data is then null.
func (r *run) rootNulled(op *plan.Operation) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	done := map[string]bool{}
	for _, sel := range op.Selections {
		f, ok := sel.(*plan.Field)
		if !ok || done[f.Key] || !r.nonNullRoot[f.DataKeyOrKey()] || !f.Conditions.Hold(r.vars) {
			continue
		}
		done[f.Key] = true
		v := r.data.Get(f.DataKeyOrKey())
		if v == nil {
			continue // not run yet
		}
		// The selections of every included field with this key, as shaping
		// will merge them.
		var all []plan.Selection
		for _, o := range op.Selections {
			if of, ok := o.(*plan.Field); ok && of.Key == f.Key && of.Conditions.Hold(r.vars) {
				all = append(all, of.Selections...)
			}
		}
		sels := all
		if len(all) > 0 {
			sels = []plan.Selection{&plan.Fragment{Selections: all}}
		}
		sh := shaper{schema: r.e.schema, vars: r.vars, errors: append([]Error(nil), r.errors...), failed: r.failed, unresolved: r.unresolved, nulled: r.nulled}
		sh.path = append(sh.path, pathElem{key: f.Key})
		if !sh.value(v, f.Type, sels, f) {
			return true
		}
	}
	return false
}

// stopAtNullRoot stops a mutation's later fields when one of fetch f's
// non-null root fields came back null: the data is null whatever they do, and
// GraphQL's serial execution ends at the error. Callers hold r.mu.
func (r *run) stopAtNullRoot(f *plan.Fetch) {
	for _, p := range f.Scope {
		if len(p) != 1 || !r.nonNullRoot[p[0]] {
			continue
		}
		if v := r.data.Get(p[0]); v == nil || v.Kind == Null {
			r.stopped.Store(true)
			return
		}
	}
}

func (r *run) entityFetch(fl *plan.Flatten) {
	f := fl.Fetch
	c := r.e.clients[f.Subgraph]
	if c == nil {
		r.fetchFailed(f, fmt.Errorf("unknown subgraph"))
		return
	}
	if f.Context != nil {
		r.contextEntityFetch(fl, c) // context.go
		return
	}
	r.mu.Lock()
	col := collector{index: map[string]int{}, reqs: f.Requires}
	// pathEnds[i] is where the objects of path i end in col.objs.
	pathEnds := make([]int, len(fl.Paths))
	for i, p := range fl.Paths {
		col.only = nil
		if i < len(fl.PathTypes) {
			col.only = fl.PathTypes[i]
		}
		col.walk(r.data, p)
		pathEnds[i] = len(col.objs)
	}
	r.mu.Unlock()
	if len(col.reps) == 0 {
		return
	}
	resp, span, ok := r.sendEntities(c, f, len(col.objs), r.body(f, col.reps))
	defer endStep(span)
	if !ok {
		return
	}
	r.mergeEntities(fl, &col, pathEnds, resp)
}

// sendEntities sends the body of entity fetch f for objects objects, after
// charging them to the request's budget; ok is false when the request went
// over it or the fetch failed (recorded either way). The caller ends the
// step's span (endStep) once it merged the answer.
func (r *run) sendEntities(c *subgraphClient, f *plan.Fetch, objects int, body []byte) (resp *Value, span trace.Span, ok bool) {
	if err := r.budget.chargeEntities(objects); err != nil {
		r.cutOff(err)
		return nil, nil, false
	}
	ctx, span := r.e.tel.startStep(r.ctx, "Flatten", f)
	resp, err := c.do(ctx, &r.arena, f, body, r.e.dedupe)
	if err != nil {
		r.fetchFailed(f, err)
		return nil, span, false
	}
	return resp, span, true
}

// mergeEntities merges a subgraph's _entities answer into the objects col
// collected (pathEnds[i]: where the objects of path i end in col.objs).
func (r *run) mergeEntities(fl *plan.Flatten, col *collector, pathEnds []int, resp *Value) {
	f := fl.Fetch
	r.mu.Lock()
	defer r.mu.Unlock()
	var paths [][][]any
	if hasErrorPaths(resp) {
		// Before merging, while the data still has the shape the representations
		// were collected from: the client path of each representation's first object.
		paths = col.paths(r.data, fl.Paths)
	}
	if d := resp.Get("data"); d != nil {
		ents := d.Get("_entities")
		switch {
		case ents == nil || ents.Kind == Null:
			if !hasErrors(resp) {
				r.fetchError(f, fmt.Sprintf("subgraph %q failed: returned no _entities", f.Subgraph), CodeSubrequestMalformed)
			} else {
				r.failed = append(r.failed, f.Scope...)
			}
		case ents.Kind != Array || len(ents.Items()) != len(col.reps):
			n := 0
			if ents.Kind == Array {
				n = len(ents.Items())
			}
			r.errors = append(r.errors, Error{
				Message:    fmt.Sprintf("subgraph %q failed: returned %d entities for %d representations", f.Subgraph, n, len(col.reps)),
				Extensions: map[string]any{"service": f.Subgraph, "serviceName": f.Subgraph, "code": CodeSubrequestMalformed},
			})
		default:
			wrong := ""
			// An entity the subgraph nulled for an error inside it: the
			// fields it lacks are explained by that error.
			errored := entityErrors(resp)
			// One representation may stand for objects at several paths
			// (de-duplicated): later fetches may select differently under
			// each path, so each path after the first merges a copy, or a
			// write at one path would change the others. Objects of one path
			// share the answer: every later fetch treats them alike.
			firstPath := make([]int32, len(ents.Items()))
			path := 0
			for j, obj := range col.objs {
				for j >= pathEnds[path] {
					path++
				}
				ent := ents.Items()[col.repOf[j]]
				if ent != nil && ent.Kind == Object {
					switch first := firstPath[col.repOf[j]]; {
					case first == 0:
						firstPath[col.repOf[j]] = int32(path) + 1
					case int(first) != path+1:
						ent = cloneComposite(ent)
					}
				}
				if ent == nil || ent.Kind != Object {
					r.markUnresolved(obj)
					if errored[int(col.repOf[j])] {
						if r.nulled == nil {
							r.nulled = map[*Value]bool{}
						}
						r.nulled[obj] = true
					}
					continue
				}
				if t := r.mergeEntity(obj, ent); t != "" && wrong == "" {
					wrong = t
				}
			}
			if wrong != "" {
				r.fetchError(f, fmt.Sprintf("subgraph %q failed: returned an entity of type %s for a representation of another type", f.Subgraph, wrong), CodeSubrequestMalformed)
			}
		}
	} else if !hasErrors(resp) {
		r.fetchError(f, fmt.Sprintf("subgraph %q failed: returned no data", f.Subgraph), CodeSubrequestMalformed)
	} else {
		r.failed = append(r.failed, f.Scope...)
	}
	r.subgraphErrors(f, resp, paths)
}

// markUnresolved records an object whose entity came back null while its
// __typename is still an interface's (from an @interfaceObject subgraph): its
// concrete type is unknown, so it cannot be shaped. Callers hold r.mu.
func (r *run) markUnresolved(obj *Value) {
	tn := obj.Get("__typename")
	if tn == nil || tn.Kind != String {
		return
	}
	if def := r.e.schema.Types[tn.Str()]; def != nil && def.Kind != ast.Object {
		if r.unresolved == nil {
			r.unresolved = map[*Value]bool{}
		}
		r.unresolved[obj] = true
	}
}

// mergeEntity merges an entity result into the object its representation came
// from. An @interfaceObject subgraph answers with the interface's name as
// __typename; the object's concrete name, once known, is kept.
func (r *run) mergeEntity(dst, ent *Value) (wrongType string) {
	if r.e.ifaceObjects {
		ent = r.keepConcrete(dst, ent)
	}
	// Entities rarely carry __typename (the planner does not ask for it), so
	// the object's own is looked up only when they do.
	if tn := ent.Get("__typename"); tn != nil && tn.Kind == String {
		cur := dst.Get("__typename")
		if cur == nil || cur.Kind != String || cur.Str() == tn.Str() {
			merge(&r.arena, dst, ent)
			return ""
		}
		def := r.e.schema.Types[tn.Str()]
		if def != nil && def.Kind == ast.Object {
			if cd := r.e.schema.Types[cur.Str()]; cd != nil && cd.Kind == ast.Object {
				// Another concrete type than the one represented: not this object.
				return tn.Str()
			}
		} else {
			fields := make([]Member, 0, ent.n)
			for _, m := range ent.Fields() {
				if m.Key != "__typename" {
					fields = append(fields, m)
				}
			}
			ent = objectValue(fields)
		}
	}
	merge(&r.arena, dst, ent)
	return ""
}

// keepConcrete returns src, an entity answer to merge into dst, without the
// __typename of its objects, at any depth, that names an interface (an
// @interfaceObject subgraph's answer) where dst's object already names the
// concrete type another fetch learnt: shaping chooses type conditions by it,
// and a later answer for a field an @interfaceObject returns would otherwise
// turn an Alpha back into an Item, its fragments on Alpha unanswered. src
// is copied only where it changes.
func (r *run) keepConcrete(dst, src *Value) *Value {
	if dst == nil || src == nil {
		return src
	}
	switch {
	case dst.Kind == Object && src.Kind == Object:
		fields := src.Fields()
		var out []Member // nil while nothing changed
		for i, m := range fields {
			v := m.Value
			if m.Key == "__typename" {
				if cur := dst.Get("__typename"); cur != nil && cur.Kind == String && v.Kind == String && isObjectType(r.e.schema, cur.Str()) && !isObjectType(r.e.schema, v.Str()) {
					if out == nil {
						out = append(make([]Member, 0, len(fields)), fields[:i]...)
					}
					continue
				}
			} else if d := dst.Get(m.Key); d != nil {
				v = r.keepConcrete(d, v)
			}
			if out == nil && v != m.Value {
				out = append(make([]Member, 0, len(fields)), fields[:i]...)
			}
			if out != nil {
				out = append(out, Member{Key: m.Key, Value: v})
			}
		}
		if out != nil {
			return objectValue(out)
		}
	case dst.Kind == Array && src.Kind == Array && len(dst.Items()) == len(src.Items()):
		items, di := src.Items(), dst.Items()
		var out []*Value
		for i, it := range items {
			v := r.keepConcrete(di[i], it)
			if out == nil && v != it {
				out = append(make([]*Value, 0, len(items)), items[:i]...)
			}
			if out != nil {
				out = append(out, v)
			}
		}
		if out != nil {
			return arrayValue(out)
		}
	}
	return src
}

// isObjectType reports whether name is an object type of schema.
func isObjectType(schema *ast.Schema, name string) bool {
	def := schema.Types[name]
	return def != nil && def.Kind == ast.Object
}

// subgraphErrors copies a subgraph's errors, re-pathed to client paths. Callers hold r.mu.
// targets[i] are the client paths of the objects representation i came from:
// an error of a de-duplicated entity is reported at each of them.
func (r *run) subgraphErrors(f *plan.Fetch, resp *Value, targets [][][]any) {
	errs := resp.Get("errors")
	if errs == nil || errs.Kind != Array {
		return
	}
	for _, ev := range errs.Items() {
		e := Error{Message: "subgraph error"}
		if m := ev.Get("message"); m != nil && m.Kind == String {
			e.Message = m.Str()
		}
		e.Extensions = map[string]any{}
		if ext := ev.Get("extensions"); ext != nil && ext.Kind == Object {
			for _, m := range ext.Fields() {
				e.Extensions[m.Key] = toAny(m.Value)
			}
		}
		// Apollo Router names the subgraph in "service", Apollo Gateway in
		// "serviceName"; clients written for either find it.
		e.Extensions["service"] = f.Subgraph
		e.Extensions["serviceName"] = f.Subgraph
		p := ev.Get("path")
		var paths [][]any
		if p != nil && p.Kind == Array {
			paths = repath(p.Items(), targets)
		}
		if paths == nil {
			// No path, or one into _entities that matches no representation:
			// the error is about the fetch, not a place in the response.
			r.errors = append(r.errors, e)
			r.failed = append(r.failed, f.Scope...)
			continue
		}
		for i, path := range paths {
			for j, el := range path {
				if k, ok := el.(string); ok {
					if rk, ok := r.responseKeys[k]; ok {
						path[j] = rk
					}
				}
			}
			if i > 0 {
				e.Extensions = maps.Clone(e.Extensions)
			}
			e.Path = path
			r.errors = append(r.errors, e)
		}
	}
}

// entityErrors returns the indexes of the representations that errors of a
// subgraph's _entities answer point into.
func entityErrors(resp *Value) map[int]bool {
	errs := resp.Get("errors")
	if errs == nil || errs.Kind != Array {
		return nil
	}
	var out map[int]bool
	for _, e := range errs.Items() {
		p := e.Get("path")
		if p == nil || p.Kind != Array {
			continue
		}
		items := p.Items()
		if len(items) < 2 || items[0].Kind != String || items[0].Str() != "_entities" || items[1].Kind != Number {
			continue
		}
		if i, err := strconv.Atoi(items[1].Str()); err == nil {
			if out == nil {
				out = map[int]bool{}
			}
			out[i] = true
		}
	}
	return out
}

// hasErrors reports whether a subgraph answer has errors.
func hasErrors(resp *Value) bool {
	errs := resp.Get("errors")
	return errs != nil && errs.Kind == Array && len(errs.Items()) > 0
}

// hasErrorPaths reports whether a subgraph answer has errors with paths.
func hasErrorPaths(resp *Value) bool {
	errs := resp.Get("errors")
	if errs == nil || errs.Kind != Array {
		return false
	}
	for _, e := range errs.Items() {
		if p := e.Get("path"); p != nil && p.Kind == Array {
			return true
		}
	}
	return false
}

// repath turns a subgraph error path into client paths: one, or for a path
// into _entities[i], one per client path in targets[i]; none for a path into
// _entities that matches no representation.
func repath(items []*Value, targets [][][]any) [][]any {
	var prefixes [][]any
	rest := items
	if len(items) > 0 && items[0].Kind == String && items[0].Str() == "_entities" {
		if len(items) < 2 || items[1].Kind != Number {
			return nil
		}
		i, err := strconv.Atoi(items[1].Str())
		if err != nil || i < 0 || i >= len(targets) || len(targets[i]) == 0 {
			return nil
		}
		prefixes = targets[i]
		rest = items[2:]
	}
	var tail []any
	for _, it := range rest {
		switch it.Kind {
		case String:
			tail = append(tail, it.Str())
		case Number:
			n, _ := strconv.Atoi(it.Str())
			tail = append(tail, n)
		}
	}
	if prefixes == nil {
		return [][]any{tail}
	}
	out := make([][]any, len(prefixes))
	for j, pre := range prefixes {
		out[j] = append(append(make([]any, 0, len(pre)+len(tail)), pre...), tail...)
	}
	return out
}

// collector gathers the de-duplicated representations of an entity fetch and,
// per representation, the objects it came from. It records no paths: those are
// needed only to re-path errors, and paths finds them again then.
type collector struct {
	reqs  []*plan.RepNode
	index map[string]int
	reps  []string
	// objs are the objects found, in walk order; repOf[j] is the index in
	// reps of objs[j]'s representation.
	objs  []*Value
	repOf []int32
	buf   []byte
	// only, when set, limits the walk's objects to these __typenames.
	only []string
}

func (c *collector) walk(v *Value, p plan.Path) {
	for len(p) > 0 {
		if v == nil || v.Kind == Null {
			return
		}
		if p[0] == "@" {
			if v.Kind != Array {
				return
			}
			for _, it := range v.Items() {
				c.walk(it, p[1:])
			}
			return
		}
		v = v.Get(p[0])
		p = p[1:]
	}
	if v != nil && v.Kind == Object {
		c.add(v)
	}
}

// paths returns, per representation, the client paths of the objects it came
// from, by walking the flatten paths again in the same order.
func (c *collector) paths(data *Value, fpaths []plan.Path) [][][]any {
	out := make([][][]any, len(c.reps))
	repOf := make(map[*Value]int, len(c.objs))
	for j, obj := range c.objs {
		repOf[obj] = int(c.repOf[j])
	}
	var walk func(v *Value, p plan.Path, cur []any)
	walk = func(v *Value, p plan.Path, cur []any) {
		if v == nil || v.Kind == Null {
			return
		}
		if len(p) == 0 {
			if i, ok := repOf[v]; ok {
				out[i] = append(out[i], append([]any(nil), cur...))
			}
			return
		}
		if p[0] == "@" {
			if v.Kind != Array {
				return
			}
			for i, it := range v.Items() {
				walk(it, p[1:], append(cur, i))
			}
			return
		}
		walk(v.Get(p[0]), p[1:], append(cur, p[0]))
	}
	for _, p := range fpaths {
		walk(data, p, nil)
	}
	return out
}

func (c *collector) add(obj *Value) {
	tn := obj.Get("__typename")
	if tn == nil || tn.Kind != String {
		return
	}
	if c.only != nil && !slices.Contains(c.only, tn.Str()) {
		return
	}
	var frag *plan.RepNode
	for _, n := range c.reqs {
		for _, t := range n.Types {
			if t == tn.Str() {
				frag = n
				break
			}
		}
		if frag != nil {
			break
		}
	}
	if frag == nil {
		return
	}
	written := tn.Str()
	if frag.Typename != "" {
		written = frag.Typename
	}
	buf, ok := appendRep(c.buf[:0], obj, frag.Children, tn.Str(), written)
	if !ok {
		return // a key field is missing or null: the object cannot be looked up
	}
	c.buf = buf
	i, seen := c.index[string(buf)]
	if !seen {
		i = len(c.reps)
		rep := string(buf)
		c.index[rep] = i
		c.reps = append(c.reps, rep)
	}
	c.objs = append(c.objs, obj)
	c.repOf = append(c.repOf, int32(i))
}

// appendRep writes the representation of obj: the fields named by nodes, nested
// fragments applied by typename; written is the __typename to send. It fails when
// a field is missing or a key field is null.
func appendRep(buf []byte, obj *Value, nodes []*plan.RepNode, typename, written string) ([]byte, bool) {
	buf = append(buf, '{')
	n := 0
	var write func(nodes []*plan.RepNode) bool
	write = func(nodes []*plan.RepNode) bool {
		for _, rn := range nodes {
			if rn.Key == "" {
				for _, t := range rn.Types {
					if t == typename {
						if !write(rn.Children) {
							return false
						}
						break
					}
				}
				continue
			}
			v := obj.Get(rn.Key)
			if v == nil || (rn.KeyField && v.Kind == Null) {
				return false
			}
			if n > 0 {
				buf = append(buf, ',')
			}
			n++
			buf = appendString(buf, rn.Name)
			buf = append(buf, ':')
			if rn.Name == "__typename" && written != "" {
				buf = appendString(buf, written)
				continue
			}
			var ok bool
			if buf, ok = appendRepValue(buf, v, rn.Children, rn.KeyField); !ok {
				return false
			}
		}
		return true
	}
	if !write(nodes) {
		return nil, false
	}
	return append(buf, '}'), true
}

func appendRepValue(buf []byte, v *Value, children []*plan.RepNode, key bool) ([]byte, bool) {
	if len(children) == 0 || v.Kind == Null {
		return appendJSON(buf, v), true
	}
	if v.Kind == Array {
		buf = append(buf, '[')
		for i, it := range v.Items() {
			if i > 0 {
				buf = append(buf, ',')
			}
			var ok bool
			if buf, ok = appendRepValue(buf, it, children, key); !ok {
				return nil, false
			}
		}
		return append(buf, ']'), true
	}
	tn := ""
	if t := v.Get("__typename"); t != nil {
		tn = t.Str()
	}
	b, ok := appendRep(buf, v, children, tn, "")
	if !ok {
		if key {
			return nil, false
		}
		return appendJSON(buf, v), true
	}
	return b, true
}
