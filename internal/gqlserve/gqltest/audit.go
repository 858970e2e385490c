package gqltest

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// AuditResult is one item of the graphql-http GraphQL-over-HTTP audit.
type AuditResult struct {
	ID   string `json:"id"`
	Name string `json:"name"` // starts with MUST, SHOULD or MAY
	// Status is "ok", or "error" (a MUST failed), "warn" (a SHOULD) or
	// "notice" (a MAY).
	Status     string `json:"status"`
	Reason     string `json:"reason"`
	HTTPStatus int    `json:"httpStatus"`
}

// Audit runs the npm graphql-http server audit (the node project in dir,
// whose audit.mjs prints the results as JSON) against url. It installs the
// project with `npm ci` when node_modules is missing, under a file lock, as
// tests of several packages may share dir. Without node it skips t, except
// under CI=true, where it fails.
func Audit(t testing.TB, dir, url string) []AuditResult {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("node is not on PATH: the graphql-http audit needs Node.js (apt-get install nodejs npm)")
		}
		t.Skip("node is not on PATH: skipping the graphql-http audit")
	}
	installAudit(t, dir)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "audit.mjs", url)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node audit.mjs %s: %v\n%s", url, err, stderr.String())
	}
	var results []AuditResult
	if err := json.Unmarshal(out, &results); err != nil {
		t.Fatalf("audit output is not JSON: %v\n%s", err, out)
	}
	if len(results) == 0 {
		t.Fatal("the audit ran no item")
	}
	return results
}

// CheckAudit fails t for every audit item that is not "ok", unless allowed
// lists its ID (with the reason it is accepted), and for every allowed ID that
// passes or does not exist, so that the list stays true.
func CheckAudit(t testing.TB, results []AuditResult, allowed map[string]string) {
	t.Helper()
	seen := map[string]bool{}
	for _, r := range results {
		seen[r.ID] = true
		_, ok := allowed[r.ID]
		switch {
		case r.Status != "ok" && !ok:
			t.Errorf("audit %s %s: %s (%s, HTTP %d)", r.ID, r.Name, r.Status, r.Reason, r.HTTPStatus)
		case r.Status == "ok" && ok:
			t.Errorf("audit %s %s passes: remove it from the allowed deviations", r.ID, r.Name)
		}
	}
	for id := range allowed {
		if !seen[id] {
			t.Errorf("allowed deviation %s is no audit item", id)
		}
	}
}

// AuditCounts counts results by status, as "ok=N warn=N error=N notice=N".
func AuditCounts(results []AuditResult) string {
	n := map[string]int{}
	for _, r := range results {
		n[r.Status]++
	}
	var b strings.Builder
	for _, s := range []string{"ok", "warn", "error", "notice"} {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(s + "=" + strconv.Itoa(n[s]))
	}
	return b.String()
}

// installAudit runs `npm ci` in dir unless graphql-http is installed there.
func installAudit(t testing.TB, dir string) {
	t.Helper()
	installed := func() bool {
		_, err := os.Stat(filepath.Join(dir, "node_modules", "graphql-http", "package.json"))
		return err == nil
	}
	if installed() {
		return
	}
	lock, err := os.OpenFile(filepath.Join(dir, ".install.lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		t.Fatalf("lock the audit install: %v", err)
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatalf("lock the audit install: %v", err)
	}
	defer func() { _ = syscall.Flock(int(lock.Fd()), syscall.LOCK_UN) }()
	if installed() { // another test installed it while this one waited
		return
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		t.Fatal("node is on PATH but npm is not: cannot install the graphql-http audit")
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, npm, "ci", "--no-audit", "--no-fund")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("npm ci in %s: %v\n%s", dir, err, out)
	}
}
