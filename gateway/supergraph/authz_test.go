package supergraph

import (
	"os"
	"reflect"
	"strings"
	"testing"
)

func TestLoadAuthorization(t *testing.T) {
	t.Parallel()
	sdl, err := os.ReadFile("../compose/testdata/corpus/authorization.supergraph.graphql")
	if err != nil {
		t.Fatal(err)
	}
	g, err := Load(string(sdl))
	if err != nil {
		t.Fatal(err)
	}
	a := g.Authorization()
	for coord, want := range map[string]Requirement{
		"Query.me":     {Authenticated: true},
		"Query.users":  {Scopes: [][]string{{"read:profiles", "read:users"}}},
		"User.email":   {Scopes: [][]string{{"read:email"}, {"admin"}}},
		"User.reviews": {Policies: [][]string{{"reviewer", "staff"}}},
	} {
		if got := a.Fields[coord]; !reflect.DeepEqual(got, want) {
			t.Errorf("%s: %+v, want %+v", coord, got, want)
		}
	}
	for name, want := range map[string]Requirement{
		"User":   {Authenticated: true},
		"Secret": {Authenticated: true},
		"Level":  {Authenticated: true},
		"Audit":  {Policies: [][]string{{"auditor"}}},
		"Node":   {Policies: [][]string{{"auditor"}}},
	} {
		if got := a.Types[name]; !reflect.DeepEqual(got, want) {
			t.Errorf("%s: %+v, want %+v", name, got, want)
		}
	}
	if _, ok := a.Fields["User.name"]; ok {
		t.Error("User.name has a requirement it was not given")
	}
	if !reflect.DeepEqual(a.Scopes, []string{"admin", "read:email", "read:profiles", "read:users"}) || !reflect.DeepEqual(a.Policies, []string{"auditor", "billing", "reviewer", "staff"}) {
		t.Errorf("scopes %v, policies %v", a.Scopes, a.Policies)
	}
	if api := g.APISDL(); strings.Contains(api, "@requiresScopes") || strings.Contains(api, "requiresScopes__Scope") {
		t.Errorf("the API schema shows the authorization machinery:\n%s", api)
	}
}

func TestAuthorizationNeedsTheSpecLink(t *testing.T) {
	t.Parallel()
	// A directive named like a spec's but not linked to it is someone else's.
	g, err := Load(`schema @link(url: "https://specs.apollo.dev/link/v1.0") @link(url: "https://specs.apollo.dev/join/v0.3", for: EXECUTION) { query: Query }
directive @link(url: String, as: String, for: link__Purpose, import: [link__Import]) repeatable on SCHEMA
directive @join__graph(name: String!, url: String!) on ENUM_VALUE
directive @join__type(graph: join__Graph!, key: join__FieldSet, extension: Boolean! = false, resolvable: Boolean! = true, isInterfaceObject: Boolean! = false) repeatable on OBJECT | INTERFACE | UNION | ENUM | INPUT_OBJECT | SCALAR
directive @join__field(graph: join__Graph, requires: join__FieldSet, provides: join__FieldSet, type: String, external: Boolean, override: String, usedOverridden: Boolean) repeatable on FIELD_DEFINITION | INPUT_FIELD_DEFINITION
directive @authenticated on FIELD_DEFINITION
scalar join__FieldSet
scalar link__Import
enum link__Purpose { SECURITY EXECUTION }
enum join__Graph { A @join__graph(name: "a", url: "http://a") }
type Query @join__type(graph: A) { x: Int @authenticated }
`)
	if err != nil {
		t.Fatal(err)
	}
	if !g.Authorization().Empty() {
		t.Errorf("an unlinked @authenticated was read: %+v", g.Authorization())
	}
}
