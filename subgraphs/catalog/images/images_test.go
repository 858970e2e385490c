package images_test

import (
	"bytes"
	"encoding/xml"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/shopgraph/shopgraph/internal/pg/pgtest"
	"github.com/shopgraph/shopgraph/subgraphs/catalog/images"
	"github.com/shopgraph/shopgraph/subgraphs/catalog/postgres"
)

func TestParseName(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		file string
		slug string
		n    int
		ok   bool
	}{
		{"merino-crew-sweater-1.svg", "merino-crew-sweater", 1, true},
		{"chefs-knife-no-2-3.svg", "chefs-knife-no-2", 3, true},
		{"a-2.svg", "a", 2, true},
		{"merino-crew-sweater-4.svg", "", 0, false},
		{"merino-crew-sweater-0.svg", "", 0, false},
		{"merino-crew-sweater-12.svg", "", 0, false},
		{"merino-crew-sweater-1.png", "", 0, false},
		{"merino-crew-sweater.svg", "", 0, false},
		{"-1.svg", "", 0, false},
		{"Merino-1.svg", "", 0, false},
		{"a--b-1.svg", "", 0, false},
		{"a_b-1.svg", "", 0, false},
		{"", "", 0, false},
	} {
		slug, n, ok := images.ParseName(tc.file)
		if slug != tc.slug || n != tc.n || ok != tc.ok {
			t.Errorf("ParseName(%q) = %q, %d, %v; want %q, %d, %v", tc.file, slug, n, ok, tc.slug, tc.n, tc.ok)
		}
	}
}

func TestSVGIsDeterministicWellFormedAndDiffers(t *testing.T) {
	t.Parallel()
	a := images.SVG("merino-crew-sweater", "Merino Crew Sweater", 1, 2)
	if !bytes.Equal(a, images.SVG("merino-crew-sweater", "Merino Crew Sweater", 1, 2)) {
		t.Fatal("same arguments, different bytes")
	}
	for _, other := range [][]byte{
		images.SVG("merino-crew-sweater", "Merino Crew Sweater", 2, 2),
		images.SVG("cashmere-crew-sweater", "Merino Crew Sweater", 1, 2),
	} {
		if bytes.Equal(a, other) {
			t.Error("a different view or slug drew the same picture")
		}
	}
	for _, name := range []string{"Merino Crew Sweater", `Tom & Jerry's <"Best"> Mug`, "", "Ünïcode Blanket " + strings.Repeat("x", 80)} {
		svg := images.SVG("s", name, 3, 3)
		dec := xml.NewDecoder(bytes.NewReader(svg))
		for {
			_, err := dec.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("name %q: not well-formed XML: %v\n%s", name, err, svg)
			}
		}
		if !bytes.Contains(svg, []byte(`width="1200" height="1200"`)) {
			t.Errorf("name %q: want 1200x1200", name)
		}
	}
}

func TestInitials(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"Merino Crew Sweater": "MC", "chef's knife": "CK", "Mug": "M", "  ": "?", "(Boxed) set": "BS", "élan vital": "ÉV",
	} {
		if got := images.Initials(in); got != want {
			t.Errorf("Initials(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestHandler(t *testing.T) {
	t.Parallel()
	pool := pgtest.New(t, postgres.Migrations())
	if err := postgres.Seed(t.Context(), pool); err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle(images.Pattern, images.Handler(postgres.New(pool), slog.New(slog.DiscardHandler)))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	// Product 1, merino-crew-sweater, has images.Count(1) = 2 images.
	get := func(t *testing.T, method, path string, header http.Header) (*http.Response, []byte) {
		t.Helper()
		req, err := http.NewRequestWithContext(t.Context(), method, srv.URL+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range header {
			req.Header[k] = v
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp, body
	}
	for _, tc := range []struct {
		name, method, path string
		want               int
	}{
		{"first image", "GET", "/images/products/merino-crew-sweater-1.svg", 200},
		{"last image", "GET", "/images/products/merino-crew-sweater-2.svg", 200},
		{"head", "HEAD", "/images/products/merino-crew-sweater-2.svg", 200},
		{"past the product's images", "GET", "/images/products/merino-crew-sweater-3.svg", 404},
		{"unknown slug", "GET", "/images/products/no-such-thing-1.svg", 404},
		{"malformed", "GET", "/images/products/merino-crew-sweater.svg", 404},
		{"not svg", "GET", "/images/products/merino-crew-sweater-1.png", 404},
		{"nested path", "GET", "/images/products/x/merino-crew-sweater-1.svg", 404},
		{"post", "POST", "/images/products/merino-crew-sweater-1.svg", 405},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := get(t, tc.method, tc.path, nil)
			if resp.StatusCode != tc.want {
				t.Fatalf("%s %s: status %d, want %d: %s", tc.method, tc.path, resp.StatusCode, tc.want, body)
			}
			if tc.want != 200 {
				return
			}
			if ct := resp.Header.Get("Content-Type"); ct != "image/svg+xml" {
				t.Errorf("Content-Type %q", ct)
			}
			if cc := resp.Header.Get("Cache-Control"); !strings.Contains(cc, "max-age=86400") {
				t.Errorf("Cache-Control %q", cc)
			}
			if resp.Header.Get("ETag") == "" {
				t.Error("no ETag")
			}
			if tc.method == "GET" && (!bytes.HasPrefix(body, []byte("<svg")) || !bytes.Contains(body, []byte("Merino Crew Sweater")) ||
				!bytes.Contains(body, []byte(">MC<"))) {
				t.Errorf("body does not draw the product:\n%s", body)
			}
		})
	}

	t.Run("revalidation", func(t *testing.T) {
		first, body := get(t, "GET", "/images/products/merino-crew-sweater-1.svg", nil)
		again, body2 := get(t, "GET", "/images/products/merino-crew-sweater-1.svg", nil)
		etag := first.Header.Get("ETag")
		if etag != again.Header.Get("ETag") || !bytes.Equal(body, body2) {
			t.Fatal("the same image twice differs")
		}
		other, _ := get(t, "GET", "/images/products/merino-crew-sweater-2.svg", nil)
		if other.Header.Get("ETag") == etag {
			t.Error("two images share an ETag")
		}
		for _, h := range []string{etag, "W/" + etag, `"nope", ` + etag, "*"} {
			resp, body := get(t, "GET", "/images/products/merino-crew-sweater-1.svg", http.Header{"If-None-Match": {h}})
			if resp.StatusCode != http.StatusNotModified || len(body) != 0 {
				t.Errorf("If-None-Match %s: status %d with %d bytes, want 304 and none", h, resp.StatusCode, len(body))
			}
		}
		resp, _ := get(t, "GET", "/images/products/merino-crew-sweater-1.svg", http.Header{"If-None-Match": {`"stale"`}})
		if resp.StatusCode != http.StatusOK {
			t.Errorf("stale If-None-Match: status %d, want 200", resp.StatusCode)
		}
	})
}
