package main

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/shopgraph/shopgraph/internal/config"
)

// probe checks a health URL and fails unless it answers 200. Container images have
// no curl; docker-compose health checks run `shopgraph probe URL`.
func probe(ctx context.Context, args []string) error {
	if len(args) != 1 {
		return fmt.Errorf("probe: want one URL, such as http://127.0.0.1:4001/readyz: %w", errUsage)
	}
	if err := config.CheckURL(args[0], "http", "https"); err != nil {
		return fmt.Errorf("probe %q: %w", args[0], err)
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, args[0], nil)
	if err != nil {
		return fmt.Errorf("probe: %w", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("probe: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("probe %s: status %s", args[0], resp.Status)
	}
	return nil
}
