package accounts_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shopgraph/shopgraph/internal/auth"
	"github.com/shopgraph/shopgraph/internal/pg/pgtest"
	"github.com/shopgraph/shopgraph/internal/ratelimit"
	"github.com/shopgraph/shopgraph/subgraphs/users"
	"github.com/shopgraph/shopgraph/subgraphs/users/accounts"
	"github.com/shopgraph/shopgraph/subgraphs/users/password"
	"github.com/shopgraph/shopgraph/subgraphs/users/postgres"
	"github.com/shopgraph/shopgraph/subgraphs/users/tokens"
	"github.com/shopgraph/shopgraph/subgraphs/users/userstest"
)

// clock is a settable time source for the Service and its rate limiter.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

// newClock starts at the current time in whole seconds, so that times read
// back from PostgreSQL (microseconds) compare equal.
func newClock() *clock { return &clock{now: time.Now().UTC().Truncate(time.Second)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// fixture is a Service over a database of the test's own.
type fixture struct {
	svc    *accounts.Service
	store  *postgres.Store
	hasher *password.Hasher
	clock  *clock
}

// newFixture builds a Service with cheap hashing, a memory limiter on the
// fixture's clock and DefaultLimits; change, if not nil, adjusts the Config
// before New.
func newFixture(t testing.TB, change func(*accounts.Config)) fixture {
	t.Helper()
	pool := pgtest.New(t, postgres.Migrations())
	store := postgres.New(pool)
	hasher := newHasher(t, userstest.CheapParams)
	pem, err := tokens.GenerateEd25519PEM()
	if err != nil {
		t.Fatal(err)
	}
	keys, err := tokens.ParsePEM(pem)
	if err != nil {
		t.Fatal(err)
	}
	c := newClock()
	cfg := accounts.Config{
		Accounts: store, Addresses: store, Hasher: hasher, Policy: password.DefaultPolicy(),
		Issuer:  &tokens.Issuer{Keys: keys, Issuer: auth.DefaultIssuer, Audience: auth.DefaultAudience},
		Limiter: ratelimit.NewMemory(0, c.Now), Limits: accounts.DefaultLimits(), Now: c.Now,
	}
	if change != nil {
		change(&cfg)
	}
	svc, err := accounts.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return fixture{svc: svc, store: store, hasher: cfg.Hasher, clock: c}
}

func newHasher(t testing.TB, p password.Params) *password.Hasher {
	t.Helper()
	h, err := password.NewHasher(p, 0)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// createUser stores an account whose password is hashed by h, as an account
// made before the parameters changed would be.
func createUser(t testing.TB, store *postgres.Store, h *password.Hasher, email, pw string) *users.User {
	t.Helper()
	hash, err := h.Hash(context.Background(), pw)
	if err != nil {
		t.Fatal(err)
	}
	u, err := store.CreateUser(context.Background(), email, "Test Shopper", hash)
	if err != nil {
		t.Fatalf("create %s: %v", email, err)
	}
	return u
}

// storedHash reads the account's password hash.
func storedHash(t *testing.T, store *postgres.Store, id int64) string {
	t.Helper()
	c, err := store.CredentialsByID(t.Context(), id)
	if err != nil || c == nil {
		t.Fatalf("credentials of %d: %v %v", id, c, err)
	}
	return c.PasswordHash
}

// codes lists a result's error codes.
func codes(r accounts.Result) []string {
	out := []string{}
	for _, e := range r.Errors {
		out = append(out, e.Code)
	}
	return out
}

// wantRefused fails t unless r is refused with exactly code and carries
// neither a user nor tokens.
func wantRefused(t *testing.T, r accounts.Result, err error, code string) {
	t.Helper()
	if err != nil {
		t.Fatalf("err %v", err)
	}
	if got := codes(r); !reflect.DeepEqual(got, []string{code}) {
		t.Errorf("codes %v, want [%s]", got, code)
	}
	if r.User != nil || r.Tokens != nil {
		t.Errorf("refused result has user %v tokens %v", r.User, r.Tokens)
	}
}

// wantSignedIn fails t unless r signed in user id.
func wantSignedIn(t *testing.T, r accounts.Result, err error, id int64) {
	t.Helper()
	if err != nil {
		t.Fatalf("err %v", err)
	}
	if len(r.Errors) > 0 || r.User == nil || r.User.ID != id || r.Tokens == nil {
		t.Fatalf("not signed in as %d: codes %v user %v", id, codes(r), r.User)
	}
}

func TestNormalizeEmail(t *testing.T) {
	t.Parallel()
	field := []string{"input", "email"}
	// 64 + 1 + 189 = 254 characters, RFC 5321's bound.
	longest := strings.Repeat("a", 64) + "@" + strings.Repeat("b", 60) + "." + strings.Repeat("c", 60) + "." + strings.Repeat("d", 60) + ".eeeeee"
	tests := []struct {
		name, in, want, code string
	}{
		{"plain", "jane@example.com", "jane@example.com", ""},
		{"trims and lower-cases", "  Jane.Doe@Example.COM\t", "jane.doe@example.com", ""},
		{"plus tag kept", "jane+shop@example.co.uk", "jane+shop@example.co.uk", ""},
		{"longest", longest, longest, ""},
		{"too long", longest + "e", "", accounts.CodeTooLong},
		{"blank", "", "", accounts.CodeBlank},
		{"spaces only", "   ", "", accounts.CodeBlank},
		{"display name", "Ann <a@b.co>", "", accounts.CodeInvalidEmail},
		{"angle brackets only", "<a@b.co>", "", accounts.CodeInvalidEmail},
		{"two addresses", "a@b.co, c@d.co", "", accounts.CodeInvalidEmail},
		{"quoted local part", `"a b"@b.co`, "", accounts.CodeInvalidEmail},
		{"no dot in domain", "a@localhost", "", accounts.CodeInvalidEmail},
		{"domain ends with a dot", "a@b.co.", "", accounts.CodeInvalidEmail},
		{"domain starts with a dot", "a@.b.co", "", accounts.CodeInvalidEmail},
		{"no at sign", "a.b.co", "", accounts.CodeInvalidEmail},
		{"two at signs", "a@b@c.co", "", accounts.CodeInvalidEmail},
		{"no local part", "@b.co", "", accounts.CodeInvalidEmail},
		{"space inside", "a b@c.co", "", accounts.CodeInvalidEmail},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, fe := accounts.NormalizeEmail(tt.in, field)
			if tt.code == "" {
				if fe != nil || got != tt.want {
					t.Errorf("NormalizeEmail(%q) = %q, %+v; want %q", tt.in, got, fe, tt.want)
				}
				return
			}
			if fe == nil || fe.Code != tt.code || got != "" {
				t.Fatalf("NormalizeEmail(%q) = %q, %+v; want code %s", tt.in, got, fe, tt.code)
			}
			if !reflect.DeepEqual(fe.Field, field) || fe.Message == "" {
				t.Errorf("field %v message %q", fe.Field, fe.Message)
			}
		})
	}
}

// phcPrefix is the start of a PHC string made with p.
func phcPrefix(p password.Params) string {
	return fmt.Sprintf("$argon2id$v=19$m=%d,t=%d,p=%d$", p.Memory, p.Time, p.Threads)
}

func TestSignInRehashesOldParameters(t *testing.T) {
	t.Parallel()
	current := userstest.CheapParams
	f := newFixture(t, func(c *accounts.Config) { c.Hasher = newHasher(t, current) })
	const pw = "Copper-Lighthouse-88"
	with := func(change func(*password.Params)) password.Params {
		p := current
		change(&p)
		return p
	}
	tests := []struct {
		name       string
		old        password.Params
		wantRehash bool
	}{
		{"same parameters", current, false},
		{"less memory", with(func(p *password.Params) { p.Memory = 32 }), true},
		{"more passes", with(func(p *password.Params) { p.Time = 2 }), true},
		{"two lanes", with(func(p *password.Params) { p.Threads = 2 }), true},
		{"shorter key", with(func(p *password.Params) { p.KeyLen = 16 }), true},
		{"shorter salt", with(func(p *password.Params) { p.SaltLen = 8 }), true},
		{"default parameters, as seeded", password.DefaultParams(), true},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			u := createUser(t, f.store, newHasher(t, tt.old), fmt.Sprintf("rehash%d@example.com", i), pw)
			before := storedHash(t, f.store, u.ID)
			if !strings.HasPrefix(before, phcPrefix(tt.old)) {
				t.Fatalf("stored %q, want prefix %s", before, phcPrefix(tt.old))
			}

			r, err := f.svc.SignIn(t.Context(), u.Email, pw+"!", netip.Addr{})
			wantRefused(t, r, err, accounts.CodeInvalidCredentials)
			if got := storedHash(t, f.store, u.ID); got != before {
				t.Fatalf("a wrong password rewrote the hash: %q -> %q", before, got)
			}

			r, err = f.svc.SignIn(t.Context(), u.Email, pw, netip.Addr{})
			wantSignedIn(t, r, err, u.ID)
			after := storedHash(t, f.store, u.ID)
			if !tt.wantRehash {
				if after != before {
					t.Errorf("re-hashed a current hash: %q -> %q", before, after)
				}
				return
			}
			if after == before || !strings.HasPrefix(after, phcPrefix(current)) {
				t.Fatalf("after sign-in the hash is %q, want a new one with prefix %s", after, phcPrefix(current))
			}
			ok, rehash, err := f.hasher.Verify(t.Context(), pw, after)
			if err != nil || !ok || rehash {
				t.Errorf("new hash: ok %v needsRehash %v err %v", ok, rehash, err)
			}
			r, err = f.svc.SignIn(t.Context(), u.Email, pw, netip.Addr{})
			wantSignedIn(t, r, err, u.ID)
			if again := storedHash(t, f.store, u.ID); again != after {
				t.Errorf("a second sign-in re-hashed again: %q -> %q", after, again)
			}
		})
	}
}

