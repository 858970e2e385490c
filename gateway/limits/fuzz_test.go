package limits

import (
	"testing"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"
)

// FuzzLimits measures and estimates arbitrary documents: neither may panic, hang
// or report a negative measure, valid or not.
func FuzzLimits(f *testing.F) {
	for _, seed := range []string{
		nested(3),
		`{ products(first: 5) { edges { node { ...F } } } } fragment F on Product { variants { id } reviews(first: 2) { rating } }`,
		`query Q($n: Int, $s: Boolean!) { search(take: $n) @skip(if: $s) { id } featured { grid } }`,
		`{ ...A } fragment A on Query { ...B ...B } fragment B on Query { ...A }`,
		`mutation { x: addReview(rating: 1) { rating } }`,
	} {
		f.Add(seed, int64(3))
	}
	g, err := loadGraphFor(f)
	if err != nil {
		f.Fatal(err)
	}
	cfg := Config{}.WithDefaults()
	f.Fuzz(func(t *testing.T, query string, n int64) {
		doc, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: query}, cfg.MaxTokens)
		if err != nil || len(doc.Operations) == 0 {
			return
		}
		for _, op := range doc.Operations {
			s := Measure(doc, op)
			if s.Depth < 0 || s.Aliases < 0 || s.RootFields < 0 || s.Directives < 0 {
				t.Fatalf("negative measure %+v", s)
			}
		}
		if cfg.CheckShape(doc, doc.Operations[0]) != nil {
			return
		}
		if errs := validator.Validate(g.API(), doc); len(errs) > 0 {
			return
		}
		vars := map[string]any{"n": n, "s": n%2 == 0}
		for _, op := range doc.Operations {
			if c := cfg.Cost(g, doc, op, vars); c < 0 {
				t.Fatalf("negative cost %d", c)
			}
		}
	})
}
