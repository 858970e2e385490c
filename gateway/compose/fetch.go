package compose

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// serviceQuery is the query routers send for a subgraph's SDL.
const serviceQuery = `{"query":"query __ApolloGetServiceDefinition__ { _service { sdl } }"}`

// HTTPFetcher returns an SDLFetcher that asks subgraphs for `_service { sdl }` with client.
func HTTPFetcher(client *http.Client) SDLFetcher {
	if client == nil {
		client = http.DefaultClient
	}
	return func(ctx context.Context, url string, headers map[string]string) (string, error) {
		return FetchSDL(ctx, client, url, headers)
	}
}

// FetchSDL asks the subgraph at url for its SDL with `_service { sdl }`.
func FetchSDL(ctx context.Context, client *http.Client, url string, headers map[string]string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(serviceQuery))
	if err != nil {
		return "", fmt.Errorf("fetch SDL from %s: %w", url, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := client.Do(req)
	if err != nil {
		return "", fmt.Errorf("fetch SDL from %s: %w", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return "", fmt.Errorf("fetch SDL from %s: %w", url, err)
	}
	var out struct {
		Data *struct {
			Service *struct {
				SDL string `json:"sdl"`
			} `json:"_service"`
		} `json:"data"`
		Errors []struct {
			Message string `json:"message"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(body, &out); err != nil {
		return "", fmt.Errorf("fetch SDL from %s: HTTP %d, not a GraphQL response: %.200s", url, resp.StatusCode, body)
	}
	if len(out.Errors) > 0 {
		return "", fmt.Errorf("fetch SDL from %s: _service query failed: %s", url, out.Errors[0].Message)
	}
	if out.Data == nil || out.Data.Service == nil || out.Data.Service.SDL == "" {
		return "", fmt.Errorf("fetch SDL from %s: %w", url, errors.New("_service { sdl } returned no SDL"))
	}
	return out.Data.Service.SDL, nil
}
