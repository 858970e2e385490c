package catalog

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Stock reservations hold units of variants for an order between checkout and
// payment. They are service-to-service machinery, not part of the public graph:
// the orders service reserves stock when a checkout starts, commits it when the
// order is paid, and releases it when the checkout fails. A reservation that is
// never committed expires and gives its units back.
//
// A reservation moves from ReservationReserved to exactly one of the other
// states, which are final:
//
//	reserved --Commit--> committed (a sale: on hand and reserved both go down)
//	reserved --Release--> released (the units are available again)
//	reserved --ReleaseExpired, or Commit/Reserve after expires_at--> expired (as released)
//	committed --Restock--> returned (a cancelled sale: the units are on hand again)

// Limits on one reservation request, so that a request cannot make one transaction
// lock the whole catalog or overflow a counter.
const (
	// MaxReservationLines is the most lines (distinct variants) one order may reserve.
	MaxReservationLines = 200
	// MaxLineQuantity is the most units of one variant one order may reserve.
	MaxLineQuantity = 1_000_000
	// MaxOrderIDLength is the longest order id, in bytes.
	MaxOrderIDLength = 128
	// MaxReservationTTL is the longest a reservation may be held before it expires.
	MaxReservationTTL = 24 * time.Hour
	// DefaultReservationTTL is how long a reservation is held when the caller does not say.
	DefaultReservationTTL = 15 * time.Minute
)

// ReservationStatus is where a reservation is in its life.
type ReservationStatus string

// The states of a reservation; every state but ReservationReserved and
// ReservationCommitted is final.
const (
	ReservationReserved  ReservationStatus = "reserved"
	ReservationCommitted ReservationStatus = "committed"
	ReservationReleased  ReservationStatus = "released"
	ReservationExpired   ReservationStatus = "expired"
	ReservationReturned  ReservationStatus = "returned"
)

// ReservationLine asks for, or holds, Quantity units of one variant.
type ReservationLine struct {
	VariantID int64
	Quantity  int
}

// Reservation is the stock held for one order.
type Reservation struct {
	OrderID string
	Status  ReservationStatus
	// Lines are in variant id order, one per variant.
	Lines     []ReservationLine
	ExpiresAt time.Time
	CreatedAt time.Time
	UpdatedAt time.Time
}

// StockService reserves stock for orders. Every method runs in one transaction and
// is safe to call concurrently from many processes: stock never goes below zero and
// a reservation never takes more than is on hand.
type StockService interface {
	// Reserve holds every line for orderID until ttl from now, or nothing. It is
	// idempotent by order id: asking again with the same lines returns the existing
	// reservation (whatever its state, unless released or expired); different lines
	// are a *ReservationConflictError. When stock is short it returns an
	// *InsufficientStockError listing every short line; bad input is an
	// *InvalidStockRequestError.
	Reserve(ctx context.Context, orderID string, lines []ReservationLine, ttl time.Duration) (*Reservation, error)
	// Release gives a reservation's units back. Releasing a released or expired
	// reservation returns it unchanged; a committed one is a
	// *ReservationConflictError; an unknown order ErrReservationNotFound.
	Release(ctx context.Context, orderID string) (*Reservation, error)
	// Commit turns a reservation into a sale: the units leave stock on hand.
	// Committing a committed reservation returns it unchanged; a released or
	// expired one is a *ReservationConflictError; an unknown order
	// ErrReservationNotFound.
	Commit(ctx context.Context, orderID string) (*Reservation, error)
	// Restock puts a committed reservation's units back on hand, for an order
	// cancelled or refunded before it shipped. Restocking a returned reservation
	// returns it unchanged; any other state is a *ReservationConflictError; an
	// unknown order ErrReservationNotFound.
	Restock(ctx context.Context, orderID string) (*Reservation, error)
	// ReleaseExpired releases up to limit reservations whose expiry is at or before
	// now and returns them. Replicas may run it at the same time: each expired
	// reservation is released by exactly one of them.
	ReleaseExpired(ctx context.Context, now time.Time, limit int) ([]*Reservation, error)
}

// ErrReservationNotFound is returned (wrapped) for an order that has no reservation.
var ErrReservationNotFound = errors.New("no stock reservation for this order")

