package compose

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const benchSchemaDir = "../../../shared/bench/gateways-benchmark/schema"

// TestGatewaysBenchmarkModel loads the gateways-benchmark supergraph (composed by
// another tool), composes its four subgraph SDLs here, and checks that both give the
// planner the same model.
func TestGatewaysBenchmarkModel(t *testing.T) {
	t.Parallel()
	ref, err := os.ReadFile(filepath.Join(benchSchemaDir, "supergraph.graphql"))
	if err != nil {
		t.Skipf("gateways-benchmark schema not available: %v", err)
	}
	var sgs []Subgraph
	for _, name := range []string{"accounts", "inventory", "products", "reviews"} {
		sdl, err := os.ReadFile(filepath.Join(benchSchemaDir, name+".graphql"))
		if err != nil {
			t.Fatal(err)
		}
		sgs = append(sgs, Subgraph{Name: name, URL: "http://127.0.0.1:4301/" + name, SDL: string(sdl)})
	}
	ours, err := Compose(sgs)
	if err != nil {
		t.Fatal(err)
	}
	if diff := compareSupergraphs(t, string(ref), ours); diff != "" {
		t.Errorf("our composition differs from the benchmark's supergraph:\n%s", diff)
	}
	if !strings.Contains(ours, `@join__field(graph: INVENTORY, requires: "price weight")`) {
		t.Errorf("requires lost:\n%s", ours)
	}
}
