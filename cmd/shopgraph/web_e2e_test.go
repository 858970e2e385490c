package main

import (
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestWebStoreJourney serves the embedded store with `serve web` over a fresh
// system, behind a router that answers only the store's trusted documents, and
// runs the shopper's journey (web/e2e/journey.mjs) in headless Chromium. Outside CI it is skipped when Node, the store's npm packages or
// Chromium are missing; in CI (CI=true) that fails it.
func TestWebStoreJourney(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: builds and runs the binary and a browser")
	}
	webDir, err := filepath.Abs("../../web")
	if err != nil {
		t.Fatal(err)
	}
	chromium := os.Getenv("CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	missing := ""
	if _, err := exec.LookPath("node"); err != nil {
		missing = "node"
	} else if _, err := os.Stat(filepath.Join(webDir, "node_modules", "playwright-core")); err != nil {
		missing = "web/node_modules (run npm ci in web/)"
	} else if _, err := os.Stat(chromium); err != nil {
		missing = chromium
	}
	if missing != "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("the web store's journey needs %s", missing)
		}
		t.Skipf("the web store's journey needs %s", missing)
	}

	sys := startSystem(t)
	// The store runs against a router in production mode: it answers only the
	// operations in the store's trusted-documents manifest.
	router, _ := sys.startRouter(t, "ROUTER_PERSISTED_MANIFEST="+filepath.Join(webDir, "trusted-documents.json"), "ROUTER_PERSISTED_ONLY=true", "ROUTER_PERSISTED_LOG_UNKNOWN=true")
	if r := gql(t, router, "", `{ __typename }`, nil); r.code() != "QUERY_NOT_IN_SAFELIST" {
		t.Fatalf("the production router answered an operation the store does not send: %s", r.raw)
	}
	addr := freeAddr(t)
	store := start(t, sys.bin, []string{"WEB_ROUTER_URL=" + router, "WEB_CATALOG_URL=http://" + sys.addrs["catalog"]},
		"serve", "web", "--listen", addr)
	waitFor(t, "http://"+addr+"/readyz", store)

	// The store answers its routes with the page and refuses stale assets.
	for path, want := range map[string]int{"/": 200, "/category/clothing": 200, "/assets/missing-0000.js": 404} {
		resp, err := http.Get("http://" + addr + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("GET %s: %d, want %d", path, resp.StatusCode, want)
		}
	}

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	journey := exec.CommandContext(ctx, "node", "e2e/journey.mjs")
	journey.Dir = webDir
	journey.Env = append(os.Environ(), "BASE_URL=http://"+addr, "CHROMIUM="+chromium)
	out, err := journey.CombinedOutput()
	t.Logf("journey (screenshots in web/e2e/artifacts/):\n%s", out)
	if err != nil {
		t.Errorf("the journey failed: %v", err)
	}
	if !strings.Contains(string(out), "ok ") {
		t.Error("the journey checked nothing")
	}
}
