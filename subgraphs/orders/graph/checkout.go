package graph

import (
	"context"
	"strings"

	"github.com/shopgraph/shopgraph/internal/apperr"
	"github.com/shopgraph/shopgraph/internal/relay"
	"github.com/shopgraph/shopgraph/subgraphs/orders"
	"github.com/shopgraph/shopgraph/subgraphs/orders/checkout"
	"github.com/shopgraph/shopgraph/subgraphs/orders/graph/model"
	"github.com/shopgraph/shopgraph/subgraphs/orders/payments"
)

// Checkout and order changes: the checkout service does the work; this file
// turns its inputs and outcomes into the schema's.

func textOf(p *string) string {
	if p == nil {
		return ""
	}
	return strings.TrimSpace(*p)
}

func toCheckoutInput(in model.CheckoutInput) checkout.Input {
	out := checkout.Input{
		CartID: cartKey(in.CartID), AddressID: textOf(in.AddressID), Email: textOf(in.Email),
		ShippingMethod: string(in.ShippingMethod), IdempotencyKey: in.IdempotencyKey,
		Card: payments.Card{Number: in.Payment.Number, ExpMonth: in.Payment.ExpMonth, ExpYear: in.Payment.ExpYear, CVC: in.Payment.Cvc},
	}
	if a := in.ShippingAddress; a != nil {
		out.Address = &orders.Address{Name: a.Name, Line1: a.Line1, Line2: textOf(a.Line2), City: a.City, Region: textOf(a.Region),
			PostalCode: a.PostalCode, Country: a.Country, Phone: textOf(a.Phone)}
	}
	return out
}

func toCheckoutPayload(res checkout.Result) (*model.CheckoutPayload, error) {
	out := &model.CheckoutPayload{UserErrors: []model.CheckoutUserError{}}
	if f := res.Failure; f != nil {
		ue := model.CheckoutUserError{Code: model.CheckoutErrorCode(f.Code), Field: f.Field, Message: f.Message}
		for _, l := range f.Lines {
			ue.Lines = append(ue.Lines, model.CheckoutErrorLine{
				Variant:   model.ProductVariant{Key: l.VariantID, ID: relay.EncodeID(kindVariant, l.VariantID)},
				Requested: l.Requested, Available: l.Available,
			})
		}
		out.UserErrors = append(out.UserErrors, ue)
		return out, nil
	}
	o, err := toOrder(res.Order)
	if err != nil {
		return nil, err
	}
	out.Order = o
	return out, nil
}

// changeOrder applies change to the order with global id when the caller may
// read it, answering refusals as userErrors.
func (r *Resolver) changeOrder(ctx context.Context, id string, change func(key string) (*orders.Order, error)) (*model.OrderPayload, error) {
	notFound := &model.OrderPayload{UserErrors: []model.OrderUserError{{Code: model.OrderErrorCodeOrderNotFound,
		Field: []string{"id"}, Message: "There is no such order."}}}
	if r.checkout == nil {
		return nil, orders.Internal(errCatalogUnavailable)
	}
	visible, err := r.readOrder(ctx, id)
	if err != nil {
		return nil, err
	}
	if visible == nil {
		return notFound, nil
	}
	o, err := change(visible.Key)
	switch apperr.Code(err) {
	case "":
	case orders.ENOTFOUND:
		return notFound, nil
	case orders.EINVALID:
		return &model.OrderPayload{UserErrors: []model.OrderUserError{{Code: model.OrderErrorCodeInvalidStatusChange,
			Message: apperr.Message(err)}}}, nil
	default:
		return nil, err
	}
	mo, err := toOrder(o)
	if err != nil {
		return nil, err
	}
	return &model.OrderPayload{Order: mo, UserErrors: []model.OrderUserError{}}, nil
}
