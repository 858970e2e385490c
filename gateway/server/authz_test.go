package server

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/shopgraph/shopgraph/gateway/authz"
	"github.com/shopgraph/shopgraph/gateway/internal/testsubgraph"
	"github.com/shopgraph/shopgraph/internal/authn/authntest"
)

// authzDirectives are the definitions a test subgraph needs to parse the
// authorization directives it imports.
const authzDirectives = `
directive @authenticated on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM
directive @requiresScopes(scopes: [[String!]!]!) on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM
directive @policy(policies: [[String!]!]!) on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM
`

// authzSubgraphs are two subgraphs whose fields and types carry every kind of
// requirement: accounts owns users, an interface, a union and a type-level
// @authenticated; billing adds a policy-guarded field to User through its key.
func authzSubgraphs() (*testsubgraph.Subgraph, *testsubgraph.Subgraph) {
	users := []any{
		map[string]any{"id": "u1", "name": "Ada", "email": "ada@example.test", "phone": "555-1", "ssn": "111"},
		map[string]any{"id": "u2", "name": "Bob", "email": "bob@example.test", "phone": "555-2", "ssn": "222"},
	}
	accounts := &testsubgraph.Subgraph{
		Name: "accounts",
		SDL: `extend schema @link(url: "https://specs.apollo.dev/federation/v2.6", import: ["@key", "@authenticated", "@requiresScopes", "@policy"])
` + authzDirectives + `
type Query {
  public: String
  me: User @authenticated
  users: [User!]!
  team: [User!]
  strict: Strict
  nodes: [Node!]!
  search: [Result!]!
  level: Level
}
type User @key(fields: "id") {
  id: ID!
  name: String
  email: String @requiresScopes(scopes: [["read:email"], ["admin"]])
  phone: String @requiresScopes(scopes: [["read:pii", "read:phone"]])
  ssn: String! @authenticated
}
type Strict { name: String secret: String! @requiresScopes(scopes: [["admin"]]) }
interface Node { id: ID! label: String }
type Shelf implements Node { id: ID! label: String }
type Vault implements Node { id: ID! label: String @requiresScopes(scopes: [["vault"]]) }
union Result = Shelf | Audit
type Audit @authenticated { note: String }
enum Level @policy(policies: [["staff"]]) { LOW HIGH }
`,
		Resolvers: map[string]testsubgraph.Resolver{
			"Query.public": func(context.Context, map[string]any, map[string]any) (any, error) { return "hello", nil },
			"Query.me":     func(context.Context, map[string]any, map[string]any) (any, error) { return users[0], nil },
			"Query.users":  func(context.Context, map[string]any, map[string]any) (any, error) { return users, nil },
			"Query.team":   func(context.Context, map[string]any, map[string]any) (any, error) { return users, nil },
			"Query.strict": func(context.Context, map[string]any, map[string]any) (any, error) {
				return map[string]any{"name": "s", "secret": "42"}, nil
			},
			"Query.nodes": func(context.Context, map[string]any, map[string]any) (any, error) {
				return []any{
					map[string]any{"__typename": "Shelf", "id": "s1", "label": "books"},
					map[string]any{"__typename": "Vault", "id": "v1", "label": "gold"},
				}, nil
			},
			"Query.search": func(context.Context, map[string]any, map[string]any) (any, error) {
				return []any{
					map[string]any{"__typename": "Shelf", "id": "s1", "label": "books"},
					map[string]any{"__typename": "Audit", "note": "all fine"},
				}, nil
			},
			"Query.level": func(context.Context, map[string]any, map[string]any) (any, error) { return "HIGH", nil },
		},
		Entities: map[string]testsubgraph.EntityResolver{
			"User": func(_ context.Context, rep map[string]any) (any, error) {
				for _, u := range users {
					if u.(map[string]any)["id"] == rep["id"] {
						return u, nil
					}
				}
				return nil, nil
			},
		},
	}
	billing := &testsubgraph.Subgraph{
		Name: "billing",
		SDL: `extend schema @link(url: "https://specs.apollo.dev/federation/v2.6", import: ["@key", "@policy"])
` + authzDirectives + `
type User @key(fields: "id") {
  id: ID!
  card: String @policy(policies: [["billing"]])
}
`,
		Entities: map[string]testsubgraph.EntityResolver{
			"User": func(_ context.Context, rep map[string]any) (any, error) {
				return map[string]any{"id": rep["id"], "card": "card-of-" + rep["id"].(string)}, nil
			},
		},
	}
	return accounts, billing
}

