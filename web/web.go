// Package web serves the web store: the single-page app built from the
// sources beside this file into dist/ (by `make web`; checked in, so that `go
// build` needs no Node), embedded in the binary. Requests for /graphql go on
// to the router and /images/ to the catalog, so the store, its API and its
// images share one origin.
//
// Caching follows the build: files under /assets/ are named by their content
// and cached for a year; the page, the service worker and the manifest are
// revalidated on every load, so that a deploy reaches shoppers at once. Any
// other path without a file extension is a route of the app and gets
// index.html; a missing file is 404. Text files are gzipped once at start-up
// and sent compressed to clients that accept it.
package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"log/slog"
	"mime"
	"net/http"
	"net/http/httputil"
	"net/url"
	"path"
	"strings"
	"time"
)

// dist is the built store.
//
//go:embed all:dist
var dist embed.FS

// trustedDocuments is every operation the store sends, by its SHA-256: the
// manifest a router loads to answer the store in persisted-only mode.
//
//go:embed trusted-documents.json
var trustedDocuments []byte

// TrustedDocuments returns the store's trusted-documents manifest (Relay-style
// {"sha256:<hex>": body} JSON), as `make web` wrote it.
func TrustedDocuments() []byte { return trustedDocuments }

// Dist returns the built store's files, index.html at the root.
func Dist() fs.FS {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		panic(err) // the embed pattern guarantees the folder
	}
	return sub
}

// Config configures Handler.
type Config struct {
	// RouterURL is the router's GraphQL endpoint, such as http://router:4000/graphql.
	RouterURL *url.URL
	// CatalogURL is the catalog's listener, which serves /images/.
	CatalogURL *url.URL
	Logger     *slog.Logger
}

// file is one file of the build, ready to send.
type file struct {
	body, gz     []byte
	contentType  string
	cacheControl string
	etag         string
}

// contentSecurityPolicy lets the store load only its own scripts, styles,
// images, worker and data.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data: blob:; connect-src 'self'; worker-src 'self'; manifest-src 'self'; " +
	"frame-ancestors 'none'; base-uri 'self'; form-action 'self'"

// Handler serves the store from files (Dist(), or another build in tests).
func Handler(files fs.FS, cfg Config) (http.Handler, error) {
	if cfg.RouterURL == nil || cfg.CatalogURL == nil {
		return nil, fmt.Errorf("web: want the router's and the catalog's URLs")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	built, err := load(files)
	if err != nil {
		return nil, err
	}
	if _, ok := built["/index.html"]; !ok {
		return nil, fmt.Errorf("web: the build has no index.html; run `make web`")
	}
	mux := http.NewServeMux()
	mux.Handle("/graphql", forward(cfg.RouterURL, cfg.RouterURL.Path, cfg.Logger))
	mux.Handle("/images/", forward(cfg.CatalogURL, "", cfg.Logger))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "use GET", http.StatusMethodNotAllowed)
			return
		}
		name := path.Clean("/" + r.URL.Path)
		f, ok := built[name]
		switch {
		case ok:
		case name == "/":
			f = built["/index.html"]
		case strings.HasPrefix(name, "/assets/") || path.Ext(name) != "":
			http.NotFound(w, r)
			return
		default:
			f = built["/index.html"] // a route of the app
		}
		send(w, r, f)
	})
	return mux, nil
}

// load reads every file of the build and decides how each is sent.
func load(files fs.FS) (map[string]*file, error) {
	out := map[string]*file{}
	err := fs.WalkDir(files, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := fs.ReadFile(files, p)
		if err != nil {
			return err
		}
		name := "/" + p
		f := &file{body: body, contentType: contentType(name), cacheControl: cacheControl(name)}
		sum := sha256.Sum256(body)
		f.etag = `"` + hex.EncodeToString(sum[:8]) + `"`
		if compressible(f.contentType) && len(body) > 512 {
			var buf bytes.Buffer
			zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
			_, _ = zw.Write(body)
			if err := zw.Close(); err != nil {
				return err
			}
			if buf.Len() < len(body) {
				f.gz = buf.Bytes()
			}
		}
		out[name] = f
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("web: read the build: %w", err)
	}
	return out, nil
}

func contentType(name string) string {
	switch path.Ext(name) {
	case ".webmanifest":
		return "application/manifest+json"
	case ".js", ".mjs":
		return "text/javascript; charset=utf-8"
	}
	if t := mime.TypeByExtension(path.Ext(name)); t != "" {
		return t
	}
	return "application/octet-stream"
}

func compressible(contentType string) bool {
	return strings.HasPrefix(contentType, "text/") || strings.Contains(contentType, "json") ||
		strings.Contains(contentType, "svg") || strings.Contains(contentType, "javascript")
}

// cacheControl: hashed assets for a year; what names them (the page, the
// worker, the manifest) every time; the rest (icons) for a day.
func cacheControl(name string) string {
	base := path.Base(name)
	switch {
	case strings.HasPrefix(name, "/assets/"), strings.HasPrefix(base, "workbox-"):
		return "public, max-age=31536000, immutable"
	case base == "index.html", base == "sw.js", base == "registerSW.js", path.Ext(base) == ".webmanifest":
		return "no-cache"
	}
	return "public, max-age=86400"
}

func send(w http.ResponseWriter, r *http.Request, f *file) {
	h := w.Header()
	h.Set("Content-Type", f.contentType)
	h.Set("Cache-Control", f.cacheControl)
	h.Set("ETag", f.etag)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
	if strings.HasPrefix(f.contentType, "text/html") {
		h.Set("Content-Security-Policy", contentSecurityPolicy)
	}
	h.Add("Vary", "Accept-Encoding")
	if match := r.Header.Get("If-None-Match"); match != "" && match == f.etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	body := f.body
	if f.gz != nil && acceptsGzip(r) {
		h.Set("Content-Encoding", "gzip")
		body = f.gz
	}
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		enc, q, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(enc), "gzip") && strings.ReplaceAll(q, " ", "") != "q=0" {
			return true
		}
	}
	return false
}

// forward proxies to target, replacing the request's path with path when it
// is not empty, and adds X-Forwarded-For so that the router sees the shopper.
func forward(target *url.URL, path string, logger *slog.Logger) http.Handler {
	return &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(target)
			if path != "" {
				pr.Out.URL.Path, pr.Out.URL.RawPath = path, ""
			} else {
				pr.Out.URL.Path, pr.Out.URL.RawPath = pr.In.URL.Path, pr.In.URL.RawPath
			}
			pr.SetXForwarded()
		},
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			logger.WarnContext(r.Context(), "cannot reach upstream", "target", target.Host, "path", r.URL.Path, "err", err)
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadGateway)
			_, _ = w.Write([]byte(`{"errors":[{"message":"the store cannot reach its API just now","extensions":{"code":"SERVICE_UNAVAILABLE"}}]}`))
		},
	}
}
