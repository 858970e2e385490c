package graph_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// listingQuery is a category listing page as a storefront asks for it: the
// products with everything a product card shows, the total and the facets.
const listingQuery = `query($first: Int, $after: String, $last: Int, $before: String, $filter: ProductFilter, $sort: ProductSort) {
  products(first: $first, after: $after, last: $last, before: $before, filter: $filter, sort: $sort) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node {
      id slug name
      category { id name breadcrumbs { name } }
      options { name values }
      priceRange { min { amount currencyCode } max { amount } }
      images { url alt width height }
      ratingSummary { average count histogram { rating count } }
      variants { id sku compareAtPrice { amount } quantityAvailable stockLevel selectedOptions { name value } }
    } }
    facets {
      categories { category { id slug } count }
      options { name values { value count } }
      priceBands { min { amount } max { amount } count }
    }
  }
}`

type listingData struct {
	Products struct {
		TotalCount int
		PageInfo   pageInfo
		Edges      []struct {
			Cursor string
			Node   struct {
				ID, Slug, Name string
				Category       struct {
					ID, Name    string
					Breadcrumbs []struct{ Name string }
				}
				Options []struct {
					Name   string
					Values []string
				}
				PriceRange struct {
					Min struct{ Amount, CurrencyCode string }
					Max struct{ Amount string }
				}
				Images []struct {
					URL, Alt      string
					Width, Height int
				}
				RatingSummary struct {
					Average   *float64
					Count     int
					Histogram []struct{ Rating, Count int }
				}
				Variants []struct {
					ID, SKU           string
					CompareAtPrice    *struct{ Amount string }
					QuantityAvailable int
					StockLevel        string
					SelectedOptions   []struct{ Name, Value string }
				}
			}
		}
		Facets struct {
			Categories []struct {
				Category struct{ ID, Slug string }
				Count    int
			}
			Options []struct {
				Name   string
				Values []struct {
					Value string
					Count int
				}
			}
			PriceBands []struct {
				Min   struct{ Amount string }
				Max   *struct{ Amount string }
				Count int
			}
		}
	}
}

func (s *subgraph) listing(t *testing.T, vars map[string]any) (listingData, int64) {
	t.Helper()
	res, n := s.query(t, listingQuery, vars)
	wantNoErrors(t, res)
	var d listingData
	if err := json.Unmarshal(res.Data, &d); err != nil {
		t.Fatal(err)
	}
	return d, n
}

func TestListingPageStatementsDoNotGrowWithThePage(t *testing.T) {
	t.Parallel()
	s := newSubgraph(t)
	counts := map[int]int64{}
	for _, first := range []int{5, 50} {
		// The fewest of three runs: on a starved CPU a loader's batch window
		// can close before every field has asked, splitting one batch in two;
		// a list that turned into N queries would show in every run.
		for range 3 {
			d, n := s.listing(t, map[string]any{"first": first, "filter": map[string]any{"inStock": true}})
			if len(d.Products.Edges) != first {
				t.Fatalf("first %d: %d edges", first, len(d.Products.Edges))
			}
			if counts[first] == 0 || n < counts[first] {
				counts[first] = n
			}
		}
		t.Logf("listing page of %d products with facets: %d SQL statements", first, counts[first])
	}
	// Page and total; variants; rating summaries; categories; their parents
	// (breadcrumbs); facets. The facets' categories are read in the same batch
	// as the cards' categories or on their own.
	if counts[5] != counts[50] || counts[5] > 7 {
		t.Errorf("statements: %v; want the same for 5 and 50, at most 7", counts)
	}
}

