package supergraph

import (
	"strings"
	"testing"
)

// contextSupergraph is @apollo/composition 2.14.4's output for a subgraph "a"
// whose T sets context "ctx" and whose U.field(a:) takes a from it.
const contextSupergraph = `schema
  @link(url: "https://specs.apollo.dev/link/v1.0")
  @link(url: "https://specs.apollo.dev/join/v0.5", for: EXECUTION)
  @link(url: "https://specs.apollo.dev/context/v0.1", for: SECURITY)
{
  query: Query
}

directive @context(name: String!) repeatable on INTERFACE | OBJECT | UNION

directive @context__fromContext(field: context__ContextFieldValue) on ARGUMENT_DEFINITION

directive @join__directive(graphs: [join__Graph!], name: String!, args: join__DirectiveArguments) repeatable on SCHEMA | OBJECT | INTERFACE | FIELD_DEFINITION

directive @join__enumValue(graph: join__Graph!) repeatable on ENUM_VALUE

directive @join__field(graph: join__Graph, requires: join__FieldSet, provides: join__FieldSet, type: String, external: Boolean, override: String, usedOverridden: Boolean, overrideLabel: String, contextArguments: [join__ContextArgument!]) repeatable on FIELD_DEFINITION | INPUT_FIELD_DEFINITION

directive @join__graph(name: String!, url: String!) on ENUM_VALUE

directive @join__implements(graph: join__Graph!, interface: String!) repeatable on OBJECT | INTERFACE

directive @join__type(graph: join__Graph!, key: join__FieldSet, extension: Boolean! = false, resolvable: Boolean! = true, isInterfaceObject: Boolean! = false) repeatable on OBJECT | INTERFACE | UNION | ENUM | INPUT_OBJECT | SCALAR

directive @join__unionMember(graph: join__Graph!, member: String!) repeatable on UNION

directive @link(url: String, as: String, for: link__Purpose, import: [link__Import]) repeatable on SCHEMA

scalar context__ContextFieldValue

input join__ContextArgument {
  name: String!
  type: String!
  context: String!
  selection: join__FieldValue!
}

scalar join__DirectiveArguments

scalar join__FieldSet

scalar join__FieldValue

enum join__Graph {
  A @join__graph(name: "a", url: "http://a")
  B @join__graph(name: "b", url: "http://b")
}

scalar link__Import

enum link__Purpose {
  """
  ` + "`" + `SECURITY` + "`" + ` features provide metadata necessary to securely resolve fields.
  """
  SECURITY

  """
  ` + "`" + `EXECUTION` + "`" + ` features provide metadata necessary for operation execution.
  """
  EXECUTION
}

type Query
  @join__type(graph: A)
  @join__type(graph: B)
{
  t: T! @join__field(graph: A)
}

type T
  @join__type(graph: A, key: "id")
  @context(name: "a__ctx")
{
  id: ID!
  prop: String!
  u: U!
}

type U
  @join__type(graph: A, key: "id")
  @join__type(graph: B, key: "id")
{
  id: ID!
  field(b: Int): Int! @join__field(graph: A, contextArguments: [{context: "a__ctx", name: "a", type: "String", selection: " { prop }"}])
  other: String @join__field(graph: B)
}
`

func TestLoadContextArguments(t *testing.T) {
	t.Parallel()
	g, err := Load(contextSupergraph)
	if err != nil {
		t.Fatal(err)
	}
	if got := g.Type("T").Contexts; len(got) != 1 || got[0] != "a__ctx" {
		t.Errorf("T.Contexts = %v, want [a__ctx]", got)
	}
	if got := g.TypesWithContext("a__ctx"); len(got) != 1 || got[0] != "T" {
		t.Errorf("TypesWithContext = %v", got)
	}
	src := g.Type("U").Fields["field"].Sources["a"]
	if src == nil || len(src.ContextArguments) != 1 {
		t.Fatalf("U.field in a: %+v", src)
	}
	ca := src.ContextArguments[0]
	if ca.Context != "a__ctx" || ca.Name != "a" || ca.Type != "String" || ca.SelectionText != " { prop }" || len(ca.Selection) != 1 {
		t.Errorf("context argument = %+v", ca)
	}
	api := g.APISDL()
	if strings.Contains(api, "context") || strings.Contains(api, "field(a:") {
		t.Errorf("API schema shows context machinery or the contextual argument:\n%s", api)
	}
	if f := g.API().Types["U"].Fields.ForName("field"); f == nil || len(f.Arguments) != 1 || f.Arguments[0].Name != "b" {
		t.Errorf("API U.field arguments = %v, want only b", f)
	}
}

func TestParseContextSelection(t *testing.T) {
	t.Parallel()
	for _, in := range []string{" { prop }", "prop", "{ a { b } }", " ... on A { x } ... on B { y }"} {
		sel, err := ParseContextSelection(in)
		if err != nil || len(sel) == 0 {
			t.Errorf("ParseContextSelection(%q) = %v, %v", in, sel, err)
		}
	}
}
