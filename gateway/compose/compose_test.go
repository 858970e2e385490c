package compose

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shopgraph/shopgraph/gateway/supergraph"
)

var update = flag.Bool("update", false, "rewrite golden files")

func loadSet(t *testing.T, dir string) []Subgraph {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", dir, "*.graphql"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no subgraphs in %s: %v", dir, err)
	}
	var out []Subgraph
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		name := strings.TrimSuffix(filepath.Base(f), ".graphql")
		out = append(out, Subgraph{Name: name, URL: "http://" + name + ".local/graphql", SDL: string(b)})
	}
	return out
}

func golden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden (run with -update): %v", err)
	}
	if string(want) != got {
		t.Errorf("%s differs from output (run with -update to accept):\n%s", path, got)
	}
}

func TestComposeGolden(t *testing.T) {
	t.Parallel()
	for _, set := range []string{"shop", "bench"} {
		t.Run(set, func(t *testing.T) {
			t.Parallel()
			sgs := loadSet(t, set)
			out, err := Compose(sgs)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, filepath.Join("testdata", set+".supergraph.graphql"), out)
			// Input order must not matter.
			rev := make([]Subgraph, len(sgs))
			for i := range sgs {
				rev[i] = sgs[len(sgs)-1-i]
			}
			again, err := Compose(rev)
			if err != nil || again != out {
				t.Errorf("composition depends on input order: %v", err)
			}
			if _, err := supergraph.Load(out); err != nil {
				t.Errorf("supergraph does not load: %v", err)
			}
		})
	}
}

func TestComposeShopOwnership(t *testing.T) {
	t.Parallel()
	out, err := Compose(loadSet(t, "shop"))
	if err != nil {
		t.Fatal(err)
	}
	g, err := supergraph.Load(out)
	if err != nil {
		t.Fatal(err)
	}
	pv := g.Type("ProductVariant")
	if f := pv.Fields["shippingEstimate"]; f.Sources["orders"] == nil || f.Sources["orders"].RequiresText != "weight" {
		t.Errorf("shippingEstimate sources = %+v", f.Sources)
	}
	if w := pv.Fields["weight"]; !w.ResolvableIn("catalog") || w.ResolvableIn("orders") {
		t.Errorf("weight should resolve in catalog only")
	}
	if keys := g.Type("Product").ResolvableKeys("catalog"); len(keys) != 2 {
		t.Errorf("Product keys = %d, want 2", len(keys))
	}
	for _, machinery := range []string{"_Service", "_Entity", "_Any", "FieldSet"} {
		if g.Type(machinery) != nil {
			t.Errorf("supergraph keeps %s", machinery)
		}
	}
	if g.API().Query.Fields.ForName("_entities") != nil {
		t.Error("API keeps _entities")
	}
	if f := g.API().Types["User"].Fields.ForName("email"); f == nil || f.Directives.ForName("deprecated") == nil {
		t.Error("User.email lost @deprecated")
	}
}

func TestComposeDirectiveNaming(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, sdl string }{
		{"namespaced", `extend schema @link(url: "https://specs.apollo.dev/federation/v2.0")
type Query { a: A } type A @federation__key(fields: "id") { id: ID! x: Int @federation__shareable }`},
		{"renamed", `extend schema @link(url: "https://specs.apollo.dev/federation/v2.0", import: [{name: "@key", as: "@primaryKey"}, "shareable"])
type Query { a: A } type A @primaryKey(fields: "id") { id: ID! x: Int @shareable }`},
		{"prefix as", `extend schema @link(url: "https://specs.apollo.dev/federation/v2.0", as: "fed")
type Query { a: A } type A @fed__key(fields: "id") { id: ID! x: Int @fed__shareable }`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out, err := Compose([]Subgraph{{Name: "a", URL: "http://a", SDL: tt.sdl}, {Name: "b", URL: "http://b", SDL: `extend schema @link(url: "https://specs.apollo.dev/federation/v2.0", import: ["@key", "@shareable"])
type A @key(fields: "id") { id: ID! x: Int @shareable y: Int }`}})
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(out, `@join__type(graph: A, key: "id")`) {
				t.Errorf("key not recognised:\n%s", out)
			}
		})
	}
}

func TestComposeErrors(t *testing.T) {
	t.Parallel()
	fed := `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@shareable", "@external"])
`
	tests := []struct {
		name       string
		sgs        []Subgraph
		subgraph   string
		coordinate string
		contains   string
	}{
		{
			name: "incompatible field types",
			sgs: []Subgraph{
				{Name: "catalog", SDL: fed + `type Query { p: Product } type Product @key(fields: "id") { id: ID! price: Int @shareable }`},
				{Name: "orders", SDL: fed + `type Product @key(fields: "id") { id: ID! price: String @shareable }`},
			},
			subgraph: "catalog", coordinate: "Product.price", contains: `Int in "catalog", String in "orders"`,
		},
		{
			name:     "parse error",
			sgs:      []Subgraph{{Name: "users", SDL: fed + "type Query {\n  me: User\n  broken(\n}"}},
			subgraph: "users", contains: "invalid SDL",
		},
		{
			name: "non shareable",
			sgs: []Subgraph{
				{Name: "a", SDL: fed + `type Query { p: Product } type Product @key(fields: "id") { id: ID! name: String }`},
				{Name: "b", SDL: fed + `type Product @key(fields: "id") { id: ID! name: String }`},
			},
			subgraph: "a", coordinate: "Product.name", contains: "defined as non-shareable in \"a\"",
		},
		{
			name: "kind mismatch",
			sgs: []Subgraph{
				{Name: "a", SDL: fed + `type Query { x: X } type X { id: ID }`},
				{Name: "b", SDL: fed + `interface X { id: ID }`},
			},
			subgraph: "a", coordinate: "X", contains: "mismatched kind",
		},
		{
			name:       "all external",
			sgs:        []Subgraph{{Name: "a", SDL: `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@external", "@requires"]) type Query { x: X } type X @key(fields: "id") { id: ID! w: Int @external e: Int @requires(fields: "w") }`}},
			subgraph:   "a",
			coordinate: "X.w", contains: "@external on all the subgraphs",
		},
		{
			name:       "unknown type",
			sgs:        []Subgraph{{Name: "a", SDL: fed + `type Query { x: Missing }`}},
			subgraph:   "a",
			coordinate: "Query.x", contains: `unknown type "Missing"`,
		},
		{
			name:     "duplicate name",
			sgs:      []Subgraph{{Name: "a", SDL: fed + `type Query { x: Int }`}, {Name: "a", SDL: fed + `type Query { y: Int }`}},
			subgraph: "a", contains: "used twice",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Compose(tt.sgs)
			var errs Errors
			if !errors.As(err, &errs) {
				t.Fatalf("err = %v, want Errors", err)
			}
			for _, e := range errs {
				if e.Subgraph == tt.subgraph && e.Coordinate == tt.coordinate && strings.Contains(e.Message, tt.contains) {
					if tt.name == "parse error" && len(e.Locations) == 0 {
						t.Errorf("parse error without location: %v", e)
					}
					return
				}
			}
			t.Fatalf("no error [%s] %s containing %q in:\n%v", tt.subgraph, tt.coordinate, tt.contains, err)
		})
	}
}
