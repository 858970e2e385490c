// Package contact validates and normalises contact details the same way in
// every service: email addresses, postal addresses' fields and ISO 3166-1
// country codes. Its checks return apperr.FieldErrors with the codes below,
// which the services' GraphQL error-code enums share.
package contact

import (
	"net/mail"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/shopgraph/shopgraph/internal/apperr"
)

// Codes of the FieldErrors this package returns.
const (
	CodeBlank          = "BLANK"
	CodeTooLong        = "TOO_LONG"
	CodeInvalid        = "INVALID"
	CodeInvalidEmail   = "INVALID_EMAIL"
	CodeInvalidCountry = "INVALID_COUNTRY"
)

// Lengths of address fields.
const (
	MaxAddressText = 100
	MaxPostalCode  = 16
	MaxPhone       = 32
)

var (
	postalCodePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9 -]*$`)
	phonePattern      = regexp.MustCompile(`^\+?[0-9][0-9 ()./-]*$`)
)

// MaxEmailLength is RFC 5321's limit on a forward path, which bounds an address.
const MaxEmailLength = 254

// MaxNameLength bounds a display name.
const MaxNameLength = 100

// NormalizeEmail trims and lower-cases an address and checks its form: one
// addr-spec, no display name, a dot in the domain. Lower-casing the local part
// is what shoppers expect (Jane@x.com and jane@x.com are one account) though
// RFC 5321 leaves it to the mail server.
func NormalizeEmail(raw string, field []string) (string, *apperr.FieldError) {
	e := strings.ToLower(strings.TrimSpace(raw))
	if e == "" {
		fe := apperr.Fieldf(CodeBlank, field, "Enter an email address.")
		return "", &fe
	}
	if len(e) > MaxEmailLength {
		fe := apperr.Fieldf(CodeTooLong, field, "An email address has at most %d characters.", MaxEmailLength)
		return "", &fe
	}
	a, err := mail.ParseAddress(e)
	if err != nil || a.Address != e || a.Name != "" {
		fe := apperr.Fieldf(CodeInvalidEmail, field, "Enter an email address such as jane@example.com.")
		return "", &fe
	}
	_, domain, _ := strings.Cut(e, "@")
	if !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") {
		fe := apperr.Fieldf(CodeInvalidEmail, field, "Enter an email address such as jane@example.com.")
		return "", &fe
	}
	return e, nil
}

// CheckText trims a required or optional text and checks its length and that
// it has no control characters.
func CheckText(raw string, field []string, required bool, max int, what string) (string, *apperr.FieldError) {
	v := strings.TrimSpace(raw)
	switch {
	case v == "" && required:
		fe := apperr.Fieldf(CodeBlank, field, "Enter %s.", what)
		return "", &fe
	case utf8.RuneCountInString(v) > max:
		fe := apperr.Fieldf(CodeTooLong, field, "Use at most %d characters for %s.", max, what)
		return "", &fe
	case !utf8.ValidString(v) || strings.IndexFunc(v, unicode.IsControl) >= 0:
		fe := apperr.Fieldf(CodeInvalid, field, "%s has characters that are not allowed.", upperFirst(what))
		return "", &fe
	}
	return v, nil
}

func upperFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}

// CheckPostalCode checks a non-empty, trimmed postal code's characters.
func CheckPostalCode(v string, field []string) *apperr.FieldError {
	if v != "" && !postalCodePattern.MatchString(v) {
		fe := apperr.Fieldf(CodeInvalid, field, "A postal code has letters, digits, spaces and dashes only.")
		return &fe
	}
	return nil
}

// CheckPhone checks a non-empty, trimmed phone number's characters.
func CheckPhone(v string, field []string) *apperr.FieldError {
	if v != "" && !phonePattern.MatchString(v) {
		fe := apperr.Fieldf(CodeInvalid, field, "Enter a phone number such as +44 20 7946 0958.")
		return &fe
	}
	return nil
}

// NormalizeCountry upper-cases a trimmed country code and checks that ISO
// 3166-1 assigns it.
func NormalizeCountry(raw string, field []string) (string, *apperr.FieldError) {
	c := strings.ToUpper(strings.TrimSpace(raw))
	if !IsCountry(c) {
		fe := apperr.Fieldf(CodeInvalidCountry, field, "%q is not an ISO 3166-1 alpha-2 country code such as GB or DE.", raw)
		return "", &fe
	}
	return c, nil
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
