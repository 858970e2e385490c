package scenarios

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/formatter"

	"github.com/shopgraph/shopgraph/gateway/compose"
	"github.com/shopgraph/shopgraph/gateway/execute"
	"github.com/shopgraph/shopgraph/gateway/internal/testsubgraph"
	"github.com/shopgraph/shopgraph/gateway/plan"
	"github.com/shopgraph/shopgraph/gateway/supergraph"
)

// TestDeferProperty: the random graphs and operations of the planner's
// property test, with random parts of their selections moved under @defer
// (nested too), plan and stream: the whole answer the parts make up is the
// monolith's answer to the same document, and, where the monolith reports no
// error (a null in a deferred part nulls only that part), the first payload
// with every incremental entry applied at its path is that answer too; each
// entry comes after the part it is nested in, and only the last payload says
// hasNext false. Longer hunts:
//
//	DEFER_GRAPHS=200 DEFER_OPERATIONS=40 go test ./gateway/internal/scenarios/ -run TestDeferProperty -v
func TestDeferProperty(t *testing.T) {
	t.Parallel()
	graphs, operations := 20, 15
	if n, err := strconv.Atoi(os.Getenv("DEFER_GRAPHS")); err == nil && n > 0 {
		graphs = n
	}
	if n, err := strconv.Atoi(os.Getenv("DEFER_OPERATIONS")); err == nil && n > 0 {
		operations = n
	}
	var composed, ops, deferred, skipped, mismatches int
	examples := map[string]string{}
	for seed := int64(1); seed <= int64(graphs); seed++ {
		g := newRandGraph(rand.New(rand.NewSource(seed)))
		var sgs []*testsubgraph.Subgraph
		for i := range g.subgraphs {
			sgs = append(sgs, g.subgraph(i))
		}
		servers, inputs := rgServe(t, sgs)
		sdl, err := compose.Compose(inputs)
		if err != nil {
			continue // the planner's property test holds composition to account
		}
		sg, err := supergraph.Load(sdl)
		if err != nil {
			t.Fatalf("seed %d: our supergraph does not load: %v", seed, err)
		}
		composed++
		planner := plan.New(sg, plan.Options{CacheSize: 64, Limits: noLimits})
		ex := execute.New(sg, engineOptions())
		truth := g.truthResolvers()
		check := diffChecker(t, &running{g: sg, planner: planner, servers: servers}, ex, truth, false)
		api := sg.API()
		ids := map[string][]string{"node": append(append([]string{}, rgIDs...), rgMissing)}
		if g.ifo != nil {
			ids["item"] = g.ifo.keys()
		}
		gen := &diffGen{r: rand.New(rand.NewSource(seed)), s: api, maxDep: 5, ids: ids, strs: map[string][]string{}}
		r := rand.New(rand.NewSource(seed * 7919))
		for range operations {
			q, vars := gen.query()
			if _, errs := gqlparser.LoadQuery(api, q); len(errs) > 0 || check(q, vars) != nil {
				skipped++ // invalid, or wrong without @defer: TestPlannerProperty's to report
				continue
			}
			ops++
			dq, n := deferSome(r, api, q)
			if n == 0 {
				continue
			}
			deferred++
			if kind, text := checkDeferred(api, truth, planner, ex, dq, vars); kind != "" {
				mismatches++
				if e, ok := examples[kind]; !ok || len(text) < len(e) {
					examples[kind] = fmt.Sprintf("seed %d: %s", seed, text)
				}
			}
		}
		ex.Close()
	}
	t.Logf("%d graphs composed, %d operations, %d with @defer, %d skipped, %d mismatches", composed, ops, deferred, skipped, mismatches)
	for kind, text := range examples {
		t.Errorf("%s:\n%s", kind, text)
	}
}

// deferSome moves random parts of the selection sets of q under
// ... @defer(label: "dN") fragments and returns the document and how many
// it made.
func deferSome(r *rand.Rand, api *ast.Schema, q string) (string, int) {
	doc, errs := gqlparser.LoadQuery(api, q)
	if len(errs) > 0 {
		return q, 0
	}
	n := 0
	var walk func(set ast.SelectionSet) ast.SelectionSet
	walk = func(set ast.SelectionSet) ast.SelectionSet {
		for _, s := range set {
			switch s := s.(type) {
			case *ast.Field:
				if len(s.SelectionSet) > 0 {
					s.SelectionSet = walk(s.SelectionSet)
				}
			case *ast.InlineFragment:
				s.SelectionSet = walk(s.SelectionSet)
			}
		}
		if len(set) == 0 || r.Intn(5) >= 2 {
			return set
		}
		var keep, moved ast.SelectionSet
		for _, s := range set {
			if r.Intn(2) == 0 {
				moved = append(moved, s)
			} else {
				keep = append(keep, s)
			}
		}
		if len(moved) == 0 {
			return set
		}
		n++
		d := &ast.Directive{Name: "defer", Arguments: ast.ArgumentList{{Name: "label", Value: &ast.Value{Kind: ast.StringValue, Raw: "d" + strconv.Itoa(n)}}}}
		return append(keep, &ast.InlineFragment{Directives: ast.DirectiveList{d}, SelectionSet: moved})
	}
	for _, op := range doc.Operations {
		op.SelectionSet = walk(op.SelectionSet)
	}
	for _, f := range doc.Fragments {
		f.SelectionSet = walk(f.SelectionSet)
	}
	var b bytes.Buffer
	formatter.NewFormatter(&b).FormatQueryDocument(doc)
	return b.String(), n
}

