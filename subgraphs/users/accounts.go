package users

import (
	"context"
	"time"
)

// Credentials is what signing in needs of an account.
type Credentials struct {
	User User
	// PasswordHash is the encoded password hash; empty for an account that
	// cannot sign in until its owner resets the password.
	PasswordHash string
}

// Session is one sign-in on one device: a family of refresh tokens.
type Session struct {
	ID        string
	UserID    int64
	ExpiresAt time.Time
}

// Reasons a session ends, as the database records them.
const (
	RevokedSignOut         = "SIGN_OUT"
	RevokedPasswordChanged = "PASSWORD_CHANGED"
	RevokedPasswordReset   = "PASSWORD_RESET"
	RevokedTokenReused     = "TOKEN_REUSED"
)

// RotateOutcome says what exchanging a refresh token did.
type RotateOutcome int

// Outcomes of RotateRefreshToken.
const (
	// Rotated: the token was live; it is now used and the new one replaces it.
	Rotated RotateOutcome = iota
	// TokenUnknown: no such token.
	TokenUnknown
	// TokenExpired: the token or its session has expired.
	TokenExpired
	// SessionRevoked: the session was signed out or revoked before.
	SessionRevoked
	// TokenReused: the token had been exchanged already — someone holds a copy —
	// so the whole session has now been revoked.
	TokenReused
)

// Rotation is the result of RotateRefreshToken.
type Rotation struct {
	Outcome RotateOutcome
	// Session and User are set when Outcome is Rotated.
	Session Session
	User    User
	// RefreshExpiresAt is when the new refresh token expires.
	RefreshExpiresAt time.Time
}

// Message is a message to send through the outbox.
type Message struct {
	Kind      string // "PASSWORD_RESET"
	Recipient string
	// Body is the message's content as JSON-encodable fields.
	Body map[string]string
}

// PendingMessage is an outbox message waiting to be delivered.
type PendingMessage struct {
	ID       int64
	Attempts int
	Message
}

// AccountStore keeps accounts, sessions and password resets. Every method is
// one transaction.
type AccountStore interface {
	// CreateUser adds an account; an email in use (whatever its case) is a
	// ECONFLICT error.
	CreateUser(ctx context.Context, email, name, passwordHash string) (*User, error)
	// CredentialsByEmail returns the account with email (matched without regard
	// to case), or nil when there is none.
	CredentialsByEmail(ctx context.Context, email string) (*Credentials, error)
	// CredentialsByID returns the account with id, or nil when there is none.
	CredentialsByID(ctx context.Context, id int64) (*Credentials, error)
	// ReplacePasswordHash stores newHash if the stored hash is still oldHash (a
	// re-hash on sign-in must not undo a concurrent password change).
	ReplacePasswordHash(ctx context.Context, userID int64, oldHash, newHash string) error
	// UpdateProfile changes the name and/or email (nil keeps a value); an email
	// in use is ECONFLICT, an unknown user ENOTFOUND.
	UpdateProfile(ctx context.Context, userID int64, name, email *string) (*User, error)

	// CreateSession starts a session for userID ending at sessionExpires, with
	// its first refresh token (stored as its digest).
	CreateSession(ctx context.Context, userID int64, sessionExpires time.Time, refreshDigest []byte, refreshExpires time.Time) (Session, error)
	// RotateRefreshToken exchanges the token with oldDigest for one with
	// newDigest, valid until refreshExpires or the session's end, whichever is
	// first. See RotateOutcome for what else it can find.
	RotateRefreshToken(ctx context.Context, oldDigest, newDigest []byte, refreshExpires, now time.Time) (Rotation, error)
	// RevokeSessionOf ends the session of the refresh token with digest; it
	// reports whether there was a live one.
	RevokeSessionOf(ctx context.Context, digest []byte, reason string) (bool, error)
	// ChangePassword stores newHash and ends every session of the user but keep
	// (none when keep is "").
	ChangePassword(ctx context.Context, userID int64, newHash, keep string) error

	// CreatePasswordReset stores a reset token's digest for userID and the
	// message that delivers it, together.
	CreatePasswordReset(ctx context.Context, userID int64, digest []byte, expires time.Time, msg Message) error
	// PasswordResetOwner returns the account whose live (unused, unexpired)
	// reset token has digest, or nil.
	PasswordResetOwner(ctx context.Context, digest []byte, now time.Time) (*Credentials, error)
	// ResetPassword consumes the live reset token with digest: it stores
	// newHash, ends every session and voids the user's other reset tokens. ok is
	// false when the token is unknown, used or expired.
	ResetPassword(ctx context.Context, digest []byte, newHash string, now time.Time) (userID int64, ok bool, err error)
}

// Outbox hands out messages to deliver.
type Outbox interface {
	// DeliverPending passes up to limit undelivered messages, oldest first, to
	// deliver, each in its own transaction that holds the message's row
	// (others skip it) and marks it delivered, clearing its body, when deliver
	// returns nil; on an error it counts an attempt. It returns how many were
	// delivered.
	DeliverPending(ctx context.Context, limit int, deliver func(context.Context, PendingMessage) error) (int, error)
}

// AddressInput is the fields of a new address, or of changes to one; in a
// change, nil keeps the field's value and an empty string clears an optional
// field.
type AddressInput struct {
	Name, Line1, Line2, City, Region, PostalCode, Country, Phone *string
	DefaultShipping, DefaultBilling                              *bool
}

// AddressStore changes address books. A user reaches only their own
// addresses: another user's address id is ENOTFOUND, as an unknown one is.
type AddressStore interface {
	// AddAddress adds an address (valid, normalised fields); a user's first
	// address becomes their default of both kinds. More than MaxAddresses is
	// EINVALID.
	AddAddress(ctx context.Context, userID int64, in AddressInput) (*Address, error)
	// UpdateAddress changes the given fields of address id.
	UpdateAddress(ctx context.Context, userID, id int64, in AddressInput) (*Address, error)
	// DeleteAddress removes address id.
	DeleteAddress(ctx context.Context, userID, id int64) error
}
