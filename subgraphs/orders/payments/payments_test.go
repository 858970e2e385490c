package payments

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shopgraph/shopgraph/internal/apperr"
	"github.com/shopgraph/shopgraph/internal/pg/pgtest"
	"github.com/shopgraph/shopgraph/subgraphs/orders/postgres"
)

// testNow is the clock of the provider under test, so that expiries do not age.
var testNow = time.Date(2026, time.June, 15, 12, 0, 0, 0, time.UTC)

func newProvider(t *testing.T) *Provider {
	t.Helper()
	p := New(pgtest.New(t, postgres.Migrations()))
	p.now = func() time.Time { return testNow }
	return p
}

func card(number string) Card {
	return Card{Number: number, ExpMonth: 12, ExpYear: 2030, CVC: "123"}
}

func TestChargeOutcomeByCard(t *testing.T) {
	t.Parallel()
	p := newProvider(t)
	tests := []struct {
		number string
		want   Outcome
	}{
		{CardSucceeds, OutcomeSucceeded},
		{"4242 4242 4242 4242", OutcomeSucceeded},
		{CardDeclined, OutcomeDeclined},
		{CardInsufficientFunds, OutcomeInsufficientFunds},
		{"5555555555554444", OutcomeSucceeded}, // any other valid number
		{"378282246310005", OutcomeSucceeded},  // 15 digits
	}
	for i, tt := range tests {
		t.Run(tt.number, func(t *testing.T) {
			key := fmt.Sprintf("outcome-%d", i)
			c, err := p.Charge(t.Context(), key, 1999, "EUR", card(tt.number))
			if err != nil {
				t.Fatal(err)
			}
			digits := strings.ReplaceAll(tt.number, " ", "")
			if c.Outcome != tt.want || c.Succeeded() != (tt.want == OutcomeSucceeded) ||
				c.CardLast4 != digits[len(digits)-4:] || c.AmountMinor != 1999 || c.Currency != "EUR" ||
				c.IdempotencyKey != key || !strings.HasPrefix(c.ID, "ch_") || c.CreatedAt.IsZero() || c.Refunded {
				t.Errorf("charge %+v; want outcome %s", c, tt.want)
			}
		})
	}
}

func TestChargeRetryReturnsFirstCharge(t *testing.T) {
	t.Parallel()
	p := newProvider(t)
	for _, number := range []string{CardSucceeds, CardDeclined, CardInsufficientFunds} {
		t.Run(number, func(t *testing.T) {
			ctx := t.Context()
			key := "retry-" + number
			first, err := p.Charge(ctx, key, 500, "GBP", card(number))
			if err != nil {
				t.Fatal(err)
			}
			// The retry is the same payment typed differently: spaces, two-digit year.
			again := Card{Number: number[:4] + " " + number[4:8] + " " + number[8:12] + " " + number[12:],
				ExpMonth: 12, ExpYear: 30, CVC: "999"}
			second, err := p.Charge(ctx, key, 500, "GBP", again)
			if err != nil {
				t.Fatal(err)
			}
			if second != first {
				t.Errorf("retry gave %+v, first charge was %+v", second, first)
			}
			byKey, err := p.ChargeByKey(ctx, key)
			if err != nil {
				t.Fatal(err)
			}
			if byKey == nil || *byKey != first {
				t.Errorf("ChargeByKey = %+v, want %+v", byKey, first)
			}
			var rows int
			if err := p.pool.QueryRow(ctx, `SELECT count(*) FROM test_provider_charges WHERE idempotency_key = $1`,
				key).Scan(&rows); err != nil {
				t.Fatal(err)
			}
			if rows != 1 {
				t.Errorf("%d ledger rows for the key, want 1", rows)
			}
		})
	}
}

