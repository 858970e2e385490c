package server

import (
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/shopgraph/shopgraph/gateway/authz"
	"github.com/shopgraph/shopgraph/gateway/execute"
	"github.com/shopgraph/shopgraph/gateway/headers"
	"github.com/shopgraph/shopgraph/gateway/limits"
	"github.com/shopgraph/shopgraph/gateway/persisted"
	"github.com/shopgraph/shopgraph/gateway/plan"
)

// Subgraph names a subgraph whose schema is fetched from `_service { sdl }` at URL.
type Subgraph struct {
	Name string `yaml:"name"`
	URL  string `yaml:"url"`
}

// Config configures the router. The zero value of every field but the supergraph
// source means its default.
type Config struct {
	// Subgraphs are composed at start-up; ignored when SupergraphSDL is set.
	Subgraphs []Subgraph `yaml:"subgraphs" flag:"-"`
	// SupergraphSDL is a join-spec supergraph to serve as it is.
	SupergraphSDL string `yaml:"-"`
	// RequestTimeout bounds a client request (default 30 s).
	RequestTimeout time.Duration `yaml:"requestTimeout" help:"the longest one client request may take"`
	// SubgraphTimeout bounds each subgraph request (default 10 s).
	SubgraphTimeout time.Duration `yaml:"subgraphTimeout" help:"the longest one subgraph fetch may take"`
	// MaxBodyBytes bounds request bodies (default 2 MiB); larger ones get 413.
	MaxBodyBytes int64 `yaml:"maxBodyBytes" min:"1024" max:"1073741824" help:"the largest request body accepted, in bytes"`
	// PlanCacheSize bounds the number of cached documents and plans (default 1024).
	PlanCacheSize int `yaml:"planCacheSize" help:"how many documents and plans are cached"`
	// RetryMin and RetryMax bound the back-off between composition attempts
	// while subgraphs do not answer (defaults 250 ms and 10 s).
	RetryMin time.Duration `yaml:"retryMin" help:"the first wait before composing again while subgraphs do not answer"`
	RetryMax time.Duration `yaml:"retryMax" help:"the longest wait between composition attempts"`
	// Dedupe shares identical in-flight client queries, subgraph fetches and
	// subgraph subscriptions (nil: on); false measures the engine itself.
	// Callers with different headers or tokens never share.
	Dedupe *bool `yaml:"dedupe" help:"share identical in-flight client queries, subgraph fetches and subscriptions (false measures the engine itself)"`
	// SplitDepth is the list-nesting depth at which the planner splits a
	// subgraph fetch at a repeated entity (plan.Options.SplitDepth): nil means
	// plan.DefaultSplitDepth, 0 never splits.
	SplitDepth *int `yaml:"splitDepth" min:"0" max:"16" help:"split a subgraph fetch that nests lists this deep at a repeated entity reference, so that the subgraph resolves each distinct entity once (0 never splits)"`
	// Introspection answers __schema and __type (nil: on).
	Introspection *bool `yaml:"introspection" help:"answer __schema and __type queries"`
	// ComposedDirectivesInAPI keeps the directives subgraphs pass on with
	// @composeDirective in the API schema, where introspection shows them
	// (false: the API schema is Apollo's, which strips them).
	ComposedDirectivesInAPI bool `yaml:"composedDirectivesInAPI" help:"show directives passed on with @composeDirective in the API schema (introspection)"`
	// Playground serves the GraphiQL playground at /playground (nil: on).
	Playground *bool `yaml:"playground" help:"serve the GraphiQL playground at /playground and to browsers at /graphql"`
	// Persisted configures automatic persisted queries and trusted documents.
	Persisted persisted.Config `yaml:"persisted"`
	// OverrideLabels are the progressive @override labels that are on.
	OverrideLabels []string `yaml:"overrideLabels" help:"progressive @override labels that are on, comma-separated"`
	// Limits bound the operations clients may send (limits.Config's defaults).
	Limits limits.Config `yaml:"limits"`
	// MaxBatchSize bounds the requests in one batched POST (a JSON array):
	// 0 means the default, 10; a negative value turns batching off.
	MaxBatchSize int `yaml:"maxBatchSize" help:"the most operations in one batched request (negative turns batching off)"`
	// CORS says which browser origins may call /graphql (cors.go).
	CORS CORS `yaml:"cors"`
	// CSRF configures the refusal of requests that a browser sends without a
	// preflight (csrf.go).
	CSRF CSRF `yaml:"csrf"`
	// SubgraphRetries is how often a query's subgraph fetch is sent again
	// after a connection error or an HTTP 502/503/504, with jittered
	// exponential back-off within the request's deadline: 0 means the
	// default, 2; a negative value none. Mutations are never retried.
	SubgraphRetries int `yaml:"subgraphRetries" help:"how often a query's failed subgraph fetch is retried (negative none; mutations never)"`
	// BreakerFailures is how many consecutive failed fetches (connection
	// errors, timeouts, HTTP 5xx) open a subgraph's circuit breaker, which
	// then sheds its fetches: 0 means the default, 5; a negative value turns
	// breakers off.
	BreakerFailures int `yaml:"breakerFailures" help:"consecutive failed fetches that open a subgraph's circuit breaker (negative turns breakers off)"`
	// BreakerCooldown is how long an open breaker sheds before it lets one
	// trial fetch through (default 10 s).
	BreakerCooldown time.Duration `yaml:"breakerCooldown" help:"how long an open breaker sheds fetches before a trial"`
	// Headers are the rules for the headers sent to subgraphs and for the
	// subgraph response headers sent to clients (gateway/headers); absent,
	// Authorization is passed to every subgraph.
	Headers headers.Config `yaml:"headers"`
	// JWT configures token verification against a JWKS (auth.go); off unless
	// JWT.JWKSURL is set.
	JWT JWT `yaml:"jwt"`
	// Authorization decides the @policy requirements of the supergraph's
	// authorization directives (gateway/authz), which the JWT's claims meet.
	Authorization authz.Config `yaml:"authorization"`
	// Subscriptions configure subscriptions over WebSocket, SSE and
	// multipart HTTP (subscribe.go).
	Subscriptions Subscriptions `yaml:"subscriptions"`
}

