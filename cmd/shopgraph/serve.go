package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/shopgraph/shopgraph/gateway/server"
	"github.com/shopgraph/shopgraph/internal/config"
	"github.com/shopgraph/shopgraph/internal/pg"
	"github.com/shopgraph/shopgraph/internal/telemetry"
	"github.com/shopgraph/shopgraph/subgraphs/catalog"
	"github.com/shopgraph/shopgraph/subgraphs/catalog/images"
	"github.com/shopgraph/shopgraph/subgraphs/catalog/internalapi"
	"github.com/shopgraph/shopgraph/subgraphs/users/tokens"
)

func serve(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("serve: name a component: catalog, orders, users, router or web: %w", errUsage)
	}
	component, rest := args[0], args[1:]
	switch component {
	case "router":
		return serveRouter(ctx, rest, getenv, stderr)
	case "web":
		return serveWeb(ctx, rest, getenv, stderr)
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
	telemetry       telemetrySettings
	// internal configures the service-to-service API of a subgraph that has one.
	internal internalSettings
	// auth configures how a subgraph that authorises writes verifies tokens.
	auth authSettings
	// accounts configures the users service's sign-in.
	accounts accountSettings
	// facetCacheTTL is how long the catalog keeps a listing's facet counts.
	facetCacheTTL time.Duration
	// orders configures the orders service's checkout and the services it calls.
	orders ordersSettings
}

// internalSettings configure a subgraph's service-to-service API: the catalog's
// stock reservations for checkout.
type internalSettings struct {
	serviceToken   string
	reservationTTL time.Duration
	sweepInterval  time.Duration
}

func (st *internalSettings) register(s *config.Set, p string) {
	// The token is checked after parsing, so that an error message never echoes it.
	s.String(&st.serviceToken, "service-token", p+"SERVICE_TOKEN", "",
		"the bearer token service-to-service calls (orders reserving stock) must carry; give the orders service the same one; empty turns the internal API off (404)")
	s.Duration(&st.reservationTTL, "reservation-ttl", p+"RESERVATION_TTL", catalog.DefaultReservationTTL,
		"how long a stock reservation is held when the caller names no ttlSeconds")
	s.Duration(&st.sweepInterval, "reservation-sweep-interval", p+"RESERVATION_SWEEP_INTERVAL", 30*time.Second,
		"how often expired stock reservations are released")
}

// validate names the bad setting without showing the token.
func (st *internalSettings) validate(p string) error {
	var errs []error
	if st.serviceToken != "" && len(st.serviceToken) < internalapi.MinTokenLength {
		errs = append(errs, fmt.Errorf("setting --service-token (env %sSERVICE_TOKEN): want at least %d characters", p, internalapi.MinTokenLength))
	}
	if st.reservationTTL > catalog.MaxReservationTTL {
		errs = append(errs, fmt.Errorf("setting --reservation-ttl (env %sRESERVATION_TTL) = %s: want at most %s", p, st.reservationTTL, catalog.MaxReservationTTL))
	}
	return errors.Join(errs...)
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
	st.telemetry.register(s, name)
	if parts, err := subgraphParts(name); err == nil && parts.Internal != nil {
		st.internal.register(s, p)
	}
	if name == "catalog" {
		s.Duration(&st.facetCacheTTL, "facet-cache-ttl", p+"FACET_CACHE_TTL", 10*time.Second,
			"how long a listing's facet counts are kept and shared between requests (they lag writes by at most this); 0 counts every time")
	}
	if parts, err := subgraphParts(name); err == nil && parts.Authenticate != nil {
		st.auth.register(s, p)
	}
	if parts, err := subgraphParts(name); err == nil && parts.Accounts != nil {
		st.accounts.register(s, p)
	}
	if parts, err := subgraphParts(name); err == nil && parts.Orders != nil {
		st.orders.register(s, p)
	}
	return s, nil
}

// telemetrySettings are every component's tracing settings, under the
// standard OpenTelemetry environment variables.
type telemetrySettings struct {
	otlpEndpoint string
	serviceName  string
}

func (t *telemetrySettings) register(s *config.Set, component string) {
	s.Func("otlp-endpoint", "OTEL_EXPORTER_OTLP_ENDPOINT", "",
		"the OTLP/HTTP collector to send traces to, such as http://127.0.0.1:4318 (spans go to its /v1/traces); empty sends none",
		func(v string) error {
			if v != "" {
				if _, err := telemetry.TracesURL(v); err != nil {
					return errors.New("want an http(s) URL such as http://127.0.0.1:4318")
				}
			}
			t.otlpEndpoint = v
			return nil
		})
	s.NonEmpty(&t.serviceName, "service-name", "OTEL_SERVICE_NAME", component, "the service.name of this component's spans")
}

