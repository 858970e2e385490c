// Package catalog is the catalog domain: categories, products, their variants and reviews, and
// the services the GraphQL layer reads them through. It depends on the standard
// library only.
package catalog

import (
	"context"
	"time"
)

// Product is something the shop sells.
type Product struct {
	ID          int64
	Slug        string
	Name        string
	Description string
	CreatedAt   time.Time
	// CategoryID is the product's category (0: none).
	CategoryID int64
}

// Option tells variants of a product apart, such as Size: M.
type Option struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Variant is a purchasable version of a product.
type Variant struct {
	ID        int64
	ProductID int64
	SKU       string
	Name      string
	Options   []Option
	// Price is in minor units of Currency (cents for USD), never a float.
	Price    int64
	Currency string
	// CompareAt is the price before a reduction, in minor units (nil: not reduced).
	CompareAt *int64
	// Weight is the shipping weight in grams.
	Weight int
	// StockOnHand and StockReserved are units in the warehouse and units checkouts hold.
	StockOnHand, StockReserved int
}

// Review is a shopper's review of a product.
type Review struct {
	ID        int64
	ProductID int64
	// AuthorID is the users subgraph's id of the author.
	AuthorID  int64
	Rating    int
	Title     string
	Body      string
	CreatedAt time.Time
}

// Page asks for the First items after the item with id After (0: from the start).
type Page struct {
	First int
	After int64
}

// ReviewSort orders a product's reviews; each order ends with the newest first.
type ReviewSort string

// Orders of reviews.
const (
	// ReviewsNewest is the default (the zero value means it too).
	ReviewsNewest  ReviewSort = "NEWEST"
	ReviewsHighest ReviewSort = "HIGHEST"
	ReviewsLowest  ReviewSort = "LOWEST"
)

// ReviewPageRequest asks for a page of the reviews of one product or one author:
// the First after the review with id After (0: from the start) in Sort's order,
// or, Backward, the last First before it. AfterRating is that review's rating,
// the rest of the keyset cursor for the rating sorts.
type ReviewPageRequest struct {
	OwnerID int64
	Page
	Sort        ReviewSort
	Backward    bool
	AfterRating int
}

// ReviewList is a page of reviews in the order asked for.
type ReviewList struct {
	Reviews []*Review
	// HasNext tells whether more follow the page in the direction it was read
	// (before it, for a Backward request).
	HasNext bool
	// Total counts every review of the product or author.
	Total int
}

// ProductService reads products and variants. Methods taking many keys answer
// with one query however many keys there are; keys without a match are absent.
type ProductService interface {
	ProductsByIDs(ctx context.Context, ids []int64) (map[int64]*Product, error)
	ProductsBySlugs(ctx context.Context, slugs []string) (map[string]*Product, error)
	VariantsByIDs(ctx context.Context, ids []int64) (map[int64]*Variant, error)
	// VariantsByProductIDs returns each product's variants in display order.
	VariantsByProductIDs(ctx context.Context, productIDs []int64) (map[int64][]*Variant, error)
}

// ReviewService reads reviews. The page methods answer every request with one
// query, in the order of reqs.
type ReviewService interface {
	ReviewsByIDs(ctx context.Context, ids []int64) (map[int64]*Review, error)
	ReviewsByProduct(ctx context.Context, reqs []ReviewPageRequest) ([]ReviewList, error)
	ReviewsByAuthor(ctx context.Context, reqs []ReviewPageRequest) ([]ReviewList, error)
}

// Service is everything the catalog's API reads and writes.
type Service interface {
	ProductService
	ReviewService
	CategoryService
	BrowseService
	ReviewWriter
	AdminService
}
