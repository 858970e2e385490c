package main

import (
	"strings"
	"testing"
	"time"

	"github.com/shopgraph/shopgraph/internal/ratelimit"
	"github.com/shopgraph/shopgraph/subgraphs/users/accounts"
)

func TestParseLimit(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		in   string
		want ratelimit.Limit
		err  string
	}{
		{"10/15m", ratelimit.Limit{Events: 10, Per: 15 * time.Minute}, ""},
		{" 3 / 1h ", ratelimit.Limit{Events: 3, Per: time.Hour}, ""},
		{"10", ratelimit.Limit{}, "EVENTS/DURATION"},
		{"ten/1m", ratelimit.Limit{}, "EVENTS/DURATION"},
		{"10/soon", ratelimit.Limit{}, "EVENTS/DURATION"},
		{"0/1m", ratelimit.Limit{}, "Events"},
		{"5/-1m", ratelimit.Limit{}, "Per"},
	} {
		got, err := parseLimit(c.in)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("parseLimit(%q) error %v, want one naming %q", c.in, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("parseLimit(%q) = %+v, %v; want %+v", c.in, got, err, c.want)
		}
	}
	// The defaults shown in --help read back as themselves.
	d := accounts.DefaultLimits()
	for _, l := range []ratelimit.Limit{d.SignInPerEmail, d.SignInPerClient, d.ResetPerEmail, d.ResetPerClient} {
		if back, err := parseLimit(formatLimit(l)); err != nil || back != l {
			t.Errorf("formatLimit(%+v) = %q reads back as %+v, %v", l, formatLimit(l), back, err)
		}
	}
}

// TestServeUsersRefusesBadSettings: a bad key, limit or proxy list stops
// start-up with a message that names the setting and never echoes a key.
func TestServeUsersRefusesBadSettings(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--signin-limit-per-email", "lots"}, "signin-limit-per-email"},
		{[]string{"--trusted-proxies", "10.0.0.0/99"}, "trusted-proxies"},
		{[]string{"--redis-url", "http://x"}, "redis-url"},
		{[]string{"--signing-keys", "-----BEGIN PRIVATE KEY-----\nc2VjcmV0LWtleS1tYXRlcmlhbA==\n-----END PRIVATE KEY-----\n"}, "signing keys"},
	} {
		var stderr strings.Builder
		err := run(t.Context(), append([]string{"serve", "users", "--listen", "127.0.0.1:0", "--migrate=false",
			"--database-url", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"}, c.args...),
			func(string) string { return "" }, &stderr, &stderr)
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "c2VjcmV0") {
			t.Errorf("serve users %v: %v, want an error naming %q", c.args, err, c.want)
		}
	}
}
