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
	"time"

	"github.com/valyala/fastjson"
)

// subgraphClient sends fetches to one subgraph over a pooled keep-alive client.
type subgraphClient struct {
	name    string
	url     string
	hc      *http.Client
	timeout time.Duration
	maxBody int64
	headers http.Header
}

// fetchError is a failed subgraph request, reported once as a GraphQL error.
type fetchError struct {
	code string
	err  error
}

func (e *fetchError) Error() string { return e.err.Error() }

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

// do posts body and returns the parsed response JSON.
func (c *subgraphClient) do(ctx context.Context, body []byte) (*Value, error) {
	if c.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.timeout)
		defer cancel()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(body))
	if err != nil {
		return nil, &fetchError{CodeSubrequestHTTP, err}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/graphql-response+json, application/json")
	for k, vs := range c.headers {
		req.Header[k] = vs
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return nil, &fetchError{CodeSubrequestHTTP, fmt.Errorf("timed out after %s", c.timeout)}
		}
		return nil, &fetchError{CodeSubrequestHTTP, err}
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, c.maxBody+1))
	if err != nil {
		return nil, &fetchError{CodeSubrequestHTTP, fmt.Errorf("read response: %w", err)}
	}
	if int64(len(raw)) > c.maxBody {
		return nil, &fetchError{CodeSubrequestMalformed, fmt.Errorf("response larger than %d bytes", c.maxBody)}
	}
	var p fastjson.Parser
	j, perr := p.ParseBytes(raw)
	if resp.StatusCode/100 != 2 && (perr != nil || j.Type() != fastjson.TypeObject || (j.Get("data") == nil && j.Get("errors") == nil)) {
		return nil, &fetchError{CodeSubrequestHTTP, fmt.Errorf("HTTP %d: %s", resp.StatusCode, snippet(raw))}
	}
	if perr != nil {
		return nil, &fetchError{CodeSubrequestMalformed, fmt.Errorf("invalid JSON response: %s", snippet(raw))}
	}
	if j.Type() != fastjson.TypeObject || (j.Get("data") == nil && j.Get("errors") == nil) {
		return nil, &fetchError{CodeSubrequestMalformed, fmt.Errorf("response has neither data nor errors: %s", snippet(raw))}
	}
	return fromFastJSON(j), nil
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
