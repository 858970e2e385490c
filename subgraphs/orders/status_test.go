package orders

import (
	"strings"
	"testing"
)

func TestCheckTransition(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		from, to Status
		actor    Actor
		ok       bool
		why      string
	}{
		{StatusPending, StatusPaid, ActorSystem, true, ""},
		{StatusPending, StatusPaid, ActorCustomer, false, "only"},
		{StatusPending, StatusCancelled, ActorCustomer, true, ""},
		{StatusPaid, StatusCancelled, ActorCustomer, true, ""},
		{StatusPaid, StatusFulfilled, ActorAdmin, true, ""},
		{StatusPaid, StatusFulfilled, ActorCustomer, false, "only"},
		{StatusFulfilled, StatusCancelled, ActorCustomer, false, "cannot become"},
		{StatusFulfilled, StatusShipped, ActorAdmin, true, ""},
		{StatusShipped, StatusDelivered, ActorAdmin, true, ""},
		{StatusShipped, StatusPaid, ActorAdmin, false, "cannot become"},
		{StatusDelivered, StatusRefunded, ActorAdmin, true, ""},
		{StatusDelivered, StatusRefunded, ActorCustomer, false, "only"},
		{StatusCancelled, StatusPaid, ActorSystem, false, "cannot become"},
		{StatusRefunded, StatusCancelled, ActorAdmin, false, "cannot become"},
		{StatusPaid, StatusPaid, ActorSystem, false, "cannot become"},
		{"LOST", StatusPaid, ActorSystem, false, "unknown"},
	} {
		err := CheckTransition(c.from, c.to, c.actor)
		if (err == nil) != c.ok || (err != nil && !strings.Contains(err.Error(), c.why)) {
			t.Errorf("%s -> %s by %s: %v", c.from, c.to, c.actor, err)
		}
	}
	for _, s := range []Status{StatusCancelled, StatusRefunded} {
		if !s.Terminal() {
			t.Errorf("%s is not terminal", s)
		}
	}
	if StatusPaid.Terminal() || StatusDelivered.Terminal() {
		t.Error("a status with moves left is terminal")
	}
}

func TestPaymentAfter(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		p    PaymentStatus
		to   Status
		want PaymentStatus
	}{
		{PaymentPending, StatusPaid, PaymentPaid},
		{PaymentPending, StatusCancelled, PaymentFailed},
		{PaymentPaid, StatusCancelled, PaymentRefunded},
		{PaymentPaid, StatusFulfilled, PaymentPaid},
		{PaymentPaid, StatusRefunded, PaymentRefunded},
	} {
		if got := PaymentAfter(c.p, c.to); got != c.want {
			t.Errorf("PaymentAfter(%s, %s) = %s, want %s", c.p, c.to, got, c.want)
		}
	}
}