// start returns the component's tracing (off without an endpoint) and the
// function that sends the spans still buffered on exit.
func (t *telemetrySettings) start(ctx context.Context, logger *slog.Logger) (*telemetry.Tracing, func(), error) {
	tr, err := telemetry.NewTracing(ctx, telemetry.TracingConfig{ServiceName: t.serviceName, Endpoint: t.otlpEndpoint})
	if err != nil {
		return nil, nil, err
	}
	if tr.Enabled() {
		logger.Info("tracing", "otlp_endpoint", t.otlpEndpoint, "service_name", t.serviceName)
	}
	return tr, func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if err := tr.Shutdown(ctx); err != nil {
			logger.Warn("traces not sent on exit", "err", err)
		}
	}, nil
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
	logger := telemetry.Logger(st.log.logger(stderr, name))
	parts, err := subgraphParts(name)
	if err != nil {
		return err
	}
	if parts.Internal != nil {
		if err := st.internal.validate(envPrefix(name)); err != nil {
			return fmt.Errorf("serve %s: %w", name, err)
		}
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

	tracing, stopTracing, err := st.telemetry.start(ctx, logger)
	if err != nil {
		return fmt.Errorf("serve %s: %w", name, err)
	}
	defer stopTracing()
	reg := telemetry.NewRegistry()
	reg.MustRegister(telemetry.NewPoolCollector(pool, name))
	routes := []string{"/graphql", "/healthz", "/readyz", "/metrics"}
	if parts.Accounts != nil {
		routes = append(routes, tokens.JWKSPath)
	}
	if parts.Internal != nil {
		routes = append(routes, internalapi.Paths()...)
	}
	httpMetrics, err := telemetry.NewHTTPMetrics(reg, name, routes...)
	if err != nil {
		return fmt.Errorf("serve %s: %w", name, err)
	}

	mux := http.NewServeMux()
	if parts.Internal != nil {
		// Service-to-service calls only: the router never forwards here (it talks
		// to /graphql alone), and every request needs the service token.
		internal, background, err := parts.Internal(pool, logger, st.internal)
		if err != nil {
			return fmt.Errorf("serve %s: %w", name, err)
		}
		mux.Handle("/internal/", internal)
		bgCtx, stop := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { defer close(done); background(bgCtx) }()
		defer func() { stop(); <-done }() // before the pool closes
		logger.Info("internal API", "enabled", st.internal.serviceToken != "", "reservation_sweep_interval", st.internal.sweepInterval)
	}
	if parts.Images != nil {
		mux.Handle(images.Pattern, parts.Images(pool, logger))
	}
	mux.Handle("GET /metrics", telemetry.MetricsHandler(reg))
	var graphqlHandler http.Handler
	switch {
	case parts.Orders != nil:
		up, err := parts.Orders(pool, logger, st.orders)
		if err != nil {
			return fmt.Errorf("serve %s: %w", name, err)
		}
		graphqlHandler = up.graphql
		bgCtx, stop := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { defer close(done); up.background(bgCtx) }()
		defer func() { stop(); <-done }() // before the pool closes
	case parts.Accounts != nil:
		up, err := parts.Accounts(ctx, pool, logger, st.accounts)
		if err != nil {
			return fmt.Errorf("serve %s: %w", name, err)
		}
		defer up.close()
		graphqlHandler = up.graphql
		mux.Handle("GET "+tokens.JWKSPath, up.jwks)
		mux.Handle("HEAD "+tokens.JWKSPath, up.jwks)
		bgCtx, stop := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { defer close(done); up.background(bgCtx) }()
		defer func() { stop(); <-done }() // before the pool closes
	default:
		graphqlHandler = parts.Handler(pool, logger, st)
	}
	if parts.Authenticate != nil {
		if graphqlHandler, err = parts.Authenticate(graphqlHandler, st.auth, logger); err != nil {
			return fmt.Errorf("serve %s: %w", name, err)
		}
	}
	mux.Handle("/graphql", graphqlHandler)
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
	handler := telemetry.Middleware(telemetry.HTTP{Component: name, Metrics: httpMetrics, Tracing: tracing, Logger: logger}, mux)
	return listenAndServe(ctx, st.listen, handler, st.shutdownTimeout, logger)
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
