package compose

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// Config is a supergraph config in the format of `rover supergraph compose`:
//
//	federation_version: =2.7.1
//	subgraphs:
//	  catalog:
//	    routing_url: http://127.0.0.1:4001/graphql
//	    schema:
//	      file: ./schema/catalog.graphqls    # or
//	      subgraph_url: http://127.0.0.1:4001/graphql   # fetched with _service { sdl }
type Config struct {
	// FederationVersion is the requested composition version ("2", "=2.7.1"); only
	// Federation 2 supergraphs are produced.
	FederationVersion string `yaml:"federation_version"`
	// Subgraphs are the subgraphs by name.
	Subgraphs map[string]SubgraphConfig `yaml:"subgraphs"`
	// Dir is the directory relative file paths are read from: the config file's.
	Dir string `yaml:"-"`
}

// SubgraphConfig is one subgraph of a Config.
type SubgraphConfig struct {
	// RoutingURL is where the router sends the subgraph's fetches.
	RoutingURL string `yaml:"routing_url"`
	// Schema says where the subgraph's SDL comes from.
	Schema SchemaSource `yaml:"schema"`
}

// SchemaSource is a subgraph SDL's origin: a file, or a running subgraph.
type SchemaSource struct {
	// File is an SDL file, relative to the config file.
	File string `yaml:"file"`
	// SubgraphURL is a subgraph answering `_service { sdl }`.
	SubgraphURL string `yaml:"subgraph_url"`
	// IntrospectionHeaders are sent with the _service query.
	IntrospectionHeaders map[string]string `yaml:"introspection_headers"`
	// GraphRef names a schema registry entry; not supported here.
	GraphRef string `yaml:"graphref"`
}

// LoadConfig reads and validates a supergraph config file.
func LoadConfig(path string) (*Config, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read supergraph config: %w", err)
	}
	cfg, err := ParseConfig(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	cfg.Dir = filepath.Dir(path)
	return cfg, nil
}

// ParseConfig parses and validates a supergraph config; relative files resolve
// against the working directory unless Dir is set afterwards.
func ParseConfig(raw []byte) (*Config, error) {
	var cfg Config
	dec := yaml.NewDecoder(strings.NewReader(string(raw)))
	dec.KnownFields(true)
	if err := dec.Decode(&cfg); err != nil {
		return nil, fmt.Errorf("parse supergraph config: %w", err)
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &cfg, nil
}

// Validate names every bad field.
func (c *Config) Validate() error {
	var errs []error
	v := strings.TrimLeft(strings.TrimSpace(c.FederationVersion), "=v")
	if v != "" && !strings.HasPrefix(v, "2") {
		errs = append(errs, fmt.Errorf("federation_version %q: only Federation 2 composition is supported", c.FederationVersion))
	}
	if len(c.Subgraphs) == 0 {
		errs = append(errs, errors.New("subgraphs: none listed"))
	}
	for _, name := range c.names() {
		sg := c.Subgraphs[name]
		if u, err := url.Parse(sg.RoutingURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("subgraphs.%s.routing_url %q is not an http(s) URL", name, sg.RoutingURL))
		}
		n := 0
		for _, set := range []bool{sg.Schema.File != "", sg.Schema.SubgraphURL != "", sg.Schema.GraphRef != ""} {
			if set {
				n++
			}
		}
		switch {
		case n != 1:
			errs = append(errs, fmt.Errorf("subgraphs.%s.schema: set exactly one of file or subgraph_url", name))
		case sg.Schema.GraphRef != "":
			errs = append(errs, fmt.Errorf("subgraphs.%s.schema.graphref: schema registries are not supported; use file or subgraph_url", name))
		case sg.Schema.SubgraphURL != "":
			if u, err := url.Parse(sg.Schema.SubgraphURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				errs = append(errs, fmt.Errorf("subgraphs.%s.schema.subgraph_url %q is not an http(s) URL", name, sg.Schema.SubgraphURL))
			}
		}
	}
	return errors.Join(errs...)
}

func (c *Config) names() []string {
	names := make([]string, 0, len(c.Subgraphs))
	for n := range c.Subgraphs {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// SDLFetcher fetches a running subgraph's SDL (its `_service { sdl }`).
type SDLFetcher func(ctx context.Context, url string, headers map[string]string) (string, error)

// Resolve reads every subgraph's SDL: files from disk, the others through fetch (nil
// refuses them). Errors name the subgraph and are all reported.
func (c *Config) Resolve(ctx context.Context, fetch SDLFetcher) ([]Subgraph, error) {
	var out []Subgraph
	var errs []error
	for _, name := range c.names() {
		sg := c.Subgraphs[name]
		var sdl string
		var err error
		switch {
		case sg.Schema.File != "":
			path := sg.Schema.File
			if !filepath.IsAbs(path) && c.Dir != "" {
				path = filepath.Join(c.Dir, path)
			}
			var b []byte
			b, err = os.ReadFile(path)
			sdl = string(b)
		case fetch == nil:
			err = errors.New("fetching subgraph SDLs is not enabled")
		default:
			sdl, err = fetch(ctx, sg.Schema.SubgraphURL, sg.Schema.IntrospectionHeaders)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("subgraph %q: %w", name, err))
			continue
		}
		out = append(out, Subgraph{Name: name, URL: sg.RoutingURL, SDL: sdl})
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return out, nil
}
