package main

import (
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"
)

// The README's listing page: a category's products with filters, sort, facets,
// and each card's price, rating and stock; shipping estimates come from orders.
const listingPageOperation = `{
  category(slug: "knitwear") {
    name breadcrumbs { name }
    products(first: 4, sort: PRICE_ASC, filter: {inStock: true, options: [{name: "Size", values: ["M", "L"]}]}) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node {
        name slug
        priceRange { min { amount currencyCode } max { amount } }
        ratingSummary { average count }
        images { url alt }
        variants { sku stockLevel quantityAvailable shippingEstimate(country: "US") { amount } }
      } }
      facets {
        categories { category { slug } count }
        options { name values { value count } }
        priceBands { min { amount } max { amount } count }
      }
    }
  }
}`

// The README's product page: one product by slug with its options, variants,
// stock, rating histogram and reviews with their authors from users.
const productPageOperation = `{
  product(slug: "merino-crew-sweater") {
    id name description
    category { breadcrumbs { name slug } }
    options { name values }
    images { url alt width height }
    priceRange { min { amount currencyCode } max { amount currencyCode } }
    ratingSummary { average count histogram { rating count } }
    variants {
      id sku selectedOptions { name value }
      price { amount currencyCode } compareAtPrice { amount currencyCode }
      quantityAvailable stockLevel weight
      shippingEstimate(country: "US") { amount currencyCode }
    }
    reviews(first: 3) { totalCount edges { node { rating title author { name } } } }
  }
}`

type catalogE2EResponse struct {
	Data struct {
		Category *struct {
			Name        string
			Breadcrumbs []struct{ Name string }
			Products    struct {
				TotalCount int
				PageInfo   struct {
					HasNextPage bool
					EndCursor   string
				}
				Edges []struct {
					Node struct {
						Name     string
						Variants []struct {
							SKU              string `json:"sku"`
							StockLevel       string
							ShippingEstimate *struct{ Amount string }
						}
					}
				}
				Facets struct {
					Categories []struct{ Count int }
					Options    []struct{ Name string }
					PriceBands []struct{ Count int }
				}
			}
		}
		Product *struct {
			Name          string
			Options       []struct{ Name string }
			RatingSummary struct {
				Count     int
				Histogram []struct{ Count int }
			}
			Variants []struct {
				StockLevel       string
				ShippingEstimate *struct{ Amount string }
			}
			Reviews struct {
				TotalCount int
				Edges      []struct {
					Node struct{ Author *struct{ Name string } }
				}
			}
		}
	}
	Errors []gqlError
}

func TestCatalogPagesEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: builds and runs the binary")
	}
	sys := startSystem(t)
	post := func(t *testing.T, query string) catalogE2EResponse {
		t.Helper()
		status, raw := postQuery(t, sys.router, query)
		var resp catalogE2EResponse
		if err := json.Unmarshal(raw, &resp); err != nil || status != http.StatusOK {
			t.Fatalf("status %d, body %s (%v)", status, raw, err)
		}
		if len(resp.Errors) > 0 {
			t.Fatalf("errors: %s", raw)
		}
		return resp
	}

	t.Run("listing page", func(t *testing.T) {
		c := post(t, listingPageOperation).Data.Category
		if c == nil || c.Name != "Knitwear" || len(c.Breadcrumbs) != 2 {
			t.Fatalf("category %+v", c)
		}
		p := c.Products
		if p.TotalCount < 5 || len(p.Edges) != 4 || !p.PageInfo.HasNextPage {
			t.Errorf("total %d, %d edges, %+v", p.TotalCount, len(p.Edges), p.PageInfo)
		}
		for _, e := range p.Edges {
			for _, v := range e.Node.Variants {
				if v.StockLevel == "" || v.ShippingEstimate == nil || v.ShippingEstimate.Amount == "" {
					t.Errorf("%s: %+v", v.SKU, v)
				}
			}
		}
		bands := 0
		for _, b := range p.Facets.PriceBands {
			bands += b.Count
		}
		if len(p.Facets.Categories) == 0 || len(p.Facets.Options) == 0 || len(p.Facets.PriceBands) != 5 || bands == 0 {
			t.Errorf("facets %+v", p.Facets)
		}
	})

	t.Run("product page", func(t *testing.T) {
		p := post(t, productPageOperation).Data.Product
		if p == nil || p.Name != "Merino Crew Sweater" || len(p.Options) == 0 || len(p.RatingSummary.Histogram) != 5 {
			t.Fatalf("product %+v", p)
		}
		for _, v := range p.Variants {
			if v.StockLevel == "" || v.ShippingEstimate == nil {
				t.Errorf("variant %+v", v)
			}
		}
		if p.Reviews.TotalCount != p.RatingSummary.Count || len(p.Reviews.Edges) == 0 {
			t.Errorf("%d reviews, summary counts %d", p.Reviews.TotalCount, p.RatingSummary.Count)
		}
		for _, e := range p.Reviews.Edges {
			if e.Node.Author == nil || e.Node.Author.Name == "" {
				t.Errorf("review without an author's name: %+v", e.Node)
			}
		}
	})

	t.Run("a page larger than 100 is a clear error", func(t *testing.T) {
		_, raw := postQuery(t, sys.router, `{ products(first: 500) { totalCount } }`)
		if !strings.Contains(string(raw), "first must be at most 100, got 500") {
			t.Errorf("body %s", raw)
		}
	})
}

// TestREADMEShowsTheCatalogPages: the README's listing and product pages are the
// operations the end-to-end test runs.
func TestREADMEShowsTheCatalogPages(t *testing.T) {
	raw, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for name, op := range map[string]string{"listing page": listingPageOperation, "product page": productPageOperation} {
		if !strings.Contains(string(raw), op) {
			t.Errorf("the README does not show the %s operation as the test runs it", name)
		}
	}
}
