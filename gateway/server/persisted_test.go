package server

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shopgraph/shopgraph/gateway/persisted"
)

func sha(q string) string {
	sum := sha256.Sum256([]byte(q))
	return hex.EncodeToString(sum[:])
}

func apqBody(query, hash string) string {
	m := map[string]any{"extensions": map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": hash}}}
	if query != "" {
		m["query"] = query
	}
	b, _ := json.Marshal(m)
	return string(b)
}

// TestAPQRoundTrip: a hash the router has not seen is PersistedQueryNotFound;
// the hash with its query registers and runs; then the hash alone runs, over
// POST and over GET, as Apollo clients send them.
func TestAPQRoundTrip(t *testing.T) {
	t.Parallel()
	h, _ := shopRouter(t, Config{})
	q := `{ product(id: "p1") { name } }`
	hash := sha(q)

	res := do(t, h, post(apqBody("", hash), mediaJSON))
	if res.status != http.StatusOK || !strings.Contains(res.raw, "PersistedQueryNotFound") || !strings.Contains(res.raw, "PERSISTED_QUERY_NOT_FOUND") {
		t.Fatalf("unknown hash: status %d %s", res.status, res.raw)
	}
	res = do(t, h, post(apqBody(q, hash), mediaJSON))
	if !strings.Contains(res.raw, `"name":"Product p1"`) {
		t.Fatalf("registration: %s", res.raw)
	}
	res = do(t, h, post(apqBody("", hash), mediaJSON))
	if !strings.Contains(res.raw, `"name":"Product p1"`) {
		t.Fatalf("hash only after registration: %s", res.raw)
	}
	ext, _ := json.Marshal(map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": hash}})
	get := httptest.NewRequest(http.MethodGet, "/graphql?extensions="+url.QueryEscape(string(ext)), nil)
	get.Header.Set("Apollo-Require-Preflight", "true")
	if res := do(t, h, get); !strings.Contains(res.raw, `"name":"Product p1"`) {
		t.Fatalf("GET with the hash: %s", res.raw)
	}
	// A hash that does not match its query is refused.
	res = do(t, h, post(apqBody(q, sha("{ other }")), mediaJSON))
	if res.status != http.StatusBadRequest || !strings.Contains(res.raw, "provided sha does not match query") {
		t.Fatalf("mismatched hash: status %d %s", res.status, res.raw)
	}
}

// TestTrustedDocumentsOnly: with a manifest and persisted.only, the manifest's
// operations run (by id, or as the same text) and any other is refused.
func TestTrustedDocumentsOnly(t *testing.T) {
	t.Parallel()
	trusted := `query Name { product(id: "p1") { name } }`
	manifest := filepath.Join(t.TempDir(), "manifest.json")
	body := fmt.Sprintf(`{"format":"apollo-persisted-query-manifest","version":1,"operations":[{"id":%q,"name":"Name","type":"query","body":%q}]}`, sha(trusted), trusted)
	if err := os.WriteFile(manifest, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	h, catalog := shopRouter(t, Config{Persisted: persisted.Config{Manifest: manifest, Only: true}})

	byID, _ := json.Marshal(map[string]any{"documentId": sha(trusted)})
	if res := do(t, h, post(string(byID), mediaJSON)); !strings.Contains(res.raw, `"name":"Product p1"`) {
		t.Fatalf("trusted document by id: %s", res.raw)
	}
	if res := do(t, h, post(queryBody(trusted), mediaJSON)); !strings.Contains(res.raw, `"name":"Product p1"`) {
		t.Fatalf("trusted document as text: %s", res.raw)
	}
	before := len(catalog.Requests())
	res := do(t, h, post(queryBody(`{ product(id: "p1") { name slug } }`), mediaJSON))
	if res.status != http.StatusForbidden || !strings.Contains(res.raw, "not in the trusted documents list") {
		t.Fatalf("untrusted operation: status %d %s", res.status, res.raw)
	}
	res = do(t, h, post(apqBody(`{ product(id: "p2") { name } }`, sha(`{ product(id: "p2") { name } }`)), mediaJSON))
	if res.status == http.StatusOK && !strings.Contains(res.raw, "errors") {
		t.Fatalf("APQ registration in trusted-only mode ran: %s", res.raw)
	}
	if n := len(catalog.Requests()); n != before {
		t.Errorf("refused operations reached the catalog: %d requests", n-before)
	}
}
