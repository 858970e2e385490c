// Package accounts is the users service's account flows: signing up and in,
// sessions with rotating refresh tokens, password changes and resets, profiles
// and address books. It joins the domain's stores with password hashing
// (subgraphs/users/password), token signing (subgraphs/users/tokens) and rate
// limits (internal/ratelimit); the GraphQL layer calls it and shows its
// FieldErrors as userErrors.
//
// Security properties it keeps, each tested:
//   - Sign-in answers the same INVALID_CREDENTIALS for an unknown email, an
//     account without a password and a wrong password, and spends one password
//     verification on each, so neither the message nor the time tells whether
//     an email has an account. Password reset always answers success.
//   - Refresh tokens are opaque, stored as SHA-256 digests, single use: each
//     exchange returns a new one, and presenting a used one again revokes the
//     whole session (someone holds a stolen copy).
//   - Changing a password ends the account's other sessions; a reset ends all.
//   - signIn and requestPasswordReset are rate limited per email and per client
//     address. When the limiter's store fails, the flow goes on (availability
//     over strictness) and the failure is logged.
package accounts

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"strings"
	"time"

	"github.com/shopgraph/shopgraph/internal/apperr"
	"github.com/shopgraph/shopgraph/internal/contact"
	"github.com/shopgraph/shopgraph/internal/ratelimit"
	"github.com/shopgraph/shopgraph/internal/relay"
	"github.com/shopgraph/shopgraph/subgraphs/users"
	"github.com/shopgraph/shopgraph/subgraphs/users/password"
	"github.com/shopgraph/shopgraph/subgraphs/users/tokens"
)

// Codes of the FieldErrors this package returns: the values of the API's
// AccountErrorCode enum.
const (
	CodeBlank              = contact.CodeBlank
	CodeTooLong            = contact.CodeTooLong
	CodeInvalid            = contact.CodeInvalid
	CodeInvalidEmail       = contact.CodeInvalidEmail
	CodeEmailTaken         = "EMAIL_TAKEN"
	CodeInvalidCredentials = "INVALID_CREDENTIALS"
	CodeWrongPassword      = "WRONG_PASSWORD"
	CodeInvalidToken       = "INVALID_TOKEN"
	CodeRateLimited        = "RATE_LIMITED"
	CodeInvalidCountry     = contact.CodeInvalidCountry
	CodeNotFound           = "NOT_FOUND"
	CodeLimitReached       = "LIMIT_REACHED"
	// Password policy codes are "PASSWORD_" + the policy's code: PASSWORD_TOO_SHORT,
	// PASSWORD_TOO_LONG, PASSWORD_TOO_COMMON, PASSWORD_CONTAINS_PERSONAL, PASSWORD_INVALID.
)

// Limits are the rate limits of the flows that guess-work attacks use.
type Limits struct {
	SignInPerEmail  ratelimit.Limit
	SignInPerClient ratelimit.Limit
	ResetPerEmail   ratelimit.Limit
	ResetPerClient  ratelimit.Limit
}

// DefaultLimits: 10 sign-ins per email per 15 minutes, 60 per client address per
// minute (shared networks put many shoppers behind one address), 3 reset
// requests per email per hour and 20 per client per hour.
func DefaultLimits() Limits {
	return Limits{
		SignInPerEmail:  ratelimit.Limit{Events: 10, Per: 15 * time.Minute},
		SignInPerClient: ratelimit.Limit{Events: 60, Per: time.Minute},
		ResetPerEmail:   ratelimit.Limit{Events: 3, Per: time.Hour},
		ResetPerClient:  ratelimit.Limit{Events: 20, Per: time.Hour},
	}
}

// Config is what the Service needs.
type Config struct {
	Accounts  users.AccountStore
	Addresses users.AddressStore
	Hasher    *password.Hasher
	Policy    password.Policy
	Issuer    *tokens.Issuer
	Limiter   ratelimit.Limiter
	Limits    Limits
	// RefreshTTL is how long a refresh token lives unused (default 14 days).
	RefreshTTL time.Duration
	// SessionTTL is a session's absolute lifetime: refreshing never extends a
	// sign-in past it (default 90 days).
	SessionTTL time.Duration
	// ResetTTL is how long a password-reset token lives (default 1 hour).
	ResetTTL time.Duration
	// ResetURL is the store's reset page; the token is appended as ?token=.
	ResetURL string
	Now      func() time.Time
	Logger   *slog.Logger
}

