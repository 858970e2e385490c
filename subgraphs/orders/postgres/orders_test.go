package postgres

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/shopgraph/shopgraph/internal/apperr"
	"github.com/shopgraph/shopgraph/internal/pg/pgtest"
	"github.com/shopgraph/shopgraph/subgraphs/orders"
)

func newOrder(user int64, key string) orders.NewOrder {
	return orders.NewOrder{
		Lease:  orders.Lease{Token: "checkout-" + key, For: time.Minute},
		UserID: user, Email: "shopper@example.com", IdempotencyKey: key, Currency: "USD",
		Subtotal: 2500, Shipping: 499, Tax: 0, ShippingMethod: orders.ShippingStandard,
		ShippingAddress: orders.Address{Name: "Emma Thompson", Line1: "1 Harbour Rd", City: "Bristol", PostalCode: "BS1 4RN", Country: "GB"},
		Lines: []orders.OrderLine{
			{VariantID: 7, ProductName: "Merino Crew Sweater", VariantName: "M / Navy", SKU: "KNIT-00001-2", UnitPrice: 1000, Quantity: 2},
			{VariantID: 9, ProductName: "Wool Socks", VariantName: "One size", SKU: "SOCK-00002-1", UnitPrice: 500, Quantity: 1},
		},
	}
}

// place takes a new order through a successful checkout's steps, as checkout does.
func place(t *testing.T, s *Store, n orders.NewOrder) *orders.Order {
	t.Helper()
	ctx := t.Context()
	o, _, err := s.CreateOrder(ctx, n)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []orders.Advance{
		{Step: orders.StepCharging},
		{Step: orders.StepCommitting, ChargeID: "ch_" + n.IdempotencyKey},
		{Step: orders.StepDone, Status: orders.StatusPaid, Actor: orders.ActorSystem, TakeFromCart: true},
	} {
		if o, err = s.Advance(ctx, o.ID, n.Lease, a); err != nil {
			t.Fatalf("advance to %s: %v", a.Step, err)
		}
	}
	return o
}

func TestCreateOrderIsIdempotentByKey(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := New(pgtest.New(t, Migrations()))

	o, created, err := s.CreateOrder(ctx, newOrder(1, "key-a"))
	if err != nil || !created {
		t.Fatalf("create: %v %v", created, err)
	}
	if o.Status != orders.StatusPending || o.PaymentStatus != orders.PaymentPending || o.Total != 2999 ||
		len(o.Lines) != 2 || o.Lines[0].SKU != "KNIT-00001-2" || o.ShippingAddress.City != "Bristol" ||
		len(o.Events) != 1 || o.Events[0].Status != orders.StatusPending || o.Number != 0 || o.Step != orders.StepReserving {
		t.Errorf("order %+v", o)
	}
	again, created, err := s.CreateOrder(ctx, newOrder(1, "key-a"))
	if err != nil || created || again.ID != o.ID || again.Number != o.Number {
		t.Errorf("retry made %+v (created %v, %v)", again, created, err)
	}

	// Ten concurrent checkouts with one key place one order.
	ids := make([]string, 10)
	var createdCount sync.Map
	var wg sync.WaitGroup
	for i := range ids {
		wg.Go(func() {
			o, created, err := s.CreateOrder(ctx, newOrder(2, "key-b"))
			if err != nil {
				t.Error(err)
				return
			}
			ids[i] = o.ID
			if created {
				createdCount.Store(i, true)
			}
		})
	}
	wg.Wait()
	n := 0
	createdCount.Range(func(any, any) bool { n++; return true })
	for _, id := range ids {
		if id != ids[0] {
			t.Fatalf("one key, several orders: %v", ids)
		}
	}
	if n != 1 {
		t.Errorf("%d callers were told they created the order", n)
	}
	if _, err := s.OrderByID(ctx, "not-an-id"); apperr.Code(err) != orders.ENOTFOUND {
		t.Errorf("bad id: %v", err)
	}
}

