package server

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shopgraph/shopgraph/gateway/compose"
	"github.com/shopgraph/shopgraph/gateway/internal/testsubgraph"
)

const greeterSDL = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
type Query { hello: String! world: String! }`

// greeterSupergraph composes the greeter subgraph with only the given Query fields.
func greeterSupergraph(t *testing.T, url string, fields string) string {
	t.Helper()
	sdl := `extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
type Query { ` + fields + ` }`
	out, err := compose.Compose([]compose.Subgraph{{Name: "greeter", URL: url, SDL: sdl}})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func postQuery(ctx context.Context, client *http.Client, url, query string) (map[string]any, int, error) {
	body, _ := json.Marshal(map[string]any{"query": query})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return nil, 0, err
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return nil, resp.StatusCode, err
	}
	return out, resp.StatusCode, nil
}

// TestHotReloadUnderLoad serves a supergraph file, rewrites it (adding a field) while
// clients keep querying, and checks that no request fails, that the new field
// becomes queryable, and that a broken file is refused while the old one serves on.
func TestHotReloadUnderLoad(t *testing.T) {
	t.Parallel()
	sub := testsubgraph.Start(t, &testsubgraph.Subgraph{
		Name: "greeter",
		SDL:  greeterSDL,
		Resolvers: map[string]testsubgraph.Resolver{
			"Query.hello": func(context.Context, map[string]any, map[string]any) (any, error) { return "hi", nil },
			"Query.world": func(context.Context, map[string]any, map[string]any) (any, error) { return "earth", nil },
		},
	})
	path := filepath.Join(t.TempDir(), "supergraph.graphql")
	v1 := greeterSupergraph(t, sub.URL, "hello: String!")
	if err := os.WriteFile(path, []byte(v1), 0o644); err != nil {
		t.Fatal(err)
	}
	srv, err := New(Config{SupergraphSDL: v1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	watched := make(chan error, 1)
	go func() { watched <- srv.WatchFile(ctx, path, 20*time.Millisecond) }()
	hs := httptest.NewServer(srv.Handler())
	defer hs.Close()
	url := hs.URL + "/graphql"
	client := hs.Client()

	var ok, failed atomic.Int64
	var firstFailure atomic.Value
	loadCtx, stopLoad := context.WithTimeout(ctx, 1500*time.Millisecond)
	defer stopLoad()
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for loadCtx.Err() == nil {
				out, status, err := postQuery(context.Background(), client, url, "{ hello }")
				data, _ := out["data"].(map[string]any)
				if err != nil || status != http.StatusOK || out["errors"] != nil || data["hello"] != "hi" {
					failed.Add(1)
					firstFailure.CompareAndSwap(nil, []any{err, status, out})
					continue
				}
				ok.Add(1)
			}
		}()
	}

	time.Sleep(300 * time.Millisecond)
	// A broken supergraph is refused; the old one keeps serving.
	if err := os.WriteFile(path, []byte("this is not a supergraph {"), 0o644); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond)
	if srv.Graph().API().Query.Fields.ForName("hello") == nil {
		t.Error("a broken supergraph file replaced the served one")
	}
	// Rewrite via rename, as deployment tools do, adding Query.world.
	v2 := greeterSupergraph(t, sub.URL, "hello: String! world: String!")
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(v2), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		out, _, err := postQuery(ctx, client, url, "{ world }")
		data, _ := out["data"].(map[string]any)
		if err == nil && data["world"] == "earth" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Query.world never became queryable: %v %v", out, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	wg.Wait()
	if n := failed.Load(); n > 0 {
		t.Errorf("%d of %d requests failed during reload; first: %v", n, n+ok.Load(), firstFailure.Load())
	}
	t.Logf("%d requests succeeded across the reloads", ok.Load())
	if ok.Load() < 50 {
		t.Errorf("only %d requests ran; the load was too light to prove anything", ok.Load())
	}
	cancel()
	if err := <-watched; err != nil {
		t.Errorf("WatchFile: %v", err)
	}
	if !strings.Contains(srv.Graph().SDL(), "world") {
		t.Error("served supergraph lacks the new field")
	}
}

// TestWatchConfigRecomposes serves a supergraph composed from a config whose subgraph
// SDL file changes, and checks that the change is picked up and that a change that
// does not compose is refused.
func TestWatchConfigRecomposes(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	sdlPath := filepath.Join(dir, "a.graphql")
	write := func(text string) {
		t.Helper()
		if err := os.WriteFile(sdlPath, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	fed := `extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])` + "\n"
	write(fed + "type Query { a: Int }")
	cfg, err := compose.ParseConfig([]byte("subgraphs:\n  a:\n    routing_url: http://127.0.0.1:1/graphql\n    schema: {file: a.graphql}\n"))
	if err != nil {
		t.Fatal(err)
	}
	cfg.Dir = dir
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	first, err := ComposeConfig(ctx, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := New(Config{SupergraphSDL: first}, nil)
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.WatchConfig(ctx, cfg, 20*time.Millisecond) }()
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for !cond() {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s", what)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	write(fed + "type Query { a: Int b: Int }")
	waitFor("Query.b", func() bool { return srv.Graph().API().Query.Fields.ForName("b") != nil })
	write(fed + "type Query { a: Missing }")
	time.Sleep(100 * time.Millisecond)
	if srv.Graph().API().Query.Fields.ForName("b") == nil {
		t.Error("a subgraph change that does not compose replaced the served supergraph")
	}
}

// TestRunConfigWaitsForLateSubgraph starts a router on a supergraph config whose
// subgraph serves its SDL over HTTP but is not up yet: the router must not fail, must
// answer /readyz and /graphql with 503 meanwhile, and must serve once the subgraph
// starts.
func TestRunConfigWaitsForLateSubgraph(t *testing.T) {
	t.Parallel()
	// Reserve an address for the subgraph, and free it so that nothing answers there.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	url := "http://" + addr + "/graphql"
	sc, err := compose.ParseConfig([]byte("subgraphs:\n  greeter:\n    routing_url: " + url + "\n    schema: {subgraph_url: " + url + "}\n"))
	if err != nil {
		t.Fatal(err)
	}
	srv, err := NewFromConfig(Config{RetryMin: 20 * time.Millisecond, RetryMax: 100 * time.Millisecond}, sc, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- srv.RunConfig(ctx, sc, time.Hour) }()
	router := httptest.NewServer(srv.Handler())
	defer router.Close()

	time.Sleep(150 * time.Millisecond) // several failed attempts
	resp, err := router.Client().Get(router.URL + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("readyz before the subgraph is up = %d, want 503", resp.StatusCode)
	}
	if _, code, _ := postQuery(ctx, router.Client(), router.URL+"/graphql", "{ hello }"); code != http.StatusServiceUnavailable {
		t.Errorf("/graphql before the subgraph is up = %d, want 503", code)
	}

	sub := testsubgraph.Start(t, &testsubgraph.Subgraph{
		Name: "greeter",
		SDL:  greeterSDL,
		Resolvers: map[string]testsubgraph.Resolver{
			"Query.hello": func(context.Context, map[string]any, map[string]any) (any, error) { return "hi", nil },
			"Query.world": func(context.Context, map[string]any, map[string]any) (any, error) { return "earth", nil },
		},
	})
	late, err := net.Listen("tcp", addr)
	if err != nil {
		t.Skipf("the reserved address was taken meanwhile: %v", err)
	}
	lateSrv := &http.Server{Handler: sub, ReadHeaderTimeout: time.Second}
	go func() { _ = lateSrv.Serve(late) }()
	defer lateSrv.Close()

	deadline := time.Now().Add(5 * time.Second)
	for !srv.Ready() {
		if time.Now().After(deadline) {
			t.Fatal("router not ready 5 s after the subgraph started")
		}
		time.Sleep(10 * time.Millisecond)
	}
	out, code, err := postQuery(ctx, router.Client(), router.URL+"/graphql", "{ hello }")
	if err != nil || code != http.StatusOK {
		t.Fatalf("/graphql after the subgraph started: %d %v", code, err)
	}
	if data, _ := out["data"].(map[string]any); data["hello"] != "hi" {
		t.Errorf("data = %v, want hello: hi", out)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("RunConfig: %v", err)
	}
}
