package postgres

import (
	"fmt"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/shopgraph/shopgraph/internal/pg/pgtest"
	"github.com/shopgraph/shopgraph/subgraphs/users"
)

func ptr[T any](v T) *T { return &v }

// addressInput is a complete, valid new address named name.
func addressInput(name string) users.AddressInput {
	return users.AddressInput{
		Name: ptr(name), Line1: ptr("1 Main Street"), Line2: ptr("Flat 2"), City: ptr("Springfield"),
		Region: ptr("IL"), PostalCode: ptr("62701"), Country: ptr("US"), Phone: ptr("+1 555 0100"),
	}
}

// mustAddress adds an address or fails the test.
func mustAddress(t *testing.T, s *Store, userID int64, in users.AddressInput) *users.Address {
	t.Helper()
	a, err := s.AddAddress(t.Context(), userID, in)
	if err != nil {
		t.Fatalf("add address for user %d: %v", userID, err)
	}
	return a
}

// addressBook returns userID's addresses, oldest first.
func addressBook(t *testing.T, s *Store, userID int64) []*users.Address {
	t.Helper()
	book, err := s.AddressesByUserIDs(t.Context(), []int64{userID})
	if err != nil {
		t.Fatal(err)
	}
	return book[userID]
}

// defaults returns the ids of the user's default shipping and billing
// addresses as the database holds them, each list empty when there is none.
func defaults(t *testing.T, pool *pgxpool.Pool, userID int64) (shipping, billing []int64) {
	t.Helper()
	rows, err := pool.Query(t.Context(), `
		SELECT id, is_default_shipping, is_default_billing FROM addresses
		WHERE user_id = $1 AND (is_default_shipping OR is_default_billing) ORDER BY id`, userID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var ship, bill bool
		if err := rows.Scan(&id, &ship, &bill); err != nil {
			t.Fatal(err)
		}
		if ship {
			shipping = append(shipping, id)
		}
		if bill {
			billing = append(billing, id)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return shipping, billing
}

func TestAddAddressDefaults(t *testing.T) {
	t.Parallel()
	s, pool := newStore(t)
	u := mustUser(t, s, "home@example.com")

	first := mustAddress(t, s, u.ID, addressInput("Home"))
	want := users.Address{
		ID: first.ID, UserID: u.ID, Name: "Home", Line1: "1 Main Street", Line2: "Flat 2", City: "Springfield",
		Region: "IL", PostalCode: "62701", Country: "US", Phone: "+1 555 0100",
		DefaultShipping: true, DefaultBilling: true, CreatedAt: first.CreatedAt,
	}
	if *first != want || first.CreatedAt.IsZero() {
		t.Errorf("first address = %+v, want %+v", first, want)
	}

	in := addressInput("Office")
	in.DefaultShipping = ptr(true)
	second := mustAddress(t, s, u.ID, in)
	if !second.DefaultShipping || second.DefaultBilling {
		t.Errorf("second address defaults: shipping %v billing %v; want shipping only", second.DefaultShipping, second.DefaultBilling)
	}
	third := mustAddress(t, s, u.ID, addressInput("Parents"))
	if third.DefaultShipping || third.DefaultBilling {
		t.Errorf("third address took a default: %+v", third)
	}
	ship, bill := defaults(t, pool, u.ID)
	if fmt.Sprint(ship) != fmt.Sprint([]int64{second.ID}) || fmt.Sprint(bill) != fmt.Sprint([]int64{first.ID}) {
		t.Errorf("defaults: shipping %v billing %v; want shipping [%d] billing [%d]", ship, bill, second.ID, first.ID)
	}

	t.Run("optional fields may be absent", func(t *testing.T) {
		in := addressInput("Minimal")
		in.Line2, in.Region, in.Phone = nil, ptr(""), nil
		a := mustAddress(t, s, u.ID, in)
		if a.Line2 != "" || a.Region != "" || a.Phone != "" {
			t.Errorf("address = %+v, want empty line2, region and phone", a)
		}
		var nulls int
		if err := pool.QueryRow(t.Context(), `
			SELECT num_nulls(line2, region, phone) FROM addresses WHERE id = $1`, a.ID).Scan(&nulls); err != nil {
			t.Fatal(err)
		}
		if nulls != 3 {
			t.Errorf("%d of line2, region, phone stored as NULL, want 3", nulls)
		}
	})

	t.Run("unknown user", func(t *testing.T) {
		_, err := s.AddAddress(t.Context(), u.ID+1000, addressInput("Nowhere"))
		wantCode(t, err, users.ENOTFOUND)
	})
}

func TestAddAddressLimit(t *testing.T) {
	t.Parallel()
	s, _ := newStore(t)
	u := mustUser(t, s, "collector@example.com")
	for i := range users.MaxAddresses {
		mustAddress(t, s, u.ID, addressInput(fmt.Sprintf("Address %d", i)))
	}
	_, err := s.AddAddress(t.Context(), u.ID, addressInput("One too many"))
	wantCode(t, err, users.EINVALID)
	if n := len(addressBook(t, s, u.ID)); n != users.MaxAddresses {
		t.Errorf("address book holds %d, want %d", n, users.MaxAddresses)
	}

	// Making room allows one more.
	if err := s.DeleteAddress(t.Context(), u.ID, addressBook(t, s, u.ID)[0].ID); err != nil {
		t.Fatal(err)
	}
	mustAddress(t, s, u.ID, addressInput("Replacement"))
}

// TestAddAddressConcurrentLimit adds to a nearly full address book from several
// goroutines at once: only one may fit.
func TestAddAddressConcurrentLimit(t *testing.T) {
	t.Parallel()
	s, _ := newStore(t)
	u := mustUser(t, s, "crowd@example.com")
	for i := range users.MaxAddresses - 1 {
		mustAddress(t, s, u.ID, addressInput(fmt.Sprintf("Address %d", i)))
	}
	const n = 5
	errs := make([]error, n)
	var start, wg sync.WaitGroup
	start.Add(1)
	for i := range n {
		wg.Go(func() {
			start.Wait()
			_, errs[i] = s.AddAddress(t.Context(), u.ID, addressInput(fmt.Sprintf("Racer %d", i)))
		})
	}
	start.Done()
	wg.Wait()

	added := 0
	for _, err := range errs {
		if err == nil {
			added++
		}
	}
	if got := len(addressBook(t, s, u.ID)); got != users.MaxAddresses || added != 1 {
		t.Errorf("%d concurrent adds to %d addresses: %d succeeded, book holds %d (errors %v); want 1 and %d",
			n, users.MaxAddresses-1, added, got, errs, users.MaxAddresses)
	}
}

// TestAddAddressConcurrentFirst adds a user's first address from several
// goroutines at once: the user must end with one default of each kind, held by
// the address that was really first.
func TestAddAddressConcurrentFirst(t *testing.T) {
	t.Parallel()
	s, pool := newStore(t)
	u := mustUser(t, s, "first@example.com")
	const n = 5
	errs := make([]error, n)
	var start, wg sync.WaitGroup
	start.Add(1)
	for i := range n {
		wg.Go(func() {
			start.Wait()
			_, errs[i] = s.AddAddress(t.Context(), u.ID, addressInput(fmt.Sprintf("Racer %d", i)))
		})
	}
	start.Done()
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("goroutine %d: %v", i, err)
		}
	}

	book := addressBook(t, s, u.ID)
	if len(book) != n {
		t.Fatalf("address book holds %d, want %d", len(book), n)
	}
	ship, bill := defaults(t, pool, u.ID)
	if len(ship) != 1 || len(bill) != 1 {
		t.Fatalf("defaults: shipping %v billing %v; want exactly one of each", ship, bill)
	}
	// Ids are drawn after the user's row is locked, so the oldest is the first.
	if ship[0] != book[0].ID || bill[0] != book[0].ID {
		t.Errorf("defaults: shipping %v billing %v; want the first address %d for both", ship, bill, book[0].ID)
	}
}

