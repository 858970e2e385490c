package plan

import (
	"os"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/shopgraph/shopgraph/gateway/supergraph"
)

// TestPlanContextGolden plans operations that select fields with contextual
// arguments over the compose corpus's context supergraphs: each such field
// gets an entity fetch of its own whose variables are read from the nearest
// ancestor that sets the context.
func TestPlanContextGolden(t *testing.T) {
	t.Parallel()
	corpus := func(name string) string { return "../compose/testdata/corpus/" + name + ".supergraph.graphql" }
	tests := []struct {
		name, supergraph, query string
	}{
		// Product.price in shop with a parent from shop: still through _entities.
		{"context_object", "context_object", `{ stores { id products { id price(withTax: true) } } }`},
		// The client selects the context's field itself: it is not aliased.
		{"context_object_client_field", "context_object", `{ stores { currency products { price } } }`},
		// The context from an interface, and a field beside it from another subgraph.
		{"context_interface", "context_interface", `{ venues { events { title startsAt } } }`},
		// A union's context, read per member through its own fragment.
		{"context_union", "context_union", `{ owners { ... on Person { pets { greeting } } ... on Company { pets { greeting } } } }`},
		// Two types set the context; the nearest on each path is used.
		{"context_two_types", "context_two_types", `{ shelves { items { label weight } } bins { items { label } } }`},
		// Two contextual arguments read through nested objects, sharing an ancestor.
		{"context_nested", "context_nested_selection", `{ teams { members { tasks { summary } } } }`},
		// The context's field is resolved by another subgraph: fetched there first.
		{"context_external", "context_external", `{ stores { shelf { note } } }`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			g := loadGraph(t, corpus(tt.supergraph))
			pl, _, err := NewPlanner(g, 16).Plan(tt.query, "", nil)
			if err != nil {
				t.Fatal(err)
			}
			checkGoldenPlan(t, tt.name, pl)
			if !strings.Contains(pl.String(), "$__ctx_0") {
				t.Errorf("no contextual variable in the plan")
			}
		})
	}
}

// TestPlanContextNotOnPath: a supergraph written by hand where a field with a
// contextual argument is reachable without an ancestor that sets its context
// (composition refuses it as unsatisfiable) fails to plan with a clear error
// instead of sending the argument without a value.
func TestPlanContextNotOnPath(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("../compose/testdata/corpus/context_object.supergraph.graphql")
	if err != nil {
		t.Fatal(err)
	}
	sdl := strings.Replace(string(b), "stores: [Store!]! @join__field(graph: SHOP)", "stores: [Store!]! @join__field(graph: SHOP)\n  product: Product @join__field(graph: SHOP)", 1)
	if sdl == string(b) {
		t.Fatal("could not add Query.product")
	}
	g, err := supergraph.Load(sdl)
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = NewPlanner(g, 16).Plan(`{ product { id price } }`, "", nil)
	if err == nil || !strings.Contains(err.Error(), `takes context "shop__store", which no type above it on the path sets`) {
		t.Fatalf("err = %v", err)
	}
	if _, _, err := NewPlanner(g, 16).Plan(`{ stores { products { price } } product { id } }`, "", nil); err != nil {
		t.Fatalf("a path with the context fails too: %v", err)
	}
}

// FuzzPlanContext plans operations over a supergraph whose contexts come from
// an interface and whose contextual field's type has fields elsewhere: every
// fetch must parse, and every contextual fetch must declare and use its
// variables and read them from an ancestor on its own path.
func FuzzPlanContext(f *testing.F) {
	g := loadGraph(f, "../compose/testdata/corpus/context_interface.supergraph.graphql")
	for _, seed := range []string{
		`{ venues { events { title startsAt } } }`,
		`{ venues { ... on Theatre { seats events { title } } ... on Stadium { events { id title } } } }`,
		`query($s: Boolean!) { venues { locale events { t: title @skip(if: $s) title } } }`,
		`{ venues { events { title } e2: events { title startsAt } } }`,
		`{ venues { __typename id } }`,
	} {
		f.Add(seed, true)
	}
	f.Fuzz(func(t *testing.T, query string, flag bool) {
		pl, _, err := NewPlanner(g, 4).Plan(query, "", map[string]any{"s": flag})
		if err != nil {
			return
		}
		var check func(n Node, paths []Path)
		check = func(n Node, paths []Path) {
			switch n := n.(type) {
			case *Sequence:
				for _, c := range n.Nodes {
					check(c, nil)
				}
			case *Parallel:
				for _, c := range n.Nodes {
					check(c, nil)
				}
			case *Condition:
				if n.If != nil {
					check(n.If, nil)
				}
				if n.Else != nil {
					check(n.Else, nil)
				}
			case *Flatten:
				check(n.Fetch, n.Paths)
			case *Fetch:
				if _, err := parser.ParseQuery(&ast.Source{Input: n.Operation}); err != nil {
					t.Fatalf("fetch %d operation %q does not parse: %v", n.ID, n.Operation, err)
				}
				if n.Context == nil {
					return
				}
				if len(paths) != 1 {
					t.Fatalf("contextual fetch %d at %d paths", n.ID, len(paths))
				}
				for _, a := range n.Context.Arguments {
					if a.Ancestor >= len(paths[0]) || !strings.Contains(n.Operation, "$"+a.Variable+":"+a.Type) || !strings.Contains(n.Context.Selection, "$"+a.Variable) {
						t.Fatalf("contextual variable %+v of fetch %d at %s:\n%s", a, n.ID, paths[0], pl)
					}
				}
			}
		}
		if pl.Root != nil {
			check(pl.Root, nil)
		}
	})
}