func TestChargeKeyReusedForAnotherPayment(t *testing.T) {
	t.Parallel()
	p := newProvider(t)
	ctx := t.Context()
	const key = "order-1"
	first, err := p.Charge(ctx, key, 500, "USD", card(CardSucceeds))
	if err != nil {
		t.Fatal(err)
	}
	otherExpiry := card(CardSucceeds)
	otherExpiry.ExpMonth = 11
	tests := []struct {
		name     string
		amount   int64
		currency string
		card     Card
	}{
		{"amount", 501, "USD", card(CardSucceeds)},
		{"currency", 500, "EUR", card(CardSucceeds)},
		{"card", 500, "USD", card("5555555555554444")},
		{"declined card", 500, "USD", card(CardDeclined)},
		{"expiry", 500, "USD", otherExpiry},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := p.Charge(ctx, key, tt.amount, tt.currency, tt.card)
			if !errors.Is(err, ErrKeyReused) || apperr.Code(err) != apperr.EINVALID {
				t.Errorf("err %v, want ErrKeyReused", err)
			}
		})
	}
	if got, err := p.ChargeByKey(ctx, key); err != nil || got == nil || *got != first {
		t.Errorf("after refused reuse ChargeByKey = %+v, %v; want the first charge unchanged", got, err)
	}
}

func TestChargeConcurrentSameKey(t *testing.T) {
	t.Parallel()
	p := newProvider(t)
	ctx := t.Context()
	const n = 20
	charges := make([]Charge, n)
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			charges[i], errs[i] = p.Charge(ctx, "race", 4200, "EUR", card(CardSucceeds))
		})
	}
	close(start)
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("goroutine %d: %v", i, errs[i])
		}
		if charges[i] != charges[0] {
			t.Errorf("goroutine %d got %+v, goroutine 0 got %+v", i, charges[i], charges[0])
		}
	}
	var rows int
	if err := p.pool.QueryRow(ctx, `SELECT count(*) FROM test_provider_charges`).Scan(&rows); err != nil {
		t.Fatal(err)
	}
	if rows != 1 {
		t.Errorf("%d ledger rows, want 1", rows)
	}
}

func TestRefund(t *testing.T) {
	t.Parallel()
	p := newProvider(t)
	ctx := t.Context()
	paid, err := p.Charge(ctx, "paid", 1000, "EUR", card(CardSucceeds))
	if err != nil {
		t.Fatal(err)
	}
	declined, err := p.Charge(ctx, "declined", 1000, "EUR", card(CardDeclined))
	if err != nil {
		t.Fatal(err)
	}
	poor, err := p.Charge(ctx, "poor", 1000, "EUR", card(CardInsufficientFunds))
	if err != nil {
		t.Fatal(err)
	}

	for i := range 2 { // refunding twice is fine
		got, err := p.Refund(ctx, paid.ID)
		if err != nil {
			t.Fatalf("refund %d: %v", i+1, err)
		}
		want := paid
		want.Refunded = true
		if got != want {
			t.Errorf("refund %d gave %+v, want %+v", i+1, got, want)
		}
	}
	if got, err := p.ChargeByKey(ctx, "paid"); err != nil || got == nil || !got.Refunded {
		t.Errorf("after refund ChargeByKey = %+v, %v; want refunded", got, err)
	}
	// A retry of the charge after the refund still returns it, refunded, and charges nothing.
	if got, err := p.Charge(ctx, "paid", 1000, "EUR", card(CardSucceeds)); err != nil || got.ID != paid.ID || !got.Refunded {
		t.Errorf("retry after refund = %+v, %v", got, err)
	}

	tests := []struct {
		name string
		id   string
		want error
		code string
	}{
		{"declined", declined.ID, ErrNotRefundable, apperr.EINVALID},
		{"insufficient funds", poor.ID, ErrNotRefundable, apperr.EINVALID},
		{"unknown", "ch_nosuchcharge", ErrChargeNotFound, apperr.ENOTFOUND},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := p.Refund(ctx, tt.id)
			if !errors.Is(err, tt.want) || apperr.Code(err) != tt.code {
				t.Errorf("err %v, want %v", err, tt.want)
			}
		})
	}
}