// ShortLine is a line that stock cannot cover: Available units are left of the
// Requested.
type ShortLine struct {
	VariantID int64
	Requested int
	Available int
}

// InsufficientStockError says that a reservation was refused because stock is
// short on the listed lines; nothing was reserved.
type InsufficientStockError struct {
	OrderID string
	// Lines are the short lines, in variant id order.
	Lines []ShortLine
}

// Error lists the short variants.
func (e *InsufficientStockError) Error() string {
	parts := make([]string, len(e.Lines))
	for i, l := range e.Lines {
		parts[i] = fmt.Sprintf("variant %d: %d requested, %d available", l.VariantID, l.Requested, l.Available)
	}
	return fmt.Sprintf("insufficient stock for order %q: %s", e.OrderID, strings.Join(parts, "; "))
}

// ReservationConflictError says that an operation does not fit the order's
// existing reservation: different lines, or a state it cannot leave.
type ReservationConflictError struct {
	OrderID string
	// Status is the reservation's state after the call.
	Status ReservationStatus
	// Reason says what conflicts, for people.
	Reason string
}

// Error names the order, its state and the reason.
func (e *ReservationConflictError) Error() string {
	return fmt.Sprintf("stock reservation for order %q is %s: %s", e.OrderID, e.Status, e.Reason)
}

// InvalidStockRequestError says that a request was malformed; Field names the bad
// input the way the internal API spells it: orderId, lines, lines[2].quantity, ttl.
type InvalidStockRequestError struct {
	Field   string
	Message string
}

// Error names the field and what is wrong with it.
func (e *InvalidStockRequestError) Error() string {
	return e.Field + ": " + e.Message
}

// CheckOrderID reports whether id is an acceptable order id.
func CheckOrderID(id string) error {
	switch {
	case strings.TrimSpace(id) == "":
		return &InvalidStockRequestError{Field: "orderId", Message: "must not be empty"}
	case len(id) > MaxOrderIDLength:
		return &InvalidStockRequestError{Field: "orderId", Message: fmt.Sprintf("must be at most %d bytes", MaxOrderIDLength)}
	}
	return nil
}

// CheckReservation validates a Reserve call's arguments and returns the lines in
// variant id order, the order in which their rows are locked.
func CheckReservation(orderID string, lines []ReservationLine, ttl time.Duration) ([]ReservationLine, error) {
	if err := CheckOrderID(orderID); err != nil {
		return nil, err
	}
	switch {
	case len(lines) == 0:
		return nil, &InvalidStockRequestError{Field: "lines", Message: "must hold at least one line"}
	case len(lines) > MaxReservationLines:
		return nil, &InvalidStockRequestError{Field: "lines", Message: fmt.Sprintf("must hold at most %d lines", MaxReservationLines)}
	case ttl <= 0 || ttl > MaxReservationTTL:
		return nil, &InvalidStockRequestError{Field: "ttl", Message: fmt.Sprintf("must be positive and at most %s", MaxReservationTTL)}
	}
	seen := make(map[int64]bool, len(lines))
	for i, l := range lines {
		switch {
		case l.VariantID <= 0:
			return nil, &InvalidStockRequestError{Field: fmt.Sprintf("lines[%d].variantId", i), Message: "must be a variant"}
		case seen[l.VariantID]:
			return nil, &InvalidStockRequestError{Field: fmt.Sprintf("lines[%d].variantId", i), Message: "variant listed twice; send one line per variant"}
		case l.Quantity <= 0 || l.Quantity > MaxLineQuantity:
			return nil, &InvalidStockRequestError{Field: fmt.Sprintf("lines[%d].quantity", i), Message: fmt.Sprintf("must be from 1 to %d", MaxLineQuantity)}
		}
		seen[l.VariantID] = true
	}
	sorted := slices.Clone(lines)
	slices.SortFunc(sorted, func(a, b ReservationLine) int { return cmp.Compare(a.VariantID, b.VariantID) })
	return sorted, nil
}

// SameLines reports whether two line lists in variant id order hold the same units.
func SameLines(a, b []ReservationLine) bool { return slices.Equal(a, b) }
