package main

import (
	"bytes"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// childPID finds the process whose command line is exactly args, or 0.
func childPID(t *testing.T, args ...string) int {
	t.Helper()
	want := []byte(strings.Join(args, "\x00") + "\x00")
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, d := range dirs {
		cmdline, err := os.ReadFile(filepath.Join(d, "cmdline"))
		if err != nil || !bytes.Equal(cmdline, want) {
			continue
		}
		pid, err := strconv.Atoi(filepath.Base(d))
		if err == nil {
			return pid
		}
	}
	return 0
}

// TestDevKeepsTheOthersUpAndRestartsAStoppedComponent is the README's "stop
// orders" demonstration under `make run`: orders is killed; the router keeps
// answering (without orders' fields), and dev starts orders again.
func TestDevKeepsTheOthersUpAndRestartsAStoppedComponent(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: builds and runs the binary")
	}
	bin := buildBinary(t)
	env, listens := devEnvironment(t)
	p := start(t, bin, env, "dev")
	router := "http://" + listens["router"]
	waitFor(t, router+"/readyz", p)

	pid := childPID(t, bin, "serve", "orders", "--listen", listens["orders"])
	if pid == 0 {
		t.Fatalf("no orders process found:\n%s", p.out)
	}
	routerPID := childPID(t, bin, "serve", "router", "--listen", listens["router"])
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}

	// The router stays up and answers without the orders subgraph's fields.
	status, raw := postQuery(t, router+"/graphql", exampleOperation)
	if status != http.StatusOK || !strings.Contains(string(raw), `"edges"`) {
		t.Errorf("while orders is down: status %d body %s", status, raw)
	}

	// dev logs the exit and starts orders again.
	waitFor(t, "http://"+listens["orders"]+"/readyz", p)
	if got := childPID(t, bin, "serve", "orders", "--listen", listens["orders"]); got == 0 || got == pid {
		t.Errorf("orders pid after restart = %d, want a new process (was %d)", got, pid)
	}
	if got := childPID(t, bin, "serve", "router", "--listen", listens["router"]); got != routerPID {
		t.Errorf("router pid = %d, want %d: the others keep running", got, routerPID)
	}
	for _, want := range []string{`orders  | `, `msg="exited, restarting" component=dev reason="signal: killed"`, `msg=restarting component=dev`} {
		if !strings.Contains(p.out.String(), want) {
			t.Errorf("dev output lacks %q", want)
		}
	}

	// Once orders is back the whole answer is.
	deadline := time.Now().Add(30 * time.Second)
	for {
		status, raw = postQuery(t, router+"/graphql", exampleOperation)
		if status == http.StatusOK && !strings.Contains(string(raw), `"errors"`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after orders restarted: status %d body %s", status, raw)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
