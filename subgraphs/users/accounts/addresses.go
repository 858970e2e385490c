package accounts

import (
	"context"
	"regexp"
	"strings"

	"github.com/shopgraph/shopgraph/internal/apperr"
	"github.com/shopgraph/shopgraph/subgraphs/users"
)

// AddressResult is the outcome of an address change.
type AddressResult struct {
	Address *users.Address
	Errors  []apperr.FieldError
}

// Lengths of address fields.
const (
	maxAddressText = 100
	maxPostalCode  = 16
	maxPhone       = 32
)

var (
	postalCodePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9 -]*$`)
	phonePattern      = regexp.MustCompile(`^\+?[0-9][0-9 ()./-]*$`)
)

// checkAddress validates and normalises in; with partial (a change), absent
// fields are fine.
func checkAddress(in users.AddressInput, partial bool, prefix ...string) (users.AddressInput, []apperr.FieldError) {
	var errs []apperr.FieldError
	path := func(f string) []string { return append(append([]string{}, prefix...), f) }
	text := func(p **string, f, what string, required bool, max int) {
		if *p == nil {
			if required && !partial {
				errs = append(errs, apperr.Fieldf(CodeBlank, path(f), "Enter %s.", what))
			}
			return
		}
		v, fe := checkText(**p, path(f), required, max, what)
		if fe != nil {
			errs = append(errs, *fe)
			return
		}
		*p = &v
	}
	text(&in.Name, "name", "the recipient's name", true, maxAddressText)
	text(&in.Line1, "line1", "the street address", true, maxAddressText)
	text(&in.Line2, "line2", "the second address line", false, maxAddressText)
	text(&in.City, "city", "the city", true, maxAddressText)
	text(&in.Region, "region", "the region", false, maxAddressText)
	text(&in.PostalCode, "postalCode", "the postal code", true, maxPostalCode)
	text(&in.Phone, "phone", "the phone number", false, maxPhone)
	if in.PostalCode != nil && *in.PostalCode != "" && !postalCodePattern.MatchString(*in.PostalCode) {
		errs = append(errs, apperr.Fieldf(CodeInvalid, path("postalCode"), "A postal code has letters, digits, spaces and dashes only."))
	}
	if in.Phone != nil && *in.Phone != "" && !phonePattern.MatchString(*in.Phone) {
		errs = append(errs, apperr.Fieldf(CodeInvalid, path("phone"), "Enter a phone number such as +44 20 7946 0958."))
	}
	if in.Country == nil {
		if !partial {
			errs = append(errs, apperr.Fieldf(CodeBlank, path("country"), "Choose a country."))
		}
	} else {
		c := strings.ToUpper(strings.TrimSpace(*in.Country))
		if !IsCountry(c) {
			errs = append(errs, apperr.Fieldf(CodeInvalidCountry, path("country"),
				"%q is not an ISO 3166-1 alpha-2 country code such as GB or DE.", *in.Country))
		}
		in.Country = &c
	}
	return in, errs
}

// isoCountries are the 249 codes ISO 3166-1 assigns to countries and
// territories (reserved and withdrawn codes such as UK, EU, SU or YU are not
// among them).
const isoCountries = "" +
	"AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ " +
	"BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ " +
	"CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ " +
	"DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR " +
	"GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY " +
	"HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP " +
	"KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY " +
	"MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ " +
	"NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA " +
	"RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ " +
	"TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ " +
	"VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW"

// IsCountry reports whether c is an assigned ISO 3166-1 alpha-2 code.
func IsCountry(c string) bool {
	if len(c) != 2 || c[0] < 'A' || c[0] > 'Z' || c[1] < 'A' || c[1] > 'Z' {
		return false
	}
	// Codes are three bytes apart in the list, each followed by a space.
	for i := 0; i+2 <= len(isoCountries); i += 3 {
		if isoCountries[i:i+2] == c {
			return true
		}
	}
	return false
}

func (s *Service) addressOutcome(a *users.Address, err error, notFoundField []string) (AddressResult, error) {
	switch apperr.Code(err) {
	case "":
		return AddressResult{Address: a}, nil
	case users.ENOTFOUND:
		return AddressResult{Errors: []apperr.FieldError{apperr.Fieldf(CodeNotFound, notFoundField, "There is no such address in your address book.")}}, nil
	case users.EINVALID:
		return AddressResult{Errors: []apperr.FieldError{apperr.Fieldf(CodeLimitReached, nil, "%s", apperr.Message(err))}}, nil
	}
	return AddressResult{}, users.Internal(err)
}

// AddAddress adds an address to userID's book.
func (s *Service) AddAddress(ctx context.Context, userID int64, in users.AddressInput) (AddressResult, error) {
	in, errs := checkAddress(in, false, "input")
	if len(errs) > 0 {
		return AddressResult{Errors: errs}, nil
	}
	a, err := s.cfg.Addresses.AddAddress(ctx, userID, in)
	return s.addressOutcome(a, err, nil)
}

// UpdateAddress changes fields of one of userID's addresses.
func (s *Service) UpdateAddress(ctx context.Context, userID, id int64, in users.AddressInput) (AddressResult, error) {
	in, errs := checkAddress(in, true, "input")
	if len(errs) > 0 {
		return AddressResult{Errors: errs}, nil
	}
	a, err := s.cfg.Addresses.UpdateAddress(ctx, userID, id, in)
	return s.addressOutcome(a, err, []string{"id"})
}

// DeleteAddress removes one of userID's addresses.
func (s *Service) DeleteAddress(ctx context.Context, userID, id int64) (AddressResult, error) {
	err := s.cfg.Addresses.DeleteAddress(ctx, userID, id)
	return s.addressOutcome(nil, err, []string{"id"})
}

// SetDefaultAddress makes one of userID's addresses the default for shipping
// and/or billing.
func (s *Service) SetDefaultAddress(ctx context.Context, userID, id int64, shipping, billing bool) (AddressResult, error) {
	in := users.AddressInput{}
	if shipping {
		in.DefaultShipping = &shipping
	}
	if billing {
		in.DefaultBilling = &billing
	}
	a, err := s.cfg.Addresses.UpdateAddress(ctx, userID, id, in)
	return s.addressOutcome(a, err, []string{"id"})
}
