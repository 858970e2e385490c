package execute_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/shopgraph/shopgraph/gateway/execute"
	"github.com/shopgraph/shopgraph/gateway/plan"
	"github.com/shopgraph/shopgraph/gateway/supergraph"
)

// The introspection differential test answers the same introspection queries with
// the router (gateway/plan + gateway/execute on gateway/supergraph's API schema) and
// with graphql-js on Apollo's API schema of the same supergraph
// (@apollo/federation-internals' Supergraph.build(sdl).apiSchema(), the pinned
// installation of gateway/compose/testdata/refcompose), through
// testdata/introspect/introspect.mjs.
//
// TestIntrospectionDifferential fails on differences of content: values, missing or
// extra types, fields, arguments, directives... with lists of named things matched
// by name and object keys matched by key. TestIntrospectionOrder fails on
// differences of order only (same content, other order), so the two kinds are told
// apart.

const (
	refComposeDir  = "../compose/testdata/refcompose"
	introspectDir  = "testdata/introspect"
	introspectNode = "introspect.mjs"
)

// introSet is one supergraph both sides answer for.
type introSet struct {
	name string
	sdl  string
}

// introQuery is one operation sent to both sides.
type introQuery struct {
	Name      string         `json:"name"`
	Query     string         `json:"query"`
	Variables map[string]any `json:"variables,omitempty"`
}

// introAnswer is one side's answer: data as an ordered JSON tree, and error messages.
type introAnswer struct {
	data   *jnode
	errors []string
}

type introCase struct {
	set   string
	query introQuery
	js    introAnswer
	ours  introAnswer
}

var (
	introOnce  sync.Once
	introCases []introCase
	introSkip  string
	introErr   error
)

// introspectionCases runs every query of every set on both sides, once per test binary.
func introspectionCases(t *testing.T) []introCase {
	t.Helper()
	introOnce.Do(func() { introCases, introSkip, introErr = buildIntrospectionCases() })
	if introSkip != "" {
		t.Skip(introSkip)
	}
	if introErr != nil {
		t.Fatal(introErr)
	}
	return introCases
}

func introspectionSets() ([]introSet, error) {
	var sets []introSet
	add := func(name, path string) error {
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		sets = append(sets, introSet{name, string(b)})
		return nil
	}
	for _, n := range []string{"shop", "bench"} {
		if err := add(n, filepath.Join("../compose/testdata", n+".supergraph.graphql")); err != nil {
			return nil, err
		}
	}
	corpus, err := filepath.Glob("../compose/testdata/corpus/*.supergraph.graphql")
	if err != nil {
		return nil, err
	}
	sort.Strings(corpus)
	for _, p := range corpus {
		if err := add("corpus_"+strings.TrimSuffix(filepath.Base(p), ".supergraph.graphql"), p); err != nil {
			return nil, err
		}
	}
	if err := add("rich", filepath.Join(introspectDir, "rich.supergraph.graphql")); err != nil {
		return nil, err
	}
	// The same with a schema description, which composition does not produce but a
	// supergraph may carry: __schema { description } must show it.
	rich := sets[len(sets)-1].sdl
	sets = append(sets, introSet{"rich_schema_description", strings.Replace(rich, "\nschema\n", "\n\"\"\"The rich API.\"\"\"\nschema\n", 1)})
	return sets, nil
}

// refNode finds node and the reference installation, running npm ci as
// gateway/compose's differential test does when node_modules is missing. It returns
// a reason to skip when they cannot be had.
func refNode() (string, string) {
	node, err := exec.LookPath("node")
	if err != nil {
		return "", "introspection differential test skipped: node is not installed"
	}
	for _, pkg := range []string{"@apollo/federation-internals", "graphql"} {
		if _, err := os.Stat(filepath.Join(refComposeDir, "node_modules", filepath.FromSlash(pkg))); err == nil {
			continue
		}
		npm, err := exec.LookPath("npm")
		if err != nil {
			return "", "introspection differential test skipped: npm is not installed to fetch " + pkg
		}
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		cmd := exec.CommandContext(ctx, npm, "ci", "--no-audit", "--no-fund")
		cmd.Dir = refComposeDir
		out, err := cmd.CombinedOutput()
		cancel()
		if err != nil {
			return "", fmt.Sprintf("introspection differential test skipped: npm ci in %s failed (offline?): %v\n%s", refComposeDir, err, out)
		}
	}
	return node, ""
}

type jsSetIn struct {
	Name       string       `json:"name"`
	Supergraph string       `json:"supergraph"`
	Queries    []introQuery `json:"queries"`
}

type jsSetOut struct {
	Name    string   `json:"name"`
	Error   string   `json:"error"`
	Types   []string `json:"types"`
	Results []struct {
		Name   string          `json:"name"`
		Data   json.RawMessage `json:"data"`
		Errors []struct {
			Message string `json:"message"`
		} `json:"errors"`
	} `json:"results"`
}

// runIntrospectJS answers every set's queries with graphql-js in one Node process.
func runIntrospectJS(node string, sets []jsSetIn) (map[string]jsSetOut, error) {
	in, err := json.Marshal(map[string]any{"sets": sets})
	if err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(refComposeDir)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, introspectNode)
	cmd.Dir = introspectDir
	cmd.Env = append(os.Environ(), "REFCOMPOSE_DIR="+abs)
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%s failed: %v\n%s", introspectNode, err, stderr.String())
	}
	var res struct {
		Results []jsSetOut `json:"results"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		return nil, fmt.Errorf("%s output: %v", introspectNode, err)
	}
	byName := map[string]jsSetOut{}
	for _, r := range res.Results {
		byName[r.Name] = r
	}
	return byName, nil
}

func buildIntrospectionCases() ([]introCase, string, error) {
	node, skip := refNode()
	if skip != "" {
		return nil, skip, nil
	}
	sets, err := introspectionSets()
	if err != nil {
		return nil, "", err
	}
	graphs := map[string]*supergraph.Graph{}
	for _, s := range sets {
		g, err := supergraph.Load(s.sdl)
		if err != nil {
			return nil, "", fmt.Errorf("%s: load supergraph: %v", s.name, err)
		}
		graphs[s.name] = g
	}
	// First pass: the type names graphql-js knows, so that __type(name:) is asked for
	// the union of both sides' types.
	var in []jsSetIn
	for _, s := range sets {
		in = append(in, jsSetIn{Name: s.name, Supergraph: s.sdl})
	}
	first, err := runIntrospectJS(node, in)
	if err != nil {
		return nil, "", err
	}
	queries := map[string][]introQuery{}
	in = in[:0]
	for _, s := range sets {
		js := first[s.name]
		if js.Error != "" {
			return nil, "", fmt.Errorf("%s: graphql-js API schema: %s", s.name, js.Error)
		}
		names := map[string]bool{}
		for _, n := range js.Types {
			names[n] = true
		}
		for n := range graphs[s.name].API().Types {
			names[n] = true
		}
		// The supergraph's own types too: machinery (join__Graph, link__Purpose...) and
		// @inaccessible types must not be found by __type(name:) either.
		doc, err := parser.ParseSchema(&ast.Source{Input: s.sdl})
		if err != nil {
			return nil, "", fmt.Errorf("%s: parse supergraph: %v", s.name, err)
		}
		for _, d := range doc.Definitions {
			names[d.Name] = true
		}
		qs := introspectionQueries(slices.Sorted(maps.Keys(names)))
		queries[s.name] = qs
		in = append(in, jsSetIn{Name: s.name, Supergraph: s.sdl, Queries: qs})
	}
	second, err := runIntrospectJS(node, in)
	if err != nil {
		return nil, "", err
	}
	var cases []introCase
	for _, s := range sets {
		js := second[s.name]
		if js.Error != "" {
			return nil, "", fmt.Errorf("%s: graphql-js API schema: %s", s.name, js.Error)
		}
		if len(js.Results) != len(queries[s.name]) {
			return nil, "", fmt.Errorf("%s: graphql-js answered %d queries of %d", s.name, len(js.Results), len(queries[s.name]))
		}
		g := graphs[s.name]
		planner := plan.New(g, plan.Options{CacheSize: 4096})
		ex := execute.New(g, execute.Options{SubgraphTimeout: time.Second})
		for i, q := range queries[s.name] {
			c := introCase{set: s.name, query: q}
			r := js.Results[i]
			if len(r.Data) > 0 && string(r.Data) != "null" {
				if c.js.data, err = parseOrdered(r.Data); err != nil {
					ex.Close()
					return nil, "", fmt.Errorf("%s/%s: graphql-js data: %v", s.name, q.Name, err)
				}
			}
			for _, e := range r.Errors {
				c.js.errors = append(c.js.errors, e.Message)
			}
			c.ours = ourIntrospection(planner, ex, q)
			cases = append(cases, c)
		}
		ex.Close()
	}
	return cases, "", nil
}

func ourIntrospection(p *plan.Planner, ex *execute.Executor, q introQuery) introAnswer {
	var a introAnswer
	pl, vars, err := p.Plan(q.Query, "", q.Variables)
	if err != nil {
		a.errors = []string{err.Error()}
		return a
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	resp := ex.Execute(ctx, pl, vars)
	for _, e := range resp.Errors {
		a.errors = append(a.errors, e.Message)
	}
	if len(resp.Data) > 0 && string(resp.Data) != "null" {
		d, err := parseOrdered(resp.Data)
		if err != nil {
			a.errors = append(a.errors, "unparsable data: "+err.Error()+": "+string(resp.Data))
		} else {
			a.data = d
		}
	}
	return a
}

// introspectionQueries are the operations asked of every set.
func introspectionQueries(typeNames []string) []introQuery {
	qs := []introQuery{
		{Name: "full_graphiql", Query: fullIntrospection(true, false)},
		{Name: "full_graphiql_oneof", Query: fullIntrospection(true, true)},
		{Name: "full_classic", Query: fullIntrospection(false, false)},
		{Name: "schema_types", Query: `{ __schema { types { name kind } } }`},
		{Name: "schema_directives", Query: `{ __schema { directives { name locations args { name } } } }`},
		{Name: "schema_directives_full", Query: `{ __schema { directives { name description isRepeatable locations args(includeDeprecated: true) { name description defaultValue isDeprecated deprecationReason type { ...TypeRef } } } } }` + typeRefFragment},
		{Name: "schema_roots", Query: `{ __schema { description queryType { name kind } mutationType { name kind } subscriptionType { name kind } } }`},
		{Name: "default_deprecation_filter", Query: `{ __schema { types { name fields { name args { name defaultValue } } inputFields { name defaultValue } enumValues { name } } } }`},
		{Name: "explicit_deprecation_false", Query: `{ __schema { types { name fields(includeDeprecated: false) { name args(includeDeprecated: false) { name } } inputFields(includeDeprecated: false) { name } enumValues(includeDeprecated: false) { name } } } }`},
		{Name: "deprecation_by_variable", Query: `query ($d: Boolean!) { __schema { types { name fields(includeDeprecated: $d) { name isDeprecated deprecationReason args(includeDeprecated: $d) { name isDeprecated deprecationReason } } inputFields(includeDeprecated: $d) { name isDeprecated deprecationReason } enumValues(includeDeprecated: $d) { name isDeprecated deprecationReason } } } }`, Variables: map[string]any{"d": true}},
		{Name: "typename_mix", Query: `{ __typename a: __typename t: __type(name: "Query") { __typename n: name k: kind fields { __typename fieldName: name type { __typename kind name ofType { name kind } } } } s: __schema { __typename queryType { __typename name } types { __typename name } directives { __typename name } } }`},
		{Name: "aliases_twice", Query: `{ x: __schema { queryType { name } } y: __schema { queryType { name fields { name } } } q1: __type(name: "Query") { name } q2: __type(name: "String") { kind name description specifiedByURL } }`},
		{Name: "merged_fields", Query: `{ __schema { types { name } } __schema { types { kind } queryType { name } } __type(name: "Query") { name } __type(name: "Query") { fields { name } } }`},
		{Name: "fragments", Query: `query { ...S __type(name: "Query") { ...T ... on __Type { description } } } fragment S on Query { __schema { queryType { ...T } } } fragment T on __Type { name kind }`},
		{Name: "skip_include", Query: `query ($yes: Boolean = true, $no: Boolean = false) { __schema { queryType { name @include(if: $yes) kind @skip(if: $yes) } types @skip(if: $no) { name } directives @include(if: $no) { name } } __typename @skip(if: $yes) }`},
		{Name: "type_missing", Query: `{ __type(name: "DoesNotExist") { name } }`},
		{Name: "type_by_variable", Query: `query ($n: String!) { __type(name: $n) { name kind } }`, Variables: map[string]any{"n": "Query"}},
		{Name: "type_introspection_types", Query: `{ s: __type(name: "__Schema") { ...FullType } t: __type(name: "__Type") { ...FullType } k: __type(name: "__TypeKind") { ...FullType } l: __type(name: "__DirectiveLocation") { ...FullType } }` + fullTypeFragment(true, true) + inputValueFragment(true) + typeRefFragment},
		{Name: "mutation_typename", Query: `mutation { __typename }`},
		{Name: "deprecation_variable_absent", Query: `query ($d: Boolean) { __type(name: "Query") { fields(includeDeprecated: $d) { name } } }`},
		{Name: "deprecation_null", Query: `{ __schema { types { name fields(includeDeprecated: null) { name } enumValues(includeDeprecated: null) { name } } } }`},
		{Name: "invalid_type_without_name", Query: `{ __type { name } }`},
		{Name: "invalid_no_subselection", Query: `{ __type(name: "Query") }`},
		{Name: "invalid_unknown_field", Query: `{ __schema { nope } }`},
		{Name: "invalid_name_type", Query: `{ __type(name: 1) { name } }`},
		{Name: "invalid_typename_args", Query: `{ __typename(x: 1) }`},
		{Name: "subscription_typename", Query: `subscription { __typename }`},
	}
	for _, n := range typeNames {
		qs = append(qs, introQuery{
			Name:  "type_" + n,
			Query: fmt.Sprintf(`{ __type(name: %q) { ...FullType } }`, n) + fullTypeFragment(true, true) + inputValueFragment(true) + typeRefFragment,
		})
	}
	return qs
}

// fullIntrospection is graphql-js' getIntrospectionQuery: modern is what GraphiQL
// sends (descriptions, specifiedByURL, isRepeatable, schema description, deprecated
// arguments and input fields); oneOf adds isOneOf.
func fullIntrospection(modern, oneOf bool) string {
	schemaDesc, repeatable, argsDep := "", "", ""
	if modern {
		schemaDesc, repeatable, argsDep = "description", "isRepeatable", "(includeDeprecated: true)"
	}
	return `query IntrospectionQuery {
  __schema {
    ` + schemaDesc + `
    queryType { name }
    mutationType { name }
    subscriptionType { name }
    types { ...FullType }
    directives {
      name
      description
      ` + repeatable + `
      locations
      args` + argsDep + ` { ...InputValue }
    }
  }
}
` + fullTypeFragment(modern, oneOf) + inputValueFragment(modern) + typeRefFragment
}

func fullTypeFragment(modern, oneOf bool) string {
	specifiedBy, isOneOf, argsDep := "", "", ""
	if modern {
		specifiedBy, argsDep = "specifiedByURL", "(includeDeprecated: true)"
	}
	if oneOf {
		isOneOf = "isOneOf"
	}
	return `
fragment FullType on __Type {
  kind
  name
  description
  ` + specifiedBy + `
  ` + isOneOf + `
  fields(includeDeprecated: true) {
    name
    description
    args` + argsDep + ` { ...InputValue }
    type { ...TypeRef }
    isDeprecated
    deprecationReason
  }
  inputFields` + argsDep + ` { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) {
    name
    description
    isDeprecated
    deprecationReason
  }
  possibleTypes { ...TypeRef }
}
`
}

func inputValueFragment(modern bool) string {
	dep := ""
	if modern {
		dep = "isDeprecated\n  deprecationReason"
	}
	return `
fragment InputValue on __InputValue {
  name
  description
  type { ...TypeRef }
  defaultValue
  ` + dep + `
}
`
}

const typeRefFragment = `
fragment TypeRef on __Type {
  kind name
  ofType { kind name
    ofType { kind name
      ofType { kind name
        ofType { kind name
          ofType { kind name
            ofType { kind name
              ofType { kind name
                ofType { kind name
                  ofType { kind name }
                }
              }
            }
          }
        }
      }
    }
  }
}
`

// maxDiffs bounds the differences reported for one query.
const maxDiffs = 25

// Set INTROSPECTION_DUMP=1 to log both answers of every query.
func TestIntrospectionDifferential(t *testing.T) {
	sum := &diffSummary{}
	for _, c := range introspectionCases(t) {
		t.Run(c.set+"/"+c.query.Name, func(t *testing.T) {
			if os.Getenv("INTROSPECTION_DUMP") != "" {
				t.Logf("graphql-js: %s %q\nours:       %s %q", c.js.data, c.js.errors, c.ours.data, c.ours.errors)
			}
			content, _ := compareIntrospection(c)
			sum.add(c, content)
			if len(content) > 0 {
				t.Errorf("content differs from graphql-js (%d differences):\n%s\nquery: %s", len(content), strings.Join(limit(content), "\n"), oneLine(c.query.Query))
			}
		})
	}
	sum.log(t, "content")
}

func TestIntrospectionOrder(t *testing.T) {
	sum := &diffSummary{}
	for _, c := range introspectionCases(t) {
		t.Run(c.set+"/"+c.query.Name, func(t *testing.T) {
			_, order := compareIntrospection(c)
			sum.add(c, order)
			if len(order) > 0 {
				t.Errorf("order differs from graphql-js (%d lists or objects):\n%s\nquery: %s", len(order), strings.Join(limit(order), "\n"), oneLine(c.query.Query))
			}
		})
	}
	sum.log(t, "order")
}

// diffSummary counts each distinct difference over all sets and queries, so that
// one cause repeated by many queries reads as one line.
type diffSummary struct {
	count   map[string]int
	example map[string]string
}

func (s *diffSummary) add(c introCase, diffs []string) {
	if s.count == nil {
		s.count, s.example = map[string]int{}, map[string]string{}
	}
	for _, d := range diffs {
		// The alias or root of the path varies with the query; the rest is the difference.
		key := d
		if rest, ok := strings.CutPrefix(d, "data."); ok {
			if j := strings.IndexAny(rest, ".:["); j >= 0 {
				key = rest[j:]
			}
		}
		if len(key) > 400 {
			key = key[:400] + "..."
		}
		if s.count[key] == 0 {
			s.example[key] = c.set + "/" + c.query.Name
		}
		s.count[key]++
	}
}

func (s *diffSummary) log(t *testing.T, what string) {
	if len(s.count) == 0 {
		return
	}
	keys := slices.Collect(maps.Keys(s.count))
	sort.Slice(keys, func(i, j int) bool {
		if s.count[keys[i]] != s.count[keys[j]] {
			return s.count[keys[i]] > s.count[keys[j]]
		}
		return keys[i] < keys[j]
	})
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "\n%5dx  %s   (e.g. %s)", s.count[k], k, s.example[k])
	}
	t.Logf("%d distinct %s differences from graphql-js:%s", len(keys), what, b.String())
}

func limit(d []string) []string {
	if len(d) <= maxDiffs {
		return d
	}
	return append(d[:maxDiffs:maxDiffs], fmt.Sprintf("... and %d more", len(d)-maxDiffs))
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 300 {
		s = s[:300] + "..."
	}
	return s
}

// compareIntrospection returns differences of content and, separately, of order.
func compareIntrospection(c introCase) (content, order []string) {
	switch {
	case len(c.js.errors) > 0 && len(c.ours.errors) == 0:
		content = append(content, fmt.Sprintf("errors: graphql-js %q, ours none", c.js.errors))
	case len(c.js.errors) == 0 && len(c.ours.errors) > 0:
		content = append(content, fmt.Sprintf("errors: graphql-js none, ours %q", c.ours.errors))
	}
	switch {
	case c.js.data == nil && c.ours.data == nil:
	case c.js.data == nil:
		content = append(content, "data: graphql-js none, ours "+c.ours.data.String())
	case c.ours.data == nil:
		content = append(content, "data: graphql-js "+c.js.data.String()+", ours none")
	default:
		d := &differ{}
		d.walk("data", c.js.data, c.ours.data)
		content = append(content, d.content...)
		order = d.order
	}
	return content, order
}

type differ struct{ content, order []string }

func (d *differ) walk(path string, js, ours *jnode) {
	if js.kind != ours.kind {
		d.content = append(d.content, fmt.Sprintf("%s: graphql-js %s, ours %s", path, js.short(), ours.short()))
		return
	}
	switch js.kind {
	case jObject:
		var jsKeys, ourKeys []string
		for _, kv := range js.obj {
			jsKeys = append(jsKeys, kv.key)
			if v := ours.get(kv.key); v != nil {
				d.walk(path+"."+kv.key, kv.val, v)
			} else {
				d.content = append(d.content, fmt.Sprintf("%s.%s: graphql-js %s, ours absent", path, kv.key, kv.val.short()))
			}
		}
		for _, kv := range ours.obj {
			ourKeys = append(ourKeys, kv.key)
			if js.get(kv.key) == nil {
				d.content = append(d.content, fmt.Sprintf("%s.%s: graphql-js absent, ours %s", path, kv.key, kv.val.short()))
			}
		}
		if a, b := common(jsKeys, ourKeys); !slices.Equal(a, b) {
			d.order = append(d.order, fmt.Sprintf("%s keys: graphql-js %v, ours %v", path, a, b))
		}
	case jArray:
		jsNames, jok := js.names()
		ourNames, ook := ours.names()
		if jok && ook {
			// Named things (types, fields, arguments, values, directives): matched by name.
			var missing, extra []string
			for i, n := range jsNames {
				if j := slices.Index(ourNames, n); j >= 0 {
					d.walk(fmt.Sprintf("%s[name=%s]", path, n), js.arr[i], ours.arr[j])
				} else {
					missing = append(missing, n)
				}
			}
			for _, n := range ourNames {
				if !slices.Contains(jsNames, n) {
					extra = append(extra, n)
				}
			}
			if len(missing) > 0 {
				d.content = append(d.content, fmt.Sprintf("%s: missing from ours (graphql-js has them): %v", path, missing))
			}
			if len(extra) > 0 {
				d.content = append(d.content, fmt.Sprintf("%s: extra in ours (graphql-js has not): %v", path, extra))
			}
			if a, b := common(jsNames, ourNames); !slices.Equal(a, b) {
				d.order = append(d.order, fmt.Sprintf("%s order: graphql-js %v, ours %v", path, a, b))
			}
			return
		}
		// Other lists (locations): compared as multisets, then for order.
		a, b := js.strings(), ours.strings()
		if len(js.arr) != len(ours.arr) || a == nil || b == nil {
			if len(js.arr) != len(ours.arr) {
				d.content = append(d.content, fmt.Sprintf("%s: graphql-js %s, ours %s", path, js.short(), ours.short()))
				return
			}
			for i := range js.arr {
				d.walk(fmt.Sprintf("%s[%d]", path, i), js.arr[i], ours.arr[i])
			}
			return
		}
		sa, sb := slices.Sorted(slices.Values(a)), slices.Sorted(slices.Values(b))
		if !slices.Equal(sa, sb) {
			d.content = append(d.content, fmt.Sprintf("%s: graphql-js %v, ours %v", path, a, b))
		} else if !slices.Equal(a, b) {
			d.order = append(d.order, fmt.Sprintf("%s order: graphql-js %v, ours %v", path, a, b))
		}
	default:
		if js.scalar != ours.scalar {
			d.content = append(d.content, fmt.Sprintf("%s: graphql-js %s, ours %s", path, js.short(), ours.short()))
		}
	}
}

// common returns both sequences restricted to the elements they share.
func common(a, b []string) ([]string, []string) {
	var ca, cb []string
	for _, x := range a {
		if slices.Contains(b, x) {
			ca = append(ca, x)
		}
	}
	for _, x := range b {
		if slices.Contains(a, x) {
			cb = append(cb, x)
		}
	}
	return ca, cb
}

// jnode is a JSON value that keeps the order of object keys.
type jnode struct {
	kind   jkind
	scalar string // JSON text of a scalar
	obj    []jkv
	arr    []*jnode
}

type jkind int

const (
	jScalar jkind = iota
	jObject
	jArray
)

type jkv struct {
	key string
	val *jnode
}

func (n *jnode) get(key string) *jnode {
	for _, kv := range n.obj {
		if kv.key == key {
			return kv.val
		}
	}
	return nil
}

// names returns the "name" of every element when all are objects with a distinct
// string name.
func (n *jnode) names() ([]string, bool) {
	var out []string
	for _, e := range n.arr {
		if e.kind != jObject {
			return nil, false
		}
		v := e.get("name")
		if v == nil || v.kind != jScalar || !strings.HasPrefix(v.scalar, `"`) {
			return nil, false
		}
		var s string
		if json.Unmarshal([]byte(v.scalar), &s) != nil || slices.Contains(out, s) {
			return nil, false
		}
		out = append(out, s)
	}
	return out, len(out) > 0 || len(n.arr) == 0
}

// strings returns the elements when all are scalars.
func (n *jnode) strings() []string {
	out := []string{}
	for _, e := range n.arr {
		if e.kind != jScalar {
			return nil
		}
		out = append(out, e.scalar)
	}
	return out
}

func (n *jnode) String() string {
	var b strings.Builder
	n.write(&b)
	return b.String()
}

func (n *jnode) short() string {
	s := n.String()
	if len(s) > 400 {
		s = s[:400] + "..."
	}
	return s
}

func (n *jnode) write(b *strings.Builder) {
	switch n.kind {
	case jScalar:
		b.WriteString(n.scalar)
	case jObject:
		b.WriteByte('{')
		for i, kv := range n.obj {
			if i > 0 {
				b.WriteByte(',')
			}
			k, _ := json.Marshal(kv.key)
			b.Write(k)
			b.WriteByte(':')
			kv.val.write(b)
		}
		b.WriteByte('}')
	case jArray:
		b.WriteByte('[')
		for i, e := range n.arr {
			if i > 0 {
				b.WriteByte(',')
			}
			e.write(b)
		}
		b.WriteByte(']')
	}
}

func parseOrdered(data []byte) (*jnode, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	n, err := parseValue(dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("trailing data after JSON value")
	}
	return n, nil
}

func parseValue(dec *json.Decoder) (*jnode, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch tok := tok.(type) {
	case json.Delim:
		switch tok {
		case '{':
			n := &jnode{kind: jObject}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				v, err := parseValue(dec)
				if err != nil {
					return nil, err
				}
				n.obj = append(n.obj, jkv{kt.(string), v})
			}
			_, err := dec.Token()
			return n, err
		case '[':
			n := &jnode{kind: jArray, arr: []*jnode{}}
			for dec.More() {
				v, err := parseValue(dec)
				if err != nil {
					return nil, err
				}
				n.arr = append(n.arr, v)
			}
			_, err := dec.Token()
			return n, err
		}
		return nil, fmt.Errorf("unexpected %v", tok)
	default:
		// Re-encode scalars so that both sides' string escaping compares equal.
		b, err := json.Marshal(tok)
		if err != nil {
			return nil, err
		}
		return &jnode{kind: jScalar, scalar: string(b)}, nil
	}
}
