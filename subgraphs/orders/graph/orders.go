package graph

import (
	"context"
	"strings"

	"github.com/shopgraph/shopgraph/internal/apperr"
	"github.com/shopgraph/shopgraph/internal/auth"
	"github.com/shopgraph/shopgraph/internal/relay"
	"github.com/shopgraph/shopgraph/subgraphs/orders"
	"github.com/shopgraph/shopgraph/subgraphs/orders/graph/model"
)

// Orders are the customer's who placed them and admins'; for anyone else an
// order does not exist, by order(id) and through _entities alike.

const orderIDPrefix = "gid://shopgraph/Order/"

// readOrder returns the order with global id if the caller may read it.
func (r *Resolver) readOrder(ctx context.Context, id string) (*model.Order, error) {
	key, ok := strings.CutPrefix(id, orderIDPrefix)
	if !ok {
		return nil, nil
	}
	o, err := r.orders.OrderByID(ctx, key)
	if apperr.Code(err) == orders.ENOTFOUND {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	p, signedIn := auth.From(ctx)
	if !o.Placed() || !signedIn || (o.UserID != p.UserID && !p.IsAdmin()) || o.UserID == 0 && !p.IsAdmin() {
		return nil, nil
	}
	return toOrder(o)
}

func optionalText(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// toOrder converts a stored order whole.
func toOrder(o *orders.Order) (*model.Order, error) {
	money := func(minor int64) (model.Money, error) {
		m, err := toMoney(minor, o.Currency)
		if err != nil {
			return model.Money{}, err
		}
		return *m, nil
	}
	out := &model.Order{
		Key: o.ID, UserKey: o.UserID, ID: orderIDPrefix + o.ID, Number: o.DisplayNumber(),
		Status: model.OrderStatus(o.Status), PaymentStatus: model.PaymentStatus(o.PaymentStatus),
		Email: o.Email, ShippingMethod: model.ShippingMethod(o.ShippingMethod), CreatedAt: o.CreatedAt,
		ShippingAddress: model.OrderAddress{
			Name: o.ShippingAddress.Name, Line1: o.ShippingAddress.Line1, Line2: optionalText(o.ShippingAddress.Line2),
			City: o.ShippingAddress.City, Region: optionalText(o.ShippingAddress.Region), PostalCode: o.ShippingAddress.PostalCode,
			Country: o.ShippingAddress.Country, Phone: optionalText(o.ShippingAddress.Phone),
		},
	}
	var err error
	for _, f := range []struct {
		dst   *model.Money
		minor int64
	}{{&out.Subtotal, o.Subtotal}, {&out.Shipping, o.Shipping}, {&out.Tax, o.Tax}, {&out.Total, o.Total}} {
		if *f.dst, err = money(f.minor); err != nil {
			return nil, err
		}
	}
	out.Lines = make([]model.OrderLine, len(o.Lines))
	for i, l := range o.Lines {
		unit, err := money(l.UnitPrice)
		if err != nil {
			return nil, err
		}
		total, err := money(l.UnitPrice * int64(l.Quantity))
		if err != nil {
			return nil, err
		}
		out.Lines[i] = model.OrderLine{
			Variant:     model.ProductVariant{Key: l.VariantID, ID: relay.EncodeID(kindVariant, l.VariantID)},
			ProductName: l.ProductName, VariantName: l.VariantName, Sku: l.SKU, UnitPrice: unit, Quantity: l.Quantity, Total: total,
		}
	}
	out.Timeline = make([]model.OrderEvent, len(o.Events))
	for i, e := range o.Events {
		out.Timeline[i] = model.OrderEvent{Status: model.OrderStatus(e.Status), Actor: string(e.Actor), Note: optionalText(e.Note), At: e.CreatedAt}
	}
	return out, nil
}
