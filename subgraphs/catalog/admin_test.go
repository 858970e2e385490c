package catalog

import (
	"strings"
	"testing"
)

func TestCheckSlug(t *testing.T) {
	t.Parallel()
	cases := []struct{ slug, code string }{
		{"wool-socks", ""},
		{"a1", ""},
		{"", CodeBlank},
		{"Wool", CodeInvalid},
		{"wool_socks", CodeInvalid},
		{"-wool", CodeInvalid},
		{"wool-", CodeInvalid},
		{"wool--socks", CodeInvalid},
		{"wöol", CodeInvalid},
		{strings.Repeat("a", MaxSlugLength), ""},
		{strings.Repeat("a", MaxSlugLength+1), CodeTooLong},
	}
	for _, c := range cases {
		errs := CheckSlug([]string{"slug"}, c.slug)
		got := ""
		if len(errs) > 0 {
			got = errs[0].Code
		}
		if got != c.code || len(errs) > 1 {
			t.Errorf("CheckSlug(%q) = %+v, want %q", c.slug, errs, c.code)
		}
	}
}

func TestCheckOptionsFit(t *testing.T) {
	t.Parallel()
	sizeM := []Option{{"Size", "M"}, {"Colour", "Navy"}}
	cases := []struct {
		name string
		opts []Option
		code string
	}{
		{"other values", []Option{{"Size", "L"}, {"Colour", "Navy"}}, ""},
		{"same values, other case and spaces", []Option{{"size", " m"}, {"COLOUR", "navy "}}, CodeTaken},
		{"other order", []Option{{"Colour", "Navy"}, {"Size", "L"}}, CodeInvalid},
		{"fewer", []Option{{"Size", "L"}}, CodeInvalid},
		{"none", nil, CodeInvalid},
	}
	for _, c := range cases {
		fe := CheckOptionsFit([]string{"options"}, c.opts, [][]Option{sizeM})
		got := ""
		if fe != nil {
			got = fe.Code
		}
		if got != c.code {
			t.Errorf("%s: %+v, want %q", c.name, fe, c.code)
		}
	}
	if fe := CheckOptionsFit(nil, nil, nil); fe != nil {
		t.Errorf("a first variant fits anything: %+v", fe)
	}
}

func TestVariantName(t *testing.T) {
	t.Parallel()
	if got := VariantName([]Option{{"Size", " M "}, {"Colour", "Navy"}}); got != "M / Navy" {
		t.Errorf("got %q", got)
	}
	if got := VariantName(nil); got != "Default" {
		t.Errorf("got %q", got)
	}
}

func TestVariantUpdateApply(t *testing.T) {
	t.Parallel()
	was := int64(2000)
	v := Variant{SKU: "A", Price: 1500, CompareAt: &was, Weight: 10}
	price, sku := int64(1200), "B"
	got := VariantUpdate{Price: &price, SKU: &sku}.Apply(v)
	if got.Price != 1200 || got.SKU != "B" || got.CompareAt == nil || *got.CompareAt != 2000 || got.Weight != 10 {
		t.Errorf("applied %+v", got)
	}
	if got := (VariantUpdate{ClearCompareAt: true}).Apply(v); got.CompareAt != nil || v.CompareAt == nil {
		t.Errorf("clear: %+v, original %+v", got, v)
	}
	if errs := CheckPrices(nil, got.Price, got.CompareAt); len(errs) != 0 {
		t.Errorf("1200 under 2000: %+v", errs)
	}
	if errs := CheckPrices([]string{"x"}, 2000, &was); len(errs) != 1 || strings.Join(errs[0].Field, ".") != "x.compareAtPrice" {
		t.Errorf("equal prices: %+v", errs)
	}
}

func TestInputErrorMessage(t *testing.T) {
	t.Parallel()
	if Invalid() != nil {
		t.Error("Invalid() without errors is not nil")
	}
	err := Invalid(FieldError{Code: CodeBlank, Field: []string{"variants", "0", "sku"}, Message: "SKU must not be blank"})
	if err.Error() != "invalid input: variants.0.sku: SKU must not be blank" {
		t.Errorf("got %q", err)
	}
}
