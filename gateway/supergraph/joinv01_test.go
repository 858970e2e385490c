package supergraph

import (
	"slices"
	"testing"
)

// fed1Supergraph is a join v0.1 supergraph as Federation 1 composers wrote it.
const fed1Supergraph = `
schema
  @core(feature: "https://specs.apollo.dev/core/v0.1")
  @core(feature: "https://specs.apollo.dev/join/v0.1", for: EXECUTION)
{
  query: Query
}
directive @core(feature: String!, as: String, for: core__Purpose) repeatable on SCHEMA
directive @join__field(graph: join__Graph, requires: join__FieldSet, provides: join__FieldSet) on FIELD_DEFINITION
directive @join__type(graph: join__Graph!, key: join__FieldSet) repeatable on OBJECT | INTERFACE
directive @join__owner(graph: join__Graph!) on OBJECT | INTERFACE
directive @join__graph(name: String!, url: String!) on ENUM_VALUE
enum core__Purpose { EXECUTION SECURITY }
scalar join__FieldSet
enum join__Graph {
  A @join__graph(name: "a", url: "http://a")
  B @join__graph(name: "b", url: "http://b")
}
type Money { amount: Int }
type Product @join__owner(graph: A) @join__type(graph: A, key: "id") @join__type(graph: B, key: "id") {
  id: ID! @join__field(graph: A)
  name: String
  price: Money
  stock: Int @join__field(graph: B, requires: "name")
}
type Query {
  products: [Product] @join__field(graph: A)
}
`

// TestLoadJoinV01: owner fields belong to the owner only, key fields to every
// subgraph with the key, value types and types without @join__type to every
// subgraph; @core, @join__owner and core__Purpose stay out of the API schema.
func TestLoadJoinV01(t *testing.T) {
	t.Parallel()
	g, err := Load(fed1Supergraph)
	if err != nil {
		t.Fatal(err)
	}
	p := g.Type("Product")
	for field, want := range map[string][]string{"id": {"a", "b"}, "name": {"a"}, "price": {"a"}, "stock": {"b"}} {
		if got := p.Fields[field].SourceNames; !slices.Equal(got, want) {
			t.Errorf("Product.%s sources = %v, want %v", field, got, want)
		}
	}
	if got := g.Type("Money").Fields["amount"].SourceNames; !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("Money.amount sources = %v, want both subgraphs", got)
	}
	if src := p.Fields["stock"].Sources["b"]; src == nil || src.RequiresText != "name" {
		t.Errorf("Product.stock in b: %+v, want requires name", src)
	}
	api := g.API()
	for _, name := range []string{"core__Purpose", "join__Graph", "join__FieldSet"} {
		if api.Types[name] != nil {
			t.Errorf("the API schema has %s", name)
		}
	}
	for _, name := range []string{"core", "join__owner", "join__type"} {
		if _, ok := api.Directives[name]; ok {
			t.Errorf("the API schema has @%s", name)
		}
	}
}
