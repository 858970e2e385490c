package postgres

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/shopgraph/shopgraph/internal/apperr"
	"github.com/shopgraph/shopgraph/internal/pg/pgtest"
	"github.com/shopgraph/shopgraph/subgraphs/users"
)

// newStore returns a Store on a fresh, migrated database of the test's own, and
// the pool for checking rows the Store's API does not show.
func newStore(t *testing.T) (*Store, *pgxpool.Pool) {
	t.Helper()
	pool := pgtest.New(t, Migrations())
	return New(pool), pool
}

// mustUser creates an account or fails the test.
func mustUser(t *testing.T, s *Store, email string) *users.User {
	t.Helper()
	u, err := s.CreateUser(t.Context(), email, "Test Person", "hash-"+email)
	if err != nil {
		t.Fatalf("create user %s: %v", email, err)
	}
	return u
}

// digest makes the 32-byte digest the schema requires from a readable label.
func digest(label string) []byte {
	d := sha256.Sum256([]byte(label))
	return d[:]
}

// wantCode fails the test unless err carries an *users.Error with code.
func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	var e *users.Error
	if !errors.As(err, &e) || apperr.Code(err) != code {
		t.Fatalf("err = %v (code %q), want a *users.Error with code %q", err, apperr.Code(err), code)
	}
}

// testNow is a fixed clock at whole seconds, so times survive PostgreSQL's
// microsecond precision unchanged.
func testNow() time.Time {
	return time.Now().UTC().Truncate(time.Second)
}

// mustSession starts a session of userID whose first token has the digest of
// label, or fails the test.
func mustSession(t *testing.T, s *Store, userID int64, sessionExpires time.Time, label string, refreshExpires time.Time) users.Session {
	t.Helper()
	sess, err := s.CreateSession(t.Context(), userID, sessionExpires, digest(label), refreshExpires)
	if err != nil {
		t.Fatalf("create session: %v", err)
	}
	return sess
}

// rotate exchanges the token of label old for one of label next and returns the
// outcome, failing the test on an error.
func rotate(t *testing.T, s *Store, old, next string, refreshExpires, now time.Time) users.Rotation {
	t.Helper()
	r, err := s.RotateRefreshToken(t.Context(), digest(old), digest(next), refreshExpires, now)
	if err != nil {
		t.Fatalf("rotate %s -> %s: %v", old, next, err)
	}
	return r
}

// sessionRevocation returns the session's revoked_reason, "" while it is live.
func sessionRevocation(t *testing.T, pool *pgxpool.Pool, id string) string {
	t.Helper()
	var reason *string
	if err := pool.QueryRow(t.Context(), `SELECT revoked_reason FROM sessions WHERE id = $1::uuid`, id).Scan(&reason); err != nil {
		t.Fatalf("read session %s: %v", id, err)
	}
	if reason == nil {
		return ""
	}
	return *reason
}

// outcomeName prints a RotateOutcome by name in failure messages.
type outcomeName users.RotateOutcome

func (o outcomeName) String() string {
	names := map[users.RotateOutcome]string{
		users.Rotated: "Rotated", users.TokenUnknown: "TokenUnknown", users.TokenExpired: "TokenExpired",
		users.SessionRevoked: "SessionRevoked", users.TokenReused: "TokenReused",
	}
	if n, ok := names[users.RotateOutcome(o)]; ok {
		return n
	}
	return fmt.Sprintf("RotateOutcome(%d)", int(o))
}

