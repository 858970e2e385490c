package graph_test

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/shopgraph/shopgraph/internal/gqlserve/gqltest"
	"github.com/shopgraph/shopgraph/internal/pg/pgtest"
	"github.com/shopgraph/shopgraph/subgraphs/catalog/graph"
	"github.com/shopgraph/shopgraph/subgraphs/catalog/postgres"
)

type subgraph struct {
	srv     *httptest.Server
	counter *pgtest.Counter
}

// newSubgraph starts the catalog subgraph on a loopback port over a seeded database.
func newSubgraph(t *testing.T) *subgraph {
	t.Helper()
	pool := pgtest.New(t, postgres.Migrations())
	if err := postgres.Seed(t.Context(), pool); err != nil {
		t.Fatal(err)
	}
	counted, counter := pgtest.CountingPool(t, pool)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv := httptest.NewServer(graph.NewHandler(postgres.New(counted), logger))
	t.Cleanup(srv.Close)
	return &subgraph{srv: srv, counter: counter}
}

// query posts a GraphQL request and returns the response and the number of SQL
// statements it took.
func (s *subgraph) query(t *testing.T, query string, vars map[string]any) (gqltest.Response, int64) {
	t.Helper()
	before := s.counter.N()
	res := gqltest.Post(t, s.srv.URL, query, vars)
	return res, s.counter.N() - before
}

func wantNoErrors(t *testing.T, res gqltest.Response) {
	t.Helper()
	if len(res.Errors) > 0 {
		t.Fatalf("errors: %+v", res.Errors)
	}
}

func wantError(t *testing.T, res gqltest.Response, contains, code string) {
	t.Helper()
	if len(res.Errors) != 1 || !strings.Contains(res.Errors[0].Message, contains) || res.Errors[0].Extensions["code"] != code {
		t.Errorf("errors %+v; want one %s containing %q", res.Errors, code, contains)
	}
}

type pageInfo struct {
	HasNextPage     bool
	HasPreviousPage bool
	StartCursor     *string
	EndCursor       *string
}

type productsData struct {
	Products struct {
		TotalCount int
		PageInfo   pageInfo
		Edges      []struct {
			Cursor string
			Node   struct {
				ID       string
				Slug     string
				Variants []struct {
					ID     string
					Weight int
					Price  struct{ Amount, CurrencyCode string }
				}
				Reviews struct {
					TotalCount int
					Edges      []struct {
						Node struct {
							Rating int
							Author struct{ ID string }
						}
					}
				}
			}
		}
	}
}

const productsQuery = `query($first: Int, $after: String) {
  products(first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node {
      id slug
      variants { id weight price { amount currencyCode } }
      reviews(first: 2) { totalCount edges { node { rating author { id } } } }
    } }
  }
}`

