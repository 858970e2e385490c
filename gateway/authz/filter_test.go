package authz

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/shopgraph/shopgraph/gateway/compose"
	"github.com/shopgraph/shopgraph/gateway/supergraph"
)

const testSDL = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.6", import: ["@key", "@authenticated", "@requiresScopes", "@policy"])
type Query {
  public: String
  me: User @authenticated
  users(first: Int): [User!]!
  nodes: [Node!]!
  search: [Result]
  note: Secret
}
type User @key(fields: "id") {
  id: ID!
  name: String
  email: String @requiresScopes(scopes: [["read:email"], ["admin"]])
  card: String @policy(policies: [["billing", "staff"]])
  friends: [User]
}
interface Node { id: ID! label: String }
type Shelf implements Node { id: ID! label: String }
type Vault implements Node { id: ID! label: String @requiresScopes(scopes: [["vault"]]) }
union Result = Shelf | Audit
type Audit @authenticated { note: String }
scalar Secret @authenticated
`

func testFilter(t *testing.T, cfg Config) *Filter {
	t.Helper()
	sdl, err := compose.Compose([]compose.Subgraph{{Name: "a", URL: "http://a.test/graphql", SDL: testSDL}})
	if err != nil {
		t.Fatal(err)
	}
	g, err := supergraph.Load(sdl)
	if err != nil {
		t.Fatal(err)
	}
	f := New(g, cfg, 16, 0)
	if f == nil {
		t.Fatal("New returned nil for a supergraph with authorization directives")
	}
	return f
}

// describe prints removals as "path (after key)" or "path ... on Type".
func describe(rs []Removal) string {
	var out []string
	for _, r := range rs {
		var keys []string
		for _, s := range r.Steps {
			k := s.Key
			if s.On != "" {
				k += "<" + s.On + ">"
			}
			keys = append(keys, k)
		}
		p := "/" + strings.Join(keys, "/")
		if r.Fragment != "" {
			p += " ... on " + r.Fragment
		} else {
			p += fmt.Sprintf(" (after %q)", r.After)
		}
		out = append(out, p)
	}
	return strings.Join(out, "; ")
}

func oneLine(q string) string { return strings.Join(strings.Fields(q), " ") }

func TestFilter(t *testing.T) {
	t.Parallel()
	f := testFilter(t, Config{Policies: map[string]PolicyRule{
		"billing": {Claim: "role", Value: "BILLING"},
		"staff":   {Claim: "groups", Value: "staff"},
	}})
	signed := func(scopes string, claims map[string]any) Request {
		return Request{Authenticated: true, Scopes: strings.Fields(scopes), Claims: claims}
	}
	for _, tc := range []struct {
		name    string
		req     Request
		query   string
		want    string // the filtered document on one line; "" when nothing is removed
		removed string
	}{
		{"anonymous loses @authenticated", Request{}, `{ public me { name } }`,
			`query { public }`, `/me (after "public")`},
		{"signed in keeps it", signed("", nil), `{ public me { name } }`, "", ""},
		{"nothing left: a bare __typename runs", Request{}, `{ me { name } }`,
			`query { _authzTypename: __typename }`, `/me (after "")`},
		{"scopes: one alternative", signed("admin", nil), `{ users { email } }`, "", ""},
		{"scopes: none held; the emptied parent goes instead", signed("read:other", nil), `{ users { email } public }`,
			`query { public }`, `/users (after "")`},
		{"scopes of an anonymous request do not count", Request{Scopes: []string{"admin"}}, `{ users { name email } }`,
			`query { users { name } }`, `/users/email (after "name")`},
		{"policy: AND of two claims", signed("", map[string]any{"role": "BILLING"}), `{ users { card name } }`,
			`query { users { name } }`, `/users/card (after "")`},
		{"policy: both held", signed("", map[string]any{"role": "BILLING", "groups": []any{"x", "staff"}}), `{ users { card } }`, "", ""},
		{"alias is the response key", Request{}, `{ users { n: name e: email } }`,
			`query { users { n: name } }`, `/users/e (after "n")`},
		{"named fragment filtered once, removals per spread", Request{}, `query Q { users { ...U friends { ...U } } } fragment U on User { name email }`,
			`query Q { users { ... U friends { ... U } } } fragment U on User { name }`,
			`/users/email (after "name"); /users/friends/email (after "name")`},
		{"variables used only by removed fields are dropped", Request{}, `query Q($n: Int) { public me { friends { name } } users(first: $n) { email } }`,
			`query Q { public }`, `/me (after "public"); /users (after "me")`},
		{"interface field an implementation guards", signed("", nil), `{ nodes { id label } }`,
			`query { nodes { id } }`, `/nodes/label (after "id")`},
		{"interface field asked per type", signed("", nil), `{ nodes { ... on Shelf { label } ... on Vault { id label } } }`,
			`query { nodes { ... on Shelf { label } ... on Vault { id } _authzTypename: __typename } }`, `/nodes/label<Vault> (after "id")`},
		{"fragment on a guarded type", Request{}, `{ search { ... on Shelf { id } ... on Audit { note } } }`,
			`query { search { ... on Shelf { id } _authzTypename: __typename } }`, `/search ... on Audit`},
		{"field returning a guarded scalar", Request{}, `{ public note }`,
			`query { public }`, `/note (after "public")`},
		{"invalid documents pass through for the planner to refuse", Request{}, `{ nope }`, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := f.Apply(tc.query, "", tc.req)
			if err != nil {
				t.Fatal(err)
			}
			if tc.want == "" {
				if res != nil {
					t.Fatalf("filtered to %q (%s), want no change", res.Query, describe(res.Removed))
				}
				return
			}
			if res == nil {
				t.Fatalf("nothing filtered, want %q", tc.want)
			}
			if got := oneLine(res.Query); got != tc.want {
				t.Errorf("filtered\n got %s\nwant %s", got, tc.want)
			}
			if got := describe(res.Removed); got != tc.removed {
				t.Errorf("removed\n got %s\nwant %s", got, tc.removed)
			}
			// The same request again comes from the cache, identical.
			again, _ := f.Apply(tc.query, "", tc.req)
			if again != res {
				t.Errorf("a second Apply did not reuse the cached result")
			}
		})
	}
}

func TestFilterCacheKeyedByGrant(t *testing.T) {
	t.Parallel()
	f := testFilter(t, Config{})
	const q = `{ users { email } public }`
	admin, _ := f.Apply(q, "", Request{Authenticated: true, Scopes: []string{"admin", "unrelated"}})
	anon, _ := f.Apply(q, "", Request{})
	if admin != nil || anon == nil {
		t.Fatalf("admin %v, anonymous %v: want the admin unfiltered and the anonymous filtered", admin, anon)
	}
	// Scopes no requirement names play no part: one cached outcome.
	if f.grantOf(Request{Authenticated: true, Scopes: []string{"admin", "unrelated"}}).key() != f.grantOf(Request{Authenticated: true, Scopes: []string{"admin"}}).key() {
		t.Error("an unrelated scope splits the cache")
	}
}

func TestFilterTooComplex(t *testing.T) {
	t.Parallel()
	f := testFilter(t, Config{})
	// Each fragment spreads the next twice: 2^20 fields once expanded.
	var b strings.Builder
	b.WriteString("{ users { ...F0 } }\n")
	for i := range 20 {
		fmt.Fprintf(&b, "fragment F%d on User { friends { ...F%d ...F%d } }\n", i, i+1, i+1)
	}
	b.WriteString("fragment F20 on User { email }\n")
	_, err := f.Apply(b.String(), "", Request{})
	if !errors.Is(err, ErrTooComplex) {
		t.Fatalf("err = %v, want ErrTooComplex", err)
	}
}

func TestNoDirectivesNoFilter(t *testing.T) {
	t.Parallel()
	sdl, err := compose.Compose([]compose.Subgraph{{Name: "a", URL: "http://a.test/graphql", SDL: `type Query { x: Int }`}})
	if err != nil {
		t.Fatal(err)
	}
	g, err := supergraph.Load(sdl)
	if err != nil {
		t.Fatal(err)
	}
	if f := New(g, Config{}, 0, 0); f != nil {
		t.Fatal("a filter for a supergraph without authorization directives")
	}
	var f *Filter
	if res, err := f.Apply("{ x }", "", Request{}); res != nil || err != nil {
		t.Fatalf("a nil filter filtered: %v %v", res, err)
	}
}
