package execute

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/shopgraph/shopgraph/gateway/plan"
)

// Incremental delivery of @defer (the deferSpec=20220824 format that Apollo
// Router and graphql-js 17 alpha speak): the first payload is
// {"data":…,"errors":…,"hasNext":true}, each later one
// {"incremental":[{"data":…,"path":[…],"label":…,"errors":…}],"hasNext":…},
// one incremental entry per object a deferred fragment applies to (each
// item of a list gets its own, at its own path).

// deferShaping is the state of shaping one response into parts.
type deferShaping struct {
	// current is the defer whose part is being shaped; nil: the first part.
	current *plan.Defer
	// queue holds the found parts in the order they were found: a part is
	// found while shaping the part it is nested in, so it comes after it.
	queue []*deferInstance
	seen  map[string]bool
	// sources maps each value that shaping merged from two (the values of
	// one response key under several data keys, valuemerge.go) to them. A
	// part found under such a value has a copy as its object, which the
	// fetches that finish later do not fill: refresh merges it again.
	sources map[*Value][2]*Value
}

// refresh returns v as it is now: merged again from its sources, if it was
// merged, after the fetches that finished since filled them.
func (ds *deferShaping) refresh(v *Value, ti typeInfo) *Value {
	src, ok := ds.sources[v]
	if !ok {
		return v
	}
	return mergedValue(ds.refresh(src[0], ti), ds.refresh(src[1], ti), ti)
}

// deferInstance is one deferred fragment at one object of the response.
type deferInstance struct {
	d        *plan.Defer
	path     []pathElem
	obj      *Value
	sels     []plan.Selection
	typename string
	// dropped marks a part whose object a null in a non-null field above
	// it nulled after it was found: there is nothing to add it to.
	dropped bool
}

// dropUnder drops the parts found at path or below it.
func (ds *deferShaping) dropUnder(path []pathElem) {
	for _, in := range ds.queue {
		if len(in.path) >= len(path) && samePath(in.path[:len(path)], path) {
			in.dropped = true
		}
	}
}

func samePath(a, b []pathElem) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return len(a) == len(b)
}

// live reports whether a found part is still to be sent.
func (ds *deferShaping) live() bool {
	for _, in := range ds.queue {
		if !in.dropped {
			return true
		}
	}
	return false
}

// includes reports whether the part being shaped writes field f: f goes
// to it, or f leads to fields that do.
func (ds *deferShaping) includes(f *plan.Field) bool {
	if f.Defer == ds.current {
		return true
	}
	return ds.current != nil && ds.leadsTo(f.Selections)
}

func (ds *deferShaping) leadsTo(sels []plan.Selection) bool {
	for _, sel := range sels {
		switch sel := sel.(type) {
		case *plan.Field:
			if sel.Defer == ds.current || ds.leadsTo(sel.Selections) {
				return true
			}
		case *plan.Fragment:
			if ds.leadsTo(sel.Selections) {
				return true
			}
		}
	}
	return false
}

// found records the defers on the selections of obj, shaped at s.path, as
// parts to shape once the current part is written (a defer whose if: is
// false is not in the plan: its fields went with the part around it).
func (ds *deferShaping) found(s *shaper, defers []*plan.Defer, obj *Value, sels []plan.Selection, typename string) {
	for _, d := range defers {
		if !s.matches(d.TypeCondition, typename) {
			continue
		}
		key := strconv.Itoa(d.ID) + "@" + pathKey(s.path)
		if ds.seen[key] {
			continue
		}
		ds.seen[key] = true
		ds.queue = append(ds.queue, &deferInstance{d: d, path: append([]pathElem(nil), s.path...), obj: obj, sels: sels, typename: typename})
	}
}

func pathKey(p []pathElem) string {
	var b strings.Builder
	for _, e := range p {
		if e.isIndex {
			b.WriteString("." + strconv.Itoa(e.index))
		} else {
			b.WriteString("." + strconv.Quote(e.key))
		}
	}
	return b.String()
}

