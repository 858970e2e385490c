package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/shopgraph/shopgraph/subgraphs/users"
)

var (
	_ users.AccountStore = (*Store)(nil)
	_ users.Outbox       = (*Store)(nil)
)

// uniqueViolation is PostgreSQL's SQLSTATE for a unique index refusing a row.
const uniqueViolation = "23505"

func isUniqueViolation(err error, constraint string) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == uniqueViolation && pgErr.ConstraintName == constraint
}

const userColumns = `id, email, name, role, created_at`

func scanUser(row pgx.Row, extra ...any) (*users.User, error) {
	var u users.User
	var role string
	if err := row.Scan(append([]any{&u.ID, &u.Email, &u.Name, &role, &u.CreatedAt}, extra...)...); err != nil {
		return nil, err
	}
	u.Role = users.Role(role)
	return &u, nil
}

// CreateUser implements users.AccountStore.
func (s *Store) CreateUser(ctx context.Context, email, name, passwordHash string) (*users.User, error) {
	u, err := scanUser(s.pool.QueryRow(ctx, `
		INSERT INTO users (email, name, password_hash) VALUES ($1, $2, $3)
		RETURNING `+userColumns, email, name, passwordHash))
	if isUniqueViolation(err, "users_email_key") {
		return nil, users.Errorf(users.ECONFLICT, "an account with this email exists")
	}
	if err != nil {
		return nil, fmt.Errorf("create user: %w", err)
	}
	return u, nil
}

func (s *Store) credentials(ctx context.Context, where string, args ...any) (*users.Credentials, error) {
	var hash *string
	u, err := scanUser(s.pool.QueryRow(ctx, `SELECT `+userColumns+`, password_hash FROM users WHERE `+where, args...), &hash)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	c := &users.Credentials{User: *u}
	if hash != nil {
		c.PasswordHash = *hash
	}
	return c, nil
}

// CredentialsByEmail implements users.AccountStore.
func (s *Store) CredentialsByEmail(ctx context.Context, email string) (*users.Credentials, error) {
	c, err := s.credentials(ctx, `lower(email) = lower($1)`, email)
	if err != nil {
		return nil, fmt.Errorf("read credentials by email: %w", err)
	}
	return c, nil
}

// CredentialsByID implements users.AccountStore.
func (s *Store) CredentialsByID(ctx context.Context, id int64) (*users.Credentials, error) {
	c, err := s.credentials(ctx, `id = $1`, id)
	if err != nil {
		return nil, fmt.Errorf("read credentials of user %d: %w", id, err)
	}
	return c, nil
}

// ReplacePasswordHash implements users.AccountStore.
func (s *Store) ReplacePasswordHash(ctx context.Context, userID int64, oldHash, newHash string) error {
	if _, err := s.pool.Exec(ctx, `
		UPDATE users SET password_hash = $3, updated_at = now()
		WHERE id = $1 AND password_hash = $2`, userID, oldHash, newHash); err != nil {
		return fmt.Errorf("re-hash password of user %d: %w", userID, err)
	}
	return nil
}

// UpdateProfile implements users.AccountStore.
func (s *Store) UpdateProfile(ctx context.Context, userID int64, name, email *string) (*users.User, error) {
	u, err := scanUser(s.pool.QueryRow(ctx, `
		UPDATE users SET name = coalesce($2, name), email = coalesce($3, email), updated_at = now()
		WHERE id = $1
		RETURNING `+userColumns, userID, name, email))
	switch {
	case isUniqueViolation(err, "users_email_key"):
		return nil, users.Errorf(users.ECONFLICT, "an account with this email exists")
	case errors.Is(err, pgx.ErrNoRows):
		return nil, users.Errorf(users.ENOTFOUND, "no such user")
	case err != nil:
		return nil, fmt.Errorf("update profile of user %d: %w", userID, err)
	}
	return u, nil
}

