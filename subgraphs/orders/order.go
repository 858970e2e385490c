package orders

import (
	"context"
	"fmt"
	"time"
)

// Order is a placed order.
type Order struct {
	ID             string
	Number         int64
	UserID         int64 // 0 for a guest's order
	Email          string
	CartID         string
	IdempotencyKey string
	Status         Status
	PaymentStatus  PaymentStatus
	Currency       string
	Subtotal       int64
	Shipping       int64
	Tax            int64
	Total          int64
	ShippingMethod string
	// ShippingAddress is the address as given at checkout.
	ShippingAddress Address
	Lines           []OrderLine
	Events          []OrderEvent
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// DisplayNumber is the number people see: SG-100001.
func (o *Order) DisplayNumber() string { return fmt.Sprintf("SG-%d", o.Number) }

// Address is where an order goes.
type Address struct {
	Name       string `json:"name"`
	Line1      string `json:"line1"`
	Line2      string `json:"line2,omitempty"`
	City       string `json:"city"`
	Region     string `json:"region,omitempty"`
	PostalCode string `json:"postalCode"`
	Country    string `json:"country"`
	Phone      string `json:"phone,omitempty"`
}

// OrderLine is what was bought, as it was then.
type OrderLine struct {
	VariantID   int64
	ProductName string
	VariantName string
	SKU         string
	UnitPrice   int64
	Quantity    int
}

// OrderEvent is a status change on the order's timeline.
type OrderEvent struct {
	Status    Status
	Actor     Actor
	Note      string
	CreatedAt time.Time
}

// NewOrder is an order a checkout is about to place.
type NewOrder struct {
	UserID          int64
	Email           string
	CartID          string
	IdempotencyKey  string
	Currency        string
	Subtotal        int64
	Shipping        int64
	Tax             int64
	ShippingMethod  string
	ShippingAddress Address
	Lines           []OrderLine
}

// OrderPage is a page of a user's orders, newest first.
type OrderPage struct {
	Orders []*Order
	// More: there are older orders after the page.
	More bool
}

// OrderStore keeps orders. Every method is one transaction.
type OrderStore interface {
	// CreateOrder places a PENDING order, or, when an order with the same
	// idempotency key exists, returns that one and created false.
	CreateOrder(ctx context.Context, o NewOrder) (order *Order, created bool, err error)
	// OrderByID returns an order with its lines and timeline; ENOTFOUND when none.
	OrderByID(ctx context.Context, id string) (*Order, error)
	// OrdersOfUser returns up to limit of the user's orders, newest first,
	// after the order with id after ("" for the first page).
	OrdersOfUser(ctx context.Context, userID int64, after string, limit int) (OrderPage, error)
	// Transition moves an order to status `to` as actor, checked by
	// CheckTransition against its status under a row lock, recording the
	// event and the payment status the move implies; EINVALID when the move is
	// not allowed.
	Transition(ctx context.Context, id string, to Status, actor Actor, note string) (*Order, error)
}
