package execute

import "testing"

// TestExecuteConditionalMutation: a mutation field under a false @include is not
// executed (the next order takes the first id), and shaping follows the values.
func TestExecuteConditionalMutation(t *testing.T) {
	t.Parallel()
	const query = `mutation($x: Boolean!) {
		a: placeOrder(variantId: "v1") @include(if: $x) { id }
		b: placeOrder(variantId: "v3") { id variant { sku @skip(if: $x) } }
	}`
	tests := []struct {
		x    bool
		want string
	}{
		{false, `{"b":{"id":"o1","variant":{"sku":"SKU-3"}}}`},
		{true, `{"a":{"id":"o1"},"b":{"id":"o2","variant":{}}}`},
	}
	for _, tt := range tests {
		s := startShop(t, nil)
		resp := s.run(t, Options{}, query, map[string]any{"x": tt.x})
		if string(resp.Data) != tt.want || len(resp.Errors) != 0 {
			t.Errorf("x=%v: data = %s errors = %+v, want %s", tt.x, resp.Data, resp.Errors, tt.want)
		}
	}
}