// CreateSession implements users.AccountStore.
func (s *Store) CreateSession(ctx context.Context, userID int64, sessionExpires time.Time, refreshDigest []byte, refreshExpires time.Time) (users.Session, error) {
	sess := users.Session{UserID: userID, ExpiresAt: sessionExpires}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `
			INSERT INTO sessions (user_id, expires_at) VALUES ($1, $2) RETURNING id::text`,
			userID, sessionExpires).Scan(&sess.ID); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `
			INSERT INTO refresh_tokens (digest, session_id, expires_at) VALUES ($1, $2, $3)`,
			refreshDigest, sess.ID, refreshExpires)
		return err
	})
	if err != nil {
		return users.Session{}, fmt.Errorf("create session for user %d: %w", userID, err)
	}
	return sess, nil
}

// RotateRefreshToken implements users.AccountStore. The session's row is locked
// first, so two exchanges of tokens of one session run one after the other: of
// two concurrent uses of one token, the second sees it used and revokes the
// session.
func (s *Store) RotateRefreshToken(ctx context.Context, oldDigest, newDigest []byte, refreshExpires, now time.Time) (users.Rotation, error) {
	var out users.Rotation
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var (
			sess              users.Session
			tokenExpires      time.Time
			usedAt, revokedAt *time.Time
		)
		err := tx.QueryRow(ctx, `
			SELECT s.id::text, s.user_id, s.expires_at, s.revoked_at, rt.expires_at, rt.used_at
			FROM refresh_tokens rt JOIN sessions s ON s.id = rt.session_id
			WHERE rt.digest = $1
			FOR UPDATE OF s, rt`, oldDigest).
			Scan(&sess.ID, &sess.UserID, &sess.ExpiresAt, &revokedAt, &tokenExpires, &usedAt)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			out.Outcome = users.TokenUnknown
			return nil
		case err != nil:
			return err
		case revokedAt != nil:
			out.Outcome = users.SessionRevoked
			return nil
		case usedAt != nil:
			out.Outcome = users.TokenReused
			_, err := tx.Exec(ctx, `
				UPDATE sessions SET revoked_at = $2, revoked_reason = $3 WHERE id = $1`,
				sess.ID, now, users.RevokedTokenReused)
			return err
		case !now.Before(tokenExpires) || !now.Before(sess.ExpiresAt):
			out.Outcome = users.TokenExpired
			return nil
		}
		if refreshExpires.After(sess.ExpiresAt) {
			refreshExpires = sess.ExpiresAt
		}
		if _, err := tx.Exec(ctx, `UPDATE refresh_tokens SET used_at = $2 WHERE digest = $1`, oldDigest, now); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `
			INSERT INTO refresh_tokens (digest, session_id, expires_at) VALUES ($1, $2, $3)`,
			newDigest, sess.ID, refreshExpires); err != nil {
			return err
		}
		u, err := scanUser(tx.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, sess.UserID))
		if err != nil {
			return fmt.Errorf("read user %d: %w", sess.UserID, err)
		}
		out = users.Rotation{Outcome: users.Rotated, Session: sess, User: *u, RefreshExpiresAt: refreshExpires}
		return nil
	})
	if err != nil {
		return users.Rotation{}, fmt.Errorf("rotate refresh token: %w", err)
	}
	return out, nil
}

// RevokeSessionOf implements users.AccountStore.
func (s *Store) RevokeSessionOf(ctx context.Context, digest []byte, reason string) (bool, error) {
	tag, err := s.pool.Exec(ctx, `
		UPDATE sessions SET revoked_at = now(), revoked_reason = $2
		WHERE revoked_at IS NULL AND id = (SELECT session_id FROM refresh_tokens WHERE digest = $1)`,
		digest, reason)
	if err != nil {
		return false, fmt.Errorf("revoke session: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}

// ChangePassword implements users.AccountStore.
func (s *Store) ChangePassword(ctx context.Context, userID int64, newHash, keep string) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE users SET password_hash = $2, updated_at = now() WHERE id = $1`, userID, newHash); err != nil {
			return err
		}
		return revokeSessions(ctx, tx, userID, keep, users.RevokedPasswordChanged)
	})
	if err != nil {
		return fmt.Errorf("change password of user %d: %w", userID, err)
	}
	return nil
}

// revokeSessions ends the user's live sessions but keep ("" for none).
func revokeSessions(ctx context.Context, tx pgx.Tx, userID int64, keep, reason string) error {
	_, err := tx.Exec(ctx, `
		UPDATE sessions SET revoked_at = now(), revoked_reason = $3
		WHERE user_id = $1 AND revoked_at IS NULL AND ($2 = '' OR id::text <> $2)`,
		userID, keep, reason)
	return err
}

// CreatePasswordReset implements users.AccountStore.
func (s *Store) CreatePasswordReset(ctx context.Context, userID int64, digest []byte, expires time.Time, msg users.Message) error {
	body, err := json.Marshal(msg.Body)
	if err != nil {
		return fmt.Errorf("encode message: %w", err)
	}
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `
			INSERT INTO password_resets (digest, user_id, expires_at) VALUES ($1, $2, $3)`,
			digest, userID, expires); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO outbox (kind, recipient, body) VALUES ($1, $2, $3)`,
			msg.Kind, msg.Recipient, body)
		return err
	})
	if err != nil {
		return fmt.Errorf("create password reset for user %d: %w", userID, err)
	}
	return nil
}

