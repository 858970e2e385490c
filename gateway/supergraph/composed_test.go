package supergraph

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestComposedDirectivesInAPI: a directive passed on with @composeDirective is
// left out of the API schema by default, as Apollo's API schema does, and kept
// (definition and applications) with Options.ComposedDirectivesInAPI; the
// federation machinery goes either way.
func TestComposedDirectivesInAPI(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile(filepath.Join("..", "compose", "testdata", "corpus", "compose_directive.supergraph.graphql"))
	if err != nil {
		t.Fatal(err)
	}
	for _, keep := range []bool{false, true} {
		g, err := LoadWith(string(b), Options{ComposedDirectivesInAPI: keep})
		if err != nil {
			t.Fatalf("keep=%v: %v", keep, err)
		}
		api := g.API()
		_, defined := api.Directives["cacheControl"]
		product := api.Types["Product"]
		applied := product != nil && product.Directives.ForName("cacheControl") != nil
		var onField bool
		if q := api.Query; q != nil {
			if f := q.Fields.ForName("p"); f != nil {
				if d := f.Directives.ForName("cacheControl"); d != nil && d.Arguments.ForName("maxAge").Value.Raw == "30" {
					onField = true
				}
			}
		}
		if defined != keep || applied != keep || onField != keep {
			t.Errorf("keep=%v: @cacheControl defined=%v, on Product=%v, on Query.p=%v", keep, defined, applied, onField)
		}
		for _, machinery := range []string{"join__Graph", "link__Import", "join__FieldSet"} {
			if api.Types[machinery] != nil {
				t.Errorf("keep=%v: the API schema has %s", keep, machinery)
			}
		}
		for _, machinery := range []string{"join__type", "join__field", "link"} {
			if _, ok := api.Directives[machinery]; ok {
				t.Errorf("keep=%v: the API schema has @%s", keep, machinery)
			}
		}
		if strings.Contains(g.APISDL(), "join__") {
			t.Errorf("keep=%v: the API SDL mentions join__", keep)
		}
	}
}
