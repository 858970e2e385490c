package server

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"

	"github.com/shopgraph/shopgraph/gateway/compose"
	"github.com/shopgraph/shopgraph/gateway/internal/testsubgraph"
	"github.com/shopgraph/shopgraph/internal/telemetry"
	"github.com/shopgraph/shopgraph/internal/telemetry/telemetrytest"
)

// sendQuery sends a GraphQL query to a running router and returns the
// response, with its body read.
func sendQuery(t *testing.T, url, query string, header http.Header) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, url+"/graphql", strings.NewReader(queryBody(query)))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(body)
}

func TestMetricsScrapedAfterQuery(t *testing.T) {
	t.Parallel()
	s, err := New(Config{SupergraphSDL: shopSupergraph(t)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(s.Handler())
	t.Cleanup(hs.Close)

	before := telemetrytest.Scrape(t, hs.URL+"/metrics")
	resp, body := sendQuery(t, hs.URL, productsQuery, nil)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `"shippingEstimate"`) {
		t.Fatalf("query: HTTP %d %s", resp.StatusCode, body)
	}
	if id := resp.Header.Get(telemetry.RequestIDHeader); id == "" {
		t.Error("no X-Request-Id in the response")
	}
	afterOne := telemetrytest.Scrape(t, hs.URL+"/metrics")
	sendQuery(t, hs.URL, productsQuery, nil)
	s.Metrics().GraphQLError("SUBREQUEST_HTTP_ERROR")
	s.Metrics().GraphQLError("SUBREQUEST_HTTP_ERROR")
	s.Metrics().GraphQLError("")
	s.Metrics().Refused("depth")
	s.Metrics().SetBreakerState("orders", 2)
	afterTwo := telemetrytest.Scrape(t, hs.URL+"/metrics")

	graphqlPOST := []string{"component", "router", "route", "/graphql", "method", "POST", "code", "200"}
	deltas := []struct {
		what       string
		got, want  float64
		atLeastOne bool
	}{
		{"POST /graphql 200 after one query", afterOne.Value("shopgraph_http_requests_total", graphqlPOST...) - before.Value("shopgraph_http_requests_total", graphqlPOST...), 1, false},
		{"POST /graphql 200 after two queries", afterTwo.Value("shopgraph_http_requests_total", graphqlPOST...) - before.Value("shopgraph_http_requests_total", graphqlPOST...), 2, false},
		{"scrapes counted", afterOne.Value("shopgraph_http_requests_total", "route", "/metrics", "code", "200"), 1, false},
		{"/graphql latency observations", float64(afterTwo.Count("shopgraph_http_request_duration_seconds", "route", "/graphql")), 2, false},
		{"plan cache misses", afterTwo.Value("shopgraph_router_plan_cache_misses_total"), 1, false},
		{"plan cache hits", afterTwo.Value("shopgraph_router_plan_cache_hits_total"), 1, false},
		{"errors by code", afterTwo.Value("shopgraph_router_graphql_errors_total", "code", "SUBREQUEST_HTTP_ERROR"), 2, false},
		{"errors without a code", afterTwo.Value("shopgraph_router_graphql_errors_total", "code", "NO_CODE"), 1, false},
		{"refused by depth", afterTwo.Value("shopgraph_router_operations_refused_total", "limit", "depth"), 1, false},
		{"orders breaker open", afterTwo.Value("shopgraph_router_subgraph_breaker_state", "subgraph", "orders"), 2, false},
		{"in flight during the scrape", afterTwo.Value("shopgraph_http_requests_in_flight"), 1, false},
		{"no fetch failed", afterTwo.Value("shopgraph_router_subgraph_fetch_errors_total"), 0, false},
	}
	for _, sg := range []string{"catalog", "orders", "users"} {
		deltas = append(deltas, struct {
			what       string
			got, want  float64
			atLeastOne bool
		}{sg + " fetch latency observations", float64(afterOne.Count("shopgraph_router_subgraph_fetch_duration_seconds", "subgraph", sg)), 1, true})
	}
	for _, d := range deltas {
		if (d.atLeastOne && d.got < d.want) || (!d.atLeastOne && d.got != d.want) {
			t.Errorf("%s = %v, want %v", d.what, d.got, d.want)
		}
	}
	for _, sg := range []string{"catalog", "users"} {
		if !hasSeries(afterOne, "shopgraph_router_subgraph_breaker_state", "subgraph", sg) || afterOne.Value("shopgraph_router_subgraph_breaker_state", "subgraph", sg) != 0 {
			t.Errorf("breaker state of %s not shown as closed (0)", sg)
		}
	}
	if !afterOne.Has("go_goroutines") || !afterOne.Has("process_cpu_seconds_total") {
		t.Error("the Go and process collectors are missing")
	}
}

func hasSeries(m telemetrytest.Metrics, name string, labels ...string) bool {
	fam := m[name]
	if fam == nil {
		return false
	}
	for _, s := range fam.Metric {
		for _, lp := range s.Label {
			if lp.GetName() == labels[0] && lp.GetValue() == labels[1] {
				return true
			}
		}
	}
	return false
}

func TestFetchErrorsCounted(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://" + ln.Addr().String()
	ln.Close() // nothing listens there any more: connections are refused
	var in []compose.Subgraph
	for _, sg := range startSubgraphs(t) {
		url := sg.URL
		if sg.Name == "orders" {
			url = dead
		}
		sdl := map[string]string{"catalog": testsubgraph.CatalogSDL, "orders": testsubgraph.OrdersSDL, "users": testsubgraph.UsersSDL}[sg.Name]
		in = append(in, compose.Subgraph{Name: sg.Name, URL: url, SDL: sdl})
	}
	sdl, err := compose.Compose(in)
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(Config{SupergraphSDL: sdl}, nil)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(s.Handler())
	t.Cleanup(hs.Close)

	resp, body := sendQuery(t, hs.URL, productsQuery, nil)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `"orders`) {
		t.Fatalf("query: HTTP %d %s, want partial data with an error naming orders", resp.StatusCode, body)
	}
	m := telemetrytest.Scrape(t, hs.URL+"/metrics")
	if v := m.Value("shopgraph_router_subgraph_fetch_errors_total", "subgraph", "orders", "code", "SUBREQUEST_HTTP_ERROR"); v < 1 {
		t.Errorf("orders fetch errors = %v, want at least 1", v)
	}
	if v := m.Value("shopgraph_router_subgraph_fetch_errors_total", "subgraph", "catalog"); v != 0 {
		t.Errorf("catalog fetch errors = %v, want 0", v)
	}
	// Failures keep coming: the breaker opens (2) and the gauge shows it.
	for range 10 {
		if m.Value("shopgraph_router_subgraph_breaker_state", "subgraph", "orders") == 2 {
			break
		}
		sendQuery(t, hs.URL, productsQuery, nil)
		m = telemetrytest.Scrape(t, hs.URL+"/metrics")
	}
	if v := m.Value("shopgraph_router_subgraph_breaker_state", "subgraph", "orders"); v != 2 {
		t.Errorf("orders breaker state = %v after repeated failures, want 2 (open)", v)
	}
}

