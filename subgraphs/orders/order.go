package orders

import (
	"context"
	"fmt"
	"time"

	"github.com/shopgraph/shopgraph/internal/apperr"
	"github.com/shopgraph/shopgraph/internal/contact"
)

// Order is a placed order.
type Order struct {
	ID string
	// Number is 0 until the order is placed (paid).
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

	// The saga's record (SagaStore).
	Step Step
	// ChargeID is the payment provider's id of the successful charge.
	ChargeID string
	// Failure is why the checkout failed, if it did.
	Failure *Failure
	// Restock: returning the order puts its units back on hand.
	Restock bool
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
	// Lease is the checkout's hold on the new order.
	Lease Lease
}

// OrderPage is a page of a user's orders, newest first.
type OrderPage struct {
	Orders []*Order
	// More: there are older orders after the page.
	More bool
}

// OrderStore keeps orders. Every method is one transaction.
type OrderStore interface {
	// CreateOrder records a PENDING order in step RESERVING, held by o.Lease,
	// or, when an order with the same idempotency key exists, returns that one
	// and created false.
	CreateOrder(ctx context.Context, o NewOrder) (order *Order, created bool, err error)
	// OrderByID returns an order with its lines and timeline; ENOTFOUND when none.
	OrderByID(ctx context.Context, id string) (*Order, error)
	// OrdersOfUser returns up to limit of the user's placed orders, newest
	// first, after the order with id after ("" for the first page).
	OrdersOfUser(ctx context.Context, userID int64, after string, limit int) (OrderPage, error)
	// Transition moves a placed, finished order along fulfilment (FULFILLED,
	// SHIPPED, DELIVERED) as actor, checked by CheckTransition against its
	// status under a row lock, recording the event; EINVALID when the move is
	// not allowed. Cancelling and refunding go through SagaStore.Return.
	Transition(ctx context.Context, id string, to Status, actor Actor, note string) (*Order, error)
}

// StatusFeed tells of order status changes, made by whichever orders process.
type StatusFeed interface {
	// StatusChanges signals on the channel after each committed status change
	// of the order (by its id, without the API's prefix) until ctx ends;
	// signals that come faster than they are read merge into one.
	StatusChanges(ctx context.Context, orderID string) (<-chan struct{}, error)
}

// CheckAddress validates and normalises an address given at checkout; field
// paths start with prefix.
func CheckAddress(a Address, prefix ...string) (Address, []apperr.FieldError) {
	var errs []apperr.FieldError
	path := func(f string) []string { return append(append([]string{}, prefix...), f) }
	text := func(p *string, f, what string, required bool, max int) {
		v, fe := contact.CheckText(*p, path(f), required, max, what)
		if fe != nil {
			errs = append(errs, *fe)
		}
		*p = v
	}
	text(&a.Name, "name", "the recipient's name", true, contact.MaxAddressText)
	text(&a.Line1, "line1", "the street address", true, contact.MaxAddressText)
	text(&a.Line2, "line2", "the second address line", false, contact.MaxAddressText)
	text(&a.City, "city", "the city", true, contact.MaxAddressText)
	text(&a.Region, "region", "the region", false, contact.MaxAddressText)
	text(&a.PostalCode, "postalCode", "the postal code", true, contact.MaxPostalCode)
	text(&a.Phone, "phone", "the phone number", false, contact.MaxPhone)
	for _, fe := range []*apperr.FieldError{contact.CheckPostalCode(a.PostalCode, path("postalCode")), contact.CheckPhone(a.Phone, path("phone"))} {
		if fe != nil {
			errs = append(errs, *fe)
		}
	}
	country, fe := contact.NormalizeCountry(a.Country, path("country"))
	if fe != nil {
		errs = append(errs, *fe)
	}
	a.Country = country
	return a, errs
}
