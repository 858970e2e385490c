package headers

import (
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

func mustNew(t *testing.T, cfg Config) *Propagator {
	t.Helper()
	p, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestApplyRequestRules(t *testing.T) {
	t.Parallel()
	client := http.Header{
		"Authorization":       {"Bearer abc"},
		"X-Tenant-Id":         {"t1"},
		"X-Tenant-Region":     {"eu"},
		"X-Client":            {"ios"},
		"X-Debug":             {"1"},
		"Cookie":              {"a=1", "b=2"},
		"Content-Type":        {"application/json"},
		"Accept-Encoding":     {"gzip"},
		"Connection":          {"keep-alive"},
		"Proxy-Authorization": {"secret"},
	}
	for _, tc := range []struct {
		name     string
		yaml     string
		subgraph string
		want     http.Header
	}{
		{"default propagates Authorization", ``, "a", http.Header{"Authorization": {"Bearer abc"}}},
		{"explicitly empty propagates nothing", "all: {request: []}", "a", nil},
		{"named, rename, default", `
all:
  request:
    - propagate: {named: x-client, rename: X-Router-Client}
    - propagate: {named: X-Missing, default: fallback}
    - propagate: {named: Cookie}`, "a", http.Header{"X-Router-Client": {"ios"}, "X-Missing": {"fallback"}, "Cookie": {"a=1", "b=2"}}},
		{"matching never takes reserved headers", `
all:
  request:
    - propagate: {matching: ".*"}
    - remove: {named: Cookie}
    - remove: {matching: "^x-(debug|client)$"}`, "a", http.Header{"Authorization": {"Bearer abc"}, "X-Tenant-Id": {"t1"}, "X-Tenant-Region": {"eu"}}},
		{"subgraph rules run after all", `
all:
  request:
    - propagate: {named: Authorization}
    - insert: {name: X-Router, value: shopgraph}
subgraphs:
  users:
    request:
      - remove: {named: Authorization}
      - propagate: {matching: "^X-TENANT-"}
      - insert: {name: X-Router, value: users-only}`, "users", http.Header{"X-Router": {"users-only"}, "X-Tenant-Id": {"t1"}, "X-Tenant-Region": {"eu"}}},
		{"other subgraph gets only the all rules", `
all:
  request:
    - propagate: {named: Authorization}
    - insert: {name: X-Router, value: shopgraph}
subgraphs:
  users:
    request:
      - remove: {named: Authorization}`, "catalog", http.Header{"Authorization": {"Bearer abc"}, "X-Router": {"shopgraph"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var cfg Config
			if err := yaml.Unmarshal([]byte(tc.yaml), &cfg); err != nil {
				t.Fatal(err)
			}
			got := mustNew(t, cfg).Apply(client, tc.subgraph)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("headers = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestApplyDoesNotShareClientSlices(t *testing.T) {
	t.Parallel()
	client := http.Header{"Authorization": {"Bearer abc"}}
	got := mustNew(t, Config{}).Apply(client, "a")
	got["Authorization"][0] = "changed"
	if client.Get("Authorization") != "Bearer abc" {
		t.Errorf("the client's header changed: %v", client)
	}
}

func TestValidateNamesTheBadKey(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		yaml string
		want string
	}{
		{"all: {request: [{propagate: {named: Content-Type}}]}", "headers.all.request[0].propagate.named: Content-Type is a hop-by-hop or content header"},
		{"all: {request: [{propagate: {matching: '('}}]}", "headers.all.request[0].propagate.matching: invalid regular expression"},
		{"all: {request: [{propagate: {named: a, matching: b}}]}", "headers.all.request[0].propagate: set named or matching, not both"},
		{"all: {request: [{propagate: {matching: a, rename: b}}]}", "headers.all.request[0].propagate: rename and default need named"},
		{"all: {request: [{}]}", "headers.all.request[0]: set exactly one of propagate, insert and remove (found 0)"},
		{"all: {request: [{insert: {name: X, value: v}, remove: {named: Y}}]}", "found 2"},
		{"all: {request: [{insert: {name: 'bad name', value: v}}]}", `headers.all.request[0].insert.name: "bad name" is not a valid header name`},
		{"all: {request: [{insert: {name: X, value: \"a\\nb\"}}]}", "headers.all.request[0].insert.value"},
		{"all: {request: [{insert: {name: Host, value: evil}}]}", "headers.all.request[0].insert.name: Host"},
		{"all: {request: [{propagate: {named: Proxy-Authorization}}]}", "Proxy-Authorization is a hop-by-hop"},
		{"subgraphs: {users: {request: [{remove: {}}]}}", "headers.subgraphs.users.request[0].remove: set named or matching"},
		{"subgraphs: {users: {response: [{propagate: {named: Set-Cookie, algorithm: merge}}]}}", `headers.subgraphs.users.response[0].propagate.algorithm: "merge" is not one of`},
		{"all: {response: [{}]}", "headers.all.response[0]: set propagate"},
		{"all: {response: [{propagate: {named: Transfer-Encoding}}]}", "headers.all.response[0].propagate.named: Transfer-Encoding"},
		{"trustedProxies: [10.0.0.0/33]", `headers.trustedProxies[0]: clientip: trusted proxy "10.0.0.0/33" is not a CIDR prefix`},
		{"trustedProxies: [10.0.0.1, proxy.internal]", `headers.trustedProxies[1]: clientip: trusted proxy "proxy.internal" is not an IP address`},
		{"trustedProxies: ['']", "headers.trustedProxies[0]: empty entry"},
		{"trustedProxies: ['10.0.0.1,10.0.0.2']", `headers.trustedProxies[0]: "10.0.0.1,10.0.0.2" holds a comma`},
		{"{forwardClientAddress: false, trustedProxies: [10.0.0.1]}", "headers.trustedProxies: has no effect with forwardClientAddress false"},
	} {
		var cfg Config
		if err := yaml.Unmarshal([]byte(tc.yaml), &cfg); err != nil {
			t.Fatalf("%s: %v", tc.yaml, err)
		}
		_, err := New(cfg)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error = %v, want it to contain %q", tc.yaml, err, tc.want)
		}
	}
}

func TestRequestKeySeparatesHeaders(t *testing.T) {
	t.Parallel()
	var cfg Config
	if err := yaml.Unmarshal([]byte(`
all: {request: [{propagate: {named: Authorization}}]}
subgraphs: {b: {request: [{propagate: {named: X-B}}]}}`), &cfg); err != nil {
		t.Fatal(err)
	}
	p := mustNew(t, cfg)
	subgraphs := []string{"a", "b"}
	key := func(h http.Header) string {
		r := httptest.NewRequest(http.MethodPost, "/graphql", nil)
		r.Header = h
		return p.ForRequest(r).Key(subgraphs)
	}
	base := key(http.Header{"Authorization": {"Bearer 1"}, "X-B": {"x"}})
	for name, h := range map[string]http.Header{
		"other token":      {"Authorization": {"Bearer 2"}, "X-B": {"x"}},
		"other X-B":        {"Authorization": {"Bearer 1"}, "X-B": {"y"}},
		"two values":       {"Authorization": {"Bearer 1"}, "X-B": {"x", "y"}},
		"value split":      {"Authorization": {"Bearer 1"}, "X-B": {"x:y"}},
		"no X-B":           {"Authorization": {"Bearer 1"}},
		"no authorization": {"X-B": {"x"}},
	} {
		if k := key(h); k == base {
			t.Errorf("%s: key %q equals the base key", name, k)
		}
	}
	// Headers no rule propagates do not split the key.
	if k := key(http.Header{"Authorization": {"Bearer 1"}, "X-B": {"x"}, "X-Other": {"z"}}); k != base {
		t.Errorf("an unpropagated header changed the key: %q != %q", k, base)
	}
	if k := key(http.Header{}); k != "" {
		t.Errorf("key with no headers = %q, want empty", k)
	}
}

func TestCollectResponseHeaders(t *testing.T) {
	t.Parallel()
	var cfg Config
	if err := yaml.Unmarshal([]byte(`
all:
  response:
    - propagate: {named: X-Version, algorithm: first}
subgraphs:
  users:
    response:
      - propagate: {named: Set-Cookie}
      - propagate: {named: X-Served-By, rename: X-Users-Served-By, algorithm: last}
      - propagate: {matching: "^x-rate-"}`), &cfg); err != nil {
		t.Fatal(err)
	}
	p := mustNew(t, cfg)
	c := p.NewCollector()
	if !c.Wants("users") || !c.Wants("catalog") {
		t.Errorf("Wants: users %v catalog %v, want both (the all rule)", c.Wants("users"), c.Wants("catalog"))
	}
	c.Collect("catalog", http.Header{"Set-Cookie": {"catalog=1"}, "X-Version": {"c1"}, "X-Served-By": {"cat"}})
	c.Collect("users", http.Header{"Set-Cookie": {"s=1", "t=2"}, "X-Version": {"u1"}, "X-Served-By": {"u-a"}, "X-Rate-Limit": {"10"}, "Content-Length": {"99"}})
	c.Collect("users", http.Header{"Set-Cookie": {"s=3"}, "X-Served-By": {"u-b"}})
	got := c.Header()
	want := http.Header{
		"Set-Cookie":        {"s=1", "t=2", "s=3"},
		"X-Version":         {"c1"},
		"X-Users-Served-By": {"u-b"},
		"X-Rate-Limit":      {"10"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("collected %v, want %v", got, want)
	}
	dst := http.Header{"Content-Type": {"application/json"}}
	c.WriteTo(dst)
	if dst.Get("Content-Type") != "application/json" || len(dst.Values("Set-Cookie")) != 3 {
		t.Errorf("written %v", dst)
	}

	none := mustNew(t, Config{})
	if none.HasResponseRules() || none.NewCollector().Wants("users") {
		t.Error("no response rules configured, yet the collector wants headers")
	}
}
