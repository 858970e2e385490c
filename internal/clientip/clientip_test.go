package clientip

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"slices"
	"strings"
	"testing"
)

func TestParsePrefixes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		csv     string
		want    []string
		wantErr string
	}{
		{"the example", "127.0.0.0/8, ::1/128, 10.0.0.1", []string{"127.0.0.0/8", "::1/128", "10.0.0.1/32"}, ""},
		{"empty", "", nil, ""},
		{"blank entries and spaces", " ,10.0.0.0/8 ,, 2001:db8::1 ,", []string{"10.0.0.0/8", "2001:db8::1/128"}, ""},
		{"host bits are masked", "10.1.2.3/8", []string{"10.0.0.0/8"}, ""},
		{"IPv4-mapped becomes IPv4", "::ffff:10.0.0.0/104, ::ffff:192.168.1.1", []string{"10.0.0.0/8", "192.168.1.1/32"}, ""},
		{"zone dropped", "fe80::1%eth0", []string{"fe80::1/128"}, ""},
		{"bad address", "127.0.0.0/8, 10.0.0.300", nil, `"10.0.0.300" is not an IP address`},
		{"host name", "proxy.internal", nil, `"proxy.internal" is not an IP address`},
		{"bad length", "10.0.0.0/33", nil, `"10.0.0.0/33" is not a CIDR prefix`},
		{"two slashes", "10.0.0.0/8/8", nil, `"10.0.0.0/8/8" is not a CIDR prefix`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParsePrefixes(tt.csv)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParsePrefixes(%q) = %v, %v; want error containing %q", tt.csv, got, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParsePrefixes(%q): %v", tt.csv, err)
			}
			var gotS []string
			for _, p := range got {
				gotS = append(gotS, p.String())
			}
			if !slices.Equal(gotS, tt.want) {
				t.Errorf("ParsePrefixes(%q) = %q, want %q", tt.csv, gotS, tt.want)
			}
		})
	}
}

func TestDefaultTrusted(t *testing.T) {
	t.Parallel()
	a, b := DefaultTrusted(), DefaultTrusted()
	want, _ := ParsePrefixes("127.0.0.0/8, ::1/128, 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, fc00::/7")
	if !slices.Equal(a, want) {
		t.Errorf("DefaultTrusted() = %v, want %v", a, want)
	}
	a[0] = netip.MustParsePrefix("0.0.0.0/0")
	if b[0] == a[0] || DefaultTrusted()[0] == a[0] {
		t.Error("DefaultTrusted shares its slice between calls")
	}
}

