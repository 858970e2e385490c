// Package playground serves the router's GraphQL playground: GraphiQL 5 with a
// query plan panel, built from ui/ into dist/ (checked in, so `go build` needs
// no Node) and embedded in the binary, so the page works offline and loads
// nothing from a CDN.
//
// The page asks the router for each operation's plan (the X-Shopgraph-Query-Plan
// header) and shows extensions.queryPlan in a sidebar panel beside the result.
//
// Assets are content-hashed and stored gzipped: they are sent as they are to
// clients that accept gzip (every browser) and cached for a year; the rare
// client that does not gets them decompressed on the fly. index.html is a
// template filled per request with where the assets are and the GraphQL
// endpoint, as a JSON data block that html/template escapes.
//
// Rebuild dist/ with `make playground` (npm ci and npm run build in ui/).
package playground

import (
	"bytes"
	"compress/gzip"
	"embed"
	"encoding/binary"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"sync"
)

// dist holds the built playground: index.html and assets/*.gz.
//
//go:embed dist/index.html dist/assets
var dist embed.FS

// assetsDir is where the page's assets live, beneath the path the page is served at.
const assetsDir = "/assets/"

// contentTypes are the media types of the files the build writes; anything
// else is served as application/octet-stream.
var contentTypes = map[string]string{
	".js":    "text/javascript; charset=utf-8",
	".css":   "text/css; charset=utf-8",
	".ttf":   "font/ttf",
	".woff2": "font/woff2",
	".svg":   "image/svg+xml",
	".json":  "application/json",
}

// asset is one embedded file, gzipped.
type asset struct {
	gz          []byte
	size        int // bytes once decompressed
	contentType string
}

type handler struct {
	page   *template.Template
	config pageConfig
	csp    string
	assets map[string]asset
}

// pageConfig is what the page reads from its #playground-config data block.
type pageConfig struct {
	Endpoint string `json:"endpoint"`
}

// Handler serves the playground for the GraphQL endpoint graphqlEndpoint (a
// path such as "/graphql" or an absolute URL): the page at any path it is
// mounted at, and its assets beneath that path, under "assets/". Mount it at
// both "/playground" and "/playground/"; wherever else the page is served
// (such as the GraphQL endpoint itself, for browsers), route
// "<that path>/assets/" to it too.
func Handler(graphqlEndpoint string) http.Handler {
	l := &lazy{endpoint: graphqlEndpoint}
	return l
}

// lazy builds the handler on the first request: reading the embedded assets
// copies about 2 MB onto the heap, which a router nobody opens the playground
// on should not carry (with the router's GOGC of 400, its peak memory would
// grow by five times that).
type lazy struct {
	endpoint string
	once     sync.Once
	h        *handler
}

func (l *lazy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	l.once.Do(func() {
		h, err := newHandler(dist, l.endpoint)
		if err != nil {
			// The embedded files are part of the build; tests load them.
			panic(fmt.Sprintf("playground: embedded build is broken: %v", err))
		}
		l.h = h
	})
	l.h.ServeHTTP(w, r)
}

func newHandler(fsys fs.FS, graphqlEndpoint string) (*handler, error) {
	index, err := fs.ReadFile(fsys, "dist/index.html")
	if err != nil {
		return nil, fmt.Errorf("read index.html: %w", err)
	}
	page, err := template.New("index.html").Parse(string(index))
	if err != nil {
		return nil, fmt.Errorf("parse index.html: %w", err)
	}
	h := &handler{
		page:   page,
		config: pageConfig{Endpoint: graphqlEndpoint},
		csp:    contentSecurityPolicy(graphqlEndpoint),
		assets: map[string]asset{},
	}
	entries, err := fs.ReadDir(fsys, "dist/assets")
	if err != nil {
		return nil, fmt.Errorf("read assets: %w", err)
	}
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), ".gz")
		if e.IsDir() || !ok {
			return nil, fmt.Errorf("asset %s: want only gzipped files in dist/assets", e.Name())
		}
		gz, err := fs.ReadFile(fsys, "dist/assets/"+e.Name())
		if err != nil {
			return nil, fmt.Errorf("read asset %s: %w", e.Name(), err)
		}
		if len(gz) < 18 || gz[0] != 0x1f || gz[1] != 0x8b {
			return nil, fmt.Errorf("asset %s: not gzip", e.Name())
		}
		ct := contentTypes[path.Ext(name)]
		if ct == "" {
			ct = "application/octet-stream"
		}
		// ISIZE, the gzip trailer's length of the input mod 2^32, is exact
		// for files this small.
		size := int(binary.LittleEndian.Uint32(gz[len(gz)-4:]))
		h.assets[name] = asset{gz: gz, size: size, contentType: ct}
	}
	return h, nil
}

