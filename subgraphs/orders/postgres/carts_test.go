package postgres

import (
	"sync"
	"testing"

	"github.com/shopgraph/shopgraph/internal/apperr"
	"github.com/shopgraph/shopgraph/internal/pg/pgtest"
	"github.com/shopgraph/shopgraph/subgraphs/orders"
)

func quantities(c *orders.Cart) map[int64]int {
	out := map[int64]int{}
	for _, l := range c.Lines {
		out[l.VariantID] = l.Quantity
	}
	return out
}

func line(variant int64, qty int) orders.LineChange {
	return orders.LineChange{VariantID: variant, Quantity: qty, SeenPrice: 1000 + variant, Currency: "USD"}
}

func TestCartLines(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := New(pgtest.New(t, Migrations()))

	c, err := s.CreateCart(ctx, 0)
	if err != nil || c.UserID != 0 || len(c.Lines) != 0 || len(c.ID) != 36 {
		t.Fatalf("new guest cart %+v, %v", c, err)
	}
	c, err = s.AddLines(ctx, c.ID, []orders.LineChange{line(1, 2), line(2, 1)})
	if err != nil {
		t.Fatal(err)
	}
	c, err = s.AddLines(ctx, c.ID, []orders.LineChange{line(1, 3), line(3, 150)})
	if err != nil {
		t.Fatal(err)
	}
	if got := quantities(c); got[1] != 5 || got[2] != 1 || got[3] != orders.MaxLineQuantity || len(got) != 3 {
		t.Errorf("after adds: %v", got)
	}
	if c.Lines[0].VariantID != 1 || c.Lines[0].SeenPrice != 1001 || c.Lines[0].Currency != "USD" {
		t.Errorf("lines keep their order and seen price: %+v", c.Lines)
	}
	c, err = s.SetLines(ctx, c.ID, []orders.LineChange{line(1, 1), line(2, 0)})
	if err != nil {
		t.Fatal(err)
	}
	if got := quantities(c); got[1] != 1 || len(got) != 2 {
		t.Errorf("after set: %v", got)
	}
	for _, bad := range []string{"nope", "00000000-0000-0000-0000-000000000000", ""} {
		if _, err := s.CartByID(ctx, bad); apperr.Code(err) != orders.ENOTFOUND {
			t.Errorf("CartByID(%q): %v", bad, err)
		}
		if _, err := s.AddLines(ctx, bad, []orders.LineChange{line(1, 1)}); apperr.Code(err) != orders.ENOTFOUND {
			t.Errorf("AddLines(%q): %v", bad, err)
		}
	}
	many := make([]orders.LineChange, orders.MaxCartLines+1)
	for i := range many {
		many[i] = line(int64(100+i), 1)
	}
	if _, err := s.AddLines(ctx, c.ID, many); apperr.Code(err) != orders.EINVALID {
		t.Errorf("a cart over %d lines: %v", orders.MaxCartLines, err)
	}
	if after, _ := s.CartByID(ctx, c.ID); len(after.Lines) != 2 {
		t.Errorf("the refused add changed the cart: %d lines", len(after.Lines))
	}
}

func TestUserCartsAndMerge(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := New(pgtest.New(t, Migrations()))

	// Concurrent creations for one user agree on one cart.
	ids := make([]string, 8)
	var wg sync.WaitGroup
	for i := range ids {
		wg.Go(func() {
			c, err := s.CreateCart(ctx, 7)
			if err != nil {
				t.Error(err)
				return
			}
			ids[i] = c.ID
		})
	}
	wg.Wait()
	for _, id := range ids {
		if id != ids[0] {
			t.Fatalf("user 7 got several carts: %v", ids)
		}
	}
	mine, err := s.AddLines(ctx, ids[0], []orders.LineChange{line(1, 2), line(2, 4)})
	if err != nil {
		t.Fatal(err)
	}

	guest, _ := s.CreateCart(ctx, 0)
	if _, err := s.AddLines(ctx, guest.ID, []orders.LineChange{line(1, 3), line(2, 5), line(3, 1)}); err != nil {
		t.Fatal(err)
	}
	caps := map[int64]int{1: 10, 2: 6, 3: 10} // variant 2 has 6 in stock
	merged, err := s.AttachToUser(ctx, guest.ID, 7, func(v int64) int { return caps[v] })
	if err != nil {
		t.Fatal(err)
	}
	if merged.ID != mine.ID || merged.UserID != 7 {
		t.Errorf("merged into %s (user %d), want the user's cart %s", merged.ID, merged.UserID, mine.ID)
	}
	if got := quantities(merged); got[1] != 5 || got[2] != 6 || got[3] != 1 {
		t.Errorf("merged quantities %v; want 1:5, 2:6 (capped by stock), 3:1", got)
	}
	if _, err := s.CartByID(ctx, guest.ID); apperr.Code(err) != orders.ENOTFOUND {
		t.Errorf("the guest cart survived the merge: %v", err)
	}

	// A user without a cart takes the guest cart over.
	other, _ := s.CreateCart(ctx, 0)
	taken, err := s.AttachToUser(ctx, other.ID, 8, func(int64) int { return 99 })
	if err != nil || taken.ID != other.ID || taken.UserID != 8 {
		t.Errorf("take over: %+v, %v", taken, err)
	}
	if c, _ := s.CartOfUser(ctx, 8); c == nil || c.ID != other.ID {
		t.Errorf("CartOfUser(8) = %+v", c)
	}
	// Nobody attaches another user's cart.
	if _, err := s.AttachToUser(ctx, other.ID, 9, func(int64) int { return 99 }); apperr.Code(err) != orders.ENOTFOUND {
		t.Errorf("attaching user 8's cart to user 9: %v", err)
	}
	if c, _ := s.CartOfUser(ctx, 9); c != nil {
		t.Errorf("user 9 has a cart: %+v", c)
	}
}

func TestTaxRate(t *testing.T) {
	t.Parallel()
	s := New(pgtest.New(t, Migrations()))
	for country, want := range map[string]int{"GB": 2000, "DE": 1900, "US": 0, "BR": 0} {
		if got, err := s.TaxRate(t.Context(), country); err != nil || got != want {
			t.Errorf("TaxRate(%s) = %d, %v; want %d", country, got, err, want)
		}
	}
}
