package playground_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shopgraph/shopgraph/gateway/compose"
	"github.com/shopgraph/shopgraph/gateway/internal/testsubgraph"
	"github.com/shopgraph/shopgraph/gateway/server"
)

// browserQuery needs all three subgraphs: catalog, orders (shipping estimates
// from @requires) and users (review authors).
const browserQuery = `query BrowserTest { product(id: "p1") { name variants { sku shippingEstimate(country: "US") { amount currencyCode } } reviews(first: 1) { edges { node { title author { name } } } } } }`

// browserReport is what ui/browser-test.mjs saw.
type browserReport struct {
	Problems        []string `json:"problems"`
	GraphQLRequests []struct {
		Page          string            `json:"page"`
		OperationName *string           `json:"operationName"`
		Headers       map[string]string `json:"headers"`
	} `json:"graphqlRequests"`
	PlaygroundStatus  int    `json:"playgroundStatus"`
	PlaygroundTitle   string `json:"playgroundTitle"`
	TypedQuery        string `json:"typedQuery"`
	PrettifiedQuery   string `json:"prettifiedQuery"`
	TypedHeaders      string `json:"typedHeaders"`
	Result            string `json:"result"`
	ResultOnScreen    string `json:"resultOnScreen"`
	PlanText          string `json:"planText"`
	PlanMeta          string `json:"planMeta"`
	PlanJSON          string `json:"planJSON"`
	Docs              string `json:"docs"`
	GraphQLPageStatus int    `json:"graphqlPageStatus"`
	GraphQLPageType   string `json:"graphqlPageType"`
	GraphQLPageTitle  string `json:"graphqlPageTitle"`
	GraphQLPagePlan   string `json:"graphqlPagePlan"`
	GraphQLPageResult string `json:"graphqlPageResult"`
	History           string `json:"history"`
	RefusedPlan       string `json:"refusedPlan"`
	RefusedResult     string `json:"refusedResult"`
}

// needTool skips the test when a tool is missing, except in CI, where the
// browser test must run.
func needTool(t *testing.T, what string, err error) {
	t.Helper()
	if err == nil {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is missing (CI=true, so the browser test cannot be skipped): %v", what, err)
	}
	t.Skipf("%s is missing, skipping the browser test: %v", what, err)
}

// startRouter serves the router over the test subgraphs on loopback.
func startRouter(t *testing.T) *httptest.Server {
	t.Helper()
	cat, ord, usr := testsubgraph.Shop()
	sdls := map[string]string{"catalog": testsubgraph.CatalogSDL, "orders": testsubgraph.OrdersSDL, "users": testsubgraph.UsersSDL}
	var in []compose.Subgraph
	for _, sg := range []*testsubgraph.Subgraph{cat, ord, usr} {
		srv := testsubgraph.Start(t, sg)
		in = append(in, compose.Subgraph{Name: sg.Name, URL: srv.URL, SDL: sdls[sg.Name]})
	}
	sdl, err := compose.Compose(in)
	if err != nil {
		t.Fatal(err)
	}
	s, err := server.New(server.Config{SupergraphSDL: sdl}, nil)
	if err != nil {
		t.Fatal(err)
	}
	router := httptest.NewServer(s.Handler())
	t.Cleanup(router.Close)
	return router
}

// routerPlan is the plan text the router returns for query, to compare with
// what the panel shows.
func routerPlan(t *testing.T, routerURL, query string) string {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"query": query})
	req, err := http.NewRequest(http.MethodPost, routerURL+"/graphql", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(server.QueryPlanHeader, "true")
	req.Header.Set("Apollo-Require-Preflight", "true")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var out struct {
		Extensions struct {
			QueryPlan struct {
				Text string `json:"text"`
			} `json:"queryPlan"`
		} `json:"extensions"`
	}
	if err := json.Unmarshal(raw, &out); err != nil || out.Extensions.QueryPlan.Text == "" {
		t.Fatalf("router gave no plan (%v): %s", err, raw)
	}
	return out.Extensions.QueryPlan.Text
}

