package playground

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
)

func serve(t *testing.T, h http.Handler, method, target string, header map[string]string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(method, target, nil)
	for k, v := range header {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// pageAssets returns the asset URLs the page links to.
func pageAssets(t *testing.T, body string) []string {
	t.Helper()
	var urls []string
	for _, m := range regexp.MustCompile(`(?:src|href)="([^"]*/assets/[^"]+)"`).FindAllStringSubmatch(body, -1) {
		urls = append(urls, m[1])
	}
	if len(urls) != 2 {
		t.Fatalf("page links %d assets, want a script and a stylesheet:\n%s", len(urls), body)
	}
	return urls
}

// pageConfigOf decodes the page's #playground-config data block.
func pageConfigOf(t *testing.T, body string) pageConfig {
	t.Helper()
	m := regexp.MustCompile(`(?s)<script id="playground-config" type="application/json">(.*?)</script>`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("page has no config block:\n%s", body)
	}
	var cfg pageConfig
	if err := json.Unmarshal([]byte(m[1]), &cfg); err != nil {
		t.Fatalf("config block %q: %v", m[1], err)
	}
	return cfg
}

func TestIndex(t *testing.T) {
	t.Parallel()
	h := Handler("/graphql")
	tests := []struct {
		path       string
		wantAssets string
	}{
		{"/playground", "/playground/assets/"},
		{"/playground/", "/playground/assets/"},
		{"/graphql", "/graphql/assets/"},
		{"/", "/assets/"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			t.Parallel()
			w := serve(t, h, http.MethodGet, tt.path, nil)
			if w.Code != http.StatusOK {
				t.Fatalf("status %d, want 200: %s", w.Code, w.Body)
			}
			for k, want := range map[string]string{
				"Content-Type":           "text/html; charset=utf-8",
				"Cache-Control":          "no-cache",
				"Vary":                   "Accept",
				"X-Content-Type-Options": "nosniff",
				"Content-Length":         strconv.Itoa(w.Body.Len()),
			} {
				if got := w.Header().Get(k); got != want {
					t.Errorf("%s = %q, want %q", k, got, want)
				}
			}
			if csp := w.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || !strings.Contains(csp, "connect-src 'self'") {
				t.Errorf("Content-Security-Policy = %q", csp)
			}
			body := w.Body.String()
			for _, u := range pageAssets(t, body) {
				if !strings.HasPrefix(u, tt.wantAssets) {
					t.Errorf("asset %s, want it beneath %s", u, tt.wantAssets)
				}
				// Every linked asset is served, whatever the mount.
				if aw := serve(t, h, http.MethodGet, u, nil); aw.Code != http.StatusOK {
					t.Errorf("GET %s: status %d", u, aw.Code)
				}
			}
			if cfg := pageConfigOf(t, body); cfg.Endpoint != "/graphql" {
				t.Errorf("endpoint %q, want /graphql", cfg.Endpoint)
			}
		})
	}
}

func TestIndexHead(t *testing.T) {
	t.Parallel()
	w := serve(t, Handler("/graphql"), http.MethodHead, "/playground", nil)
	if w.Code != http.StatusOK || w.Body.Len() != 0 || w.Header().Get("Content-Length") == "0" {
		t.Fatalf("HEAD: status %d, %d body bytes, Content-Length %q", w.Code, w.Body.Len(), w.Header().Get("Content-Length"))
	}
}

// A hostile endpoint (the config is the lead's, but a URL may hold anything)
// stays data: it cannot close the script block, and the page reads it back as given.
func TestIndexEscapesConfig(t *testing.T) {
	t.Parallel()
	for _, endpoint := range []string{
		`</script><script>alert(1)</script>`,
		`https://api.example.com/graphql?a=1&b="2"`,
		`/graphql<!--`,
	} {
		t.Run(endpoint, func(t *testing.T) {
			t.Parallel()
			w := serve(t, Handler(endpoint), http.MethodGet, "/playground", nil)
			body := w.Body.String()
			if strings.Count(body, "</script>") != 2 { // the config block's and the module script's
				t.Errorf("endpoint broke out of its script block:\n%s", body)
			}
			if strings.Contains(body, "<!--") {
				t.Errorf("endpoint wrote a comment opener:\n%s", body)
			}
			if cfg := pageConfigOf(t, body); cfg.Endpoint != endpoint {
				t.Errorf("endpoint read back as %q, want %q", cfg.Endpoint, endpoint)
			}
		})
	}
}

func TestContentSecurityPolicyAllowsAbsoluteEndpoint(t *testing.T) {
	t.Parallel()
	tests := []struct {
		endpoint, connect string
	}{
		{"/graphql", "connect-src 'self';"},
		{"https://api.example.com:8443/graphql", "connect-src 'self' https://api.example.com:8443;"},
	}
	for _, tt := range tests {
		if csp := contentSecurityPolicy(tt.endpoint); !strings.Contains(csp, tt.connect) {
			t.Errorf("endpoint %s: CSP %q lacks %q", tt.endpoint, csp, tt.connect)
		}
	}
}

func TestAssets(t *testing.T) {
	t.Parallel()
	h := Handler("/graphql")
	hd := built(t, h)
	if len(hd.assets) == 0 {
		t.Fatal("no embedded assets")
	}
	wantType := map[string]string{".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8", ".ttf": "font/ttf"}
	seen := map[string]bool{}
	for name, a := range hd.assets {
		ext := name[strings.LastIndex(name, "."):]
		seen[ext] = true
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			plain := gunzip(t, a.gz)
			if len(plain) != a.size {
				t.Fatalf("size %d, decompressed %d", a.size, len(plain))
			}
			tests := []struct {
				name, method, acceptEncoding string
				gzipped, body                bool
			}{
				{"gzip", http.MethodGet, "gzip, deflate, br", true, true},
				{"any coding", http.MethodGet, "*", true, true},
				{"identity", http.MethodGet, "", false, true},
				{"gzip refused", http.MethodGet, "gzip;q=0, br", false, true},
				{"head gzip", http.MethodHead, "gzip", true, false},
				{"head identity", http.MethodHead, "", false, false},
			}
			for _, tt := range tests {
				w := serve(t, h, tt.method, "/playground/assets/"+name, map[string]string{"Accept-Encoding": tt.acceptEncoding})
				if w.Code != http.StatusOK {
					t.Fatalf("%s: status %d", tt.name, w.Code)
				}
				if got := w.Header().Get("Content-Type"); got != wantType[ext] {
					t.Errorf("%s: Content-Type %q, want %q", tt.name, got, wantType[ext])
				}
				if got := w.Header().Get("Cache-Control"); got != "public, max-age=31536000, immutable" {
					t.Errorf("%s: Cache-Control %q", tt.name, got)
				}
				if got := w.Header().Get("Vary"); got != "Accept-Encoding" {
					t.Errorf("%s: Vary %q", tt.name, got)
				}
				wantLen := a.size
				if tt.gzipped {
					wantLen = len(a.gz)
				}
				if got := w.Header().Get("Content-Length"); got != strconv.Itoa(wantLen) {
					t.Errorf("%s: Content-Length %s, want %d", tt.name, got, wantLen)
				}
				if gotEnc := w.Header().Get("Content-Encoding"); (gotEnc == "gzip") != tt.gzipped {
					t.Errorf("%s: Content-Encoding %q", tt.name, gotEnc)
				}
				switch {
				case !tt.body:
					if w.Body.Len() != 0 {
						t.Errorf("%s: HEAD wrote %d bytes", tt.name, w.Body.Len())
					}
				case tt.gzipped:
					if !bytes.Equal(gunzip(t, w.Body.Bytes()), plain) {
						t.Errorf("%s: body differs from the asset", tt.name)
					}
				default:
					if !bytes.Equal(w.Body.Bytes(), plain) {
						t.Errorf("%s: body differs from the asset", tt.name)
					}
				}
			}
		})
	}
	for ext := range wantType {
		if !seen[ext] {
			t.Errorf("no %s asset embedded", ext)
		}
	}
}

