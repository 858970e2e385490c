package graph_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
)

const productReviewsQuery = `query($id: ID, $first: Int, $after: String, $last: Int, $before: String, $sort: ReviewSort) {
  product(id: $id) {
    reviews(first: $first, after: $after, last: $last, before: $before, sort: $sort) {
      totalCount
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges { cursor node { id rating } }
    }
  }
}`

type reviewPage struct {
	TotalCount int
	PageInfo   pageInfo
	Edges      []struct {
		Cursor string
		Node   struct {
			ID     string
			Rating int
		}
	}
}

// mostReviewed is the id of the product of the first 100 with the most reviews.
func (s *subgraph) mostReviewed(t *testing.T) string {
	t.Helper()
	res, _ := s.query(t, `{ products(first: 100) { edges { node { id reviews { totalCount } } } } }`, nil)
	wantNoErrors(t, res)
	var d productsData
	if err := json.Unmarshal(res.Data, &d); err != nil {
		t.Fatal(err)
	}
	best, most := "", 0
	for _, e := range d.Products.Edges {
		if n := e.Node.Reviews.TotalCount; n > most {
			best, most = e.Node.ID, n
		}
	}
	return best
}

func (s *subgraph) reviewPage(t *testing.T, vars map[string]any) reviewPage {
	t.Helper()
	if _, ok := vars["id"]; !ok {
		vars["id"] = "gid://shopgraph/Product/3"
	}
	res, _ := s.query(t, productReviewsQuery, vars)
	wantNoErrors(t, res)
	var d struct{ Product struct{ Reviews reviewPage } }
	if err := json.Unmarshal(res.Data, &d); err != nil {
		t.Fatal(err)
	}
	return d.Product.Reviews
}

type reviewKey struct {
	id     int64
	rating int
}

func keyOf(t *testing.T, id string, rating int) reviewKey {
	t.Helper()
	n, err := strconv.ParseInt(strings.TrimPrefix(id, "gid://shopgraph/Review/"), 10, 64)
	if err != nil {
		t.Fatalf("review id %s", id)
	}
	return reviewKey{n, rating}
}

// Each sort walks forward and back to the same reviews in its order, with the
// page flags Relay asks for, and ties broken newest first.
func TestProductReviewSortsPageBothWays(t *testing.T) {
	t.Parallel()
	s := newSubgraph(t)
	inOrder := map[string]func(a, b reviewKey) bool{
		"NEWEST":  func(a, b reviewKey) bool { return a.id > b.id },
		"HIGHEST": func(a, b reviewKey) bool { return a.rating > b.rating || a.rating == b.rating && a.id > b.id },
		"LOWEST":  func(a, b reviewKey) bool { return a.rating < b.rating || a.rating == b.rating && a.id > b.id },
	}
	id := s.mostReviewed(t)
	var total int
	for sort, before := range inOrder {
		var fwd []reviewKey
		vars := map[string]any{"id": id, "first": 4, "sort": sort}
		for page := 0; ; page++ {
			p := s.reviewPage(t, vars)
			total = p.TotalCount
			if p.PageInfo.HasPreviousPage != (page > 0) {
				t.Errorf("%s page %d: %+v", sort, page, p.PageInfo)
			}
			for _, e := range p.Edges {
				fwd = append(fwd, keyOf(t, e.Node.ID, e.Node.Rating))
			}
			if !p.PageInfo.HasNextPage {
				break
			}
			vars["after"] = *p.PageInfo.EndCursor
		}
		var back []reviewKey
		vars = map[string]any{"id": id, "last": 4, "sort": sort}
		for page := 0; ; page++ {
			p := s.reviewPage(t, vars)
			if p.PageInfo.HasNextPage != (page > 0) {
				t.Errorf("%s back page %d: %+v", sort, page, p.PageInfo)
			}
			var keys []reviewKey
			for _, e := range p.Edges {
				keys = append(keys, keyOf(t, e.Node.ID, e.Node.Rating))
			}
			back = append(keys, back...)
			if !p.PageInfo.HasPreviousPage {
				break
			}
			vars["before"] = *p.PageInfo.StartCursor
		}
		if len(fwd) != total || total < 9 {
			t.Fatalf("%s: walked %d of %d reviews", sort, len(fwd), total)
		}
		if !slices.Equal(fwd, back) {
			t.Errorf("%s: forward %v, back %v", sort, fwd, back)
		}
		for i := 1; i < len(fwd); i++ {
			if !before(fwd[i-1], fwd[i]) {
				t.Errorf("%s: %v before %v", sort, fwd[i-1], fwd[i])
			}
		}
	}
}

func TestProductReviewsBadArguments(t *testing.T) {
	t.Parallel()
	s := newSubgraph(t)
	highest := s.reviewPage(t, map[string]any{"first": 2, "sort": "HIGHEST"})
	cases := []struct {
		vars     map[string]any
		contains string
	}{
		{map[string]any{"first": 2, "after": *highest.PageInfo.EndCursor, "sort": "LOWEST"}, "belongs to sort HIGHEST, not LOWEST"},
		{map[string]any{"first": 2, "after": *highest.PageInfo.EndCursor}, "belongs to sort HIGHEST, not NEWEST"},
		{map[string]any{"first": 2, "last": 2}, "give first or last, not both"},
		{map[string]any{"first": 2, "before": *highest.PageInfo.EndCursor}, "page back with last and before"},
		{map[string]any{"last": 101}, "last must be at most 100, got 101"},
		{map[string]any{"first": -1}, "first must not be negative"},
		{map[string]any{"after": "bogus"}, `invalid cursor "bogus"`},
	}
	for _, c := range cases {
		c.vars["id"] = "gid://shopgraph/Product/3"
		res, _ := s.query(t, productReviewsQuery, c.vars)
		wantError(t, res, c.contains, "BAD_USER_INPUT")
	}
}

// A sorted review page of many products is still one statement.
func TestSortedReviewsOfManyProductsAreOneStatement(t *testing.T) {
	t.Parallel()
	s := newSubgraph(t)
	var reps []map[string]any
	for i := 1; i <= 12; i++ {
		reps = append(reps, map[string]any{"__typename": "Product", "id": fmt.Sprintf("gid://shopgraph/Product/%d", i)})
	}
	for _, sort := range []string{"HIGHEST", "LOWEST"} {
		res, n := s.query(t, `query($r: [_Any!]!, $sort: ReviewSort) { _entities(representations: $r) {
			... on Product { id reviews(last: 2, sort: $sort) { totalCount edges { node { rating } } } }
		} }`, map[string]any{"r": reps, "sort": sort})
		wantNoErrors(t, res)
		// One for the products, one for all their reviews.
		if n != 2 {
			t.Errorf("%s: %d statements, want 2", sort, n)
		}
	}
}
