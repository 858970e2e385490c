package execute

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/sony/gobreaker/v2"
)

// CodeSubgraphCircuitOpen is the error code of a fetch that was not sent because
// the subgraph's circuit breaker is open (or half-open with its one trial
// request already in flight).
// Defaults of Options' resilience settings.
const (
	DefaultSubgraphRetries = 2
	DefaultBreakerFailures = 5
	DefaultBreakerCooldown = 10 * time.Second
)

const CodeSubgraphCircuitOpen = "SUBGRAPH_CIRCUIT_OPEN"

// Breaker states as reported by Health and OnBreakerStateChange.
const (
	BreakerClosed   = "closed"
	BreakerOpen     = "open"
	BreakerHalfOpen = "half-open"
)

// breaker sheds the fetches to one subgraph after consecutive failures, so that
// a subgraph that is down costs its callers nothing but an error instead of a
// connection attempt or a timeout each, and gets room to recover.
//
// It counts whole fetches (retries included), and only failures that say the
// subgraph is unwell: a connection that fails, a subgraph timeout, an HTTP 5xx.
// A GraphQL error in an answer is the subgraph working; a caller that gave up
// (its request context ended) says nothing about the subgraph, so neither counts.
//
// gobreaker does the state machine; this type adds the outcome classes, the
// moment the next trial is due (for the shedding message) and the logging.
type breaker struct {
	name     string
	failures int
	cooldown time.Duration
	cb       *gobreaker.TwoStepCircuitBreaker[struct{}]
	// trialAt is when the open breaker lets a trial through, in Unix nanoseconds.
	trialAt atomic.Int64
}

// errNotCounted marks a fetch outcome that neither trips nor heals the breaker.
var errNotCounted = errors.New("outcome not counted by the circuit breaker")

// errSubgraphDown marks a fetch outcome that counts as a failure.
var errSubgraphDown = errors.New("subgraph failed")

// newBreaker returns a breaker that opens after failures consecutive failed
// fetches and lets one trial fetch through cooldown after opening. onChange,
// when set, hears every state change; it runs under the breaker's lock, so it
// must be quick and must not call back into the executor.
func newBreaker(name string, failures int, cooldown time.Duration, log *slog.Logger, onChange func(subgraph, state string)) *breaker {
	b := &breaker{name: name, failures: failures, cooldown: cooldown}
	b.cb = gobreaker.NewTwoStepCircuitBreaker[struct{}](gobreaker.Settings{
		Name:        name,
		MaxRequests: 1, // one trial request when half-open
		Timeout:     cooldown,
		ReadyToTrip: func(c gobreaker.Counts) bool { return c.ConsecutiveFailures >= uint32(failures) },
		IsExcluded:  func(err error) bool { return errors.Is(err, errNotCounted) },
		OnStateChange: func(_ string, from, to gobreaker.State) {
			if to == gobreaker.StateOpen {
				b.trialAt.Store(time.Now().Add(cooldown).UnixNano())
			}
			state := stateName(to)
			level := slog.LevelInfo
			if to == gobreaker.StateOpen {
				level = slog.LevelWarn
			}
			if log != nil {
				log.Log(context.Background(), level, "subgraph circuit breaker "+state,
					"subgraph", name, "from", stateName(from), "to", state,
					"failures", failures, "cooldown", cooldown)
			}
			if onChange != nil {
				onChange(name, state)
			}
		},
	})
	return b
}

func stateName(s gobreaker.State) string {
	switch s {
	case gobreaker.StateOpen:
		return BreakerOpen
	case gobreaker.StateHalfOpen:
		return BreakerHalfOpen
	}
	return BreakerClosed
}

// allow admits a fetch, returning the function that reports its outcome, or
// a *fetchError that says why the fetch is shed.
func (b *breaker) allow() (func(error), error) {
	done, err := b.cb.Allow()
	if err == nil {
		return done, nil
	}
	if errors.Is(err, gobreaker.ErrTooManyRequests) {
		return nil, &fetchError{CodeSubgraphCircuitOpen, fmt.Errorf("unavailable: circuit breaker half-open after %d consecutive failures, its trial request is in flight", b.failures)}
	}
	wait := time.Until(time.Unix(0, b.trialAt.Load()))
	if wait >= time.Second {
		wait = wait.Round(time.Second)
	} else {
		// Short cooldowns (tests) still read sensibly, never "in 0s".
		wait = max(wait.Round(time.Millisecond), time.Millisecond)
	}
	return nil, &fetchError{CodeSubgraphCircuitOpen, fmt.Errorf("unavailable: circuit breaker open after %d consecutive failures, retrying in %s", b.failures, wait)}
}

// state returns the breaker's state; an open breaker whose cooldown has passed
// reads as half-open.
func (b *breaker) state() string { return stateName(b.cb.State()) }

// outcome classifies a fetch for the breaker: nil (the subgraph answered),
// errSubgraphDown, or errNotCounted. callerGone reports whether the context of
// the fetch ended, which is the caller's doing, not the subgraph's.
func outcome(status int, err error, callerGone bool) error {
	switch {
	case callerGone:
		return errNotCounted
	case err != nil:
		var fe *fetchError
		if errors.As(err, &fe) && fe.code != CodeSubrequestHTTP {
			// Malformed or oversized answers: the subgraph is up but
			// misbehaving; opening the circuit would not help it.
			return errNotCounted
		}
		return errSubgraphDown
	case status >= 500:
		return errSubgraphDown
	}
	return nil
}

// run sends a fetch through the breaker: shed at once while it is open, else
// sent and its outcome counted. A nil breaker only sends.
func (b *breaker) run(ctx context.Context, send attempt) ([]byte, int, error) {
	if b == nil {
		return send(ctx)
	}
	done, err := b.allow()
	if err != nil {
		return nil, 0, err
	}
	raw, status, err := send(ctx)
	done(outcome(status, err, ctx.Err() != nil))
	return raw, status, err
}

// Health returns the state of each subgraph's circuit breaker by subgraph
// name: "closed", "open" or "half-open" ("closed" when breakers are off).
func (e *Executor) Health() map[string]string {
	out := make(map[string]string, len(e.clients))
	for name, c := range e.clients {
		out[name] = BreakerClosed
		if c.breaker != nil {
			out[name] = c.breaker.state()
		}
	}
	return out
}
