// Package checkout places orders: it turns a cart into a paid order through a
// saga across the catalog's stock, the payment provider and the orders
// database, and finishes or undoes every checkout that a crash or an outage
// interrupted.
//
// Each step is recorded on the order (orders.Step) before it is taken, under
// the order's lease, so whoever picks the order up next (a retry with the same
// idempotency key, or the recovery worker on any replica) knows what was done:
//
//	RESERVING   reserve the lines in the catalog (reservation id: the order id)
//	CHARGING    charge the card (the provider's idempotency key: the order id)
//	COMMITTING  commit the reservation, then mark the order PAID and take its
//	            lines out of the cart, in one transaction
//	COMPENSATING release the reservation, refund a charge, mark it CANCELLED
//
// Every remote call is idempotent by the order id, so repeating a step that
// may or may not have happened is safe. Recovery cannot charge (it has no
// card), so an order it finds in CHARGING is settled by asking the provider
// whether the key was charged: if so it goes on to commit, if not it is
// compensated — and since a charge still in flight could land after that
// answer, the order is rechecked once more later and a late charge refunded.
// So no order is placed without payment, no payment outlives its order, and no
// stock stays reserved: the catalog's own expiry bounds a reservation in any case.
package checkout

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/shopgraph/shopgraph/internal/apperr"
	"github.com/shopgraph/shopgraph/subgraphs/orders"
	"github.com/shopgraph/shopgraph/subgraphs/orders/catalogclient"
	"github.com/shopgraph/shopgraph/subgraphs/orders/payments"
)

// Stock is the catalog's stock API (*catalogclient.Client); its errors are
// catalogclient's: ErrUnavailable may pass on retry, *APIError will not.
type Stock interface {
	Reserve(ctx context.Context, orderID string, lines []catalogclient.ReserveLine, ttl time.Duration) error
	Release(ctx context.Context, orderID string) error
	Commit(ctx context.Context, orderID string) error
	Restock(ctx context.Context, orderID string) error
}

// Payments is the payment provider (*payments.Provider).
type Payments interface {
	Charge(ctx context.Context, key string, amountMinor int64, currency string, card payments.Card) (payments.Charge, error)
	Refund(ctx context.Context, chargeID string) (payments.Charge, error)
	ChargeByKey(ctx context.Context, key string) (*payments.Charge, error)
}

// Accounts reads a signed-in shopper's email and address book from the users
// service, on their behalf (with their own access token).
type Accounts interface {
	Profile(ctx context.Context, accessToken string) (*Profile, error)
}

// Profile is what checkout needs of an account.
type Profile struct {
	Email string
	// Addresses are the address book by the graph's address id.
	Addresses map[string]orders.Address
}

// Store is what checkout keeps in the orders database.
type Store interface {
	orders.OrderStore
	orders.SagaStore
	orders.CartStore
	orders.ShippingService
	orders.TaxService
}

// Config tunes a Service; zero fields take the defaults.
type Config struct {
	// Lease bounds how long one worker holds an unfinished order before
	// recovery may take it over; it must exceed the longest remote call.
	Lease time.Duration
	// ReservationTTL is how long the catalog holds a checkout's stock.
	ReservationTTL time.Duration
	// WaitForOther bounds how long a retry waits for a concurrent request
	// with the same idempotency key to finish.
	WaitForOther time.Duration
	// AbandonAfter is how long a checkout interrupted before its charge waits
	// for its shopper to retry (and finish it) before recovery gives it up.
	AbandonAfter time.Duration
	// Logger logs faults and recoveries; nil discards.
	Logger *slog.Logger
}

// Defaults of Config.
const (
	DefaultLease          = 30 * time.Second
	DefaultReservationTTL = 15 * time.Minute
	DefaultWaitForOther   = 10 * time.Second
	DefaultAbandonAfter   = time.Minute
)

// Service runs checkouts. It is safe for concurrent use, across replicas too.
type Service struct {
	store    Store
	catalog  orders.Catalog
	stock    Stock
	pay      Payments
	accounts Accounts
	cfg      Config
	log      *slog.Logger
	now      func() time.Time
}

