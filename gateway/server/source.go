package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"sort"
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

// NewFromConfig returns a router whose supergraph is composed from a supergraph config
// by RunConfig. It serves none until the first composition succeeds: /readyz answers
// 503 and /graphql 503 with a GraphQL error, so that a router started before its
// subgraphs waits for them instead of failing. cfg.SupergraphSDL must be empty; the
// config's routing URLs become cfg.Subgraphs.
func NewFromConfig(cfg Config, sc *compose.Config, logger *slog.Logger, opts ...Option) (*Server, error) {
	if sc == nil {
		return nil, errors.New("config: no supergraph config")
	}
	if cfg.SupergraphSDL != "" {
		return nil, errors.New("config: SupergraphSDL is set; the supergraph config is the source")
	}
	names := make([]string, 0, len(sc.Subgraphs))
	for name := range sc.Subgraphs {
		names = append(names, name)
	}
	sort.Strings(names)
	cfg.Subgraphs = nil
	for _, name := range names {
		cfg.Subgraphs = append(cfg.Subgraphs, Subgraph{Name: name, URL: sc.Subgraphs[name].RoutingURL})
	}
	return New(cfg, logger, opts...)
}

// RunConfig serves the supergraph of sc until ctx ends: it composes at once, retrying
// with back-off until every subgraph answers and the composition succeeds, then
// re-composes every interval (see WatchConfig). Use it instead of Run for a server
// made by NewFromConfig; like Run, it releases the executor's connections at the end.
func (s *Server) RunConfig(ctx context.Context, sc *compose.Config, interval time.Duration) error {
	err := s.WatchConfig(ctx, sc, interval)
	s.Drain()
	if st := s.state.Load(); st != nil {
		st.exec.Close()
	}
	return err
}

// WatchConfig re-composes the subgraphs of cfg every interval (default 10 s) until ctx
// ends and serves the result when it differs from the served supergraph. When no
// supergraph is served yet it composes at once and retries with back-off until one
// composes. A composition that fails is logged and the served supergraph stays.
func (s *Server) WatchConfig(ctx context.Context, cfg *compose.Config, interval time.Duration) error {
	if interval <= 0 {
		interval = 10 * time.Second
	}
	composeConfig := func(ctx context.Context) (string, error) { return ComposeConfig(ctx, cfg, s.client) }
	if !s.loadUntilReady(ctx, composeConfig) {
		return nil
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
