package orders

import "fmt"

// Status is an order's fulfilment status (BRIEF.md): PENDING → PAID →
// FULFILLED → SHIPPED → DELIVERED, or CANCELLED or REFUNDED. Payment has its own
// status (PaymentStatus).
type Status string

// Order statuses.
const (
	StatusPending   Status = "PENDING"
	StatusPaid      Status = "PAID"
	StatusFulfilled Status = "FULFILLED"
	StatusShipped   Status = "SHIPPED"
	StatusDelivered Status = "DELIVERED"
	StatusCancelled Status = "CANCELLED"
	StatusRefunded  Status = "REFUNDED"
)

// PaymentStatus is where an order's payment stands.
type PaymentStatus string

// Payment statuses.
const (
	PaymentPending  PaymentStatus = "PENDING"
	PaymentPaid     PaymentStatus = "PAID"
	PaymentFailed   PaymentStatus = "FAILED"
	PaymentRefunded PaymentStatus = "REFUNDED"
)

// Actor is who moves an order: the checkout itself (System), the order's
// customer, or an admin.
type Actor string

// Actors.
const (
	ActorSystem   Actor = "SYSTEM"
	ActorCustomer Actor = "CUSTOMER"
	ActorAdmin    Actor = "ADMIN"
)

// allowed returns who may move an order from one status to another (none:
// the move does not exist). Customers may cancel only before fulfilment;
// admins move the fulfilment states and refund; the checkout pays or cancels a
// pending order.
func allowed(from, to Status) []Actor {
	switch from {
	case StatusPending:
		switch to {
		case StatusPaid:
			return []Actor{ActorSystem}
		case StatusCancelled:
			return []Actor{ActorSystem, ActorCustomer, ActorAdmin}
		}
	case StatusPaid:
		switch to {
		case StatusFulfilled, StatusRefunded:
			return []Actor{ActorAdmin}
		case StatusCancelled:
			return []Actor{ActorCustomer, ActorAdmin}
		}
	case StatusFulfilled:
		if to == StatusShipped || to == StatusRefunded {
			return []Actor{ActorAdmin}
		}
	case StatusShipped:
		if to == StatusDelivered || to == StatusRefunded {
			return []Actor{ActorAdmin}
		}
	case StatusDelivered:
		if to == StatusRefunded {
			return []Actor{ActorAdmin}
		}
	}
	return nil
}

// allStatuses lists every status.
func allStatuses() []Status {
	return []Status{StatusPending, StatusPaid, StatusFulfilled, StatusShipped, StatusDelivered, StatusCancelled, StatusRefunded}
}

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	switch s {
	case StatusPending, StatusPaid, StatusFulfilled, StatusShipped, StatusDelivered, StatusCancelled, StatusRefunded:
		return true
	}
	return false
}

// Terminal reports whether nothing follows s.
func (s Status) Terminal() bool {
	for _, to := range allStatuses() {
		if len(allowed(s, to)) > 0 {
			return false
		}
	}
	return true
}

// CheckTransition returns nil when actor may move an order from one status to
// another, else an EINVALID error that says why not (the same status is not a
// move).
func CheckTransition(from, to Status, actor Actor) error {
	if !from.Valid() || !to.Valid() {
		return Errorf(EINVALID, "unknown order status %q or %q", from, to)
	}
	actors := allowed(from, to)
	if len(actors) == 0 {
		return Errorf(EINVALID, "an order that is %s cannot become %s", from, to)
	}
	for _, a := range actors {
		if a == actor {
			return nil
		}
	}
	return Errorf(EINVALID, "%s", refusal(from, to, actor))
}

func refusal(from, to Status, actor Actor) string {
	if actor == ActorCustomer && to == StatusCancelled {
		return fmt.Sprintf("an order that is %s can no longer be cancelled by the customer", from)
	}
	return fmt.Sprintf("only %v may move an order from %s to %s", allowed(from, to), from, to)
}

// PaymentAfter is the payment status an order's move to `to` implies from
// payment p: paying pays, cancelling a paid order or refunding refunds, and
// cancelling an unpaid order fails its payment.
func PaymentAfter(p PaymentStatus, to Status) PaymentStatus {
	switch {
	case to == StatusPaid:
		return PaymentPaid
	case to == StatusRefunded, to == StatusCancelled && p == PaymentPaid:
		return PaymentRefunded
	case to == StatusCancelled && p == PaymentPending:
		return PaymentFailed
	}
	return p
}