// smallLimits make rate limits quick to reach: 3 sign-ins per email and 5 per
// client a minute, so the emission intervals are 20 s and 12 s.
func smallLimits() accounts.Limits {
	l := accounts.DefaultLimits()
	l.SignInPerEmail = ratelimit.Limit{Events: 3, Per: time.Minute}
	l.SignInPerClient = ratelimit.Limit{Events: 5, Per: time.Minute}
	return l
}

// wantRateLimited fails t unless r is RATE_LIMITED with retry.
func wantRateLimited(t *testing.T, r accounts.Result, err error, retry time.Duration) {
	t.Helper()
	wantRefused(t, r, err, accounts.CodeRateLimited)
	if r.RetryAfter != retry {
		t.Errorf("RetryAfter %v, want %v", r.RetryAfter, retry)
	}
	if len(r.Errors) == 1 && (r.Errors[0].Field != nil || !strings.Contains(r.Errors[0].Message, fmt.Sprint(int(retry.Seconds())))) {
		t.Errorf("error %+v: want no field and the wait in the message", r.Errors[0])
	}
}

// addr returns 192.0.2.n, a documentation address.
func addr(n byte) netip.Addr { return netip.AddrFrom4([4]byte{192, 0, 2, n}) }

func TestSignInRateLimits(t *testing.T) {
	t.Parallel()
	const pw = "Saffron-Quarry-314"

	t.Run("per email", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, func(c *accounts.Config) { c.Limits = smallLimits() })
		u := createUser(t, f.store, f.hasher, "limited@example.com", pw)
		ctx := t.Context()
		// Each attempt from another address, so only the email's budget counts.
		for i := range 3 {
			r, err := f.svc.SignIn(ctx, u.Email, "wrong-"+pw, addr(byte(10+i)))
			wantRefused(t, r, err, accounts.CodeInvalidCredentials)
		}
		r, err := f.svc.SignIn(ctx, u.Email, pw, addr(20))
		wantRateLimited(t, r, err, 20*time.Second)
		r, err = f.svc.SignIn(ctx, " LIMITED@Example.com", pw, addr(21))
		wantRateLimited(t, r, err, 20*time.Second)

		// An email without an account is limited alike, so the limit does not
		// tell which emails have one.
		for i := range 3 {
			r, err := f.svc.SignIn(ctx, "nobody@example.com", pw, addr(byte(30+i)))
			wantRefused(t, r, err, accounts.CodeInvalidCredentials)
		}
		r, err = f.svc.SignIn(ctx, "nobody@example.com", pw, addr(40))
		wantRateLimited(t, r, err, 20*time.Second)

		// Waits are whole seconds, rounded up.
		f.clock.Advance(1500 * time.Millisecond)
		r, err = f.svc.SignIn(ctx, u.Email, pw, addr(22))
		wantRateLimited(t, r, err, 19*time.Second)

		f.clock.Advance(18500 * time.Millisecond)
		r, err = f.svc.SignIn(ctx, u.Email, pw, addr(23))
		wantSignedIn(t, r, err, u.ID)
		r, err = f.svc.SignIn(ctx, u.Email, pw, addr(24))
		wantRateLimited(t, r, err, 20*time.Second)
	})

	t.Run("per client address", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, func(c *accounts.Config) { c.Limits = smallLimits() })
		u := createUser(t, f.store, f.hasher, "shared-wifi@example.com", pw)
		ctx := t.Context()
		for i := range 5 {
			r, err := f.svc.SignIn(ctx, fmt.Sprintf("guess%d@example.com", i), pw, addr(1))
			wantRefused(t, r, err, accounts.CodeInvalidCredentials)
		}
		r, err := f.svc.SignIn(ctx, u.Email, pw, addr(1))
		wantRateLimited(t, r, err, 12*time.Second)
		r, err = f.svc.SignIn(ctx, u.Email, pw, addr(2))
		wantSignedIn(t, r, err, u.ID)

		f.clock.Advance(12 * time.Second)
		r, err = f.svc.SignIn(ctx, u.Email, pw, addr(1))
		wantSignedIn(t, r, err, u.ID)
		r, err = f.svc.SignIn(ctx, "guess9@example.com", pw, addr(1))
		wantRateLimited(t, r, err, 12*time.Second)
	})

	t.Run("without a client address only the email limit applies", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, func(c *accounts.Config) { c.Limits = smallLimits() })
		u := createUser(t, f.store, f.hasher, "no-addr@example.com", pw)
		ctx := t.Context()
		// More emails than one client may try; none is refused for it.
		for i := range 8 {
			r, err := f.svc.SignIn(ctx, fmt.Sprintf("other%d@example.com", i), pw, netip.Addr{})
			wantRefused(t, r, err, accounts.CodeInvalidCredentials)
		}
		for range 3 {
			r, err := f.svc.SignIn(ctx, u.Email, pw, netip.Addr{})
			wantSignedIn(t, r, err, u.ID)
		}
		r, err := f.svc.SignIn(ctx, u.Email, pw, netip.Addr{})
		wantRateLimited(t, r, err, 20*time.Second)
	})

	t.Run("a failing limiter lets sign-in proceed", func(t *testing.T) {
		t.Parallel()
		var logs syncBuffer
		limiter := &failingLimiter{}
		f := newFixture(t, func(c *accounts.Config) {
			c.Limits = smallLimits()
			c.Limiter = limiter
			c.Logger = slog.New(slog.NewTextHandler(&logs, nil))
		})
		u := createUser(t, f.store, f.hasher, "limiter-down@example.com", pw)
		ctx := t.Context()
		for range 6 {
			r, err := f.svc.SignIn(ctx, u.Email, "wrong-"+pw, addr(1))
			wantRefused(t, r, err, accounts.CodeInvalidCredentials)
		}
		r, err := f.svc.SignIn(ctx, u.Email, pw, addr(1))
		wantSignedIn(t, r, err, u.ID)
		if limiter.calls.Load() == 0 {
			t.Error("the limiter was not asked")
		}
		if !strings.Contains(logs.String(), "rate limiter unavailable") || !strings.Contains(logs.String(), "store unreachable") {
			t.Errorf("the failure was not logged: %s", logs.String())
		}
	})
}

