package config_test

import (
	"strings"
	"testing"
	"time"

	"github.com/shopgraph/shopgraph/internal/config"
)

type settings struct {
	listen  string
	timeout time.Duration
	url     string
	verbose bool
	limit   int64
}

func newSet(env map[string]string) (*config.Set, *settings) {
	var st settings
	s := config.New("serve catalog", func(k string) string { return env[k] })
	s.Addr(&st.listen, "listen", "CATALOG_LISTEN", ":4001", "address to listen on")
	s.Duration(&st.timeout, "timeout", "CATALOG_TIMEOUT", 5*time.Second, "request timeout")
	s.URL(&st.url, "upstream", "CATALOG_UPSTREAM", "http://127.0.0.1:1/x", "upstream", "http", "https")
	s.Bool(&st.verbose, "verbose", "", false, "more logs")
	s.Int(&st.limit, "limit", "CATALOG_LIMIT", 10, 1, 100, "a limit")
	return s, &st
}

func TestPrecedenceFlagThenEnvThenDefault(t *testing.T) {
	t.Parallel()
	s, st := newSet(map[string]string{"CATALOG_LISTEN": "127.0.0.1:5001", "CATALOG_TIMEOUT": "2s"})
	rest, err := s.Parse([]string{"--timeout", "3s", "--verbose", "extra"})
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if st.listen != "127.0.0.1:5001" || st.timeout != 3*time.Second || !st.verbose || st.limit != 10 || st.url != "http://127.0.0.1:1/x" {
		t.Fatalf("settings = %+v", *st)
	}
	if len(rest) != 1 || rest[0] != "extra" {
		t.Fatalf("rest = %v", rest)
	}
}

func TestEveryBadSettingIsNamed(t *testing.T) {
	t.Parallel()
	s, _ := newSet(map[string]string{"CATALOG_LISTEN": "nope", "CATALOG_UPSTREAM": "ftp://x/y"})
	_, err := s.Parse([]string{"--timeout", "-1s", "--limit", "1000"})
	if err == nil {
		t.Fatal("Parse accepted bad settings")
	}
	for _, want := range []string{
		`env CATALOG_LISTEN = "nope"`, "HOST:PORT",
		`--timeout = "-1s"`, "positive duration",
		`env CATALOG_UPSTREAM = "ftp://x/y"`, "want http or https",
		`--limit = "1000"`, "from 1 to 100",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}
}

func TestUnknownFlag(t *testing.T) {
	t.Parallel()
	s, _ := newSet(nil)
	if _, err := s.Parse([]string{"--lisen", ":1"}); err == nil || !strings.Contains(err.Error(), "lisen") {
		t.Fatalf("Parse(--lisen) error = %v", err)
	}
}
