package execute

import "sync"

// Chunk sizes: a chunk of Values is about 36 KiB, of members 24 KiB.
const (
	valueChunk  = 512
	memberChunk = 1024
	itemChunk   = 512
)

// chunkPool recycles the chunks that runs parse subgraph answers into: every
// Value of a run lives until its response is shaped and no longer, so a run's
// chunks go back to the pool at its end instead of to the garbage collector.
type chunkPool struct {
	values  sync.Pool
	members sync.Pool
	items   sync.Pool
}

func newChunkPool() *chunkPool {
	return &chunkPool{
		values:  sync.Pool{New: func() any { c := make([]Value, valueChunk); return &c }},
		members: sync.Pool{New: func() any { c := make([]Member, memberChunk); return &c }},
		items:   sync.Pool{New: func() any { c := make([]*Value, itemChunk); return &c }},
	}
}

// arena holds the chunks of one run. Decoders of concurrent fetches take chunks
// from it under its lock, one chunk at a time, and hand back what they left.
type arena struct {
	pool *chunkPool
	mu   sync.Mutex

	values  []*[]Value
	members []*[]Member
	items   []*[]*Value

	// The unused rests of the last chunks, for the next decoder.
	restV []Value
	restM []Member
	restI []*Value
}

func (a *arena) valueChunk() []Value {
	a.mu.Lock()
	defer a.mu.Unlock()
	c := a.pool.values.Get().(*[]Value)
	a.values = append(a.values, c)
	return *c
}

func (a *arena) memberChunk() []Member {
	a.mu.Lock()
	defer a.mu.Unlock()
	c := a.pool.members.Get().(*[]Member)
	a.members = append(a.members, c)
	return *c
}

func (a *arena) itemChunk() []*Value {
	a.mu.Lock()
	defer a.mu.Unlock()
	c := a.pool.items.Get().(*[]*Value)
	a.items = append(a.items, c)
	return *c
}

// memberSlice returns an empty slice with room for n members, from a chunk
// when n is small.
func (a *arena) memberSlice(n int) []Member {
	if n > 32 {
		return make([]Member, 0, n)
	}
	a.mu.Lock()
	if len(a.restM) < n {
		a.mu.Unlock()
		c := a.memberChunk()
		a.mu.Lock()
		if len(c) > len(a.restM) {
			a.restM = c
		}
	}
	out := a.restM[:0:n]
	a.restM = a.restM[n:]
	a.mu.Unlock()
	return out
}

// take gives d the rests of the arena's chunks.
func (a *arena) take(d *decoder) {
	a.mu.Lock()
	d.slab, d.mslab, d.islab = a.restV, a.restM, a.restI
	a.restV, a.restM, a.restI = nil, nil, nil
	a.mu.Unlock()
}

// giveBack keeps the rests of d's chunks for the next decoder, when they are
// larger than what the arena holds.
func (a *arena) giveBack(d *decoder) {
	a.mu.Lock()
	if len(d.slab) > len(a.restV) {
		a.restV = d.slab
	}
	if len(d.mslab) > len(a.restM) {
		a.restM = d.mslab
	}
	if len(d.islab) > len(a.restI) {
		a.restI = d.islab
	}
	a.mu.Unlock()
}

// free clears the run's chunks (so that they keep no answer alive) and returns
// them to the pool. No Value of the run may be used afterwards.
func (a *arena) free() {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, c := range a.values {
		clear(*c)
		a.pool.values.Put(c)
	}
	for _, c := range a.members {
		clear(*c)
		a.pool.members.Put(c)
	}
	for _, c := range a.items {
		clear(*c)
		a.pool.items.Put(c)
	}
	a.values, a.members, a.items = nil, nil, nil
	a.restV, a.restM, a.restI = nil, nil, nil
}
