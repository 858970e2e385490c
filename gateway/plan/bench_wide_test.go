package plan

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/shopgraph/shopgraph/gateway/compose"
	"github.com/shopgraph/shopgraph/gateway/supergraph"
)

// The planner's worst common case: seven subgraphs whose every type is an
// entity resolvable everywhere, each subgraph holding a few fields of every
// type, and an operation of about 1,700 lines that selects every field of a
// tree of objects. Every object needs all seven subgraphs, every subgraph
// could be the way in to any of them, and shared fields (name in all seven,
// each reference in two) can come from several: the planner has the most
// choices to weigh.

const (
	wideSubgraphs = 7
	wideTypes     = 12
	wideDepth     = 4 // levels of references below the root object
	wideBranching = 3 // references followed per object
)

// wideSupergraph composes the seven subgraphs.
func wideSupergraph(tb testing.TB) *supergraph.Graph {
	tb.Helper()
	var inputs []compose.Subgraph
	for s := range wideSubgraphs {
		var b strings.Builder
		b.WriteString(`extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@shareable"])` + "\n")
		if s == 0 {
			b.WriteString("type Query { root: T0 }\n")
		}
		for t := range wideTypes {
			fmt.Fprintf(&b, "type T%d @key(fields: \"id\") {\n  id: ID!\n", t)
			fmt.Fprintf(&b, "  name: String @shareable\n  s%da: String\n  s%db: Int\n  s%dc: Float\n", s, s, s)
			// Two subgraphs hold each reference: ref k of type t lives in
			// subgraphs (t+k) % 7 and (t+k+3) % 7.
			for k := range wideBranching + 1 {
				if (t+k)%wideSubgraphs == s || (t+k+3)%wideSubgraphs == s {
					fmt.Fprintf(&b, "  r%d: T%d @shareable\n", k, (t+k+1)%wideTypes)
				}
			}
			b.WriteString("}\n")
		}
		inputs = append(inputs, compose.Subgraph{Name: "s" + strconv.Itoa(s), URL: "http://s" + strconv.Itoa(s) + ".local/graphql", SDL: b.String()})
	}
	sdl, err := compose.Compose(inputs)
	if err != nil {
		tb.Fatal(err)
	}
	g, err := supergraph.Load(sdl)
	if err != nil {
		tb.Fatal(err)
	}
	return g
}

// wideQuery selects fields of every subgraph on each object of a tree, one
// field per line.
func wideQuery() string {
	var b strings.Builder
	var object func(t, depth int, indent string)
	object = func(t, depth int, indent string) {
		b.WriteString(indent + "id\n" + indent + "name\n")
		for s := range wideSubgraphs {
			fmt.Fprintf(&b, "%ss%da\n", indent, s)
			if s%2 == 0 {
				fmt.Fprintf(&b, "%ss%db\n", indent, s)
			}
		}
		if depth == wideDepth {
			return
		}
		for k := range wideBranching {
			fmt.Fprintf(&b, "%sr%d {\n", indent, k)
			object((t+k+1)%wideTypes, depth+1, indent+"  ")
			b.WriteString(indent + "}\n")
		}
	}
	b.WriteString("query Wide {\n  root {\n")
	object(0, 0, "    ")
	b.WriteString("  }\n}\n")
	return b.String()
}

func BenchmarkPlanWide(b *testing.B) {
	g := wideSupergraph(b)
	q := wideQuery()
	p := NewPlanner(g, 1)
	pl, _, err := p.Plan(q, "", nil)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(strings.Count(q, "\n")), "lines")
	b.ReportMetric(float64(len(pl.Fetches)), "fetches")
	b.Run("cold", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			if _, _, err := p.Plan(q+" #"+strconv.Itoa(i), "", nil); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// TestPlanWide: the wide operation plans, every object's fields from all
// seven subgraphs, with fewer fetches than one per object and subgraph.
func TestPlanWide(t *testing.T) {
	g := wideSupergraph(t)
	q := wideQuery()
	pl, _, err := NewPlanner(g, 1).Plan(q, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	objects := 0
	for d, n := 0, 1; d <= wideDepth; d, n = d+1, n*wideBranching {
		objects += n
	}
	lines := strings.Count(q, "\n")
	if lines < 1600 {
		t.Fatalf("the operation has %d lines, want about 1,700", lines)
	}
	if len(pl.Fetches) >= objects*wideSubgraphs {
		t.Errorf("%d fetches for %d objects over %d subgraphs: entity fetches are not shared", len(pl.Fetches), objects, wideSubgraphs)
	}
	t.Logf("%d lines, %d objects, %d fetches", lines, objects, len(pl.Fetches))
}