// PasswordResetOwner implements users.AccountStore.
func (s *Store) PasswordResetOwner(ctx context.Context, digest []byte, now time.Time) (*users.Credentials, error) {
	c, err := s.credentials(ctx, `id = (SELECT user_id FROM password_resets WHERE digest = $1 AND used_at IS NULL AND expires_at > $2)`, digest, now)
	if err != nil {
		return nil, fmt.Errorf("read reset token's account: %w", err)
	}
	return c, nil
}

// ResetPassword implements users.AccountStore.
func (s *Store) ResetPassword(ctx context.Context, digest []byte, newHash string, now time.Time) (int64, bool, error) {
	var userID int64
	ok := false
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `
			UPDATE password_resets SET used_at = $2
			WHERE digest = $1 AND used_at IS NULL AND expires_at > $2
			RETURNING user_id`, digest, now).Scan(&userID)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		ok = true
		if _, err := tx.Exec(ctx, `UPDATE users SET password_hash = $2, updated_at = now() WHERE id = $1`, userID, newHash); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `
			UPDATE password_resets SET used_at = $2 WHERE user_id = $1 AND used_at IS NULL`, userID, now); err != nil {
			return err
		}
		return revokeSessions(ctx, tx, userID, "", users.RevokedPasswordReset)
	})
	if err != nil {
		return 0, false, fmt.Errorf("reset password: %w", err)
	}
	return userID, ok, nil
}

// maxDeliveryAttempts is how often a message is tried before it is left for
// someone to look at; failed ones go after fresh ones, so one bad message never
// blocks the rest.
const maxDeliveryAttempts = 20

// DeliverPending implements users.Outbox. Each message is claimed with FOR
// UPDATE SKIP LOCKED, so replicas running the worker at once never deliver one
// message twice.
func (s *Store) DeliverPending(ctx context.Context, limit int, deliver func(context.Context, users.PendingMessage) error) (int, error) {
	delivered := 0
	for range limit {
		found := false
		err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
			var m users.PendingMessage
			var body []byte
			err := tx.QueryRow(ctx, `
				SELECT id, kind, recipient, body, attempts FROM outbox
				WHERE delivered_at IS NULL AND attempts < $1
				ORDER BY attempts, id
				LIMIT 1
				FOR UPDATE SKIP LOCKED`, maxDeliveryAttempts).Scan(&m.ID, &m.Kind, &m.Recipient, &body, &m.Attempts)
			if errors.Is(err, pgx.ErrNoRows) {
				return nil
			}
			if err != nil {
				return err
			}
			found = true
			derr := json.Unmarshal(body, &m.Body)
			if derr != nil {
				derr = fmt.Errorf("decode: %w", derr)
			} else {
				derr = deliver(ctx, m)
			}
			if derr != nil {
				_, err := tx.Exec(ctx, `UPDATE outbox SET attempts = attempts + 1 WHERE id = $1`, m.ID)
				if err == nil {
					err = tx.Commit(ctx)
				}
				return errors.Join(fmt.Errorf("deliver outbox message %d: %w", m.ID, derr), err)
			}
			delivered++
			_, err = tx.Exec(ctx, `
				UPDATE outbox SET delivered_at = now(), body = NULL, attempts = attempts + 1 WHERE id = $1`, m.ID)
			return err
		})
		if err != nil {
			return delivered, err
		}
		if !found {
			break
		}
	}
	return delivered, nil
}
