package telemetry

import (
	"sync"
	"sync/atomic"
)

// Children caches the children of a metric vector by key. A lookup reads a
// copy-on-write map, with no lock and no hashing of label strings by the
// Prometheus vector; a new key copies the map once. At most max keys are kept:
// beyond them every new key shares the child made for overflow, so that label
// values from outside (error codes sent by subgraphs, for one) cannot grow the
// metric without bound.
type Children[K comparable, M any] struct {
	newChild func(K) M
	overflow K
	max      int
	mu       sync.Mutex
	m        atomic.Pointer[map[K]M]
}

// NewChildren returns a cache that makes children with newChild, keeps at most
// max keys and maps any key past them to overflow.
func NewChildren[K comparable, M any](max int, overflow K, newChild func(K) M) *Children[K, M] {
	c := &Children[K, M]{newChild: newChild, overflow: overflow, max: max}
	m := map[K]M{}
	c.m.Store(&m)
	return c
}

// Get returns the child for k, making it on first use.
func (c *Children[K, M]) Get(k K) M {
	if m, ok := (*c.m.Load())[k]; ok {
		return m
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	old := *c.m.Load()
	if m, ok := old[k]; ok {
		return m
	}
	if len(old) >= c.max {
		k = c.overflow
		if m, ok := old[k]; ok {
			return m
		}
	}
	next := make(map[K]M, len(old)+1)
	for key, v := range old {
		next[key] = v
	}
	child := c.newChild(k)
	next[k] = child
	c.m.Store(&next)
	return child
}