// Service runs the account flows.
type Service struct {
	cfg Config
}

// New returns a Service; it checks that every dependency is there.
func New(cfg Config) (*Service, error) {
	var errs []error
	if cfg.Accounts == nil || cfg.Addresses == nil {
		errs = append(errs, errors.New("accounts: stores are required"))
	}
	if cfg.Hasher == nil || cfg.Issuer == nil || cfg.Limiter == nil {
		errs = append(errs, errors.New("accounts: Hasher, Issuer and Limiter are required"))
	}
	for name, l := range map[string]ratelimit.Limit{
		"SignInPerEmail": cfg.Limits.SignInPerEmail, "SignInPerClient": cfg.Limits.SignInPerClient,
		"ResetPerEmail": cfg.Limits.ResetPerEmail, "ResetPerClient": cfg.Limits.ResetPerClient,
	} {
		if err := l.Validate(); err != nil {
			errs = append(errs, fmt.Errorf("accounts: Limits.%s: %w", name, err))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if cfg.RefreshTTL <= 0 {
		cfg.RefreshTTL = 14 * 24 * time.Hour
	}
	if cfg.SessionTTL <= 0 {
		cfg.SessionTTL = 90 * 24 * time.Hour
	}
	if cfg.ResetTTL <= 0 {
		cfg.ResetTTL = time.Hour
	}
	if cfg.ResetURL == "" {
		cfg.ResetURL = "http://127.0.0.1:3000/reset-password"
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Service{cfg: cfg}, nil
}

// Tokens are what a client keeps after signing in.
type Tokens struct {
	AccessToken           string
	AccessTokenExpiresAt  time.Time
	RefreshToken          string
	RefreshTokenExpiresAt time.Time
}

// Result is the outcome of a flow: the account and, for flows that sign in,
// tokens; or why not, in Errors; RetryAfter is set with RATE_LIMITED.
type Result struct {
	User       *users.User
	Tokens     *Tokens
	Errors     []apperr.FieldError
	RetryAfter time.Duration
}

func refused(errs ...apperr.FieldError) (Result, error) { return Result{Errors: errs}, nil }

// invalidCredentials is the one answer to every failed sign-in.
var invalidCredentials = apperr.FieldError{Code: CodeInvalidCredentials, Message: "The email or password is incorrect."}

// MaxEmailLength is RFC 5321's limit on a forward path, which bounds an address.
const MaxEmailLength = contact.MaxEmailLength

// MaxNameLength bounds a display name.
const MaxNameLength = 100

// NormalizeEmail trims and lower-cases an address and checks its form (see
// contact.NormalizeEmail).
func NormalizeEmail(raw string, field []string) (string, *apperr.FieldError) {
	return contact.NormalizeEmail(raw, field)
}

// checkPassword applies the policy; personal are the account's email and name.
func (s *Service) checkPassword(pw string, field []string, personal ...string) *apperr.FieldError {
	err := s.cfg.Policy.Check(pw, personal...)
	if err == nil {
		return nil
	}
	var pe *password.PolicyError
	if errors.As(err, &pe) {
		fe := apperr.FieldError{Code: "PASSWORD_" + pe.Code, Field: field, Message: pe.Message}
		return &fe
	}
	fe := apperr.Fieldf(CodeInvalid, field, "This password cannot be used.")
	return &fe
}

// limit takes one event from each of the named budgets; the first refusal
// wins. A failing limiter store lets the event through (see the package doc).
func (s *Service) limit(ctx context.Context, checks ...limitCheck) (time.Duration, bool) {
	for _, c := range checks {
		if c.key == "" {
			continue
		}
		d, err := s.cfg.Limiter.Allow(ctx, c.key, c.limit)
		if err != nil {
			s.cfg.Logger.WarnContext(ctx, "rate limiter unavailable; allowing", "limit", c.name, "err", err)
			continue
		}
		if !d.Allowed {
			return d.RetryAfter, false
		}
	}
	return 0, true
}

type limitCheck struct {
	name  string
	key   string
	limit ratelimit.Limit
}

// clientKey keys a client address's budget. An IPv6 client usually holds a
// whole /64, so its budget is the /64's: otherwise each of its 2^64 addresses
// would have one of its own.
func clientKey(prefix string, client netip.Addr) string {
	if !client.IsValid() {
		return ""
	}
	client = client.Unmap()
	if client.Is6() {
		p, _ := client.Prefix(64)
		return prefix + p.String()
	}
	return prefix + client.String()
}

func rateLimited(retry time.Duration, what string) Result {
	secs := int((retry + time.Second - 1) / time.Second)
	if secs < 1 {
		secs = 1
	}
	return Result{
		Errors: []apperr.FieldError{apperr.Fieldf(CodeRateLimited, nil,
			"Too many %s. Try again in %d seconds.", what, secs)},
		RetryAfter: time.Duration(secs) * time.Second,
	}
}

// startSession signs u in on a new session.
func (s *Service) startSession(ctx context.Context, u *users.User) (Result, error) {
	now := s.cfg.Now()
	refresh, digest, err := tokens.NewOpaqueToken()
	if err != nil {
		return Result{}, users.Internal(err)
	}
	refreshExpires := now.Add(s.cfg.RefreshTTL)
	if end := now.Add(s.cfg.SessionTTL); refreshExpires.After(end) {
		refreshExpires = end
	}
	sess, err := s.cfg.Accounts.CreateSession(ctx, u.ID, now.Add(s.cfg.SessionTTL), digest, refreshExpires)
	if err != nil {
		return Result{}, users.Internal(err)
	}
	return s.issue(u, sess.ID, refresh, refreshExpires)
}

func (s *Service) issue(u *users.User, sessionID, refresh string, refreshExpires time.Time) (Result, error) {
	access, exp, err := s.cfg.Issuer.Issue(tokens.AccessClaims{
		Subject: relay.EncodeID("User", u.ID), Role: string(u.Role), SessionID: sessionID,
	})
	if err != nil {
		return Result{}, users.Internal(fmt.Errorf("issue access token: %w", err))
	}
	return Result{User: u, Tokens: &Tokens{
		AccessToken: access, AccessTokenExpiresAt: exp,
		RefreshToken: refresh, RefreshTokenExpiresAt: refreshExpires,
	}}, nil
}

// SignUp creates an account and signs it in.
func (s *Service) SignUp(ctx context.Context, email, name, pw string) (Result, error) {
	var errs []apperr.FieldError
	email, fe := NormalizeEmail(email, []string{"input", "email"})
	if fe != nil {
		errs = append(errs, *fe)
	}
	name, fe = contact.CheckText(name, []string{"input", "name"}, true, MaxNameLength, "your name")
	if fe != nil {
		errs = append(errs, *fe)
	}
	if fe := s.checkPassword(pw, []string{"input", "password"}, email, name); fe != nil {
		errs = append(errs, *fe)
	}
	if len(errs) > 0 {
		return refused(errs...)
	}
	hash, err := s.cfg.Hasher.Hash(ctx, pw)
	if err != nil {
		return Result{}, users.Internal(err)
	}
	u, err := s.cfg.Accounts.CreateUser(ctx, email, name, hash)
	if apperr.Code(err) == users.ECONFLICT {
		return refused(apperr.Fieldf(CodeEmailTaken, []string{"input", "email"}, "An account with this email exists. Sign in instead."))
	}
	if err != nil {
		return Result{}, users.Internal(err)
	}
	return s.startSession(ctx, u)
}

// SignIn checks an email and password and starts a session. client is the
// shopper's address, for the per-client limit (invalid: not limited by it).
func (s *Service) SignIn(ctx context.Context, email, pw string, client netip.Addr) (Result, error) {
	normalized, fe := NormalizeEmail(email, []string{"input", "email"})
	if fe != nil {
		// The form of an address says nothing about whether it has an account.
		return refused(*fe)
	}
	if retry, ok := s.limit(ctx,
		limitCheck{"sign-in per client", clientKey("signin:client:", client), s.cfg.Limits.SignInPerClient},
		limitCheck{"sign-in per email", "signin:email:" + normalized, s.cfg.Limits.SignInPerEmail},
	); !ok {
		return rateLimited(retry, "sign-in attempts"), nil
	}
	if len(pw) > 4*s.cfg.Policy.MaxLength {
		// Longer than any password we store; no need to hash megabytes.
		s.cfg.Hasher.VerifyNothing(ctx, "")
		return refused(invalidCredentials)
	}
	cred, err := s.cfg.Accounts.CredentialsByEmail(ctx, normalized)
	if err != nil {
		return Result{}, users.Internal(err)
	}
	if cred == nil || cred.PasswordHash == "" {
		s.cfg.Hasher.VerifyNothing(ctx, pw)
		return refused(invalidCredentials)
	}
	ok, rehash, err := s.cfg.Hasher.Verify(ctx, pw, cred.PasswordHash)
	if err != nil {
		return Result{}, users.Internal(fmt.Errorf("verify password of user %d: %w", cred.User.ID, err))
	}
	if !ok {
		return refused(invalidCredentials)
	}
	if rehash {
		s.rehash(ctx, cred, pw)
	}
	return s.startSession(ctx, &cred.User)
}

// passwordCheckBudget takes a password check of a signed-in user from the
// account's sign-in budget, so that a stolen access token does not give
// unlimited guesses; ok false carries the RATE_LIMITED result.
func (s *Service) passwordCheckBudget(ctx context.Context, cred *users.Credentials) (Result, bool) {
	if retry, ok := s.limit(ctx, limitCheck{"password check per email", "signin:email:" + cred.User.Email, s.cfg.Limits.SignInPerEmail}); !ok {
		return rateLimited(retry, "password attempts"), false
	}
	return Result{}, true
}

// rehash stores the password under the current parameters; a failure only
// delays it to the next sign-in.
func (s *Service) rehash(ctx context.Context, cred *users.Credentials, pw string) {
	hash, err := s.cfg.Hasher.Hash(ctx, pw)
	if err == nil {
		err = s.cfg.Accounts.ReplacePasswordHash(ctx, cred.User.ID, cred.PasswordHash, hash)
	}
	if err != nil {
		s.cfg.Logger.WarnContext(ctx, "password not re-hashed", "user", cred.User.ID, "err", err)
		return
	}
	s.cfg.Logger.InfoContext(ctx, "password re-hashed with current parameters", "user", cred.User.ID)
}

// invalidToken is the answer to any refresh or reset token that does not work.
func invalidToken(field string, msg string) apperr.FieldError {
	return apperr.Fieldf(CodeInvalidToken, []string{field}, "%s", msg)
}

// Refresh exchanges a refresh token for new tokens.
func (s *Service) Refresh(ctx context.Context, refresh string) (Result, error) {
	refresh = strings.TrimSpace(refresh)
	if refresh == "" || len(refresh) > 256 {
		return refused(invalidToken("refreshToken", "This session has ended. Sign in again."))
	}
	now := s.cfg.Now()
	next, digest, err := tokens.NewOpaqueToken()
	if err != nil {
		return Result{}, users.Internal(err)
	}
	rot, err := s.cfg.Accounts.RotateRefreshToken(ctx, tokens.Digest(refresh), digest, now.Add(s.cfg.RefreshTTL), now)
	if err != nil {
		return Result{}, users.Internal(err)
	}
	switch rot.Outcome {
	case users.Rotated:
		return s.issue(&rot.User, rot.Session.ID, next, rot.RefreshExpiresAt)
	case users.TokenReused:
		s.cfg.Logger.WarnContext(ctx, "refresh token reused; session revoked", "session", rot.Session.ID)
	}
	return refused(invalidToken("refreshToken", "This session has ended. Sign in again."))
}

// SignOut ends the session of a refresh token. Signing out twice, or with an
// unknown token, is not an error: the session is over either way.
func (s *Service) SignOut(ctx context.Context, refresh string) error {
	if refresh = strings.TrimSpace(refresh); refresh == "" || len(refresh) > 256 {
		return nil
	}
	if _, err := s.cfg.Accounts.RevokeSessionOf(ctx, tokens.Digest(refresh), users.RevokedSignOut); err != nil {
		return users.Internal(err)
	}
	return nil
}

// ChangePassword checks the current password, stores the new one and ends
// every other session of the account; keepSession (the caller's) stays.
func (s *Service) ChangePassword(ctx context.Context, userID int64, keepSession, current, next string) (Result, error) {
	cred, err := s.cfg.Accounts.CredentialsByID(ctx, userID)
	if err != nil {
		return Result{}, users.Internal(err)
	}
	if cred == nil {
		return Result{}, users.Errorf(users.ENOTFOUND, "no such user")
	}
	if limited, ok := s.passwordCheckBudget(ctx, cred); !ok {
		return limited, nil
	}
	ok := false
	if cred.PasswordHash != "" {
		if ok, _, err = s.cfg.Hasher.Verify(ctx, current, cred.PasswordHash); err != nil {
			return Result{}, users.Internal(err)
		}
	} else {
		s.cfg.Hasher.VerifyNothing(ctx, current)
	}
	if !ok {
		return refused(apperr.Fieldf(CodeWrongPassword, []string{"input", "currentPassword"}, "The current password is incorrect."))
	}
	if fe := s.checkPassword(next, []string{"input", "newPassword"}, cred.User.Email, cred.User.Name); fe != nil {
		return refused(*fe)
	}
	hash, err := s.cfg.Hasher.Hash(ctx, next)
	if err != nil {
		return Result{}, users.Internal(err)
	}
	if err := s.cfg.Accounts.ChangePassword(ctx, userID, hash, keepSession); err != nil {
		return Result{}, users.Internal(err)
	}
	return Result{User: &cred.User}, nil
}

// UpdateProfile changes the name and/or email (nil keeps one). Changing the
// email, which is what signs in and receives reset links, needs the current
// password.
func (s *Service) UpdateProfile(ctx context.Context, userID int64, name, email, currentPassword *string) (Result, error) {
	var errs []apperr.FieldError
	if name != nil {
		v, fe := contact.CheckText(*name, []string{"input", "name"}, true, MaxNameLength, "your name")
		if fe != nil {
			errs = append(errs, *fe)
		}
		name = &v
	}
	if email != nil {
		v, fe := NormalizeEmail(*email, []string{"input", "email"})
		if fe != nil {
			errs = append(errs, *fe)
		}
		email = &v
	}
	if len(errs) > 0 {
		return refused(errs...)
	}
	if email != nil {
		cred, err := s.cfg.Accounts.CredentialsByID(ctx, userID)
		if err != nil {
			return Result{}, users.Internal(err)
		}
		if cred == nil {
			return Result{}, users.Errorf(users.ENOTFOUND, "no such user")
		}
		if *email == cred.User.Email {
			email = nil
		} else {
			if limited, ok := s.passwordCheckBudget(ctx, cred); !ok {
				return limited, nil
			}
			ok := false
			if currentPassword != nil && cred.PasswordHash != "" {
				if ok, _, err = s.cfg.Hasher.Verify(ctx, *currentPassword, cred.PasswordHash); err != nil {
					return Result{}, users.Internal(err)
				}
			}
			if !ok {
				return refused(apperr.Fieldf(CodeWrongPassword, []string{"input", "currentPassword"},
					"Enter your current password to change your email."))
			}
		}
	}
	u, err := s.cfg.Accounts.UpdateProfile(ctx, userID, name, email)
	if apperr.Code(err) == users.ECONFLICT {
		return refused(apperr.Fieldf(CodeEmailTaken, []string{"input", "email"}, "An account with this email exists."))
	}
	if err != nil {
		return Result{}, users.Internal(err)
	}
	return Result{User: u}, nil
}