// ownKeys are the response keys that instance in's part adds at its object:
// those of the fields that go to its defer.
func (ds *deferShaping) ownKeys(s *shaper, in *deferInstance) map[string]bool {
	out := map[string]bool{}
	var walk func([]plan.Selection)
	walk = func(sels []plan.Selection) {
		for _, sel := range sels {
			switch sel := sel.(type) {
			case *plan.Field:
				if sel.Defer == in.d {
					out[sel.Key] = true
				}
			case *plan.Fragment:
				if s.matches(sel.TypeCondition, in.typename) {
					walk(sel.Selections)
				}
			}
		}
	}
	walk(in.sels)
	return out
}

// ExecuteIncremental runs p as Execute does and hands emit the response as
// incremental payloads, each with whether more follow: the first without the
// deferred fragments' fields, then the deferred fragments, one incremental
// entry per fragment and object, nested ones after the parts they are nested
// in. It returns the first error
// emit returns (the client went away), after which nothing more runs.
//
// A query runs in two phases: the fetches of the first payload (and those
// they depend on), then, once it is sent, the fetches that serve only
// deferred fields (plan.DeferredFetches). A fetch that serves both kinds runs
// in the first phase, and its deferred fields are delivered later anyway,
// which the spec allows. Each deferred part goes out once the fetches of
// its fields have finished. Mutations run whole before the first payload.
//
// With whole set, once the stream ended, it returns the response as Execute
// would have written it (data and the errors known to the first payload),
// for measures taken after the fact such as the actual cost; nil otherwise.
func (e *Executor) ExecuteIncremental(ctx context.Context, p *plan.Plan, vars map[string]any, whole bool, emit func(payload []byte, hasNext bool) error) ([]byte, error) {
	r := e.newRun(ctx, p, vars)
	defer r.arena.free()
	err := e.stream(ctx, r, p, vars, emit)
	if !whole || err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	sh := shaper{schema: e.schema, vars: vars, errors: slices.Clip(r.errors), failed: r.failed, unresolved: r.unresolved, nulled: r.nulled}
	data := sh.shape(r.data, p.Operation, r.outputHint(p))
	resp := &Response{Data: data[len(dataPrefix):], Errors: sh.errors, full: data}
	return resp.AppendJSON(nil), nil
}

// stream runs r and sends its payloads, as ExecuteIncremental says.
func (e *Executor) stream(ctx context.Context, r *run, p *plan.Plan, vars map[string]any, emit func(payload []byte, hasNext bool) error) error {
	var later []step
	if p.Operation.Kind == ast.Query && p.Root != nil {
		var now []step
		now, later = splitSteps(r.steps(p.Root), p.DeferredFetches())
		r.runSteps(now, nil)
		if resp := r.finishPhase(ctx, p); resp != nil {
			return emit(appendPayload(nil, resp.Data, resp.Errors, false), false)
		}
	} else if resp := r.runPlan(ctx, p); resp != nil {
		return emit(appendPayload(nil, resp.Data, resp.Errors, false), false)
	}
	ds := &deferShaping{seen: map[string]bool{}}
	first := shaper{schema: e.schema, vars: vars, errors: slices.Clip(r.errors), failed: r.failed, unresolved: r.unresolved, nulled: r.nulled, parts: ds}
	if e.maxOutputBytes > 0 {
		first.maxBytes = len(dataPrefix) + e.maxOutputBytes
	}
	ds.found(&first, p.Operation.Defers, r.data, p.Operation.Selections, p.Operation.RootType)
	data := first.shape(r.data, p.Operation, r.outputHint(p))
	if first.over() {
		resp := e.overflowResponse(r)
		return emit(appendPayload(nil, resp.Data, resp.Errors, false), false)
	}
	// Fetch errors of the first phase that are about deferred fields wait
	// for their parts; the instances found so far say which those are.
	early := make([]deferredPart, len(ds.queue))
	for i, in := range ds.queue {
		early[i] = deferredPart{in: in}
		if !in.dropped { // a dropped part's errors stay with the first payload
			early[i].own = ds.ownKeys(&first, in)
		}
	}
	firstErrors, held := assignErrors(r.errors, early)
	firstErrors = append(firstErrors, first.errors[len(r.errors):]...)
	hasNext := ds.live()
	if err := emit(appendPayload(nil, data[len(dataPrefix):], firstErrors, hasNext), hasNext); err != nil {
		return err
	}
	if !hasNext {
		return nil
	}
	st := &streamer{e: e, r: r, p: p, ds: ds, emit: emit, pending: map[*plan.Defer]int{}, held: map[int][]Error{}, errSeen: len(r.errors), shaped: len(data) - len(dataPrefix)}
	for _, h := range held {
		st.held[h.part] = append(st.held[h.part], h.err)
	}
	return st.run(ctx, later)
}