// checkDeferred runs dq incrementally and returns the kind of mismatch found
// with a description, or "" when the answer is right.
func checkDeferred(api *ast.Schema, truth map[string]testsubgraph.Resolver, planner *plan.Planner, ex *execute.Executor, dq string, vars map[string]any) (string, string) {
	wantData, wantErrs, err := monoRun(api, truth, dq, vars)
	if err != nil {
		return "monolith refuses the deferred document", fmt.Sprintf("%v\n%s", err, dq)
	}
	pl, cv, err := planner.Plan(dq, "", vars)
	if err != nil {
		return "deferred document does not plan", fmt.Sprintf("%v\n%s", err, dq)
	}
	var payloads [][]byte
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	whole, err := ex.ExecuteIncremental(ctx, pl, cv, true, func(p []byte, _ bool) error {
		payloads = append(payloads, append([]byte(nil), p...))
		return nil
	})
	describe := func() string {
		var b strings.Builder
		fmt.Fprintf(&b, "query: %s\nvariables: %v\nmonolith: %s\nwhole: %s\npayloads:\n", dq, vars, wantData, whole)
		for _, p := range payloads {
			fmt.Fprintf(&b, "  %s\n", p)
		}
		fmt.Fprintf(&b, "plan:\n%s", pl)
		return b.String()
	}
	if err != nil {
		return "incremental execution failed", err.Error() + "\n" + describe()
	}
	var w struct {
		Data json.RawMessage `json:"data"`
	}
	if json.Unmarshal(whole, &w) != nil || string(w.Data) != wantData {
		return "whole answer differs", describe()
	}
	got, problem := assemble(payloads)
	if problem != "" {
		return "incremental delivery: " + problem, describe()
	}
	if len(wantErrs) > 0 {
		return "", ""
	}
	var want any
	_ = json.Unmarshal([]byte(wantData), &want)
	if !reflect.DeepEqual(got, want) {
		b, _ := json.Marshal(got)
		return "assembled parts differ", "assembled: " + string(b) + "\n" + describe()
	}
	return "", ""
}

// assemble applies the incremental entries of payloads to the first one's
// data, checking the protocol as it goes.
func assemble(payloads [][]byte) (any, string) {
	if len(payloads) == 0 {
		return nil, "no payload"
	}
	type entry struct {
		Data json.RawMessage `json:"data"`
		Path []any           `json:"path"`
	}
	var data any
	for i, raw := range payloads {
		var p struct {
			Data        json.RawMessage `json:"data"`
			Incremental []entry         `json:"incremental"`
			HasNext     *bool           `json:"hasNext"`
		}
		if err := json.Unmarshal(raw, &p); err != nil || p.HasNext == nil {
			return nil, fmt.Sprintf("payload %d is not a payload: %s", i, raw)
		}
		if last := i == len(payloads)-1; *p.HasNext == last {
			return nil, fmt.Sprintf("payload %d of %d says hasNext %v", i+1, len(payloads), *p.HasNext)
		}
		if i == 0 {
			if err := json.Unmarshal(p.Data, &data); err != nil {
				return nil, "the first payload has no data"
			}
			continue
		}
		for _, e := range p.Incremental {
			var part any
			_ = json.Unmarshal(e.Data, &part)
			if part == nil {
				continue // nulled, with its error
			}
			at := data
			for _, step := range e.Path {
				switch k := step.(type) {
				case string:
					m, ok := at.(map[string]any)
					if !ok {
						return nil, fmt.Sprintf("entry at %v comes before the object it is for", e.Path)
					}
					at = m[k]
				case float64:
					l, ok := at.([]any)
					if !ok || int(k) >= len(l) {
						return nil, fmt.Sprintf("entry at %v comes before the list it is for", e.Path)
					}
					at = l[int(k)]
				}
			}
			obj, ok := at.(map[string]any)
			if !ok {
				return nil, fmt.Sprintf("entry at %v has no object to go to", e.Path)
			}
			mergeJSON(obj, part.(map[string]any))
		}
	}
	return data, ""
}

// mergeJSON merges src into dst: objects key by key, lists item by item.
func mergeJSON(dst, src map[string]any) {
	for k, v := range src {
		cur, ok := dst[k]
		if !ok {
			dst[k] = v
			continue
		}
		switch c := cur.(type) {
		case map[string]any:
			if s, ok := v.(map[string]any); ok {
				mergeJSON(c, s)
				continue
			}
		case []any:
			if s, ok := v.([]any); ok && len(s) == len(c) {
				for i := range c {
					cm, ok1 := c[i].(map[string]any)
					sm, ok2 := s[i].(map[string]any)
					if ok1 && ok2 {
						mergeJSON(cm, sm)
					} else {
						c[i] = s[i]
					}
				}
				continue
			}
		}
		dst[k] = v
	}
}
