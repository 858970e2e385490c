package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shopgraph/shopgraph/gateway/compose"
	"github.com/shopgraph/shopgraph/gateway/internal/testsubgraph"
	"github.com/shopgraph/shopgraph/gateway/limits"
)

// deferShop is two loopback subgraphs: products (fast) and reviews, whose
// Product entities wait for release (or for a 5 s fallback) before they
// answer, and which record when they answered in the shared sequence.
type deferShop struct {
	router   *httptest.Server
	products *testsubgraph.Server
	release  chan struct{}
	seq      atomic.Int64
	answered atomic.Int64 // seq value when reviews answered; 0 before
}

func startDeferShop(t *testing.T) *deferShop { return startDeferShopWith(t, false) }

// startDeferShopWith starts the shop; with reviewsDown the router's reviews
// URL answers every request with HTTP 500.
func startDeferShopWith(t *testing.T, reviewsDown bool) *deferShop {
	t.Helper()
	return startDeferShopCapped(t, reviewsDown, 0)
}

// startDeferShopCapped starts the shop with the router's response cap at
// maxResponse bytes (0: the default).
func startDeferShopCapped(t *testing.T, reviewsDown bool, maxResponse int) *deferShop {
	t.Helper()
	ds := &deferShop{release: make(chan struct{})}
	products := &testsubgraph.Subgraph{
		Name: "products",
		SDL: `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
type Query { products: [Product!]! product(id: ID!): Product }
type Product @key(fields: "id") { id: ID! name: String! slowName: String }`,
		Resolvers: map[string]testsubgraph.Resolver{
			"Product.slowName": func(ctx context.Context, parent, _ map[string]any) (any, error) {
				select {
				case <-ds.release:
				case <-time.After(5 * time.Second):
				case <-ctx.Done():
				}
				return fmt.Sprintf("slow %v", parent["id"]), nil
			},
			"Query.products": func(context.Context, map[string]any, map[string]any) (any, error) {
				return []any{map[string]any{"id": "p1", "name": "Lamp"}, map[string]any{"id": "p2", "name": "Desk"}}, nil
			},
			"Query.product": func(_ context.Context, _, args map[string]any) (any, error) {
				return map[string]any{"id": args["id"], "name": "Lamp"}, nil
			},
		},
		Entities: map[string]testsubgraph.EntityResolver{
			"Product": func(_ context.Context, rep map[string]any) (any, error) {
				name := "Lamp"
				if rep["id"] == "p2" {
					name = "Desk"
				}
				return map[string]any{"id": rep["id"], "name": name}, nil
			},
		},
	}
	reviews := &testsubgraph.Subgraph{
		Name: "reviews",
		SDL: `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
type Product @key(fields: "id") { id: ID! rating: Int reviews: [Review!]! broken: String score: Int! }
type Review { body: String! author: String }`,
		Resolvers: map[string]testsubgraph.Resolver{
			"Product.broken": func(context.Context, map[string]any, map[string]any) (any, error) {
				return nil, errors.New("broken is broken")
			},
		},
		Entities: map[string]testsubgraph.EntityResolver{
			"Product": func(ctx context.Context, rep map[string]any) (any, error) {
				select {
				case <-ds.release:
				case <-time.After(5 * time.Second):
				case <-ctx.Done():
				}
				ds.answered.CompareAndSwap(0, ds.seq.Add(1))
				id := rep["id"].(string)
				return map[string]any{"id": id, "rating": 4, "reviews": []any{
					map[string]any{"body": "good " + id, "author": "ann"},
				}}, nil
			},
		},
	}
	ds.products = testsubgraph.Start(t, products)
	reviewsURL := testsubgraph.Start(t, reviews).URL
	if reviewsDown {
		down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			http.Error(w, "down", http.StatusInternalServerError)
		}))
		t.Cleanup(down.Close)
		reviewsURL = down.URL
	}
	in := []compose.Subgraph{
		{Name: "products", URL: ds.products.URL, SDL: products.SDL},
		{Name: "reviews", URL: reviewsURL, SDL: reviews.SDL},
	}
	sdl, err := compose.Compose(in)
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(Config{SupergraphSDL: sdl, Limits: limits.Config{MaxResponseBytes: maxResponse}}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	ds.router = httptest.NewServer(s.Handler())
	t.Cleanup(ds.router.Close)
	return ds
}

