package ratelimit

import (
	"container/heap"
	"context"
	"sync"
	"time"
)

// DefaultMaxKeys is the number of keys a Memory holds when NewMemory is given
// no bound.
const DefaultMaxKeys = 100_000

// Memory is a Limiter that keeps its state in this process: for a single
// replica, tests and development. It holds at most maxKeys keys; when full,
// it drops a key whose TAT has passed (it would behave as fresh anyway) and
// otherwise the least recently used one, so a flood of new keys can reset old
// limits but never grow memory. It is safe for concurrent use.
type Memory struct {
	now func() time.Time
	max int

	mu      sync.Mutex
	entries map[[16]byte]*entry
	lru     entry // sentinel of a ring: lru.next is the most recently used
	byTAT   tatHeap
}

// entry is one key's state, linked into the LRU ring and the TAT heap.
type entry struct {
	key        [16]byte
	tat        int64 // microseconds since the Unix epoch
	prev, next *entry
	index      int // position in the heap
}

// NewMemory returns an empty Memory holding at most maxKeys keys
// (DefaultMaxKeys if maxKeys < 1), reading the time from now
// (time.Now if nil).
func NewMemory(maxKeys int, now func() time.Time) *Memory {
	if maxKeys < 1 {
		maxKeys = DefaultMaxKeys
	}
	if now == nil {
		now = time.Now
	}
	m := &Memory{now: now, max: maxKeys, entries: make(map[[16]byte]*entry)}
	m.lru.prev, m.lru.next = &m.lru, &m.lru
	return m
}

// Allow counts one event for key under l if it is allowed. Its only error is
// an invalid l.
func (m *Memory) Allow(_ context.Context, key string, l Limit) (Decision, error) {
	if err := l.Validate(); err != nil {
		return Decision{}, err
	}
	interval, tolerance := l.params()
	k := hashKey(key)
	now := m.now().UnixMicro()

	m.mu.Lock()
	defer m.mu.Unlock()
	e := m.entries[k]
	var tat int64
	if e != nil {
		tat = e.tat
		m.unlink(e)
	}
	newTAT, d := gcra(now, tat, interval, tolerance)
	if d.Allowed {
		if e == nil {
			e = m.add(k, now)
		}
		e.tat = newTAT
		heap.Fix(&m.byTAT, e.index)
	}
	if e != nil {
		m.pushFront(e)
	}
	return d, nil
}

// Len reports how many keys m holds.
func (m *Memory) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.entries)
}

// add makes room if m is full and inserts a new entry for k, not yet in the
// LRU ring.
func (m *Memory) add(k [16]byte, now int64) *entry {
	if len(m.entries) >= m.max {
		victim := m.byTAT[0]
		if victim.tat > now {
			victim = m.lru.prev
		}
		m.unlink(victim)
		heap.Remove(&m.byTAT, victim.index)
		delete(m.entries, victim.key)
	}
	e := &entry{key: k}
	m.entries[k] = e
	heap.Push(&m.byTAT, e)
	return e
}

func (m *Memory) unlink(e *entry) {
	e.prev.next, e.next.prev = e.next, e.prev
	e.prev, e.next = nil, nil
}

func (m *Memory) pushFront(e *entry) {
	e.prev, e.next = &m.lru, m.lru.next
	m.lru.next.prev = e
	m.lru.next = e
}

// tatHeap orders entries by TAT, earliest (first to expire) at the root.
type tatHeap []*entry

func (h tatHeap) Len() int           { return len(h) }
func (h tatHeap) Less(i, j int) bool { return h[i].tat < h[j].tat }
func (h tatHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index, h[j].index = i, j
}
func (h *tatHeap) Push(x any) {
	e := x.(*entry)
	e.index = len(*h)
	*h = append(*h, e)
}
func (h *tatHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return e
}
