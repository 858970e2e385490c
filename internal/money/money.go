// Package money handles amounts of money as integer minor units (cents, pence, yen)
// and converts them to and from the decimal strings the API shows. It never uses
// floating point, which cannot hold 0.10 exactly.
package money

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Currency is an ISO 4217 currency code, such as "USD".
type Currency string

// Currencies the shop trades in, with the number of decimal digits of their minor unit.
const (
	USD Currency = "USD"
	EUR Currency = "EUR"
	GBP Currency = "GBP"
	CAD Currency = "CAD"
	AUD Currency = "AUD"
	JPY Currency = "JPY"
)

// Exponent returns how many decimal digits the currency's minor unit has (2 for
// USD cents, 0 for JPY), and false for a currency the shop does not know.
func (c Currency) Exponent() (int, bool) {
	switch c {
	case USD, EUR, GBP, CAD, AUD:
		return 2, true
	case JPY:
		return 0, true
	}
	return 0, false
}

// ParseCurrency checks that code is a currency the shop knows.
func ParseCurrency(code string) (Currency, error) {
	c := Currency(code)
	if _, ok := c.Exponent(); !ok {
		return "", fmt.Errorf("unknown currency %q", code)
	}
	return c, nil
}

// Money is an amount in a currency's minor units.
type Money struct {
	Minor    int64
	Currency Currency
}

// New returns minor units of currency as Money.
func New(minor int64, currency Currency) Money {
	return Money{Minor: minor, Currency: currency}
}

// String formats m as "12.50 USD" for logs and messages.
func (m Money) String() string {
	s, err := Format(m.Minor, m.Currency)
	if err != nil {
		return fmt.Sprintf("%d minor %s", m.Minor, m.Currency)
	}
	return s + " " + string(m.Currency)
}

// Format writes minor units as a decimal string with the currency's exponent:
// 1250 USD is "12.50", -5 USD is "-0.05", 1200 JPY is "1200".
func Format(minor int64, currency Currency) (string, error) {
	exp, ok := currency.Exponent()
	if !ok {
		return "", fmt.Errorf("format %d: unknown currency %q", minor, currency)
	}
	neg := minor < 0
	// Work on the magnitude as uint64 so math.MinInt64 has a magnitude too.
	mag := uint64(minor)
	if neg {
		mag = -mag
	}
	digits := strconv.FormatUint(mag, 10)
	if exp > 0 {
		if len(digits) <= exp {
			digits = strings.Repeat("0", exp-len(digits)+1) + digits
		}
		digits = digits[:len(digits)-exp] + "." + digits[len(digits)-exp:]
	}
	if neg {
		return "-" + digits, nil
	}
	return digits, nil
}

// Parse reads a decimal string such as "12.5" or "-0.05" into minor units of the
// currency. It accepts at most the currency's number of decimals, so no amount is
// silently rounded.
func Parse(s string, currency Currency) (int64, error) {
	exp, ok := currency.Exponent()
	if !ok {
		return 0, fmt.Errorf("parse %q: unknown currency %q", s, currency)
	}
	fail := func(why string) (int64, error) {
		return 0, fmt.Errorf("parse %q as %s: %s", s, currency, why)
	}
	body, neg := strings.CutPrefix(s, "-")
	whole, frac, hasDot := strings.Cut(body, ".")
	switch {
	case whole == "" || !allDigits(whole) || !allDigits(frac):
		return fail("want a decimal number such as 12.50")
	case hasDot && frac == "":
		return fail("want digits after the decimal point")
	case len(frac) > exp:
		return fail(fmt.Sprintf("at most %d decimal places", exp))
	}
	frac += strings.Repeat("0", exp-len(frac))
	n, err := strconv.ParseUint(whole+frac, 10, 64)
	if err != nil || n > math.MaxInt64 {
		return fail("out of range")
	}
	if neg {
		return -int64(n), nil
	}
	return int64(n), nil
}

func allDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// ErrOverflow reports arithmetic on amounts beyond the int64 range.
var ErrOverflow = errors.New("money: amount out of range")

// Add returns a+b in minor units, or ErrOverflow.
func Add(a, b int64) (int64, error) {
	s := a + b
	if (b > 0 && s < a) || (b < 0 && s > a) {
		return 0, ErrOverflow
	}
	return s, nil
}

// Mul returns a*n in minor units, or ErrOverflow.
func Mul(a, n int64) (int64, error) {
	if a == 0 || n == 0 {
		return 0, nil
	}
	p := a * n
	if p/n != a || (a == -1 && n == math.MinInt64) || (n == -1 && a == math.MinInt64) {
		return 0, ErrOverflow
	}
	return p, nil
}
