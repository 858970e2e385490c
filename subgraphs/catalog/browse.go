package catalog

import "context"

// Category is a node of the two-level category tree.
type Category struct {
	ID int64
	// ParentID is 0 for a root.
	ParentID int64
	Slug     string
	Name     string
}

// Stock levels shown to shoppers.
const (
	StockIn  = "IN_STOCK"
	StockLow = "LOW_STOCK"
	StockOut = "OUT_OF_STOCK"
	// LowStockAt is the most units available at which stock counts as low.
	LowStockAt = 5
)

// Available is what a shopper can buy of v now: on hand minus reserved.
func (v *Variant) Available() int { return max(v.StockOnHand-v.StockReserved, 0) }

// StockLevel is v's stock as shoppers see it: StockIn, StockLow or StockOut.
func (v *Variant) StockLevel() string {
	switch n := v.Available(); {
	case n <= 0:
		return StockOut
	case n <= LowStockAt:
		return StockLow
	}
	return StockIn
}

// ShopCurrency is the currency of price filters and price bands.
const ShopCurrency = "USD"

// ProductSort is an order of a product listing.
type ProductSort string

// Product listing orders.
const (
	SortRelevance ProductSort = "RELEVANCE"
	SortNewest    ProductSort = "NEWEST"
	SortPriceAsc  ProductSort = "PRICE_ASC"
	SortPriceDesc ProductSort = "PRICE_DESC"
	SortRating    ProductSort = "RATING"
)

// OptionFilter asks for products with a variant whose option Name has one of Values.
type OptionFilter struct {
	Name   string
	Values []string
}

// ProductFilter selects products; every set condition must hold.
type ProductFilter struct {
	// CategoryID is a category whose products and subcategories' products match (0: any).
	CategoryID int64
	// MinPrice and MaxPrice bound the price of some variant in ShopCurrency's minor
	// units: MinPrice inclusive, MaxPrice exclusive (nil: unbounded).
	MinPrice, MaxPrice *int64
	// InStock keeps products with a variant available now.
	InStock bool
	Options []OptionFilter
	// Search is a full-text query over name and description ("" for none).
	Search string
}

// Cursor is a position in a sorted listing: the sort key as the store wrote it, and the id.
type Cursor struct {
	Key string
	ID  int64
}

// ProductQuery asks for a page of a filtered, sorted listing: First products after
// After, or with Backward, the Last products before After, in the sort's order.
type ProductQuery struct {
	Filter ProductFilter
	// Sort is never empty; the API picks the default.
	Sort     ProductSort
	Limit    int
	Backward bool
	// After is where the page starts (before it, when Backward); nil for an end.
	After *Cursor
}

// ProductPage is a page of a listing in the sort's order.
type ProductPage struct {
	Products []*Product
	// Cursors holds each product's position, parallel to Products.
	Cursors []Cursor
	// More tells whether products follow the page in the direction of paging.
	More bool
	// Total counts every product matching the filter.
	Total int
}

// CategoryCount is how many products a category (with its subcategories) holds.
type CategoryCount struct {
	CategoryID int64
	Count      int
}

// OptionValueCount is how many products have a variant with an option value.
type OptionValueCount struct {
	Name, Value string
	Count       int
}

// PriceBand is a range of prices in ShopCurrency's minor units, Max exclusive (0: open).
type PriceBand struct {
	Min, Max int64
}

// PriceBands are the listing's fixed price bands: 0-25, 25-50, 50-100, 100-200, 200+.
func PriceBands() []PriceBand {
	return []PriceBand{{0, 2500}, {2500, 5000}, {5000, 10000}, {10000, 20000}, {20000, 0}}
}

// PriceBandCount is how many products have a variant priced in a band.
type PriceBandCount struct {
	PriceBand
	Count int
}

// Facets are counts for refining a filter; each dimension ignores its own filter.
type Facets struct {
	Categories []CategoryCount
	Options    []OptionValueCount
	PriceBands []PriceBandCount
}

// RatingSummary sums up a product's reviews.
type RatingSummary struct {
	Count int
	Sum   int
	// Histogram[i] counts the reviews rated i+1.
	Histogram [5]int
}

// Suggestions are quick matches for a search prefix.
type Suggestions struct {
	Products   []*Product
	Categories []*Category
}

// CategoryService reads the category tree. Methods taking many keys answer with
// one query; keys without a match are absent.
type CategoryService interface {
	CategoriesByIDs(ctx context.Context, ids []int64) (map[int64]*Category, error)
	CategoriesBySlugs(ctx context.Context, slugs []string) (map[string]*Category, error)
	// CategoryChildren returns each parent's children in display order; parent 0 means the roots.
	CategoryChildren(ctx context.Context, parentIDs []int64) (map[int64][]*Category, error)
}

// BrowseService answers storefront listings, each method with one statement.
type BrowseService interface {
	// ListProducts returns a page of a filtered, sorted listing and its total.
	ListProducts(ctx context.Context, q ProductQuery) (ProductPage, error)
	// ListCategoryProducts runs q (whose Filter.CategoryID it ignores) in each of
	// the categories, answering in their order.
	ListCategoryProducts(ctx context.Context, q ProductQuery, categoryIDs []int64) ([]ProductPage, error)
	// ProductFacets counts products by category, option value and price band.
	ProductFacets(ctx context.Context, f ProductFilter) (Facets, error)
	RatingSummaries(ctx context.Context, productIDs []int64) (map[int64]RatingSummary, error)
	SearchSuggestions(ctx context.Context, prefix string, limit int) (Suggestions, error)
}