func TestCatalogSubgraph(t *testing.T) {
	t.Parallel()
	s := newSubgraph(t)

	t.Run("service sdl", func(t *testing.T) {
		res, _ := s.query(t, `{ _service { sdl } }`, nil)
		wantNoErrors(t, res)
		var d struct {
			Service struct{ SDL string } `json:"_service"`
		}
		if err := json.Unmarshal(res.Data, &d); err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{
			`specs.apollo.dev/federation/v2.7`,
			`type Product @key(fields: "id") @key(fields: "slug")`,
			`type Money @shareable`,
			`type User @key(fields: "id")`,
		} {
			if !strings.Contains(d.Service.SDL, want) {
				t.Errorf("sdl lacks %s", want)
			}
		}
	})

	t.Run("products pages, three statements whatever the page size", func(t *testing.T) {
		var ids []string
		var after any
		for page := 0; ; page++ {
			res, n := s.query(t, productsQuery, map[string]any{"first": 100, "after": after})
			wantNoErrors(t, res)
			// One for the page and its count, one for the variants, one for the reviews.
			if n != 3 {
				t.Errorf("page %d took %d statements, want 3", page, n)
			}
			var d productsData
			if err := json.Unmarshal(res.Data, &d); err != nil {
				t.Fatal(err)
			}
			c := d.Products
			if c.TotalCount != postgres.SeedProductCount || c.PageInfo.HasPreviousPage != (page > 0) {
				t.Errorf("page %d: totalCount %d, pageInfo %+v", page, c.TotalCount, c.PageInfo)
			}
			for _, e := range c.Edges {
				ids = append(ids, e.Node.ID)
				if len(e.Node.Variants) == 0 || e.Node.Variants[0].Price.CurrencyCode != "USD" ||
					!strings.Contains(e.Node.Variants[0].Price.Amount, ".") || e.Node.Reviews.TotalCount == 0 ||
					len(e.Node.Reviews.Edges) > 2 || !strings.HasPrefix(e.Node.Reviews.Edges[0].Node.Author.ID, "gid://shopgraph/User/") {
					t.Errorf("product %+v", e.Node)
				}
			}
			if !c.PageInfo.HasNextPage {
				break
			}
			after = *c.PageInfo.EndCursor
		}
		// Newest first: the seed lists product 1 first, so it comes last.
		if len(ids) != postgres.SeedProductCount || ids[0] != fmt.Sprintf("gid://shopgraph/Product/%d", postgres.SeedProductCount) ||
			ids[len(ids)-1] != "gid://shopgraph/Product/1" {
			t.Errorf("walked %d products, from %s to %s", len(ids), ids[0], ids[len(ids)-1])
		}
	})

	// gqlgen picks a type's key from its first representation, so a batch uses one
	// key per type, as routers send them.
	t.Run("entities by slug", func(t *testing.T) {
		res, _ := s.query(t, `{ _entities(representations: [
			{__typename: "Product", slug: "cork-yoga-mat"},
			{__typename: "Product", slug: "nothing-here"},
			{__typename: "Product", slug: "merino-crew-sweater"}]) { ... on Product { id } } }`, nil)
		wantNoErrors(t, res)
		want := `{"_entities":[{"id":"gid://shopgraph/Product/11"},null,{"id":"gid://shopgraph/Product/1"}]}`
		if string(res.Data) != want {
			t.Errorf("got %s\nwant %s", res.Data, want)
		}
	})

	t.Run("product by id and by slug", func(t *testing.T) {
		res, _ := s.query(t, `{ a: product(id: "gid://shopgraph/Product/2") { slug name }
			b: product(slug: "merino-crew-sweater") { id }
			c: product(slug: "no-such-thing") { id } }`, nil)
		wantNoErrors(t, res)
		want := `{"a":{"slug":"classic-oxford-shirt","name":"Classic Oxford Shirt"},"b":{"id":"gid://shopgraph/Product/1"},"c":null}`
		if string(res.Data) != want {
			t.Errorf("got %s\nwant %s", res.Data, want)
		}
	})

	t.Run("entities of every type keep order, unknown are null", func(t *testing.T) {
		res, n := s.query(t, `query($r: [_Any!]!) { _entities(representations: $r) {
			__typename
			... on Product { id slug }
			... on ProductVariant { id sku product { id } }
			... on Review { id rating }
			... on User { id reviews(first: 1) { totalCount } }
		} }`, map[string]any{"r": []map[string]any{
			{"__typename": "Product", "id": "gid://shopgraph/Product/5"},
			{"__typename": "Product", "id": "gid://shopgraph/Product/11"},
			{"__typename": "Product", "id": "gid://shopgraph/Product/9999"},
			{"__typename": "ProductVariant", "id": "gid://shopgraph/ProductVariant/1"},
			{"__typename": "Review", "id": "gid://shopgraph/Review/2"},
			{"__typename": "User", "id": "gid://shopgraph/User/3"},
			{"__typename": "Product", "id": "gid://shopgraph/Product/1"},
		}})
		wantNoErrors(t, res)
		var d struct {
			Entities []map[string]any `json:"_entities"`
		}
		if err := json.Unmarshal(res.Data, &d); err != nil {
			t.Fatal(err)
		}
		e := d.Entities
		if len(e) != 7 || e[0]["slug"] != "stoneware-coffee-mug" || e[1]["id"] != "gid://shopgraph/Product/11" ||
			e[2] != nil || e[3]["sku"] != "SWT-00001-1" || e[4]["id"] != "gid://shopgraph/Review/2" ||
			e[5]["id"] != "gid://shopgraph/User/3" || e[6]["slug"] != "merino-crew-sweater" {
			t.Errorf("entities %s", res.Data)
		}
		// Products by id, by slug, variants, reviews, user reviews; the variant's
		// product is already loaded.
		if n > 5 {
			t.Errorf("took %d statements, want at most 5", n)
		}
	})

	t.Run("bad input is a clear error", func(t *testing.T) {
		cases := []struct{ query, contains string }{
			{`{ products(first: 101) { totalCount } }`, "first must be at most 100, got 101"},
			{`{ products(first: -1) { totalCount } }`, "first must not be negative"},
			{`{ products(after: "bogus") { totalCount } }`, `invalid cursor "bogus"`},
			{`{ product(id: "gid://shopgraph/Review/1") { id } }`, "it is a Review ID"},
			{`{ product(id: "42") { id } }`, "not a shopgraph ID"},
			{`{ product { id } }`, "give exactly one of id and slug"},
			{`{ product(id: "gid://shopgraph/Product/1") { reviews(first: 500) { totalCount } } }`, "first must be at most 100"},
		}
		for _, c := range cases {
			res, _ := s.query(t, c.query, nil)
			wantError(t, res, c.contains, "BAD_USER_INPUT")
		}
	})

	t.Run("bad representation fails alone", func(t *testing.T) {
		res, _ := s.query(t, `query($r: [_Any!]!) { _entities(representations: $r) { ... on Product { id } } }`,
			map[string]any{"r": []map[string]any{
				{"__typename": "Product", "id": "gid://shopgraph/Product/1"},
				{"__typename": "Product", "id": "gid://shopgraph/User/1"},
			}})
		if string(res.Data) != `{"_entities":[{"id":"gid://shopgraph/Product/1"},null]}` {
			t.Errorf("data %s", res.Data)
		}
		wantError(t, res, "it is a User ID", "BAD_USER_INPUT")
	})
}

