package execute

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/shopgraph/shopgraph/gateway/limits"
)

// Codes of the errors that cut a request off.
const (
	// CodeResponseLimit: the request needed more subgraph data, entities or
	// response bytes than the router allows one request.
	CodeResponseLimit = "RESPONSE_LIMIT_EXCEEDED"
	// CodeRequestTimeout: the request's deadline passed before it finished.
	CodeRequestTimeout = "REQUEST_TIMEOUT"
)

// Defaults of the per-request caps: the router's limits (gateway/limits) are
// the one place they are set.
const (
	DefaultMaxRequestBytes = limits.DefaultMaxSubgraphBytes
	DefaultMaxEntities     = limits.DefaultMaxEntities
	DefaultMaxOutputBytes  = limits.DefaultMaxResponseBytes
)

// budget is what one request may still consume. The estimate made before
// planning keeps hostile operations out; the budget stops an operation that
// explodes anyway (lists far longer than estimated, entities repeated at every
// level) before it grows the router's memory without bound.
type budget struct {
	maxBytes    int64 // subgraph answer bytes, summed over the request's fetches
	maxEntities int64 // objects entity fetches are made for
	bytes       atomic.Int64
	entities    atomic.Int64
}

type budgetKey struct{}

func withBudget(ctx context.Context, b *budget) context.Context {
	return context.WithValue(ctx, budgetKey{}, b)
}

// errBudget is a request over one of its caps; it stops the request.
type errBudget struct{ msg string }

func (e *errBudget) Error() string { return e.msg }

// chargeBytes counts n answer bytes against ctx's budget.
func chargeBytes(ctx context.Context, n int) error {
	b, _ := ctx.Value(budgetKey{}).(*budget)
	if b == nil {
		return nil
	}
	if total := b.bytes.Add(int64(n)); b.maxBytes > 0 && total > b.maxBytes {
		return &errBudget{fmt.Sprintf("the request needs more than %d bytes of subgraph data (the router's limit per request)", b.maxBytes)}
	}
	return nil
}

// chargeEntities counts n objects of an entity fetch against the budget.
func (b *budget) chargeEntities(n int) error {
	if b == nil || b.maxEntities <= 0 {
		return nil
	}
	if total := b.entities.Add(int64(n)); total > b.maxEntities {
		return &errBudget{fmt.Sprintf("the request needs more than %d entities (the router's limit per request)", b.maxEntities)}
	}
	return nil
}

// RequestTimeout is the cause a server gives the context of a request whose
// deadline it sets (context.WithTimeoutCause), so that the executor can report
// the request's timeout rather than each fetch's cancellation.
type RequestTimeout struct{ After time.Duration }

func (e *RequestTimeout) Error() string {
	return fmt.Sprintf("the request timed out after %s", e.After)
}

// timeoutError returns the error to report when ctx has ended, or nil.
func timeoutError(ctx context.Context) *Error {
	if ctx.Err() == nil {
		return nil
	}
	var rt *RequestTimeout
	msg := "the request was cancelled before it finished"
	if errors.As(context.Cause(ctx), &rt) {
		msg = rt.Error()
	} else if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		msg = "the request timed out"
	}
	return &Error{Message: msg, Extensions: map[string]any{"code": CodeRequestTimeout}}
}
