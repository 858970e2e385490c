package execute

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/shopgraph/shopgraph/gateway/plan"
)

// subgraphClient sends fetches to one subgraph over a pooled keep-alive client.
type subgraphClient struct {
	name    string
	url     string
	hc      *http.Client
	timeout time.Duration
	maxBody int64
	header  http.Header // sent with every request; read only
	flight  *inflight
	// tel receives each request's span, latency and outcome.
	tel *fetchTelemetry
	// retry applies to queries only (see retryPolicy); breaker, when set,
	// sheds fetches while the subgraph keeps failing.
	retry   retryPolicy
	breaker *breaker
}

// requestHeader is the header of every request to a subgraph: the content type,
// what the router accepts, and the configured extra headers.
func requestHeader(extra http.Header) http.Header {
	h := http.Header{
		"Content-Type": {"application/json"},
		"Accept":       {"application/graphql-response+json, application/json"},
	}
	for k, vs := range extra {
		h[http.CanonicalHeaderKey(k)] = vs
	}
	return h
}

// fetchError is a failed subgraph request, reported once as a GraphQL error.
type fetchError struct {
	code string
	err  error
}

func (e *fetchError) Error() string { return e.err.Error() }

// Unwrap lets retries tell a refused connection from a timeout.
func (e *fetchError) Unwrap() error { return e.err }

func newTransport() *http.Transport {
	return &http.Transport{
		Proxy: nil,
		DialContext: (&net.Dialer{
			Timeout:   5 * time.Second,
			KeepAlive: 30 * time.Second,
		}).DialContext,
		MaxIdleConns:        512,
		MaxIdleConnsPerHost: 128,
		IdleConnTimeout:     90 * time.Second,
	}
}

// do posts body, the request of fetch f, and returns the parsed response JSON.
// Identical concurrent requests share one HTTP call unless dedupe is off or the
// fetch is a mutation. The call passes the subgraph's circuit breaker, and a
// query's is retried on connection errors and 502/503/504 (never a mutation's).
// f.SizeHint, when positive, is the expected answer size.
func (c *subgraphClient) do(ctx context.Context, a *arena, f *plan.Fetch, body []byte, dedupe bool) (*Value, error) {
	retry := c.retry
	if f.Mutation {
		retry = retryPolicy{}
	}
	// A shared call runs on a context without the caller's deadline; the
	// retries still must not sleep past it.
	deadline, _ := ctx.Deadline()
	call := func(ctx context.Context) ([]byte, int, error) {
		return c.breaker.run(ctx, func(ctx context.Context) ([]byte, int, error) {
			return retry.run(ctx, deadline, func(ctx context.Context) ([]byte, int, error) {
				return c.post(ctx, body, &f.SizeHint)
			})
		})
	}
	var raw []byte
	var status int
	var err error
	// The key holds every per-request header sent, so that callers with other
	// credentials never share an answer; a fetch whose response headers go to
	// the client is that client's alone.
	if dedupe && c.flight != nil && responseCollector(ctx, c.name) == nil {
		raw, status, err = c.flight.do(ctx, flightKey(body, subgraphHeaders(ctx, c.name)), call)
	} else {
		raw, status, err = call(ctx)
	}
	if err != nil {
		return nil, err
	}
	if err := chargeBytes(ctx, len(raw)); err != nil {
		return nil, err
	}
	return parseResponse(a, raw, status)
}

// post sends body and reads the answer, bounded by the subgraph timeout and size.
func (c *subgraphClient) post(ctx context.Context, body []byte, sizeHint *atomic.Int64) (raw []byte, status int, err error) {
	ctx, obs := c.tel.startFetch(ctx, c.name, c.url)
	defer func() { obs.end(status, err) }()
	if c.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.timeout)
		defer cancel()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(body))
	if err != nil {
		return nil, 0, &fetchError{CodeSubrequestHTTP, err}
	}
	// One header map for every request without per-request headers: neither
	// the client nor the transport writes to a request's headers.
	req.Header = obs.header(ctx, withRequestHeaders(c.header, subgraphHeaders(ctx, c.name)))
	resp, err := c.hc.Do(req)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return nil, 0, &fetchError{CodeSubrequestHTTP, fmt.Errorf("timed out after %s", c.timeout)}
		}
		return nil, 0, &fetchError{CodeSubrequestHTTP, err}
	}
	defer resp.Body.Close()
	if rc := responseCollector(ctx, c.name); rc != nil {
		rc.Collect(c.name, resp.Header)
	}
	hint := 0
	if sizeHint != nil {
		hint = int(sizeHint.Load())
	}
	raw, err = readBody(resp, c.maxBody+1, hint)
	if sizeHint != nil && err == nil {
		sizeHint.Store(int64(len(raw)))
	}
	if err != nil {
		return nil, 0, &fetchError{CodeSubrequestHTTP, fmt.Errorf("read response: %w", err)}
	}
	if int64(len(raw)) > c.maxBody {
		return nil, 0, &fetchError{CodeSubrequestMalformed, fmt.Errorf("response larger than %d bytes", c.maxBody)}
	}
	return raw, resp.StatusCode, nil
}