// maxSubgraphRetries bounds SubgraphRetries: more attempts than this only
// pile load on a subgraph that is struggling.
const maxSubgraphRetries = 10

func (c Config) withDefaults() Config {
	if c.RequestTimeout == 0 {
		c.RequestTimeout = 30 * time.Second
	}
	if c.SubgraphTimeout == 0 {
		c.SubgraphTimeout = 10 * time.Second
	}
	if c.MaxBodyBytes == 0 {
		c.MaxBodyBytes = 2 << 20
	}
	if c.PlanCacheSize == 0 {
		c.PlanCacheSize = 1024
	}
	if c.RetryMin == 0 {
		c.RetryMin = 250 * time.Millisecond
	}
	if c.RetryMax == 0 {
		c.RetryMax = 10 * time.Second
	}
	if c.MaxBatchSize == 0 {
		c.MaxBatchSize = 10
	}
	c.CORS = c.CORS.withDefaults()
	c.CSRF = c.CSRF.withDefaults()
	c.JWT = c.JWT.withDefaults()
	c.Limits = c.Limits.WithDefaults()
	c.Subscriptions = c.Subscriptions.withDefaults()
	return c
}

// on reads an optional switch whose default is on.
func on(b *bool) bool { return b == nil || *b }

// Defaults returns the configuration with every default filled in, as the
// router runs it: what the config file and flags start from.
func Defaults() Config {
	c := Config{}.withDefaults()
	yes := true
	depth := plan.DefaultSplitDepth
	c.Dedupe, c.Introspection, c.Playground, c.SplitDepth = &yes, &yes, &yes, &depth
	c.Headers.ForwardClientAddress = &yes
	c.SubgraphRetries, c.BreakerFailures, c.BreakerCooldown = execute.DefaultSubgraphRetries, execute.DefaultBreakerFailures, execute.DefaultBreakerCooldown
	return c
}

// Validate reports every bad field by name.
func (c Config) Validate() error {
	var errs []error
	if c.SupergraphSDL == "" && len(c.Subgraphs) == 0 {
		errs = append(errs, errors.New("config: set subgraphs or a supergraph"))
	}
	names := map[string]bool{}
	for i, sg := range c.Subgraphs {
		if sg.Name == "" {
			errs = append(errs, fmt.Errorf("config: subgraphs[%d].name is empty", i))
		} else if names[sg.Name] {
			errs = append(errs, fmt.Errorf("config: subgraphs[%d].name %q is used twice", i, sg.Name))
		}
		names[sg.Name] = true
		if u, err := url.Parse(sg.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("config: subgraphs[%d].url %q is not an http(s) URL", i, sg.URL))
		}
	}
	for name, d := range map[string]time.Duration{"requestTimeout": c.RequestTimeout, "subgraphTimeout": c.SubgraphTimeout, "retryMin": c.RetryMin, "retryMax": c.RetryMax, "breakerCooldown": c.BreakerCooldown} {
		if d < 0 {
			errs = append(errs, fmt.Errorf("config: %s must not be negative, got %s", name, d))
		}
	}
	if c.MaxBodyBytes < 0 {
		errs = append(errs, fmt.Errorf("config: maxBodyBytes must not be negative, got %d", c.MaxBodyBytes))
	}
	if c.PlanCacheSize < 0 {
		errs = append(errs, fmt.Errorf("config: planCacheSize must not be negative, got %d", c.PlanCacheSize))
	}
	if c.SubgraphRetries > maxSubgraphRetries {
		errs = append(errs, fmt.Errorf("config: subgraphRetries must be at most %d (a negative value turns retries off), got %d", maxSubgraphRetries, c.SubgraphRetries))
	}
	if c.BreakerCooldown > 0 && c.BreakerCooldown < 10*time.Millisecond {
		errs = append(errs, fmt.Errorf("config: breakerCooldown must be at least 10ms, got %s", c.BreakerCooldown))
	}
	if c.SplitDepth != nil && (*c.SplitDepth < 0 || *c.SplitDepth > 16) {
		errs = append(errs, fmt.Errorf("config: splitDepth must be from 0 (never split) to 16, got %d", *c.SplitDepth))
	}
	if err := c.Persisted.Validate(); err != nil {
		errs = append(errs, fmt.Errorf("config: %w", err))
	}
	if err := c.Limits.Validate("config: limits"); err != nil {
		errs = append(errs, err)
	}
	errs = append(errs, c.CORS.validate()...)
	errs = append(errs, c.CSRF.validate()...)
	errs = append(errs, c.validateEdge()...)
	errs = append(errs, c.Subscriptions.validate()...)
	return errors.Join(errs...)
}
