// Package server serves the federation router over HTTP: GraphQL over HTTP with
// batching, CORS and CSRF prevention, the playground, persisted operations, JWT
// verification and header propagation, operation limits, plan caching and
// in-flight de-duplication, readiness and metrics.
//
// A request goes through these steps (http.go): CORS (cors.go), content
// negotiation, method and content type, CSRF (csrf.go), authentication and
// header rules (auth.go), decoding (request.go; batches in batch.go), persisted
// query resolution (gateway/persisted), planning with the limits checked before
// it (gateway/limits through gateway/plan), and execution within the request
// timeout and the per-request caps (dedupe.go, gateway/execute).
//
// API:
//
//	func New(cfg Config, logger *slog.Logger, opts ...Option) (*Server, error)
//	func NewFromConfig(cfg Config, sc *compose.Config, logger *slog.Logger, opts ...Option) (*Server, error)
//	func (s *Server) Run(ctx context.Context) error  // composes (retrying) then waits for ctx
//	func (s *Server) Handler() http.Handler          // /graphql, /playground, /healthz, /readyz, /metrics
//	func (s *Server) Ready() bool
//	func (s *Server) LoadSupergraph(sdl string) error // swaps the served supergraph atomically
//	func (s *Server) Graph() *supergraph.Graph       // nil until loaded
//	func (s *Server) Drain()                         // ends subscription streams (Run calls it when ctx ends)
//	func (s *Server) Close() error
//
// Until the supergraph is loaded /graphql answers 503 with a GraphQL error.
package server

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/shopgraph/shopgraph/gateway/authz"
	"github.com/shopgraph/shopgraph/gateway/compose"
	"github.com/shopgraph/shopgraph/gateway/execute"
	"github.com/shopgraph/shopgraph/gateway/internal/flight"
	"github.com/shopgraph/shopgraph/gateway/persisted"
	"github.com/shopgraph/shopgraph/gateway/plan"
	"github.com/shopgraph/shopgraph/gateway/supergraph"
)

// Server is the router. The supergraph, planner and executor it serves are held
// together behind an atomic pointer so that a reload swaps them between requests.
type Server struct {
	cfg    Config
	log    *slog.Logger
	state  atomic.Pointer[state]
	client *http.Client
	memory *memoryReleaser
	tel    *routerTelemetry
	edge   *edge // header rules and token verification (auth.go)
	// persisted resolves APQ hashes and trusted documents (persisted.go).
	persisted *persisted.Store
	// subscriptions counts the subscriptions served, connections the
	// WebSockets open (subscribe.go).
	subscriptions *subscriptionSlots
	connections   *subscriptionSlots
	// drain ends the streams when the router shuts down (subscribe_end.go).
	drain *drainer
	// subscriptionURLs are Subscriptions.Subgraphs' URLs by subgraph name.
	subscriptionURLs map[string]string
}

type state struct {
	graph   *supergraph.Graph
	planner *plan.Planner
	exec    *execute.Executor
	// queries shares identical in-flight client queries; nil when de-duplication is off.
	queries *flight.Group[runKey, []byte]
	// authz filters operations by the authorization directives; nil when the
	// supergraph has none.
	authz *authz.Filter
}

// New validates cfg and, when it carries a supergraph SDL, loads it.
func New(cfg Config, logger *slog.Logger, opts ...Option) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if logger == nil {
		logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	s := &Server{cfg: cfg.withDefaults(), log: logger, memory: newMemoryReleaser(), drain: newDrainer()}
	s.client = &http.Client{Timeout: s.cfg.SubgraphTimeout}
	s.subscriptions = newSubscriptionSlots(s.cfg.Subscriptions.MaxSubscriptions)
	s.connections = newSubscriptionSlots(s.cfg.Subscriptions.MaxConnections)
	s.subscriptionURLs = s.cfg.Subscriptions.urls()
	var err error
	if s.tel, err = newRouterTelemetry(s, opts); err != nil {
		return nil, err
	}
	if s.edge, err = newEdge(s.cfg, logger); err != nil {
		return nil, err
	}
	if s.persisted, err = persisted.New(context.Background(), s.cfg.Persisted, logger); err != nil {
		return nil, fmt.Errorf("config: persisted: %w", err)
	}
	if cfg.SupergraphSDL != "" {
		if err := s.LoadSupergraph(cfg.SupergraphSDL); err != nil {
			_ = s.persisted.Close()
			return nil, err
		}
	}
	return s, nil
}

// Close releases what the server holds beyond its requests: the persisted
// query store's connections and the subgraph clients' idle connections.
func (s *Server) Close() error {
	s.Drain()
	if st := s.state.Load(); st != nil {
		st.exec.Close()
	}
	return s.persisted.Close()
}