// readBody reads at most limit bytes, into one buffer of the announced size when
// the subgraph sends Content-Length, else into one a little larger than hint
// (the size of the last answer to the same fetch). An answer that outgrows its
// buffer (there is no hint before a fetch's first answer) goes on in pooled
// blocks and is copied once into a buffer of its exact size: growing one buffer
// instead would allocate about five times the answer (append grows large slices
// by a quarter), garbage that sits in the heap until the next collection.
func readBody(resp *http.Response, limit int64, hint int) ([]byte, error) {
	if n := resp.ContentLength; n > 0 && n < limit {
		buf := make([]byte, n)
		_, err := io.ReadFull(resp.Body, buf)
		return buf, err
	}
	size := min(int64(hint)+int64(hint)/8+512, limit)
	buf := make([]byte, size)
	r := io.LimitReader(resp.Body, limit)
	n, err := io.ReadFull(r, buf)
	switch {
	case err == io.EOF || err == io.ErrUnexpectedEOF:
		return buf[:n], nil
	case err != nil:
		return buf[:n], err
	}
	return readRest(r, buf)
}

// readBlock is the size of the pooled blocks a long answer is read into.
const readBlock = 64 << 10

// readBlocks recycles the blocks of readRest; package-level like decoders, as
// the blocks are scratch space of any executor.
var readBlocks = sync.Pool{New: func() any { b := make([]byte, readBlock); return &b }}

// readRest reads the rest of r after the full buffer first into pooled blocks,
// then joins first and the blocks into one buffer of the exact size.
func readRest(r io.Reader, first []byte) ([]byte, error) {
	var blocks []*[]byte
	defer func() {
		for _, b := range blocks {
			readBlocks.Put(b)
		}
	}()
	total, last := len(first), 0
	var err error
	for err == nil {
		b := readBlocks.Get().(*[]byte)
		blocks = append(blocks, b)
		last, err = io.ReadFull(r, *b)
		total += last
	}
	if err != io.EOF && err != io.ErrUnexpectedEOF {
		return nil, err
	}
	out := make([]byte, 0, total)
	out = append(out, first...)
	for i, b := range blocks {
		if i == len(blocks)-1 {
			out = append(out, (*b)[:last]...)
		} else {
			out = append(out, *b...)
		}
	}
	return out, nil
}

// parseResponse checks and parses a subgraph's answer. raw must not be modified
// afterwards: the Values share its memory.
func parseResponse(a *arena, raw []byte, status int) (*Value, error) {
	d := newDecoder(a)
	defer d.release()
	j, perr := d.parse(raw)
	if status/100 != 2 && (perr != nil || j.Kind != Object || (j.Get("data") == nil && j.Get("errors") == nil)) {
		return nil, &fetchError{CodeSubrequestHTTP, fmt.Errorf("HTTP %d: %s", status, snippet(raw))}
	}
	if perr != nil {
		return nil, &fetchError{CodeSubrequestMalformed, fmt.Errorf("invalid JSON response: %s", snippet(raw))}
	}
	if j.Kind != Object || (j.Get("data") == nil && j.Get("errors") == nil) {
		return nil, &fetchError{CodeSubrequestMalformed, fmt.Errorf("response has neither data nor errors: %s", snippet(raw))}
	}
	return j, nil
}

func snippet(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 200 {
		s = s[:200] + "..."
	}
	if s == "" {
		s = "(empty body)"
	}
	return s
}
