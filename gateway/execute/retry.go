package execute

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/cenkalti/backoff/v5"
)

// retryPolicy says how often and how patiently a failed query fetch is sent
// again. Mutations are never retried: the subgraph may have applied one whose
// answer got lost, and a second order placed is worse than an error.
type retryPolicy struct {
	// retries is the number of attempts after the first; zero means none.
	retries int
	// initial and max bound the back-off between attempts, which doubles
	// from initial with ±50% jitter, so that the callers of a subgraph that
	// just restarted do not come back all at once.
	initial, max time.Duration
}

// Defaults of the retry back-off: short, since a client waits through it.
const (
	retryInitial = 50 * time.Millisecond
	retryMax     = 1 * time.Second
)

// attempt sends a fetch once: the raw answer and its HTTP status, or an error.
type attempt func(context.Context) ([]byte, int, error)

// run calls send until it succeeds, fails in a way a retry cannot mend, or the
// retries are spent. It never sleeps past deadline (the request's, when it
// has one): when the next back-off would leave too little of the budget, the
// last result stands.
// The last attempt's result is returned as it is, so a 503 that stays a 503 is
// reported like any other.
func (p retryPolicy) run(ctx context.Context, deadline time.Time, send attempt) ([]byte, int, error) {
	raw, status, err := send(ctx)
	if p.retries <= 0 || !retryable(ctx, status, err) {
		return raw, status, err
	}
	b := &backoff.ExponentialBackOff{
		InitialInterval:     p.initial,
		RandomizationFactor: 0.5,
		Multiplier:          2,
		MaxInterval:         p.max,
	}
	b.Reset()
	for range p.retries {
		wait := b.NextBackOff()
		// An attempt started in the last moments of the budget could not
		// finish: retry only while as much time as the back-off is left after it.
		if !deadline.IsZero() && time.Now().Add(2*wait).After(deadline) {
			break
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return raw, status, err
		case <-t.C:
		}
		raw, status, err = send(ctx)
		if !retryable(ctx, status, err) {
			break
		}
	}
	return raw, status, err
}

// retryable reports whether an attempt failed in a way that another attempt
// may not: the subgraph could not be reached or the connection broke (before
// any answer), or a proxy or the subgraph said it is briefly unavailable (502,
// 503, 504). A subgraph timeout is not retried: it has spent the time a retry
// would need. Nor is anything once ctx has ended.
func retryable(ctx context.Context, status int, err error) bool {
	if ctx.Err() != nil {
		return false
	}
	if err == nil {
		return status == http.StatusBadGateway || status == http.StatusServiceUnavailable || status == http.StatusGatewayTimeout
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return !ue.Timeout()
	}
	// The body broke off: the connection closed or was reset mid-answer.
	var ne *net.OpError
	if errors.As(err, &ne) {
		return !ne.Timeout()
	}
	return errors.Is(err, io.ErrUnexpectedEOF)
}
