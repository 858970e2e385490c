// Package orders is the orders domain: carts, orders and shipping. This first
// slice holds shipping rates and estimates. It depends on the standard library only.
package orders

import (
	"context"
	"strings"
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
	if len(up) != 2 || !strings.Contains(isoCountries, " "+up+" ") {
		return "", Errorf(EINVALID, "invalid country code %q: want an ISO 3166-1 alpha-2 code such as \"US\" or \"DE\"", code)
	}
	return up, nil
}

// isoCountries lists the officially assigned ISO 3166-1 alpha-2 codes, space-delimited.
const isoCountries = " AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ" +
	" CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR" +
	" GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP" +
	" KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT" +
	" MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW" +
	" SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG" +
	" UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW "
