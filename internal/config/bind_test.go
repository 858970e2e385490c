package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

type innerSettings struct {
	MaxDepth int      `yaml:"maxDepth" help:"deepest nesting"`
	Origins  []string `yaml:"allowOrigins"`
	JWKSURL  string   `yaml:"jwksURL"`
}

type boundSettings struct {
	RequestTimeout time.Duration        `yaml:"requestTimeout"`
	Dedupe         *bool                `yaml:"dedupe"`
	SplitDepth     *int                 `yaml:"splitDepth"`
	Name           string               `yaml:"name"`
	Limits         innerSettings        `yaml:"limits"`
	Rules          []struct{ A string } `yaml:"rules"`
	Hidden         string               `yaml:"-"`
}

func TestBindNamesSettingsAfterTheirKeys(t *testing.T) {
	t.Parallel()
	var st boundSettings
	s := New("serve router", func(string) string { return "" })
	if err := s.Bind("ROUTER", &st); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"request-timeout":      "ROUTER_REQUEST_TIMEOUT",
		"dedupe":               "ROUTER_DEDUPE",
		"split-depth":          "ROUTER_SPLIT_DEPTH",
		"name":                 "ROUTER_NAME",
		"limits.max-depth":     "ROUTER_LIMITS_MAX_DEPTH",
		"limits.allow-origins": "ROUTER_LIMITS_ALLOW_ORIGINS",
		"limits.jwks-url":      "ROUTER_LIMITS_JWKS_URL",
	}
	got := map[string]string{}
	for _, st := range s.settings {
		got[st.flag] = st.env
	}
	for f, env := range want {
		if got[f] != env {
			t.Errorf("flag --%s: env %q, want %q", f, got[f], env)
		}
	}
	if len(got) != len(want) {
		t.Errorf("settings %v, want exactly %v (rules and Hidden are file-only)", got, want)
	}
}

// TestBindLayers: defaults, then the file, then the environment, then flags.
func TestBindLayers(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "router.yaml")
	if err := os.WriteFile(file, []byte("requestTimeout: 5s\nname: from-file\nlimits:\n  maxDepth: 12\n  allowOrigins: [a, b]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	st := boundSettings{RequestTimeout: 30 * time.Second, Name: "default", Limits: innerSettings{MaxDepth: 20}}
	if err := LoadYAML(file, &st); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"ROUTER_LIMITS_MAX_DEPTH": "15", "ROUTER_DEDUPE": "false"}
	s := New("serve router", func(k string) string { return env[k] })
	if err := s.Bind("ROUTER", &st); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Parse([]string{"--name", "from-flag", "--split-depth=0"}); err != nil {
		t.Fatal(err)
	}
	if st.RequestTimeout != 5*time.Second {
		t.Errorf("requestTimeout = %s, want the file's 5s", st.RequestTimeout)
	}
	if st.Name != "from-flag" {
		t.Errorf("name = %q, want the flag's", st.Name)
	}
	if st.Limits.MaxDepth != 15 {
		t.Errorf("limits.maxDepth = %d, want the environment's 15", st.Limits.MaxDepth)
	}
	if st.Dedupe == nil || *st.Dedupe {
		t.Errorf("dedupe = %v, want false from the environment", st.Dedupe)
	}
	if st.SplitDepth == nil || *st.SplitDepth != 0 {
		t.Errorf("split-depth = %v, want an explicit 0", st.SplitDepth)
	}
	if strings.Join(st.Limits.Origins, ",") != "a,b" {
		t.Errorf("allowOrigins = %v", st.Limits.Origins)
	}
}

func TestBindBadValuesNameTheSetting(t *testing.T) {
	t.Parallel()
	var st boundSettings
	env := map[string]string{"ROUTER_LIMITS_MAX_DEPTH": "deep"}
	s := New("serve router", func(k string) string { return env[k] })
	if err := s.Bind("ROUTER", &st); err != nil {
		t.Fatal(err)
	}
	_, err := s.Parse([]string{"--request-timeout", "soon"})
	if err == nil || !strings.Contains(err.Error(), "env ROUTER_LIMITS_MAX_DEPTH") || !strings.Contains(err.Error(), "--request-timeout") {
		t.Fatalf("Parse = %v, want both bad settings named", err)
	}
}

func TestLoadYAMLNamesTheKey(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	tests := []struct{ name, body, want string }{
		{"unknown key", "limits:\n  maxDepht: 3\n", "line 2: field maxDepht not found"},
		{"wrong kind", "limits:\n  maxDepth: deep\n", "line 2: cannot unmarshal !!str `deep` into int"},
		{"bad duration", "requestTimeout: soon\n", "line 1"},
		{"two documents", "name: a\n---\nname: b\n", "want one YAML document"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := filepath.Join(dir, strings.ReplaceAll(tt.name, " ", "-")+".yaml")
			if err := os.WriteFile(file, []byte(tt.body), 0o600); err != nil {
				t.Fatal(err)
			}
			var st boundSettings
			err := LoadYAML(file, &st)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), file) {
				t.Fatalf("LoadYAML = %v, want %q and the file's name", err, tt.want)
			}
		})
	}
	var st boundSettings
	if err := LoadYAML(filepath.Join(dir, "missing.yaml"), &st); err == nil {
		t.Fatal("a missing file loads")
	}
}

func TestArgValue(t *testing.T) {
	t.Parallel()
	env := func(k string) string { return map[string]string{"ROUTER_CONFIG": "env.yaml"}[k] }
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--config", "a.yaml"}, "a.yaml"},
		{[]string{"-config=b.yaml"}, "b.yaml"},
		{[]string{"--listen", ":1"}, "env.yaml"},
		{[]string{"--", "--config", "c.yaml"}, "env.yaml"},
	}
	for _, tt := range tests {
		if got := ArgValue(tt.args, "config", "ROUTER_CONFIG", env); got != tt.want {
			t.Errorf("ArgValue(%v) = %q, want %q", tt.args, got, tt.want)
		}
	}
}