// contentSecurityPolicy confines the page to its own scripts and workers and
// to the GraphQL endpoint, so that a hostile schema description or response
// rendered by GraphiQL cannot load or send anything elsewhere. Monaco sets
// inline styles, hence 'unsafe-inline' for styles only.
func contentSecurityPolicy(endpoint string) string {
	connect := "'self'"
	if u, err := url.Parse(endpoint); err == nil && u.Scheme != "" && u.Host != "" {
		connect += " " + u.Scheme + "://" + u.Host
	}
	return strings.Join([]string{
		"default-src 'none'",
		"script-src 'self'",
		"worker-src 'self'",
		"style-src 'self' 'unsafe-inline'",
		"font-src 'self' data:",
		"img-src 'self' data:",
		"connect-src " + connect,
		"base-uri 'none'",
		"form-action 'none'",
		"frame-ancestors 'none'",
	}, "; ")
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "the playground answers GET and HEAD", http.StatusMethodNotAllowed)
		return
	}
	if i := strings.LastIndex(r.URL.Path, assetsDir); i >= 0 {
		h.serveAsset(w, r, r.URL.Path[i+len(assetsDir):])
		return
	}
	h.serveIndex(w, r)
}

func (h *handler) serveIndex(w http.ResponseWriter, r *http.Request) {
	var buf bytes.Buffer
	data := struct {
		Assets string
		Config pageConfig
	}{
		Assets: strings.TrimSuffix(r.URL.Path, "/") + strings.TrimSuffix(assetsDir, "/"),
		Config: h.config,
	}
	if err := h.page.Execute(&buf, data); err != nil {
		http.Error(w, "playground: "+err.Error(), http.StatusInternalServerError)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("Content-Length", strconv.Itoa(buf.Len()))
	// The page names the current build's assets: always revalidate it. It may
	// be served at the GraphQL endpoint, whose answer depends on Accept.
	hd.Set("Cache-Control", "no-cache")
	hd.Add("Vary", "Accept")
	hd.Set("Content-Security-Policy", h.csp)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "no-referrer")
	if r.Method == http.MethodHead {
		return
	}
	_, _ = w.Write(buf.Bytes())
}

func (h *handler) serveAsset(w http.ResponseWriter, r *http.Request, name string) {
	a, ok := h.assets[name]
	if !ok {
		http.Error(w, "playground: no asset "+strconv.Quote(name), http.StatusNotFound)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", a.contentType)
	// File names carry a hash of their content.
	hd.Set("Cache-Control", "public, max-age=31536000, immutable")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Add("Vary", "Accept-Encoding")
	if acceptsGzip(r.Header.Values("Accept-Encoding")) {
		hd.Set("Content-Encoding", "gzip")
		hd.Set("Content-Length", strconv.Itoa(len(a.gz)))
		if r.Method != http.MethodHead {
			_, _ = w.Write(a.gz)
		}
		return
	}
	hd.Set("Content-Length", strconv.Itoa(a.size))
	if r.Method == http.MethodHead {
		return
	}
	zr, err := gzip.NewReader(bytes.NewReader(a.gz))
	if err != nil {
		// Checked when the handler was made; cannot happen.
		http.Error(w, "playground: "+err.Error(), http.StatusInternalServerError)
		return
	}
	_, _ = io.Copy(w, zr)
}

// acceptsGzip reports whether Accept-Encoding allows gzip: listed (or "*")
// without q=0.
func acceptsGzip(values []string) bool {
	for _, v := range values {
		for _, part := range strings.Split(v, ",") {
			coding, q := mediaRangeQ(part)
			if (coding == "gzip" || coding == "x-gzip" || coding == "*") && q > 0 {
				return true
			}
		}
	}
	return false
}
