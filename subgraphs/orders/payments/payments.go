// Package payments is the test payment provider that checkout charges in development,
// in tests and in demo deployments, where no real card may be taken.
//
// It lives inside the orders service but behaves like an external provider, so that
// checkout is written against the semantics a real one imposes and needs no change
// when one replaces it:
//
//   - Charges are made once per idempotency key. Retrying with the same key and the same
//     request (amount, currency, card) returns the first charge, with its ID and outcome,
//     and takes no money again; the same key with another request is refused with
//     [ErrKeyReused]. Declines are recorded like successes, so a retry gets the same answer.
//   - The card decides the outcome: [CardDeclined] is declined, [CardInsufficientFunds]
//     fails for lack of funds, and every other valid number succeeds.
//   - [Provider.ChargeByKey] answers "was this key charged?", which checkout's recovery
//     asks after a crash between charging and recording the order.
//   - Refunds are idempotent and apply only to charges that took money.
//
// Its ledger, the table test_provider_charges, stands in for the provider's own
// database; orders code must not read it directly. It keeps only a card's last four
// digits and expiry, never the number or the CVC (not even hashed: card numbers are
// few enough that an unkeyed hash could be reversed). A retry is therefore compared on
// last four digits and expiry, so a different card sharing both is not told apart.
//
// The key-to-charge mapping holds under concurrency because the key is UNIQUE and the
// charge is an INSERT ... ON CONFLICT DO NOTHING: of racing requests one inserts, the
// others wait for its commit, insert nothing, then read and compare the winner's row.
package payments

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/shopgraph/shopgraph/internal/apperr"
)

// Card numbers of the test provider (spaces allowed in input, as shoppers type them).
const (
	CardSucceeds          = "4242424242424242"
	CardDeclined          = "4000000000000002"
	CardInsufficientFunds = "4000000000009995"
)

// Outcome is what became of a charge.
type Outcome string

// Outcomes of a charge. Only OutcomeSucceeded took money.
const (
	OutcomeSucceeded         Outcome = "SUCCEEDED"
	OutcomeDeclined          Outcome = "DECLINED"
	OutcomeInsufficientFunds Outcome = "INSUFFICIENT_FUNDS"
)

// Codes of a FieldError from [Card.Validate].
const (
	CodeInvalidCardNumber = "INVALID_CARD_NUMBER"
	CodeExpiredCard       = "EXPIRED_CARD"
	CodeInvalidCVC        = "INVALID_CVC"
	CodeInvalidExpiry     = "INVALID_EXPIRY"
)

// MaxKeyLength bounds an idempotency key, as real providers do.
const MaxKeyLength = 255

// maxYearsAhead is how far in the future an expiry may lie before it is taken for a typo.
const maxYearsAhead = 20

// service names the provider in the text of its errors.
const service apperr.Service = "payments"

// Errors of the provider; test with errors.Is. Each is an *apperr.Error, so the API
// layer maps its code like any other domain error.
var (
	// ErrKeyReused: the idempotency key was used before for a different amount,
	// currency or card.
	ErrKeyReused = service.Errorf(apperr.EINVALID, "the idempotency key was already used for a different payment")
	// ErrInvalidRequest: the amount, currency or idempotency key is malformed.
	ErrInvalidRequest = service.Errorf(apperr.EINVALID, "invalid payment request")
	// ErrChargeNotFound: no charge has the id.
	ErrChargeNotFound = service.Errorf(apperr.ENOTFOUND, "no such charge")
	// ErrNotRefundable: the charge took no money, so there is nothing to refund.
	ErrNotRefundable = service.Errorf(apperr.EINVALID, "only a succeeded charge can be refunded")
)

// FieldError is a problem with one field of a Card (see [apperr.FieldError]); Field
// is relative to the card: ["number"], ["expMonth"], ["expYear"] or ["cvc"].
type FieldError = apperr.FieldError

// Charge is one attempt to take money, successful or not, as the ledger records it.
type Charge struct {
	ID             string
	IdempotencyKey string
	AmountMinor    int64
	Currency       string
	Outcome        Outcome
	CardLast4      string
	CreatedAt      time.Time
	Refunded       bool
}

// Succeeded reports whether the charge took money.
func (c Charge) Succeeded() bool { return c.Outcome == OutcomeSucceeded }

// Card is a card as the shopper typed it. ExpYear may have two digits (27 for 2027).
type Card struct {
	Number   string
	ExpMonth int
	ExpYear  int
	CVC      string
}

var cvcPattern = regexp.MustCompile(`^[0-9]{3,4}$`)