// open posts query with Accept and returns the response.
func (ds *deferShop) open(t *testing.T, accept, query string, vars map[string]any) *http.Response {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, ds.router.URL+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", accept)
	resp, err := ds.router.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

const acceptDefer = "multipart/mixed;deferSpec=20220824, application/json"

// payload is one part of an incremental response.
type payload struct {
	Data        json.RawMessage `json:"data"`
	Errors      []gqlErr        `json:"errors"`
	Incremental []struct {
		Data   json.RawMessage `json:"data"`
		Path   []any           `json:"path"`
		Label  string          `json:"label"`
		Errors []gqlErr        `json:"errors"`
	} `json:"incremental"`
	HasNext *bool `json:"hasNext"`
}

type gqlErr struct {
	Message string `json:"message"`
	Path    []any  `json:"path"`
}

// parts reads a multipart/mixed response part by part as it streams.
type parts struct {
	t  *testing.T
	mr *multipart.Reader
}

func readParts(t *testing.T, resp *http.Response) *parts {
	t.Helper()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("status %d: %s", resp.StatusCode, b)
	}
	mt, params, err := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/mixed" || params["boundary"] != "-" || params["deferspec"] != "20220824" {
		t.Fatalf("Content-Type = %q", resp.Header.Get("Content-Type"))
	}
	return &parts{t: t, mr: multipart.NewReader(resp.Body, "-")}
}

func (p *parts) next() payload {
	p.t.Helper()
	part, err := p.mr.NextPart()
	if err != nil {
		p.t.Fatalf("next part: %v", err)
	}
	if ct := part.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		p.t.Fatalf("part Content-Type = %q", ct)
	}
	var pl payload
	if err := json.NewDecoder(part).Decode(&pl); err != nil {
		p.t.Fatalf("decode part: %v", err)
	}
	if pl.HasNext == nil {
		p.t.Fatalf("part without hasNext: %+v", pl)
	}
	return pl
}

// all reads the remaining parts up to the one with hasNext false, and
// checks that the response ends there.
func (p *parts) rest() []payload {
	p.t.Helper()
	var out []payload
	for {
		pl := p.next()
		out = append(out, pl)
		if !*pl.HasNext {
			break
		}
	}
	if _, err := p.mr.NextPart(); err != io.EOF {
		p.t.Fatalf("after the last part: %v, want EOF", err)
	}
	return out
}

// incremental flattens the incremental entries of pls as "label path data".
func incremental(pls []payload) []string {
	var out []string
	for _, pl := range pls {
		for _, in := range pl.Incremental {
			path, _ := json.Marshal(in.Path)
			out = append(out, in.Label+" "+string(path)+" "+compact(in.Data))
		}
	}
	return out
}

func compact(raw json.RawMessage) string {
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return string(raw)
	}
	return b.String()
}

func TestDeferFirstPartBeforeSlowSubgraph(t *testing.T) {
	t.Parallel()
	ds := startDeferShop(t)
	resp := ds.open(t, acceptDefer, `{ product(id: "p1") { name ... @defer(label: "slow") { rating } } }`, nil)
	p := readParts(t, resp)
	first := p.next()
	firstAt := ds.seq.Add(1)
	close(ds.release)
	if got := compact(first.Data); got != `{"product":{"name":"Lamp"}}` || !*first.HasNext {
		t.Errorf("first part = %s hasNext %v", got, *first.HasNext)
	}
	if answered := ds.answered.Load(); answered != 0 && answered < firstAt {
		t.Errorf("reviews answered (seq %d) before the first part arrived (seq %d)", answered, firstAt)
	}
	got := incremental(p.rest())
	want := []string{`slow ["product"] {"rating":4}`}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("incremental = %q, want %q", got, want)
	}
	if ds.answered.Load() <= firstAt {
		t.Errorf("reviews answered at seq %d, want after the first part (seq %d)", ds.answered.Load(), firstAt)
	}
}

