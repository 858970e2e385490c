package execute

import (
	"context"

	"github.com/shopgraph/shopgraph/gateway/internal/flight"
)

// inflight shares one subgraph HTTP call among identical concurrent fetches. The
// callers share the raw answer and parse it each for itself, since every request
// extends its own response tree in place.
type inflight struct {
	g flight.Group[string, answer]
}

type answer struct {
	raw    []byte
	status int
	err    error
}

// do runs fn once for all concurrent callers with the same key. The shared call
// runs detached from any one caller's cancellation (the subgraph timeout still
// bounds it) and is cancelled when every caller has gone; a caller whose context
// ends stops waiting.
func (f *inflight) do(ctx context.Context, key string, fn func(context.Context) ([]byte, int, error)) ([]byte, int, error) {
	a, _, err := f.g.Do(ctx, key, func(ctx context.Context) answer {
		raw, status, err := fn(ctx)
		return answer{raw, status, err}
	})
	if err != nil {
		return nil, 0, err
	}
	return a.raw, a.status, a.err
}
