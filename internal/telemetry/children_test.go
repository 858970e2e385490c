package telemetry

import (
	"sync"
	"testing"
)

func TestChildrenBoundsKeys(t *testing.T) {
	t.Parallel()
	made := map[string]int{}
	var mu sync.Mutex
	c := NewChildren(3, "other", func(k string) *string {
		mu.Lock()
		made[k]++
		mu.Unlock()
		return &k
	})
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, k := range []string{"a", "b", "c", "d", "e", "a"} {
				c.Get(k)
			}
		}()
	}
	wg.Wait()
	for _, k := range []string{"a", "b", "c"} {
		if got := *c.Get(k); got != k {
			t.Errorf("Get(%q) = %q", k, got)
		}
	}
	for _, k := range []string{"d", "e", "zzz"} {
		if got := *c.Get(k); got != "other" {
			t.Errorf("Get(%q) past the bound = %q, want other", k, got)
		}
	}
	for k, n := range made {
		if n != 1 {
			t.Errorf("child %q made %d times, want once", k, n)
		}
	}
	if len(made) != 4 {
		t.Errorf("made %v, want a, b, c and other", made)
	}
}
