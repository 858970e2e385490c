// Package model holds the catalog's GraphQL models: the hand-written entities here,
// the rest generated into models_gen.go.
package model

import (
	"time"

	"github.com/shopgraph/shopgraph/subgraphs/catalog"
)

// Product is a catalog product; Key is its database id, hidden from the API.
type Product struct {
	Key         int64 `json:"-"`
	ID          string
	Slug        string
	Name        string
	Description string
	CreatedAt   time.Time
	// CategoryKey is the database id of the product's category (0: none).
	CategoryKey int64 `json:"-"`
}

// Category is a node of the category tree; ParentKey is 0 for a root.
type Category struct {
	Key       int64 `json:"-"`
	ParentKey int64 `json:"-"`
	ID        string
	Slug      string
	Name      string
}

// ProductConnection is a page of a product listing; Filter is kept for the facets.
type ProductConnection struct {
	Edges      []ProductEdge
	PageInfo   PageInfo
	TotalCount int
	Filter     catalog.ProductFilter `json:"-"`
}

// ProductVariant is a purchasable variant of a product.
type ProductVariant struct {
	Key        int64 `json:"-"`
	ProductKey int64 `json:"-"`
	ID         string
	Sku        string
	Name       string
	Options    []VariantOption
	// SelectedOptions is Options under the Storefront API's name.
	SelectedOptions   []VariantOption
	Price             Money
	CompareAtPrice    *Money
	QuantityAvailable int
	StockLevel        StockLevel
	Weight            int
}

// Review is a shopper's review; AuthorKey is the users subgraph's id of the author.
type Review struct {
	Key        int64 `json:"-"`
	ProductKey int64 `json:"-"`
	AuthorKey  int64 `json:"-"`
	ID         string
	Rating     int
	Title      string
	Body       string
	CreatedAt  time.Time
}

// User is the users subgraph's entity, to which the catalog adds reviews.
type User struct {
	Key int64 `json:"-"`
	ID  string
}

// IsEntity marks Product as a federation entity.
func (Product) IsEntity() {}

// IsEntity marks ProductVariant as a federation entity.
func (ProductVariant) IsEntity() {}

// IsEntity marks Category as a federation entity.
func (Category) IsEntity() {}

// IsEntity marks Review as a federation entity.
func (Review) IsEntity() {}

// IsEntity marks User as a federation entity.
func (User) IsEntity() {}
