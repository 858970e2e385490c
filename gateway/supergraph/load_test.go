package supergraph

import (
	"os"
	"strings"
	"testing"
)

const benchSupergraph = "../../../shared/bench/gateways-benchmark/schema/supergraph.graphql"

func readBench(t testing.TB) string {
	t.Helper()
	b, err := os.ReadFile(benchSupergraph)
	if err != nil {
		t.Skipf("gateways-benchmark supergraph not available: %v", err)
	}
	return string(b)
}

func TestLoadGatewaysBenchmark(t *testing.T) {
	t.Parallel()
	g, err := Load(readBench(t))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, sg := range g.Subgraphs() {
		names = append(names, sg.Name+"="+sg.URL)
	}
	if got, want := strings.Join(names, ","), "accounts=http://127.0.0.1:4301/accounts,inventory=http://127.0.0.1:4301/inventory,products=http://127.0.0.1:4301/products,reviews=http://127.0.0.1:4301/reviews"; got != want {
		t.Errorf("subgraphs = %s, want %s", got, want)
	}
	product := g.Type("Product")
	if got := len(product.ResolvableKeys("inventory")); got != 1 {
		t.Errorf("Product keys in inventory = %d", got)
	}
	se := product.Fields["shippingEstimate"]
	if src := se.Sources["inventory"]; src == nil || src.RequiresText != "price weight" || len(src.Requires) != 2 {
		t.Errorf("shippingEstimate requires = %+v", src)
	}
	if product.Fields["weight"].ResolvableIn("inventory") {
		t.Error("weight is external in inventory")
	}
	if !product.Fields["upc"].ResolvableIn("reviews") {
		t.Error("upc without join__field must resolve in every subgraph of Product")
	}
	if p := g.Type("Review").Fields["author"].Sources["reviews"]; p.ProvidesText != "username" {
		t.Errorf("author provides = %q", p.ProvidesText)
	}
	if g.API().Types["join__Graph"] != nil || g.API().Types["link__Import"] != nil {
		t.Error("API schema keeps join/link machinery")
	}
	if g.API().Query == nil || g.API().Query.Fields.ForName("topProducts") == nil {
		t.Error("API schema lacks Query.topProducts")
	}
	if strings.Contains(g.APISDL(), "join__") {
		t.Errorf("API SDL mentions join__:\n%s", g.APISDL())
	}
}

func TestLoadErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, sdl, want string
	}{
		{"syntax", "type Query {", "load supergraph"},
		{"no join link", "type Query { a: Int }", "join spec"},
		{"unknown graph", `schema @link(url: "https://specs.apollo.dev/link/v1.0") @link(url: "https://specs.apollo.dev/join/v0.3", for: EXECUTION) { query: Query }
directive @link(url: String, as: String, for: link__Purpose, import: [link__Import]) repeatable on SCHEMA
directive @join__graph(name: String!, url: String!) on ENUM_VALUE
directive @join__type(graph: join__Graph!, key: join__FieldSet, extension: Boolean! = false, resolvable: Boolean! = true, isInterfaceObject: Boolean! = false) repeatable on OBJECT | INTERFACE | UNION | ENUM | INPUT_OBJECT | SCALAR
scalar join__FieldSet
scalar link__Import
enum link__Purpose { SECURITY EXECUTION }
enum join__Graph { A @join__graph(name: "a", url: "http://a") }
type Query @join__type(graph: B) { a: Int }`, `unknown graph "B"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Load(tt.sdl)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want containing %q", err, tt.want)
			}
		})
	}
}

func FuzzLoadSupergraph(f *testing.F) {
	if b, err := os.ReadFile(benchSupergraph); err == nil {
		f.Add(string(b))
	}
	f.Add("type Query { a: Int }")
	f.Add(`schema @link(url: "https://specs.apollo.dev/join/v0.3") { query: Query } enum join__Graph { A @join__graph(name: "a", url: "u") }`)
	f.Fuzz(func(t *testing.T, sdl string) {
		g, err := Load(sdl)
		if err == nil && g.API() == nil {
			t.Fatal("nil API schema without error")
		}
	})
}
