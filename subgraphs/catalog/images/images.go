// Package images serves the catalog's product images: SVG pictures generated on
// request from the product's slug and name, the same bytes every time, so that the
// demo store has images without storing or fetching any.
//
// A product's images are /images/products/<slug>-<n>.svg for n from 1 to Count
// of its id, Width by Height pixels, the URLs the GraphQL schema gives
// (Product.images). The router forwards only GraphQL, so a web store loads these
// from the catalog's own public URL.
package images

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash/fnv"
	"html"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"unicode"

	"github.com/shopgraph/shopgraph/subgraphs/catalog"
)

// Path is the route prefix the images are served under.
const Path = "/images/products/"

// Pattern is the http.ServeMux pattern of the image route.
const Pattern = "GET " + Path + "{file}"

// Width and Height are every image's size in pixels, as Product.images reports.
const (
	Width  = 1200
	Height = 1200
)

// MaxCount is the most images a product has.
const MaxCount = 3

// Count is how many images the product with this id has: one to MaxCount, fixed
// by its id (the rule the GraphQL layer's Product.images follows).
func Count(productID int64) int { return 1 + int(productID%MaxCount) }

// CacheControl is sent with every image. A product keeps its image URLs when it is
// renamed but its picture changes with the name, so caches keep an image a day and
// then revalidate it with its ETag (a 304 while the name is the same).
const CacheControl = "public, max-age=86400, stale-while-revalidate=604800"

// Products finds products by slug: catalog.ProductStore's method, one indexed query.
type Products interface {
	ProductsBySlugs(ctx context.Context, slugs []string) (map[string]*catalog.Product, error)
}

// Handler serves GET /images/products/{slug}-{n}.svg. It answers 404 for a
// malformed name, an unknown slug, or an n the product does not have: the slug is
// looked up (one query on the unique slug index), because the picture shows the
// product's name and a store must not be able to fill caches with pictures of
// products that do not exist.
func Handler(products Products, logger *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		slug, n, ok := ParseName(r.PathValue("file"))
		if !ok {
			http.NotFound(w, r)
			return
		}
		found, err := products.ProductsBySlugs(r.Context(), []string{slug})
		if err != nil {
			logger.ErrorContext(r.Context(), "product image: look up product", "slug", slug, "err", err)
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		p := found[slug]
		if p == nil || n > Count(p.ID) {
			http.NotFound(w, r)
			return
		}
		body := SVG(p.Slug, p.Name, n, Count(p.ID))
		sum := sha256.Sum256(body)
		etag := `"` + hex.EncodeToString(sum[:12]) + `"`
		h := w.Header()
		h.Set("Cache-Control", CacheControl)
		h.Set("ETag", etag)
		h.Set("X-Content-Type-Options", "nosniff")
		if etagMatches(r.Header.Get("If-None-Match"), etag) {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		h.Set("Content-Type", "image/svg+xml")
		h.Set("Content-Length", strconv.Itoa(len(body)))
		if r.Method == http.MethodHead {
			return
		}
		_, _ = w.Write(body)
	})
}

// etagMatches reports whether an If-None-Match header names etag (weakly, as
// RFC 9110 asks for If-None-Match) or is "*".
func etagMatches(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == "*" || t == etag {
			return true
		}
	}
	return false
}

// ParseName splits an image file name "<slug>-<n>.svg" into the product slug and
// the image number, 1 to MaxCount; ok is false for any other name.
func ParseName(file string) (slug string, n int, ok bool) {
	base, isSVG := strings.CutSuffix(file, ".svg")
	i := strings.LastIndexByte(base, '-')
	if !isSVG || i < 0 || len(base)-i != 2 {
		return "", 0, false
	}
	slug, d := base[:i], base[i+1]
	if d < '1' || d > '0'+MaxCount || !validSlug(slug) {
		return "", 0, false
	}
	return slug, int(d - '0'), true
}

// validSlug matches the products.slug CHECK: ^[a-z0-9]+(-[a-z0-9]+)*$.
func validSlug(s string) bool {
	if s == "" || len(s) > 200 || s[0] == '-' || s[len(s)-1] == '-' || strings.Contains(s, "--") {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// SVG draws image n of count of a product: a background in a colour from a hash
// of the slug, shaded differently for each n, the product's initials large, and
// its name. The same arguments always give the same bytes.
func SVG(slug, name string, n, count int) []byte {
	h := fnv.New32a()
	_, _ = h.Write([]byte(slug))
	sum := h.Sum32()
	hue := int(sum % 360)
	sat := 45 + int(sum>>9%25)
	light := 38 + 8*((n-1)%MaxCount)
	accent := (hue + 40 + 100*(n-1)) % 360
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" role="img" aria-label="%s">`,
		Width, Height, Width, Height, html.EscapeString(name))
	fmt.Fprintf(&b, `<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1">`+
		`<stop offset="0" stop-color="hsl(%d,%d%%,%d%%)"/><stop offset="1" stop-color="hsl(%d,%d%%,%d%%)"/>`+
		`</linearGradient></defs>`, hue, sat, light+12, accent, sat, light-10)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="url(#g)"/>`, Width, Height)
	// A shape per view, so that the views of one product differ at a glance.
	switch n {
	case 1:
		fmt.Fprintf(&b, `<circle cx="%d" cy="%d" r="%d" fill="#fff" fill-opacity="0.14"/>`, Width/2, Height*9/20, Width*3/10)
	case 2:
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" rx="48" fill="#fff" fill-opacity="0.14" transform="rotate(8 %d %d)"/>`,
			Width/5, Height/6, Width*3/5, Height*3/5, Width/2, Height/2)
	default:
		fmt.Fprintf(&b, `<polygon points="%d,%d %d,%d %d,%d" fill="#fff" fill-opacity="0.14"/>`,
			Width/2, Height/7, Width*17/20, Height*3/4, Width*3/20, Height*3/4)
	}
	fmt.Fprintf(&b, `<text x="50%%" y="%d" text-anchor="middle" dominant-baseline="middle" font-family="Helvetica, Arial, sans-serif" font-size="300" font-weight="700" fill="#fff">%s</text>`,
		Height*9/20, html.EscapeString(Initials(name)))
	fmt.Fprintf(&b, `<text x="50%%" y="%d" text-anchor="middle" font-family="Helvetica, Arial, sans-serif" font-size="56" fill="#fff">%s</text>`,
		Height*41/50, html.EscapeString(truncate(name, 36)))
	fmt.Fprintf(&b, `<text x="50%%" y="%d" text-anchor="middle" font-family="Helvetica, Arial, sans-serif" font-size="36" fill="#fff" fill-opacity="0.8">%d / %d</text>`,
		Height*91/100, n, count)
	b.WriteString(`</svg>`)
	return []byte(b.String())
}

// Initials are the first letters of a name's first two words, upper-cased
// ("Merino Crew Sweater" gives "MC"); "?" for a name without letters.
func Initials(name string) string {
	var out []rune
	for _, w := range strings.Fields(name) {
		for _, r := range w {
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				out = append(out, unicode.ToUpper(r))
				break
			}
		}
		if len(out) == 2 {
			break
		}
	}
	if len(out) == 0 {
		return "?"
	}
	return string(out)
}

// truncate shortens s to at most n runes, ending it with an ellipsis when cut.
func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return strings.TrimSpace(string(r[:n-1])) + "…"
}
