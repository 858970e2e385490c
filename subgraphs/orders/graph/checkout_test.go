package graph

import (
	"testing"

	"github.com/shopgraph/shopgraph/subgraphs/orders"
	"github.com/shopgraph/shopgraph/subgraphs/orders/checkout"
	"github.com/shopgraph/shopgraph/subgraphs/orders/graph/model"
)

// TestEveryCheckoutFailureIsInTheSchema: a failure code the schema's enum
// lacks would fail the whole checkout field instead of reaching the shopper.
func TestEveryCheckoutFailureIsInTheSchema(t *testing.T) {
	for _, code := range []string{
		orders.FailCartNotFound, orders.FailEmptyCart, orders.FailOutOfStock, orders.FailPriceChanged,
		orders.FailInvalidAddress, orders.FailAddressNotFound, orders.FailInvalidEmail, orders.FailInvalidCard,
		orders.FailInvalidKey, orders.FailKeyReused, orders.FailPaymentDeclined, orders.FailInsufficientFunds,
		orders.FailReservationExpired, orders.FailAbandoned, orders.FailUnavailable, orders.FailCheckoutInProgress,
		orders.FailCurrencyUnsupported,
	} {
		if !model.CheckoutErrorCode(code).IsValid() {
			t.Errorf("failure %s is not a CheckoutErrorCode", code)
		}
		p, err := toCheckoutPayload(checkout.Result{Failure: &orders.Failure{Code: code, Message: "m",
			Lines: []orders.FailureLine{{VariantID: 7, Requested: 2, Available: 1}}}})
		if err != nil || p.Order != nil || len(p.UserErrors) != 1 || p.UserErrors[0].Lines[0].Variant.ID != "gid://shopgraph/ProductVariant/7" {
			t.Errorf("%s: payload %+v, %v", code, p, err)
		}
	}
	if len(model.AllCheckoutErrorCode) != 17 {
		t.Errorf("the schema has %d checkout error codes; list the new ones here and in orders", len(model.AllCheckoutErrorCode))
	}
}
