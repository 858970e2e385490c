package checkout

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/shopgraph/shopgraph/internal/apperr"
	"github.com/shopgraph/shopgraph/internal/contact"
	"github.com/shopgraph/shopgraph/subgraphs/orders"
	"github.com/shopgraph/shopgraph/subgraphs/orders/payments"
)

// Shopper is who checks out: a guest (UserID 0) or a signed-in user with the
// access token their request carried.
type Shopper struct {
	UserID      int64
	AccessToken string
}

// Input is a checkout request.
type Input struct {
	CartID string
	// Address is a new shipping address; AddressID one from the signed-in
	// shopper's address book (the graph's id). Exactly one is given.
	Address   *orders.Address
	AddressID string
	// Email is where a guest's confirmation goes; a signed-in shopper's is
	// their account's unless they give one.
	Email          string
	ShippingMethod string
	Card           payments.Card
	// IdempotencyKey makes a retry return the first attempt's outcome: the
	// same order, or the same failure. 1 to 255 characters.
	IdempotencyKey string
}

// Result is a checkout's outcome: the order, placed (PAID, or PENDING with
// its payment taken while its stock is confirmed), or why there is none.
type Result struct {
	Order   *orders.Order
	Failure *orders.Failure
}

// Checkout places the cart's order for shopper, or says why not. Errors are
// faults; everything a shopper can act on is a Result.Failure. Failures found
// before the order is recorded (an empty cart, a bad address) are not kept: a
// retry with the same key checks again.
func (s *Service) Checkout(ctx context.Context, shopper Shopper, in Input) (Result, error) {
	if in.IdempotencyKey == "" || len(in.IdempotencyKey) > payments.MaxKeyLength {
		return failed(&orders.Failure{Code: orders.FailInvalidKey, Field: []string{"idempotencyKey"},
			Message: fmt.Sprintf("Give an idempotency key of 1 to %d characters.", payments.MaxKeyLength)})
	}
	if errs := in.Card.Validate(s.now()); len(errs) > 0 {
		return failed(cardFailure(&apperr.InputError{Errors: errs}))
	}
	if existing, err := s.store.OrderByKey(ctx, in.IdempotencyKey); err == nil {
		return s.again(ctx, shopper, in, existing)
	} else if apperr.Code(err) != orders.ENOTFOUND {
		return Result{}, err
	}

	cart, f, err := s.cartOf(ctx, shopper, in.CartID)
	if err != nil || f != nil {
		return Result{Failure: f}, err
	}
	email, address, f, err := s.destination(ctx, shopper, in)
	if err != nil || f != nil {
		return Result{Failure: f}, err
	}
	order, f, err := s.price(ctx, cart, in.ShippingMethod, address)
	if err != nil || f != nil {
		return Result{Failure: f}, err
	}
	order.UserID, order.Email, order.CartID, order.IdempotencyKey = shopper.UserID, email, cart.ID, in.IdempotencyKey
	order.Lease = s.newLease()

	o, created, err := s.store.CreateOrder(ctx, order)
	if err != nil {
		return Result{}, err
	}
	if !created {
		// A concurrent request with the same key won the race.
		return s.again(ctx, shopper, in, o)
	}
	return s.finish(ctx, o, order.Lease, &in.Card)
}

func failed(f *orders.Failure) (Result, error) { return Result{Failure: f}, nil }

// finish runs the saga of an order held by lease and reads the outcome.
func (s *Service) finish(ctx context.Context, o *orders.Order, lease orders.Lease, card *payments.Card) (Result, error) {
	o, pause, err := s.run(ctx, o, lease, card)
	if err != nil {
		return Result{}, err
	}
	return outcome(o, pause), nil
}

// outcome is what the shopper is told about o.
func outcome(o *orders.Order, pause *orders.Failure) Result {
	switch {
	case o.Placed() && o.Status != orders.StatusCancelled:
		return Result{Order: o}
	case o.Step == orders.StepDone && o.Failure != nil:
		return Result{Failure: o.Failure}
	case pause != nil:
		return Result{Failure: pause}
	}
	return Result{Failure: &orders.Failure{Code: orders.FailCheckoutInProgress,
		Message: "This checkout is still being processed. Try again in a moment."}}
}

