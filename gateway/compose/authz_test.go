package compose

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/shopgraph/shopgraph/gateway/supergraph"
)

// authzSets exercise how composition merges authorization requirements: the
// same field restricted in two subgraphs (AND of the alternatives, redundant
// ones dropped), interfaces taking on their implementations' requirements.
var authzSets = map[string]string{
	"merge": `# subgraph: a
extend schema @link(url: "https://specs.apollo.dev/federation/v2.6", import: ["@key", "@shareable", "@authenticated", "@requiresScopes", "@policy"])
type Query {
  x: [Post] @shareable @requiresScopes(scopes: [["z", "b"], ["c"]])
  y: Int @shareable @authenticated
  p: Int @shareable @policy(policies: [["p1"], ["p2", "p3"]])
}
interface Post { id: ID! title: String }
type Priv implements Post @authenticated @shareable { id: ID! title: String @requiresScopes(scopes: [["t"]]) }
type Pub implements Post @shareable { id: ID! title: String @policy(policies: [["p1"]]) }
# subgraph: b
extend schema @link(url: "https://specs.apollo.dev/federation/v2.6", import: ["@key", "@shareable", "@authenticated", "@requiresScopes", "@policy"])
type Query {
  x: [Post] @shareable @requiresScopes(scopes: [["a"], ["d", "c"]])
  y: Int @shareable @requiresScopes(scopes: [["s"]])
  p: Int @shareable @policy(policies: [["p1"]])
}
interface Post { id: ID! title: String }
type Priv implements Post @authenticated @shareable { id: ID! title: String }
type Pub implements Post @shareable { id: ID! title: String }
`,
	"renamed": `# subgraph: a
extend schema @link(url: "https://specs.apollo.dev/federation/v2.6", import: ["@key", {name: "@authenticated", as: "@loggedIn"}])
type Query { me: User @loggedIn }
type User @key(fields: "id") { id: ID! secret: String @federation__requiresScopes(scopes: [["s"]]) }
`,
}

// TestAuthorizationAgainstReference composes the sets and the authorization
// corpus case with both composers and compares the requirements the router
// reads from each supergraph.
func TestAuthorizationAgainstReference(t *testing.T) {
	node := refComposer(t)
	sets := map[string][]Subgraph{}
	for name, text := range authzSets {
		sets[name] = splitSubgraphs(text)
	}
	for _, c := range loadCorpus(t) {
		if c.name == "authorization" {
			sets[c.name] = c.subgraphs
		}
	}
	var in []refSet
	for name, sgs := range sets {
		rs := refSet{Name: name}
		for _, sg := range sgs {
			rs.Subgraphs = append(rs.Subgraphs, refInput{Name: sg.Name, URL: sg.URL, SDL: sg.SDL})
		}
		in = append(in, rs)
	}
	ref := runRefCompose(t, node, in)
	for name, sgs := range sets {
		t.Run(name, func(t *testing.T) {
			r := ref[name]
			if len(r.Errors) > 0 {
				t.Fatalf("the reference refuses the set: %+v", r.Errors)
			}
			ours, err := Compose(sgs)
			if err != nil {
				t.Fatal(err)
			}
			want, got := authzOf(t, r.Supergraph), authzOf(t, ours)
			if want.Empty() {
				t.Fatal("the reference supergraph has no requirements: the set tests nothing")
			}
			if !reflect.DeepEqual(want, got) {
				t.Errorf("requirements differ\nreference %s\nours      %s", fmtAuthz(want), fmtAuthz(got))
			}
		})
	}
}

func authzOf(t *testing.T, sdl string) *supergraph.Authorization {
	t.Helper()
	g, err := supergraph.Load(sdl)
	if err != nil {
		t.Fatalf("%v\n%s", err, sdl)
	}
	return g.Authorization()
}

func fmtAuthz(a *supergraph.Authorization) string {
	return fmt.Sprintf("types %+v fields %+v", a.Types, a.Fields)
}

func TestSimplifyDNF(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		a, b [][]string
		want [][]string
	}{
		{nil, [][]string{{"b", "a"}}, [][]string{{"b", "a"}}},
		{[][]string{{"x"}}, [][]string{{"x"}}, [][]string{{"x"}}},
		{[][]string{{"read:profile", "read:users"}, {"read:admin"}}, [][]string{{"read:admin"}}, [][]string{{"read:admin"}}},
		{[][]string{{"z", "b"}, {"c"}}, [][]string{{"a"}, {"d", "c"}}, [][]string{{"a", "c"}, {"c", "d"}, {"a", "b", "z"}}},
	} {
		if got := andDNF(tc.a, tc.b); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("andDNF(%v, %v) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}
