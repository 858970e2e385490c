package main

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"
)

// gqlResponse is a GraphQL answer with the HTTP status it came with.
type gqlResponse struct {
	Status int
	Data   map[string]json.RawMessage
	Errors []gqlError
	raw    []byte
}

// gql posts an operation with a bearer token ("" for none) and decodes the answer.
func gql(t *testing.T, url, token, query string, vars map[string]any) gqlResponse {
	t.Helper()
	status, raw := postAs(t, url, token, query, vars)
	r := gqlResponse{Status: status, raw: raw}
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatalf("status %d, body %s: %v", status, raw, err)
	}
	return r
}

// field decodes data[name] into v.
func (r gqlResponse) field(t *testing.T, name string, v any) {
	t.Helper()
	raw, ok := r.Data[name]
	if !ok {
		t.Fatalf("no %s in %s", name, r.raw)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		t.Fatalf("decode %s (%s): %v", name, raw, err)
	}
}

// code is the first error's extensions.code, "" without errors.
func (r gqlResponse) code() string {
	if len(r.Errors) == 0 {
		return ""
	}
	c, _ := r.Errors[0].Extensions["code"].(string)
	return c
}

// authResult is the part of an AuthPayload the tests read.
type authResult struct {
	User *struct {
		ID    string
		Email *string
		Name  string
	}
	Tokens *struct {
		AccessToken, RefreshToken string
		TokenType                 string
	}
	UserErrors []struct {
		Code    string
		Field   []string
		Message string
	}
	RetryAfterSeconds *int
}

func (a authResult) codes() string {
	var c []string
	for _, e := range a.UserErrors {
		c = append(c, e.Code)
	}
	return strings.Join(c, ",")
}

const authFields = `user { id email name } tokens { accessToken refreshToken tokenType } userErrors { code field message } retryAfterSeconds`

func signUp(t *testing.T, url, email, name, password string) authResult {
	t.Helper()
	var a authResult
	gql(t, url, "", `mutation($in: SignUpInput!) { signUp(input: $in) { `+authFields+` } }`,
		map[string]any{"in": map[string]any{"email": email, "name": name, "password": password}}).field(t, "signUp", &a)
	return a
}

func signIn(t *testing.T, url, email, password string) authResult {
	t.Helper()
	var a authResult
	gql(t, url, "", `mutation($in: SignInInput!) { signIn(input: $in) { `+authFields+` } }`,
		map[string]any{"in": map[string]any{"email": email, "password": password}}).field(t, "signIn", &a)
	return a
}

func refresh(t *testing.T, url, token string) authResult {
	t.Helper()
	var a authResult
	gql(t, url, "", `mutation($t: String!) { refreshToken(refreshToken: $t) { `+authFields+` } }`,
		map[string]any{"t": token}).field(t, "refreshToken", &a)
	return a
}

// mustSignIn signs in and fails the test unless it worked.
func mustSignIn(t *testing.T, url, email, password string) authResult {
	t.Helper()
	a := signIn(t, url, email, password)
	if a.Tokens == nil || len(a.UserErrors) > 0 {
		t.Fatalf("sign in as %s: %+v", email, a)
	}
	return a
}

