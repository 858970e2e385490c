package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"github.com/shopgraph/shopgraph/gateway/compose"
	"github.com/shopgraph/shopgraph/gateway/server"
	"github.com/shopgraph/shopgraph/internal/config"
	"github.com/shopgraph/shopgraph/internal/telemetry"
)

// routerConfig is everything `serve router` reads, as one tree: the process's
// own settings and the router's (server.Config, inline). Defaults come first,
// then the YAML file named by --config, then the environment, then flags; each
// setting has one name throughout, its key path (limits.maxDepth is the flag
// --limits.max-depth and the variable ROUTER_LIMITS_MAX_DEPTH).
type routerConfig struct {
	Listen            string        `yaml:"listen" help:"HOST:PORT to serve the supergraph on"`
	Supergraph        string        `yaml:"supergraph" help:"a supergraph SDL file to serve (and reload when it changes) instead of composing the subgraphs"`
	SupergraphConfig  string        `yaml:"supergraphConfig" help:"a supergraph config in rover's supergraph.yaml format to compose at start (retrying until its subgraphs answer) and re-compose on an interval"`
	PollInterval      time.Duration `yaml:"pollInterval" help:"how often to check the supergraph file for changes"`
	RecomposeInterval time.Duration `yaml:"recomposeInterval" help:"how often to re-compose the supergraph config, fetching subgraph SDLs again"`
	GCPercent         int           `yaml:"gcPercent" min:"-1" max:"10000" help:"the Go collector's GOGC for the router: higher trades memory for CPU (-1 turns collection off; the default is GOGC when set)"`
	ShutdownTimeout   time.Duration `yaml:"shutdownTimeout" env:"SHUTDOWN_TIMEOUT" help:"how long in-flight requests may finish on shutdown"`
	Log               struct {
		Level  string `yaml:"level" flag:"log-level" env:"LOG_LEVEL" values:"debug|info|warn|error" help:"debug, info, warn or error"`
		Format string `yaml:"format" flag:"log-format" env:"LOG_FORMAT" values:"text|json" help:"text or json"`
	} `yaml:"log"`
	Telemetry struct {
		OTLPEndpoint string `yaml:"otlpEndpoint" flag:"otlp-endpoint" env:"OTEL_EXPORTER_OTLP_ENDPOINT" help:"the OTLP/HTTP collector to send traces to, such as http://127.0.0.1:4318; empty sends none"`
		ServiceName  string `yaml:"serviceName" flag:"service-name" env:"OTEL_SERVICE_NAME" help:"the service.name of the router's spans"`
	} `yaml:"telemetry"`
	Router server.Config `yaml:",inline"`
}

// defaultRouterConfig is the router's configuration before the file, the
// environment and flags: it runs against the local subgraphs.
func defaultRouterConfig(getenv func(string) string) *routerConfig {
	rc := &routerConfig{
		Listen:            ":" + defaultPort("router"),
		PollInterval:      time.Second,
		RecomposeInterval: 10 * time.Second,
		GCPercent:         int(defaultRouterGCPercent(getenv)),
		ShutdownTimeout:   10 * time.Second,
		Router:            server.Defaults(),
	}
	rc.Log.Level, rc.Log.Format = "info", "text"
	rc.Telemetry.ServiceName = "router"
	rc.Router.Subgraphs, _ = parseSubgraphList(defaultSubgraphList())
	return rc
}

// newRouterSettings registers the settings of `serve router`, each bound to its
// field of the returned configuration, which holds the defaults until Parse.
func newRouterSettings(getenv func(string) string) (*config.Set, *routerConfig, error) {
	rc := defaultRouterConfig(getenv)
	s := config.New("serve router", getenv)
	var file string
	s.String(&file, "config", "ROUTER_CONFIG", "", "a YAML file with the router's settings (keys as in the README's table); the environment and flags override it")
	s.Optional("subgraphs", "ROUTER_SUBGRAPHS", defaultSubgraphList(),
		"NAME=URL pairs, comma-separated: the subgraphs whose _service { sdl } the router composes (the file's subgraphs: list of {name, url})",
		func(v string) error {
			list, err := parseSubgraphList(v)
			if err == nil {
				rc.Router.Subgraphs = list
			}
			return err
		})
	if err := s.Bind("ROUTER", rc); err != nil {
		return nil, nil, err
	}
	return s, rc, nil
}

// loadRouterConfig reads `serve router`'s settings: defaults, --config FILE,
// environment, flags. It returns errHelp after printing --help.
func loadRouterConfig(args []string, getenv func(string) string, stderr io.Writer) (*routerConfig, error) {
	s, rc, err := newRouterSettings(getenv)
	if err != nil {
		return nil, err
	}
	// The file comes before the environment and flags, which Parse applies.
	if path := config.ArgValue(args, "config", "ROUTER_CONFIG", getenv); path != "" && !wantsHelp(args) {
		if err := config.LoadYAML(path, rc); err != nil {
			return nil, fmt.Errorf("serve router: --config: %w", err)
		}
	}
	if err := parseOrHelp(s, args, stderr); err != nil {
		return nil, err
	}
	return rc, rc.validate()
}

