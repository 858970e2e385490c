package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// explodingOperation is the 400-byte query that took the router to 6 GB:
// product { variants { product { variants ... } } } levels deep, every variant's
// product the same product, so the answer triples every two levels.
func explodingOperation(levels int) string {
	return `{ product(id: "gid://shopgraph/Product/1") { ` + strings.Repeat("variants { product { ", levels) + "id" + strings.Repeat(" } }", levels) + " } }"
}

// memoryOf reads a process's resident set size and its peak, in bytes, from /proc.
func memoryOf(t *testing.T, pid int) (rss, peak int64) {
	t.Helper()
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatalf("read the router's memory: %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), ":")
		if !ok || (name != "VmRSS" && name != "VmHWM") {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(value), " kB"), 10, 64)
		if err != nil {
			t.Fatalf("%s: %q: %v", name, value, err)
		}
		if name == "VmRSS" {
			rss = kb << 10
		} else {
			peak = kb << 10
		}
	}
	return rss, peak
}

type limitedResponse struct {
	Data   json.RawMessage
	Errors []gqlError
}

func (r limitedResponse) codes() []string {
	var out []string
	for _, e := range r.Errors {
		c, _ := e.Extensions["code"].(string)
		out = append(out, c)
	}
	return out
}

// TestExplodingQueriesEndToEnd runs the attacks of issue 8 against the real
// binary over the seeded databases: the router refuses them before planning
// with its defaults, cuts off the one that slips past a disabled estimate, and
// its memory stays under 200 MB throughout and goes back afterwards.
func TestExplodingQueriesEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: builds and runs the binary")
	}
	sys := startSystem(t)
	const budget = 200 << 20

	t.Run("refused before planning", func(t *testing.T) {
		for _, tc := range []struct{ name, query, limit string }{
			{"40 nested levels", explodingOperation(20), "depth"},
			{"10,000 aliases of products(first: 100)", aliasesOf(10000, "products(first: 100) { totalCount }"), "documentBytes"},
			{"25 pages of 100 products", aliasesOf(25, "products(first: 100) { edges { node { variants { sku price { amount } } } } }"), "cost"},
		} {
			status, raw := postQuery(t, sys.router, tc.query)
			var r limitedResponse
			if err := json.Unmarshal(raw, &r); err != nil || status != http.StatusOK {
				t.Fatalf("%s: status %d body %.300s", tc.name, status, raw)
			}
			if r.Data != nil || len(r.Errors) != 1 || r.Errors[0].Extensions["code"] != "OPERATION_LIMIT_EXCEEDED" || r.Errors[0].Extensions["limit"] != tc.limit {
				t.Errorf("%s: want one OPERATION_LIMIT_EXCEEDED error for %s and no data: %.400s", tc.name, tc.limit, raw)
			}
		}
	})

	t.Run("cut off by the caps when the estimate is off", func(t *testing.T) {
		url, p := sys.startRouter(t, "ROUTER_LIMITS_MAX_DEPTH=-1", "ROUTER_LIMITS_MAX_COST=-1")
		pid := p.cmd.Process.Pid
		_, before := memoryOf(t, pid)
		for _, levels := range []int{15, 20} {
			status, raw := postQuery(t, url, explodingOperation(levels))
			var r limitedResponse
			if err := json.Unmarshal(raw, &r); err != nil || status != http.StatusOK {
				t.Fatalf("%d levels: status %d body %.300s", levels, status, raw)
			}
			if string(r.Data) != "null" || !strings.Contains(strings.Join(r.codes(), ","), "RESPONSE_LIMIT_EXCEEDED") {
				t.Errorf("%d levels: want data null and RESPONSE_LIMIT_EXCEEDED, got %.400s", levels, raw)
			}
			t.Logf("%d levels: %.300s", levels, raw)
			if len(raw) > 64<<10 {
				t.Errorf("%d levels: a cut-off answer of %d bytes", levels, len(raw))
			}
		}
		rss, peak := memoryOf(t, pid)
		t.Logf("router memory: peak %d MB before the attack, peak %d MB after it, %d MB resident now", before>>20, peak>>20, rss>>20)
		if peak > budget {
			t.Errorf("the router's resident memory peaked at %d MB, over %d MB", peak>>20, budget>>20)
		}
		// The router still serves ordinary pages.
		status, raw := postQuery(t, url, exampleOperation)
		if status != http.StatusOK || strings.Contains(string(raw), `"errors"`) {
			t.Errorf("after the attack: status %d body %.300s", status, raw)
		}
		// And hands the memory back: within a few seconds it is near where it began.
		deadline := time.Now().Add(15 * time.Second)
		for {
			rss, _ = memoryOf(t, pid)
			if rss < before+32<<20 || time.Now().After(deadline) {
				break
			}
			time.Sleep(200 * time.Millisecond)
		}
		if rss >= before+32<<20 {
			t.Errorf("resident memory %d MB some seconds after the attack, it started at a peak of %d MB", rss>>20, before>>20)
		}
	})
}

func aliasesOf(n int, field string) string {
	var b strings.Builder
	b.WriteString("{")
	for i := range n {
		fmt.Fprintf(&b, " a%d: %s", i, field)
	}
	b.WriteString(" }")
	return b.String()
}