func TestClientAddr(t *testing.T) {
	t.Parallel()
	defaults := New(DefaultTrusted())
	exact, err := ParsePrefixes("10.0.0.1, 10.0.0.2")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		resolver *Resolver
		peer     string
		xff      []string // header lines; nil means no header
		want     string   // "" means the zero Addr
	}{
		// No proxy involved.
		{"untrusted peer without header", defaults, "203.0.113.7:5000", nil, "203.0.113.7"},
		{"trusted peer without header", defaults, "127.0.0.1:5000", nil, "127.0.0.1"},
		{"IPv6 peer", defaults, "[2001:db8::5]:443", nil, "2001:db8::5"},
		{"peer without port", defaults, "203.0.113.7", nil, "203.0.113.7"},
		{"IPv4-mapped peer is unmapped", defaults, "[::ffff:203.0.113.7]:5000", nil, "203.0.113.7"},
		{"empty RemoteAddr", defaults, "", []string{"203.0.113.7"}, ""},
		{"unix socket RemoteAddr", defaults, "@", []string{"203.0.113.7"}, ""},

		// Spoofing attempts.
		{"untrusted peer's header is ignored", defaults, "203.0.113.7:5000", []string{"198.51.100.1"}, "203.0.113.7"},
		{"untrusted peer claiming a trusted address", defaults, "203.0.113.7:5000", []string{"127.0.0.1"}, "203.0.113.7"},
		{"fake leftmost entry behind the router", defaults, "10.0.0.1:5000", []string{"6.6.6.6, 203.0.113.7"}, "203.0.113.7"},
		{"fake leftmost entry behind router and balancer", defaults, "10.0.0.1:5000", []string{"6.6.6.6, 203.0.113.7, 10.0.0.2"}, "203.0.113.7"},
		{"fake private leftmost entry", defaults, "10.0.0.1:5000", []string{"10.9.9.9, 203.0.113.7"}, "203.0.113.7"},
		{"fake entry in its own header line", defaults, "10.0.0.1:5000", []string{"6.6.6.6", "203.0.113.7, 10.0.0.2"}, "203.0.113.7"},
		{"peer in no exact trusted address", New(exact), "10.0.0.3:5000", []string{"203.0.113.7"}, "10.0.0.3"},
		{"exact trusted chain", New(exact), "10.0.0.1:5000", []string{"6.6.6.6, 203.0.113.7, 10.0.0.2"}, "203.0.113.7"},
		{"nothing trusted", New(nil), "127.0.0.1:5000", []string{"203.0.113.7"}, "127.0.0.1"},
		{"zero Resolver", &Resolver{}, "127.0.0.1:5000", []string{"203.0.113.7"}, "127.0.0.1"},

		// The walk.
		{"one proxy", defaults, "127.0.0.1:5000", []string{"203.0.113.7"}, "203.0.113.7"},
		{"all trusted: the leftmost", defaults, "10.0.0.1:5000", []string{"192.168.1.20, 10.0.0.2"}, "192.168.1.20"},
		{"walk crosses header lines", defaults, "10.0.0.1:5000", []string{"203.0.113.7", "10.0.0.2", "10.0.0.3"}, "203.0.113.7"},
		{"untrusted entry in an earlier line", defaults, "10.0.0.1:5000", []string{"6.6.6.6, 10.0.0.3", "10.0.0.2"}, "6.6.6.6"},
		{"spaces and tabs", defaults, "10.0.0.1:5000", []string{"  6.6.6.6 ,\t203.0.113.7\t,10.0.0.2  "}, "203.0.113.7"},
		{"empty entries skipped", defaults, "10.0.0.1:5000", []string{"203.0.113.7,, ,10.0.0.2,"}, "203.0.113.7"},
		{"empty header line", defaults, "10.0.0.1:5000", []string{"203.0.113.7", ""}, "203.0.113.7"},
		{"only commas", defaults, "10.0.0.1:5000", []string{", ,"}, "10.0.0.1"},

		// Entry forms.
		{"IPv4 with port", defaults, "10.0.0.1:5000", []string{"1.2.3.4:567"}, "1.2.3.4"},
		{"IPv6 with port", defaults, "10.0.0.1:5000", []string{"[2001:db8::1]:80"}, "2001:db8::1"},
		{"IPv6 loopback with port is trusted", defaults, "10.0.0.1:5000", []string{"203.0.113.7, [::1]:80"}, "203.0.113.7"},
		{"IPv6 in brackets", defaults, "10.0.0.1:5000", []string{"[2001:db8::1]"}, "2001:db8::1"},
		{"IPv6 bare", defaults, "[::1]:5000", []string{"2001:db8::1"}, "2001:db8::1"},
		{"IPv4-mapped entry is unmapped", defaults, "10.0.0.1:5000", []string{"::ffff:203.0.113.7"}, "203.0.113.7"},
		{"IPv4-mapped trusted entry", defaults, "10.0.0.1:5000", []string{"203.0.113.7, [::ffff:10.0.0.2]:80"}, "203.0.113.7"},
		{"zone dropped", defaults, "10.0.0.1:5000", []string{"fe80::1%eth0"}, "fe80::1"},

		// Garbage stops the walk at the last good address.
		{"garbage alone", defaults, "10.0.0.1:5000", []string{"garbage"}, "10.0.0.1"},
		{"garbage between", defaults, "10.0.0.1:5000", []string{"203.0.113.7, garbage, 10.0.0.2"}, "10.0.0.2"},
		{"garbage left of the client", defaults, "10.0.0.1:5000", []string{"garbage, 203.0.113.7"}, "203.0.113.7"},
		{"unknown", defaults, "10.0.0.1:5000", []string{"unknown"}, "10.0.0.1"},
		{"bad port", defaults, "10.0.0.1:5000", []string{"203.0.113.7:99999"}, "10.0.0.1"},
		{"bad octet", defaults, "10.0.0.1:5000", []string{"300.1.1.1"}, "10.0.0.1"},
		{"bracketed IPv4", defaults, "10.0.0.1:5000", []string{"[203.0.113.7]"}, "10.0.0.1"},
		{"unclosed bracket", defaults, "10.0.0.1:5000", []string{"[2001:db8::1"}, "10.0.0.1"},
		{"quoted", defaults, "10.0.0.1:5000", []string{`"203.0.113.7"`}, "10.0.0.1"},
		{"host name", defaults, "10.0.0.1:5000", []string{"evil.example"}, "10.0.0.1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req := httptest.NewRequest(http.MethodPost, "/query", nil)
			req.RemoteAddr = tt.peer
			for _, line := range tt.xff {
				req.Header.Add("X-Forwarded-For", line)
			}
			got := tt.resolver.ClientAddr(req)
			var want netip.Addr
			if tt.want != "" {
				want = netip.MustParseAddr(tt.want)
			}
			if got != want {
				t.Errorf("ClientAddr(peer %q, X-Forwarded-For %q) = %v, want %v", tt.peer, tt.xff, got, want)
			}
		})
	}
}

