package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/shopgraph/shopgraph/gateway/compose"
	"github.com/shopgraph/shopgraph/gateway/plan"
	"github.com/shopgraph/shopgraph/gateway/server"
	"github.com/shopgraph/shopgraph/internal/config"
	"github.com/shopgraph/shopgraph/internal/pg"
)

func serve(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("serve: name a component: catalog, orders, users or router: %w", errUsage)
	}
	component, rest := args[0], args[1:]
	if component == "router" {
		return serveRouter(ctx, rest, getenv, stderr)
	}
	if _, err := subgraphParts(component); err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	return serveSubgraph(ctx, component, rest, getenv, stderr)
}

// subgraphSettings configure `serve catalog|orders|users`.
type subgraphSettings struct {
	listen          string
	databaseURL     string
	migrate         bool
	shutdownTimeout time.Duration
	log             logSettings
}

// newSubgraphSettings registers the settings of `serve NAME` into st.
func newSubgraphSettings(name string, getenv func(string) string, st *subgraphSettings) (*config.Set, error) {
	defaultDB, err := databaseURLFor(getenv, name)
	if err != nil {
		return nil, err
	}
	p := envPrefix(name)
	s := config.New("serve "+name, getenv)
	s.Addr(&st.listen, "listen", p+"LISTEN", ":"+defaultPort(name), "HOST:PORT to serve GraphQL on")
	s.URL(&st.databaseURL, "database-url", p+"DATABASE_URL", defaultDB, "the subgraph's own PostgreSQL database", "postgres", "postgresql")
	s.Bool(&st.migrate, "migrate", p+"MIGRATE", true, "create the database when missing and apply migrations at start-up")
	s.Duration(&st.shutdownTimeout, "shutdown-timeout", "SHUTDOWN_TIMEOUT", 10*time.Second, "how long in-flight requests may finish on shutdown")
	st.log.register(s)
	return s, nil
}

// parseOrHelp parses settings and refuses positional arguments; --help prints the
// settings with their environment variables.
func parseOrHelp(s *config.Set, args []string, stderr io.Writer) error {
	rest, err := parseWithHelp(s, args, stderr, "")
	if err == nil && len(rest) > 0 {
		return fmt.Errorf("%s: unexpected arguments %q", s.FlagSet().Name(), rest)
	}
	return err
}

// parseWithHelp parses settings and returns the positional arguments (described by
// operands in the help text); --help prints the settings and returns errHelp.
func parseWithHelp(s *config.Set, args []string, stderr io.Writer, operands string) ([]string, error) {
	for _, a := range args {
		if a == "-h" || a == "--help" || a == "-help" {
			fmt.Fprintf(stderr, "shopgraph %s%s settings (flag, environment variable, default):\n", s.FlagSet().Name(), operands)
			s.Usage(stderr)
			return nil, errHelp
		}
	}
	return s.Parse(args)
}

// errHelp ends a command after it printed its help.
var errHelp = errors.New("help shown")

func serveSubgraph(ctx context.Context, name string, args []string, getenv func(string) string, stderr io.Writer) error {
	var st subgraphSettings
	s, err := newSubgraphSettings(name, getenv, &st)
	if err != nil {
		return err
	}
	err = parseOrHelp(s, args, stderr)
	if errors.Is(err, errHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	logger := st.log.logger(stderr, name)
	parts, err := subgraphParts(name)
	if err != nil {
		return err
	}

	if st.migrate {
		if err := pg.EnsureDatabaseOf(ctx, st.databaseURL); err != nil {
			return fmt.Errorf("serve %s: %w", name, err)
		}
	}
	pool, err := pg.Open(ctx, st.databaseURL)
	if err != nil {
		return fmt.Errorf("serve %s: %w", name, err)
	}
	defer pool.Close()
	if st.migrate {
		if err := pg.Migrate(ctx, pool, parts.Migrations); err != nil {
			return fmt.Errorf("serve %s: %w", name, err)
		}
	}

	mux := http.NewServeMux()
	mux.Handle("/graphql", parts.Handler(pool, logger))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { writeStatus(w, http.StatusOK, "ok") })
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		pingCtx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := pool.Ping(pingCtx); err != nil {
			logger.Warn("not ready: database unreachable", "err", err)
			writeStatus(w, http.StatusServiceUnavailable, "database unreachable")
			return
		}
		writeStatus(w, http.StatusOK, "ready")
	})
	logger.Info("database ready", "database", pg.Redact(st.databaseURL))
	return listenAndServe(ctx, st.listen, mux, st.shutdownTimeout, logger)
}

