package main

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
)

func TestBadSettingsStopStartUpNamingTheSetting(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args []string
		env  map[string]string
		want []string
	}{
		{args: []string{"serve", "catalog", "--listen", "nowhere"}, want: []string{"--listen", `"nowhere"`, "HOST:PORT"}},
		{args: []string{"serve", "orders"}, env: map[string]string{"ORDERS_DATABASE_URL": "mysql://x/y"}, want: []string{"env ORDERS_DATABASE_URL", "postgres"}},
		{args: []string{"serve", "users"}, env: map[string]string{"DATABASE_URL": "http://x/y"}, want: []string{"DATABASE_URL", "postgres://"}},
		{args: []string{"serve", "router"}, env: map[string]string{"ROUTER_SUBGRAPHS": "catalog=ftp://x"}, want: []string{"env ROUTER_SUBGRAPHS", `subgraph "catalog"`, "http"}},
		{args: []string{"serve", "router", "--subgraphs", "a=http://x/g,a=http://y/g"}, want: []string{"--subgraphs", `"a" listed twice`}},
		{args: []string{"serve", "router", "--subgraph-timeout", "soon"}, want: []string{"--subgraph-timeout", "duration"}},
		{args: []string{"serve", "router", "--log-level", "loud"}, want: []string{"--log-level", "loud"}},
		{args: []string{"serve", "router", "--gc-percent", "lots"}, want: []string{"--gc-percent", "integer from -1"}},
		{args: []string{"serve", "router", "--split-depth", "40"}, want: []string{"--split-depth", "40"}},
		{args: []string{"serve", "kitchen"}, want: []string{`"kitchen"`, "catalog"}},
		{args: []string{"seed", "inventory"}, want: []string{`unknown subgraph "inventory"`}},
		{args: []string{"bake"}, want: []string{`unknown command "bake"`}},
		{args: []string{"serve", "catalog", "stray"}, want: []string{"unexpected arguments", "stray"}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			t.Parallel()
			var stderr bytes.Buffer
			err := run(context.Background(), tt.args, func(k string) string { return tt.env[k] }, &bytes.Buffer{}, &stderr)
			if err == nil {
				t.Fatal("run succeeded, want an error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not name %q", err, w)
				}
			}
		})
	}
}

func TestHelpListsSettingsWithTheirEnvironmentVariables(t *testing.T) {
	t.Parallel()
	var stderr bytes.Buffer
	if err := run(context.Background(), []string{"serve", "router", "--help"}, func(string) string { return "" }, &bytes.Buffer{}, &stderr); err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"--listen", "ROUTER_LISTEN", "--subgraphs", "ROUTER_SUBGRAPHS", ":4000"} {
		if !strings.Contains(stderr.String(), w) {
			t.Errorf("help lacks %q:\n%s", w, stderr.String())
		}
	}
}

func TestParseSubgraphList(t *testing.T) {
	t.Parallel()
	list, err := parseSubgraphList(" catalog=http://c:1/graphql , users=https://u/graphql,")
	if err != nil || len(list) != 2 || list[0].Name != "catalog" || list[1].URL != "https://u/graphql" {
		t.Fatalf("parseSubgraphList = %+v, %v", list, err)
	}
	for _, bad := range []string{"", "catalog", "=http://x/g", "catalog=", "c=not a url"} {
		if _, err := parseSubgraphList(bad); err == nil {
			t.Errorf("parseSubgraphList(%q) accepted", bad)
		}
	}
}

func TestLineWriterPrefixesWholeLines(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	p := &prefixWriter{w: &out}
	a, b := p.For("catalog"), p.For("router")
	_, _ = a.Write([]byte("first half "))
	_, _ = b.Write([]byte("router line\n"))
	_, _ = a.Write([]byte("second half\nnext\n"))
	want := "router  | router line\ncatalog | first half second half\ncatalog | next\n"
	if out.String() != want {
		t.Fatalf("output:\n%q\nwant:\n%q", out.String(), want)
	}
}

func TestRouterGCPercentDefaultsTo400UnlessGOGCIsSet(t *testing.T) {
	t.Parallel()
	for env, want := range map[string]int{"": 400, "150": 150, "off": -1, "nonsense": 400} {
		rc, err := loadRouterConfig(nil, func(k string) string {
			if k == "GOGC" {
				return env
			}
			return ""
		}, io.Discard)
		if err != nil {
			t.Fatalf("GOGC=%q: %v", env, err)
		}
		if rc.GCPercent != want {
			t.Errorf("GOGC=%q: gc percent %d, want %d", env, rc.GCPercent, want)
		}
	}
}