// authzRouter serves the two subgraphs behind a router that verifies tokens
// signed by key and grants policy "billing" to role BILLING and "staff" to
// staff: true.
func authzRouter(t *testing.T) (url string, key authntest.Key, subs map[string]*testsubgraph.HeaderServer) {
	t.Helper()
	key = authntest.NewKey(t, "k1", "ES256")
	jwks := authntest.Serve(t, key)
	acc, bill := authzSubgraphs()
	cfg := Config{
		JWT: JWT{JWKSURL: jwks.URL, Issuer: testIssuer, Audiences: []string{testAudience}},
		Authorization: authz.Config{Policies: map[string]authz.PolicyRule{
			"billing": {Claim: "role", Value: "BILLING"},
			"staff":   {Claim: "staff", Value: "true"},
		}},
	}
	url, subs = startEdgeRouter(t, cfg, edgeSubgraph{sg: acc}, edgeSubgraph{sg: bill})
	return url, key, subs
}

// authzErrorPaths returns the paths of the UNAUTHORIZED_FIELD_OR_TYPE errors
// of a raw answer, as JSON, and fails on any error of another kind.
func authzErrorPaths(t *testing.T, raw string) []string {
	t.Helper()
	var a struct {
		Errors []struct {
			Message    string         `json:"message"`
			Path       []any          `json:"path"`
			Extensions map[string]any `json:"extensions"`
		} `json:"errors"`
	}
	if err := json.Unmarshal([]byte(raw), &a); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range a.Errors {
		if e.Extensions["code"] != authz.Code || e.Message != authz.Message {
			t.Errorf("unexpected error %+v in %s", e, raw)
			continue
		}
		b, _ := json.Marshal(e.Path)
		out = append(out, string(b))
	}
	return out
}

func TestAuthorizationDirectives(t *testing.T) {
	t.Parallel()
	url, key, subs := authzRouter(t)
	billing := subs["billing"]
	anon := http.Header(nil)
	signed := func(claims map[string]any) http.Header {
		c := userClaims("user-1")
		for k, v := range claims {
			c[k] = v
		}
		return bearer(key.Sign(t, c))
	}
	for _, tc := range []struct {
		name   string
		header http.Header
		query  string
		data   string   // the answer's data, exactly (key order included)
		paths  []string // the paths of the authorization errors, in order
	}{
		{"anonymous: authenticated field nulled, rest kept", anon,
			`{ public me { name } }`,
			`{"public":"hello","me":null}`, []string{`["me"]`}},
		{"signed in: authenticated field served", signed(nil),
			`{ public me { name } }`,
			`{"public":"hello","me":{"name":"Ada"}}`, nil},
		{"nothing authorised still answers data", anon,
			`{ me { name } level }`,
			`{"me":null,"level":null}`, []string{`["me"]`, `["level"]`}},
		{"scopes: one alternative of the OR is enough", signed(map[string]any{"scope": "openid admin"}),
			`{ users { name email phone } }`,
			`{"users":[{"name":"Ada","email":"ada@example.test","phone":null},{"name":"Bob","email":"bob@example.test","phone":null}]}`,
			[]string{`["users",0,"phone"]`, `["users",1,"phone"]`}},
		{"scopes: an AND needs all its scopes", signed(map[string]any{"scope": "read:pii"}),
			`{ users { name phone } }`,
			`{"users":[{"name":"Ada","phone":null},{"name":"Bob","phone":null}]}`,
			[]string{`["users",0,"phone"]`, `["users",1,"phone"]`}},
		{"a field with every subfield removed goes, with its own error", signed(map[string]any{"scope": "read:pii"}),
			`{ public me { phone } }`,
			`{"public":"hello","me":null}`, []string{`["me"]`}},
		{"scopes: the whole AND grants", signed(map[string]any{"scope": "read:phone read:pii"}),
			`{ users { phone } }`,
			`{"users":[{"phone":"555-1"},{"phone":"555-2"}]}`, nil},
		{"anonymous has no scopes", anon,
			`{ users { name email } }`,
			`{"users":[{"name":"Ada","email":null},{"name":"Bob","email":null}]}`,
			[]string{`["users",0,"email"]`, `["users",1,"email"]`}},
		{"policy unmet: the field and its fetch are left out", signed(nil),
			`{ users { name card } }`,
			`{"users":[{"name":"Ada","card":null},{"name":"Bob","card":null}]}`,
			[]string{`["users",0,"card"]`, `["users",1,"card"]`}},
		{"policy met through its claim", signed(map[string]any{"role": "BILLING"}),
			`{ users { card } }`,
			`{"users":[{"card":"card-of-u1"},{"card":"card-of-u2"}]}`, nil},
		{"policy on an enum type", signed(map[string]any{"staff": true}),
			`{ level }`, `{"level":"HIGH"}`, nil},
		{"non-null field's null bubbles to its nullable parent", signed(nil),
			`{ strict { name secret } public }`,
			`{"strict":null,"public":"hello"}`, []string{`["strict","secret"]`}},
		{"non-null field in a non-null list item bubbles to the list", anon,
			`{ public team { name ssn } }`,
			`{"public":"hello","team":null}`, []string{`["team",0,"ssn"]`}}, // the first null ends the list, as in graphql-js
		{"a null bubbling to a non-null root field nulls data", anon,
			`{ public users { name ssn } }`,
			`null`, []string{`["users",0,"ssn"]`}},
		{"aliases: the error and the null use the response key", anon,
			`{ first: public mail: users { who: name mail: email } }`,
			`{"first":"hello","mail":[{"who":"Ada","mail":null},{"who":"Bob","mail":null}]}`,
			[]string{`["mail",0,"mail"]`, `["mail",1,"mail"]`}},
		{"named fragments are filtered where they are spread", anon,
			`query Q { users { ...U } public } fragment U on User { email name }`,
			`{"users":[{"email":null,"name":"Ada"},{"email":null,"name":"Bob"}],"public":"hello"}`,
			[]string{`["users",0,"email"]`, `["users",1,"email"]`}},
		{"interface: a field an implementation guards is removed for all", signed(nil),
			`{ nodes { id label } }`,
			`{"nodes":[{"id":"s1","label":null},{"id":"v1","label":null}]}`,
			[]string{`["nodes",0,"label"]`, `["nodes",1,"label"]`}},
		{"interface: asked per type, only the guarded type's field goes", signed(nil),
			`{ nodes { id ... on Shelf { label } ... on Vault { label } } }`,
			`{"nodes":[{"id":"s1","label":"books"},{"id":"v1","label":null}]}`,
			[]string{`["nodes",1,"label"]`}},
		{"type-level @authenticated: the fragment on it is removed", anon,
			`{ search { ... on Shelf { label } ... on Audit { note } } }`,
			`{"search":[{"label":"books"},{}]}`,
			[]string{`["search",1]`}},
		{"type-level @authenticated: signed in sees it", signed(nil),
			`{ search { ... on Shelf { label } ... on Audit { note } } }`,
			`{"search":[{"label":"books"},{"note":"all fine"}]}`, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := len(billing.Headers())
			a := postEdge(t, url, tc.query, tc.header)
			if a.status != http.StatusOK {
				t.Fatalf("status %d: %s", a.status, a.raw)
			}
			var got struct {
				Data json.RawMessage `json:"data"`
			}
			if err := json.Unmarshal([]byte(a.raw), &got); err != nil {
				t.Fatal(err)
			}
			if string(got.Data) != tc.data {
				t.Errorf("data\n got %s\nwant %s", got.Data, tc.data)
			}
			if paths := authzErrorPaths(t, a.raw); strings.Join(paths, " ") != strings.Join(tc.paths, " ") {
				t.Errorf("error paths %v, want %v\n%s", paths, tc.paths, a.raw)
			}
			if strings.Contains(a.raw, "_authz") {
				t.Errorf("the answer shows the filter's own fields: %s", a.raw)
			}
			if strings.Contains(tc.name, "fetch are left out") && len(billing.Headers()) != before {
				t.Errorf("the billing subgraph was asked for a field the request may not read")
			}
		})
	}
}

