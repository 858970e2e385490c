package server

import (
	"runtime"
	"runtime/debug"
	"sync/atomic"
	"time"
)

// bigRequestBytes is the size (subgraph answers plus response) above which a
// request is big enough that the memory it took should go back to the system.
const bigRequestBytes = 8 << 20

// memoryReleaser hands memory back to the operating system after big requests.
// The router runs its collector rarely (GOGC 400 by default), and the runtime's
// background scavenger returns freed pages over minutes; after a request that
// took hundreds of megabytes, a forced collection and release brings the
// process back to its working size at once. It runs at most once per interval,
// in the background, so a flood of big requests costs one collection per
// interval, not one each.
type memoryReleaser struct {
	interval time.Duration
	last     atomic.Int64 // unix nanoseconds of the last release
	running  atomic.Bool
	free     func() // debug.FreeOSMemory; replaced in tests
}

func newMemoryReleaser() *memoryReleaser {
	return &memoryReleaser{interval: 5 * time.Second, free: func() {
		// Two collections: the executor's chunk pools (sync.Pool) keep their
		// chunks through one collection, in their victim cache.
		runtime.GC()
		debug.FreeOSMemory()
	}}
}

// after notes a finished request of size bytes and releases memory when it was big.
func (m *memoryReleaser) after(size int64) {
	if size < bigRequestBytes {
		return
	}
	now := time.Now().UnixNano()
	if now-m.last.Load() < int64(m.interval) || !m.running.CompareAndSwap(false, true) {
		return
	}
	m.last.Store(now)
	go func() {
		defer m.running.Store(false)
		m.free()
	}()
}