// routerSettings configure `serve router`.
type routerSettings struct {
	listen          string
	subgraphs       []server.Subgraph
	supergraphFile  string
	configFile      string
	pollInterval    time.Duration
	recompose       time.Duration
	requestTimeout  time.Duration
	subgraphTimeout time.Duration
	maxBodyBytes    int64
	shutdownTimeout time.Duration
	dedupe          bool
	splitDepth      int64
	overrideLabels  []string
	gcPercent       int64
	log             logSettings
}

// newRouterSettings registers the settings of `serve router` into st.
func newRouterSettings(getenv func(string) string, st *routerSettings) *config.Set {
	s := config.New("serve router", getenv)
	s.Addr(&st.listen, "listen", "ROUTER_LISTEN", ":"+defaultPort("router"), "HOST:PORT to serve the supergraph on")
	s.Func("subgraphs", "ROUTER_SUBGRAPHS", defaultSubgraphList(),
		"NAME=URL pairs, comma-separated: the subgraphs whose _service { sdl } the router composes",
		func(v string) error {
			list, err := parseSubgraphList(v)
			st.subgraphs = list
			return err
		})
	s.String(&st.supergraphFile, "supergraph", "ROUTER_SUPERGRAPH", "", "a supergraph SDL file to serve (and reload when it changes) instead of composing the subgraphs")
	s.String(&st.configFile, "config", "ROUTER_CONFIG", "", "a supergraph config (rover's supergraph.yaml format) to compose at start (retrying with back-off until its subgraphs answer; not ready meanwhile) and re-compose when a subgraph's SDL changes")
	s.Duration(&st.pollInterval, "poll-interval", "ROUTER_POLL_INTERVAL", time.Second, "how often to check the --supergraph file for changes")
	s.Duration(&st.recompose, "recompose-interval", "ROUTER_RECOMPOSE_INTERVAL", 10*time.Second, "how often to re-compose --config, fetching subgraph SDLs again")
	s.Duration(&st.requestTimeout, "request-timeout", "ROUTER_REQUEST_TIMEOUT", 30*time.Second, "the longest one client request may take")
	s.Duration(&st.subgraphTimeout, "subgraph-timeout", "ROUTER_SUBGRAPH_TIMEOUT", 10*time.Second, "the longest one subgraph fetch may take")
	s.Int(&st.maxBodyBytes, "max-body-bytes", "ROUTER_MAX_BODY_BYTES", 2<<20, 1024, 1<<30, "the largest request body accepted")
	s.Duration(&st.shutdownTimeout, "shutdown-timeout", "SHUTDOWN_TIMEOUT", 10*time.Second, "how long in-flight requests may finish on shutdown")
	s.Bool(&st.dedupe, "dedupe", "ROUTER_DEDUPE", true, "share identical in-flight client queries and subgraph fetches (false measures the engine itself)")
	s.Int(&st.splitDepth, "split-depth", "ROUTER_SPLIT_DEPTH", plan.DefaultSplitDepth, 0, 16,
		"split a subgraph fetch that nests lists this deep at a repeated entity reference, so that the subgraph resolves each distinct entity once (0 never splits)")
	s.Func("override-labels", "ROUTER_OVERRIDE_LABELS", "",
		"progressive @override labels that are on, comma-separated",
		func(v string) error {
			st.overrideLabels = splitList(v)
			return nil
		})
	s.Int(&st.gcPercent, "gc-percent", "ROUTER_GC_PERCENT", defaultRouterGCPercent(getenv), -1, 10000,
		"the Go collector's GOGC for the router: higher trades memory for CPU (-1 turns collection off)")
	st.log.register(s)
	return s
}

