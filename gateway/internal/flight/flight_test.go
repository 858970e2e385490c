package flight

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

func TestSecondCallerGetsResultWhenFirstLeaves(t *testing.T) {
	t.Parallel()
	var g Group[string, string]
	started := make(chan struct{})
	release := make(chan struct{})
	firstCtx, leave := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	var firstErr error
	go func() {
		defer wg.Done()
		_, _, firstErr = g.Do(firstCtx, "k", func(ctx context.Context) string {
			close(started)
			select {
			case <-release:
				return "data"
			case <-ctx.Done():
				return "cancelled: " + ctx.Err().Error()
			}
		})
	}()
	<-started
	second := make(chan string)
	go func() {
		v, shared, err := g.Do(context.Background(), "k", func(context.Context) string { return "second ran" })
		if err != nil || !shared {
			t.Errorf("second caller: shared=%v err=%v", shared, err)
		}
		second <- v
	}()
	for g.waiters("k") != 2 {
		time.Sleep(time.Millisecond)
	}
	leave() // the first client disconnects
	time.Sleep(20 * time.Millisecond)
	close(release)
	if v := <-second; v != "data" {
		t.Errorf("second caller got %q, want the shared run's data", v)
	}
	wg.Wait()
	_ = firstErr // the first caller ran fn itself; it returns whatever fn returned
}

func TestRunCancelledWhenEveryCallerLeaves(t *testing.T) {
	t.Parallel()
	var g Group[string, error]
	ctx1, cancel1 := context.WithCancel(context.Background())
	ctx2, cancel2 := context.WithCancel(context.Background())
	started := make(chan struct{})
	res := make(chan error, 1)
	go func() {
		v, _, _ := g.Do(ctx1, "k", func(ctx context.Context) error {
			close(started)
			<-ctx.Done()
			return ctx.Err()
		})
		res <- v
	}()
	<-started
	errc := make(chan error, 1)
	go func() {
		_, _, err := g.Do(ctx2, "k", nil)
		errc <- err
	}()
	for g.waiters("k") != 2 {
		time.Sleep(time.Millisecond)
	}
	cancel1()
	time.Sleep(10 * time.Millisecond)
	select {
	case <-res:
		t.Fatal("the run was cancelled while a caller still waited")
	default:
	}
	cancel2()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Errorf("second caller: err = %v, want context.Canceled", err)
	}
	if err := <-res; !errors.Is(err, context.Canceled) {
		t.Errorf("run ended with %v, want cancellation once nobody waits", err)
	}
	if n := g.Len(); n != 0 {
		t.Errorf("%d calls still listed", n)
	}
}

// waiters returns how many callers wait for key, for tests.
func (g *Group[K, V]) waiters(key K) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	if c := g.calls[key]; c != nil {
		return c.waiters
	}
	return 0
}
