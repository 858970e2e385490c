package headers

import (
	"net/http"
	"sync"
)

// WantsResponse reports whether any response rule applies to subgraph.
func (p *Propagator) WantsResponse(subgraph string) bool {
	return len(p.allResp) > 0 || len(p.respSubgraph[subgraph]) > 0
}

// HasResponseRules reports whether any response rule is configured.
func (p *Propagator) HasResponseRules() bool {
	return len(p.allResp) > 0 || len(p.respSubgraph) > 0
}

// Collector gathers the subgraph response headers of one client request that
// the response rules send to the client. Fetches answer concurrently, so it is
// safe for concurrent use.
type Collector struct {
	p *Propagator

	mu  sync.Mutex
	out http.Header
}

// NewCollector returns an empty collector for one client request.
func (p *Propagator) NewCollector() *Collector {
	return &Collector{p: p}
}

// Wants reports whether headers of subgraph's responses may reach the client.
func (c *Collector) Wants(subgraph string) bool { return c.p.WantsResponse(subgraph) }

// Collect applies the response rules of subgraph to one of its responses' headers.
func (c *Collector) Collect(subgraph string, h http.Header) {
	if len(h) == 0 || !c.Wants(subgraph) {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, rules := range [2][]respRule{c.p.allResp, c.p.respSubgraph[subgraph]} {
		for _, r := range rules {
			if r.re == nil {
				if vs := h.Values(r.name); len(vs) > 0 {
					c.add(r.to, vs, r.algorithm)
				}
				continue
			}
			for name, vs := range h {
				if len(vs) > 0 && !Reserved(name) && r.re.MatchString(name) {
					c.add(http.CanonicalHeaderKey(name), vs, r.algorithm)
				}
			}
		}
	}
}

func (c *Collector) add(name string, vs []string, algorithm string) {
	if c.out == nil {
		c.out = http.Header{}
	}
	switch algorithm {
	case AlgorithmFirst:
		if _, ok := c.out[name]; !ok {
			c.out[name] = append([]string(nil), vs...)
		}
	case AlgorithmLast:
		c.out[name] = append([]string(nil), vs...)
	default:
		c.out[name] = append(c.out[name], vs...)
	}
}

// Header returns a copy of the collected headers.
func (c *Collector) Header() http.Header {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.out.Clone()
}

// WriteTo adds the collected headers to dst (a response's headers, before its
// status is written). Headers the router itself set under the same name are
// replaced.
func (c *Collector) WriteTo(dst http.Header) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for name, vs := range c.out {
		dst[name] = append([]string(nil), vs...)
	}
}
