// Package model holds the orders subgraph's GraphQL models: the hand-written entities
// here, the rest generated into models_gen.go.
package model

import (
	"sync"
	"time"

	"github.com/shopgraph/shopgraph/subgraphs/orders"
)

// ProductVariant is the catalog's variant; Weight (grams) arrives in the
// representation because shippingEstimate requires it.
type ProductVariant struct {
	Key    int64 `json:"-"`
	ID     string
	Weight int
}

// IsEntity marks ProductVariant as a federation entity.
func (ProductVariant) IsEntity() {}

// Cart is a cart as the store read it; the fields that need the catalog's
// prices (lines, totals, cost) are resolvers, which price it once per request
// through Pricing.
type Cart struct {
	ID        string
	CreatedAt time.Time
	UpdatedAt time.Time
	// Stored is the cart as the orders database holds it.
	Stored *orders.Cart `json:"-"`
	// Pricing holds the cart's prices once a field asked for them.
	Pricing *CartPricing `json:"-"`
}

// IsEntity marks Cart as a federation entity.
func (Cart) IsEntity() {}

// CartPricing prices a cart once however many of its fields ask.
type CartPricing struct {
	once   sync.Once
	priced orders.PricedCart
	err    error
}

// Priced returns the cart priced by price, which runs once.
func (p *CartPricing) Priced(price func() (orders.PricedCart, error)) (orders.PricedCart, error) {
	p.once.Do(func() { p.priced, p.err = price() })
	return p.priced, p.err
}

// User is an account of the users subgraph, to which orders adds its cart.
type User struct {
	Key int64 `json:"-"`
	ID  string
}

// IsEntity marks User as a federation entity.
func (User) IsEntity() {}

// Order is a placed order, converted whole from the store's (graph/orders.go);
// Key and UserKey are its database ids.
type Order struct {
	Key             string `json:"-"`
	UserKey         int64  `json:"-"`
	ID              string
	Number          string
	Status          OrderStatus
	PaymentStatus   PaymentStatus
	Email           string
	Lines           []OrderLine
	Subtotal        Money
	Shipping        Money
	Tax             Money
	Total           Money
	ShippingMethod  ShippingMethod
	ShippingAddress OrderAddress
	Timeline        []OrderEvent
	CreatedAt       time.Time
}

// IsEntity marks Order as a federation entity.
func (Order) IsEntity() {}