// New returns a checkout service. accounts may be nil: then a signed-in
// shopper must give an email and an address as a guest does.
func New(store Store, catalog orders.Catalog, stock Stock, pay Payments, accounts Accounts, cfg Config) *Service {
	if cfg.Lease <= 0 {
		cfg.Lease = DefaultLease
	}
	if cfg.ReservationTTL <= 0 {
		cfg.ReservationTTL = DefaultReservationTTL
	}
	if cfg.WaitForOther <= 0 {
		cfg.WaitForOther = DefaultWaitForOther
	}
	if cfg.AbandonAfter <= 0 {
		cfg.AbandonAfter = DefaultAbandonAfter
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{store: store, catalog: catalog, stock: stock, pay: pay, accounts: accounts, cfg: cfg, log: log, now: time.Now}
}

// newLease is a lease with a token of its own.
func (s *Service) newLease() orders.Lease {
	return orders.Lease{Token: rand.Text(), For: s.cfg.Lease}
}

// unavailable is the answer when a step could not be taken now.
func unavailable(what string) *orders.Failure {
	return &orders.Failure{Code: orders.FailUnavailable,
		Message: what + " Try again in a moment with the same checkout; you will not be charged twice."}
}

// run takes o's saga from its recorded step as far as it can go under lease.
// card is nil for recovery, which cannot charge. It returns the order as it
// stands, and a failure when the shopper must be told that a step could not be
// taken now. A checkout request then drops its lease, so that a retry or
// recovery may go on at once; recovery keeps it, so that the order is tried
// again when it runs out rather than at once.
func (s *Service) run(ctx context.Context, o *orders.Order, lease orders.Lease, card *payments.Card) (*orders.Order, *orders.Failure, error) {
	for {
		next, pause, err := s.step(ctx, o, lease, card)
		switch {
		case errors.Is(err, orders.ErrLeaseLost):
			// Another worker took the order over; it finishes it.
			cur, rerr := s.store.OrderByID(ctx, o.ID)
			if rerr != nil {
				return nil, nil, rerr
			}
			return cur, nil, nil
		case err != nil:
			s.dropLease(ctx, o.ID, lease)
			return nil, nil, err
		case pause != nil:
			if card != nil {
				s.dropLease(ctx, o.ID, lease)
			}
			return o, pause, nil
		}
		o = next
		if o.Step == orders.StepDone {
			return o, nil, nil
		}
	}
}

func (s *Service) dropLease(ctx context.Context, id string, lease orders.Lease) {
	if err := s.store.DropLease(context.WithoutCancel(ctx), id, lease.Token); err != nil {
		s.log.WarnContext(ctx, "could not drop the lease of an order", "order_id", id, "err", err)
	}
}

// step takes o's recorded step and records the next one.
func (s *Service) step(ctx context.Context, o *orders.Order, lease orders.Lease, card *payments.Card) (*orders.Order, *orders.Failure, error) {
	switch o.Step {
	case orders.StepReserving:
		return s.reserve(ctx, o, lease)
	case orders.StepCharging:
		return s.charge(ctx, o, lease, card)
	case orders.StepCommitting:
		return s.commit(ctx, o, lease)
	case orders.StepCompensating:
		return s.compensate(ctx, o, lease)
	case orders.StepReturning:
		return s.finishReturn(ctx, o, lease)
	}
	return nil, nil, fmt.Errorf("order %s: no step after %s", o.ID, o.Step)
}

func (s *Service) reserve(ctx context.Context, o *orders.Order, lease orders.Lease) (*orders.Order, *orders.Failure, error) {
	lines := make([]catalogclient.ReserveLine, len(o.Lines))
	for i, l := range o.Lines {
		lines[i] = catalogclient.ReserveLine{VariantID: l.VariantID, Quantity: l.Quantity}
	}
	err := s.stock.Reserve(ctx, o.ID, lines, s.cfg.ReservationTTL)
	var short *catalogclient.InsufficientStockError
	var api *catalogclient.APIError
	switch {
	case err == nil:
		next, err := s.store.Advance(ctx, o.ID, lease, orders.Advance{Step: orders.StepCharging})
		return next, nil, err
	case errors.As(err, &short):
		f := &orders.Failure{Code: orders.FailOutOfStock, Message: "Some items are no longer in stock in the quantities in your cart."}
		for _, l := range short.Lines {
			f.Lines = append(f.Lines, orders.FailureLine{VariantID: l.VariantID, Requested: l.Requested, Available: l.Available})
		}
		return s.fail(ctx, o, lease, f, time.Time{})
	case errors.Is(err, catalogclient.ErrUnavailable):
		s.log.WarnContext(ctx, "checkout paused: cannot reserve stock", "order_id", o.ID, "err", err)
		return nil, unavailable("Stock could not be reserved just now."), nil
	case errors.As(err, &api) && api.Code == catalogclient.CodeConflict:
		// Released or expired before we got here (recovery, or a long outage).
		return s.fail(ctx, o, lease, expired(), time.Time{})
	}
	return nil, nil, fmt.Errorf("reserve stock for order %s: %w", o.ID, err)
}

func expired() *orders.Failure {
	return &orders.Failure{Code: orders.FailReservationExpired,
		Message: "Your checkout took too long and its items were released. Please check out again."}
}

func (s *Service) charge(ctx context.Context, o *orders.Order, lease orders.Lease, card *payments.Card) (*orders.Order, *orders.Failure, error) {
	var ch payments.Charge
	if card == nil {
		// Recovery: the checkout that started this charge is gone; the
		// provider knows whether it charged.
		got, err := s.pay.ChargeByKey(ctx, o.ID)
		if err != nil {
			return nil, unavailable("The payment could not be confirmed just now."), nil
		}
		if got == nil {
			// Not charged yet; a charge still in flight could land later, so
			// look once more after the lease has run out twice.
			return s.fail(ctx, o, lease, &orders.Failure{Code: orders.FailAbandoned,
				Message: "The checkout was interrupted before payment; you were not charged. Please check out again."},
				s.now().Add(2*s.cfg.Lease))
		}
		ch = *got
	} else {
		got, err := s.pay.Charge(ctx, o.ID, o.Total, o.Currency, *card)
		var input *apperr.InputError
		switch {
		case errors.As(err, &input):
			return s.fail(ctx, o, lease, cardFailure(input), time.Time{})
		case err != nil:
			s.log.WarnContext(ctx, "checkout paused: charge failed", "order_id", o.ID, "err", err)
			return nil, unavailable("The payment could not be taken just now."), nil
		}
		ch = got
	}
	switch ch.Outcome {
	case payments.OutcomeSucceeded:
		next, err := s.store.Advance(ctx, o.ID, lease, orders.Advance{Step: orders.StepCommitting, ChargeID: ch.ID})
		if errors.Is(err, orders.ErrLeaseLost) {
			// Recovery gave the order up while this charge was in flight.
			s.refundLate(ctx, o.ID, ch.ID)
		}
		return next, nil, err
	case payments.OutcomeInsufficientFunds:
		return s.fail(ctx, o, lease, &orders.Failure{Code: orders.FailInsufficientFunds,
			Message: "The card was declined for insufficient funds. Try another card.", Field: []string{"payment"}}, time.Time{})
	}
	return s.fail(ctx, o, lease, &orders.Failure{Code: orders.FailPaymentDeclined,
		Message: "The card was declined. Try another card.", Field: []string{"payment"}}, time.Time{})
}

// refundLate refunds a charge that landed after its order was given up; should
// it fail, the order's payment recheck refunds it.
func (s *Service) refundLate(ctx context.Context, orderID, chargeID string) {
	if _, err := s.pay.Refund(context.WithoutCancel(ctx), chargeID); err != nil {
		s.log.WarnContext(ctx, "could not refund a late charge; the payment recheck will", "order_id", orderID, "err", err)
	}
}

// cardFailure turns the provider's card errors into the checkout's.
func cardFailure(input *apperr.InputError) *orders.Failure {
	f := &orders.Failure{Code: orders.FailInvalidCard, Message: "Check the card details."}
	if len(input.Errors) > 0 {
		f.Message = input.Errors[0].Message
		f.Field = append([]string{"payment"}, input.Errors[0].Field...)
	}
	return f
}

func (s *Service) commit(ctx context.Context, o *orders.Order, lease orders.Lease) (*orders.Order, *orders.Failure, error) {
	err := s.stock.Commit(ctx, o.ID)
	var api *catalogclient.APIError
	switch {
	case err == nil:
		next, err := s.store.Advance(ctx, o.ID, lease, orders.Advance{Step: orders.StepDone,
			Status: orders.StatusPaid, Actor: orders.ActorSystem, TakeFromCart: true})
		return next, nil, err
	case errors.Is(err, catalogclient.ErrUnavailable):
		// Paid but not yet confirmed: the order stands, and recovery commits it.
		s.log.WarnContext(ctx, "checkout paused: cannot commit stock", "order_id", o.ID, "err", err)
		return nil, unavailable("The order is paid and waits for its stock to be confirmed."), nil
	case errors.As(err, &api) && (api.Code == catalogclient.CodeConflict || api.Code == catalogclient.CodeNotFound):
		return s.fail(ctx, o, lease, expired(), time.Time{})
	}
	return nil, nil, fmt.Errorf("commit stock of order %s: %w", o.ID, err)
}

// fail records why the checkout failed and turns it to compensation.
func (s *Service) fail(ctx context.Context, o *orders.Order, lease orders.Lease, f *orders.Failure, recheckAt time.Time) (*orders.Order, *orders.Failure, error) {
	next, err := s.store.Advance(ctx, o.ID, lease, orders.Advance{Step: orders.StepCompensating, Failure: f, RecheckPaymentAt: recheckAt})
	return next, nil, err
}

func (s *Service) compensate(ctx context.Context, o *orders.Order, lease orders.Lease) (*orders.Order, *orders.Failure, error) {
	err := s.stock.Release(ctx, o.ID)
	var api *catalogclient.APIError
	switch {
	case err == nil, errors.As(err, &api) && api.Code == catalogclient.CodeNotFound:
		// Released, or never reserved.
	case errors.As(err, &api) && api.Code == catalogclient.CodeConflict && api.ReservationStatus == "COMMITTED":
		if err := s.stock.Restock(ctx, o.ID); err != nil && !errors.As(err, &api) {
			return nil, unavailable("The order could not be undone just now."), nil
		}
	case errors.As(err, &api) && api.Code == catalogclient.CodeConflict:
		// Expired or returned: nothing is held.
	case errors.Is(err, catalogclient.ErrUnavailable):
		return nil, unavailable("The checkout failed and is being undone."), nil
	default:
		return nil, nil, fmt.Errorf("release stock of order %s: %w", o.ID, err)
	}
	if o.ChargeID != "" {
		if _, err := s.pay.Refund(ctx, o.ChargeID); err != nil {
			s.log.WarnContext(ctx, "compensation paused: refund failed", "order_id", o.ID, "err", err)
			return nil, unavailable("The checkout failed and its payment is being refunded."), nil
		}
	}
	next, err := s.store.Advance(ctx, o.ID, lease, orders.Advance{Step: orders.StepDone,
		Status: orders.StatusCancelled, Actor: orders.ActorSystem, Note: failureNote(o.Failure)})
	return next, nil, err
}

func failureNote(f *orders.Failure) string {
	if f == nil {
		return "checkout failed"
	}
	return "checkout failed: " + f.Code
}

func (s *Service) finishReturn(ctx context.Context, o *orders.Order, lease orders.Lease) (*orders.Order, *orders.Failure, error) {
	if o.ChargeID != "" {
		if _, err := s.pay.Refund(ctx, o.ChargeID); err != nil {
			s.log.WarnContext(ctx, "return paused: refund failed", "order_id", o.ID, "err", err)
			return nil, unavailable("The refund could not be made just now; it will be."), nil
		}
	}
	if o.Restock {
		err := s.stock.Restock(ctx, o.ID)
		var api *catalogclient.APIError
		switch {
		case errors.Is(err, catalogclient.ErrUnavailable):
			return nil, unavailable("The stock could not be returned just now; it will be."), nil
		case errors.As(err, &api):
			// Nothing committed to return: log it, the refund is what matters.
			s.log.WarnContext(ctx, "restock refused", "order_id", o.ID, "err", err)
		case err != nil:
			return nil, nil, fmt.Errorf("restock order %s: %w", o.ID, err)
		}
	}
	next, err := s.store.Advance(ctx, o.ID, lease, orders.Advance{Step: orders.StepDone})
	return next, nil, err
}
