package money

import (
	"errors"
	"math"
	"testing"
)

func TestFormat(t *testing.T) {
	t.Parallel()
	tests := []struct {
		minor    int64
		currency Currency
		want     string
	}{
		{0, USD, "0.00"},
		{5, USD, "0.05"},
		{50, EUR, "0.50"},
		{1250, USD, "12.50"},
		{-5, GBP, "-0.05"},
		{-123456, USD, "-1234.56"},
		{1200, JPY, "1200"},
		{-7, JPY, "-7"},
		{math.MaxInt64, USD, "92233720368547758.07"},
		{math.MinInt64, USD, "-92233720368547758.08"},
	}
	for _, tt := range tests {
		got, err := Format(tt.minor, tt.currency)
		if err != nil || got != tt.want {
			t.Errorf("Format(%d, %s) = %q, %v; want %q", tt.minor, tt.currency, got, err, tt.want)
		}
	}
	if _, err := Format(1, "XXX"); err == nil {
		t.Error("Format with unknown currency: want error")
	}
}

func TestParse(t *testing.T) {
	t.Parallel()
	good := []struct {
		in       string
		currency Currency
		want     int64
	}{
		{"12.50", USD, 1250},
		{"12.5", USD, 1250},
		{"12", USD, 1200},
		{"0.05", EUR, 5},
		{"-0.05", EUR, -5},
		{"1200", JPY, 1200},
		{"92233720368547758.07", USD, math.MaxInt64},
	}
	for _, tt := range good {
		got, err := Parse(tt.in, tt.currency)
		if err != nil || got != tt.want {
			t.Errorf("Parse(%q, %s) = %d, %v; want %d", tt.in, tt.currency, got, err, tt.want)
		}
	}
	bad := []struct {
		in       string
		currency Currency
	}{
		{"", USD}, {"-", USD}, {"1.", USD}, {".5", USD}, {"1.234", USD}, {"1.5", JPY},
		{"1e3", USD}, {"+1", USD}, {"1,00", EUR}, {"92233720368547758.08", USD}, {"1", "XXX"},
	}
	for _, tt := range bad {
		if got, err := Parse(tt.in, tt.currency); err == nil {
			t.Errorf("Parse(%q, %s) = %d; want error", tt.in, tt.currency, got)
		}
	}
}

func TestFormatParseRoundTrip(t *testing.T) {
	t.Parallel()
	for _, c := range []Currency{USD, JPY} {
		for _, n := range []int64{0, 1, 9, 10, 99, 100, 101, 123456789, -1, -100, -101} {
			s, err := Format(n, c)
			if err != nil {
				t.Fatal(err)
			}
			back, err := Parse(s, c)
			if err != nil || back != n {
				t.Errorf("%d %s -> %q -> %d, %v", n, c, s, back, err)
			}
		}
	}
}

func TestArithmeticOverflow(t *testing.T) {
	t.Parallel()
	if s, err := Add(1250, 399); err != nil || s != 1649 {
		t.Errorf("Add = %d, %v", s, err)
	}
	if _, err := Add(math.MaxInt64, 1); !errors.Is(err, ErrOverflow) {
		t.Errorf("Add overflow: %v", err)
	}
	if _, err := Add(math.MinInt64, -1); !errors.Is(err, ErrOverflow) {
		t.Errorf("Add underflow: %v", err)
	}
	if p, err := Mul(450, 3); err != nil || p != 1350 {
		t.Errorf("Mul = %d, %v", p, err)
	}
	if _, err := Mul(math.MaxInt64/2+1, 2); !errors.Is(err, ErrOverflow) {
		t.Errorf("Mul overflow: %v", err)
	}
	if _, err := Mul(-1, math.MinInt64); !errors.Is(err, ErrOverflow) {
		t.Errorf("Mul MinInt64: %v", err)
	}
}

func TestParseCurrency(t *testing.T) {
	t.Parallel()
	if c, err := ParseCurrency("EUR"); err != nil || c != EUR {
		t.Errorf("ParseCurrency(EUR) = %q, %v", c, err)
	}
	if _, err := ParseCurrency("usd"); err == nil {
		t.Error("ParseCurrency(usd): want error, codes are upper case")
	}
	if got := New(1999, USD).String(); got != "19.99 USD" {
		t.Errorf("String = %q", got)
	}
}