func TestAddressOfAnotherUserIsNotFound(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s, _ := newStore(t)
	owner := mustUser(t, s, "owner@example.com")
	intruder := mustUser(t, s, "intruder@example.com")
	a := mustAddress(t, s, owner.ID, addressInput("Home"))
	mustAddress(t, s, intruder.ID, addressInput("Own home"))

	tests := []struct {
		name   string
		userID int64
		id     int64
	}{
		{"another user's address", intruder.ID, a.ID},
		{"unknown address", owner.ID, a.ID + 1000},
	}
	for _, tt := range tests {
		_, err := s.UpdateAddress(ctx, tt.userID, tt.id, users.AddressInput{Name: ptr("Mine now"), DefaultShipping: ptr(true)})
		wantCode(t, err, users.ENOTFOUND)
		wantCode(t, s.DeleteAddress(ctx, tt.userID, tt.id), users.ENOTFOUND)
	}
	book := addressBook(t, s, owner.ID)
	if len(book) != 1 || *book[0] != *a {
		t.Errorf("owner's address book = %+v, want the untouched %+v", book, a)
	}
	// The refused update did not take the intruder's own default away.
	if own := addressBook(t, s, intruder.ID); len(own) != 1 || !own[0].DefaultShipping {
		t.Errorf("intruder's address book = %+v, want their address still the shipping default", own)
	}

	if err := s.DeleteAddress(ctx, owner.ID, a.ID); err != nil {
		t.Fatalf("owner deletes: %v", err)
	}
	if book := addressBook(t, s, owner.ID); len(book) != 0 {
		t.Errorf("after delete: %+v", book)
	}
	wantCode(t, s.DeleteAddress(ctx, owner.ID, a.ID), users.ENOTFOUND)
}

