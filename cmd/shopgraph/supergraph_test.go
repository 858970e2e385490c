package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSupergraphIsFresh composes supergraph.yaml and compares the result with the
// checked-in schema/supergraph.graphql, so that a subgraph schema change without
// `make generate` fails the tests.
func TestSupergraphIsFresh(t *testing.T) {
	t.Parallel()
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"compose", "--config", filepath.Join("..", "..", "supergraph.yaml")}, noEnv, &out, &errOut); err != nil {
		t.Fatalf("shopgraph compose: %v\n%s", err, errOut.String())
	}
	want, err := os.ReadFile(filepath.Join("..", "..", "schema", "supergraph.graphql"))
	if err != nil {
		t.Fatalf("schema/supergraph.graphql: %v (run make generate)", err)
	}
	if got := out.String(); got != string(want) {
		t.Errorf("schema/supergraph.graphql is stale; run make generate. First difference:\n%s", firstDifference(string(want), got))
	}
}

// TestComposeCommandErrors checks that composition errors go to stderr, one per
// line with their rule, and fail the command.
func TestComposeCommandErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	fed := `extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])` + "\n"
	files := map[string]string{
		"a.graphql": fed + `type Query { p: Product } type Product @key(fields: "id") { id: ID! name: String sku: String }`,
		"b.graphql": fed + `type Product @key(fields: "id") { id: ID! name: Int sku: String }`,
		"supergraph.yaml": `federation_version: =2.7.1
subgraphs:
  a:
    routing_url: http://127.0.0.1:1/graphql
    schema: {file: a.graphql}
  b:
    routing_url: http://127.0.0.1:2/graphql
    schema: {file: b.graphql}
`,
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"compose", "--config", filepath.Join(dir, "supergraph.yaml")}, noEnv, &out, &errOut)
	if err == nil {
		t.Fatal("compose succeeded, want an error")
	}
	if out.Len() != 0 {
		t.Errorf("stdout = %q, want nothing", out.String())
	}
	for _, want := range []string{"FIELD_TYPE_MISMATCH", "INVALID_FIELD_SHARING", "Product.name", "Product.sku"} {
		if !strings.Contains(errOut.String(), want) {
			t.Errorf("stderr lacks %s:\n%s", want, errOut.String())
		}
	}
}

func firstDifference(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return fmt.Sprintf("line %d:\n  checked in: %s\n  composed:   %s", i+1, w, g)
		}
	}
	return "(none)"
}
