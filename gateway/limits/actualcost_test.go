package limits

import (
	"fmt"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"

	"github.com/shopgraph/shopgraph/gateway/supergraph"
)

// abstractSupergraph adds a union and an interface to weigh fragments by the
// concrete type an answer names.
const abstractSupergraph = `
schema
  @link(url: "https://specs.apollo.dev/link/v1.0")
  @link(url: "https://specs.apollo.dev/join/v0.3", for: EXECUTION)
  @link(url: "https://specs.apollo.dev/cost/v0.1", import: ["@listSize"])
{
  query: Query
}
directive @join__field(graph: join__Graph, requires: join__FieldSet, provides: join__FieldSet, type: String, external: Boolean, override: String, usedOverridden: Boolean) repeatable on FIELD_DEFINITION | INPUT_FIELD_DEFINITION
directive @join__graph(name: String!, url: String!) on ENUM_VALUE
directive @join__type(graph: join__Graph!, key: join__FieldSet, extension: Boolean! = false, resolvable: Boolean! = true, isInterfaceObject: Boolean! = false) repeatable on OBJECT | INTERFACE | UNION | ENUM | INPUT_OBJECT | SCALAR
directive @join__implements(graph: join__Graph!, interface: String!) repeatable on OBJECT | INTERFACE
directive @join__unionMember(graph: join__Graph!, member: String!) repeatable on UNION
directive @link(url: String, as: String, for: link__Purpose, import: [link__Import]) repeatable on SCHEMA
directive @cost(weight: Int!) on ARGUMENT_DEFINITION | ENUM | FIELD_DEFINITION | INPUT_FIELD_DEFINITION | OBJECT | SCALAR
directive @listSize(assumedSize: Int, slicingArguments: [String!], sizedFields: [String!], requireOneSlicingArgument: Boolean = true) on FIELD_DEFINITION
scalar join__FieldSet
scalar link__Import
enum link__Purpose { SECURITY EXECUTION }
enum join__Graph { A @join__graph(name: "a", url: "http://127.0.0.1:1/graphql") }

type Query @join__type(graph: A) {
  results: [Result!]! @listSize(assumedSize: 5)
}
union Result @join__type(graph: A) @join__unionMember(graph: A, member: "Book") @join__unionMember(graph: A, member: "Film") = Book | Film
type Book @join__type(graph: A) { title: String author: Person @cost(weight: 4) }
type Film @join__type(graph: A) { title: String cast: [Person!]! }
type Person @join__type(graph: A) { name: String }
`