// splitList splits a comma-separated list, dropping blanks.
func splitList(v string) []string {
	var out []string
	for _, item := range strings.Split(v, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

// parseSubgraphList reads "catalog=http://host:4001/graphql,orders=...".
func parseSubgraphList(v string) ([]server.Subgraph, error) {
	var list []server.Subgraph
	seen := map[string]bool{}
	for _, item := range strings.Split(v, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		name, url, ok := strings.Cut(item, "=")
		name, url = strings.TrimSpace(name), strings.TrimSpace(url)
		if !ok || name == "" || url == "" {
			return nil, fmt.Errorf("entry %q: want NAME=URL", item)
		}
		if seen[name] {
			return nil, fmt.Errorf("subgraph %q listed twice", name)
		}
		seen[name] = true
		if err := config.CheckURL(url, "http", "https"); err != nil {
			return nil, fmt.Errorf("subgraph %q: %w", name, err)
		}
		list = append(list, server.Subgraph{Name: name, URL: url})
	}
	if len(list) == 0 {
		return nil, errors.New("no subgraphs listed")
	}
	return list, nil
}

func serveRouter(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) error {
	var st routerSettings
	err := parseOrHelp(newRouterSettings(getenv, &st), args, stderr)
	if errors.Is(err, errHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	logger := st.log.logger(stderr, "router")
	// The router allocates short-lived response trees at a high rate; collecting
	// less often buys throughput for a bounded amount of memory (bench/gateways-log.md).
	debug.SetGCPercent(int(st.gcPercent))
	cfg := server.Config{
		Subgraphs:       st.subgraphs,
		RequestTimeout:  st.requestTimeout,
		SubgraphTimeout: st.subgraphTimeout,
		MaxBodyBytes:    st.maxBodyBytes,
		DisableDedupe:   !st.dedupe,
		SplitDepth:      int(st.splitDepth),
		OverrideLabels:  st.overrideLabels,
	}
	if st.splitDepth == 0 {
		cfg.SplitDepth = -1
	}
	if st.supergraphFile != "" && st.configFile != "" {
		return fmt.Errorf("serve router: set --supergraph or --config, not both: %w", errUsage)
	}
	var supergraphConfig *compose.Config
	switch {
	case st.supergraphFile != "":
		sdl, err := os.ReadFile(st.supergraphFile)
		if err != nil {
			return fmt.Errorf("serve router: --supergraph: %w", err)
		}
		cfg.SupergraphSDL = string(sdl)
		cfg.Subgraphs = nil
	case st.configFile != "":
		c, err := compose.LoadConfig(st.configFile)
		if err != nil {
			return fmt.Errorf("serve router: --config: %w", err)
		}
		supergraphConfig = c
	}
	var srv *server.Server
	if supergraphConfig != nil {
		// Subgraphs serving their SDL may start after the router: it composes in the
		// background, retrying with back-off, and is not ready until that succeeds.
		srv, err = server.NewFromConfig(cfg, supergraphConfig, logger)
	} else {
		srv, err = server.New(cfg, logger)
	}
	if err != nil {
		return fmt.Errorf("serve router: %w", err)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	runErr := make(chan error, 1)
	switch {
	case supergraphConfig != nil:
		go func() { runErr <- srv.RunConfig(ctx, supergraphConfig, st.recompose) }()
	case st.supergraphFile != "":
		go func() { runErr <- srv.Run(ctx) }()
		go func() { _ = srv.WatchFile(ctx, st.supergraphFile, st.pollInterval) }()
	default:
		go func() { runErr <- srv.Run(ctx) }()
	}
	serveErr := listenAndServe(ctx, st.listen, srv.Handler(), st.shutdownTimeout, logger)
	cancel()
	if err := <-runErr; err != nil && !errors.Is(err, context.Canceled) && serveErr == nil {
		return fmt.Errorf("serve router: %w", err)
	}
	return serveErr
}

// listenAndServe serves handler on addr until ctx ends, then lets in-flight
// requests finish for up to grace.
func listenAndServe(ctx context.Context, addr string, handler http.Handler, grace time.Duration, logger *slog.Logger) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	logger.Info("listening", "addr", ln.Addr().String())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve on %s: %w", addr, err)
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), grace)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shut down %s: %w", addr, err)
	}
	return nil
}

func writeStatus(w http.ResponseWriter, code int, text string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(code)
	_, _ = io.WriteString(w, text+"\n")
}

// defaultRouterGCPercent is 400 unless the process was started with GOGC, which
// then keeps its usual meaning.
func defaultRouterGCPercent(getenv func(string) string) int64 {
	if v := getenv("GOGC"); v != "" {
		if v == "off" {
			return -1
		}
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			return n
		}
	}
	return 400
}