// again answers a retry: the key's order must be the same shopper's and cart's;
// a finished order is answered as it stands, an unfinished one resumed (or
// waited for, while another request works on it).
func (s *Service) again(ctx context.Context, shopper Shopper, in Input, o *orders.Order) (Result, error) {
	if o.CartID != in.CartID || o.UserID != shopper.UserID {
		return failed(&orders.Failure{Code: orders.FailKeyReused, Field: []string{"idempotencyKey"},
			Message: "This idempotency key was used for another checkout. Use a new key for each checkout."})
	}
	deadline := s.now().Add(s.cfg.WaitForOther)
	for wait := 20 * time.Millisecond; ; wait = min(2*wait, 500*time.Millisecond) {
		if o.Step == orders.StepDone {
			return outcome(o, nil), nil
		}
		lease := s.newLease()
		held, ok, err := s.store.TakeLease(ctx, o.ID, lease)
		if err != nil {
			return Result{}, err
		}
		if ok {
			return s.finish(ctx, held, lease, &in.Card)
		}
		if s.now().After(deadline) {
			return outcome(held, nil), nil
		}
		select {
		case <-ctx.Done():
			return Result{}, context.Cause(ctx)
		case <-time.After(wait):
		}
		if o, err = s.store.OrderByID(ctx, o.ID); err != nil {
			return Result{}, err
		}
	}
}

// cartOf reads the cart a shopper may check out: a guest's cart by its id, or
// the shopper's own.
func (s *Service) cartOf(ctx context.Context, shopper Shopper, id string) (*orders.Cart, *orders.Failure, error) {
	c, err := s.store.CartByID(ctx, id)
	if apperr.Code(err) == orders.ENOTFOUND || err == nil && c.UserID != 0 && c.UserID != shopper.UserID {
		return nil, &orders.Failure{Code: orders.FailCartNotFound, Field: []string{"cartId"}, Message: "There is no such cart."}, nil
	}
	if err != nil {
		return nil, nil, err
	}
	if len(c.Lines) == 0 {
		return nil, &orders.Failure{Code: orders.FailEmptyCart, Field: []string{"cartId"}, Message: "Your cart is empty."}, nil
	}
	return c, nil, nil
}

// destination is where the order goes and whom it confirms to.
func (s *Service) destination(ctx context.Context, shopper Shopper, in Input) (string, orders.Address, *orders.Failure, error) {
	if (in.Address == nil) == (in.AddressID == "") {
		return "", orders.Address{}, &orders.Failure{Code: orders.FailInvalidAddress, Field: []string{"shippingAddress"},
			Message: "Give either a shipping address or the id of one of your saved addresses."}, nil
	}
	var profile *Profile
	if shopper.UserID != 0 && s.accounts != nil && (in.AddressID != "" || in.Email == "") {
		var err error
		if profile, err = s.accounts.Profile(ctx, shopper.AccessToken); err != nil {
			s.log.WarnContext(ctx, "checkout refused: cannot read the shopper's account", "err", err)
			return "", orders.Address{}, unavailable("Your account could not be read."), nil
		}
	}
	email := in.Email
	if email == "" && profile != nil {
		email = profile.Email
	}
	email, fe := contact.NormalizeEmail(email, []string{"email"})
	if fe != nil {
		return "", orders.Address{}, &orders.Failure{Code: orders.FailInvalidEmail, Field: fe.Field, Message: fe.Message}, nil
	}
	if in.AddressID != "" {
		if profile == nil {
			return "", orders.Address{}, &orders.Failure{Code: orders.FailAddressNotFound, Field: []string{"addressId"},
				Message: "Sign in to use a saved address."}, nil
		}
		a, ok := profile.Addresses[in.AddressID]
		if !ok {
			return "", orders.Address{}, &orders.Failure{Code: orders.FailAddressNotFound, Field: []string{"addressId"},
				Message: "You have no saved address with this id."}, nil
		}
		return email, a, nil, nil
	}
	a, errs := orders.CheckAddress(*in.Address, "shippingAddress")
	if len(errs) > 0 {
		return "", orders.Address{}, &orders.Failure{Code: orders.FailInvalidAddress, Field: errs[0].Field, Message: errs[0].Message}, nil
	}
	return email, a, nil, nil
}

