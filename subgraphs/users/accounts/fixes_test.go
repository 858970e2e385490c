package accounts_test

import (
	"context"
	"net/netip"
	"strings"
	"testing"

	"golang.org/x/text/language"

	"github.com/shopgraph/shopgraph/subgraphs/users"
	"github.com/shopgraph/shopgraph/subgraphs/users/accounts"
)

// TestIsCountry: exactly the 249 assigned ISO 3166-1 codes; each is a country
// in CLDR's region data (which catches a typo in the list), and CLDR's
// reserved and withdrawn ones are refused.
func TestIsCountry(t *testing.T) {
	t.Parallel()
	n := 0
	for a := 'A'; a <= 'Z'; a++ {
		for b := 'A'; b <= 'Z'; b++ {
			c := string([]rune{a, b})
			if !accounts.IsCountry(c) {
				continue
			}
			n++
			if r, err := language.ParseRegion(c); err != nil || !r.IsCountry() {
				t.Errorf("%s is in the list but not a country in CLDR", c)
			}
		}
	}
	if n != 249 {
		t.Errorf("%d codes, want 249", n)
	}
	for _, c := range []string{"UK", "EU", "SU", "YU", "ZR", "AN", "CS", "DD", "TP", "XX", "ZZ", "gb", "G", "GBR", ""} {
		if accounts.IsCountry(c) {
			t.Errorf("IsCountry(%q) = true", c)
		}
	}
}

// TestIPv6ClientsShareTheirSlash64: a client cannot escape the per-address
// limit by rotating through the addresses of its /64.
func TestIPv6ClientsShareTheirSlash64(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(c *accounts.Config) { c.Limits = smallLimits() })
	ctx := t.Context()
	for i := range 5 {
		a := netip.MustParseAddr("2001:db8:1:2::" + string(rune('a'+i)))
		r, err := f.svc.SignIn(ctx, "v6-"+string(rune('a'+i))+"@example.com", "Whatever-It-Is-1", a)
		wantRefused(t, r, err, accounts.CodeInvalidCredentials)
	}
	r, err := f.svc.SignIn(ctx, "v6-z@example.com", "Whatever-It-Is-1", netip.MustParseAddr("2001:db8:1:2:ffff::1"))
	if err != nil || len(r.Errors) != 1 || r.Errors[0].Code != accounts.CodeRateLimited {
		t.Errorf("sixth attempt from the same /64: %+v %v", r, err)
	}
	r, err = f.svc.SignIn(ctx, "v6-y@example.com", "Whatever-It-Is-1", netip.MustParseAddr("2001:db8:1:3::1"))
	wantRefused(t, r, err, accounts.CodeInvalidCredentials)
}

// TestPasswordChecksOfSignedInUsersAreLimited: a stolen access token does not
// give unlimited guesses at the password through changePassword or
// updateProfile.
func TestPasswordChecksOfSignedInUsersAreLimited(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(c *accounts.Config) { c.Limits = smallLimits() })
	u := createUser(t, f.store, f.hasher, "victim@example.com", "Saffron-Quarry-314")
	ctx := t.Context()
	for range 3 {
		r, err := f.svc.ChangePassword(ctx, u.ID, "", "guess-guess-guess", "Brand-New-Secret-9")
		wantRefused(t, r, err, accounts.CodeWrongPassword)
	}
	r, err := f.svc.ChangePassword(ctx, u.ID, "", "Saffron-Quarry-314", "Brand-New-Secret-9")
	wantRefused(t, r, err, accounts.CodeRateLimited)
	email, guess := "thief@example.com", "guess-guess-guess"
	r, err = f.svc.UpdateProfile(ctx, u.ID, nil, &email, &guess)
	wantRefused(t, r, err, accounts.CodeRateLimited)
}

// TestResetRefusesPersonalPasswords: the reset applies the whole policy, the
// account's name and email included.
func TestResetRefusesPersonalPasswords(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	u := createUser(t, f.store, f.hasher, "marguerite@example.com", "Saffron-Quarry-314")
	ctx := t.Context()
	if _, err := f.svc.RequestPasswordReset(ctx, u.Email, netip.Addr{}); err != nil {
		t.Fatal(err)
	}
	var token string
	if _, err := f.store.DeliverPending(ctx, 10, func(_ context.Context, m users.PendingMessage) error {
		token = m.Body["token"]
		return nil
	}); err != nil || token == "" {
		t.Fatalf("no reset message: %v", err)
	}
	r, err := f.svc.ResetPassword(ctx, token, "marguerite-2026!")
	wantRefused(t, r, err, "PASSWORD_CONTAINS_PERSONAL")
	r, err = f.svc.ResetPassword(ctx, token, "Harbour-Lights-Evening")
	if err != nil || len(r.Errors) > 0 || r.User == nil || r.User.ID != u.ID {
		t.Fatalf("reset with a good password: %+v %v", r, err)
	}
	if !strings.HasPrefix(storedHash(t, f.store, u.ID), "$argon2id$") {
		t.Error("hash not stored")
	}
	r, err = f.svc.ResetPassword(ctx, token, "Another-Good-Phrase")
	wantRefused(t, r, err, accounts.CodeInvalidToken)
}
