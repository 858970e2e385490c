package compose

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/shopgraph/shopgraph/gateway/supergraph"
)

// corpusCase is one set of subgraphs of testdata/corpus: NAME.graphqls holds the
// subgraphs, each after a "# subgraph: NAME" line; NAME.supergraph.graphql the
// expected supergraph, or NAME.errors.txt the expected errors for cases whose name
// starts with "error_".
type corpusCase struct {
	name      string
	subgraphs []Subgraph
	wantError bool
}

var subgraphHeader = regexp.MustCompile(`(?m)^# subgraph: *(\S+) *\n`)

func loadCorpus(t testing.TB) []corpusCase {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "corpus", "*.graphqls"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus: %v", err)
	}
	sort.Strings(files)
	var out []corpusCase
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		name := strings.TrimSuffix(filepath.Base(f), ".graphqls")
		out = append(out, corpusCase{name: name, subgraphs: splitSubgraphs(string(b)), wantError: strings.HasPrefix(name, "error_")})
	}
	return out
}

// splitSubgraphs cuts a corpus file at its "# subgraph: NAME" lines.
func splitSubgraphs(text string) []Subgraph {
	locs := subgraphHeader.FindAllStringSubmatchIndex(text, -1)
	var out []Subgraph
	for i, loc := range locs {
		end := len(text)
		if i+1 < len(locs) {
			end = locs[i+1][0]
		}
		name := text[loc[2]:loc[3]]
		out = append(out, Subgraph{Name: name, URL: "http://" + name + ".local/graphql", SDL: text[loc[1]:end]})
	}
	return out
}

// TestCorpus composes every case of testdata/corpus and compares the supergraph or
// the errors with the expected ones (go test -run TestCorpus -update rewrites them).
func TestCorpus(t *testing.T) {
	t.Parallel()
	for _, c := range loadCorpus(t) {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			out, err := Compose(c.subgraphs)
			if !c.wantError {
				if err != nil {
					t.Fatalf("composition failed:\n%v", err)
				}
				golden(t, filepath.Join("testdata", "corpus", c.name+".supergraph.graphql"), out)
				if _, err := supergraph.Load(out); err != nil {
					t.Errorf("supergraph does not load: %v", err)
				}
				rev := append([]Subgraph(nil), c.subgraphs...)
				for i, j := 0, len(rev)-1; i < j; i, j = i+1, j-1 {
					rev[i], rev[j] = rev[j], rev[i]
				}
				if again, err := Compose(rev); err != nil || again != out {
					t.Errorf("composition depends on the order of subgraphs: %v", err)
				}
				return
			}
			var errs Errors
			if !errors.As(err, &errs) {
				t.Fatalf("err = %v, want composition Errors", err)
			}
			var lines []string
			for _, e := range errs {
				if e.Code == "" || e.Message == "" {
					t.Errorf("error without code or message: %#v", e)
				}
				lines = append(lines, e.Error())
			}
			golden(t, filepath.Join("testdata", "corpus", c.name+".errors.txt"), strings.Join(lines, "\n")+"\n")
			// The rule a case is named after must be among its errors.
			if want := ruleOf(t, c); want != "" && !strings.Contains(strings.Join(lines, "\n"), want) {
				t.Errorf("no %s error among:\n%s", want, strings.Join(lines, "\n"))
			}
		})
	}
}

// ruleOf reads the rule an error case is about from its first line ("# CODE ...").
func ruleOf(t *testing.T, c corpusCase) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "corpus", c.name+".graphqls"))
	if err != nil {
		t.Fatal(err)
	}
	first, _, _ := strings.Cut(string(b), "\n")
	fields := strings.Fields(strings.TrimPrefix(first, "#"))
	if len(fields) == 0 || strings.ToUpper(fields[0]) != fields[0] {
		return ""
	}
	return strings.TrimSuffix(fields[0], ":")
}
