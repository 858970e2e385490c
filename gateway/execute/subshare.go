package execute

import (
	"context"
	"sort"
	"strings"
	"sync"
)

// Shared subscriptions: clients that subscribe with the same subgraph
// operation, variables and headers (credentials included, so no two users
// ever share) share one subscription at the subgraph, as Apollo Router
// de-duplicates them. Each event is then sent once by the subgraph and fanned
// out; every client still runs its own entity fetches and shaping. The
// subgraph subscription ends when its last client leaves, and its end (a
// completion or an error) ends every client's.
//
// A client that joins late gets the events from then on, as a subgraph
// subscription opened then would, except for an event a subgraph sends to
// each new subscription at once (a current value): such subgraphs want
// de-duplication off (the router's dedupe setting).
//
// A client that falls behind by more than sharedBacklog events is dropped
// with an error rather than slowing the others down.

// sharedBacklog is how many events a client of a shared subscription may
// have waiting before it is dropped.
const sharedBacklog = 256

// subscriptionHub holds the shared subscriptions by key.
type subscriptionHub struct {
	mu   sync.Mutex
	subs map[string]*sharedSubscription
}

func newSubscriptionHub() *subscriptionHub {
	return &subscriptionHub{subs: map[string]*sharedSubscription{}}
}

// sharedSubscription is one subgraph subscription and its clients.
type sharedSubscription struct {
	hub    *subscriptionHub
	key    string
	cancel context.CancelFunc

	mu        sync.Mutex
	listeners map[*subscriber]struct{}
	ended     bool
	err       error // why it ended; nil: the subgraph completed it
}

// subscriber is one client of a shared subscription.
type subscriber struct {
	events chan []byte
	// lagged is set when the subscriber was dropped for falling behind.
	lagged bool
}

// subscriptionKey identifies subscriptions that may share: the URL, the
// subscribe payload and every header sent.
func subscriptionKey(url string, payload []byte, header map[string][]string) string {
	var b strings.Builder
	b.WriteString(url)
	b.WriteByte(0)
	b.Write(payload)
	names := make([]string, 0, len(header))
	for k := range header {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		b.WriteByte(0)
		b.WriteString(k)
		for _, v := range header[k] {
			b.WriteByte(1)
			b.WriteString(v)
		}
	}
	return b.String()
}

// join adds a subscriber to the subscription with key, starting it with
// start when there is none: start runs until the subgraph ends the
// subscription or its context ends, calling next with each event. The
// subscriber's events channel is closed when the subscription ended (end
// tells why) or the subscriber was dropped; leave must be called when the
// client is done.
func (h *subscriptionHub) join(key string, start func(ctx context.Context, next func([]byte) error) error) (s *subscriber, end func() (lagged bool, err error), leave func()) {
	s = &subscriber{events: make(chan []byte, sharedBacklog)}
	h.mu.Lock()
	sh := h.subs[key]
	if sh != nil {
		sh.mu.Lock()
		if sh.ended {
			sh.mu.Unlock()
			sh = nil
		} else {
			sh.listeners[s] = struct{}{}
			sh.mu.Unlock()
		}
	}
	if sh == nil {
		ctx, cancel := context.WithCancel(context.Background())
		sh = &sharedSubscription{hub: h, key: key, cancel: cancel, listeners: map[*subscriber]struct{}{s: {}}}
		h.subs[key] = sh
		go sh.run(ctx, start)
	}
	h.mu.Unlock()
	end = func() (bool, error) {
		sh.mu.Lock()
		defer sh.mu.Unlock()
		return s.lagged, sh.err
	}
	return s, end, func() { sh.leave(s) }
}

// run runs the subgraph subscription and ends every subscriber's when it ends.
func (sh *sharedSubscription) run(ctx context.Context, start func(context.Context, func([]byte) error) error) {
	err := start(ctx, sh.fanOut)
	sh.hub.mu.Lock()
	if sh.hub.subs[sh.key] == sh {
		delete(sh.hub.subs, sh.key)
	}
	sh.hub.mu.Unlock()
	sh.mu.Lock()
	sh.ended, sh.err = true, err
	for s := range sh.listeners {
		close(s.events)
	}
	sh.listeners = nil
	sh.mu.Unlock()
	sh.cancel()
}

// fanOut hands an event to every subscriber, dropping those whose backlog
// is full.
func (sh *sharedSubscription) fanOut(payload []byte) error {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	for s := range sh.listeners {
		select {
		case s.events <- payload:
		default:
			s.lagged = true
			close(s.events)
			delete(sh.listeners, s)
		}
	}
	if len(sh.listeners) == 0 {
		sh.cancel() // the last one was dropped
	}
	return nil
}

// leave removes s; the subgraph subscription ends with its last subscriber.
func (sh *sharedSubscription) leave(s *subscriber) {
	sh.hub.mu.Lock()
	defer sh.hub.mu.Unlock()
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if _, ok := sh.listeners[s]; !ok {
		return // ended or dropped already
	}
	delete(sh.listeners, s)
	close(s.events)
	if len(sh.listeners) == 0 {
		// No one may join it any more: the next client starts another.
		if sh.hub.subs[sh.key] == sh {
			delete(sh.hub.subs, sh.key)
		}
		sh.cancel()
	}
}