func TestActualCost(t *testing.T) {
	t.Parallel()
	g := loadGraph(t)
	cfg := Config{}.WithDefaults()
	tests := []struct {
		name     string
		query    string
		vars     map[string]any
		response string
		want     int
	}{
		{"leaves are free, @cost counts", `{ expensive product(id: "1") { id name } }`,
			nil, `{"data":{"expensive":3,"product":{"id":"1","name":"x"}}}`, 25 + 1},
		{"a list counts the items returned", `{ product(id: "1") { variants { sku } } }`,
			nil, `{"data":{"product":{"variants":[{"sku":"a"},{"sku":"b"},{"sku":"c"}]}}}`, 1 + 3},
		{"an empty list costs nothing", `{ product(id: "1") { variants { sku } } }`,
			nil, `{"data":{"product":{"variants":[]}}}`, 1},
		{"a connection counts its real edges", `{ products(first: 7) { totalCount edges { cursor node { id } } } }`,
			nil, `{"data":{"products":{"totalCount":2,"edges":[{"cursor":"a","node":{"id":"1"}},{"cursor":"b","node":{"id":"2"}}]}}}`, 1 + 2*2},
		{"@cost on the list's type weighs each item", `{ product(id: "1") { reviews(first: 2) { rating } } }`,
			nil, `{"data":{"product":{"reviews":[{"rating":5}]}}}`, 1 + 3},
		{"a null object weighs itself without children", `{ product(id: "1") { variants { sku } } }`,
			nil, `{"data":{"product":null}}`, 1},
		{"null data costs nothing", `{ product(id: "1") { id } }`,
			nil, `{"data":null,"errors":[{"message":"boom"}]}`, 0},
		{"no data costs nothing", `{ product(id: "1") { id } }`,
			nil, `{"errors":[{"message":"boom"}]}`, 0},
		{"aliases count each", `{ a: product(id: "1") { id } b: product(id: "2") { id } }`,
			nil, `{"data":{"a":{"id":"1"},"b":{"id":"2"}}}`, 2},
		{"a key selected twice counts once", `{ product(id: "1") { ...F ...F variants { id } } } fragment F on Product { variants { sku } }`,
			nil, `{"data":{"product":{"variants":[{"sku":"a","id":"1"}]}}}`, 1 + 1},
		{"skipped fields are not looked for", `query Q($on: Boolean!) { product(id: "1") { variants @include(if: $on) { id } } }`,
			map[string]any{"on": false}, `{"data":{"product":{}}}`, 1},
		{"nested entities", nested(1),
			nil, `{"data":{"product":{"variants":[{"product":{"id":"1"}},{"product":{"id":"1"}}]}}}`, 1 + 2*(1+1)},
		{"whitespace and escapes", `{ product(id: "1") { name variants { sku } } }`,
			nil, "{ \"data\" : { \"product\" : { \"name\" : \"a \\\"}]\" , \"variants\" : [ { \"sku\" : \"x\" } , null ] } } }", 1 + 2},
		{"mutation root weighs @cost of its type", `mutation { addReview(rating: 5) { rating } }`,
			nil, `{"data":{"addReview":{"rating":5}}}`, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, op := parseValid(t, g, tt.query)
			got, err := cfg.ActualCost(g, doc, op, tt.vars, []byte(tt.response))
			if err != nil {
				t.Fatalf("ActualCost: %v", err)
			}
			if got != tt.want {
				t.Errorf("ActualCost(%s) = %d, want %d", tt.query, got, tt.want)
			}
		})
	}
}

// TestActualCostByConcreteType: fragments on a union weigh by the type each
// item names in __typename; without __typename only the fields present weigh.
func TestActualCostByConcreteType(t *testing.T) {
	t.Parallel()
	g, err := supergraph.Load(abstractSupergraph)
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{}.WithDefaults()
	books := `{"__typename":"Book","title":"t","author":{"name":"a"}}`
	films := `{"__typename":"Film","title":"f","cast":[{"name":"x"},{"name":"y"},{"name":"z"}]}`
	const q = `{ results { __typename ... on Book { author { name } } ... on Film { cast { name } } } }`
	doc, op := parseValid(t, g, q)
	// results: 2 items of weight 1; the book's author weighs 4, the film's cast 3.
	resp := `{"data":{"results":[` + books + `,` + films + `]}}`
	if got, err := cfg.ActualCost(g, doc, op, nil, []byte(resp)); err != nil || got != 2+4+3 {
		t.Errorf("ActualCost = %d, %v; want %d", got, err, 2+4+3)
	}
	if est := cfg.Cost(g, doc, op, nil); est != 5*(1+4+10) {
		t.Errorf("Cost = %d, want %d", est, 5*(1+4+10))
	}
	// The same answer shape without __typename: the fields present decide.
	const q2 = `{ results { ... on Book { author { name } } ... on Film { cast { name } } } }`
	doc, op = parseValid(t, g, q2)
	resp = `{"data":{"results":[{"author":{"name":"a"}},{"cast":[{"name":"x"}]}]}}`
	if got, err := cfg.ActualCost(g, doc, op, nil, []byte(resp)); err != nil || got != 2+4+1 {
		t.Errorf("ActualCost without __typename = %d, %v; want %d", got, err, 2+4+1)
	}
}

