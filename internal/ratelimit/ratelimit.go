// Package ratelimit counts events per key (an email, a client address) and
// says whether the next one is allowed, so that the users service can slow
// down password guessing and reset-mail flooding.
//
// Both limiters use GCRA, the generic cell rate algorithm. A Limit of Events
// per Per becomes an emission interval T = Per/Events and a burst tolerance
// of (Events-1)·T. Each key stores one number, its theoretical arrival time
// (TAT): the time at which it would be empty again had every allowed event
// cost exactly T. An event at now is allowed when now ≥ max(TAT, now) − tolerance,
// and then moves the TAT to max(TAT, now) + T. A fresh key therefore takes a
// burst of Events at once and then one more every T, which is a token bucket
// without a refill loop. GCRA was chosen over the alternatives because:
//
//   - it stores one integer per key, so Redis needs one key per limited thing
//     and one round trip (a Lua script that reads, decides and writes
//     atomically), and the memory limiter one small struct;
//   - a fixed window lets a client spend 2×Events around a window edge and a
//     sliding log stores every event; GCRA has neither problem;
//   - the retry time falls out of the arithmetic (TAT − tolerance − now).
//
// A refused event does not move the TAT, so hammering a locked key does not
// push its unlock further away; the client simply waits RetryAfter.
//
// Memory and Redis run the same arithmetic on integer microseconds, so they
// make the same decisions for the same sequence of events. Redis takes "now"
// from its own TIME command, so replicas with skewed clocks agree; the key
// expires by itself when its TAT has passed, because an expired key and a
// fresh key mean the same thing.
//
// Keys may hold user input: both limiters hash them with SHA-256 (the first
// 128 bits) so no email is stored, in Redis or in memory, and the stored key
// has a fixed length. A key should always be used with the same Limit (give
// each limited action its own key namespace, such as "signin:email:"+email);
// changing the Limit of a key is safe but its current state carries over.
package ratelimit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// MaxPer is the longest Limit.Per; it keeps every time the Redis script
// handles below 2^53 microseconds, where Lua's numbers are exact.
const MaxPer = 365 * 24 * time.Hour

// Limit allows Events per Per, with bursts up to Events.
type Limit struct {
	// Events is how many events Per allows, and also the largest burst.
	Events int
	// Per is the period over which Events are allowed.
	Per time.Duration
}

// Validate reports every bad field of l, joined.
func (l Limit) Validate() error {
	var errs []error
	if l.Events < 1 {
		errs = append(errs, fmt.Errorf("ratelimit: Limit.Events must be at least 1, got %d", l.Events))
	}
	switch {
	case l.Per <= 0:
		errs = append(errs, fmt.Errorf("ratelimit: Limit.Per must be positive, got %v", l.Per))
	case l.Per > MaxPer:
		errs = append(errs, fmt.Errorf("ratelimit: Limit.Per must be at most %v, got %v", MaxPer, l.Per))
	case l.Events >= 1 && l.Per.Microseconds()/int64(l.Events) < 1:
		errs = append(errs, fmt.Errorf("ratelimit: Limit.Per/Events must be at least 1µs, got %v/%d", l.Per, l.Events))
	}
	return errors.Join(errs...)
}

// params returns the emission interval and the burst tolerance of a valid l,
// in microseconds.
func (l Limit) params() (interval, tolerance int64) {
	interval = l.Per.Microseconds() / int64(l.Events)
	return interval, interval * int64(l.Events-1)
}

// Decision is the answer for one event.
type Decision struct {
	// Allowed tells whether the event may proceed; it has been counted if so.
	Allowed bool
	// RetryAfter is, when the event was refused, how long until the next
	// event would be allowed; it is 0 when Allowed.
	RetryAfter time.Duration
	// Remaining is how many more events would be allowed right now.
	Remaining int
}

// Limiter decides whether an event for a key is allowed under a limit.
type Limiter interface {
	// Allow counts one event for key under l if it is allowed. An error (an
	// invalid Limit, an unreachable Redis) comes with a zero Decision; the
	// caller chooses whether that fails open or closed.
	Allow(ctx context.Context, key string, l Limit) (Decision, error)
}

// gcra applies one event at now to a key whose theoretical arrival time is
// tat (0 for an unseen key), all in microseconds. It returns the new TAT to
// store when the event is allowed. redis.go's script is the same code in Lua;
// keep them in step.
func gcra(now, tat, interval, tolerance int64) (newTAT int64, d Decision) {
	if tat < now {
		tat = now
	}
	if allowAt := tat - tolerance; now < allowAt {
		return 0, Decision{RetryAfter: time.Duration(allowAt-now) * time.Microsecond}
	}
	newTAT = tat + interval
	// Events still allowed now: how many intervals fit between the new TAT
	// and the end of the burst window now+Events·T.
	return newTAT, Decision{Allowed: true, Remaining: int((tolerance + interval - (newTAT - now)) / interval)}
}

// hashKey is the first 128 bits of the SHA-256 of key.
func hashKey(key string) [16]byte {
	sum := sha256.Sum256([]byte(key))
	return [16]byte(sum[:16])
}

// hashKeyHex is hashKey in hex: 32 characters.
func hashKeyHex(key string) string {
	h := hashKey(key)
	return hex.EncodeToString(h[:])
}