// TestAccountsThroughTheRouter: the shopper's journey with real processes and
// databases: sign up, sign in, read oneself, refresh, sign out.
func TestAccountsThroughTheRouter(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: builds and runs the binary")
	}
	sys := startSystem(t, "USERS_SIGNIN_LIMIT_PER_EMAIL=8/1m", "USERS_SIGNIN_LIMIT_PER_CLIENT=1000/1m",
		"USERS_RESET_LIMIT_PER_EMAIL=2/1h", "USERS_OUTBOX_INTERVAL=100ms")
	url := sys.router

	t.Run("sign-up validation", func(t *testing.T) {
		cases := []struct{ email, name, password, want string }{
			{"not-an-email", "Ann", "Correct-Horse-Battery", "INVALID_EMAIL"},
			{"ann@example.com", "", "Correct-Horse-Battery", "BLANK"},
			{"ann@example.com", "Ann", "short", "PASSWORD_TOO_SHORT"},
			{"ann@example.com", "Ann", "password123", "PASSWORD_TOO_COMMON"},
			{"annabelle@example.com", "Ann", "annabelle-rocks-2026", "PASSWORD_CONTAINS_PERSONAL"},
			{"DEMO@shopgraph.dev", "Someone", "Correct-Horse-Battery", "EMAIL_TAKEN"},
		}
		for _, c := range cases {
			a := signUp(t, url, c.email, c.name, c.password)
			if a.codes() != c.want || a.Tokens != nil || a.User != nil {
				t.Errorf("signUp(%q, %q, %q) = %+v, want %s", c.email, c.name, c.password, a, c.want)
			}
		}
	})

	t.Run("sign up, then read oneself with the token", func(t *testing.T) {
		a := signUp(t, url, "  Nora.Quist@Example.com ", "Nora Quist", "Velvet-Kettle-Morning")
		if a.Tokens == nil || a.User == nil || *a.User.Email != "nora.quist@example.com" || a.Tokens.TokenType != "Bearer" {
			t.Fatalf("signUp = %+v", a)
		}
		r := gql(t, url, a.Tokens.AccessToken, `{ me { id name email role addresses { id } } }`, nil)
		want := `{"id":"` + a.User.ID + `","name":"Nora Quist","email":"nora.quist@example.com","role":"CUSTOMER","addresses":[]}`
		if string(r.Data["me"]) != want || len(r.Errors) > 0 {
			t.Errorf("me = %s %+v, want %s", r.Data["me"], r.Errors, want)
		}
		if r := gql(t, url, "", `{ me { id } }`, nil); string(r.Data["me"]) != "null" || len(r.Errors) > 0 {
			t.Errorf("anonymous me = %s %+v", r.Data["me"], r.Errors)
		}
	})

	t.Run("demo customer signs in", func(t *testing.T) {
		a := mustSignIn(t, url, "demo@shopgraph.dev", "Lantern-Harbor-42")
		if a.User.ID != "gid://shopgraph/User/1" {
			t.Errorf("user %+v", a.User)
		}
	})

	t.Run("sign-in failures look alike", func(t *testing.T) {
		signUp(t, url, "olga.berg@example.com", "Olga Berg", "Quiet-Meadow-Lantern")
		for _, c := range []struct{ email, password string }{
			{"olga.berg@example.com", "Wrong-Password-Here"},
			{"nobody.here@example.com", "Wrong-Password-Here"},
			{"user3@example.com", "Any-Password-At-All"}, // a demo user without a password
		} {
			a := signIn(t, url, c.email, c.password)
			if a.codes() != "INVALID_CREDENTIALS" || a.UserErrors[0].Message != "The email or password is incorrect." || a.Tokens != nil {
				t.Errorf("signIn(%s) = %+v", c.email, a)
			}
		}
	})

	t.Run("refresh rotates, and a reused token ends the session", func(t *testing.T) {
		first := mustSignIn(t, url, "nora.quist@example.com", "Velvet-Kettle-Morning")
		second := refresh(t, url, first.Tokens.RefreshToken)
		if second.Tokens == nil || second.Tokens.RefreshToken == first.Tokens.RefreshToken || second.Tokens.AccessToken == "" {
			t.Fatalf("refresh = %+v", second)
		}
		if r := gql(t, url, second.Tokens.AccessToken, `{ me { email } }`, nil); !strings.Contains(string(r.Data["me"]), "nora.quist") {
			t.Errorf("me with the refreshed token: %s %+v", r.Data["me"], r.Errors)
		}
		// The first token again: someone else has it. The session ends, so the
		// legitimate holder of the second token is signed out too.
		if again := refresh(t, url, first.Tokens.RefreshToken); again.codes() != "INVALID_TOKEN" {
			t.Errorf("reuse = %+v", again)
		}
		if after := refresh(t, url, second.Tokens.RefreshToken); after.codes() != "INVALID_TOKEN" {
			t.Errorf("the session survived reuse: %+v", after)
		}
		if junk := refresh(t, url, "not-a-token"); junk.codes() != "INVALID_TOKEN" {
			t.Errorf("junk = %+v", junk)
		}
	})

	t.Run("sign-out ends the session", func(t *testing.T) {
		a := mustSignIn(t, url, "nora.quist@example.com", "Velvet-Kettle-Morning")
		r := gql(t, url, "", `mutation($t: String!) { signOut(refreshToken: $t) { userErrors { code } } }`, map[string]any{"t": a.Tokens.RefreshToken})
		if string(r.Data["signOut"]) != `{"userErrors":[]}` {
			t.Fatalf("signOut = %s %+v", r.Data["signOut"], r.Errors)
		}
		if after := refresh(t, url, a.Tokens.RefreshToken); after.codes() != "INVALID_TOKEN" {
			t.Errorf("refresh after sign-out = %+v", after)
		}
	})

	t.Run("changing the password ends the other sessions", func(t *testing.T) {
		signUp(t, url, "pia.lund@example.com", "Pia Lund", "Amber-Window-Orchard")
		phone := mustSignIn(t, url, "pia.lund@example.com", "Amber-Window-Orchard")
		laptop := mustSignIn(t, url, "pia.lund@example.com", "Amber-Window-Orchard")
		const change = `mutation($in: ChangePasswordInput!) { changePassword(input: $in) { user { email } userErrors { code field } } }`
		r := gql(t, url, laptop.Tokens.AccessToken, change, map[string]any{"in": map[string]any{"currentPassword": "wrong-password-1", "newPassword": "Silver-Harbor-Evening"}})
		if !strings.Contains(string(r.Data["changePassword"]), `"code":"WRONG_PASSWORD"`) {
			t.Errorf("wrong current password: %s %+v", r.Data["changePassword"], r.Errors)
		}
		r = gql(t, url, laptop.Tokens.AccessToken, change, map[string]any{"in": map[string]any{"currentPassword": "Amber-Window-Orchard", "newPassword": "Silver-Harbor-Evening"}})
		if string(r.Data["changePassword"]) != `{"user":{"email":"pia.lund@example.com"},"userErrors":[]}` {
			t.Fatalf("changePassword = %s %+v", r.Data["changePassword"], r.Errors)
		}
		if a := refresh(t, url, phone.Tokens.RefreshToken); a.codes() != "INVALID_TOKEN" {
			t.Errorf("the other session survived: %+v", a)
		}
		if a := refresh(t, url, laptop.Tokens.RefreshToken); a.Tokens == nil {
			t.Errorf("the session that changed the password ended: %+v", a)
		}
		if a := signIn(t, url, "pia.lund@example.com", "Amber-Window-Orchard"); a.codes() != "INVALID_CREDENTIALS" {
			t.Errorf("old password still works: %+v", a)
		}
		mustSignIn(t, url, "pia.lund@example.com", "Silver-Harbor-Evening")
		r = gql(t, url, "", change, map[string]any{"in": map[string]any{"currentPassword": "x", "newPassword": "Silver-Harbor-Evening"}})
		if r.code() != "UNAUTHENTICATED" {
			t.Errorf("anonymous changePassword: %s %+v", r.Data["changePassword"], r.Errors)
		}
	})

	t.Run("sign-in is rate limited per email", func(t *testing.T) {
		signUp(t, url, "rolf.dahl@example.com", "Rolf Dahl", "Copper-Lantern-Valley")
		var last authResult
		for i := range 9 {
			last = signIn(t, url, "rolf.dahl@example.com", "Not-His-Password-1")
			if i < 8 && last.codes() != "INVALID_CREDENTIALS" {
				t.Fatalf("attempt %d = %+v", i+1, last)
			}
		}
		if last.codes() != "RATE_LIMITED" || last.RetryAfterSeconds == nil || *last.RetryAfterSeconds < 1 || *last.RetryAfterSeconds > 60 ||
			!strings.Contains(last.UserErrors[0].Message, "Try again in") {
			t.Fatalf("ninth attempt = %+v", last)
		}
		// Even the right password waits: the limit is on attempts.
		if a := signIn(t, url, "rolf.dahl@example.com", "Copper-Lantern-Valley"); a.codes() != "RATE_LIMITED" {
			t.Errorf("right password during the lock-out = %+v", a)
		}
		// Other accounts are not affected.
		mustSignIn(t, url, "demo@shopgraph.dev", "Lantern-Harbor-42")
	})

	t.Run("password reset by link, once", func(t *testing.T) {
		signUp(t, url, "sven.holm@example.com", "Sven Holm", "Granite-River-Sunset")
		session := mustSignIn(t, url, "sven.holm@example.com", "Granite-River-Sunset")
		const request = `mutation($e: String!) { requestPasswordReset(email: $e) { userErrors { code } retryAfterSeconds } }`
		for _, email := range []string{"sven.holm@example.com", "no.account@example.com"} {
			r := gql(t, url, "", request, map[string]any{"e": email})
			if string(r.Data["requestPasswordReset"]) != `{"userErrors":[],"retryAfterSeconds":null}` {
				t.Errorf("requestPasswordReset(%s) = %s %+v", email, r.Data["requestPasswordReset"], r.Errors)
			}
		}
		token := resetTokenFromLog(t, sys.procs["users"], "sven.holm@example.com")
		const reset = `mutation($in: ResetPasswordInput!) { resetPassword(input: $in) { user { email } userErrors { code } } }`
		r := gql(t, url, "", reset, map[string]any{"in": map[string]any{"token": token, "newPassword": "password"}})
		if !strings.Contains(string(r.Data["resetPassword"]), "PASSWORD_TOO_SHORT") {
			t.Errorf("weak new password: %s", r.Data["resetPassword"])
		}
		r = gql(t, url, "", reset, map[string]any{"in": map[string]any{"token": token, "newPassword": "Maple-Thunder-Quiet"}})
		if string(r.Data["resetPassword"]) != `{"user":{"email":"sven.holm@example.com"},"userErrors":[]}` {
			t.Fatalf("resetPassword = %s %+v", r.Data["resetPassword"], r.Errors)
		}
		r = gql(t, url, "", reset, map[string]any{"in": map[string]any{"token": token, "newPassword": "Another-Fresh-Phrase"}})
		if !strings.Contains(string(r.Data["resetPassword"]), "INVALID_TOKEN") {
			t.Errorf("second use of the link: %s", r.Data["resetPassword"])
		}
		if a := refresh(t, url, session.Tokens.RefreshToken); a.codes() != "INVALID_TOKEN" {
			t.Errorf("a session survived the reset: %+v", a)
		}
		mustSignIn(t, url, "sven.holm@example.com", "Maple-Thunder-Quiet")
		// The delivered message keeps no token at rest.
		var bodies int
		if err := sys.pool(t, "users").QueryRow(context.Background(),
			`SELECT count(*) FROM outbox WHERE body IS NOT NULL AND delivered_at IS NOT NULL`).Scan(&bodies); err != nil || bodies != 0 {
			t.Errorf("delivered messages with a body: %d (%v)", bodies, err)
		}
		var last gqlResponse
		for range 3 {
			last = gql(t, url, "", request, map[string]any{"e": "sven.holm@example.com"})
		}
		if !strings.Contains(string(last.Data["requestPasswordReset"]), "RATE_LIMITED") {
			t.Errorf("third reset request within the hour: %s", last.Data["requestPasswordReset"])
		}
	})
}

// resetTokenFromLog waits for the development mailer to log email's reset
// link and returns its token.
func resetTokenFromLog(t *testing.T, users *process, email string) string {
	t.Helper()
	re := regexp.MustCompile(`to=` + regexp.QuoteMeta(email) + ` link="?[^ "]*\?token=([A-Za-z0-9_-]+)`)
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if m := re.FindStringSubmatch(users.out.String()); m != nil {
			return m[1]
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("no reset link for %s in the users log:\n%s", email, users.out)
	return ""
}
