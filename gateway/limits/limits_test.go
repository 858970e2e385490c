package limits

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"

	"github.com/shopgraph/shopgraph/gateway/supergraph"
)

// testSupergraph is a small supergraph with a connection, plain lists, a list
// sized by @listSize and weights set by @cost.
const testSupergraph = `
schema
  @link(url: "https://specs.apollo.dev/link/v1.0")
  @link(url: "https://specs.apollo.dev/join/v0.3", for: EXECUTION)
  @link(url: "https://specs.apollo.dev/cost/v0.1", import: ["@cost", "@listSize"])
{
  query: Query
  mutation: Mutation
}
directive @join__field(graph: join__Graph, requires: join__FieldSet, provides: join__FieldSet, type: String, external: Boolean, override: String, usedOverridden: Boolean) repeatable on FIELD_DEFINITION | INPUT_FIELD_DEFINITION
directive @join__graph(name: String!, url: String!) on ENUM_VALUE
directive @join__type(graph: join__Graph!, key: join__FieldSet, extension: Boolean! = false, resolvable: Boolean! = true, isInterfaceObject: Boolean! = false) repeatable on OBJECT | INTERFACE | UNION | ENUM | INPUT_OBJECT | SCALAR
directive @link(url: String, as: String, for: link__Purpose, import: [link__Import]) repeatable on SCHEMA
directive @cost(weight: Int!) on ARGUMENT_DEFINITION | ENUM | FIELD_DEFINITION | INPUT_FIELD_DEFINITION | OBJECT | SCALAR
directive @listSize(assumedSize: Int, slicingArguments: [String!], sizedFields: [String!], requireOneSlicingArgument: Boolean = true) on FIELD_DEFINITION
scalar join__FieldSet
scalar link__Import
enum link__Purpose { SECURITY EXECUTION }
enum join__Graph { A @join__graph(name: "a", url: "http://127.0.0.1:1/graphql") }

type Query @join__type(graph: A) {
  product(id: ID!): Product
  products(first: Int, after: String): ProductConnection!
  search(take: Int): [Product!]! @listSize(slicingArguments: ["take"])
  featured: [Product!]! @listSize(assumedSize: 4)
  expensive: Int @cost(weight: 25)
}
type Mutation @join__type(graph: A) {
  addReview(rating: Int!): Review
}
type ProductConnection @join__type(graph: A) {
  edges: [ProductEdge!]!
  nodes: [Product!]!
  totalCount: Int!
}
type ProductEdge @join__type(graph: A) {
  cursor: String!
  node: Product!
}
type Product @join__type(graph: A, key: "id") {
  id: ID!
  name: String!
  variants: [Variant!]!
  reviews(first: Int): [Review!]!
  grid: [[Int!]!]!
}
type Variant @join__type(graph: A, key: "id") {
  id: ID!
  sku: String!
  product: Product!
}
type Review @join__type(graph: A) @cost(weight: 3) {
  rating: Int!
}
`

func loadGraph(t *testing.T) *supergraph.Graph {
	t.Helper()
	g, err := loadGraphFor(t)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func loadGraphFor(tb testing.TB) (*supergraph.Graph, error) {
	tb.Helper()
	g, err := supergraph.Load(testSupergraph)
	if err != nil {
		return nil, fmt.Errorf("load supergraph: %w", err)
	}
	return g, nil
}

func parse(t *testing.T, query string) (*ast.QueryDocument, *ast.OperationDefinition) {
	t.Helper()
	doc, err := parser.ParseQuery(&ast.Source{Input: query})
	if err != nil {
		t.Fatalf("parse %q: %v", query, err)
	}
	return doc, doc.Operations[0]
}

func parseValid(t *testing.T, g *supergraph.Graph, query string) (*ast.QueryDocument, *ast.OperationDefinition) {
	t.Helper()
	doc, op := parse(t, query)
	if errs := validator.Validate(g.API(), doc); len(errs) > 0 {
		t.Fatalf("validate %q: %v", query, errs)
	}
	return doc, op
}

// nested returns product { variants { product { variants ... } } } with levels
// variants/product pairs.
func nested(levels int) string {
	return `{ product(id: "1") { ` + strings.Repeat("variants { product { ", levels) + "id" + strings.Repeat(" } }", levels) + " } }"
}

func TestMeasureShape(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		query string
		want  Shape
	}{
		{"flat", `{ a b c }`, Shape{Depth: 1, RootFields: 3}},
		{"nested", nested(2), Shape{Depth: 6, RootFields: 1}},
		{"aliases count, plain names do not", `{ x: a y: a b { c: d e } }`, Shape{Depth: 2, Aliases: 3, RootFields: 3}},
		{"directives everywhere", `query Q($v: Boolean!) @x { a @skip(if: $v) ... @include(if: $v) { b @y } }`, Shape{Depth: 1, RootFields: 2, Directives: 4}},
		{"fragments counted where spread", `{ ...F ...F } fragment F on Query { p: a q: b { c } }`, Shape{Depth: 2, Aliases: 4, RootFields: 4}},
		{"unknown fragment is empty", `{ a ...Missing }`, Shape{Depth: 1, RootFields: 1}},
		{"cyclic fragments end", `{ ...A } fragment A on Query { a ...B } fragment B on Query { b ...A }`, Shape{Depth: 1, RootFields: 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, op := parse(t, tt.query)
			if got := Measure(doc, op); got != tt.want {
				t.Errorf("Measure(%s) = %+v, want %+v", tt.query, got, tt.want)
			}
		})
	}
}

