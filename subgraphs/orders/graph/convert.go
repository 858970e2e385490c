package graph

import (
	"fmt"

	"github.com/shopgraph/shopgraph/internal/money"
	"github.com/shopgraph/shopgraph/internal/relay"
	"github.com/shopgraph/shopgraph/subgraphs/orders"
	"github.com/shopgraph/shopgraph/subgraphs/orders/graph/model"
)

// kindVariant is the type name global ProductVariant IDs carry (the catalog makes them).
const kindVariant = "ProductVariant"

func toMoney(minor int64, currency string) (*model.Money, error) {
	amount, err := money.Format(minor, money.Currency(currency))
	if err != nil {
		return nil, orders.Internal(err)
	}
	code := model.CurrencyCode(currency)
	if !code.IsValid() {
		return nil, orders.Internal(fmt.Errorf("currency %q is not in the schema's CurrencyCode", currency))
	}
	return &model.Money{Amount: amount, CurrencyCode: code}, nil
}

func toShippingRate(r orders.ShippingRate) (model.ShippingRate, error) {
	base, err := toMoney(r.Base, r.Currency)
	if err != nil {
		return model.ShippingRate{}, err
	}
	perKg, err := toMoney(r.PerKg, r.Currency)
	if err != nil {
		return model.ShippingRate{}, err
	}
	out := model.ShippingRate{CountryName: r.CountryName, BaseRate: *base, PerKgRate: *perKg}
	if r.Country != "" {
		c := r.Country
		out.CountryCode = &c
	}
	return out, nil
}

// variantID checks a global ProductVariant ID; orders keeps its key as given.
func variantID(id string) (int64, error) {
	n, err := relay.DecodeID(kindVariant, id)
	if err != nil {
		return 0, orders.Errorf(orders.EINVALID, "%v", err)
	}
	return n, nil
}