// LoadSupergraph loads sdl and makes it the served supergraph.
func (s *Server) LoadSupergraph(sdl string) error {
	g, err := supergraph.LoadWith(sdl, supergraph.Options{ComposedDirectivesInAPI: s.cfg.ComposedDirectivesInAPI})
	if err != nil {
		return err
	}
	st := &state{
		graph:   g,
		planner: plan.New(g, plan.Options{CacheSize: s.cfg.PlanCacheSize, SplitDepth: s.cfg.SplitDepth, OverrideLabels: s.cfg.OverrideLabels, Limits: s.cfg.Limits, NoIntrospection: !on(s.cfg.Introspection)}),
		authz:   authz.New(g, s.cfg.Authorization, s.cfg.PlanCacheSize, max(s.cfg.Limits.MaxTokens, 0)),
	}
	lim := s.cfg.Limits // defaults filled by New
	ex := execute.New(g, execute.Options{
		SubgraphTimeout: s.cfg.SubgraphTimeout,
		Dedupe:          s.cfg.Dedupe,
		MaxRequestBytes: lim.MaxSubgraphBytes,
		MaxEntities:     lim.MaxEntities,
		MaxOutputBytes:  lim.MaxResponseBytes,
		SubgraphRetries: s.cfg.SubgraphRetries,
		BreakerFailures: s.cfg.BreakerFailures,
		BreakerCooldown: s.cfg.BreakerCooldown,
		Logger:          s.log,

		Observer:             s.tel.metrics,
		Tracer:               s.tel.tracer,
		OnBreakerStateChange: s.tel.metrics.BreakerStateChanged,
	})
	st.exec = ex
	if on(s.cfg.Dedupe) {
		st.queries = &flight.Group[runKey, []byte]{}
	}
	s.tel.graphLoaded(g)
	if old := s.state.Swap(st); old != nil {
		// In-flight requests hold their own pointer; idle connections can go.
		old.exec.Close()
	}
	names := make([]string, 0, len(g.Subgraphs()))
	for _, sg := range g.Subgraphs() {
		names = append(names, sg.Name)
	}
	s.log.Info("supergraph loaded", "subgraphs", names)
	return nil
}

// Ready reports whether a supergraph is loaded.
func (s *Server) Ready() bool { return s.state.Load() != nil }

// Graph returns the served supergraph or nil.
func (s *Server) Graph() *supergraph.Graph {
	if st := s.state.Load(); st != nil {
		return st.graph
	}
	return nil
}

// Run composes the supergraph from the configured subgraphs, retrying with back-off
// until every subgraph answers and composition succeeds, then waits for ctx. With a
// supergraph SDL in the config it only waits.
func (s *Server) Run(ctx context.Context) error {
	defer s.Drain()
	if !s.loadUntilReady(ctx, s.compose) {
		return nil
	}
	<-ctx.Done()
	s.Drain() // before the executor closes: streams end with their reason
	if st := s.state.Load(); st != nil {
		st.exec.Close()
	}
	return nil
}

// loadUntilReady serves the supergraph that produce makes, retrying with back-off
// until one loads or ctx ends; it reports whether a supergraph is served. With one
// served already it returns at once.
func (s *Server) loadUntilReady(ctx context.Context, produce func(context.Context) (string, error)) bool {
	delay := s.cfg.RetryMin
	for attempt := 1; !s.Ready(); attempt++ {
		sdl, err := produce(ctx)
		if err == nil {
			err = s.LoadSupergraph(sdl)
		}
		if err == nil {
			break
		}
		s.log.Warn("supergraph not ready, retrying", "attempt", attempt, "retry_in", delay, "err", err)
		select {
		case <-ctx.Done():
			return false
		case <-time.After(delay):
		}
		delay = min(delay*2, s.cfg.RetryMax)
	}
	return true
}

// compose fetches every subgraph's SDL concurrently and composes them.
func (s *Server) compose(ctx context.Context) (string, error) {
	inputs := make([]compose.Subgraph, len(s.cfg.Subgraphs))
	g, gctx := errgroup.WithContext(ctx)
	for i, sg := range s.cfg.Subgraphs {
		g.Go(func() error {
			sdl, err := compose.FetchSDL(gctx, s.client, sg.URL, nil)
			if err != nil {
				return fmt.Errorf("subgraph %q: %w", sg.Name, err)
			}
			inputs[i] = compose.Subgraph{Name: sg.Name, URL: sg.URL, SDL: sdl}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return "", err
	}
	return compose.Compose(inputs)
}
