package catalog

import "testing"

func TestStockLevel(t *testing.T) {
	t.Parallel()
	tests := []struct {
		onHand, reserved, available int
		want                        string
	}{
		{0, 0, 0, StockOut},
		{3, 3, 0, StockOut},
		{1, 0, 1, StockLow},
		{LowStockAt, 0, LowStockAt, StockLow},
		{LowStockAt + 2, 2, LowStockAt, StockLow},
		{LowStockAt + 1, 0, LowStockAt + 1, StockIn},
		{100, 10, 90, StockIn},
	}
	for _, tt := range tests {
		v := Variant{StockOnHand: tt.onHand, StockReserved: tt.reserved}
		if got := v.Available(); got != tt.available {
			t.Errorf("on hand %d, reserved %d: available %d, want %d", tt.onHand, tt.reserved, got, tt.available)
		}
		if got := v.StockLevel(); got != tt.want {
			t.Errorf("on hand %d, reserved %d: level %s, want %s", tt.onHand, tt.reserved, got, tt.want)
		}
	}
}