// price makes the order of a cart at the catalog's current prices, or says
// which lines cannot be bought as they are. A price the shopper has not seen
// is refused once and marked seen, so that the next attempt goes through at
// the price now shown.
func (s *Service) price(ctx context.Context, cart *orders.Cart, method string, to orders.Address) (orders.NewOrder, *orders.Failure, error) {
	ids := make([]int64, len(cart.Lines))
	for i, l := range cart.Lines {
		ids[i] = l.VariantID
	}
	variants, err := s.catalog.Variants(ctx, ids)
	if err != nil {
		s.log.WarnContext(ctx, "checkout refused: cannot read the catalog", "err", err)
		return orders.NewOrder{}, unavailable("The catalog could not be reached."), nil
	}
	p := orders.Price(cart, variants)
	short := &orders.Failure{Code: orders.FailOutOfStock, Message: "Some items are not in stock in the quantities in your cart."}
	changed := &orders.Failure{Code: orders.FailPriceChanged, Message: "Some prices have changed since you added the items. Check your cart and place the order again."}
	var seen []orders.LineChange
	for _, l := range p.Lines {
		available := 0
		if l.Variant != nil {
			available = max(l.Variant.Available, 0)
		}
		switch {
		case !l.Buyable || l.Variant.Available < l.Quantity:
			short.Lines = append(short.Lines, orders.FailureLine{VariantID: l.VariantID, Requested: l.Quantity, Available: available})
		case l.Unit != l.SeenPrice || l.Variant.Currency != l.Currency:
			changed.Lines = append(changed.Lines, orders.FailureLine{VariantID: l.VariantID, Requested: l.Quantity, Available: available})
			seen = append(seen, orders.LineChange{VariantID: l.VariantID, SeenPrice: l.Unit, Currency: l.Variant.Currency})
		}
	}
	if len(short.Lines) > 0 {
		return orders.NewOrder{}, short, nil
	}
	if len(changed.Lines) > 0 {
		if err := s.store.SeePrices(ctx, cart.ID, seen); err != nil {
			return orders.NewOrder{}, nil, err
		}
		return orders.NewOrder{}, changed, nil
	}
	rates, err := s.store.RatesForCountries(ctx, []string{to.Country})
	if err != nil {
		return orders.NewOrder{}, nil, err
	}
	tax, err := s.store.TaxRate(ctx, to.Country)
	if err != nil {
		return orders.NewOrder{}, nil, err
	}
	cost, err := orders.CostTo(p, method, rates[to.Country], tax)
	var domain *orders.Error
	if errors.As(err, &domain) && domain.Code == orders.EINVALID {
		return orders.NewOrder{}, &orders.Failure{Code: orders.FailInvalidAddress, Field: []string{"shippingMethod"}, Message: domain.Message}, nil
	}
	if err != nil {
		return orders.NewOrder{}, &orders.Failure{Code: orders.FailCurrencyUnsupported,
			Message: "Your cart cannot be shipped to this country in its currency."}, nil
	}
	n := orders.NewOrder{Currency: cost.Currency, Subtotal: cost.Subtotal, Shipping: cost.Shipping, Tax: cost.Tax,
		ShippingMethod: method, ShippingAddress: to, Lines: make([]orders.OrderLine, len(p.Lines))}
	for i, l := range p.Lines {
		n.Lines[i] = orders.OrderLine{VariantID: l.VariantID, ProductName: l.Variant.ProductName, VariantName: l.Variant.Name,
			SKU: l.Variant.SKU, UnitPrice: l.Unit, Quantity: l.Quantity}
	}
	return n, nil, nil
}
