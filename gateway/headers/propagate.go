package headers

import (
	"net/http"
	"net/netip"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// Propagator applies a validated Config. It is safe for concurrent use.
type Propagator struct {
	all          []rule
	bySubgraph   map[string][]rule
	allResp      []respRule
	respSubgraph map[string][]respRule
	// forward sets X-Forwarded-For; trusted are the peers whose own
	// X-Forwarded-For is kept.
	forward bool
	trusted []netip.Prefix
}

type ruleKind int

const (
	propagateNamed ruleKind = iota
	propagateMatching
	insertStatic
	removeNamed
	removeMatching
)

type rule struct {
	kind  ruleKind
	name  string // canonical source name (named rules, insert)
	to    string // canonical target name (propagate named)
	value string // default (propagate named) or value (insert)
	re    *regexp.Regexp
}

type respRule struct {
	name      string
	to        string
	re        *regexp.Regexp
	algorithm string
}

// New validates cfg and compiles its rules.
func New(cfg Config) (*Propagator, error) {
	if err := cfg.Validate("headers"); err != nil {
		return nil, err
	}
	reqAll := cfg.All.Request
	if reqAll == nil {
		reqAll = DefaultRequestRules()
	}
	p := &Propagator{
		all:          compileRequest(reqAll),
		bySubgraph:   map[string][]rule{},
		allResp:      compileResponse(cfg.All.Response),
		respSubgraph: map[string][]respRule{},
		forward:      cfg.forwards(),
		trusted:      cfg.trustedPrefixes(),
	}
	for name, r := range cfg.Subgraphs {
		if len(r.Request) > 0 {
			p.bySubgraph[name] = compileRequest(r.Request)
		}
		if len(r.Response) > 0 {
			p.respSubgraph[name] = compileResponse(r.Response)
		}
	}
	return p, nil
}

// compileRequest turns validated rules into their compiled form; the regular
// expressions compiled in Validate, so they compile here.
func compileRequest(rules []RequestRule) []rule {
	out := make([]rule, 0, len(rules))
	for _, r := range rules {
		switch {
		case r.Propagate != nil && r.Propagate.Named != "":
			to := r.Propagate.Named
			if r.Propagate.Rename != "" {
				to = r.Propagate.Rename
			}
			out = append(out, rule{kind: propagateNamed, name: http.CanonicalHeaderKey(r.Propagate.Named), to: http.CanonicalHeaderKey(to), value: r.Propagate.Default})
		case r.Propagate != nil:
			re, _ := compileMatch(r.Propagate.Matching)
			out = append(out, rule{kind: propagateMatching, re: re})
		case r.Insert != nil:
			out = append(out, rule{kind: insertStatic, name: http.CanonicalHeaderKey(r.Insert.Name), value: r.Insert.Value})
		case r.Remove != nil && r.Remove.Named != "":
			out = append(out, rule{kind: removeNamed, name: http.CanonicalHeaderKey(r.Remove.Named)})
		case r.Remove != nil:
			re, _ := compileMatch(r.Remove.Matching)
			out = append(out, rule{kind: removeMatching, re: re})
		}
	}
	return out
}

func compileResponse(rules []ResponseRule) []respRule {
	out := make([]respRule, 0, len(rules))
	for _, r := range rules {
		pp := r.Propagate
		rr := respRule{algorithm: pp.Algorithm}
		if rr.algorithm == "" {
			rr.algorithm = AlgorithmAppend
		}
		if pp.Named != "" {
			rr.name = http.CanonicalHeaderKey(pp.Named)
			rr.to = rr.name
			if pp.Rename != "" {
				rr.to = http.CanonicalHeaderKey(pp.Rename)
			}
		} else {
			rr.re, _ = compileMatch(pp.Matching)
		}
		out = append(out, rr)
	}
	return out
}

// Apply returns the headers the rules send to subgraph for a client request
// with headers client: the `all` rules, then the subgraph's, in order. The
// result is nil when no header is to be sent; it shares no slice with client.
// X-Forwarded-For is set afterwards, by Request.Subgraph.
func (p *Propagator) Apply(client http.Header, subgraph string) http.Header {
	var out http.Header
	for _, rules := range [2][]rule{p.all, p.bySubgraph[subgraph]} {
		for _, r := range rules {
			out = r.apply(client, out)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

func (r rule) apply(client, out http.Header) http.Header {
	set := func(name string, vs []string) {
		if out == nil {
			out = http.Header{}
		}
		out[name] = append([]string(nil), vs...)
	}
	switch r.kind {
	case propagateNamed:
		if vs := client.Values(r.name); len(vs) > 0 {
			set(r.to, vs)
		} else if r.value != "" {
			set(r.to, []string{r.value})
		}
	case propagateMatching:
		for name, vs := range client {
			if len(vs) > 0 && !Reserved(name) && r.re.MatchString(name) {
				set(http.CanonicalHeaderKey(name), vs)
			}
		}
	case insertStatic:
		set(r.name, []string{r.value})
	case removeNamed:
		delete(out, r.name)
	case removeMatching:
		for name := range out {
			if r.re.MatchString(name) {
				delete(out, name)
			}
		}
	}
	return out
}

// Request holds the subgraph headers of one client request, each computed
// once. It is safe for concurrent use.
type Request struct {
	p      *Propagator
	client http.Header
	// forward sets X-Forwarded-For to forwardedFor on every subgraph
	// request; "" (a peer that is not an IP address) removes it.
	forward      bool
	forwardedFor string

	mu   sync.Mutex
	memo map[string]http.Header
}

// ForRequest returns the subgraph headers of client request r: its headers and,
// for X-Forwarded-For, its peer (RemoteAddr).
func (p *Propagator) ForRequest(r *http.Request) *Request {
	req := &Request{p: p, client: r.Header, forward: p.forward}
	if p.forward {
		req.forwardedFor, _ = p.forwardedFor(r)
	}
	return req
}

// Subgraph returns the headers to send to subgraph; callers must not modify it.
func (r *Request) Subgraph(subgraph string) http.Header {
	r.mu.Lock()
	defer r.mu.Unlock()
	if h, ok := r.memo[subgraph]; ok {
		return h
	}
	if r.memo == nil {
		r.memo = map[string]http.Header{}
	}
	h := r.p.Apply(r.client, subgraph)
	if r.forward {
		// Apply's result is this request's own: it may be changed.
		switch {
		case r.forwardedFor != "" && h == nil:
			h = http.Header{ForwardedFor: {r.forwardedFor}}
		case r.forwardedFor != "":
			h[ForwardedFor] = []string{r.forwardedFor}
		case len(h) > 0:
			delete(h, ForwardedFor)
			if len(h) == 0 {
				h = nil
			}
		}
	}
	r.memo[subgraph] = h
	return h
}

// Key encodes every header sent to each of subgraphs but X-Forwarded-For, so
// that two requests with equal keys send the same headers everywhere but the
// client's address (see the package comment); "" when no other is sent.
func (r *Request) Key(subgraphs []string) string {
	var b strings.Builder
	for _, sg := range subgraphs {
		h := r.Subgraph(sg)
		if !keyed(h) {
			continue
		}
		b.WriteString(strconv.Quote(sg))
		b.WriteByte('{')
		AppendKey(&b, h)
		b.WriteByte('}')
	}
	return b.String()
}

// AppendKey writes an unambiguous encoding of h, names sorted and values in
// order, to b, leaving out X-Forwarded-For: requests that differ only in the
// client's address may share a subgraph fetch (see the package comment).
func AppendKey(b *strings.Builder, h http.Header) {
	names := make([]string, 0, len(h))
	for k := range h {
		if k != ForwardedFor {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	for _, k := range names {
		b.WriteString(strconv.Quote(k))
		for _, v := range h[k] {
			b.WriteByte(':')
			b.WriteString(strconv.Quote(v))
		}
		b.WriteByte(';')
	}
}