// failingLimiter is a Limiter whose store is down.
type failingLimiter struct{ calls atomic.Int64 }

func (l *failingLimiter) Allow(context.Context, string, ratelimit.Limit) (ratelimit.Decision, error) {
	l.calls.Add(1)
	return ratelimit.Decision{}, errors.New("ratelimit: store unreachable")
}

// syncBuffer is a bytes.Buffer safe for a logger and a test to share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestRefresh(t *testing.T) {
	t.Parallel()
	const pw = "Marble-Orchid-5150"
	const refreshTTL = time.Hour

	signIn := func(t *testing.T, f fixture, u *users.User) accounts.Result {
		t.Helper()
		r, err := f.svc.SignIn(t.Context(), u.Email, pw, netip.Addr{})
		wantSignedIn(t, r, err, u.ID)
		return r
	}

	t.Run("rotation and reuse", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, nil)
		u := createUser(t, f.store, f.hasher, "rotate@example.com", pw)
		first := signIn(t, f, u)
		second, err := f.svc.Refresh(t.Context(), first.Tokens.RefreshToken)
		wantSignedIn(t, second, err, u.ID)
		if second.Tokens.RefreshToken == first.Tokens.RefreshToken {
			t.Error("refresh returned the same refresh token")
		}
		// The used token again: someone holds a copy, so the session ends.
		r, err := f.svc.Refresh(t.Context(), first.Tokens.RefreshToken)
		wantRefused(t, r, err, accounts.CodeInvalidToken)
		r, err = f.svc.Refresh(t.Context(), second.Tokens.RefreshToken)
		wantRefused(t, r, err, accounts.CodeInvalidToken)
		for _, bad := range []string{"", "   ", "unknown-token", strings.Repeat("x", 300)} {
			r, err = f.svc.Refresh(t.Context(), bad)
			wantRefused(t, r, err, accounts.CodeInvalidToken)
			if len(r.Errors) == 1 && !reflect.DeepEqual(r.Errors[0].Field, []string{"refreshToken"}) {
				t.Errorf("field %v", r.Errors[0].Field)
			}
		}
	})

	t.Run("an expired refresh token", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, func(c *accounts.Config) { c.RefreshTTL = refreshTTL })
		u := createUser(t, f.store, f.hasher, "expire@example.com", pw)
		t0 := f.clock.Now()
		early, late := signIn(t, f, u), signIn(t, f, u)
		if !early.Tokens.RefreshTokenExpiresAt.Equal(t0.Add(refreshTTL)) {
			t.Errorf("refresh token expires at %v, want %v", early.Tokens.RefreshTokenExpiresAt, t0.Add(refreshTTL))
		}
		f.clock.Advance(refreshTTL - time.Second)
		r, err := f.svc.Refresh(t.Context(), early.Tokens.RefreshToken)
		wantSignedIn(t, r, err, u.ID)
		f.clock.Advance(time.Second)
		r, err = f.svc.Refresh(t.Context(), late.Tokens.RefreshToken)
		wantRefused(t, r, err, accounts.CodeInvalidToken)
	})

	t.Run("the session's lifetime caps refreshing", func(t *testing.T) {
		t.Parallel()
		const sessionTTL = 90 * time.Minute
		f := newFixture(t, func(c *accounts.Config) { c.RefreshTTL, c.SessionTTL = refreshTTL, sessionTTL })
		u := createUser(t, f.store, f.hasher, "session@example.com", pw)
		t0 := f.clock.Now()
		end := t0.Add(sessionTTL)
		r := signIn(t, f, u)

		f.clock.Advance(50 * time.Minute)
		r, err := f.svc.Refresh(t.Context(), r.Tokens.RefreshToken)
		wantSignedIn(t, r, err, u.ID)
		if !r.Tokens.RefreshTokenExpiresAt.Equal(end) {
			t.Errorf("refresh token expires at %v, want the session's end %v", r.Tokens.RefreshTokenExpiresAt, end)
		}
		f.clock.Advance(39 * time.Minute)
		r, err = f.svc.Refresh(t.Context(), r.Tokens.RefreshToken)
		wantSignedIn(t, r, err, u.ID)
		if !r.Tokens.RefreshTokenExpiresAt.Equal(end) {
			t.Errorf("refresh token expires at %v, want the session's end %v", r.Tokens.RefreshTokenExpiresAt, end)
		}
		f.clock.Advance(time.Minute)
		r, err = f.svc.Refresh(t.Context(), r.Tokens.RefreshToken)
		wantRefused(t, r, err, accounts.CodeInvalidToken)
	})

	t.Run("a sign-in's refresh token ends with its session", func(t *testing.T) {
		t.Parallel()
		const sessionTTL = 30 * time.Minute // shorter than refreshTTL
		f := newFixture(t, func(c *accounts.Config) { c.RefreshTTL, c.SessionTTL = refreshTTL, sessionTTL })
		u := createUser(t, f.store, f.hasher, "short-session@example.com", pw)
		end := f.clock.Now().Add(sessionTTL)
		r := signIn(t, f, u)
		if got := r.Tokens.RefreshTokenExpiresAt; got.After(end) {
			t.Errorf("sign-in says the refresh token lives until %v, past the session's end %v", got, end)
		}
		f.clock.Advance(sessionTTL)
		r, err := f.svc.Refresh(t.Context(), r.Tokens.RefreshToken)
		wantRefused(t, r, err, accounts.CodeInvalidToken)
	})
}

