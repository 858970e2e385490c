package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func writeFile(t *testing.T, name, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestRouterConfigLayers: defaults, then the YAML file, then the environment,
// then flags; every key of the file is also a flag and a variable.
func TestRouterConfigLayers(t *testing.T) {
	t.Parallel()
	file := writeFile(t, "router.yaml", `
listen: 127.0.0.1:4100
requestTimeout: 5s
dedupe: false
splitDepth: 0
subgraphs:
  - name: catalog
    url: http://catalog:4001/graphql
limits:
  maxDepth: 12
  maxCost: 2000
cors:
  allowOrigins: [https://shop.example.com]
persisted:
  apq:
    cacheSize: 50
log:
  level: warn
`)
	env := map[string]string{"ROUTER_CONFIG": file, "ROUTER_LIMITS_MAX_COST": "3000", "LOG_LEVEL": "debug"}
	rc, err := loadRouterConfig([]string{"--limits.max-depth", "9", "--request-timeout=7s"}, func(k string) string { return env[k] }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	c := rc.Router
	checks := []struct {
		name      string
		got, want any
	}{
		{"listen (file)", rc.Listen, "127.0.0.1:4100"},
		{"requestTimeout (flag over file)", c.RequestTimeout, 7 * time.Second},
		{"dedupe (file)", *c.Dedupe, false},
		{"splitDepth 0 means never (file)", *c.SplitDepth, 0},
		{"subgraphs (file)", len(c.Subgraphs) == 1 && c.Subgraphs[0].URL == "http://catalog:4001/graphql", true},
		{"limits.maxDepth (flag over file)", c.Limits.MaxDepth, 9},
		{"limits.maxCost (environment over file)", c.Limits.MaxCost, 3000},
		{"limits.maxAliases (default)", c.Limits.MaxAliases, 50},
		{"cors.allowOrigins (file)", strings.Join(c.CORS.AllowOrigins, ","), "https://shop.example.com"},
		{"persisted.apq.cacheSize (file)", c.Persisted.APQ.CacheSize, 50},
		{"log.level (LOG_LEVEL over file)", rc.Log.Level, "debug"},
		{"subgraphTimeout (default)", c.SubgraphTimeout, 10 * time.Second},
	}
	for _, ch := range checks {
		if ch.got != ch.want {
			t.Errorf("%s = %v, want %v", ch.name, ch.got, ch.want)
		}
	}
}

// TestRouterConfigErrorsNameTheKey: a bad file stops start-up with the file,
// the line and the key; bad values name the key, the flag or the variable.
func TestRouterConfigErrorsNameTheKey(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, file string
		env        map[string]string
		want       []string
	}{
		{"unknown key", "limits:\n  maxDepht: 3\n", nil, []string{"line 2", "maxDepht"}},
		{"wrong kind", "requestTimeout: [1]\n", nil, []string{"line 1", "time.Duration"}},
		{"bad value in the file", "limits:\n  defaultListSize: -4\n", nil, []string{"limits.defaultListSize"}},
		{"bad origin", "cors:\n  allowOrigins: [shop]\n", nil, []string{"cors.allowOrigins[0]"}},
		{"bad variable", "", map[string]string{"ROUTER_LIMITS_MAX_DEPTH": "deep"}, []string{"env ROUTER_LIMITS_MAX_DEPTH", `"deep"`}},
		{"persisted only without manifest", "persisted:\n  only: true\n", nil, []string{"persisted.only"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			file := writeFile(t, "router.yaml", tt.file)
			env := map[string]string{"ROUTER_SUBGRAPHS": "a=http://127.0.0.1:1/graphql"}
			for k, v := range tt.env {
				env[k] = v
			}
			// A canceled context: should a case start the router, it stops at once.
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			err := run(ctx, []string{"serve", "router", "--config", file, "--listen", "127.0.0.1:0"}, func(k string) string { return env[k] }, &bytes.Buffer{}, &bytes.Buffer{})
			if err == nil {
				t.Fatal("start-up succeeded, want an error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not name %q", err, w)
				}
			}
		})
	}
}

// TestRouterHelpListsEveryKey: --help shows the settings as flags with their
// variables, nested keys included.
func TestRouterHelpListsEveryKey(t *testing.T) {
	t.Parallel()
	var stderr bytes.Buffer
	if err := run(context.Background(), []string{"serve", "router", "--help"}, func(string) string { return "" }, &bytes.Buffer{}, &stderr); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"--limits.max-depth (env ROUTER_LIMITS_MAX_DEPTH)", "--persisted-only (env ROUTER_PERSISTED_ONLY)", "--cors.allow-origins (env ROUTER_CORS_ALLOW_ORIGINS)", "--jwt.jwks-url (env ROUTER_JWT_JWKS_URL)", "--dedupe (env ROUTER_DEDUPE)", "--config (env ROUTER_CONFIG)"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("help does not list %s", want)
		}
	}
}

// TestREADMERouterConfigExampleLoads: the README's example router.yaml is a
// valid configuration, and the README's table lists every router setting.
func TestREADMERouterConfigExampleLoads(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(raw)
	_, rest, ok := strings.Cut(readme, "### The router's settings")
	if !ok {
		t.Fatal("README has no router settings section")
	}
	_, example, ok := strings.Cut(rest, "```yaml\n")
	if !ok {
		t.Fatal("README's router settings have no YAML example")
	}
	example, _, _ = strings.Cut(example, "```")
	file := writeFile(t, "router.yaml", example)
	rc, err := loadRouterConfig([]string{"--config", file}, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatalf("the README's example does not load: %v", err)
	}
	if err := rc.Router.Validate(); err != nil {
		t.Fatalf("the README's example is not a valid router configuration: %v", err)
	}
	if rc.Router.Limits.MaxDepth != 15 || len(rc.Router.Subgraphs) != 3 || len(rc.Router.Headers.Subgraphs["users"].Response) != 1 {
		t.Errorf("the example loaded as %+v", rc.Router)
	}
	s, _, err := newRouterSettings(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	for _, env := range s.EnvNames() {
		if !strings.Contains(readme, "`"+env+"`") {
			t.Errorf("README's settings table lacks %s", env)
		}
	}
}
