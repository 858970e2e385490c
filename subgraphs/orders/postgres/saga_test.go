package postgres

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/shopgraph/shopgraph/internal/pg/pgtest"
	"github.com/shopgraph/shopgraph/subgraphs/orders"
)

func TestLeasesKeepOneWorkerPerOrder(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := New(pgtest.New(t, Migrations()))
	n := newOrder(1, "lease")
	o, _, err := s.CreateOrder(ctx, n)
	if err != nil {
		t.Fatal(err)
	}
	other := orders.Lease{Token: "other", For: time.Minute}
	if _, ok, err := s.TakeLease(ctx, o.ID, other); err != nil || ok {
		t.Fatalf("took a held lease: %v %v", ok, err)
	}
	if _, err := s.Advance(ctx, o.ID, other, orders.Advance{Step: orders.StepCharging}); !errors.Is(err, orders.ErrLeaseLost) {
		t.Fatalf("advance without the lease: %v", err)
	}
	if _, ok, err := s.TakeLease(ctx, o.ID, n.Lease); err != nil || !ok {
		t.Fatalf("the holder could not renew its lease: %v %v", ok, err)
	}
	if err := s.DropLease(ctx, o.ID, n.Lease.Token); err != nil {
		t.Fatal(err)
	}
	got, ok, err := s.TakeLease(ctx, o.ID, other)
	if err != nil || !ok || got.Step != orders.StepReserving {
		t.Fatalf("take a dropped lease: %+v %v %v", got, ok, err)
	}
	if _, err := s.Advance(ctx, o.ID, n.Lease, orders.Advance{Step: orders.StepCharging}); !errors.Is(err, orders.ErrLeaseLost) {
		t.Fatalf("the old holder advanced: %v", err)
	}
	f := &orders.Failure{Code: orders.FailOutOfStock, Message: "short", Lines: []orders.FailureLine{{VariantID: 7, Requested: 2, Available: 1}}}
	if got, err = s.Advance(ctx, o.ID, other, orders.Advance{Step: orders.StepCompensating, Failure: f}); err != nil {
		t.Fatal(err)
	}
	if got, err = s.Advance(ctx, o.ID, other, orders.Advance{Step: orders.StepDone, Status: orders.StatusCancelled, Actor: orders.ActorSystem}); err != nil {
		t.Fatal(err)
	}
	if got.Status != orders.StatusCancelled || got.PaymentStatus != orders.PaymentFailed || got.Number != 0 ||
		got.Failure == nil || got.Failure.Lines[0] != f.Lines[0] || got.Placed() {
		t.Errorf("a failed checkout: %+v", got)
	}
	if _, ok, _ := s.TakeLease(ctx, o.ID, other); ok {
		t.Error("a finished order was leased")
	}
	if _, err := s.Advance(ctx, o.ID, other, orders.Advance{Step: orders.StepDone}); !errors.Is(err, orders.ErrLeaseLost) {
		t.Errorf("advanced a finished order: %v", err)
	}
	if byKey, err := s.OrderByKey(ctx, "lease"); err != nil || byKey.ID != o.ID {
		t.Errorf("by key: %v %v", byKey, err)
	}
}

func TestClaimStaleTakesEachOrderOnce(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := New(pgtest.New(t, Migrations()))
	const total = 30
	for i := range total {
		n := newOrder(1, "stale-"+string(rune('a'+i)))
		n.Lease.For = time.Microsecond // runs out at once, as a crashed worker's
		if _, _, err := s.CreateOrder(ctx, n); err != nil {
			t.Fatal(err)
		}
	}
	fresh := newOrder(1, "fresh")
	if _, _, err := s.CreateOrder(ctx, fresh); err != nil {
		t.Fatal(err)
	}
	time.Sleep(5 * time.Millisecond)
	if young, err := s.ClaimStale(ctx, orders.Lease{Token: "early", For: time.Minute}, 100, time.Now().Add(-time.Hour)); err != nil || len(young) != 0 {
		t.Fatalf("claimed %d checkouts their shoppers may still finish (%v)", len(young), err)
	}
	var mu sync.Mutex
	claimed := map[string]int{}
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for {
				got, err := s.ClaimStale(ctx, orders.Lease{Token: "worker-" + string(rune('0'+w)), For: time.Minute}, 4, time.Now())
				if err != nil {
					t.Error(err)
					return
				}
				if len(got) == 0 {
					return
				}
				mu.Lock()
				for _, o := range got {
					claimed[o.IdempotencyKey]++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(claimed) != total {
		t.Errorf("%d orders claimed, want %d", len(claimed), total)
	}
	for key, n := range claimed {
		if n != 1 || key == "fresh" {
			t.Errorf("order %s claimed %d times", key, n)
		}
	}
}

func TestPlacingAnOrderTakesItsLinesFromTheCart(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := New(pgtest.New(t, Migrations()))
	c, err := s.CreateCart(ctx, 9)
	if err != nil {
		t.Fatal(err)
	}
	if c, err = s.AddLines(ctx, c.ID, []orders.LineChange{line(7, 3), line(9, 1), line(11, 1)}); err != nil {
		t.Fatal(err)
	}
	n := newOrder(9, "cart") // 2 of variant 7, 1 of variant 9
	n.CartID = c.ID
	o := place(t, s, n)
	if o.Status != orders.StatusPaid || o.PaymentStatus != orders.PaymentPaid || o.ChargeID != "ch_cart" || o.Number == 0 {
		t.Errorf("placed order %+v", o)
	}
	c, err = s.CartByID(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got := quantities(c); len(got) != 2 || got[7] != 1 || got[11] != 1 {
		t.Errorf("cart after the order: %v, want the unbought unit of 7 and the line of 11", got)
	}
}

func TestReturnsAndPaymentRechecks(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := New(pgtest.New(t, Migrations()))
	o := place(t, s, newOrder(2, "paid"))
	lease := orders.Lease{Token: "cancel", For: time.Minute}
	got, err := s.Return(ctx, o.ID, orders.StatusCancelled, orders.ActorCustomer, "changed my mind", lease)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != orders.StatusCancelled || got.PaymentStatus != orders.PaymentRefunded || got.Step != orders.StepReturning || !got.Restock {
		t.Errorf("cancelled order %+v", got)
	}
	if _, err := s.Return(ctx, o.ID, orders.StatusRefunded, orders.ActorAdmin, "", lease); err == nil {
		t.Error("returned an order twice")
	}

	n := newOrder(2, "given-up")
	a, _, err := s.CreateOrder(ctx, n)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Advance(ctx, a.ID, n.Lease, orders.Advance{Step: orders.StepCompensating, RecheckPaymentAt: time.Now().Add(-time.Second)}); err != nil {
		t.Fatal(err)
	}
	due, err := s.ClaimPaymentRechecks(ctx, orders.Lease{Token: "r", For: time.Minute}, 10)
	if err != nil || len(due) != 1 || due[0].ID != a.ID {
		t.Fatalf("due rechecks %v, %v", due, err)
	}
	if again, _ := s.ClaimPaymentRechecks(ctx, orders.Lease{Token: "r2", For: time.Minute}, 10); len(again) != 0 {
		t.Errorf("a claimed recheck was claimed again: %v", again)
	}
	if err := s.PaymentRechecked(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
}