func TestListingThroughGraphQL(t *testing.T) {
	t.Parallel()
	s := newSubgraph(t)

	t.Run("a product card has everything", func(t *testing.T) {
		d, _ := s.listing(t, map[string]any{"first": 30})
		sawReduced, sawLevels := false, map[string]bool{}
		for _, e := range d.Products.Edges {
			p := e.Node
			if p.Category.Name == "" || len(p.Category.Breadcrumbs) != 2 || p.Category.Breadcrumbs[1].Name != p.Category.Name {
				t.Errorf("%s: category %+v", p.Slug, p.Category)
			}
			if len(p.Options) == 0 || len(p.Images) == 0 || p.PriceRange.Min.CurrencyCode != "USD" ||
				!strings.HasPrefix(p.Images[0].URL, "/images/products/"+p.Slug+"-1.svg") || len(p.RatingSummary.Histogram) != 5 {
				t.Errorf("%s: %+v", p.Slug, p)
			}
			hist := 0
			for i, h := range p.RatingSummary.Histogram {
				if h.Rating != i+1 {
					t.Errorf("%s: histogram %+v", p.Slug, p.RatingSummary.Histogram)
				}
				hist += h.Count
			}
			if hist != p.RatingSummary.Count || (p.RatingSummary.Count > 0) != (p.RatingSummary.Average != nil) {
				t.Errorf("%s: rating summary %+v", p.Slug, p.RatingSummary)
			}
			for _, v := range p.Variants {
				sawLevels[v.StockLevel] = true
				want := "IN_STOCK"
				if v.QuantityAvailable == 0 {
					want = "OUT_OF_STOCK"
				} else if v.QuantityAvailable <= 5 {
					want = "LOW_STOCK"
				}
				if v.StockLevel != want || len(v.SelectedOptions) == 0 {
					t.Errorf("%s: %+v", v.SKU, v)
				}
				sawReduced = sawReduced || v.CompareAtPrice != nil
			}
		}
		if !sawReduced || len(sawLevels) != 3 {
			t.Errorf("30 products show reduced prices %v, stock levels %v", sawReduced, sawLevels)
		}
	})

	t.Run("pages forward and back meet", func(t *testing.T) {
		filter := map[string]any{"minPrice": "50", "options": []any{map[string]any{"name": "Colour", "values": []string{"Navy", "Rust"}}}}
		var forward []string
		vars := map[string]any{"first": 40, "filter": filter, "sort": "PRICE_ASC"}
		total := 0
		for page := 0; ; page++ {
			d, _ := s.listing(t, vars)
			c := d.Products
			total = c.TotalCount
			if c.PageInfo.HasPreviousPage != (page > 0) {
				t.Errorf("page %d: %+v", page, c.PageInfo)
			}
			for _, e := range c.Edges {
				forward = append(forward, e.Node.ID)
			}
			if !c.PageInfo.HasNextPage {
				break
			}
			vars["after"] = *c.PageInfo.EndCursor
		}
		var back []string
		vars = map[string]any{"last": 40, "filter": filter, "sort": "PRICE_ASC"}
		for page := 0; ; page++ {
			d, _ := s.listing(t, vars)
			c := d.Products
			if c.PageInfo.HasNextPage != (page > 0) {
				t.Errorf("back page %d: %+v", page, c.PageInfo)
			}
			var ids []string
			for _, e := range c.Edges {
				ids = append(ids, e.Node.ID)
			}
			back = append(ids, back...)
			if !c.PageInfo.HasPreviousPage {
				break
			}
			vars["before"] = *c.PageInfo.StartCursor
		}
		if total < 50 || len(forward) != total || !slices.Equal(forward, back) {
			t.Errorf("total %d: forward %d products, back %d, equal %v", total, len(forward), len(back), slices.Equal(forward, back))
		}
	})

	t.Run("bad listing arguments are clear errors", func(t *testing.T) {
		d, _ := s.listing(t, map[string]any{"first": 1, "sort": "RATING"})
		ratingCursor := d.Products.Edges[0].Cursor
		cases := []struct {
			vars     map[string]any
			contains string
		}{
			{map[string]any{"first": 101}, "first must be at most 100, got 101"},
			{map[string]any{"last": 500}, "last must be at most 100, got 500"},
			{map[string]any{"first": 1, "last": 1}, "give first or last, not both"},
			{map[string]any{"first": 1, "after": ratingCursor}, "belongs to sort RATING, not NEWEST"},
			{map[string]any{"filter": map[string]any{"minPrice": "ten"}}, `filter.minPrice: "ten" is not an amount`},
			{map[string]any{"filter": map[string]any{"categoryId": "gid://shopgraph/Product/1"}}, "it is a Product ID"},
		}
		for _, c := range cases {
			res, _ := s.query(t, `query($first: Int, $after: String, $last: Int, $filter: ProductFilter) {
				products(first: $first, after: $after, last: $last, filter: $filter) { totalCount } }`, c.vars)
			wantError(t, res, c.contains, "BAD_USER_INPUT")
		}
	})

	t.Run("search is relevance-sorted by default", func(t *testing.T) {
		d, _ := s.listing(t, map[string]any{"first": 3, "filter": map[string]any{"search": "merino crew swe"}})
		if d.Products.TotalCount == 0 || !strings.HasPrefix(d.Products.Edges[0].Node.Name, "Merino Crew Sweater") {
			t.Errorf("search: %d results, first %+v", d.Products.TotalCount, d.Products.Edges)
		}
	})
}

