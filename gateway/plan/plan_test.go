package plan

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shopgraph/shopgraph/gateway/supergraph"
)

var update = flag.Bool("update", false, "rewrite golden plans")

func loadGraph(tb testing.TB, path string) *supergraph.Graph {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Skipf("supergraph %s: %v", path, err)
	}
	g, err := supergraph.Load(string(b))
	if err != nil {
		tb.Fatal(err)
	}
	return g
}

const (
	shopSupergraph  = "../compose/testdata/shop.supergraph.graphql"
	benchSupergraph = "../../../shared/bench/gateways-benchmark/schema/supergraph.graphql"
)

const shopQuery = `{ products(first: 3) { totalCount edges { cursor node { id name
    variants { sku weight shippingEstimate(country: "US") { amount currencyCode } }
    reviews(first: 2) { edges { node { rating title author { id name } } } } } } } }`

func benchQuery(tb testing.TB) string {
	tb.Helper()
	b, err := os.ReadFile("../../../shared/bench/gateways-benchmark/query.json")
	if err != nil {
		tb.Skip(err)
	}
	s := string(b)
	s = s[strings.Index(s, `"query":"`)+9 : strings.LastIndex(s, `"`)]
	return strings.NewReplacer(`\n`, "\n", `\"`, `"`).Replace(s)
}

func TestPlanGolden(t *testing.T) {
	t.Parallel()
	shop := loadGraph(t, shopSupergraph)
	bench := loadGraph(t, benchSupergraph)
	tests := []struct {
		name  string
		g     *supergraph.Graph
		query string
		vars  map[string]any
	}{
		{"shop_products", shop, shopQuery, nil},
		{"shop_aliases_typename", shop, `query($id: ID!) { u: user(id: $id) { __typename id name n2: name reviews(first: 1) { totalCount } } __typename }`, map[string]any{"id": "u1"}},
		{"shop_mutation", shop, `mutation { a: placeOrder(variantId: "v1") { id lines { quantity variant { sku } } } b: placeOrder(variantId: "v2", quantity: 2) { total { amount } } }`, nil},
		{"shop_skip_include", shop, `query($s: Boolean!) { products { edges { node { id name @skip(if: $s) slug @include(if: false) } } } }`, map[string]any{"s": true}},
		{"shop_conditions", shop, `query($r: Boolean!, $n: Boolean = true) { products(first: 2) { edges { node { id name @include(if: $n) ... @include(if: $r) { reviews(first: 1) { totalCount edges { node { author { name } } } } } variants @skip(if: $r) { sku } } } } }`, map[string]any{"r": true}},
		{"shop_user_orders", shop, `{ me { name orders { id lines { variant { sku shippingEstimate(country: "DE") { amount } } } } } }`, nil},
		{"bench_query", bench, benchQuery(t), nil},
		{"bench_provides", bench, `{ topProducts { reviews { author { username name } } } }`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := NewPlanner(tt.g, 16)
			pl, _, err := p.Plan(tt.query, "", tt.vars)
			if err != nil {
				t.Fatal(err)
			}
			checkGoldenPlan(t, tt.name, pl)
			again, _, err := NewPlanner(tt.g, 16).Plan(tt.query, "", tt.vars)
			if err != nil || again.String() != pl.String() {
				t.Errorf("planning is not deterministic")
			}
		})
	}
}

func TestPlanRequestErrors(t *testing.T) {
	t.Parallel()
	g := loadGraph(t, shopSupergraph)
	p := NewPlanner(g, 16)
	tests := []struct {
		name, query, op string
		vars            map[string]any
		want            string
		located         bool
	}{
		{"syntax", "{ products { ", "", nil, "Expected Name", true},
		{"unknown field", "{ products { nope } }", "", nil, `Cannot query field "nope"`, true},
		{"missing variable", "query($id: ID!) { user(id: $id) { id } }", "", nil, "must be defined", false},
		{"unknown operation", "query A { me { id } }", "B", nil, "unknown operation", false},
		{"two operations", "query A { me { id } } query B { me { id } }", "", nil, "operationName is required", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, _, err := p.Plan(tt.query, tt.op, tt.vars)
			var re *RequestError
			if !errors.As(err, &re) {
				t.Fatalf("err = %v, want RequestError", err)
			}
			if !strings.Contains(re.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
			if tt.located && len(re.Errors[0].Locations) == 0 {
				t.Errorf("error without locations: %v", re.Errors[0])
			}
		})
	}
}

func TestPlanCache(t *testing.T) {
	t.Parallel()
	g := loadGraph(t, shopSupergraph)
	p := NewPlanner(g, 4)
	q := `query($s: Boolean!) { me { id name @include(if: $s) } }`
	a, _, err := p.Plan(q, "", map[string]any{"s": true})
	if err != nil {
		t.Fatal(err)
	}
	b, _, _ := p.Plan(q, "", map[string]any{"s": true})
	c, _, _ := p.Plan(q, "", map[string]any{"s": false})
	if a != b {
		t.Error("same request not served from the cache")
	}
	if a != c || !strings.Contains(c.String(), "name @include(if:$s)") {
		t.Errorf("one plan must serve every value of an @include variable, keeping the directive:\n%s\n%s", a, c)
	}
	for i := 0; i < 10; i++ {
		_, _, _ = p.Plan(q+strings.Repeat(" ", i+1), "", map[string]any{"s": true})
	}
	if n := p.plans.len(); n > 4 {
		t.Errorf("cache holds %d plans, bound is 4", n)
	}
}

