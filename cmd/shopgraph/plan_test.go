package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPlanCommand(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	q := filepath.Join(dir, "q.graphql")
	if err := os.WriteFile(q, []byte(`query($s: Boolean!) { me { id name @include(if: $s) } }`), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"plan", "--supergraph", "../../gateway/compose/testdata/shop.supergraph.graphql", "--variables", `{"s":true}`, q}, os.Getenv, &out, &errOut)
	if err != nil {
		t.Fatalf("plan: %v (%s)", err, errOut.String())
	}
	if !strings.HasPrefix(out.String(), "QueryPlan {") || !strings.Contains(out.String(), "name") {
		t.Errorf("output:\n%s", out.String())
	}
	if err := run(context.Background(), []string{"plan", q}, os.Getenv, &out, &errOut); err == nil {
		t.Error("plan without --supergraph succeeded")
	}
}
