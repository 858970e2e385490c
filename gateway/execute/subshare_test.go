package execute

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestSharedSubscriptionFansOutAndEnds: two subscribers of one key share one
// start; each gets every event after it joined; the end of the subscription
// (with its error) ends both; a later subscriber starts another.
func TestSharedSubscriptionFansOutAndEnds(t *testing.T) {
	t.Parallel()
	h := newSubscriptionHub()
	starts := 0
	release := make(chan struct{})
	failure := errors.New("subgraph went away")
	start := func(ctx context.Context, next func([]byte) error) error {
		starts++
		<-release
		for _, ev := range []string{"a", "b"} {
			_ = next([]byte(ev))
		}
		return failure
	}
	s1, end1, leave1 := h.join("k", start)
	defer leave1()
	s2, end2, leave2 := h.join("k", start)
	defer leave2()
	close(release)
	for i, s := range []*subscriber{s1, s2} {
		var got string
		for ev := range s.events {
			got += string(ev)
		}
		if got != "ab" {
			t.Errorf("subscriber %d got %q, want ab", i, got)
		}
	}
	for i, end := range []func() (bool, error){end1, end2} {
		if lagged, err := end(); lagged || !errors.Is(err, failure) {
			t.Errorf("subscriber %d ended lagged=%v err=%v, want the subscription's error", i, lagged, err)
		}
	}
	if starts != 1 {
		t.Errorf("started %d times for two subscribers, want 1", starts)
	}
	release = make(chan struct{})
	close(release)
	s3, _, leave3 := h.join("k", start)
	defer leave3()
	for range s3.events {
	}
	if starts != 2 {
		t.Errorf("a subscriber after the end did not start another (%d starts)", starts)
	}
}

// TestSharedSubscriptionDropsALaggingSubscriber: a subscriber that does not
// read falls behind and is dropped; the others go on; the subscription ends
// at the subgraph when the last one leaves.
func TestSharedSubscriptionDropsALaggingSubscriber(t *testing.T) {
	t.Parallel()
	h := newSubscriptionHub()
	stopped := make(chan struct{})
	sent := make(chan struct{})
	acked := make(chan struct{})
	start := func(ctx context.Context, next func([]byte) error) error {
		for range sharedBacklog + 1 {
			_ = next([]byte("e"))
			<-acked // the fast subscriber keeps up
		}
		close(sent)
		<-ctx.Done()
		close(stopped)
		return ctx.Err()
	}
	slow, endSlow, leaveSlow := h.join("k", start)
	defer leaveSlow()
	fast, _, leaveFast := h.join("k", start)
	read := 0
	go func() {
		for range fast.events {
			read++
			acked <- struct{}{}
		}
	}()
	<-sent
	n := 0
	for range slow.events {
		n++
	}
	if lagged, _ := endSlow(); !lagged || n != sharedBacklog {
		t.Errorf("slow subscriber: lagged=%v after %d events, want dropped after %d", lagged, n, sharedBacklog)
	}
	select {
	case <-stopped:
		t.Fatal("the subscription ended while a subscriber remained")
	case <-time.After(50 * time.Millisecond):
	}
	leaveFast()
	if read != sharedBacklog+1 {
		t.Errorf("the fast subscriber read %d events, want %d", read, sharedBacklog+1)
	}
	select {
	case <-stopped:
	case <-time.After(5 * time.Second):
		t.Fatal("the subscription did not end with its last subscriber")
	}
}
