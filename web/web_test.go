package web

import (
	"bytes"
	"compress/gzip"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"testing/fstest"
)

var testBuild = fstest.MapFS{
	"index.html":           {Data: []byte(`<!doctype html><title>store</title><script type="module" src="/assets/app-1a2b.js"></script>`)},
	"assets/app-1a2b.js":   {Data: []byte(strings.Repeat("console.log('the store');\n", 100))},
	"sw.js":                {Data: []byte("self.addEventListener('fetch', () => {})")},
	"manifest.webmanifest": {Data: []byte(`{"name":"shopgraph store"}`)},
	"icons/icon-192.png":   {Data: []byte("\x89PNG\r\n\x1a\n")},
}

// upstream records what reached it and answers with its name.
type upstream struct {
	srv  *httptest.Server
	last *http.Request
	body string
}

func newUpstream(t *testing.T, name string) *upstream {
	u := &upstream{}
	u.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		u.last, u.body = r, string(b)
		_, _ = io.WriteString(w, name)
	}))
	t.Cleanup(u.srv.Close)
	return u
}

func newStore(t *testing.T, router, catalog string) http.Handler {
	t.Helper()
	r, _ := url.Parse(router)
	c, _ := url.Parse(catalog)
	h, err := Handler(testBuild, Config{RouterURL: r, CatalogURL: c})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func get(h http.Handler, method, path string, header map[string]string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}

func TestStaticFilesAndRoutes(t *testing.T) {
	h := newStore(t, "http://127.0.0.1:1/graphql", "http://127.0.0.1:1")
	tests := []struct {
		path, status, contentType, cache string
		body                             string
	}{
		{"/", "200", "text/html", "no-cache", "<title>store</title>"},
		{"/category/shoes?sort=PRICE", "200", "text/html", "no-cache", "<title>store</title>"}, // a route of the app
		{"/account/orders/", "200", "text/html", "no-cache", "<title>store</title>"},
		{"/assets/app-1a2b.js", "200", "text/javascript", "immutable", "the store"},
		{"/sw.js", "200", "text/javascript", "no-cache", "addEventListener"},
		{"/manifest.webmanifest", "200", "application/manifest+json", "no-cache", "shopgraph store"},
		{"/icons/icon-192.png", "200", "image/png", "max-age=86400", "PNG"},
		{"/assets/app-0000.js", "404", "", "", ""}, // an old build's asset
		{"/missing.png", "404", "", "", ""},
	}
	for _, tt := range tests {
		w := get(h, http.MethodGet, tt.path, nil)
		if got := w.Result().Status[:3]; got != tt.status {
			t.Errorf("%s: status %s, want %s", tt.path, got, tt.status)
			continue
		}
		if tt.status != "200" {
			continue
		}
		if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, tt.contentType) {
			t.Errorf("%s: content type %q", tt.path, ct)
		}
		if cc := w.Header().Get("Cache-Control"); !strings.Contains(cc, tt.cache) {
			t.Errorf("%s: cache control %q, want %s", tt.path, cc, tt.cache)
		}
		if !strings.Contains(w.Body.String(), tt.body) {
			t.Errorf("%s: body %q", tt.path, w.Body.String())
		}
		if w.Header().Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: no nosniff", tt.path)
		}
	}
	if csp := get(h, http.MethodGet, "/", nil).Header().Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
		t.Errorf("page CSP %q", csp)
	}
	if w := get(h, http.MethodPost, "/", nil); w.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST /: %d", w.Code)
	}
}

func TestAssetsAreGzippedAndRevalidated(t *testing.T) {
	h := newStore(t, "http://127.0.0.1:1/graphql", "http://127.0.0.1:1")
	want := testBuild["assets/app-1a2b.js"].Data
	w := get(h, http.MethodGet, "/assets/app-1a2b.js", map[string]string{"Accept-Encoding": "br, gzip"})
	if w.Header().Get("Content-Encoding") != "gzip" || w.Body.Len() >= len(want) {
		t.Fatalf("gzip: encoding %q, %d bytes of %d", w.Header().Get("Content-Encoding"), w.Body.Len(), len(want))
	}
	zr, err := gzip.NewReader(w.Body)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := io.ReadAll(zr); !bytes.Equal(got, want) {
		t.Error("the gzipped asset is not the asset")
	}
	if w := get(h, http.MethodGet, "/assets/app-1a2b.js", map[string]string{"Accept-Encoding": "gzip;q=0"}); w.Header().Get("Content-Encoding") != "" || !bytes.Equal(w.Body.Bytes(), want) {
		t.Error("sent gzip to a client that refuses it")
	}
	etag := w.Header().Get("ETag")
	if w := get(h, http.MethodGet, "/assets/app-1a2b.js", map[string]string{"If-None-Match": etag}); w.Code != http.StatusNotModified || w.Body.Len() != 0 {
		t.Errorf("revalidation with the ETag: %d, %d bytes", w.Code, w.Body.Len())
	}
	if w := get(h, http.MethodHead, "/", nil); w.Code != http.StatusOK || w.Body.Len() != 0 {
		t.Errorf("HEAD /: %d, %d bytes", w.Code, w.Body.Len())
	}
}

func TestAPIAndImagesAreForwarded(t *testing.T) {
	router, catalog := newUpstream(t, "router"), newUpstream(t, "catalog")
	h := newStore(t, router.srv.URL+"/graphql", catalog.srv.URL)
	srv := httptest.NewServer(h)
	defer srv.Close()

	resp, err := http.Post(srv.URL+"/graphql", "application/json", strings.NewReader(`{"query":"{ __typename }"}`))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "router" || router.last.URL.Path != "/graphql" || router.body != `{"query":"{ __typename }"}` ||
		router.last.Header.Get("X-Forwarded-For") == "" {
		t.Errorf("/graphql reached the router as %s %q (XFF %q): %s", router.last.URL.Path, router.body, router.last.Header.Get("X-Forwarded-For"), body)
	}
	resp, err = http.Get(srv.URL + "/images/products/12/1.svg?w=400")
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "catalog" || catalog.last.URL.Path != "/images/products/12/1.svg" || catalog.last.URL.RawQuery != "w=400" {
		t.Errorf("/images reached the catalog as %s?%s: %s", catalog.last.URL.Path, catalog.last.URL.RawQuery, body)
	}

	router.srv.Close() // the router is down
	resp, err = http.Post(srv.URL+"/graphql", "application/json", strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadGateway || !strings.Contains(string(body), "SERVICE_UNAVAILABLE") {
		t.Errorf("router down: %d %s", resp.StatusCode, body)
	}
}

func TestTheBinaryEmbedsABuild(t *testing.T) {
	if _, err := fs.Stat(Dist(), "index.html"); err != nil {
		t.Fatalf("no index.html in the embedded build (run `make web`): %v", err)
	}
	if _, err := Handler(fstest.MapFS{"assets/a.js": {Data: []byte("x")}}, Config{RouterURL: &url.URL{}, CatalogURL: &url.URL{}}); err == nil {
		t.Error("a build without index.html was accepted")
	}
}
