package compose

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzCompose composes a fuzzed subgraph SDL beside a fixed one: composition must
// return a supergraph that loads or Errors with a code, never panic or hang.
func FuzzCompose(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "corpus", "*.graphqls"))
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		for _, sg := range splitSubgraphs(string(b)) {
			f.Add(sg.SDL)
		}
	}
	f.Add("")
	f.Add("type Query { a: A } type A @key(fields: \"{{{\") { id: ID }")
	fixed := Subgraph{Name: "fixed", URL: "http://fixed", SDL: `extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@shareable"])
type Query { fixed: Product }
type Product @key(fields: "id") { id: ID! name: String @shareable }`}
	f.Fuzz(func(t *testing.T, sdl string) {
		out, err := Compose([]Subgraph{fixed, {Name: "fuzzed", URL: "http://fuzzed", SDL: sdl}})
		if err != nil {
			var errs Errors
			if !errors.As(err, &errs) || len(errs) == 0 {
				t.Fatalf("error is not Errors: %v", err)
			}
			for _, e := range errs {
				if e.Code == "" || e.Message == "" {
					t.Fatalf("error without code or message: %#v", e)
				}
			}
			return
		}
		if out == "" {
			t.Fatal("empty supergraph without error")
		}
	})
}

// FuzzParseConfig parses fuzzed supergraph configs: an error or a valid config.
func FuzzParseConfig(f *testing.F) {
	if b, err := os.ReadFile(filepath.Join("..", "..", "supergraph.yaml")); err == nil {
		f.Add(string(b))
	}
	f.Add("subgraphs: {a: {routing_url: 'http://a', schema: {file: a.graphql}}}")
	f.Add("federation_version: 1\n")
	f.Fuzz(func(t *testing.T, raw string) {
		cfg, err := ParseConfig([]byte(raw))
		if err == nil && len(cfg.Subgraphs) == 0 {
			t.Fatal("config without subgraphs accepted")
		}
	})
}