func TestChargeByKeyUnknown(t *testing.T) {
	t.Parallel()
	p := newProvider(t)
	got, err := p.ChargeByKey(t.Context(), "never-charged")
	if err != nil || got != nil {
		t.Errorf("ChargeByKey = %+v, %v; want nil, nil", got, err)
	}
}

func TestChargeRefusesBadRequest(t *testing.T) {
	t.Parallel()
	p := newProvider(t)
	tests := []struct {
		name     string
		key      string
		amount   int64
		currency string
		card     Card
		want     error  // sentinel, or nil for an *apperr.InputError
		code     string // FieldError code for an invalid card
	}{
		{"zero amount", "k1", 0, "EUR", card(CardSucceeds), ErrInvalidRequest, ""},
		{"negative amount", "k2", -5, "EUR", card(CardSucceeds), ErrInvalidRequest, ""},
		{"lower-case currency", "k3", 5, "eur", card(CardSucceeds), ErrInvalidRequest, ""},
		{"long currency", "k4", 5, "EURO", card(CardSucceeds), ErrInvalidRequest, ""},
		{"empty key", "", 5, "EUR", card(CardSucceeds), ErrInvalidRequest, ""},
		{"long key", strings.Repeat("k", MaxKeyLength+1), 5, "EUR", card(CardSucceeds), ErrInvalidRequest, ""},
		{"invalid card", "k5", 5, "EUR", card("4242424242424241"), nil, CodeInvalidCardNumber},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := p.Charge(t.Context(), tt.key, tt.amount, tt.currency, tt.card)
			if tt.want != nil {
				if !errors.Is(err, tt.want) {
					t.Errorf("err %v, want %v", err, tt.want)
				}
				return
			}
			var ie *apperr.InputError
			if !errors.As(err, &ie) || len(ie.Errors) != 1 || ie.Errors[0].Code != tt.code {
				t.Errorf("err %v, want input error %s", err, tt.code)
			}
		})
	}
	var rows int
	if err := p.pool.QueryRow(t.Context(), `SELECT count(*) FROM test_provider_charges`).Scan(&rows); err != nil {
		t.Fatal(err)
	}
	if rows != 0 {
		t.Errorf("refused requests left %d ledger rows", rows)
	}
}