// The sign-in answers for an unknown email and for a wrong password should
// cost the same: one argon2id verification with the current parameters and
// one query. Compare the two benchmarks' ns/op (run with -benchtime=20x or
// more; each op is tens of milliseconds).
func BenchmarkSignInUnknownEmail(b *testing.B) {
	benchmarkSignIn(b, "nobody@example.com")
}

func BenchmarkSignInWrongPassword(b *testing.B) {
	benchmarkSignIn(b, "bench@example.com")
}

func benchmarkSignIn(b *testing.B, email string) {
	f := newFixture(b, func(c *accounts.Config) {
		c.Hasher = newHasher(b, password.DefaultParams())
		unlimited := ratelimit.Limit{Events: 1_000_000, Per: time.Hour}
		c.Limits = accounts.Limits{SignInPerEmail: unlimited, SignInPerClient: unlimited, ResetPerEmail: unlimited, ResetPerClient: unlimited}
	})
	createUser(b, f.store, f.hasher, "bench@example.com", "Correct-Horse-Battery-1")
	ctx := b.Context()
	for b.Loop() {
		r, err := f.svc.SignIn(ctx, email, "Wrong-Horse-Battery-2", addr(1))
		if err != nil || len(r.Errors) != 1 || r.Errors[0].Code != accounts.CodeInvalidCredentials {
			b.Fatalf("result %+v err %v", r, err)
		}
	}
}