func TestMiddleware(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		peer   string
		xff    string
		want   string
		wantOK bool
	}{
		{"behind the router", "127.0.0.1:5000", "203.0.113.7", "203.0.113.7", true},
		{"direct", "203.0.113.7:5000", "6.6.6.6", "203.0.113.7", true},
		{"unknown peer", "@", "203.0.113.7", "", false},
	}
	r := New(DefaultTrusted())
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var (
				got netip.Addr
				ok  bool
			)
			h := r.Middleware(http.HandlerFunc(func(_ http.ResponseWriter, req *http.Request) {
				got, ok = FromContext(req.Context())
			}))
			req := httptest.NewRequest(http.MethodPost, "/query", nil)
			req.RemoteAddr = tt.peer
			req.Header.Set("X-Forwarded-For", tt.xff)
			h.ServeHTTP(httptest.NewRecorder(), req)
			if ok != tt.wantOK || (ok && got != netip.MustParseAddr(tt.want)) {
				t.Errorf("FromContext = %v, %v; want %s, %v", got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestContext(t *testing.T) {
	t.Parallel()
	if a, ok := FromContext(context.Background()); ok || a.IsValid() {
		t.Errorf("FromContext(empty) = %v, %v; want none", a, ok)
	}
	if a, ok := FromContext(NewContext(context.Background(), netip.Addr{})); ok {
		t.Errorf("FromContext(zero Addr) = %v, %v; want not ok", a, ok)
	}
	want := netip.MustParseAddr("2001:db8::1")
	if a, ok := FromContext(NewContext(context.Background(), want)); !ok || a != want {
		t.Errorf("FromContext = %v, %v; want %v, true", a, ok, want)
	}
}

func BenchmarkClientAddr(b *testing.B) {
	r := New(DefaultTrusted())
	req := httptest.NewRequest(http.MethodPost, "/query", nil)
	req.RemoteAddr = "10.0.0.1:5000"
	req.Header.Set("X-Forwarded-For", "6.6.6.6, 203.0.113.7, 10.0.0.2")
	for b.Loop() {
		if !r.ClientAddr(req).IsValid() {
			b.Fatal("no address")
		}
	}
}
