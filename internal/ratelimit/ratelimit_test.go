package ratelimit

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestLimitValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		limit Limit
		want  []string // substrings of the error; none means valid
	}{
		{"five a minute", Limit{Events: 5, Per: time.Minute}, nil},
		{"one a year", Limit{Events: 1, Per: MaxPer}, nil},
		{"one per microsecond", Limit{Events: 1000, Per: time.Millisecond}, nil},
		{"zero value", Limit{}, []string{"Limit.Events must be at least 1, got 0", "Limit.Per must be positive, got 0s"}},
		{"negative events", Limit{Events: -1, Per: time.Second}, []string{"Limit.Events must be at least 1, got -1"}},
		{"negative per", Limit{Events: 1, Per: -time.Second}, []string{"Limit.Per must be positive"}},
		{"too long", Limit{Events: 1, Per: MaxPer + time.Second}, []string{"Limit.Per must be at most"}},
		{"interval below a microsecond", Limit{Events: 1001, Per: time.Millisecond}, []string{"Limit.Per/Events must be at least 1µs, got 1ms/1001"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.limit.Validate()
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate() = nil, want %q", tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Validate() = %q, want it to contain %q", err, w)
				}
			}
		})
	}
}

// clock is a settable time source for Memory.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// step is one Allow at a time relative to the start of a case.
type step struct {
	at   time.Duration
	want Decision
}

func allowed(remaining int) Decision       { return Decision{Allowed: true, Remaining: remaining} }
func refused(retry time.Duration) Decision { return Decision{RetryAfter: retry} }

// TestMemoryGCRA checks the arithmetic exactly, on an injected clock.
func TestMemoryGCRA(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		limit Limit
		steps []step
	}{
		{"burst of Events, then refused, then one per interval", Limit{Events: 5, Per: 5 * time.Second}, []step{
			{0, allowed(4)}, {0, allowed(3)}, {0, allowed(2)}, {0, allowed(1)}, {0, allowed(0)},
			{0, refused(time.Second)},
			{500 * time.Millisecond, refused(500 * time.Millisecond)},
			{time.Second, allowed(0)},
			{time.Second, refused(time.Second)},
			{3 * time.Second, allowed(1)},
			{3 * time.Second, allowed(0)},
			{3 * time.Second, refused(time.Second)},
		}},
		{"refusals do not push the unlock further", Limit{Events: 1, Per: time.Minute}, []step{
			{0, allowed(0)},
			{10 * time.Second, refused(50 * time.Second)},
			{20 * time.Second, refused(40 * time.Second)},
			{time.Minute - time.Millisecond, refused(time.Millisecond)},
			{time.Minute, allowed(0)},
		}},
		{"partial refill rounds remaining down", Limit{Events: 4, Per: 4 * time.Second}, []step{
			{0, allowed(3)}, {0, allowed(2)}, {0, allowed(1)}, {0, allowed(0)},
			{2500 * time.Millisecond, allowed(1)},
			{2500 * time.Millisecond, allowed(0)},
			{2500 * time.Millisecond, refused(500 * time.Millisecond)},
		}},
		{"an idle key recovers its full burst", Limit{Events: 3, Per: 3 * time.Second}, []step{
			{0, allowed(2)}, {0, allowed(1)}, {0, allowed(0)}, {0, refused(time.Second)},
			{time.Hour, allowed(2)}, {time.Hour, allowed(1)}, {time.Hour, allowed(0)},
		}},
		{"uneven interval truncates to the microsecond", Limit{Events: 3, Per: time.Second}, []step{
			{0, allowed(2)}, {0, allowed(1)}, {0, allowed(0)},
			{0, refused(333333 * time.Microsecond)},
			{333333 * time.Microsecond, allowed(0)},
		}},
		{"slow steady use never runs out", Limit{Events: 2, Per: 2 * time.Second}, []step{
			{0, allowed(1)}, {time.Second, allowed(1)}, {2 * time.Second, allowed(1)}, {3 * time.Second, allowed(1)},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clk := newClock()
			start := clk.Now()
			m := NewMemory(10, clk.Now)
			for i, s := range tt.steps {
				clk.Set(start.Add(s.at))
				got, err := m.Allow(context.Background(), "shopper@example.com", tt.limit)
				if err != nil {
					t.Fatalf("step %d: Allow: %v", i, err)
				}
				if got != s.want {
					t.Fatalf("step %d at +%v: Allow = %+v, want %+v", i, s.at, got, s.want)
				}
			}
		})
	}
}

func TestMemoryKeysAreIndependent(t *testing.T) {
	t.Parallel()
	m := NewMemory(10, newClock().Now)
	l := Limit{Events: 1, Per: time.Minute}
	ctx := context.Background()
	for _, key := range []string{"a@example.com", "b@example.com", "A@example.com"} {
		if d, _ := m.Allow(ctx, key, l); !d.Allowed {
			t.Errorf("first Allow(%q) = %+v, want allowed", key, d)
		}
	}
	if d, _ := m.Allow(ctx, "a@example.com", l); d.Allowed {
		t.Errorf("second Allow(a) = %+v, want refused", d)
	}
}