// TestMeasureFragmentBomb: fragments that each spread the next twice expand to
// 2^40 fields; measuring them must take linear time and saturate, not overflow.
func TestMeasureFragmentBomb(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString("{ ...F0 }\n")
	for i := range 40 {
		b.WriteString("fragment F" + strconv.Itoa(i) + " on Query { ...F" + strconv.Itoa(i+1) + " ...F" + strconv.Itoa(i+1) + " }\n")
	}
	b.WriteString("fragment F40 on Query { x: a }\n")
	doc, op := parse(t, b.String())
	s := Measure(doc, op)
	if s.Aliases != 1<<40 || s.RootFields != 1<<40 {
		t.Fatalf("Measure = %+v, want 2^40 aliases and root fields", s)
	}
	if e := (Config{}).WithDefaults().CheckShape(doc, op); e == nil || e.Limit != "aliases" {
		t.Fatalf("CheckShape = %v, want the alias limit", e)
	}
}

func TestCheckShapeNamesTheLimit(t *testing.T) {
	t.Parallel()
	cfg := Config{}.WithDefaults()
	tests := []struct {
		name, query, limit string
		actual             int
		message            string
	}{
		{"depth", nested(20), "depth", 42, "operation exceeds the depth limit of 20: its fields nest 42 deep"},
		{"aliases", "{" + strings.Repeat(" x: a", 51) + " }", "aliases", 51, "operation exceeds the alias limit of 50: it has 51 aliases"},
		{"root fields", "{" + strings.Repeat(" a", 31) + " }", "rootFields", 31, "operation exceeds the root field limit of 30: it selects 31 root fields"},
		{"directives", "{ a" + strings.Repeat(" @d", 51) + " }", "directives", 51, "operation exceeds the directive limit of 50: it applies 51 directives"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, op := parse(t, tt.query)
			e := cfg.CheckShape(doc, op)
			if e == nil {
				t.Fatalf("CheckShape passed %s", tt.query)
			}
			if e.Limit != tt.limit || e.Actual != tt.actual || e.Error() != tt.message {
				t.Errorf("got %+v (%q), want limit %s actual %d (%q)", e, e.Error(), tt.limit, tt.actual, tt.message)
			}
			ext := e.Extensions()
			if ext["code"] != Code || ext["limit"] != tt.limit {
				t.Errorf("extensions = %v", ext)
			}
		})
	}
	off := Config{MaxDepth: -1, MaxAliases: -1, MaxRootFields: -1, MaxDirectives: -1}.WithDefaults()
	for _, tt := range tests {
		doc, op := parse(t, tt.query)
		if e := off.CheckShape(doc, op); e != nil {
			t.Errorf("limits turned off still refuse %s: %v", tt.name, e)
		}
	}
}