func TestTraceCoversRouterAndSubgraphs(t *testing.T) {
	t.Parallel()
	col := telemetrytest.StartCollector(t)
	routerTracing, err := telemetry.NewTracing(t.Context(), telemetry.TracingConfig{ServiceName: "router", Endpoint: col.URL})
	if err != nil {
		t.Fatal(err)
	}
	subgraphTracing, err := telemetry.NewTracing(t.Context(), telemetry.TracingConfig{ServiceName: "subgraphs", Endpoint: col.URL})
	if err != nil {
		t.Fatal(err)
	}
	// Real test subgraphs behind the middleware the subgraph components use.
	cat, ord, usr := testsubgraph.Shop()
	sdls := map[string]string{"catalog": testsubgraph.CatalogSDL, "orders": testsubgraph.OrdersSDL, "users": testsubgraph.UsersSDL}
	var in []compose.Subgraph
	for _, sg := range []*testsubgraph.Subgraph{cat, ord, usr} {
		inner := testsubgraph.Start(t, sg)
		traced := httptest.NewServer(telemetry.Middleware(telemetry.HTTP{Component: sg.Name, Tracing: subgraphTracing}, inner))
		t.Cleanup(traced.Close)
		in = append(in, compose.Subgraph{Name: sg.Name, URL: traced.URL, SDL: sdls[sg.Name]})
	}
	sdl, err := compose.Compose(in)
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(Config{SupergraphSDL: sdl}, nil, WithTracing(routerTracing))
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(s.Handler())
	t.Cleanup(hs.Close)

	const traceID, clientSpan = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
	resp, body := sendQuery(t, hs.URL, productsQuery, http.Header{"Traceparent": {"00-" + traceID + "-" + clientSpan + "-01"}})
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `"author":{"id":"u1","name":"Ada"}`) {
		t.Fatalf("query: HTTP %d %s, want data from all three subgraphs", resp.StatusCode, body)
	}
	for _, tr := range []*telemetry.Tracing{routerTracing, subgraphTracing} {
		if err := tr.Shutdown(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	if errs := col.Errors(); len(errs) > 0 {
		t.Fatalf("the collector refused exports: %v", errs)
	}

	spans := col.Spans()
	// A span with no parent among them gets an empty one, so that the checks
	// below report it instead of dereferencing nil.
	none := telemetrytest.Span{Span: &tracepb.Span{Name: "(none)"}}
	byID := map[string]telemetrytest.Span{}
	for _, sp := range spans {
		if sp.TraceID() != traceID {
			t.Errorf("span %q of %s has trace id %s, want the client's %s", sp.Name, sp.Service, sp.TraceID(), traceID)
		}
		byID[sp.ID()] = sp
	}
	var server []telemetrytest.Span
	var steps, fetches, subgraphServers int
	for _, sp := range spans {
		parent, hasParent := byID[sp.ParentID()]
		if !hasParent {
			parent = none
		}
		switch {
		case sp.Service == "router" && sp.Kind.String() == "SPAN_KIND_SERVER":
			server = append(server, sp)
			if sp.ParentID() != clientSpan {
				t.Errorf("router span's parent = %s, want the client's span %s", sp.ParentID(), clientSpan)
			}
		case sp.Service == "router" && sp.Kind.String() == "SPAN_KIND_CLIENT":
			fetches++
			if !hasParent || !(strings.HasPrefix(parent.Name, "Fetch ") || strings.HasPrefix(parent.Name, "Flatten ")) {
				t.Errorf("fetch span %q: parent %q, want a plan step", sp.Name, parent.Name)
			}
			if sp.Attr("http.response.status_code") != "200" {
				t.Errorf("fetch span %q: status code %q, want 200", sp.Name, sp.Attr("http.response.status_code"))
			}
		case sp.Service == "router":
			steps++
			if !hasParent || parent.Kind.String() != "SPAN_KIND_SERVER" || parent.Service != "router" {
				t.Errorf("plan step span %q: parent %q, want the router's request span", sp.Name, parent.Name)
			}
		case sp.Service == "subgraphs" && sp.Kind.String() == "SPAN_KIND_SERVER":
			subgraphServers++
			if !hasParent || parent.Kind.String() != "SPAN_KIND_CLIENT" || parent.Service != "router" {
				t.Errorf("subgraph span %q: parent %q, want the router's fetch span", sp.Name, parent.Name)
			} else if want := "fetch " + sp.Attr("service.component"); parent.Name != want {
				t.Errorf("subgraph span of %s: parent %q, want %q", sp.Attr("service.component"), parent.Name, want)
			}
		default:
			t.Errorf("unexpected span %q of %s (%s)", sp.Name, sp.Service, sp.Kind)
		}
	}
	t.Logf("%d spans: 1 request, %d plan steps, %d fetches, %d subgraph requests", len(spans), steps, fetches, subgraphServers)
	if len(server) != 1 || server[0].Name != "POST /graphql" {
		t.Errorf("router request spans: %d (%v), want one POST /graphql", len(server), server)
	}
	if fetches < 3 || steps != fetches || subgraphServers != fetches {
		t.Errorf("got %d plan steps, %d fetches and %d subgraph requests; want one of each per fetch, at least 3", steps, fetches, subgraphServers)
	}
}