func TestReviewsPageThroughUser(t *testing.T) {
	t.Parallel()
	s := newSubgraph(t)
	seen := map[string]bool{}
	var after any
	total := 0
	for range 100 {
		res, _ := s.query(t, `query($after: String) { _entities(representations: [{__typename: "User", id: "gid://shopgraph/User/4"}]) {
			... on User { reviews(first: 50, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { id } } } } } }`,
			map[string]any{"after": after})
		wantNoErrors(t, res)
		var d struct {
			Entities []struct {
				Reviews struct {
					TotalCount int
					PageInfo   pageInfo
					Edges      []struct{ Node struct{ ID string } }
				}
			} `json:"_entities"`
		}
		if err := json.Unmarshal(res.Data, &d); err != nil {
			t.Fatal(err)
		}
		r := d.Entities[0].Reviews
		total = r.TotalCount
		for _, e := range r.Edges {
			if seen[e.Node.ID] {
				t.Fatalf("review %s twice", e.Node.ID)
			}
			seen[e.Node.ID] = true
		}
		if !r.PageInfo.HasNextPage {
			break
		}
		after = *r.PageInfo.EndCursor
	}
	if total == 0 || len(seen) != total {
		t.Errorf("walked %d of %d reviews", len(seen), total)
	}
}

func TestStatementsStayConstantAsPagesGrow(t *testing.T) {
	t.Parallel()
	s := newSubgraph(t)
	for _, first := range []int{1, 5, 50} {
		res, n := s.query(t, productsQuery, map[string]any{"first": first})
		wantNoErrors(t, res)
		if n != 3 {
			t.Errorf("first %d: %d statements, want 3", first, n)
		}
	}
}

// The router asks for many products at once through _entities; their variants and
// reviews must still cost one statement each (prefetchProductEntities queues every
// key, so the batch does not depend on the loaders' wait window).
func TestEntityBatchFieldsStayOneStatementEach(t *testing.T) {
	t.Parallel()
	s := newSubgraph(t)
	var reps []map[string]any
	for i := 1; i <= 12; i++ {
		reps = append(reps, map[string]any{"__typename": "Product", "id": fmt.Sprintf("gid://shopgraph/Product/%d", i)})
	}
	for range 5 {
		res, n := s.query(t, `query($r: [_Any!]!) { _entities(representations: $r) {
			... on Product { id variants { sku } reviews(first: 2) { totalCount edges { node { rating } } } }
		} }`, map[string]any{"r": reps})
		wantNoErrors(t, res)
		// One for the products, one for all their variants, one for all their reviews.
		if n != 3 {
			t.Errorf("%d statements, want 3", n)
		}
	}
}