func TestCardValidate(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, time.March, 31, 23, 0, 0, 0, time.UTC)
	good := Card{Number: CardSucceeds, ExpMonth: 3, ExpYear: 2026, CVC: "123"}
	with := func(edit func(*Card)) Card {
		c := good
		edit(&c)
		return c
	}
	tests := []struct {
		name string
		card Card
		want []string // codes, in order
	}{
		{"valid, expiring this month", good, nil},
		{"the three test cards", with(func(c *Card) { c.Number = CardDeclined }), nil},
		{"insufficient funds card", with(func(c *Card) { c.Number = CardInsufficientFunds }), nil},
		{"spaces accepted", with(func(c *Card) { c.Number = " 4242 4242 4242 4242 " }), nil},
		{"two-digit year", with(func(c *Card) { c.ExpYear = 27 }), nil},
		{"4-digit CVC", with(func(c *Card) { c.CVC = "1234" }), nil},
		{"13 digits", with(func(c *Card) { c.Number = "4222222222222" }), nil},
		{"19 digits", with(func(c *Card) { c.Number = "4000000000000000006" }), nil},
		{"Luhn: last digit off", with(func(c *Card) { c.Number = "4242424242424241" }), []string{CodeInvalidCardNumber}},
		{"Luhn: digits swapped", with(func(c *Card) { c.Number = "2442424242424242" }), []string{CodeInvalidCardNumber}},
		{"12 digits", with(func(c *Card) { c.Number = "424242424242" }), []string{CodeInvalidCardNumber}},
		{"20 digits", with(func(c *Card) { c.Number = "42424242424242424242" }), []string{CodeInvalidCardNumber}},
		{"dashes", with(func(c *Card) { c.Number = "4242-4242-4242-4242" }), []string{CodeInvalidCardNumber}},
		{"empty number", with(func(c *Card) { c.Number = "" }), []string{CodeInvalidCardNumber}},
		{"expired last month", with(func(c *Card) { c.ExpMonth = 2 }), []string{CodeExpiredCard}},
		{"expired last year", with(func(c *Card) { c.ExpMonth = 12; c.ExpYear = 2025 }), []string{CodeExpiredCard}},
		{"expired, two-digit year", with(func(c *Card) { c.ExpYear = 25 }), []string{CodeExpiredCard}},
		{"month 0", with(func(c *Card) { c.ExpMonth = 0 }), []string{CodeInvalidExpiry}},
		{"month 13", with(func(c *Card) { c.ExpMonth = 13 }), []string{CodeInvalidExpiry}},
		{"year far ahead", with(func(c *Card) { c.ExpYear = 2099 }), []string{CodeInvalidExpiry}},
		{"year 999", with(func(c *Card) { c.ExpYear = 999 }), []string{CodeInvalidExpiry}},
		{"CVC too short", with(func(c *Card) { c.CVC = "12" }), []string{CodeInvalidCVC}},
		{"CVC too long", with(func(c *Card) { c.CVC = "12345" }), []string{CodeInvalidCVC}},
		{"CVC not digits", with(func(c *Card) { c.CVC = "12a" }), []string{CodeInvalidCVC}},
		{"CVC empty", with(func(c *Card) { c.CVC = "" }), []string{CodeInvalidCVC}},
		{"everything wrong", Card{Number: "1234", ExpMonth: 1, ExpYear: 2020, CVC: "x"},
			[]string{CodeInvalidCardNumber, CodeExpiredCard, CodeInvalidCVC}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			errs := tt.card.Validate(now)
			var codes []string
			for _, fe := range errs {
				codes = append(codes, fe.Code)
				if len(fe.Field) != 1 || fe.Message == "" {
					t.Errorf("field error %+v: want a one-element field path and a message", fe)
				}
				if digits := strings.ReplaceAll(tt.card.Number, " ", ""); len(digits) >= 6 && strings.Contains(fe.Message, digits) {
					t.Errorf("message %q repeats the card number", fe.Message)
				}
			}
			if !slices.Equal(codes, tt.want) {
				t.Errorf("codes %v, want %v (%+v)", codes, tt.want, errs)
			}
		})
	}
}

func TestCardNumberNeverStored(t *testing.T) {
	t.Parallel()
	p := newProvider(t)
	ctx := t.Context()
	const cvc = "737"
	numbers := []string{CardSucceeds, CardDeclined, CardInsufficientFunds, "5555 5555 5555 4444"}
	for i, n := range numbers {
		c := card(n)
		c.CVC = cvc
		if _, err := p.Charge(ctx, fmt.Sprintf("store-%d", i), 100, "EUR", c); err != nil {
			t.Fatal(err)
		}
	}
	// Read every column of every row as text, whatever columns the table grows.
	rows, err := p.pool.Query(ctx, `SELECT t::text FROM test_provider_charges AS t`)
	if err != nil {
		t.Fatal(err)
	}
	var stored []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		stored = append(stored, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(stored) != len(numbers) {
		t.Fatalf("%d rows, want %d", len(stored), len(numbers))
	}
	all := strings.Join(stored, "\n")
	for _, n := range numbers {
		digits := strings.ReplaceAll(n, " ", "")
		// Neither the leading digits nor the last 10 may appear: only the last 4 are kept.
		if strings.Contains(all, digits[:len(digits)-4]) || strings.Contains(all, digits[len(digits)-10:]) {
			t.Errorf("ledger holds more of %s than its last 4 digits:\n%s", n, all)
		}
	}
	if strings.Contains(all, ","+cvc+",") {
		t.Errorf("ledger holds the CVC:\n%s", all)
	}
}
