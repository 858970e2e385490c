package server

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/shopgraph/shopgraph/gateway/compose"
)

// WatchFile reloads the supergraph in path whenever its content changes, polling every
// interval (default 1 s) until ctx ends. Polling, rather than file-system events,
// also sees files replaced by rename, on every platform. A file that cannot be read or
// does not load is refused with a logged error and the served supergraph stays; the
// same content is not tried again until it changes. The swap is atomic: requests in
// flight finish on the supergraph they started with.
func (s *Server) WatchFile(ctx context.Context, path string, interval time.Duration) error {
	if interval <= 0 {
		interval = time.Second
	}
	var last []byte
	if g := s.Graph(); g != nil {
		last = []byte(g.SDL())
	}
	var lastMod time.Time
	var lastSize int64 = -1
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for {
		if fi, err := os.Stat(path); err != nil {
			s.log.Error("supergraph file unreadable; keeping the served supergraph", "path", path, "err", err)
		} else if !fi.ModTime().Equal(lastMod) || fi.Size() != lastSize {
			sdl, err := os.ReadFile(path)
			switch {
			case err != nil:
				s.log.Error("supergraph file unreadable; keeping the served supergraph", "path", path, "err", err)
			case bytes.Equal(sdl, last):
				lastMod, lastSize = fi.ModTime(), fi.Size()
			default:
				lastMod, lastSize, last = fi.ModTime(), fi.Size(), sdl
				if err := s.LoadSupergraph(string(sdl)); err != nil {
					s.log.Error("supergraph refused; keeping the served supergraph", "path", path, "err", err)
				} else {
					s.log.Info("supergraph reloaded", "path", path)
				}
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-ticker.C:
		}
	}
}

// ComposeConfig resolves the subgraph SDLs of a supergraph config (files, or
// `_service { sdl }` of running subgraphs through client) and composes them.
func ComposeConfig(ctx context.Context, cfg *compose.Config, client *http.Client) (string, error) {
	sgs, err := cfg.Resolve(ctx, compose.HTTPFetcher(client))
	if err != nil {
		return "", err
	}
	sdl, err := compose.Compose(sgs)
	if err != nil {
		return "", fmt.Errorf("compose: %w", err)
	}
	return sdl, nil
}

// WatchConfig re-composes the subgraphs of cfg every interval (default 10 s) until ctx
// ends and serves the result when it differs from the served supergraph. When no
// supergraph is served yet it composes at once and retries with back-off until one
// composes. A composition that fails is logged and the served supergraph stays.
func (s *Server) WatchConfig(ctx context.Context, cfg *compose.Config, interval time.Duration) error {
	if interval <= 0 {
		interval = 10 * time.Second
	}
	delay := s.cfg.RetryMin
	for attempt := 1; !s.Ready(); attempt++ {
		sdl, err := ComposeConfig(ctx, cfg, s.client)
		if err == nil {
			err = s.LoadSupergraph(sdl)
		}
		if err == nil {
			break
		}
		s.log.Warn("supergraph not ready, retrying", "attempt", attempt, "retry_in", delay, "err", err)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(delay):
		}
		delay = min(delay*2, s.cfg.RetryMax)
	}
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	var lastFailed string
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-ticker.C:
		}
		sdl, err := ComposeConfig(ctx, cfg, s.client)
		if err != nil {
			if msg := err.Error(); msg != lastFailed {
				s.log.Error("re-composition failed; keeping the served supergraph", "err", err)
				lastFailed = msg
			}
			continue
		}
		lastFailed = ""
		if g := s.Graph(); g != nil && g.SDL() == sdl {
			continue
		}
		if err := s.LoadSupergraph(sdl); err != nil {
			s.log.Error("re-composed supergraph refused; keeping the served supergraph", "err", err)
			continue
		}
		s.log.Info("supergraph re-composed: a subgraph's schema changed")
	}
}
