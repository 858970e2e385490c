package server

import (
	"context"
	"sync"
	"time"

	"github.com/shopgraph/shopgraph/gateway/execute"
	"github.com/shopgraph/shopgraph/internal/authn"
)

// Streams end for three reasons besides their subgraph or client ending them:
//   - the router shuts down. http.Server.Shutdown waits for requests to end
//     but never ends one, and it does not see hijacked WebSockets at all, so
//     Run (and Close) drain them: each stream ends with an error that says
//     why, a WebSocket with 1001 (going away), and clients subscribe again
//     elsewhere;
//   - the token that authenticated it expires. A subscription outliving its
//     token would keep delivering a user's data after the user signed out
//     everywhere; the stream ends when the token's exp (plus the leeway)
//     passes, a WebSocket with 4403, and the client reconnects with a fresh
//     token, as it does for any request.

// Codes of the errors that end a stream for the router's reasons.
const (
	codeShuttingDown = "SHUTTING_DOWN"
	codeTokenExpired = "TOKEN_EXPIRED"
)

// drainer ends every stream when the router shuts down.
type drainer struct {
	ctx  context.Context
	stop context.CancelFunc
}

func newDrainer() *drainer {
	ctx, stop := context.WithCancel(context.Background())
	return &drainer{ctx: ctx, stop: stop}
}

// Drain ends every subscription stream and WebSocket; new ones are refused.
// Run calls it when its context ends, as the process begins to shut down.
func (s *Server) Drain() { s.drain.stop() }

// watchStream calls end once, with the error that says why, when the router
// drains or when the token of ctx's principal expires; stop stops watching.
func (s *Server) watchStream(ctx context.Context, end func(why execute.Error)) (stop func()) {
	var once sync.Once
	fire := func(why execute.Error) { once.Do(func() { end(why) }) }
	stopDrain := context.AfterFunc(s.drain.ctx, func() {
		fire(requestError("the router is shutting down: subscribe again", codeShuttingDown))
	})
	stopTimer := func() bool { return false }
	if at, ok := s.tokenExpiry(ctx); ok {
		t := time.AfterFunc(time.Until(at), func() {
			fire(requestError("the token that authenticated this subscription expired: subscribe again with a new one", codeTokenExpired))
		})
		stopTimer = t.Stop
	}
	return func() {
		stopDrain()
		stopTimer()
	}
}

// tokenExpiry returns when the token of ctx's principal stops being accepted.
func (s *Server) tokenExpiry(ctx context.Context) (time.Time, bool) {
	p, ok := authn.FromContext(ctx)
	if !ok || p.ExpiresAt.IsZero() {
		return time.Time{}, false
	}
	return p.ExpiresAt.Add(s.cfg.JWT.Leeway), true
}
