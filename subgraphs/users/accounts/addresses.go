package accounts

import (
	"context"
	"strings"

	"github.com/shopgraph/shopgraph/internal/apperr"
	"github.com/shopgraph/shopgraph/internal/contact"
	"github.com/shopgraph/shopgraph/subgraphs/users"
)

// AddressResult is the outcome of an address change.
type AddressResult struct {
	Address *users.Address
	Errors  []apperr.FieldError
}

// Lengths of address fields.
const (
	maxAddressText = contact.MaxAddressText
	maxPostalCode  = contact.MaxPostalCode
	maxPhone       = contact.MaxPhone
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
		v, fe := contact.CheckText(**p, path(f), required, max, what)
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
	if in.PostalCode != nil {
		if fe := contact.CheckPostalCode(*in.PostalCode, path("postalCode")); fe != nil {
			errs = append(errs, *fe)
		}
	}
	if in.Phone != nil {
		if fe := contact.CheckPhone(*in.Phone, path("phone")); fe != nil {
			errs = append(errs, *fe)
		}
	}
	if in.Country == nil {
		if !partial {
			errs = append(errs, apperr.Fieldf(CodeBlank, path("country"), "Choose a country."))
		}
	} else {
		c, fe := contact.NormalizeCountry(*in.Country, path("country"))
		if fe != nil {
			errs = append(errs, *fe)
			c = strings.ToUpper(strings.TrimSpace(*in.Country))
		}
		in.Country = &c
	}
	return in, errs
}

// IsCountry reports whether c is an assigned ISO 3166-1 alpha-2 code.
func IsCountry(c string) bool { return contact.IsCountry(c) }

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
