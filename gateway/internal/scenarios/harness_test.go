package scenarios

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/shopgraph/shopgraph/gateway/compose"
	"github.com/shopgraph/shopgraph/gateway/execute"
	"github.com/shopgraph/shopgraph/gateway/internal/testsubgraph"
	"github.com/shopgraph/shopgraph/gateway/limits"
	"github.com/shopgraph/shopgraph/gateway/plan"
	"github.com/shopgraph/shopgraph/gateway/supergraph"
)

// scenario is a set of subgraphs and the operations run against them.
type scenario struct {
	subgraphs []*testsubgraph.Subgraph
	// supergraph, when set, is used instead of composing the subgraphs;
	// "{{name}}" stands for the URL of the subgraph called name.
	supergraph string
	// labels are the progressive @override labels that are on.
	labels []string
	// splitDepth is the planner's SplitDepth: 0 its default, negative never split.
	splitDepth int
}

// tcase is one operation of a scenario and what it must produce.
type tcase struct {
	name  string
	query string
	vars  map[string]any
	data  string
	// errors are "serviceName|path|message substring", in order.
	errors []string
	// requests, when set, is the number of requests each named subgraph must get.
	requests map[string]int
	// check inspects the requests the subgraphs received, when set.
	check func(t *testing.T, got map[string][]testsubgraph.Request)
	// planError, when set, is a substring of the planning error expected instead.
	planError string
}

type running struct {
	g       *supergraph.Graph
	planner *plan.Planner
	servers map[string]*testsubgraph.Server
}

func start(t *testing.T, sc scenario) *running {
	t.Helper()
	r := &running{servers: map[string]*testsubgraph.Server{}}
	var inputs []compose.Subgraph
	sdl := sc.supergraph
	for _, sg := range sc.subgraphs {
		srv := testsubgraph.Start(t, sg)
		r.servers[sg.Name] = srv
		inputs = append(inputs, compose.Subgraph{Name: sg.Name, URL: srv.URL, SDL: sg.SDL})
		sdl = strings.ReplaceAll(sdl, "{{"+sg.Name+"}}", srv.URL)
	}
	if sdl == "" {
		var err error
		if sdl, err = compose.Compose(inputs); err != nil {
			t.Fatalf("compose: %v", err)
		}
	}
	g, err := supergraph.Load(sdl)
	if err != nil {
		t.Fatalf("load supergraph: %v", err)
	}
	r.g = g
	opts := plan.Options{CacheSize: 64, OverrideLabels: sc.labels, Limits: noLimits}
	if sc.splitDepth != 0 {
		depth := max(sc.splitDepth, 0)
		opts.SplitDepth = &depth
	}
	r.planner = plan.New(g, opts)
	return r
}

// run runs the cases one after the other, so that request counts are exact.
func run(t *testing.T, sc scenario, cases []tcase) {
	t.Helper()
	r := start(t, sc)
	ex := execute.New(r.g, engineOptions())
	t.Cleanup(ex.Close)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := map[string]int{}
			for n, s := range r.servers {
				before[n] = len(s.Requests())
			}
			pl, vars, err := r.planner.Plan(tc.query, "", tc.vars)
			if tc.planError != "" {
				if err == nil || !strings.Contains(err.Error(), tc.planError) {
					t.Fatalf("plan error = %v, want %q", err, tc.planError)
				}
				return
			}
			if err != nil {
				t.Fatalf("plan: %v", err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			resp := ex.Execute(ctx, pl, vars)
			if got, want := string(resp.Data), compact(t, tc.data); got != want {
				t.Errorf("data =\n%s\nwant\n%s\nplan:\n%s", got, want, pl)
			}
			checkErrors(t, resp.Errors, tc.errors)
			got := map[string][]testsubgraph.Request{}
			for n, s := range r.servers {
				got[n] = s.Requests()[before[n]:]
			}
			for n, want := range tc.requests {
				if len(got[n]) != want {
					t.Errorf("subgraph %s got %d requests, want %d: %+v", n, len(got[n]), want, got[n])
				}
			}
			if tc.check != nil {
				tc.check(t, got)
			}
		})
	}
}

func compact(t *testing.T, s string) string {
	t.Helper()
	if s == "" {
		return ""
	}
	var b bytes.Buffer
	if err := json.Compact(&b, []byte(s)); err != nil {
		t.Fatalf("invalid JSON %q: %v", s, err)
	}
	return b.String()
}

func checkErrors(t *testing.T, got []execute.Error, want []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("errors = %+v, want %d: %v", got, len(want), want)
	}
	for i, w := range want {
		parts := strings.SplitN(w, "|", 3)
		e := got[i]
		var path []string
		for _, p := range e.Path {
			path = append(path, fmt.Sprint(p))
		}
		if sn, _ := e.Extensions["serviceName"].(string); sn != parts[0] {
			t.Errorf("error %d serviceName = %q, want %q", i, sn, parts[0])
		}
		if strings.Join(path, ".") != parts[1] {
			t.Errorf("error %d path = %s, want %s", i, strings.Join(path, "."), parts[1])
		}
		if !strings.Contains(e.Message, parts[2]) {
			t.Errorf("error %d message = %q, want %q", i, e.Message, parts[2])
		}
	}
}

// byKey builds an entity resolver from objects indexed by one representation field.
func byKey(typename, field string, objs map[string]map[string]any) testsubgraph.EntityResolver {
	return func(_ context.Context, rep map[string]any) (any, error) {
		k := fmt.Sprint(rep[field])
		o, ok := objs[k]
		if !ok {
			return nil, nil
		}
		out := map[string]any{"__typename": typename}
		for key, v := range rep {
			out[key] = v
		}
		for key, v := range o {
			out[key] = v
		}
		return out, nil
	}
}

// list returns a root resolver answering a fixed value.
func list(v any) testsubgraph.Resolver {
	return func(context.Context, map[string]any, map[string]any) (any, error) { return v, nil }
}

// reps returns the representations of the n-th request.
func reps(t *testing.T, reqs []testsubgraph.Request, n int) []any {
	t.Helper()
	if n >= len(reqs) {
		t.Fatalf("no request %d", n)
	}
	r, _ := reqs[n].Variables["representations"].([]any)
	return r
}

const fed = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@shareable", "@external", "@requires", "@provides", "@override", "@inaccessible", "@interfaceObject"])
`

// noLimits turns the router's operation limits off: the scenarios check the
// planner and executor, whose generated operations go far deeper and wider
// than a client's (gateway/limits has its own tests).
var noLimits = limits.Config{
	MaxDocumentBytes: -1, MaxTokens: -1, MaxDepth: -1, MaxAliases: -1, MaxRootFields: -1,
	MaxDirectives: -1, MaxCost: -1, MaxSubgraphBytes: -1, MaxEntities: -1, MaxResponseBytes: -1,
}

// engineOptions configure the executor as the scenarios need it: no retries
// and no circuit breakers, whose counts and shedding would change what the
// failing-subgraph scenarios observe (gateway/execute tests them), and no
// per-request caps.
func engineOptions() execute.Options {
	return execute.Options{
		SubgraphTimeout: 2 * time.Second,
		SubgraphRetries: -1,
		BreakerFailures: -1,
		MaxRequestBytes: -1,
		MaxEntities:     -1,
		MaxOutputBytes:  -1,
	}
}
