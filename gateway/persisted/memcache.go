package persisted

import (
	"sync"

	"github.com/hashicorp/golang-lru/v2/simplelru"
)

// memCache is an LRU of hash -> query bounded by entry count and by the
// total bytes of the queries, so that a client registering many large
// queries cannot grow the router without limit. Entries never go stale (a
// hash names one text forever), so there is no TTL in memory.
type memCache struct {
	mu       sync.Mutex
	lru      *simplelru.LRU[string, string]
	bytes    int64
	maxBytes int64
}

func newMemCache(entries int, maxBytes int64) *memCache {
	c := &memCache{maxBytes: maxBytes}
	// NewLRU fails only for a non-positive size, which withDefaults rules out.
	lru, err := simplelru.NewLRU[string, string](max(entries, 1), func(_ string, query string) {
		c.bytes -= int64(len(query))
	})
	if err != nil {
		panic(err)
	}
	c.lru = lru
	return c
}

// get returns the query registered under hash and marks it recently used.
func (c *memCache) get(hash string) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lru.Get(hash)
}

// add registers query under hash, evicting the least recently used entries
// until both bounds hold. A query larger than the byte bound is not kept.
func (c *memCache) add(hash, query string) {
	size := int64(len(query))
	if size > c.maxBytes {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.lru.Get(hash); ok {
		return
	}
	c.bytes += size
	c.lru.Add(hash, query)
	for c.bytes > c.maxBytes {
		if _, _, ok := c.lru.RemoveOldest(); !ok {
			break
		}
	}
}

// size returns the entry count and the bytes held.
func (c *memCache) size() (entries int, bytes int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lru.Len(), c.bytes
}
