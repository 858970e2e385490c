package orders

import (
	"context"
	"fmt"
)

// VariantInfo is what a cart needs of a catalog variant, read from the catalog
// for every pricing: the cart never trusts a price it stored or one a client
// sent.
type VariantInfo struct {
	ID          int64
	ProductName string
	SKU         string
	Name        string
	Price       int64 // minor units of Currency
	Currency    string
	WeightGrams int
	Available   int
}

// Catalog reads variants from the catalog service; ids it does not know are
// absent from the map.
type Catalog interface {
	Variants(ctx context.Context, ids []int64) (map[int64]VariantInfo, error)
}

// Warning codes of a priced cart line.
const (
	// WarnPriceChanged: the catalog's price differs from the one the shopper saw.
	WarnPriceChanged = "PRICE_CHANGED"
	// WarnLowStock: fewer units are available than the line's quantity.
	WarnLowStock = "INSUFFICIENT_STOCK"
	// WarnUnavailable: the variant is gone from the catalog or sold out.
	WarnUnavailable = "UNAVAILABLE"
	// WarnCurrency: the variant is priced in another currency than the cart.
	WarnCurrency = "CURRENCY_MISMATCH"
)

// LineWarning says what changed about a line since the shopper added it.
type LineWarning struct {
	Code    string
	Message string
}

// PricedLine is a cart line at the catalog's current price.
type PricedLine struct {
	CartLine
	Variant  *VariantInfo // nil when the catalog no longer has it
	Unit     int64
	Total    int64
	Warnings []LineWarning
	// Buyable: the line counts in the totals.
	Buyable bool
}

// PricedCart is a cart at the catalog's current prices. Lines that cannot be
// bought (unavailable, another currency) count for nothing in the sums.
type PricedCart struct {
	Cart     *Cart
	Lines    []PricedLine
	Subtotal int64
	Currency string
	// WeightGrams is what the buyable lines weigh, for shipping.
	WeightGrams   int
	TotalQuantity int
}

// Price prices c with the catalog's variants. The cart's currency is that of
// its first buyable line (the shop sells in one currency; lines in another
// are flagged).
func Price(c *Cart, variants map[int64]VariantInfo) PricedCart {
	out := PricedCart{Cart: c, Lines: make([]PricedLine, len(c.Lines))}
	for i, l := range c.Lines {
		p := PricedLine{CartLine: l}
		v, ok := variants[l.VariantID]
		switch {
		case !ok:
			p.Warnings = append(p.Warnings, LineWarning{WarnUnavailable, "This item is no longer sold."})
		case v.Available <= 0:
			p.Variant = &v
			p.Warnings = append(p.Warnings, LineWarning{WarnUnavailable, "This item is sold out."})
		default:
			p.Variant = &v
			if out.Currency == "" {
				out.Currency = v.Currency
			}
			if v.Currency != out.Currency {
				p.Warnings = append(p.Warnings, LineWarning{WarnCurrency, "This item is priced in " + v.Currency + "."})
				break
			}
			p.Buyable = true
			p.Unit = v.Price
			p.Total = v.Price * int64(l.Quantity)
			if v.Price != l.SeenPrice || v.Currency != l.Currency {
				p.Warnings = append(p.Warnings, LineWarning{WarnPriceChanged, "The price of this item has changed."})
			}
			if v.Available < l.Quantity {
				p.Warnings = append(p.Warnings, LineWarning{WarnLowStock, fmt.Sprintf("Only %d left.", v.Available)})
			}
			out.Subtotal += p.Total
			out.WeightGrams += v.WeightGrams * l.Quantity
			out.TotalQuantity += l.Quantity
		}
		out.Lines[i] = p
	}
	return out
}

// Shipping methods and what they cost against the standard rate.
const (
	ShippingStandard = "STANDARD"
	// ShippingExpress costs twice the standard rate.
	ShippingExpress = "EXPRESS"
)

// Cost is what a priced cart costs delivered to a country.
type Cost struct {
	Subtotal, Shipping, Tax, Total int64
	Currency                       string
}

// CostTo prices delivery of p to a country with method, at rate (the
// country's shipping rate) and taxBasisPoints (the country's sales tax on
// goods and shipping, 2000 = 20%, rounded half up to the minor unit).
func CostTo(p PricedCart, method string, rate ShippingRate, taxBasisPoints int) (Cost, error) {
	c := Cost{Subtotal: p.Subtotal, Currency: p.Currency}
	if p.TotalQuantity == 0 {
		return c, nil
	}
	if c.Currency != "" && rate.Currency != c.Currency {
		return Cost{}, Internal(fmt.Errorf("shipping rate in %s for a cart in %s", rate.Currency, c.Currency))
	}
	ship, err := rate.Estimate(p.WeightGrams)
	if err != nil {
		return Cost{}, err
	}
	switch method {
	case ShippingStandard:
	case ShippingExpress:
		ship *= 2
	default:
		return Cost{}, Errorf(EINVALID, "unknown shipping method %q", method)
	}
	c.Shipping = ship
	c.Tax = ((c.Subtotal+c.Shipping)*int64(taxBasisPoints) + 5000) / 10000
	c.Total = c.Subtotal + c.Shipping + c.Tax
	return c, nil
}

// TaxService reads sales-tax rates.
type TaxService interface {
	// TaxRate returns the country's rate in basis points (0 when it has none).
	TaxRate(ctx context.Context, country string) (int, error)
}