func TestCategoriesThroughGraphQL(t *testing.T) {
	t.Parallel()
	s := newSubgraph(t)
	res, n := s.query(t, `{
		categories { slug children { slug parent { slug } products(first: 2) { totalCount } } }
		knitwear: category(slug: "knitwear") { id name breadcrumbs { slug } parent { slug }
			products(first: 3, sort: PRICE_DESC) { totalCount edges { node { category { slug } } } } }
		none: category(slug: "nothing") { id }
		searchSuggestions(prefix: "kni", first: 3) { products { name } categories { slug } }
	}`, nil)
	wantNoErrors(t, res)
	var d struct {
		Categories []struct {
			Slug     string
			Children []struct {
				Slug     string
				Parent   struct{ Slug string }
				Products struct{ TotalCount int }
			}
		}
		Knitwear struct {
			ID, Name    string
			Breadcrumbs []struct{ Slug string }
			Parent      struct{ Slug string }
			Products    struct {
				TotalCount int
				Edges      []struct {
					Node struct{ Category struct{ Slug string } }
				}
			}
		}
		None              *struct{ ID string }
		SearchSuggestions struct {
			Products   []struct{ Name string }
			Categories []struct{ Slug string }
		}
	}
	if err := json.Unmarshal(res.Data, &d); err != nil {
		t.Fatal(err)
	}
	leaves, sum := 0, 0
	for _, root := range d.Categories {
		for _, c := range root.Children {
			leaves++
			sum += c.Products.TotalCount
			if c.Parent.Slug != root.Slug {
				t.Errorf("%s: parent %s, listed under %s", c.Slug, c.Parent.Slug, root.Slug)
			}
		}
	}
	if len(d.Categories) < 5 || len(d.Categories)+leaves < 20 || sum != 2000 {
		t.Errorf("%d roots, %d leaves holding %d products", len(d.Categories), leaves, sum)
	}
	k := d.Knitwear
	if k.Name != "Knitwear" || fmt.Sprint(k.Breadcrumbs) != "[{clothing} {knitwear}]" || k.Parent.Slug != "clothing" ||
		k.Products.TotalCount == 0 || len(k.Products.Edges) != 3 || k.Products.Edges[0].Node.Category.Slug != "knitwear" || d.None != nil {
		t.Errorf("knitwear %+v, none %+v", k, d.None)
	}
	if len(d.SearchSuggestions.Categories) != 2 || d.SearchSuggestions.Categories[0].Slug != "knitwear" || d.SearchSuggestions.Categories[1].Slug != "cutlery" {
		t.Errorf("suggestions %+v", d.SearchSuggestions)
	}
	if n > 9 {
		t.Errorf("%d statements", n)
	}
	// The products of every leaf: one statement for all of them.
	res, n = s.query(t, `{ categories { children { products(first: 2, filter: {inStock: true}) { totalCount edges { node { id } } } } } }`, nil)
	wantNoErrors(t, res)
	if n != 3 {
		t.Errorf("roots, children and their products took %d statements, want 3", n)
	}

	res, _ = s.query(t, `query($r: [_Any!]!) { _entities(representations: $r) { ... on Category { slug } } }`,
		map[string]any{"r": []map[string]any{{"__typename": "Category", "id": k.ID}, {"__typename": "Category", "id": "gid://shopgraph/Category/999"}}})
	wantNoErrors(t, res)
	if string(res.Data) != `{"_entities":[{"slug":"knitwear"},null]}` {
		t.Errorf("category entities %s", res.Data)
	}
}
