package execute

import (
	"context"
	"net/http"
	"strings"

	"github.com/shopgraph/shopgraph/gateway/headers"
)

// SubgraphHeaders returns the headers of one client request to send to a
// subgraph (nil for none). The executor does not modify what it returns.
type SubgraphHeaders func(subgraph string) http.Header

// ResponseHeaderCollector receives the response headers of a client request's
// subgraph fetches.
type ResponseHeaderCollector interface {
	// Wants reports whether headers of subgraph's responses are collected.
	Wants(subgraph string) bool
	// Collect takes the headers of one response of subgraph; it is called
	// concurrently.
	Collect(subgraph string, h http.Header)
}

type subgraphHeadersKey struct{}

type responseHeadersKey struct{}

// WithSubgraphHeaders returns ctx whose subgraph fetches carry the headers f
// gives. Fetches are shared between requests only when they send the same
// headers (see subgraphClient.do).
func WithSubgraphHeaders(ctx context.Context, f SubgraphHeaders) context.Context {
	return context.WithValue(ctx, subgraphHeadersKey{}, f)
}

// WithResponseHeaders returns ctx whose subgraph responses' headers go to c.
// A fetch whose headers c wants is never shared with another request: its
// response headers (a Set-Cookie, say) belong to this request alone.
func WithResponseHeaders(ctx context.Context, c ResponseHeaderCollector) context.Context {
	return context.WithValue(ctx, responseHeadersKey{}, c)
}

// subgraphHeaders returns the per-request headers for subgraph, or nil.
func subgraphHeaders(ctx context.Context, subgraph string) http.Header {
	if f, ok := ctx.Value(subgraphHeadersKey{}).(SubgraphHeaders); ok && f != nil {
		return f(subgraph)
	}
	return nil
}

// responseCollector returns the collector of ctx when it wants subgraph's
// response headers, or nil.
func responseCollector(ctx context.Context, subgraph string) ResponseHeaderCollector {
	if c, ok := ctx.Value(responseHeadersKey{}).(ResponseHeaderCollector); ok && c != nil && c.Wants(subgraph) {
		return c
	}
	return nil
}

// withRequestHeaders returns base plus extra; base is returned as it is when
// extra is empty. Headers of base (the content type and Accept the router
// needs) win over extra's.
func withRequestHeaders(base, extra http.Header) http.Header {
	if len(extra) == 0 {
		return base
	}
	h := make(http.Header, len(base)+len(extra))
	for k, vs := range extra {
		h[k] = vs
	}
	for k, vs := range base {
		h[k] = vs
	}
	return h
}

// flightKey identifies a shared subgraph fetch: the body and every per-request
// header sent with it, so that requests with different credentials never share
// an answer.
func flightKey(body []byte, extra http.Header) string {
	if len(extra) == 0 {
		return string(body)
	}
	var b strings.Builder
	b.Grow(len(body) + 64)
	b.Write(body)
	b.WriteByte(0) // a JSON body holds no NUL byte: the headers cannot pose as body
	headers.AppendKey(&b, extra)
	return b.String()
}
