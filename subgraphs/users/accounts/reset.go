package accounts

import (
	"context"
	"net/netip"
	"net/url"
	"strings"

	"github.com/shopgraph/shopgraph/internal/apperr"
	"github.com/shopgraph/shopgraph/subgraphs/users"
	"github.com/shopgraph/shopgraph/subgraphs/users/tokens"
)

// KindPasswordReset is the outbox kind of a password-reset message.
const KindPasswordReset = "PASSWORD_RESET"

// RequestPasswordReset sends a single-use reset link to email's account,
// through the outbox. It answers the same whether or not the email has an
// account (only a malformed address or a rate limit is refused), so it cannot
// be used to find accounts.
func (s *Service) RequestPasswordReset(ctx context.Context, email string, client netip.Addr) (Result, error) {
	normalized, fe := NormalizeEmail(email, []string{"email"})
	if fe != nil {
		return refused(*fe)
	}
	if retry, ok := s.limit(ctx,
		limitCheck{"reset per client", clientKey("reset:client:", client), s.cfg.Limits.ResetPerClient},
		limitCheck{"reset per email", "reset:email:" + normalized, s.cfg.Limits.ResetPerEmail},
	); !ok {
		return rateLimited(retry, "password reset requests"), nil
	}
	cred, err := s.cfg.Accounts.CredentialsByEmail(ctx, normalized)
	if err != nil {
		return Result{}, users.Internal(err)
	}
	if cred == nil {
		return Result{}, nil
	}
	token, digest, err := tokens.NewOpaqueToken()
	if err != nil {
		return Result{}, users.Internal(err)
	}
	link := s.cfg.ResetURL + "?" + url.Values{"token": {token}}.Encode()
	msg := users.Message{Kind: KindPasswordReset, Recipient: cred.User.Email, Body: map[string]string{
		"name": cred.User.Name, "token": token, "link": link,
		"expiresAt": s.cfg.Now().Add(s.cfg.ResetTTL).UTC().Format("2006-01-02T15:04:05Z"),
	}}
	if err := s.cfg.Accounts.CreatePasswordReset(ctx, cred.User.ID, digest, s.cfg.Now().Add(s.cfg.ResetTTL), msg); err != nil {
		return Result{}, users.Internal(err)
	}
	return Result{}, nil
}

// ResetPassword sets a new password with a reset token: once, before it
// expires. Every session of the account ends; the caller signs in again.
func (s *Service) ResetPassword(ctx context.Context, token, next string) (Result, error) {
	token = strings.TrimSpace(token)
	bad := apperr.Fieldf(CodeInvalidToken, []string{"input", "token"}, "This reset link is invalid or has expired. Ask for a new one.")
	if token == "" || len(token) > 256 {
		return refused(bad)
	}
	digest := tokens.Digest(token)
	owner, err := s.cfg.Accounts.PasswordResetOwner(ctx, digest, s.cfg.Now())
	if err != nil {
		return Result{}, users.Internal(err)
	}
	if owner == nil {
		return refused(bad)
	}
	if fe := s.checkPassword(next, []string{"input", "newPassword"}, owner.User.Email, owner.User.Name); fe != nil {
		return refused(*fe)
	}
	hash, err := s.cfg.Hasher.Hash(ctx, next)
	if err != nil {
		return Result{}, users.Internal(err)
	}
	// Consuming the token is what decides: it may have been used meanwhile.
	userID, ok, err := s.cfg.Accounts.ResetPassword(ctx, digest, hash, s.cfg.Now())
	if err != nil {
		return Result{}, users.Internal(err)
	}
	if !ok || userID != owner.User.ID {
		return refused(bad)
	}
	return Result{User: &owner.User}, nil
}
