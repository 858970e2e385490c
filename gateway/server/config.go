package server

import (
	"errors"
	"fmt"
	"net/url"
	"time"
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
	Subgraphs []Subgraph `yaml:"subgraphs"`
	// SupergraphSDL is a join-spec supergraph to serve as it is.
	SupergraphSDL string `yaml:"-"`
	// RequestTimeout bounds a client request (default 30 s).
	RequestTimeout time.Duration `yaml:"requestTimeout"`
	// SubgraphTimeout bounds each subgraph request (default 10 s).
	SubgraphTimeout time.Duration `yaml:"subgraphTimeout"`
	// MaxBodyBytes bounds request bodies (default 1 MiB); larger ones get 413.
	MaxBodyBytes int64 `yaml:"maxBodyBytes"`
	// PlanCacheSize bounds the number of cached documents and plans (default 1024).
	PlanCacheSize int `yaml:"planCacheSize"`
	// RetryMin and RetryMax bound the back-off between composition attempts
	// while subgraphs do not answer (defaults 250 ms and 10 s).
	RetryMin time.Duration `yaml:"retryMin"`
	RetryMax time.Duration `yaml:"retryMax"`
	// DisableDedupe turns off the sharing of identical in-flight client queries
	// and subgraph fetches (on by default), to measure the engine itself.
	DisableDedupe bool `yaml:"disableDedupe"`
	// SplitDepth is the planner's list-nesting depth at which a fetch is split
	// at a repeated entity (plan.Options.SplitDepth): 0 means its default, a
	// negative value never splits.
	SplitDepth int `yaml:"splitDepth"`
	// OverrideLabels are the progressive @override labels that are on.
	OverrideLabels []string `yaml:"overrideLabels"`
}

func (c Config) withDefaults() Config {
	if c.RequestTimeout == 0 {
		c.RequestTimeout = 30 * time.Second
	}
	if c.SubgraphTimeout == 0 {
		c.SubgraphTimeout = 10 * time.Second
	}
	if c.MaxBodyBytes == 0 {
		c.MaxBodyBytes = 1 << 20
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
	return c
}

// Validate reports every bad field by name.
func (c Config) Validate() error {
	var errs []error
	if c.SupergraphSDL == "" && len(c.Subgraphs) == 0 {
		errs = append(errs, errors.New("config: set Subgraphs or SupergraphSDL"))
	}
	names := map[string]bool{}
	for i, sg := range c.Subgraphs {
		if sg.Name == "" {
			errs = append(errs, fmt.Errorf("config: Subgraphs[%d].Name is empty", i))
		} else if names[sg.Name] {
			errs = append(errs, fmt.Errorf("config: Subgraphs[%d].Name %q is used twice", i, sg.Name))
		}
		names[sg.Name] = true
		if u, err := url.Parse(sg.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("config: Subgraphs[%d].URL %q is not an http(s) URL", i, sg.URL))
		}
	}
	for name, d := range map[string]time.Duration{"RequestTimeout": c.RequestTimeout, "SubgraphTimeout": c.SubgraphTimeout, "RetryMin": c.RetryMin, "RetryMax": c.RetryMax} {
		if d < 0 {
			errs = append(errs, fmt.Errorf("config: %s must not be negative, got %s", name, d))
		}
	}
	if c.MaxBodyBytes < 0 {
		errs = append(errs, fmt.Errorf("config: MaxBodyBytes must not be negative, got %d", c.MaxBodyBytes))
	}
	if c.PlanCacheSize < 0 {
		errs = append(errs, fmt.Errorf("config: PlanCacheSize must not be negative, got %d", c.PlanCacheSize))
	}
	return errors.Join(errs...)
}