// npmCI installs ui/node_modules (playwright-core) once; later runs reuse it.
func npmCI(t *testing.T, ctx context.Context, uiDir string) {
	t.Helper()
	if _, err := os.Stat(filepath.Join(uiDir, "node_modules", "playwright-core", "package.json")); err == nil {
		return
	}
	_, err := exec.LookPath("npm")
	needTool(t, "npm", err)
	cmd := exec.CommandContext(ctx, "npm", "ci", "--no-audit", "--no-fund")
	cmd.Dir = uiDir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("npm ci in %s: %v\n%s", uiDir, err, out)
	}
}

// TestPlaygroundInChromium opens the playground in real headless Chromium
// against a real router and subgraphs, types an operation and request headers,
// runs it, and checks the result, the query plan panel, the schema docs, the
// requests the page sent, and that GET /graphql from the browser opens the
// playground. Screenshots go to $PLAYGROUND_SCREENSHOTS (default: a temp dir).
func TestPlaygroundInChromium(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test in -short mode")
	}
	node, err := exec.LookPath("node")
	needTool(t, "node", err)
	chromium := os.Getenv("CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	_, err = os.Stat(chromium)
	needTool(t, "chromium ("+chromium+"; apt-get install chromium)", err)

	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	uiDir, err := filepath.Abs("ui")
	if err != nil {
		t.Fatal(err)
	}
	npmCI(t, ctx, uiDir)

	router := startRouter(t)
	shots := os.Getenv("PLAYGROUND_SCREENSHOTS")
	if shots == "" {
		shots = t.TempDir()
	} else if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	const headers = `{"X-Playground-Test": "yes"}`
	cmd := exec.CommandContext(ctx, node, filepath.Join(uiDir, "browser-test.mjs"))
	cmd.Dir = uiDir
	cmd.Env = append(os.Environ(),
		"ROUTER_URL="+router.URL,
		"CHROMIUM="+chromium,
		"QUERY="+browserQuery,
		"HEADERS="+headers,
		"SCREENSHOT_DIR="+shots,
	)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("browser-test.mjs: %v\nstdout:\n%s\nstderr:\n%s", err, out, stderr.String())
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	var rep browserReport
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &rep); err != nil {
		t.Fatalf("browser-test.mjs printed no report (%v):\n%s\nstderr:\n%s", err, out, stderr.String())
	}
	t.Logf("screenshots in %s", shots)

	for _, p := range rep.Problems {
		t.Errorf("in the browser: %s", p)
	}
	if rep.PlaygroundStatus != http.StatusOK || rep.PlaygroundTitle != "shopgraph playground" {
		t.Errorf("/playground: status %d, title %q", rep.PlaygroundStatus, rep.PlaygroundTitle)
	}
	if rep.TypedQuery != browserQuery {
		t.Errorf("query editor holds %q, want what was typed: %q", rep.TypedQuery, browserQuery)
	}
	if !strings.Contains(rep.PrettifiedQuery, "query BrowserTest {\n") {
		t.Errorf("Prettify left %q", rep.PrettifiedQuery)
	}
	if rep.TypedHeaders != headers {
		t.Errorf("headers editor holds %q, want %q", rep.TypedHeaders, headers)
	}

	// The result: data from all three subgraphs, and no plan in the result pane.
	var result struct {
		Data struct {
			Product struct {
				Name     string `json:"name"`
				Variants []struct {
					SKU              string `json:"sku"`
					ShippingEstimate struct {
						Amount string `json:"amount"`
					} `json:"shippingEstimate"`
				} `json:"variants"`
				Reviews struct {
					Edges []struct {
						Node struct {
							Author struct {
								Name string `json:"name"`
							} `json:"author"`
						} `json:"node"`
					} `json:"edges"`
				} `json:"reviews"`
			} `json:"product"`
		} `json:"data"`
		Errors     []any          `json:"errors"`
		Extensions map[string]any `json:"extensions"`
	}
	if err := json.Unmarshal([]byte(rep.Result), &result); err != nil {
		t.Fatalf("result pane holds no JSON (%v): %q", err, rep.Result)
	}
	p := result.Data.Product
	switch {
	case len(result.Errors) > 0:
		t.Errorf("result has errors: %s", rep.Result)
	case p.Name != "Product p1":
		t.Errorf("product name %q, want catalog's %q: %s", p.Name, "Product p1", rep.Result)
	case len(p.Variants) == 0 || p.Variants[0].ShippingEstimate.Amount == "":
		t.Errorf("no shipping estimate from orders: %s", rep.Result)
	case len(p.Reviews.Edges) == 0 || p.Reviews.Edges[0].Node.Author.Name == "":
		t.Errorf("no author name from users: %s", rep.Result)
	}
	if _, ok := result.Extensions["queryPlan"]; ok {
		t.Errorf("result pane shows extensions.queryPlan; the panel should hold it")
	}
	// Monaco draws spaces as no-break spaces.
	if !strings.Contains(strings.ReplaceAll(rep.ResultOnScreen, "\u00a0", " "), "Product p1") {
		t.Errorf("result on screen lacks the product name:\n%s", rep.ResultOnScreen)
	}

	// The plan panel shows exactly the router's plan.
	want := routerPlan(t, router.URL, browserQuery)
	if strings.TrimSpace(rep.PlanText) != strings.TrimSpace(want) {
		t.Errorf("plan panel shows:\n%s\nthe router's plan is:\n%s", rep.PlanText, want)
	}
	for _, sg := range []string{"catalog", "orders", "users"} {
		if !strings.Contains(rep.PlanText, `Fetch(service: "`+sg+`"`) {
			t.Errorf("plan panel has no fetch from %s:\n%s", sg, rep.PlanText)
		}
	}
	fetches := strings.Count(want, "Fetch(service:")
	if !strings.Contains(rep.PlanMeta, "BrowserTest") || !strings.Contains(rep.PlanMeta, strconv.Itoa(fetches)+" fetches") {
		t.Errorf("plan summary %q, want the operation name and %d fetches", rep.PlanMeta, fetches)
	}
	if !strings.Contains(rep.PlanJSON, `"kind": "Fetch"`) {
		t.Errorf("plan JSON view lacks Fetch nodes:\n%s", rep.PlanJSON)
	}

	// The page's request: JSON, the plan header, the CSRF preflight header and
	// the user's header from the headers editor.
	var sent map[string]string
	for _, r := range rep.GraphQLRequests {
		if r.Page == "/playground" && r.OperationName != nil && *r.OperationName == "BrowserTest" {
			sent = r.Headers
		}
	}
	if sent == nil {
		t.Errorf("no BrowserTest request seen; requests: %+v", rep.GraphQLRequests)
	}
	for k, v := range map[string]string{
		"content-type":             "application/json",
		"x-shopgraph-query-plan":   "true",
		"apollo-require-preflight": "true",
		"x-playground-test":        "yes",
	} {
		if sent != nil && sent[k] != v {
			t.Errorf("request header %s = %q, want %q", k, sent[k], v)
		}
	}

	// Schema docs from introspection through the router.
	for _, s := range []string{"Query", "Mutation"} {
		if !strings.Contains(rep.Docs, s) {
			t.Errorf("docs explorer lacks %s:\n%s", s, rep.Docs)
		}
	}

	if !strings.Contains(rep.History, "BrowserTest") {
		t.Errorf("history lacks the operation run:\n%s", rep.History)
	}

	// GET /graphql from the browser.
	if rep.GraphQLPageStatus != http.StatusOK || !strings.HasPrefix(rep.GraphQLPageType, "text/html") || rep.GraphQLPageTitle != "shopgraph playground" {
		t.Errorf("GET /graphql from the browser: status %d, %q, title %q", rep.GraphQLPageStatus, rep.GraphQLPageType, rep.GraphQLPageTitle)
	}
	if !strings.Contains(rep.GraphQLPagePlan, `Fetch(service: "catalog"`) || !strings.Contains(rep.GraphQLPageResult, `"data"`) {
		t.Errorf("playground at /graphql: plan %q, result %q", rep.GraphQLPagePlan, rep.GraphQLPageResult)
	}

	// A refused operation: its error in the result, no stale plan in the panel.
	if !strings.Contains(rep.RefusedResult, `Cannot query field \"nope\"`) {
		t.Errorf("result of a refused operation: %q", rep.RefusedResult)
	}
	if !strings.Contains(rep.RefusedPlan, "no plan") {
		t.Errorf("plan panel after a refused operation: %q", rep.RefusedPlan)
	}
}