func TestDeferSiblingPartsAsTheirFetchesFinish(t *testing.T) {
	t.Parallel()
	ds := startDeferShop(t)
	p := readParts(t, ds.open(t, acceptDefer,
		`{ product(id: "p1") { id ... @defer(label: "slow") { rating } ... @defer(label: "fast") { name } } }`, nil))
	if first := p.next(); compact(first.Data) != `{"product":{"id":"p1"}}` {
		t.Errorf("first part = %s", compact(first.Data))
	}
	// name comes from the fetch of the first part: its part is ready while
	// reviews still waits.
	second := p.next()
	fastAt := ds.seq.Add(1)
	close(ds.release)
	if got := incremental([]payload{second}); strings.Join(got, "\n") != `fast ["product"] {"name":"Lamp"}` || !*second.HasNext {
		t.Errorf("second part = %q", got)
	}
	if got := incremental(p.rest()); strings.Join(got, "\n") != `slow ["product"] {"rating":4}` {
		t.Errorf("last part = %q", got)
	}
	if answered := ds.answered.Load(); answered <= fastAt {
		t.Errorf("reviews answered at seq %d, before the fast part arrived (seq %d)", answered, fastAt)
	}
}

func TestDeferInListNestedAndErrors(t *testing.T) {
	t.Parallel()
	ds := startDeferShop(t)
	close(ds.release)
	resp := ds.open(t, acceptDefer, `{
  products {
    id
    ... @defer(label: "outer") {
      name
      reviews { body ... @defer(label: "inner") { author } }
    }
    ... @defer { broken }
  }
}`, nil)
	p := readParts(t, resp)
	first := p.next()
	if got := compact(first.Data); got != `{"products":[{"id":"p1"},{"id":"p2"}]}` || len(first.Errors) != 0 {
		t.Errorf("first part = %s errors %v", got, first.Errors)
	}
	rest := p.rest()
	got := incremental(rest)
	want := []string{
		`outer ["products",0] {"name":"Lamp","reviews":[{"body":"good p1"}]}`,
		` ["products",0] {"broken":null}`,
		`outer ["products",1] {"name":"Desk","reviews":[{"body":"good p2"}]}`,
		` ["products",1] {"broken":null}`,
		`inner ["products",0,"reviews",0] {"author":"ann"}`,
		`inner ["products",1,"reviews",0] {"author":"ann"}`,
	}
	// Parts go out as their fetches finish, so only their set is fixed, and
	// that a nested part comes after the part it is nested in.
	sorted := slices.Sorted(slices.Values(got))
	slices.Sort(want)
	if strings.Join(sorted, "\n") != strings.Join(want, "\n") {
		t.Errorf("incremental =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, i := range []int{0, 1} {
		outer := slices.IndexFunc(got, func(s string) bool { return strings.HasPrefix(s, fmt.Sprintf(`outer ["products",%d]`, i)) })
		inner := slices.IndexFunc(got, func(s string) bool { return strings.HasPrefix(s, fmt.Sprintf(`inner ["products",%d,`, i)) })
		if outer < 0 || inner < outer {
			t.Errorf("the inner part of product %d (at %d) does not follow its outer part (at %d)", i, inner, outer)
		}
	}
	// The error of broken goes with the part that has broken, at its path.
	var brokenErrs []string
	for _, pl := range rest {
		for _, in := range pl.Incremental {
			for _, e := range in.Errors {
				path, _ := json.Marshal(e.Path)
				brokenErrs = append(brokenErrs, in.Label+" "+string(path))
			}
		}
	}
	if strings.Join(brokenErrs, ",") != ` ["products",0,"broken"], ["products",1,"broken"]` {
		t.Errorf("errors in parts = %q", brokenErrs)
	}
}

func TestDeferIfFalseAndVariable(t *testing.T) {
	t.Parallel()
	ds := startDeferShop(t)
	close(ds.release)
	const q = `query($d: Boolean!) { product(id: "p1") { name ... @defer(if: $d, label: "v") { rating } ... @defer(if: false) { id } } }`
	// if: false on both: one part with everything, hasNext false.
	p := readParts(t, ds.open(t, acceptDefer, q, map[string]any{"d": false}))
	only := p.rest()
	if len(only) != 1 || compact(only[0].Data) != `{"product":{"name":"Lamp","rating":4,"id":"p1"}}` {
		t.Errorf("if false: parts %+v", only)
	}
	p = readParts(t, ds.open(t, acceptDefer, q, map[string]any{"d": true}))
	first := p.next()
	if got := compact(first.Data); got != `{"product":{"name":"Lamp","id":"p1"}}` {
		t.Errorf("if true: first part %s", got)
	}
	if got := incremental(p.rest()); strings.Join(got, "\n") != `v ["product"] {"rating":4}` {
		t.Errorf("if true: incremental %q", got)
	}
}

func TestDeferWithoutMultipartAccept(t *testing.T) {
	t.Parallel()
	ds := startDeferShop(t)
	close(ds.release)
	resp := ds.open(t, "application/json", `{ product(id: "p1") { name ... @defer { rating } } }`, nil)
	if resp.StatusCode != http.StatusNotAcceptable {
		t.Fatalf("status %d, want 406 (as Apollo Router answers)", resp.StatusCode)
	}
	var a routerAnswer
	if err := json.NewDecoder(resp.Body).Decode(&a); err != nil {
		t.Fatal(err)
	}
	if len(a.Errors) != 1 || !strings.Contains(a.Errors[0].Message, "multipart/mixed") || a.Errors[0].Extensions["code"] != codeDeferBadHeader {
		t.Errorf("errors = %+v", a.Errors)
	}
	// A query without @defer is answered as JSON whatever the Accept.
	resp = ds.open(t, acceptDefer, `{ product(id: "p1") { name rating } }`, nil)
	if ct := resp.Header.Get("Content-Type"); resp.StatusCode != http.StatusOK || !strings.HasPrefix(ct, "application/json") {
		t.Errorf("without @defer: %d %s", resp.StatusCode, ct)
	}
}

func TestDeferredSubgraphDown(t *testing.T) {
	t.Parallel()
	ds := startDeferShopWith(t, true)
	p := readParts(t, ds.open(t, acceptDefer, `{ product(id: "p1") { name ... @defer(label: "slow") { rating } } }`, nil))
	first := p.next()
	if compact(first.Data) != `{"product":{"name":"Lamp"}}` || len(first.Errors) != 0 {
		t.Errorf("first part = %s errors %v", compact(first.Data), first.Errors)
	}
	rest := p.rest()
	if got := incremental(rest); strings.Join(got, "\n") != `slow ["product"] {"rating":null}` {
		t.Errorf("incremental = %q", got)
	}
	// The failed fetch's error goes with the part whose fields it left null.
	errs := rest[0].Incremental[0].Errors
	if len(errs) != 1 || !strings.Contains(errs[0].Message, `subgraph "reviews" failed`) {
		t.Errorf("part errors = %+v", errs)
	}
}

func TestDeferredObjectNulledInFirstPart(t *testing.T) {
	t.Parallel()
	ds := startDeferShop(t)
	close(ds.release)
	// reviews has no score (a null in a non-null field), which nulls
	// product in the router, where the fragment would have gone: no part
	// follows, and the one payload says so.
	p := readParts(t, ds.open(t, acceptDefer, `{ product(id: "p1") { score ... @defer(label: "late") { name } } }`, nil))
	only := p.rest()
	if len(only) != 1 || compact(only[0].Data) != `{"product":null}` || len(only[0].Errors) != 1 {
		t.Errorf("parts = %+v", only)
	}
}

// TestDeferredPartsCountAgainstTheResponseCap caps a response whose first
// part fits and whose deferred parts together do not: the cap holds for the
// whole response, so the stream ends with the cap's error and without the
// part that crossed it.
func TestDeferredPartsCountAgainstTheResponseCap(t *testing.T) {
	t.Parallel()
	const query = `{ products { name ... @defer(label: "reviews") { reviews { body } } } }`
	// The first part's data is 46 bytes, each deferred part's 32.
	for _, tc := range []struct {
		cap      int
		parts    []string
		overflow bool
	}{
		{cap: 200, parts: []string{`reviews ["products",0] {"reviews":[{"body":"good p1"}]}`, `reviews ["products",1] {"reviews":[{"body":"good p2"}]}`}},
		{cap: 46 + 32 + 32, parts: []string{`reviews ["products",0] {"reviews":[{"body":"good p1"}]}`, `reviews ["products",1] {"reviews":[{"body":"good p2"}]}`}},
		{cap: 46 + 32 + 31, parts: []string{`reviews ["products",0] {"reviews":[{"body":"good p1"}]}`}, overflow: true},
		{cap: 50, overflow: true},
	} {
		ds := startDeferShopCapped(t, false, tc.cap)
		close(ds.release)
		p := readParts(t, ds.open(t, acceptDefer, query, nil))
		if first := p.next(); compact(first.Data) != `{"products":[{"name":"Lamp"},{"name":"Desk"}]}` {
			t.Fatalf("cap %d: first part = %s", tc.cap, compact(first.Data))
		}
		rest := p.rest()
		var errs []gqlErr
		for _, pl := range rest {
			for _, in := range pl.Incremental {
				errs = append(errs, in.Errors...)
			}
		}
		if tc.overflow {
			if len(errs) != 1 || !strings.Contains(errs[0].Message, fmt.Sprintf("larger than %d bytes", tc.cap)) {
				t.Errorf("cap %d: errors %+v, want the response cap's", tc.cap, errs)
			}
			want := append(tc.parts, ` [] null`)
			if got := incremental(rest); strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("cap %d: parts %q, want %q", tc.cap, got, want)
			}
			continue
		}
		if got := incremental(rest); strings.Join(got, "\n") != strings.Join(tc.parts, "\n") || len(errs) != 0 {
			t.Errorf("cap %d: parts %q errors %+v, want %q", tc.cap, got, errs, tc.parts)
		}
	}
}