func wantsHelp(args []string) bool {
	for _, a := range args {
		if a == "-h" || a == "--help" || a == "-help" {
			return true
		}
	}
	return false
}

// validate checks the process's own settings; server.New checks the router's.
func (rc *routerConfig) validate() error {
	var errs []error
	if err := config.CheckAddr(rc.Listen); err != nil {
		errs = append(errs, fmt.Errorf("listen %q: %w", rc.Listen, err))
	}
	if rc.Supergraph != "" && rc.SupergraphConfig != "" {
		errs = append(errs, fmt.Errorf("set supergraph or supergraphConfig, not both: %w", errUsage))
	}
	for name, d := range map[string]time.Duration{"pollInterval": rc.PollInterval, "recomposeInterval": rc.RecomposeInterval, "shutdownTimeout": rc.ShutdownTimeout} {
		if d <= 0 {
			errs = append(errs, fmt.Errorf("%s must be a positive duration, got %s", name, d))
		}
	}
	if rc.GCPercent < -1 || rc.GCPercent > 10000 {
		errs = append(errs, fmt.Errorf("gcPercent must be from -1 to 10000, got %d", rc.GCPercent))
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(rc.Log.Level)); err != nil {
		errs = append(errs, fmt.Errorf("log.level %q: want debug, info, warn or error", rc.Log.Level))
	}
	if f := strings.ToLower(rc.Log.Format); f != "text" && f != "json" {
		errs = append(errs, fmt.Errorf("log.format %q: want text or json", rc.Log.Format))
	}
	if rc.Telemetry.OTLPEndpoint != "" {
		if _, err := telemetry.TracesURL(rc.Telemetry.OTLPEndpoint); err != nil {
			errs = append(errs, fmt.Errorf("telemetry.otlpEndpoint %q: want an http(s) URL such as http://127.0.0.1:4318", rc.Telemetry.OTLPEndpoint))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("serve router: %w", err)
	}
	return nil
}

func serveRouter(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) error {
	rc, err := loadRouterConfig(args, getenv, stderr)
	if errors.Is(err, errHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	var logs logSettings
	_ = logs.level.UnmarshalText([]byte(rc.Log.Level))
	logs.format = strings.ToLower(rc.Log.Format)
	logger := telemetry.Logger(logs.logger(stderr, "router"))
	// The router allocates short-lived response trees at a high rate; collecting
	// less often buys throughput for a bounded amount of memory (bench/gateways-log.md).
	debug.SetGCPercent(rc.GCPercent)
	cfg := rc.Router
	var supergraphConfig *compose.Config
	switch {
	case rc.Supergraph != "":
		sdl, err := os.ReadFile(rc.Supergraph)
		if err != nil {
			return fmt.Errorf("serve router: supergraph: %w", err)
		}
		cfg.SupergraphSDL = string(sdl)
		cfg.Subgraphs = nil
	case rc.SupergraphConfig != "":
		c, err := compose.LoadConfig(rc.SupergraphConfig)
		if err != nil {
			return fmt.Errorf("serve router: supergraphConfig: %w", err)
		}
		supergraphConfig = c
	}
	tel := telemetrySettings{otlpEndpoint: rc.Telemetry.OTLPEndpoint, serviceName: rc.Telemetry.ServiceName}
	tracing, stopTracing, err := tel.start(ctx, logger)
	if err != nil {
		return fmt.Errorf("serve router: %w", err)
	}
	defer stopTracing()
	var srv *server.Server
	if supergraphConfig != nil {
		// Subgraphs serving their SDL may start after the router: it composes in the
		// background, retrying with back-off, and is not ready until that succeeds.
		srv, err = server.NewFromConfig(cfg, supergraphConfig, logger, server.WithTracing(tracing))
	} else {
		srv, err = server.New(cfg, logger, server.WithTracing(tracing))
	}
	if err != nil {
		return fmt.Errorf("serve router: %w", err)
	}
	defer srv.Close()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	runErr := make(chan error, 1)
	switch {
	case supergraphConfig != nil:
		go func() { runErr <- srv.RunConfig(ctx, supergraphConfig, rc.RecomposeInterval) }()
	case rc.Supergraph != "":
		go func() { runErr <- srv.Run(ctx) }()
		go func() { _ = srv.WatchFile(ctx, rc.Supergraph, rc.PollInterval) }()
	default:
		go func() { runErr <- srv.Run(ctx) }()
	}
	serveErr := listenAndServe(ctx, rc.Listen, srv.Handler(), rc.ShutdownTimeout, logger)
	cancel()
	if err := <-runErr; err != nil && !errors.Is(err, context.Canceled) && serveErr == nil {
		return fmt.Errorf("serve router: %w", err)
	}
	return serveErr
}