// TestAuthorizationNeverAsksSubgraphs checks that removed fields are not
// fetched: the subgraph never sees them.
func TestAuthorizationNeverAsksSubgraphs(t *testing.T) {
	t.Parallel()
	url, _, subs := authzRouter(t)
	a := postEdge(t, url, `{ public me { name } users { name email } }`, nil)
	if !strings.Contains(a.raw, `"public":"hello"`) {
		t.Fatalf("answer %s", a.raw)
	}
	removed := regexp.MustCompile(`\b(me|email)\b`)
	reqs := subs["accounts"].Requests()
	if len(reqs) == 0 {
		t.Fatal("accounts was not asked at all")
	}
	for _, r := range reqs {
		if removed.MatchString(r.Query) {
			t.Errorf("accounts was asked for a removed field: %s", r.Query)
		}
	}
}

// TestAuthorizationPlansNotShared runs one document for callers with
// different grants, in turns, so that a cached plan of one would show in the
// answer of the other.
func TestAuthorizationPlansNotShared(t *testing.T) {
	t.Parallel()
	url, key, _ := authzRouter(t)
	admin := bearer(key.Sign(t, withClaim(userClaims("admin-1"), "scope", "admin")))
	const q = `{ users { email } }`
	for range 3 {
		if a := postEdge(t, url, q, admin); !strings.Contains(a.raw, "ada@example.test") {
			t.Fatalf("admin: %s", a.raw)
		}
		if a := postEdge(t, url, q, nil); strings.Contains(a.raw, "@example.test") || !strings.Contains(a.raw, authz.Code) {
			t.Fatalf("anonymous got another caller's plan: %s", a.raw)
		}
	}
}

func TestAuthorizationConfigValidated(t *testing.T) {
	t.Parallel()
	cfg := Config{SupergraphSDL: "x", Authorization: authz.Config{Policies: map[string]authz.PolicyRule{"billing": {Value: "BILLING"}}}}
	err := cfg.Validate()
	for _, want := range []string{"config: authorization.policies.billing.claim is empty", "authorization.policies need jwt.jwksURL"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate() = %v, want it to say %q", err, want)
		}
	}
}