// TestDeferredFieldOfTheSameSubgraph: a deferred field that the parent's own
// subgraph resolves is fetched on its own, through _entities, after the first
// payload went out, so a slow field does not hold the first payload back.
func TestDeferredFieldOfTheSameSubgraph(t *testing.T) {
	t.Parallel()
	ds := startDeferShop(t)
	p := readParts(t, ds.open(t, acceptDefer, `{ product(id: "p1") { name ... @defer(label: "slow") { slowName } } }`, nil))
	first := p.next()
	if got := compact(first.Data); got != `{"product":{"name":"Lamp"}}` || !*first.HasNext {
		t.Fatalf("first part = %s hasNext %v", got, *first.HasNext)
	}
	close(ds.release) // only now can slowName answer
	if got := incremental(p.rest()); strings.Join(got, "\n") != `slow ["product"] {"slowName":"slow p1"}` {
		t.Errorf("incremental = %q", got)
	}
	reqs := ds.products.Requests()
	if len(reqs) != 2 || strings.Contains(reqs[0].Query, "slowName") || !strings.Contains(reqs[1].Query, "_entities") || !strings.Contains(reqs[1].Query, "slowName") {
		var qs []string
		for _, r := range reqs {
			qs = append(qs, r.Query)
		}
		t.Errorf("products got %q, want the first payload's query without slowName, then _entities for it", qs)
	}
}
