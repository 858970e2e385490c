package orders

import (
	"testing"

	"github.com/shopgraph/shopgraph/internal/apperr"
)

func TestEstimateChargesEachStartedKilogram(t *testing.T) {
	t.Parallel()
	r := ShippingRate{Base: 499, PerKg: 150, Currency: "USD"}
	for _, tt := range []struct {
		grams int
		want  int64
	}{{0, 499}, {1, 649}, {1000, 649}, {1001, 799}, {2300, 949}} {
		if got, err := r.Estimate(tt.grams); err != nil || got != tt.want {
			t.Errorf("Estimate(%d) = %d, %v; want %d", tt.grams, got, err, tt.want)
		}
	}
	if _, err := r.Estimate(-1); apperr.Code(err) != EINVALID {
		t.Errorf("negative weight: %v", err)
	}
}

func TestParseCountry(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"US": "US", "de": "DE", " gb ": "GB", "BR": "BR"} {
		if got, err := ParseCountry(in); err != nil || got != want {
			t.Errorf("ParseCountry(%q) = %q, %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "U", "USA", "XX", "ZZ", "1A", "U "} {
		if _, err := ParseCountry(bad); apperr.Code(err) != EINVALID {
			t.Errorf("ParseCountry(%q) = %v; want EINVALID", bad, err)
		}
	}
}