func TestUpdateAddress(t *testing.T) {
	t.Parallel()
	s, pool := newStore(t)
	u := mustUser(t, s, "mover@example.com")
	home := mustAddress(t, s, u.ID, addressInput("Home"))
	work := mustAddress(t, s, u.ID, addressInput("Work"))

	// Each step applies to the result of the one before.
	steps := []struct {
		name   string
		id     int64
		in     users.AddressInput
		change func(a *users.Address) // turns the address before into the one wanted
	}{
		{
			name:   "nil keeps every field",
			id:     home.ID,
			in:     users.AddressInput{},
			change: func(*users.Address) {},
		},
		{
			name: "empty strings clear optional fields",
			id:   home.ID,
			in:   users.AddressInput{Line2: ptr(""), Region: ptr(""), Phone: ptr("")},
			change: func(a *users.Address) {
				a.Line2, a.Region, a.Phone = "", "", ""
			},
		},
		{
			name: "set some fields, keep the rest",
			id:   home.ID,
			in:   users.AddressInput{Name: ptr("New Home"), City: ptr("Shelbyville"), Line2: ptr("Unit 9")},
			change: func(a *users.Address) {
				a.Name, a.City, a.Line2 = "New Home", "Shelbyville", "Unit 9"
			},
		},
		{
			name: "nil keeps what an earlier change set",
			id:   home.ID,
			in:   users.AddressInput{PostalCode: ptr("62565"), Country: ptr("CA")},
			change: func(a *users.Address) {
				a.PostalCode, a.Country = "62565", "CA"
			},
		},
		{
			name: "taking the shipping default",
			id:   work.ID,
			in:   users.AddressInput{DefaultShipping: ptr(true)},
			change: func(a *users.Address) {
				a.DefaultShipping = true
			},
		},
	}
	current := map[int64]users.Address{home.ID: *home, work.ID: *work}
	for _, st := range steps {
		want := current[st.id]
		st.change(&want)
		got, err := s.UpdateAddress(t.Context(), u.ID, st.id, st.in)
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if *got != want {
			t.Errorf("%s:\n got %+v\nwant %+v", st.name, *got, want)
		}
		current[st.id] = *got
	}
	// Work took the shipping default from home.
	h := current[home.ID]
	h.DefaultShipping = false
	current[home.ID] = h
	ship, bill := defaults(t, pool, u.ID)
	if fmt.Sprint(ship) != fmt.Sprint([]int64{work.ID}) || fmt.Sprint(bill) != fmt.Sprint([]int64{home.ID}) {
		t.Errorf("defaults: shipping %v billing %v; want shipping [%d] billing [%d]", ship, bill, work.ID, home.ID)
	}
	// The stored rows agree with what UpdateAddress returned.
	for _, a := range addressBook(t, s, u.ID) {
		if *a != current[a.ID] {
			t.Errorf("stored %+v, UpdateAddress returned %+v", *a, current[a.ID])
		}
	}
}

