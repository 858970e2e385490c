package headers

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

func configOf(t *testing.T, src string) Config {
	t.Helper()
	var cfg Config
	if err := yaml.Unmarshal([]byte(src), &cfg); err != nil {
		t.Fatal(err)
	}
	return cfg
}

// clientRequest is a client request from peer with the X-Forwarded-For lines xff.
func clientRequest(peer string, xff ...string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/graphql", nil)
	r.RemoteAddr = peer
	for _, v := range xff {
		r.Header.Add(ForwardedFor, v)
	}
	return r
}

func TestForwardedForIsTheClientsChain(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		yaml string
		peer string
		xff  []string
		want []string // X-Forwarded-For sent to subgraph "users"; nil: none
	}{
		{"direct client", ``, "127.0.0.1:51234", nil, []string{"127.0.0.1"}},
		{"untrusted client's own header dropped", ``, "203.0.113.9:443", []string{"6.6.6.6"}, []string{"203.0.113.9"}},
		{"trusted proxy's chain kept, lines joined", `trustedProxies: [127.0.0.1/32]`, "127.0.0.1:1",
			[]string{"1.2.3.4", " 5.6.7.8, 9.9.9.9 ", ""}, []string{"1.2.3.4, 5.6.7.8, 9.9.9.9, 127.0.0.1"}},
		{"trusted proxy without a header", `trustedProxies: [127.0.0.1/32]`, "127.0.0.1:1", nil, []string{"127.0.0.1"}},
		{"trusted bare address", `trustedProxies: [10.0.0.7]`, "10.0.0.7:1", []string{"1.2.3.4"}, []string{"1.2.3.4, 10.0.0.7"}},
		{"peer inside a trusted range", `trustedProxies: [10.0.0.0/8, "2001:db8::/32"]`, "[2001:db8::5]:80", []string{"1.2.3.4"}, []string{"1.2.3.4, 2001:db8::5"}},
		{"peer outside the trusted range", `trustedProxies: [10.0.0.0/8]`, "11.0.0.1:1", []string{"1.2.3.4"}, []string{"11.0.0.1"}},
		{"IPv6 peer without brackets or port", ``, "[2001:db8::1]:443", nil, []string{"2001:db8::1"}},
		{"IPv6 zone dropped", ``, "[fe80::1%eth0]:443", nil, []string{"fe80::1"}},
		{"RemoteAddr without port", ``, "::1", nil, []string{"::1"}},
		{"IPv4-mapped peer unmapped and trusted as IPv4", `trustedProxies: [10.0.0.0/8]`, "[::ffff:10.1.2.3]:1", []string{"1.2.3.4"}, []string{"1.2.3.4, 10.1.2.3"}},
		{"IPv4-mapped trusted prefix", `trustedProxies: ["::ffff:10.0.0.0/104"]`, "10.1.2.3:1", []string{"1.2.3.4"}, []string{"1.2.3.4, 10.1.2.3"}},
		{"peer not an IP: none, even from a rule", `all: {request: [{propagate: {named: X-Forwarded-For}}]}`, "@", []string{"6.6.6.6"}, nil},
		{"overrides an inserting rule", `
all: {request: [{insert: {name: X-Forwarded-For, value: 6.6.6.6}}]}
subgraphs: {users: {request: [{propagate: {named: x-forwarded-for}}]}}`, "127.0.0.1:1", []string{"7.7.7.7"}, []string{"127.0.0.1"}},
		{"off: absent", `forwardClientAddress: false`, "127.0.0.1:1", []string{"1.2.3.4"}, nil},
		{"off: the rules decide", `
forwardClientAddress: false
all: {request: [{propagate: {named: X-Forwarded-For}}]}`, "127.0.0.1:1", []string{"1.2.3.4", "5.6.7.8"}, []string{"1.2.3.4", "5.6.7.8"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := mustNew(t, configOf(t, tc.yaml))
			r := clientRequest(tc.peer, tc.xff...)
			r.Header.Set("Authorization", "Bearer t")
			got := p.ForRequest(r).Subgraph("users")
			if vs := got.Values(ForwardedFor); !slices.Equal(vs, tc.want) {
				t.Errorf("X-Forwarded-For = %q, want %q", vs, tc.want)
			}
			if strings.Contains(tc.yaml, "request") {
				return
			}
			if got.Get("Authorization") != "Bearer t" {
				t.Errorf("the rules' headers were lost: %v", got)
			}
		})
	}
}

func TestForwardedForSetOnEverySubgraph(t *testing.T) {
	t.Parallel()
	p := mustNew(t, configOf(t, `all: {request: []}`)) // no rule sends anything
	req := p.ForRequest(clientRequest("192.0.2.1:1"))
	for _, sg := range []string{"catalog", "users"} {
		if got := req.Subgraph(sg); len(got) != 1 || got.Get(ForwardedFor) != "192.0.2.1" {
			t.Errorf("%s: headers %v, want only X-Forwarded-For: 192.0.2.1", sg, got)
		}
	}
}

// TestDedupeKeysLeaveOutForwardedFor: shoppers whose requests differ only in
// their address share fetches; other headers still split them.
func TestDedupeKeysLeaveOutForwardedFor(t *testing.T) {
	t.Parallel()
	p := mustNew(t, configOf(t, `trustedProxies: [10.0.0.0/8]`))
	subgraphs := []string{"catalog", "users"}
	key := func(peer, auth string, xff ...string) string {
		r := clientRequest(peer, xff...)
		if auth != "" {
			r.Header.Set("Authorization", auth)
		}
		req := p.ForRequest(r)
		if req.Subgraph("users").Get(ForwardedFor) == "" {
			t.Fatalf("no X-Forwarded-For from %s", peer)
		}
		return req.Key(subgraphs)
	}
	if a, b := key("203.0.113.1:1", ""), key("203.0.113.2:1", ""); a != "" || b != "" {
		t.Errorf("anonymous keys = %q and %q, want both empty", a, b)
	}
	if a, b := key("10.0.0.1:1", "", "1.1.1.1"), key("10.0.0.2:1", "", "2.2.2.2"); a != b {
		t.Errorf("chains split the key: %q != %q", a, b)
	}
	if a, b := key("203.0.113.1:1", "Bearer 1"), key("203.0.113.2:1", "Bearer 1"); a != b || a == "" {
		t.Errorf("same token from two addresses: keys %q and %q, want equal and not empty", a, b)
	}
	if a, b := key("203.0.113.1:1", "Bearer 1"), key("203.0.113.1:1", "Bearer 2"); a == b {
		t.Errorf("two tokens share key %q", a)
	}

	// The executor's fetch key encodes the headers with AppendKey.
	appendKey := func(h http.Header) string {
		var b strings.Builder
		AppendKey(&b, h)
		return b.String()
	}
	if a, b := appendKey(http.Header{ForwardedFor: {"1.1.1.1"}, "Authorization": {"x"}}),
		appendKey(http.Header{ForwardedFor: {"2.2.2.2"}, "Authorization": {"x"}}); a != b {
		t.Errorf("AppendKey splits on X-Forwarded-For: %q != %q", a, b)
	}
}
