package main

import (
	"context"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// fastRestarts is a restart policy for tests: quick, but still growing.
func fastRestarts() restartPolicy {
	return restartPolicy{first: 20 * time.Millisecond, max: 80 * time.Millisecond, stable: 10 * time.Second, grace: 2 * time.Second}
}

func shell(name, script string) component {
	return component{name: name, command: func() *exec.Cmd { return exec.Command("sh", "-c", script) }}
}

// superviseAll runs each component under supervise until the returned stop is
// called; stop returns once every supervise has returned.
func superviseAll(t *testing.T, p restartPolicy, out *syncBuffer, comps ...component) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pw := &prefixWriter{w: out}
	var wg sync.WaitGroup
	for _, c := range comps {
		wg.Go(func() { supervise(ctx, c, p, pw, logSettings{}) })
	}
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			done := make(chan struct{})
			go func() { wg.Wait(); close(done) }()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				t.Errorf("supervise did not return after cancel:\n%s", out)
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

// waitOutput waits until out holds at least n lines containing s.
func waitOutput(t *testing.T, out *syncBuffer, s string, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for strings.Count(out.String(), s) < n {
		if time.Now().After(deadline) {
			t.Fatalf("want %d lines with %q within 10s; output:\n%s", n, s, out)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func alive(pid int) bool {
	return syscall.Kill(pid, 0) == nil
}

func TestDevRestartsAnExitedComponentAndKeepsTheOthersUp(t *testing.T) {
	t.Parallel()
	out := &syncBuffer{}
	stop := superviseAll(t, fastRestarts(), out,
		shell("flaky", "echo started; exit 3"),
		shell("steady", "echo up $$; exec sleep 60"),
	)
	waitOutput(t, out, "flaky   | started", 4)
	waitOutput(t, out, "steady  | up ", 1)

	got := out.String()
	if n := strings.Count(got, "steady  | up "); n != 1 {
		t.Errorf("steady started %d times, want once: the others keep running", n)
	}
	m := regexp.MustCompile(`steady  \| up (\d+)`).FindStringSubmatch(got)
	pid, _ := strconv.Atoi(m[1])
	if !alive(pid) {
		t.Errorf("steady (pid %d) is not running while flaky restarts", pid)
	}
	for _, want := range []string{
		// dev's own lines carry the component's prefix.
		`^flaky   \| time=\S+ level=WARN msg="exited, restarting" component=dev reason="exit status 3" ran=\S+ restart_in=20ms$`,
		`^flaky   \| time=\S+ level=WARN msg="exited, restarting" component=dev reason="exit status 3" ran=\S+ restart_in=40ms$`,
		`^flaky   \| time=\S+ level=INFO msg=restarting component=dev$`,
	} {
		if !regexp.MustCompile("(?m)" + want).MatchString(got) {
			t.Errorf("output lacks a line matching %s:\n%s", want, got)
		}
	}
	if regexp.MustCompile(`(?m)^steady .*exited`).MatchString(got) {
		t.Errorf("steady exited:\n%s", got)
	}

	stop()
	if alive(pid) {
		t.Errorf("steady (pid %d) still runs after dev stopped", pid)
	}
	if !regexp.MustCompile(`(?m)^steady  \| time=\S+ level=INFO msg=stopped component=dev$`).MatchString(out.String()) {
		t.Errorf("no stop logged for steady:\n%s", out)
	}
}

func TestDevRestartBackOffGrowsAndResets(t *testing.T) {
	t.Parallel()
	p := defaultRestarts()
	tests := []struct {
		name      string
		prev, ran time.Duration
		want      time.Duration
	}{
		{"first restart", 0, time.Millisecond, 500 * time.Millisecond},
		{"crash loop doubles", 500 * time.Millisecond, time.Millisecond, time.Second},
		{"keeps doubling", 4 * time.Second, time.Second, 8 * time.Second},
		{"capped", 16 * time.Second, time.Second, 30 * time.Second},
		{"stays capped", 30 * time.Second, time.Second, 30 * time.Second},
		{"a stable run resets", 30 * time.Second, 10 * time.Second, 500 * time.Millisecond},
	}
	for _, tt := range tests {
		if got := p.nextDelay(tt.prev, tt.ran); got != tt.want {
			t.Errorf("%s: nextDelay(%s, %s) = %s, want %s", tt.name, tt.prev, tt.ran, got, tt.want)
		}
	}
}

func TestDevStopWaitsForComponents(t *testing.T) {
	t.Parallel()
	p := fastRestarts()
	p.grace = 300 * time.Millisecond
	out := &syncBuffer{}
	stop := superviseAll(t, p, out,
		shell("polite", `trap 'echo bye; exit 0' TERM; echo ready; while :; do sleep 0.05; done`),
		shell("stubborn", `trap '' TERM; echo ready; while :; do sleep 0.05; done`),
	)
	waitOutput(t, out, "polite  | ready", 1)
	waitOutput(t, out, "stubborn| ready", 1)
	start := time.Now()
	stop()
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("stopping took %s; the stubborn one should be killed after the 300ms grace", took)
	}
	if !strings.Contains(out.String(), "polite  | bye") {
		t.Errorf("polite did not get SIGTERM before dev returned:\n%s", out)
	}
	if strings.Contains(out.String(), "restarting") {
		t.Errorf("a component stopped by Ctrl-C was restarted:\n%s", out)
	}
}

func TestDevRetriesAComponentThatCannotStart(t *testing.T) {
	t.Parallel()
	out := &syncBuffer{}
	superviseAll(t, fastRestarts(), out, component{name: "ghost", command: func() *exec.Cmd {
		return exec.Command("/nonexistent/shopgraph")
	}})
	waitOutput(t, out, "ghost   | time=", 4) // two exits, two restarts
	if !strings.Contains(out.String(), `reason="start: fork/exec /nonexistent/shopgraph`) {
		t.Errorf("the start error is not logged:\n%s", out)
	}
}