// Validate checks the card as a provider would before charging it: 13 to 19 digits
// (spaces allowed) passing the Luhn check, a month 1-12, an expiry not before now's
// month (a card is good through the end of its month) and not absurdly far ahead, and
// a CVC of 3 or 4 digits. Messages never repeat the number.
func (c Card) Validate(now time.Time) []FieldError {
	var errs []FieldError
	digits, ok := cardDigits(c.Number)
	switch {
	case !ok:
		errs = append(errs, apperr.Fieldf(CodeInvalidCardNumber, []string{"number"},
			"The card number may contain only digits and spaces."))
	case len(digits) < 13 || len(digits) > 19:
		errs = append(errs, apperr.Fieldf(CodeInvalidCardNumber, []string{"number"},
			"The card number must have 13 to 19 digits; it has %d.", len(digits)))
	case !luhnValid(digits):
		errs = append(errs, apperr.Fieldf(CodeInvalidCardNumber, []string{"number"},
			"The card number is not valid; please check it for a mistyped digit."))
	}

	year := fullYear(c.ExpYear)
	switch {
	case c.ExpMonth < 1 || c.ExpMonth > 12:
		errs = append(errs, apperr.Fieldf(CodeInvalidExpiry, []string{"expMonth"},
			"The expiry month must be from 1 to 12."))
	case year < 1000 || year > now.Year()+maxYearsAhead:
		errs = append(errs, apperr.Fieldf(CodeInvalidExpiry, []string{"expYear"},
			"The expiry year is not valid."))
	case year*12+c.ExpMonth < now.Year()*12+int(now.Month()):
		errs = append(errs, apperr.Fieldf(CodeExpiredCard, []string{"expYear"},
			"The card has expired."))
	}

	if !cvcPattern.MatchString(c.CVC) {
		errs = append(errs, apperr.Fieldf(CodeInvalidCVC, []string{"cvc"},
			"The security code (CVC) must be 3 or 4 digits."))
	}
	return errs
}

// cardDigits returns number without its spaces, and false if anything else is not a digit.
func cardDigits(number string) (string, bool) {
	digits := strings.ReplaceAll(number, " ", "")
	for _, r := range digits {
		if r < '0' || r > '9' {
			return "", false
		}
	}
	return digits, true
}

