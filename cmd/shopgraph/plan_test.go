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

func TestPlanCommandSplitDepth(t *testing.T) {
	t.Parallel()
	const wl = "../../../shared/bench/gateways-benchmark"
	if _, err := os.Stat(wl); err != nil {
		t.Skipf("gateways-benchmark workload: %v", err)
	}
	fetches := func(args ...string) int {
		t.Helper()
		var out, errOut bytes.Buffer
		args = append([]string{"plan", "--supergraph", wl + "/schema/supergraph.graphql"}, args...)
		if err := run(context.Background(), append(args, wl+"/query.json"), os.Getenv, &out, &errOut); err != nil {
			t.Fatalf("plan %v: %v (%s)", args, err, errOut.String())
		}
		return strings.Count(out.String(), "Fetch(")
	}
	// The benchmark's reviews walk is cut once at Review.product by default.
	if got, off := fetches(), fetches("--split-depth", "0"); got != off+1 || got != 7 {
		t.Errorf("fetches: default %d, --split-depth 0 %d; want 7 and 6", got, off)
	}
	var errOut bytes.Buffer
	if err := run(context.Background(), []string{"plan", "--supergraph", wl + "/schema/supergraph.graphql", "--split-depth", "-2", wl + "/query.json"}, os.Getenv, &bytes.Buffer{}, &errOut); err == nil {
		t.Error("plan --split-depth -2 succeeded")
	}
}