// streamer sends the deferred parts, each once the fetches of its fields
// have finished.
type streamer struct {
	e    *Executor
	r    *run
	p    *plan.Plan
	ds   *deferShaping
	emit func([]byte, bool) error
	// pending counts per defer its fetches that have not finished.
	pending map[*plan.Defer]int
	// sent marks the parts (by their index in ds.queue) that went out;
	// done is set once the last one went out.
	sent []bool
	done bool
	// held are errors kept for parts not sent yet; errSeen is how many of
	// r.errors have been given out.
	held    map[int][]Error
	errSeen int
	own     []map[string]bool
	// shaped counts the data bytes shaped so far, first payload included:
	// the router's cap on a response's data holds for all its parts together.
	shaped int
}

func (st *streamer) run(ctx context.Context, later []step) error {
	for _, s := range later {
		for _, d := range st.p.FetchDefers(s.id) {
			st.pending[d]++
		}
	}
	finished := make(chan int, len(later))
	go func() {
		st.r.runSteps(later, func(id int) { finished <- id })
		close(finished)
	}()
	// Whatever happens here, the fetches must be over before the run's
	// arena is freed.
	defer func() {
		for range finished {
		}
	}()
	if err := st.sendReady(); err != nil {
		return err
	}
	for id := range finished {
		for _, d := range st.p.FetchDefers(id) {
			st.pending[d]--
		}
		if err := st.sendReady(); err != nil {
			return err
		}
	}
	if st.done {
		return nil
	}
	if st.r.cut.Load() {
		// Over the budget: the deferred data is incomplete in unknown places.
		return st.emit(appendLastErrors(nil, st.r.errors[st.errSeen:]), false)
	}
	if te := timeoutError(ctx); te != nil && !hasTimeoutError(st.r.errors) {
		st.r.errors = append(st.r.errors, *te)
	}
	clear(st.pending)
	if err := st.sendReady(); err != nil || st.done {
		return err
	}
	// Every part left was dropped: the response still has to say it ended.
	return st.emit([]byte(`{"hasNext":false}`), false)
}

// sendReady sends, in the order they were found, the parts whose fetches
// have all finished, and those found while shaping them, together in one
// payload: a deferred fragment in a list of a thousand items is one write,
// not a thousand.
func (st *streamer) sendReady() error {
	if st.done {
		return nil
	}
	var ready []deferredPart
	for i := 0; i < len(st.ds.queue); i++ {
		st.grow()
		in := st.ds.queue[i]
		if in.dropped {
			st.sent[i] = true
		}
		if st.sent[i] || st.pending[in.d] > 0 {
			continue
		}
		st.r.mu.Lock()
		part, over := st.e.shapePart(st.r, st.ds, in, st.room())
		if over {
			// Past the cap the response ends: the parts that fit go out
			// with the error that says why the rest does not.
			st.r.errors = append(st.r.errors, st.e.overflowError())
			errs := st.r.errors[st.errSeen:]
			st.r.mu.Unlock()
			st.done = true
			return st.emit(appendPartsAndErrors(nil, ready, errs, false), false)
		}
		st.shaped += len(part.data)
		st.grow() // shaping finds the parts nested in this one
		st.sent[i] = true
		part.errors = append(part.errors, st.errorsFor(i)...)
		st.r.mu.Unlock()
		ready = append(ready, part)
	}
	if len(ready) == 0 {
		return nil
	}
	hasNext := st.remaining()
	st.done = !hasNext
	return st.emit(appendParts(nil, ready, hasNext), hasNext)
}

