package execute

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestInflightSharesIdenticalCalls(t *testing.T) {
	t.Parallel()
	var f inflight
	var calls atomic.Int32
	release := make(chan struct{})
	fn := func(context.Context) ([]byte, int, error) {
		calls.Add(1)
		<-release
		return []byte(`{"data":{}}`), 200, nil
	}
	var wg sync.WaitGroup
	for i := 0; i < 5; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			raw, status, err := f.do(context.Background(), "same", fn)
			if err != nil || status != 200 || string(raw) != `{"data":{}}` {
				t.Errorf("do = %s %d %v", raw, status, err)
			}
		}()
	}
	time.Sleep(50 * time.Millisecond) // let every caller join the first call
	close(release)
	wg.Wait()
	if n := calls.Load(); n != 1 {
		t.Errorf("%d calls, want 1", n)
	}
	// A finished call is not reused.
	release = make(chan struct{})
	close(release)
	if _, _, err := f.do(context.Background(), "same", fn); err != nil || calls.Load() != 2 {
		t.Errorf("second round: calls = %d, err = %v", calls.Load(), err)
	}
}

func TestInflightWaiterCancelled(t *testing.T) {
	t.Parallel()
	var f inflight
	release := make(chan struct{})
	defer close(release)
	go func() {
		_, _, _ = f.do(context.Background(), "k", func(context.Context) ([]byte, int, error) {
			<-release
			return nil, 200, nil
		})
	}()
	time.Sleep(20 * time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, _, err := f.do(ctx, "k", nil); err == nil {
		t.Error("a waiter whose context ended kept waiting")
	}
}

func TestInflightSecondWaiterGetsDataWhenFirstLeaves(t *testing.T) {
	t.Parallel()
	var f inflight
	release := make(chan struct{})
	started := make(chan struct{})
	firstCtx, leave := context.WithCancel(context.Background())
	go func() {
		_, _, _ = f.do(firstCtx, "k", func(ctx context.Context) ([]byte, int, error) {
			close(started)
			select {
			case <-release:
				return []byte(`{"data":{}}`), 200, nil
			case <-ctx.Done():
				return nil, 0, ctx.Err()
			}
		})
	}()
	<-started
	got := make(chan error, 1)
	go func() {
		raw, _, err := f.do(context.Background(), "k", nil)
		if err == nil && string(raw) != `{"data":{}}` {
			err = fmt.Errorf("raw = %s", raw)
		}
		got <- err
	}()
	time.Sleep(20 * time.Millisecond)
	leave()
	time.Sleep(20 * time.Millisecond)
	close(release)
	if err := <-got; err != nil {
		t.Errorf("second waiter: %v", err)
	}
}
