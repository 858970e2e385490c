package orders

import (
	"reflect"
	"testing"
)

func TestPrice(t *testing.T) {
	t.Parallel()
	cart := &Cart{Lines: []CartLine{
		{VariantID: 1, Quantity: 2, SeenPrice: 1000, Currency: "USD"},
		{VariantID: 2, Quantity: 5, SeenPrice: 500, Currency: "USD"},
		{VariantID: 3, Quantity: 1, SeenPrice: 700, Currency: "USD"},
		{VariantID: 4, Quantity: 1, SeenPrice: 900, Currency: "USD"},
		{VariantID: 5, Quantity: 1, SeenPrice: 100, Currency: "USD"},
	}}
	p := Price(cart, map[int64]VariantInfo{
		1: {ID: 1, Price: 1000, Currency: "USD", WeightGrams: 300, Available: 10},
		2: {ID: 2, Price: 550, Currency: "USD", WeightGrams: 100, Available: 3},
		4: {ID: 4, Price: 900, Currency: "USD", WeightGrams: 100, Available: 0},
		5: {ID: 5, Price: 100, Currency: "EUR", WeightGrams: 100, Available: 5},
	})
	codes := func(l PricedLine) []string {
		var c []string
		for _, w := range l.Warnings {
			c = append(c, w.Code)
		}
		return c
	}
	want := [][]string{nil, {WarnPriceChanged, WarnLowStock}, {WarnUnavailable}, {WarnUnavailable}, {WarnCurrency}}
	for i, l := range p.Lines {
		if !reflect.DeepEqual(codes(l), want[i]) {
			t.Errorf("line %d warnings %v, want %v", i, codes(l), want[i])
		}
	}
	// Lines at the catalog's current prices: 2 x 10.00 + 5 x 5.50.
	if p.Subtotal != 2000+2750 || p.Currency != "USD" || p.WeightGrams != 600+500 || p.TotalQuantity != 7 {
		t.Errorf("priced cart %+v", p)
	}
	rate := ShippingRate{Base: 499, PerKg: 150, Currency: "USD"}
	c, err := CostTo(p, ShippingStandard, rate, 2000)
	if err != nil {
		t.Fatal(err)
	}
	// 1.1 kg: 4.99 + 2 x 1.50 = 7.99 shipping; tax 20% of 55.49 = 11.098 -> 11.10.
	if c != (Cost{Subtotal: 4750, Shipping: 799, Tax: 1110, Total: 6659, Currency: "USD"}) {
		t.Errorf("standard cost %+v", c)
	}
	if c, _ := CostTo(p, ShippingExpress, rate, 0); c.Shipping != 1598 || c.Total != 4750+1598 {
		t.Errorf("express cost %+v", c)
	}
	if _, err := CostTo(p, "DRONE", rate, 0); err == nil {
		t.Error("an unknown shipping method was priced")
	}
	if c, _ := CostTo(Price(&Cart{}, nil), ShippingStandard, rate, 2000); c.Total != 0 {
		t.Errorf("an empty cart costs %+v", c)
	}
}