// room is the data bytes the next part may take; negative: no cap.
func (st *streamer) room() int {
	if st.e.maxOutputBytes <= 0 {
		return -1
	}
	return max(st.e.maxOutputBytes-st.shaped, 0)
}

// remaining reports whether a found part is still to be sent.
func (st *streamer) remaining() bool {
	for i, in := range st.ds.queue {
		if !in.dropped && (i >= len(st.sent) || !st.sent[i]) {
			return true
		}
	}
	return false
}

// grow keeps sent as long as the queue of found parts.
func (st *streamer) grow() {
	for len(st.sent) < len(st.ds.queue) {
		st.sent = append(st.sent, false)
	}
}

// errorsFor returns the errors part i carries: those held for it, and the
// new fetch errors about its fields or about no part's (which go with the
// next part sent, the first payload being gone). Callers hold r.mu.
func (st *streamer) errorsFor(i int) []Error {
	out := st.held[i]
	delete(st.held, i)
	fresh := st.r.errors[st.errSeen:]
	st.errSeen = len(st.r.errors)
	if len(fresh) == 0 {
		return out
	}
	known := make([]deferredPart, len(st.ds.queue))
	for j, in := range st.ds.queue {
		for len(st.own) <= j {
			st.own = append(st.own, nil)
		}
		if st.own[j] == nil {
			st.own[j] = st.ds.ownKeys(&shaper{schema: st.e.schema}, in)
		}
		known[j] = deferredPart{in: in, own: st.own[j]}
	}
	rest, held := assignErrors(fresh, known)
	out = append(out, rest...)
	for _, h := range held {
		if h.part == i || st.sent[h.part] {
			out = append(out, h.err)
		} else {
			st.held[h.part] = append(st.held[h.part], h.err)
		}
	}
	return out
}

// splitSteps separates the steps of deferred fetches from the rest; a
// deferred fetch that a first-phase fetch depends on runs in the first
// phase.
func splitSteps(steps []step, deferred map[int]bool) (now, later []step) {
	if len(deferred) == 0 {
		return steps, nil
	}
	byID := make(map[int]step, len(steps))
	for _, s := range steps {
		byID[s.id] = s
	}
	first := map[int]bool{}
	var keep func(id int)
	keep = func(id int) {
		if first[id] {
			return
		}
		first[id] = true
		for _, d := range byID[id].deps {
			keep(d)
		}
	}
	for _, s := range steps {
		if !deferred[s.id] {
			keep(s.id)
		}
	}
	for _, s := range steps {
		if first[s.id] {
			now = append(now, s)
		} else {
			later = append(later, s)
		}
	}
	return now, later
}

// finishPhase ends the first phase as runPlan ends a whole run.
func (r *run) finishPhase(ctx context.Context, p *plan.Plan) *Response {
	if r.cut.Load() {
		return &Response{Data: []byte("null"), Errors: r.errors, SubgraphBytes: r.budget.bytes.Load()}
	}
	if te := timeoutError(ctx); te != nil {
		r.errors = append(r.errors, *te)
	}
	r.introspect(p.Operation)
	return nil
}

func hasTimeoutError(errs []Error) bool {
	for _, e := range errs {
		if e.Extensions["code"] == CodeRequestTimeout {
			return true
		}
	}
	return false
}

// deferredPart is one incremental entry.
type deferredPart struct {
	in   *deferInstance
	data []byte
	// errors are the part's own: those of its shaping, and the fetch
	// errors that assignErrors gives it.
	errors []Error
	own    map[string]bool
}

