package server

import (
	"encoding/json"
	"strings"
	"testing"
)

const introspectionQuery = `query IntrospectionQuery {
  __schema {
    queryType { name } mutationType { name } subscriptionType { name }
    types { ...FullType }
    directives { name description locations args { ...InputValue } }
  }
}
fragment FullType on __Type {
  kind name description
  fields(includeDeprecated: true) { name description args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason }
  inputFields { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef }
}
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
fragment TypeRef on __Type { kind name ofType { kind name ofType { kind name ofType { kind name } } } }`

func TestIntrospection(t *testing.T) {
	t.Parallel()
	s, err := New(Config{SupergraphSDL: shopSupergraph(t)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	h := s.Handler()
	res := do(t, h, post(queryBody(introspectionQuery), ""))
	if res.status != 200 {
		t.Fatalf("status %d: %.500s", res.status, res.raw)
	}
	var out struct {
		Data struct {
			Schema struct {
				QueryType struct{ Name string } `json:"queryType"`
				Types     []struct {
					Name   string
					Kind   string
					Fields []struct {
						Name string
						Type struct {
							Kind   string
							OfType *struct{ Name string } `json:"ofType"`
						}
					}
				}
			} `json:"__schema"`
		}
		Errors []any
	}
	if err := json.Unmarshal([]byte(res.raw), &out); err != nil {
		t.Fatal(err)
	}
	if len(out.Errors) > 0 || out.Data.Schema.QueryType.Name != "Query" {
		t.Fatalf("bad introspection: %.800s", res.raw)
	}
	seen := map[string]bool{}
	for _, ty := range out.Data.Schema.Types {
		seen[ty.Name] = true
		if ty.Name == "Product" {
			if len(ty.Fields) == 0 || ty.Fields[0].Name != "id" || ty.Fields[0].Type.Kind != "NON_NULL" || ty.Fields[0].Type.OfType.Name != "ID" {
				t.Errorf("Product fields = %+v", ty.Fields)
			}
		}
	}
	for _, want := range []string{"Product", "ProductVariant", "Money", "__Schema", "String"} {
		if !seen[want] {
			t.Errorf("type %s missing", want)
		}
	}
	for _, hidden := range []string{"join__Graph", "_Any", "_Entity", "link__Purpose"} {
		if seen[hidden] {
			t.Errorf("machinery type %s exposed", hidden)
		}
	}
	res = do(t, h, post(queryBody(`{ t: __type(name: "Money") { name kind fields { name } } none: __type(name: "Nope") { name } product(id: "p1") { __typename name } }`), ""))
	want := `{"data":{"t":{"name":"Money","kind":"OBJECT","fields":[{"name":"amount"},{"name":"currencyCode"}]},"none":null,"product":{"__typename":"Product","name":"Product p1"}}}`
	if strings.TrimSpace(res.raw) != want {
		t.Errorf("got %s\nwant %s", res.raw, want)
	}
}