func TestCost(t *testing.T) {
	t.Parallel()
	g := loadGraph(t)
	cfg := Config{}.WithDefaults()
	tests := []struct {
		name  string
		query string
		vars  map[string]any
		want  int
	}{
		{"leaves are free", `{ expensive product(id: "1") { id name } }`, nil, 25 + 1},
		// variants: default size 10, each variant 1.
		{"plain list uses the default size", `{ product(id: "1") { variants { sku } } }`, nil, 1 + 10*1},
		// products 1 + edges 7*(1 + node 1); totalCount 0.
		{"connection sizes its edges", `{ products(first: 7) { totalCount edges { cursor node { id } } } }`, nil, 1 + 7*2},
		{"connection sized by a variable", `query Q($n: Int) { products(first: $n) { nodes { id } } }`, map[string]any{"n": float64(100)}, 1 + 100},
		{"connection without a size uses the default", `{ products { nodes { id } } }`, nil, 1 + 10},
		{"@listSize slicing argument", `{ search(take: 3) { id } }`, nil, 3},
		{"@listSize assumed size", `{ featured { variants { id } } }`, nil, 4 * (1 + 10)},
		{"@cost on a type, list sized by its argument", `{ product(id: "1") { reviews(first: 2) { rating } } }`, nil, 1 + 2*3},
		{"list of lists multiplies per level", `{ product(id: "1") { grid } }`, nil, 1},
		{"nested entities multiply", nested(2), nil, 1 + 10*(1+1*(1+10*(1+1)))},
		{"skip with a literal", `{ product(id: "1") { variants @skip(if: true) { id } } }`, nil, 1},
		{"include with a variable", `query Q($on: Boolean!) { product(id: "1") { variants @include(if: $on) { id } } }`, map[string]any{"on": false}, 1},
		{"fragments add up", `{ product(id: "1") { ...F ...F } } fragment F on Product { variants { id } }`, nil, 1 + 20},
		{"introspection is free", `{ __schema { types { fields { name } } } __typename }`, nil, 0},
		{"mutation root fields weigh 10 unless @cost says", `mutation { addReview(rating: 5) { rating } }`, nil, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, op := parseValid(t, g, tt.query)
			if got := cfg.Cost(g, doc, op, tt.vars); got != tt.want {
				t.Errorf("Cost(%s) = %d, want %d", tt.query, got, tt.want)
			}
		})
	}
}

// TestCostOfTheExplodingQuery: 40 nested levels of variants { product } are 400
// bytes, pass the depth limit only when it is off, and must still be refused by
// the estimate, without overflowing it.
func TestCostOfTheExplodingQuery(t *testing.T) {
	t.Parallel()
	g := loadGraph(t)
	cfg := Config{MaxDepth: -1}.WithDefaults()
	doc, op := parseValid(t, g, nested(20))
	if e := cfg.CheckShape(doc, op); e != nil {
		t.Fatalf("CheckShape with depth off: %v", e)
	}
	e := cfg.CheckCost(g, doc, op, nil)
	if e == nil || e.Limit != "cost" || e.Actual < 1e20/1e6 {
		t.Fatalf("CheckCost = %+v, want the cost limit with a huge estimate", e)
	}
	// A mutation weighs 10 per root field: with a cost limit of 15, two are refused.
	small := Config{MaxCost: 15}.WithDefaults()
	doc, op = parseValid(t, g, `mutation { a: addReview(rating: 1) { rating } b: addReview(rating: 2) { rating } }`)
	if small.CheckCost(g, doc, op, nil) != nil {
		t.Fatalf("two reviews with @cost 3 each should pass a limit of 15")
	}
}

func TestCheckSize(t *testing.T) {
	t.Parallel()
	cfg := Config{MaxDocumentBytes: 10}.WithDefaults()
	if e := cfg.CheckSize("{ a }"); e != nil {
		t.Fatalf("small document refused: %v", e)
	}
	e := cfg.CheckSize("{ a b c d e }")
	if e == nil || e.Actual != 13 || !strings.Contains(e.Error(), "document size limit of 10") {
		t.Fatalf("CheckSize = %v", e)
	}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	err := Config{DefaultListSize: -1, SlicingArguments: []string{"first", ""}}.Validate("limits")
	if err == nil || !strings.Contains(err.Error(), "limits.defaultListSize") || !strings.Contains(err.Error(), "limits.slicingArguments[1]") {
		t.Fatalf("Validate = %v", err)
	}
}