func TestMemoryInvalidLimit(t *testing.T) {
	t.Parallel()
	m := NewMemory(10, nil)
	d, err := m.Allow(context.Background(), "k", Limit{Per: time.Second})
	if err == nil || !strings.Contains(err.Error(), "Limit.Events") {
		t.Fatalf("Allow with Events 0 = %+v, %v; want an error naming Limit.Events", d, err)
	}
	if d != (Decision{}) {
		t.Errorf("Decision on error = %+v, want zero", d)
	}
	if m.Len() != 0 {
		t.Errorf("Len after a refused limit = %d, want 0", m.Len())
	}
}

func TestMemoryEviction(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	long := Limit{Events: 1, Per: time.Hour}

	t.Run("never holds more than maxKeys", func(t *testing.T) {
		t.Parallel()
		m := NewMemory(100, newClock().Now)
		for i := range 1000 {
			if _, err := m.Allow(ctx, "user"+strconv.Itoa(i)+"@example.com", long); err != nil {
				t.Fatal(err)
			}
			if m.Len() > 100 {
				t.Fatalf("after %d keys Len = %d, want at most 100", i+1, m.Len())
			}
		}
		if m.Len() != 100 {
			t.Errorf("Len = %d, want 100", m.Len())
		}
	})

	t.Run("least recently used goes when nothing has expired", func(t *testing.T) {
		t.Parallel()
		m := NewMemory(3, newClock().Now)
		two := Limit{Events: 2, Per: time.Hour}
		for _, k := range []string{"a", "b", "c", "a", "d"} { // a is used again, so b is the oldest
			if _, err := m.Allow(ctx, k, two); err != nil {
				t.Fatal(err)
			}
		}
		if d, _ := m.Allow(ctx, "a", two); d.Allowed {
			t.Errorf("a (recently used) = %+v, want refused: its state should be kept", d)
		}
		if d, _ := m.Allow(ctx, "b", two); d != allowed(1) {
			t.Errorf("b (least recently used) = %+v, want a fresh key: it should have been evicted", d)
		}
		if m.Len() != 3 {
			t.Errorf("Len = %d, want 3", m.Len())
		}
	})

	t.Run("an expired key goes before the least recently used", func(t *testing.T) {
		t.Parallel()
		clk := newClock()
		m := NewMemory(3, clk.Now)
		short := Limit{Events: 1, Per: time.Second}
		_, _ = m.Allow(ctx, "a", long) // least recently used, not expired
		_, _ = m.Allow(ctx, "b", short)
		_, _ = m.Allow(ctx, "c", long)
		clk.Add(2 * time.Second) // b has expired
		_, _ = m.Allow(ctx, "d", long)
		if d, _ := m.Allow(ctx, "a", long); d.Allowed {
			t.Errorf("a = %+v, want refused: the expired b should have been evicted instead", d)
		}
		if m.Len() != 3 {
			t.Errorf("Len = %d, want 3", m.Len())
		}
	})
}

// allowConcurrently runs 50 goroutines × 10 Allow on one key and counts the
// allowed events.
func allowConcurrently(t *testing.T, lim Limiter, key string, l Limit) int {
	t.Helper()
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		count int
		errs  []error
	)
	for range 50 {
		wg.Go(func() {
			for range 10 {
				d, err := lim.Allow(context.Background(), key, l)
				mu.Lock()
				if err != nil {
					errs = append(errs, err)
				} else if d.Allowed {
					count++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		t.Error(err)
	}
	return count
}

func TestMemoryConcurrentAllowsExactlyEvents(t *testing.T) {
	t.Parallel()
	m := NewMemory(10, newClock().Now)
	if got := allowConcurrently(t, m, "hot", Limit{Events: 100, Per: time.Hour}); got != 100 {
		t.Errorf("allowed %d of 500 concurrent events, want exactly 100", got)
	}
}

func BenchmarkMemoryAllow(b *testing.B) {
	m := NewMemory(0, nil)
	l := Limit{Events: 1_000_000, Per: time.Second}
	ctx := context.Background()
	for b.Loop() {
		if _, err := m.Allow(ctx, "shopper@example.com", l); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMemoryAllowParallel(b *testing.B) {
	m := NewMemory(0, nil)
	l := Limit{Events: 1_000_000, Per: time.Second}
	b.RunParallel(func(pb *testing.PB) {
		ctx := context.Background()
		for pb.Next() {
			if _, err := m.Allow(ctx, "shopper@example.com", l); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkMemoryAllowEvicting cycles through ten times more keys than the
// limiter holds, so every Allow inserts a key and evicts another.
func BenchmarkMemoryAllowEvicting(b *testing.B) {
	m := NewMemory(1000, nil)
	l := Limit{Events: 5, Per: time.Minute}
	keys := make([]string, 10_000)
	for i := range keys {
		keys[i] = "shopper" + strconv.Itoa(i) + "@example.com"
	}
	ctx := context.Background()
	i := 0
	for b.Loop() {
		if _, err := m.Allow(ctx, keys[i%len(keys)], l); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