func TestPlanAliasesPlannerFields(t *testing.T) {
	t.Parallel()
	g := loadGraph(t, shopSupergraph)
	// The client calls name "id" while the plan needs the real id as User's key:
	// the planner's id takes an internal alias and the representation reads it.
	pl, _, err := NewPlanner(g, 4).Plan(`{ me { id: name reviews { totalCount } } }`, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	got := pl.String()
	for _, want := range []string{"me{id:name __typename __sg_id:id}", "{...on User{__typename __sg_id:id}}"} {
		if !strings.Contains(got, want) {
			t.Errorf("plan lacks %q:\n%s", want, got)
		}
	}
}

func TestPlanCacheSharesNormalisedDocuments(t *testing.T) {
	t.Parallel()
	p := NewPlanner(loadGraph(t, shopSupergraph), 16)
	plan := func(q string) *Plan {
		t.Helper()
		pl, _, err := p.Plan(q, "", nil)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return pl
	}
	first := plan(`{ me { id name } }`)
	for _, same := range []string{
		"{\n  me {\n    id\n    name\n  }\n}",
		`query { me { id ...N } } fragment N on User { name }`,
		`{ me { id ... on User { name } name } }`,
	} {
		if plan(same) != first {
			t.Errorf("%q got its own plan, want the cached plan of { me { id name } }", same)
		}
	}
	for _, other := range []string{
		`{ me { name id } }`,
		`query Q { me { id name } }`,
		`query($n: Boolean = true) { me { id name @include(if: $n) } }`,
	} {
		if plan(other) == first {
			t.Errorf("%q shares the plan of { me { id name } }, but its plan differs", other)
		}
	}
	a := plan(`query($n: Boolean = true) { me { id name @include(if: $n) } }`)
	if b := plan(`query($n: Boolean = false) { me { id name @include(if: $n) } }`); a == b {
		t.Error("variable defaults differ but the plan was shared")
	}
}

// cyclicKeys is a supergraph no composer would accept: entering b needs T.x,
// which only c resolves, and entering c needs T.y, which only b resolves. A
// hand-written or corrupted supergraph like it must get a planning error, not
// a planner that recurses until the stack overflows.
const cyclicKeys = `schema @link(url: "https://specs.apollo.dev/link/v1.0") @link(url: "https://specs.apollo.dev/join/v0.3", for: EXECUTION) { query: Query }
directive @join__field(graph: join__Graph, requires: join__FieldSet, provides: join__FieldSet, type: String, external: Boolean, override: String, usedOverridden: Boolean) repeatable on FIELD_DEFINITION | INPUT_FIELD_DEFINITION
directive @join__graph(name: String!, url: String!) on ENUM_VALUE
directive @join__type(graph: join__Graph!, key: join__FieldSet, extension: Boolean! = false, resolvable: Boolean! = true, isInterfaceObject: Boolean! = false) repeatable on OBJECT | INTERFACE | UNION | ENUM | INPUT_OBJECT | SCALAR
directive @link(url: String, as: String, for: link__Purpose, import: [link__Import]) repeatable on SCHEMA
scalar join__FieldSet
scalar link__Import
enum link__Purpose { SECURITY EXECUTION }
enum join__Graph {
  A @join__graph(name: "a", url: "http://a")
  B @join__graph(name: "b", url: "http://b")
  C @join__graph(name: "c", url: "http://c")
}
type Query @join__type(graph: A) { t: T @join__field(graph: A) }
type T @join__type(graph: A, key: "id") @join__type(graph: B, key: "x") @join__type(graph: C, key: "y") {
  id: ID! @join__field(graph: A)
  x: ID @join__field(graph: C)
  y: ID @join__field(graph: B)
  z: String @join__field(graph: B)
}
`

func TestCyclicKeysGetAPlanningError(t *testing.T) {
	t.Parallel()
	g, err := supergraph.Load(cyclicKeys)
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = NewPlanner(g, 4).Plan(`{ t { z } }`, "", nil)
	if err == nil || !strings.Contains(err.Error(), "T") {
		t.Fatalf("plan error = %v, want one naming T", err)
	}
	if testing.Verbose() {
		t.Log(err)
	}
}

// checkGoldenPlan compares pl with testdata/<name>.plan (written anew with
// -update).
func checkGoldenPlan(t *testing.T, name string, pl *Plan) {
	t.Helper()
	got := pl.String()
	path := filepath.Join("testdata", name+".plan")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("run with -update: %v", err)
	}
	if string(want) != got {
		t.Errorf("plan differs from %s:\n%s", path, got)
	}
}