// shapePart shapes the fields of instance in's defer at its object, in at
// most room bytes unless room is negative; over reports a part that did not
// fit.
func (e *Executor) shapePart(r *run, ds *deferShaping, in *deferInstance, room int) (part deferredPart, over bool) {
	if room == 0 {
		return deferredPart{}, true // even {} does not fit
	}
	ds.current = in.d
	sh := shaper{schema: e.schema, vars: r.vars, errors: slices.Clip(r.errors), failed: r.failed, unresolved: r.unresolved, nulled: r.nulled, parts: ds, maxBytes: max(room, 0)}
	sh.path = append([]pathElem(nil), in.path...)
	sh.buf = make([]byte, 0, 256)
	obj := ds.refresh(in.obj, &sh)
	sh.parent = obj
	typename := in.typename
	if def := e.schema.Types[typename]; def != nil && def.IsAbstractType() {
		// Found before the fetch that tells the concrete type (an
		// @interfaceObject's object) had run: it may know it now.
		if tn := obj.Get("__typename"); tn != nil && tn.Kind == String && sh.isObjectType(tn.Str()) && sh.matches(typename, tn.Str()) {
			typename = tn.Str()
		}
	}
	ok := sh.object(obj, in.sels, typename)
	if sh.over() {
		return deferredPart{}, true
	}
	if !ok {
		ds.dropUnder(in.path)
		// A null in a non-null field of the fragment that reached its object:
		// the part's data is null, with the error that says why.
		sh.buf = append(sh.buf[:0], "null"...)
	}
	return deferredPart{in: in, data: sh.buf, errors: sh.errors[len(r.errors):], own: ds.ownKeys(&sh, in)}, false
}

// heldError is a fetch error that goes with parts[part].
type heldError struct {
	part int
	err  Error
}

// assignErrors finds for each error with a path the deepest part whose
// fields it is about; the others (rest) belong to no part.
func assignErrors(errs []Error, parts []deferredPart) (rest []Error, held []heldError) {
	for _, e := range errs {
		best := -1
		for i, part := range parts {
			n := len(part.in.path)
			if len(e.Path) <= n || !samePrefix(e.Path, part.in.path) {
				continue
			}
			if k, ok := e.Path[n].(string); !ok || !part.own[k] {
				continue
			}
			if best < 0 || n > len(parts[best].in.path) {
				best = i
			}
		}
		if best < 0 {
			rest = append(rest, e)
			continue
		}
		held = append(held, heldError{part: best, err: e})
	}
	return rest, held
}

// appendLastErrors writes a last payload that carries only errors, in an
// incremental entry with no data, at the root.
func appendLastErrors(buf []byte, errs []Error) []byte {
	return appendPartsAndErrors(buf, nil, errs, false)
}

// appendPayload writes the first payload.
func appendPayload(buf, data []byte, errs []Error, hasNext bool) []byte {
	buf = append(buf, `{"data":`...)
	if data == nil {
		data = []byte("null")
	}
	buf = append(buf, data...)
	buf = appendErrors(buf, errs)
	return appendHasNext(buf, hasNext)
}

// appendParts writes a later payload holding parts.
func appendParts(buf []byte, parts []deferredPart, hasNext bool) []byte {
	return appendPartsAndErrors(buf, parts, nil, hasNext)
}

// appendPartsAndErrors writes parts and, when there are errors about no
// part, an entry with no data at the root that carries them.
func appendPartsAndErrors(buf []byte, parts []deferredPart, errs []Error, hasNext bool) []byte {
	buf = append(buf, `{"incremental":[`...)
	for i, p := range parts {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, `{"data":`...)
		buf = append(buf, p.data...)
		buf = append(buf, `,"path":`...)
		path, _ := json.Marshal(anyPath(p.in.path))
		buf = append(buf, path...)
		if p.in.d.Label != "" {
			buf = append(buf, `,"label":`...)
			buf = appendString(buf, p.in.d.Label)
		}
		buf = appendErrors(buf, p.errors)
		buf = append(buf, '}')
	}
	if len(errs) > 0 {
		if len(parts) > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, `{"data":null,"path":[]`...)
		buf = appendErrors(buf, errs)
		buf = append(buf, '}')
	}
	buf = append(buf, ']')
	return appendHasNext(buf, hasNext)
}

func appendErrors(buf []byte, errs []Error) []byte {
	if len(errs) == 0 {
		return buf
	}
	b, err := json.Marshal(errs)
	if err != nil {
		b = []byte(`[{"message":"internal error encoding errors"}]`)
	}
	buf = append(buf, `,"errors":`...)
	return append(buf, b...)
}

func appendHasNext(buf []byte, hasNext bool) []byte {
	if hasNext {
		return append(buf, `,"hasNext":true}`...)
	}
	return append(buf, `,"hasNext":false}`...)
}