func TestCreateUserAndCredentials(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s, _ := newStore(t)

	u, err := s.CreateUser(ctx, "Ada@Example.com", "Ada Lovelace", "hash-1")
	if err != nil {
		t.Fatal(err)
	}
	if u.ID == 0 || u.Email != "Ada@Example.com" || u.Name != "Ada Lovelace" || u.Role != users.RoleCustomer || u.CreatedAt.IsZero() {
		t.Errorf("CreateUser = %+v, want the new customer", u)
	}

	t.Run("email in use in any case is ECONFLICT", func(t *testing.T) {
		for _, email := range []string{"Ada@Example.com", "ada@example.com", "ADA@EXAMPLE.COM"} {
			_, err := s.CreateUser(ctx, email, "Someone Else", "hash-2")
			wantCode(t, err, users.ECONFLICT)
		}
	})

	t.Run("CredentialsByEmail ignores case", func(t *testing.T) {
		for _, email := range []string{"Ada@Example.com", "ada@example.com", "aDA@eXAMPLE.cOM"} {
			c, err := s.CredentialsByEmail(ctx, email)
			if err != nil {
				t.Fatal(err)
			}
			if c == nil || c.User != *u || c.PasswordHash != "hash-1" {
				t.Errorf("CredentialsByEmail(%q) = %+v, want user %d with hash-1", email, c, u.ID)
			}
		}
		c, err := s.CredentialsByEmail(ctx, "nobody@example.com")
		if c != nil || err != nil {
			t.Errorf("CredentialsByEmail(unknown) = %+v, %v; want nil, nil", c, err)
		}
	})

	t.Run("CredentialsByID", func(t *testing.T) {
		c, err := s.CredentialsByID(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if c == nil || c.User != *u || c.PasswordHash != "hash-1" {
			t.Errorf("CredentialsByID = %+v, want user %d with hash-1", c, u.ID)
		}
		c, err = s.CredentialsByID(ctx, u.ID+1000)
		if c != nil || err != nil {
			t.Errorf("CredentialsByID(unknown) = %+v, %v; want nil, nil", c, err)
		}
	})

	t.Run("an account without a password has an empty hash", func(t *testing.T) {
		_, err := s.pool.Exec(ctx, `INSERT INTO users (email, name) VALUES ('nopass@example.com', 'No Pass')`)
		if err != nil {
			t.Fatal(err)
		}
		c, err := s.CredentialsByEmail(ctx, "nopass@example.com")
		if err != nil || c == nil || c.PasswordHash != "" {
			t.Errorf("CredentialsByEmail = %+v, %v; want the account with an empty hash", c, err)
		}
	})
}

func TestReplacePasswordHash(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s, _ := newStore(t)
	tests := []struct {
		name      string
		oldHash   string
		wantAfter string
	}{
		{"old hash matches", "hash-orig", "hash-new"},
		{"password changed meanwhile", "hash-stale", "hash-orig"},
	}
	for i, tt := range tests {
		u, err := s.CreateUser(ctx, fmt.Sprintf("rehash%d@example.com", i), "Re Hash", "hash-orig")
		if err != nil {
			t.Fatal(err)
		}
		if err := s.ReplacePasswordHash(ctx, u.ID, tt.oldHash, "hash-new"); err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		c, err := s.CredentialsByID(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if c.PasswordHash != tt.wantAfter {
			t.Errorf("%s: hash = %q, want %q", tt.name, c.PasswordHash, tt.wantAfter)
		}
	}
}

func TestUpdateProfile(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s, _ := newStore(t)
	u := mustUser(t, s, "grace@example.com")
	mustUser(t, s, "taken@example.com")

	tests := []struct {
		name             string
		userID           int64
		newName, email   *string
		wantName, wantEm string
		wantCode         string
	}{
		{name: "name only", userID: u.ID, newName: ptr("Grace Hopper"), wantName: "Grace Hopper", wantEm: "grace@example.com"},
		{name: "email only", userID: u.ID, email: ptr("grace.h@example.com"), wantName: "Grace Hopper", wantEm: "grace.h@example.com"},
		{name: "own email in another case", userID: u.ID, email: ptr("Grace.H@example.com"), wantName: "Grace Hopper", wantEm: "Grace.H@example.com"},
		{name: "nothing", userID: u.ID, wantName: "Grace Hopper", wantEm: "Grace.H@example.com"},
		{name: "taken email", userID: u.ID, email: ptr("TAKEN@example.com"), wantCode: users.ECONFLICT},
		{name: "unknown user", userID: u.ID + 1000, newName: ptr("Nobody"), wantCode: users.ENOTFOUND},
	}
	for _, tt := range tests {
		got, err := s.UpdateProfile(ctx, tt.userID, tt.newName, tt.email)
		if tt.wantCode != "" {
			if got != nil {
				t.Errorf("%s: got %+v with the error", tt.name, got)
			}
			wantCode(t, err, tt.wantCode)
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if got.ID != u.ID || got.Name != tt.wantName || got.Email != tt.wantEm || got.Role != users.RoleCustomer {
			t.Errorf("%s: got %+v, want name %q email %q", tt.name, got, tt.wantName, tt.wantEm)
		}
	}
	// The refused change left the row as it was.
	c, err := s.CredentialsByID(ctx, u.ID)
	if err != nil || c.User.Email != "Grace.H@example.com" || c.User.Name != "Grace Hopper" {
		t.Errorf("after the refused changes: %+v, %v", c, err)
	}
}

func TestRotateRefreshToken(t *testing.T) {
	t.Parallel()
	s, pool := newStore(t)
	u := mustUser(t, s, "rotate@example.com")
	now := testNow()
	sessionEnd := now.Add(time.Hour)

	t.Run("rotated, capped at the session's end", func(t *testing.T) {
		sess := mustSession(t, s, u.ID, sessionEnd, "cap-1", now.Add(10*time.Minute))
		if sess.ID == "" || sess.UserID != u.ID || !sess.ExpiresAt.Equal(sessionEnd) {
			t.Fatalf("CreateSession = %+v", sess)
		}
		r := rotate(t, s, "cap-1", "cap-2", now.Add(10*time.Minute), now)
		if r.Outcome != users.Rotated || r.Session.ID != sess.ID || r.Session.UserID != u.ID ||
			!r.Session.ExpiresAt.Equal(sessionEnd) || r.User != *u {
			t.Fatalf("rotation = %+v, want Rotated for session %s of user %+v", r, sess.ID, u)
		}
		if want := now.Add(10 * time.Minute); !r.RefreshExpiresAt.Equal(want) {
			t.Errorf("RefreshExpiresAt = %v, want the asked %v", r.RefreshExpiresAt, want)
		}
		// Asking past the session's end gets the session's end.
		r = rotate(t, s, "cap-2", "cap-3", now.Add(48*time.Hour), now.Add(time.Minute))
		if r.Outcome != users.Rotated || !r.RefreshExpiresAt.Equal(sessionEnd) {
			t.Errorf("rotation = %v expiring %v, want Rotated expiring at the session's end %v",
				outcomeName(r.Outcome), r.RefreshExpiresAt, sessionEnd)
		}
		// The stored token expires then too: past the session's end it is expired.
		r = rotate(t, s, "cap-3", "cap-4", now.Add(48*time.Hour), sessionEnd)
		if r.Outcome != users.TokenExpired {
			t.Errorf("at the session's end: %v, want TokenExpired", outcomeName(r.Outcome))
		}
	})

	t.Run("reuse revokes the session", func(t *testing.T) {
		sess := mustSession(t, s, u.ID, sessionEnd, "reuse-1", sessionEnd)
		if r := rotate(t, s, "reuse-1", "reuse-2", sessionEnd, now); r.Outcome != users.Rotated {
			t.Fatalf("first use: %v", outcomeName(r.Outcome))
		}
		if r := rotate(t, s, "reuse-1", "reuse-x", sessionEnd, now); r.Outcome != users.TokenReused {
			t.Fatalf("second use of the old token: %v, want TokenReused", outcomeName(r.Outcome))
		}
		if got := sessionRevocation(t, pool, sess.ID); got != users.RevokedTokenReused {
			t.Errorf("session revoked_reason = %q, want %q", got, users.RevokedTokenReused)
		}
		if r := rotate(t, s, "reuse-2", "reuse-3", sessionEnd, now); r.Outcome != users.SessionRevoked {
			t.Errorf("newest token after the reuse: %v, want SessionRevoked", outcomeName(r.Outcome))
		}
	})

	t.Run("unknown token", func(t *testing.T) {
		if r := rotate(t, s, "never-issued", "unk-2", sessionEnd, now); r.Outcome != users.TokenUnknown {
			t.Errorf("unknown digest: %v, want TokenUnknown", outcomeName(r.Outcome))
		}
	})

	t.Run("expired", func(t *testing.T) {
		tests := []struct {
			name                     string
			sessionEnd, tokenEnd, at time.Time
		}{
			{"token past its expiry", sessionEnd, now.Add(time.Minute), now.Add(2 * time.Minute)},
			{"token exactly at its expiry", sessionEnd, now.Add(time.Minute), now.Add(time.Minute)},
			{"session past its expiry", now.Add(time.Minute), now.Add(time.Hour), now.Add(2 * time.Minute)},
		}
		for i, tt := range tests {
			label := fmt.Sprintf("exp-%d", i)
			mustSession(t, s, u.ID, tt.sessionEnd, label, tt.tokenEnd)
			if r := rotate(t, s, label, label+"-next", tt.at.Add(time.Hour), tt.at); r.Outcome != users.TokenExpired {
				t.Errorf("%s: %v, want TokenExpired", tt.name, outcomeName(r.Outcome))
			}
			// An expired token is not used up: it stays expired, not reused.
			if r := rotate(t, s, label, label+"-again", tt.at.Add(time.Hour), tt.at); r.Outcome != users.TokenExpired {
				t.Errorf("%s, again: %v, want TokenExpired", tt.name, outcomeName(r.Outcome))
			}
		}
	})

	t.Run("RevokeSessionOf", func(t *testing.T) {
		ctx := t.Context()
		sess := mustSession(t, s, u.ID, sessionEnd, "out-1", sessionEnd)
		rotate(t, s, "out-1", "out-2", sessionEnd, now)
		// Any token of the family names the session, used or not.
		for i, want := range []bool{true, false} {
			ok, err := s.RevokeSessionOf(ctx, digest("out-1"), users.RevokedSignOut)
			if err != nil {
				t.Fatal(err)
			}
			if ok != want {
				t.Errorf("RevokeSessionOf call %d = %v, want %v", i+1, ok, want)
			}
		}
		if got := sessionRevocation(t, pool, sess.ID); got != users.RevokedSignOut {
			t.Errorf("revoked_reason = %q, want %q", got, users.RevokedSignOut)
		}
		if r := rotate(t, s, "out-2", "out-3", sessionEnd, now); r.Outcome != users.SessionRevoked {
			t.Errorf("after sign-out: %v, want SessionRevoked", outcomeName(r.Outcome))
		}
		ok, err := s.RevokeSessionOf(ctx, digest("out-unknown"), users.RevokedSignOut)
		if ok || err != nil {
			t.Errorf("RevokeSessionOf(unknown) = %v, %v; want false, nil", ok, err)
		}
	})
}

func TestChangePassword(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s, pool := newStore(t)
	now := testNow()
	end := now.Add(time.Hour)

	tests := []struct {
		name string
		keep int // index of the session to keep, -1 for none
	}{
		{"keep the current session", 1},
		{"keep none", -1},
	}
	for i, tt := range tests {
		u := mustUser(t, s, fmt.Sprintf("change%d@example.com", i))
		other := mustUser(t, s, fmt.Sprintf("bystander%d@example.com", i))
		var sessions []users.Session
		for j := range 3 {
			sessions = append(sessions, mustSession(t, s, u.ID, end, fmt.Sprintf("cp%d-%d", i, j), end))
		}
		mustSession(t, s, other.ID, end, fmt.Sprintf("cp%d-other", i), end)
		keep := ""
		if tt.keep >= 0 {
			keep = sessions[tt.keep].ID
		}
		if err := s.ChangePassword(ctx, u.ID, "hash-changed", keep); err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		for j, sess := range sessions {
			want, wantReason := users.SessionRevoked, users.RevokedPasswordChanged
			if j == tt.keep {
				want, wantReason = users.Rotated, ""
			}
			if got := sessionRevocation(t, pool, sess.ID); got != wantReason {
				t.Errorf("%s: session %d revoked_reason = %q, want %q", tt.name, j, got, wantReason)
			}
			label := fmt.Sprintf("cp%d-%d", i, j)
			if r := rotate(t, s, label, label+"-next", end, now); r.Outcome != want {
				t.Errorf("%s: session %d: %v, want %v", tt.name, j, outcomeName(r.Outcome), outcomeName(want))
			}
		}
		label := fmt.Sprintf("cp%d-other", i)
		if r := rotate(t, s, label, label+"-next", end, now); r.Outcome != users.Rotated {
			t.Errorf("%s: another user's session: %v, want Rotated", tt.name, outcomeName(r.Outcome))
		}
		if c, err := s.CredentialsByID(ctx, u.ID); err != nil || c.PasswordHash != "hash-changed" {
			t.Errorf("%s: credentials %+v, %v; want hash-changed", tt.name, c, err)
		}
	}
}

// TestRotateRefreshTokenConcurrentReuse checks that of many simultaneous uses
// of one token exactly one wins and the rest are caught as reuse, which ends
// the session.
func TestRotateRefreshTokenConcurrentReuse(t *testing.T) {
	t.Parallel()
	s, pool := newStore(t)
	u := mustUser(t, s, "race@example.com")
	now := testNow()
	end := now.Add(time.Hour)
	sess := mustSession(t, s, u.ID, end, "race-0", end)

	const n = 10
	outcomes := make([]users.RotateOutcome, n)
	errs := make([]error, n)
	var start, wg sync.WaitGroup
	start.Add(1)
	for i := range n {
		wg.Go(func() {
			start.Wait()
			r, err := s.RotateRefreshToken(t.Context(), digest("race-0"), digest(fmt.Sprintf("race-next-%d", i)), end, now)
			outcomes[i], errs[i] = r.Outcome, err
		})
	}
	start.Done()
	wg.Wait()

	count := map[users.RotateOutcome]int{}
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("goroutine %d: %v", i, errs[i])
		}
		count[outcomes[i]]++
	}
	if count[users.Rotated] != 1 || count[users.TokenReused]+count[users.SessionRevoked] != n-1 || count[users.TokenReused] < 1 {
		t.Errorf("outcomes %v; want one Rotated and the rest TokenReused or SessionRevoked (at least one TokenReused)", count)
	}
	if got := sessionRevocation(t, pool, sess.ID); got != users.RevokedTokenReused {
		t.Errorf("session revoked_reason = %q, want %q", got, users.RevokedTokenReused)
	}
}

// outboxRow is an outbox row as stored.
type outboxRow struct {
	attempts    int
	body        *string
	delivered   bool
	kind, email string
}

func readOutbox(t *testing.T, pool *pgxpool.Pool) map[int64]outboxRow {
	t.Helper()
	rows, err := pool.Query(t.Context(), `SELECT id, kind, recipient, body::text, attempts, delivered_at IS NOT NULL FROM outbox`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[int64]outboxRow{}
	for rows.Next() {
		var id int64
		var r outboxRow
		if err := rows.Scan(&id, &r.kind, &r.email, &r.body, &r.attempts, &r.delivered); err != nil {
			t.Fatal(err)
		}
		out[id] = r
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// resetMessage is the message a reset for label sends.
func resetMessage(recipient, label string) users.Message {
	return users.Message{Kind: "PASSWORD_RESET", Recipient: recipient, Body: map[string]string{"token": label}}
}

func TestCreatePasswordResetWritesOutboxInSameTransaction(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s, pool := newStore(t)
	u := mustUser(t, s, "reset@example.com")
	expires := testNow().Add(time.Hour)

	if err := s.CreatePasswordReset(ctx, u.ID, digest("pr-1"), expires, resetMessage(u.Email, "pr-1")); err != nil {
		t.Fatal(err)
	}
	box := readOutbox(t, pool)
	if len(box) != 1 {
		t.Fatalf("outbox has %d rows, want 1", len(box))
	}
	for _, r := range box {
		if r.kind != "PASSWORD_RESET" || r.email != u.Email || r.body == nil || *r.body != `{"token": "pr-1"}` || r.delivered || r.attempts != 0 {
			t.Errorf("outbox row = %+v (body %v)", r, r.body)
		}
	}

	// Either write failing leaves neither.
	tests := []struct {
		name   string
		digest []byte
		msg    users.Message
	}{
		{"reset refused (digest reused)", digest("pr-1"), resetMessage(u.Email, "dup")},
		{"message refused (unknown kind)", digest("pr-2"), users.Message{Kind: "SPAM", Recipient: u.Email}},
	}
	for _, tt := range tests {
		if err := s.CreatePasswordReset(ctx, u.ID, tt.digest, expires, tt.msg); err == nil {
			t.Errorf("%s: no error", tt.name)
		}
	}
	var resets int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM password_resets`).Scan(&resets); err != nil {
		t.Fatal(err)
	}
	if n := len(readOutbox(t, pool)); n != 1 || resets != 1 {
		t.Errorf("after the failed resets: %d outbox rows and %d resets, want 1 and 1", n, resets)
	}
}

func TestResetPassword(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s, pool := newStore(t)
	u := mustUser(t, s, "forgot@example.com")
	other := mustUser(t, s, "other@example.com")
	now := testNow()
	end := now.Add(time.Hour)

	for _, label := range []string{"rp-a", "rp-b", "rp-c"} {
		if err := s.CreatePasswordReset(ctx, u.ID, digest(label), end, resetMessage(u.Email, label)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.CreatePasswordReset(ctx, u.ID, digest("rp-short"), now.Add(time.Minute), resetMessage(u.Email, "rp-short")); err != nil {
		t.Fatal(err)
	}
	if err := s.CreatePasswordReset(ctx, other.ID, digest("rp-other"), end, resetMessage(other.Email, "rp-other")); err != nil {
		t.Fatal(err)
	}
	s1 := mustSession(t, s, u.ID, end, "rp-s1", end)
	s2 := mustSession(t, s, u.ID, end, "rp-s2", end)
	sOther := mustSession(t, s, other.ID, end, "rp-s3", end)

	steps := []struct {
		name   string
		label  string
		at     time.Time
		wantOK bool
		wantID int64
	}{
		{"expired token", "rp-short", now.Add(2 * time.Minute), false, 0},
		{"unknown token", "rp-never", now, false, 0},
		{"live token", "rp-b", now, true, u.ID},
		{"same token again", "rp-b", now, false, 0},
		{"user's other token, voided", "rp-a", now, false, 0},
		{"user's later token, voided", "rp-c", now, false, 0},
	}
	for _, st := range steps {
		id, ok, err := s.ResetPassword(ctx, digest(st.label), "hash-"+st.label, st.at)
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if ok != st.wantOK || (st.wantOK && id != st.wantID) {
			t.Errorf("%s: ResetPassword = %d, %v; want %d, %v", st.name, id, ok, st.wantID, st.wantOK)
		}
	}

	if c, err := s.CredentialsByID(ctx, u.ID); err != nil || c.PasswordHash != "hash-rp-b" {
		t.Errorf("credentials after reset: %+v, %v; want hash-rp-b", c, err)
	}
	for _, sess := range []users.Session{s1, s2} {
		if got := sessionRevocation(t, pool, sess.ID); got != users.RevokedPasswordReset {
			t.Errorf("session revoked_reason = %q, want %q", got, users.RevokedPasswordReset)
		}
	}
	if r := rotate(t, s, "rp-s1", "rp-s1-next", end, now); r.Outcome != users.SessionRevoked {
		t.Errorf("refresh after reset: %v, want SessionRevoked", outcomeName(r.Outcome))
	}

	// Another user's sessions and reset tokens are untouched.
	if got := sessionRevocation(t, pool, sOther.ID); got != "" {
		t.Errorf("another user's session revoked (%q) by this user's reset", got)
	}
	if id, ok, err := s.ResetPassword(ctx, digest("rp-other"), "hash-other", now); err != nil || !ok || id != other.ID {
		t.Errorf("another user's reset token = %d, %v, %v; want %d, true, nil", id, ok, err, other.ID)
	}
}

// seedOutbox writes n reset messages to recipients r0@example.com… in order.
func seedOutbox(t *testing.T, s *Store, prefix string, n int) *users.User {
	t.Helper()
	u := mustUser(t, s, prefix+"@example.com")
	for i := range n {
		label := fmt.Sprintf("%s-%d", prefix, i)
		if err := s.CreatePasswordReset(t.Context(), u.ID, digest(label), testNow().Add(time.Hour),
			resetMessage(fmt.Sprintf("r%d@example.com", i), label)); err != nil {
			t.Fatal(err)
		}
	}
	return u
}

func TestDeliverPendingInOrderClearsBody(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s, pool := newStore(t)
	seedOutbox(t, s, "order", 3)

	var got []users.PendingMessage
	collect := func(_ context.Context, m users.PendingMessage) error {
		got = append(got, m)
		return nil
	}
	// A limit stops the batch early; the next call picks up where it left.
	for _, step := range []struct{ limit, want int }{{2, 2}, {5, 1}, {5, 0}} {
		n, err := s.DeliverPending(ctx, step.limit, collect)
		if err != nil || n != step.want {
			t.Fatalf("DeliverPending(limit %d) = %d, %v; want %d", step.limit, n, err, step.want)
		}
	}
	if len(got) != 3 {
		t.Fatalf("delivered %d messages, want 3", len(got))
	}
	for i, m := range got {
		if i > 0 && m.ID <= got[i-1].ID {
			t.Errorf("message %d (id %d) delivered after id %d: not oldest first", i, m.ID, got[i-1].ID)
		}
		want := resetMessage(fmt.Sprintf("r%d@example.com", i), fmt.Sprintf("order-%d", i))
		if m.Kind != want.Kind || m.Recipient != want.Recipient || m.Body["token"] != want.Body["token"] || len(m.Body) != 1 || m.Attempts != 0 {
			t.Errorf("message %d = %+v, want %+v with no attempts", i, m, want)
		}
	}
	for id, r := range readOutbox(t, pool) {
		if !r.delivered || r.body != nil {
			t.Errorf("outbox row %d after delivery: delivered %v, body %v; want delivered with no body", id, r.delivered, r.body)
		}
	}
}

func TestDeliverPendingFailureCountsAndDoesNotBlock(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s, pool := newStore(t)
	seedOutbox(t, s, "fail", 2) // r0 fails, r1 works
	errBounce := errors.New("mailbox unavailable")
	var delivered []string
	var attemptsSeen []int
	deliver := func(_ context.Context, m users.PendingMessage) error {
		if m.Recipient == "r0@example.com" {
			attemptsSeen = append(attemptsSeen, m.Attempts)
			return errBounce
		}
		delivered = append(delivered, m.Recipient)
		return nil
	}

	n, err := s.DeliverPending(ctx, 10, deliver)
	if !errors.Is(err, errBounce) || n != 0 {
		t.Fatalf("first call = %d, %v; want 0 and the delivery error", n, err)
	}
	n, err = s.DeliverPending(ctx, 10, deliver)
	if !errors.Is(err, errBounce) || n != 1 {
		t.Fatalf("second call = %d, %v; want 1 (the next message) and the delivery error", n, err)
	}
	if len(delivered) != 1 || delivered[0] != "r1@example.com" {
		t.Errorf("delivered %v, want [r1@example.com]", delivered)
	}
	if len(attemptsSeen) != 2 || attemptsSeen[0] != 0 || attemptsSeen[1] != 1 {
		t.Errorf("failing message seen with attempts %v, want [0 1]", attemptsSeen)
	}
	for _, r := range readOutbox(t, pool) {
		switch r.email {
		case "r0@example.com":
			if r.delivered || r.attempts != 2 || r.body == nil {
				t.Errorf("failing message row = %+v; want pending with 2 attempts and its body", r)
			}
		case "r1@example.com":
			if !r.delivered || r.body != nil {
				t.Errorf("delivered message row = %+v; want delivered with no body", r)
			}
		}
	}

	// Once delivery works, the failed message goes too.
	n, err = s.DeliverPending(ctx, 10, func(context.Context, users.PendingMessage) error { return nil })
	if err != nil || n != 1 {
		t.Errorf("after recovery = %d, %v; want 1, nil", n, err)
	}
}

// TestDeliverPendingConcurrentWorkersDeliverOnce runs two workers at once over
// one outbox: each message must reach deliver exactly once.
func TestDeliverPendingConcurrentWorkersDeliverOnce(t *testing.T) {
	t.Parallel()
	s, _ := newStore(t)
	const n = 50
	seedOutbox(t, s, "conc", n)

	var mu sync.Mutex
	seen := map[int64]int{}
	deliver := func(_ context.Context, m users.PendingMessage) error {
		mu.Lock()
		seen[m.ID]++
		mu.Unlock()
		return nil
	}
	const workers = 2
	counts := make([]int, workers)
	errs := make([]error, workers)
	var start, wg sync.WaitGroup
	start.Add(1)
	for w := range workers {
		wg.Go(func() {
			start.Wait()
			counts[w], errs[w] = s.DeliverPending(t.Context(), n, deliver)
		})
	}
	start.Done()
	wg.Wait()

	total := 0
	for w := range workers {
		if errs[w] != nil {
			t.Fatalf("worker %d: %v", w, errs[w])
		}
		total += counts[w]
	}
	if total != n || len(seen) != n {
		t.Errorf("workers report %v delivered, %d distinct messages seen; want %d in all", counts, len(seen), n)
	}
	for id, k := range seen {
		if k != 1 {
			t.Errorf("message %d delivered %d times", id, k)
		}
	}
}