func TestOrdersOfUserNewestFirst(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := New(pgtest.New(t, Migrations()))
	var want []string
	for i := range 5 {
		o := place(t, s, newOrder(3, fmt.Sprintf("user3-%d", i)))
		want = append([]string{o.ID}, want...)
		if o.DisplayNumber() != fmt.Sprintf("SG-%d", 100001+i) {
			t.Errorf("order %d is numbered %s", i, o.DisplayNumber())
		}
	}
	place(t, s, newOrder(4, "user4"))
	// A checkout that never got paid is no order of the user's.
	if _, _, err := s.CreateOrder(ctx, newOrder(3, "user3-unpaid")); err != nil {
		t.Fatal(err)
	}
	var got []string
	after := ""
	for {
		page, err := s.OrdersOfUser(ctx, 3, after, 2)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range page.Orders {
			if len(o.Lines) != 2 || len(o.Events) != 2 {
				t.Errorf("order %s in a page: %d lines, %d events", o.ID, len(o.Lines), len(o.Events))
			}
			got = append(got, o.ID)
			after = o.ID
		}
		if !page.More {
			break
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("pages %v, want %v", got, want)
	}
}

func TestTransitionsFollowTheStatusMachine(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := New(pgtest.New(t, Migrations()))
	pending, _, err := s.CreateOrder(ctx, newOrder(5, "key-pending"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Transition(ctx, pending.ID, orders.StatusFulfilled, orders.ActorAdmin, ""); apperr.Code(err) != orders.ENOTFOUND {
		t.Errorf("fulfilling an unpaid checkout: %v, want not found", err)
	}
	o := place(t, s, newOrder(5, "key-t"))
	steps := []struct {
		to        orders.Status
		actor     orders.Actor
		ok        bool
		pay       orders.PaymentStatus
		viaReturn bool // through Return, not Transition
	}{
		{orders.StatusPaid, orders.ActorSystem, false, orders.PaymentPaid, false},
		{orders.StatusFulfilled, orders.ActorCustomer, false, orders.PaymentPaid, false},
		{orders.StatusCancelled, orders.ActorAdmin, false, orders.PaymentPaid, false}, // only by Return
		{orders.StatusFulfilled, orders.ActorAdmin, true, orders.PaymentPaid, false},
		{orders.StatusCancelled, orders.ActorCustomer, false, orders.PaymentPaid, true},
		{orders.StatusShipped, orders.ActorAdmin, true, orders.PaymentPaid, false},
		{orders.StatusRefunded, orders.ActorAdmin, true, orders.PaymentRefunded, true},
		{orders.StatusDelivered, orders.ActorAdmin, false, orders.PaymentRefunded, false},
	}
	lease := orders.Lease{Token: "returns", For: time.Minute}
	for _, st := range steps {
		var got *orders.Order
		var err error
		if st.viaReturn {
			got, err = s.Return(ctx, o.ID, st.to, st.actor, "", lease)
			if err == nil {
				if got.Step != orders.StepReturning || got.Restock {
					t.Errorf("return of a shipped order: step %s, restock %v", got.Step, got.Restock)
				}
				if _, err := s.Transition(ctx, o.ID, orders.StatusDelivered, orders.ActorAdmin, ""); apperr.Code(err) != orders.EINVALID {
					t.Errorf("moving an order while it is being returned: %v", err)
				}
				got, err = s.Advance(ctx, o.ID, lease, orders.Advance{Step: orders.StepDone})
			}
		} else {
			got, err = s.Transition(ctx, o.ID, st.to, st.actor, "")
		}
		if st.ok != (err == nil) || (err != nil && apperr.Code(err) != orders.EINVALID) {
			t.Fatalf("%s by %s: %v", st.to, st.actor, err)
		}
		if err == nil {
			o = got
		}
		if o.PaymentStatus != st.pay {
			t.Errorf("after %s by %s: payment %s, want %s", st.to, st.actor, o.PaymentStatus, st.pay)
		}
	}
	var timeline []orders.Status
	for _, e := range o.Events {
		timeline = append(timeline, e.Status)
	}
	if fmt.Sprint(timeline) != "[PENDING PAID FULFILLED SHIPPED REFUNDED]" || o.Events[3].Actor != orders.ActorAdmin || o.Step != orders.StepDone {
		t.Errorf("timeline %v", o.Events)
	}
}