// TestUpdateAddressConcurrentDefaults moves the shipping default to different
// addresses from several goroutines at once, with an add that claims it too:
// every change must succeed (the last one wins) and one default remain.
func TestUpdateAddressConcurrentDefaults(t *testing.T) {
	t.Parallel()
	s, pool := newStore(t)
	u := mustUser(t, s, "switcher@example.com")
	var book []*users.Address
	for i := range 5 {
		book = append(book, mustAddress(t, s, u.ID, addressInput(fmt.Sprintf("Address %d", i))))
	}
	errs := make([]error, len(book)+1)
	var start, wg sync.WaitGroup
	start.Add(1)
	for i, a := range book {
		wg.Go(func() {
			start.Wait()
			_, errs[i] = s.UpdateAddress(t.Context(), u.ID, a.ID, users.AddressInput{DefaultShipping: ptr(true)})
		})
	}
	wg.Go(func() {
		start.Wait()
		in := addressInput("Added")
		in.DefaultShipping = ptr(true)
		_, errs[len(book)] = s.AddAddress(t.Context(), u.ID, in)
	})
	start.Done()
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("change %d: %v", i, err)
		}
	}
	if ship, bill := defaults(t, pool, u.ID); len(ship) != 1 || len(bill) != 1 {
		t.Errorf("defaults: shipping %v billing %v; want exactly one of each", ship, bill)
	}
}

func TestAddressesByUserIDs(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s, pool := newStore(t)
	a := mustUser(t, s, "a@example.com")
	b := mustUser(t, s, "b@example.com")
	none := mustUser(t, s, "none@example.com")
	// Interleave the users' adds so that one user's rows are not contiguous.
	want := map[int64][]int64{}
	for i := range 3 {
		for _, u := range []*users.User{b, a} {
			addr := mustAddress(t, s, u.ID, addressInput(fmt.Sprintf("Address %d", i)))
			want[u.ID] = append(want[u.ID], addr.ID)
		}
	}

	counted, counter := pgtest.CountingPool(t, pool)
	got, err := New(counted).AddressesByUserIDs(ctx, []int64{a.ID, b.ID, none.ID, 99999})
	if err != nil {
		t.Fatal(err)
	}
	if n := counter.N(); n != 1 {
		t.Errorf("AddressesByUserIDs sent %d statements, want 1", n)
	}
	if len(got) != 2 || got[none.ID] != nil || got[99999] != nil {
		t.Errorf("AddressesByUserIDs has users %v, want only %d and %d", keys(got), a.ID, b.ID)
	}
	for _, u := range []*users.User{a, b} {
		var ids []int64
		for _, addr := range got[u.ID] {
			if addr.UserID != u.ID {
				t.Errorf("user %d's list holds address %d of user %d", u.ID, addr.ID, addr.UserID)
			}
			ids = append(ids, addr.ID)
		}
		if fmt.Sprint(ids) != fmt.Sprint(want[u.ID]) {
			t.Errorf("user %d's addresses %v, want %v (oldest first)", u.ID, ids, want[u.ID])
		}
	}

	empty, err := New(counted).AddressesByUserIDs(ctx, nil)
	if err != nil || len(empty) != 0 || counter.N() != 1 {
		t.Errorf("no ids: %v, %v, %d statements in all; want an empty map and no query", empty, err, counter.N())
	}
}

func keys[V any](m map[int64]V) []int64 {
	out := make([]int64, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
