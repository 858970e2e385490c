package server

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"
)

const benchDir = "../../../shared/bench/gateways-benchmark/"

// TestGatewaysBenchmarkAnswer checks the router's answer to the public gateways
// benchmark against expected.json. It needs the benchmark's subgraphs on
// 127.0.0.1:4301 (benchmark run.sh starts them) and skips otherwise.
func TestGatewaysBenchmarkAnswer(t *testing.T) {
	c := http.Client{Timeout: 300 * time.Millisecond}
	resp, err := c.Get("http://127.0.0.1:4301/health")
	if err != nil {
		t.Skip("gateways-benchmark subgraphs are not running on 127.0.0.1:4301")
	}
	resp.Body.Close()
	sdl, err := os.ReadFile(benchDir + "schema/supergraph.graphql")
	if err != nil {
		t.Skip(err)
	}
	query, _ := os.ReadFile(benchDir + "query.json")
	expected, _ := os.ReadFile(benchDir + "expected.json")
	s, err := New(Config{SupergraphSDL: string(sdl)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(string(query)))
	req.Header.Set("Content-Type", "application/json")
	s.Handler().ServeHTTP(rec, req)
	var got, want any
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatalf("invalid response: %v", err)
	}
	if err := json.Unmarshal(expected, &want); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("response differs from expected.json:\n%.2000s", rec.Body.String())
	}
}
