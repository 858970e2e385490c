// Package orders is the orders domain: carts, checkout's orders and their
// saga, shipping and tax, and the interfaces of the stores that keep them.
package orders

import (
	"context"
	"strings"

	"github.com/shopgraph/shopgraph/internal/contact"
)

// ShippingRate is what standard shipping costs to one country, or, with an empty
// Country, to every country without a rate of its own.
type ShippingRate struct {
	// Country is an ISO 3166-1 alpha-2 code; "" for the rest-of-world rate.
	Country     string
	CountryName string
	// Base and PerKg are minor units of Currency.
	Base     int64
	PerKg    int64
	Currency string
}

// Estimate is the cost of shipping weightGrams: the base rate plus the per-kg
// rate for each started kilogram, in minor units of r.Currency.
func (r ShippingRate) Estimate(weightGrams int) (int64, error) {
	if weightGrams < 0 {
		return 0, Errorf(EINVALID, "weight must not be negative, got %d", weightGrams)
	}
	kg := int64((weightGrams + 999) / 1000)
	return r.Base + kg*r.PerKg, nil
}

// ShippingService reads shipping rates.
type ShippingService interface {
	// ShippingRates lists every rate, countries by code, the rest-of-world rate last.
	ShippingRates(ctx context.Context) ([]ShippingRate, error)
	// RatesForCountries returns the rate that applies to each country, keyed by
	// country, the rest-of-world rate for those without their own, in one query.
	RatesForCountries(ctx context.Context, countries []string) (map[string]ShippingRate, error)
}

// ParseCountry normalises an ISO 3166-1 alpha-2 country code ("de" -> "DE") and
// rejects anything that is not an assigned code.
func ParseCountry(code string) (string, error) {
	up := strings.ToUpper(strings.TrimSpace(code))
	if !contact.IsCountry(up) {
		return "", Errorf(EINVALID, "invalid country code %q: want an ISO 3166-1 alpha-2 code such as \"US\" or \"DE\"", code)
	}
	return up, nil
}