// TestActualCostNeverAboveTheEstimate: when every list is as long as the
// estimate assumes, both agree; shorter lists cost less.
func TestActualCostNeverAboveTheEstimate(t *testing.T) {
	t.Parallel()
	g := loadGraph(t)
	cfg := Config{DefaultListSize: 3}.WithDefaults()
	doc, op := parseValid(t, g, `{ product(id: "1") { variants { sku product { variants { id } } } } }`)
	variants := func(n int, inner string) string {
		items := make([]string, n)
		for i := range items {
			items[i] = inner
		}
		return "[" + strings.Join(items, ",") + "]"
	}
	full := `{"data":{"product":{"variants":` + variants(3, `{"sku":"s","product":{"variants":`+variants(3, `{"id":"1"}`)+`}}`) + `}}}`
	est := cfg.Cost(g, doc, op, nil)
	got, err := cfg.ActualCost(g, doc, op, nil, []byte(full))
	if err != nil || got != est {
		t.Fatalf("full lists: ActualCost = %d, %v; want the estimate %d", got, err, est)
	}
	short := `{"data":{"product":{"variants":` + variants(2, `{"sku":"s","product":{"variants":[]}}`) + `}}}`
	if got, err := cfg.ActualCost(g, doc, op, nil, []byte(short)); err != nil || got >= est || got != 1+2*(1+1) {
		t.Fatalf("short lists: ActualCost = %d, %v; want %d", got, err, 1+2*(1+1))
	}
}

func TestActualCostRefusesMalformedJSON(t *testing.T) {
	t.Parallel()
	g := loadGraph(t)
	doc, op := parseValid(t, g, `{ product(id: "1") { variants { sku } } }`)
	for _, resp := range []string{`{"data":{"product":{"variants":[{"sku":"a"}`, `{"data":{"product" 1}}`, `[1]`} {
		if _, err := (Config{}).WithDefaults().ActualCost(g, doc, op, nil, []byte(resp)); err == nil {
			t.Errorf("ActualCost(%s): no error", resp)
		}
	}
}

// BenchmarkActualCost measures the scan on an answer of about 1 MiB: 5,000
// variants with a nested product each.
func BenchmarkActualCost(b *testing.B) {
	g, err := loadGraphFor(b)
	if err != nil {
		b.Fatal(err)
	}
	doc, op, err := parseForBench(g, `{ product(id: "1") { name variants { id sku product { id name } } } }`)
	if err != nil {
		b.Fatal(err)
	}
	var sb strings.Builder
	sb.WriteString(`{"data":{"product":{"name":"p","variants":[`)
	for i := range 5000 {
		if i > 0 {
			sb.WriteByte(',')
		}
		fmt.Fprintf(&sb, `{"id":"variant-%06d","sku":"SKU-%06d-with-some-length-to-it","product":{"id":"product-%06d","name":"A product name of ordinary length, with words in it %d"}}`, i, i, i, i)
	}
	sb.WriteString(`]}}}`)
	resp := []byte(sb.String())
	cfg := Config{}.WithDefaults()
	b.SetBytes(int64(len(resp)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := cfg.ActualCost(g, doc, op, nil, resp); err != nil {
			b.Fatal(err)
		}
	}
}

func parseForBench(g *supergraph.Graph, query string) (*ast.QueryDocument, *ast.OperationDefinition, error) {
	doc, err := parser.ParseQuery(&ast.Source{Input: query})
	if err != nil {
		return nil, nil, err
	}
	if errs := validator.Validate(g.API(), doc); len(errs) > 0 {
		return nil, nil, errs
	}
	return doc, doc.Operations[0], nil
}

// FuzzActualCost: whatever bytes stand for the response, the walk ends
// without panicking, and never reports a negative cost.
func FuzzActualCost(f *testing.F) {
	g, err := loadGraphFor(f)
	if err != nil {
		f.Fatal(err)
	}
	doc, op, err := parseForBench(g, `{ product(id: "1") { name variants { sku product { id } } reviews(first: 2) { rating } } }`)
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range []string{
		`{"data":{"product":{"name":"a","variants":[{"sku":"s","product":{"id":"1"}}],"reviews":[{"rating":1}]}}}`,
		`{"data":null}`, `{"errors":[]}`, `{"data":{"product":{"variants":[null,{"sku":"\"]}"}]}}}`, `{`, `{"data":[`, `null`,
	} {
		f.Add([]byte(seed))
	}
	cfg := Config{}.WithDefaults()
	f.Fuzz(func(t *testing.T, resp []byte) {
		if n, _ := cfg.ActualCost(g, doc, op, nil, resp); n < 0 {
			t.Fatalf("negative cost %d", n)
		}
	})
}
