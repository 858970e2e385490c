// Package model holds the orders subgraph's GraphQL models: the hand-written entities
// here, the rest generated into models_gen.go.
package model

// ProductVariant is the catalog's variant; Weight (grams) arrives in the
// representation because shippingEstimate requires it.
type ProductVariant struct {
	Key    int64 `json:"-"`
	ID     string
	Weight int
}

// IsEntity marks ProductVariant as a federation entity.
func (ProductVariant) IsEntity() {}
