package server

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/shopgraph/shopgraph/gateway/compose"
	"github.com/shopgraph/shopgraph/gateway/internal/testsubgraph"
)

// TestComposedDirectiveInIntrospection: a directive a subgraph passes on with
// @composeDirective shows in the router's introspection when
// ComposedDirectivesInAPI is on, and not by default (Apollo's API schema);
// queries run the same either way.
func TestComposedDirectiveInIntrospection(t *testing.T) {
	t.Parallel()
	sg := &testsubgraph.Subgraph{
		Name: "catalog",
		SDL: `extend schema
  @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@composeDirective"])
  @link(url: "https://myspecs.example/cache/v1.0", import: ["@cacheControl"])
  @composeDirective(name: "@cacheControl")
directive @composeDirective(name: String!) repeatable on SCHEMA
directive @cacheControl(maxAge: Int) on FIELD_DEFINITION | OBJECT
type Query { product: Product @cacheControl(maxAge: 30) }
type Product @key(fields: "id") @cacheControl(maxAge: 60) { id: ID! name: String }`,
		Resolvers: map[string]testsubgraph.Resolver{
			"Query.product": func(context.Context, map[string]any, map[string]any) (any, error) {
				return map[string]any{"__typename": "Product", "id": "p1", "name": "Lamp"}, nil
			},
		},
	}
	srv := testsubgraph.Start(t, sg)
	sdl, err := compose.Compose([]compose.Subgraph{{Name: sg.Name, URL: srv.URL, SDL: sg.SDL}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(sdl, "directive @cacheControl(maxAge: Int) on FIELD_DEFINITION | OBJECT") {
		t.Fatalf("the supergraph lacks @cacheControl:\n%s", sdl)
	}
	for _, keep := range []bool{false, true} {
		s, err := New(Config{SupergraphSDL: sdl, ComposedDirectivesInAPI: keep}, nil)
		if err != nil {
			t.Fatal(err)
		}
		hs := httptest.NewServer(s.Handler())
		t.Cleanup(hs.Close)
		_, body := sendQuery(t, hs.URL, `{ __schema { directives { name locations args { name } } } }`, nil)
		shown := strings.Contains(body, `{"name":"cacheControl","locations":["FIELD_DEFINITION","OBJECT"],"args":[{"name":"maxAge"}]}`)
		if shown != keep {
			t.Errorf("ComposedDirectivesInAPI=%v: @cacheControl in introspection = %v\n%s", keep, shown, body)
		}
		if strings.Contains(body, "join__") || strings.Contains(body, `"link"`) {
			t.Errorf("ComposedDirectivesInAPI=%v: introspection shows federation machinery: %s", keep, body)
		}
		if _, body := sendQuery(t, hs.URL, `{ product { id name } }`, nil); body != `{"data":{"product":{"id":"p1","name":"Lamp"}}}` {
			t.Errorf("ComposedDirectivesInAPI=%v: query answered %s", keep, body)
		}
	}
}
