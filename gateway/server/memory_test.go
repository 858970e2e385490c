package server

import (
	"sync/atomic"
	"testing"
	"time"
)

// TestMemoryReleasedAfterBigRequestsOnly: a big request hands memory back, a
// small one does not, and a flood of big ones costs one release per interval.
func TestMemoryReleasedAfterBigRequestsOnly(t *testing.T) {
	t.Parallel()
	var freed atomic.Int32
	done := make(chan struct{}, 10)
	m := &memoryReleaser{interval: time.Hour, free: func() { freed.Add(1); done <- struct{}{} }}
	m.after(bigRequestBytes - 1)
	if freed.Load() != 0 {
		t.Fatal("a small request released memory")
	}
	for range 5 {
		m.after(bigRequestBytes * 4)
	}
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("a big request did not release memory")
	}
	time.Sleep(50 * time.Millisecond)
	if n := freed.Load(); n != 1 {
		t.Fatalf("%d releases for 5 big requests within one interval, want 1", n)
	}
	m.interval = 0 // the interval has passed
	m.after(bigRequestBytes)
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("no release once the interval passed")
	}
}