// luhnValid reports whether digits (all '0'-'9') pass the Luhn checksum.
func luhnValid(digits string) bool {
	sum := 0
	double := false
	for i := len(digits) - 1; i >= 0; i-- {
		d := int(digits[i] - '0')
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum%10 == 0
}

// fullYear reads a two-digit year as this century's, as cards print it.
func fullYear(y int) int {
	if y >= 0 && y < 100 {
		return 2000 + y
	}
	return y
}

// outcomeOf is the test provider's rule: two numbers fail, every other valid one succeeds.
func outcomeOf(digits string) Outcome {
	switch digits {
	case CardDeclined:
		return OutcomeDeclined
	case CardInsufficientFunds:
		return OutcomeInsufficientFunds
	}
	return OutcomeSucceeded
}

var currencyPattern = regexp.MustCompile(`^[A-Z]{3}$`)

// Provider is the test payment provider, keeping its ledger in PostgreSQL.
type Provider struct {
	pool *pgxpool.Pool
	now  func() time.Time // for card expiry; tests move it
}

// New returns a Provider whose ledger is the test_provider_charges table in pool's
// database (orders migration 004).
func New(pool *pgxpool.Pool) *Provider {
	return &Provider{pool: pool, now: time.Now}
}

// chargeColumns are read by scanCharge, in its order.
const chargeColumns = `id, idempotency_key, amount_minor, currency, outcome, card_last4,
	card_exp_month, card_exp_year, created_at, refunded_at IS NOT NULL`

// ledgerRow is a Charge with the card fields a retry is compared on.
type ledgerRow struct {
	Charge
	expMonth, expYear int
}

func scanCharge(row pgx.Row) (ledgerRow, error) {
	var r ledgerRow
	var month, year int16
	err := row.Scan(&r.ID, &r.IdempotencyKey, &r.AmountMinor, &r.Currency, &r.Outcome, &r.CardLast4,
		&month, &year, &r.CreatedAt, &r.Refunded)
	r.expMonth, r.expYear = int(month), int(year)
	return r, err
}

// Charge charges the card once per idempotency key, like real providers: the same
// key with the same amount, currency and card returns the first charge (same ID, same
// outcome) without charging again; the same key with a different amount, currency or
// card is refused with ErrKeyReused. A declined or insufficient-funds charge is not an
// error: it comes back with its Outcome, recorded so that a retry gets the same answer.
// An invalid card is an *apperr.InputError of Validate's FieldErrors; a malformed
// amount (not > 0), currency (not 3 upper-case letters) or key is ErrInvalidRequest.
// Only the card's last 4 digits and expiry are stored.
func (p *Provider) Charge(ctx context.Context, key string, amountMinor int64, currency string, card Card) (Charge, error) {
	switch {
	case key == "" || len(key) > MaxKeyLength:
		return Charge{}, fmt.Errorf("charge: idempotency key must be 1 to %d bytes: %w", MaxKeyLength, ErrInvalidRequest)
	case amountMinor <= 0:
		return Charge{}, fmt.Errorf("charge %s: amount %d must be > 0: %w", key, amountMinor, ErrInvalidRequest)
	case !currencyPattern.MatchString(currency):
		return Charge{}, fmt.Errorf("charge %s: currency %q must be 3 upper-case letters: %w", key, currency, ErrInvalidRequest)
	}
	if errs := card.Validate(p.now()); len(errs) > 0 {
		return Charge{}, apperr.Invalid(errs...)
	}
	digits, _ := cardDigits(card.Number)
	want := ledgerRow{
		Charge: Charge{
			IdempotencyKey: key,
			AmountMinor:    amountMinor,
			Currency:       currency,
			Outcome:        outcomeOf(digits),
			CardLast4:      digits[len(digits)-4:],
		},
		expMonth: card.ExpMonth,
		expYear:  fullYear(card.ExpYear),
	}

	// A racing request with the same key blocks on the unique index until the first
	// commits, then inserts nothing; the SELECT after it, a new statement with a new
	// snapshot, sees the committed row.
	got, err := scanCharge(p.pool.QueryRow(ctx, `
		INSERT INTO test_provider_charges
			(id, idempotency_key, amount_minor, currency, outcome, card_last4, card_exp_month, card_exp_year)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (idempotency_key) DO NOTHING
		RETURNING `+chargeColumns,
		"ch_"+rand.Text(), key, amountMinor, currency, want.Outcome, want.CardLast4, want.expMonth, want.expYear))
	if err == nil {
		return got.Charge, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return Charge{}, fmt.Errorf("charge %s: insert: %w", key, err)
	}

	got, err = scanCharge(p.pool.QueryRow(ctx,
		`SELECT `+chargeColumns+` FROM test_provider_charges WHERE idempotency_key = $1`, key))
	if err != nil {
		return Charge{}, fmt.Errorf("charge %s: read earlier charge: %w", key, err)
	}
	if got.AmountMinor != want.AmountMinor || got.Currency != want.Currency || got.CardLast4 != want.CardLast4 ||
		got.expMonth != want.expMonth || got.expYear != want.expYear {
		return Charge{}, fmt.Errorf("charge %s: %w", key, ErrKeyReused)
	}
	return got.Charge, nil
}

// Refund marks a succeeded charge refunded and returns it. Refunding it again is
// fine and changes nothing; refunding a declined charge is ErrNotRefundable and an
// unknown id ErrChargeNotFound.
func (p *Provider) Refund(ctx context.Context, chargeID string) (Charge, error) {
	got, err := scanCharge(p.pool.QueryRow(ctx, `
		UPDATE test_provider_charges SET refunded_at = coalesce(refunded_at, now())
		WHERE id = $1 AND outcome = 'SUCCEEDED'
		RETURNING `+chargeColumns, chargeID))
	if err == nil {
		return got.Charge, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return Charge{}, fmt.Errorf("refund %s: %w", chargeID, err)
	}
	var exists bool
	if err := p.pool.QueryRow(ctx, `SELECT EXISTS (SELECT FROM test_provider_charges WHERE id = $1)`,
		chargeID).Scan(&exists); err != nil {
		return Charge{}, fmt.Errorf("refund %s: look up charge: %w", chargeID, err)
	}
	if !exists {
		return Charge{}, fmt.Errorf("refund %s: %w", chargeID, ErrChargeNotFound)
	}
	return Charge{}, fmt.Errorf("refund %s: %w", chargeID, ErrNotRefundable)
}

// ChargeByKey returns the charge made with the idempotency key, or nil when there is
// none: recovery asks it whether a checkout that crashed had charged the card.
func (p *Provider) ChargeByKey(ctx context.Context, key string) (*Charge, error) {
	got, err := scanCharge(p.pool.QueryRow(ctx,
		`SELECT `+chargeColumns+` FROM test_provider_charges WHERE idempotency_key = $1`, key))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("charge by key %s: %w", key, err)
	}
	return &got.Charge, nil
}
