package orders

import (
	"context"
	"errors"
	"time"
)

// Step is where an order's saga stands: the next thing to do for it, recorded
// before it is done (migration 006). Checkout walks RESERVING → CHARGING →
// COMMITTING → DONE, or turns to COMPENSATING on a failure; a placed order
// that is cancelled or refunded goes through RETURNING.
type Step string

// Saga steps.
const (
	// StepReserving: reserve the order's stock in the catalog.
	StepReserving Step = "RESERVING"
	// StepCharging: charge the card, with the order id as idempotency key.
	StepCharging Step = "CHARGING"
	// StepCommitting: the charge succeeded; commit the reservation.
	StepCommitting Step = "COMMITTING"
	// StepCompensating: the checkout failed; release the stock, refund any charge.
	StepCompensating Step = "COMPENSATING"
	// StepReturning: a placed order was cancelled or refunded; refund the charge
	// and, when Order.Restock, put its units back.
	StepReturning Step = "RETURNING"
	// StepDone: nothing is left to do.
	StepDone Step = "DONE"
)

// Failure is why a checkout did not place its order, as the shopper is told:
// kept on the order, so that a retry with the same idempotency key gets the
// same answer.
type Failure struct {
	Code    string   `json:"code"`
	Message string   `json:"message"`
	Field   []string `json:"field,omitempty"`
	// Lines are the cart lines at fault (stock short, price changed).
	Lines []FailureLine `json:"lines,omitempty"`
}

// Error lets a Failure travel as an error inside the checkout.
func (f *Failure) Error() string { return f.Code + ": " + f.Message }

// FailureLine is one line a checkout failed on.
type FailureLine struct {
	VariantID int64 `json:"variantId"`
	Requested int   `json:"requested"`
	// Available is what the catalog has left (stock failures).
	Available int `json:"available"`
}

// Checkout failure codes.
const (
	FailCartNotFound        = "CART_NOT_FOUND"
	FailEmptyCart           = "EMPTY_CART"
	FailOutOfStock          = "OUT_OF_STOCK"
	FailPriceChanged        = "PRICE_CHANGED"
	FailInvalidAddress      = "INVALID_ADDRESS"
	FailAddressNotFound     = "ADDRESS_NOT_FOUND"
	FailInvalidEmail        = "INVALID_EMAIL"
	FailInvalidCard         = "INVALID_CARD"
	FailInvalidKey          = "INVALID_IDEMPOTENCY_KEY"
	FailKeyReused           = "IDEMPOTENCY_KEY_REUSED"
	FailPaymentDeclined     = "PAYMENT_DECLINED"
	FailInsufficientFunds   = "INSUFFICIENT_FUNDS"
	FailReservationExpired  = "RESERVATION_EXPIRED"
	FailAbandoned           = "CHECKOUT_ABANDONED"
	FailUnavailable         = "SERVICE_UNAVAILABLE"
	FailCheckoutInProgress  = "CHECKOUT_IN_PROGRESS"
	FailCurrencyUnsupported = "CURRENCY_UNSUPPORTED"
)

// Placed reports whether the order was ever paid. Only placed orders are
// orders to their customer; the others are checkouts that failed, kept as the
// saga's record.
func (o *Order) Placed() bool {
	return o.PaymentStatus == PaymentPaid || o.PaymentStatus == PaymentRefunded
}

// Lease is who works on an unfinished order, and for how long at most.
type Lease struct {
	Token string
	For   time.Duration
}

// Advance is one step of an order's saga, written under its lease in one
// transaction.
type Advance struct {
	// Step is the step to record next.
	Step Step
	// ChargeID, when set, records the successful charge, marks the payment
	// PAID and numbers the order.
	ChargeID string
	// Status, when set, moves the order (checked by CheckTransition as Actor),
	// with Note on its timeline.
	Status Status
	Actor  Actor
	Note   string
	// Failure, when set, records why the checkout failed.
	Failure *Failure
	// RecheckPaymentAt, when set, asks recovery to look for a late charge then.
	RecheckPaymentAt time.Time
	// TakeFromCart removes the ordered quantities from the order's cart.
	TakeFromCart bool
}

// ErrLeaseLost says that another worker holds the order's lease: the step was
// not written, and the caller must stop working on the order.
var ErrLeaseLost = errors.New("the order's lease is held by another worker")

// SagaStore keeps the saga's record. Every method is one transaction.
type SagaStore interface {
	// OrderByKey returns the order of a checkout's idempotency key; ENOTFOUND when none.
	OrderByKey(ctx context.Context, key string) (*Order, error)
	// TakeLease gives lease the order when it is unfinished and its lease is
	// free or already lease's; ok is false (and the order returned as it is)
	// otherwise.
	TakeLease(ctx context.Context, id string, lease Lease) (o *Order, ok bool, err error)
	// Advance writes a step under lease, which it extends; ErrLeaseLost when
	// another holds the order.
	Advance(ctx context.Context, id string, lease Lease, a Advance) (*Order, error)
	// DropLease ends lease's hold on the order now, so that a retry or
	// recovery may go on at once.
	DropLease(ctx context.Context, id, token string) error
	// ClaimStale takes for lease up to limit unfinished orders whose lease has
	// expired, skipping those another transaction is claiming and checkouts
	// not yet charged (steps RESERVING and CHARGING) whose last step was
	// recorded after youngSince: their shopper may still retry and finish them.
	ClaimStale(ctx context.Context, lease Lease, limit int, youngSince time.Time) ([]*Order, error)
	// ClaimPaymentRechecks takes up to limit orders whose payment recheck is
	// due, postponing each by lease.For so that one worker rechecks it.
	ClaimPaymentRechecks(ctx context.Context, lease Lease, limit int) ([]*Order, error)
	// PaymentRechecked clears the order's recheck.
	PaymentRechecked(ctx context.Context, id string) error
	// Return moves a placed, finished order to CANCELLED or REFUNDED as
	// actor (checked by CheckTransition) and records step RETURNING under lease:
	// its charge is to be refunded and, when it had not left the warehouse
	// (it was PAID), its units put back.
	Return(ctx context.Context, id string, to Status, actor Actor, note string, lease Lease) (*Order, error)
}
