package testsubgraph

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// HeaderServer is a running test subgraph that records the headers of every
// request, lets resolvers read them (RequestHeader), and may add headers to
// its responses.
type HeaderServer struct {
	*Server
	respond func(r *http.Request) http.Header

	mu      sync.Mutex
	headers []http.Header
}

// StartWithHeaders serves sg like Start; respond, when not nil, gives headers
// to add to the response to each request.
func StartWithHeaders(tb testing.TB, sg *Subgraph, respond func(r *http.Request) http.Header) *HeaderServer {
	tb.Helper()
	schema, err := sg.Schema()
	if err != nil {
		tb.Fatal(err)
	}
	hs := &HeaderServer{Server: &Server{sg: sg, schema: schema}, respond: respond}
	hs.Server.Server = httptest.NewServer(http.HandlerFunc(hs.serve))
	tb.Cleanup(hs.Close)
	return hs
}

func (hs *HeaderServer) serve(w http.ResponseWriter, r *http.Request) {
	hs.mu.Lock()
	hs.headers = append(hs.headers, r.Header.Clone())
	hs.mu.Unlock()
	if hs.respond != nil {
		for k, vs := range hs.respond(r) {
			for _, v := range vs {
				w.Header().Add(k, v)
			}
		}
	}
	ctx := context.WithValue(r.Context(), requestHeaderKey{}, r.Header.Clone())
	hs.Server.ServeHTTP(w, r.WithContext(ctx))
}

// Headers returns the headers of the requests received so far, in order.
func (hs *HeaderServer) Headers() []http.Header {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	return append([]http.Header(nil), hs.headers...)
}

type requestHeaderKey struct{}

// RequestHeader returns the headers of the HTTP request a resolver serves, when
// the subgraph runs under StartWithHeaders.
func RequestHeader(ctx context.Context) http.Header {
	h, _ := ctx.Value(requestHeaderKey{}).(http.Header)
	return h
}

// WhoAmI is a subgraph named name whose `whoami` field answers who the caller
// is, derived from the Authorization header it received ("anonymous" without
// one), after delay, so that concurrent identical requests overlap. It is the
// subgraph for checking that the router never hands one caller's answer to
// another.
func WhoAmI(name string, delay time.Duration) *Subgraph {
	return &Subgraph{
		Name: name,
		SDL: `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
type Query { whoami: String }`,
		Resolvers: map[string]Resolver{
			"Query.whoami": func(ctx context.Context, _, _ map[string]any) (any, error) {
				if delay > 0 {
					select {
					case <-time.After(delay):
					case <-ctx.Done():
						return nil, ctx.Err()
					}
				}
				auth := RequestHeader(ctx).Get("Authorization")
				if auth == "" {
					return "anonymous", nil
				}
				// The token's last characters: distinct per token, no need to parse it.
				auth = strings.TrimPrefix(auth, "Bearer ")
				if len(auth) > 16 {
					auth = auth[len(auth)-16:]
				}
				return "caller:" + auth, nil
			},
		},
	}
}