func TestAssetErrors(t *testing.T) {
	t.Parallel()
	h := Handler("/graphql")
	tests := []struct {
		name, method, target string
		status               int
	}{
		{"unknown asset", http.MethodGet, "/playground/assets/nope.js", http.StatusNotFound},
		{"asset of another build", http.MethodGet, "/playground/assets/playground-AAAAAAAA.js", http.StatusNotFound},
		{"directory", http.MethodGet, "/playground/assets/", http.StatusNotFound},
		{"nested", http.MethodGet, "/playground/assets/x/index.html", http.StatusNotFound},
		{"gzipped name", http.MethodGet, "/playground/assets/" + anyAsset(t, h) + ".gz", http.StatusNotFound},
		{"post page", http.MethodPost, "/playground", http.StatusMethodNotAllowed},
		{"delete asset", http.MethodDelete, "/playground/assets/" + anyAsset(t, h), http.StatusMethodNotAllowed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := serve(t, h, tt.method, tt.target, nil)
			if w.Code != tt.status {
				t.Fatalf("status %d, want %d", w.Code, tt.status)
			}
			if tt.status == http.StatusMethodNotAllowed && w.Header().Get("Allow") != "GET, HEAD" {
				t.Errorf("Allow = %q", w.Header().Get("Allow"))
			}
		})
	}
}

func anyAsset(t *testing.T, h http.Handler) string {
	t.Helper()
	for name := range built(t, h).assets {
		return name
	}
	t.Fatal("no assets")
	return ""
}

// A broken build is reported by name, not served half-way.
func TestNewHandlerRejectsBrokenBuild(t *testing.T) {
	t.Parallel()
	index := &fstest.MapFile{Data: []byte(`<script src="{{.Assets}}/a.js"></script>`)}
	gz := &fstest.MapFile{Data: gzipBytes(t, []byte("x"))}
	tests := []struct {
		name string
		fsys fstest.MapFS
		want string
	}{
		{"no index", fstest.MapFS{"dist/assets/a.js.gz": gz}, "read index.html"},
		{"bad template", fstest.MapFS{"dist/index.html": {Data: []byte("{{.Assets")}, "dist/assets/a.js.gz": gz}, "parse index.html"},
		{"no assets", fstest.MapFS{"dist/index.html": index}, "read assets"},
		{"not gzipped name", fstest.MapFS{"dist/index.html": index, "dist/assets/a.js": gz}, "want only gzipped files"},
		{"not gzip", fstest.MapFS{"dist/index.html": index, "dist/assets/a.js.gz": {Data: []byte("console.log('hello, world')")}}, "not gzip"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := newHandler(tt.fsys, "/graphql")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want one containing %q", err, tt.want)
			}
		})
	}
	if _, err := newHandler(fstest.MapFS{"dist/index.html": index, "dist/assets/a.js.gz": gz}, "/graphql"); err != nil {
		t.Fatalf("good build: %v", err)
	}
}

func gunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func gzipBytes(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// built returns the handler behind Handler's lazy wrapper, building it.
func built(t *testing.T, h http.Handler) *handler {
	t.Helper()
	l := h.(*lazy)
	rec := httptest.NewRecorder()
	l.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/playground", nil))
	if l.h == nil {
		t.Fatal("the playground handler was not built by its first request")
	}
	return l.h
}
