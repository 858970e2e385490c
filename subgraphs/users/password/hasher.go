package password

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"fmt"
	"runtime"

	"golang.org/x/crypto/argon2"
	"golang.org/x/sync/semaphore"
)

// Hasher hashes and verifies passwords with argon2id. It is safe for concurrent use.
//
// Each hash holds Memory KiB for tens of milliseconds, so a burst of logins could
// exhaust the pod's memory; a Hasher therefore admits hashes through a budget of
// Params.Memory × maxConcurrent KiB. A hash with the Hasher's own params takes one
// share; one read from a stored hash with a larger m takes proportionally more (at
// most the whole budget, so it runs alone). Memory in use by argon2 thus stays
// within max(budget, 1 GiB bound on m), and no more than maxConcurrent hashes run.
type Hasher struct {
	params Params
	budget int64 // KiB
	sem    *semaphore.Weighted
	// dummy is what VerifyNothing compares against: h's params with a random salt and
	// a random key. No password maps to it that anyone knows, and a wrong-password
	// Verify costs the same whatever the stored key is, so it need not be computed.
	dummy phcHash
}

// NewHasher returns a Hasher that makes new hashes with p and runs at most
// maxConcurrent hashes at once; maxConcurrent <= 0 means runtime.GOMAXPROCS(0).
func NewHasher(p Params, maxConcurrent int) (*Hasher, error) {
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("new password hasher: %w", err)
	}
	if maxConcurrent <= 0 {
		maxConcurrent = runtime.GOMAXPROCS(0)
	}
	salt, err := randomBytes(p.SaltLen)
	if err != nil {
		return nil, fmt.Errorf("new password hasher: dummy salt: %w", err)
	}
	key, err := randomBytes(p.KeyLen)
	if err != nil {
		return nil, fmt.Errorf("new password hasher: dummy key: %w", err)
	}
	budget := int64(p.Memory) * int64(maxConcurrent)
	return &Hasher{
		params: p,
		budget: budget,
		sem:    semaphore.NewWeighted(budget),
		dummy:  phcHash{params: p, salt: salt, key: key},
	}, nil
}

// Params returns the parameters h makes new hashes with.
func (h *Hasher) Params() Params { return h.params }

// Hash returns password's argon2id hash as a PHC string
// ($argon2id$v=19$m=19456,t=3,p=1$<salt>$<hash>, unpadded standard base64) with a
// fresh random salt. It waits for a free slot and gives up when ctx is done.
func (h *Hasher) Hash(ctx context.Context, password string) (string, error) {
	salt, err := randomBytes(h.params.SaltLen)
	if err != nil {
		return "", fmt.Errorf("hash password: salt: %w", err)
	}
	key, err := h.derive(ctx, password, h.params, salt)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return phcHash{params: h.params, salt: salt, key: key}.encode(), nil
}

// Verify reports whether password matches encoded, a hash from Hash. needsRehash
// is true when the password matched but encoded was made with parameters other
// than h's, so the caller should store a fresh Hash of it; it is never true for a
// wrong password. err is non-nil only when encoded is malformed (it wraps
// ErrMalformedHash and says which part is wrong, never the password) or when ctx
// ended while waiting for a slot.
func (h *Hasher) Verify(ctx context.Context, password, encoded string) (ok bool, needsRehash bool, err error) {
	stored, err := parsePHC(encoded)
	if err != nil {
		return false, false, fmt.Errorf("verify password: %w", err)
	}
	ok, err = h.verify(ctx, password, stored)
	if err != nil {
		return false, false, fmt.Errorf("verify password: %w", err)
	}
	return ok, ok && stored.params != h.params, nil
}

// VerifyNothing does the work of a Verify with a wrong password, against a dummy
// hash with h's params, and discards the result. Call it when the account asked
// for does not exist, so the response time does not tell whether an email is
// registered. It returns early only if ctx ends while waiting for a slot.
func (h *Hasher) VerifyNothing(ctx context.Context, password string) {
	// Same path as Verify after parsing; parsing is microseconds against argon2's
	// tens of milliseconds, well below network jitter.
	_, _ = h.verify(ctx, password, h.dummy)
}

// verify recomputes stored's key from password and compares in constant time.
func (h *Hasher) verify(ctx context.Context, password string, stored phcHash) (bool, error) {
	key, err := h.derive(ctx, password, stored.params, stored.salt)
	if err != nil {
		return false, err
	}
	return subtle.ConstantTimeCompare(key, stored.key) == 1, nil
}

// derive runs argon2id once it has a share of the memory budget.
func (h *Hasher) derive(ctx context.Context, password string, p Params, salt []byte) ([]byte, error) {
	weight := h.weight(p)
	// Acquire may succeed on a done context when a slot is free; a caller that has
	// already given up should not spend 20 MiB and 40 ms.
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("wait for a hashing slot: %w", err)
	}
	if err := h.sem.Acquire(ctx, weight); err != nil {
		return nil, fmt.Errorf("wait for a hashing slot: %w", err)
	}
	defer h.sem.Release(weight)
	return argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, p.KeyLen), nil
}

// weight is how much of the memory budget a hash with p holds while it runs. Every
// hash takes at least one share, so no more than maxConcurrent run, and at most the
// whole budget, so a stored hash with a larger m runs alone rather than never.
func (h *Hasher) weight(p Params) int64 {
	return min(max(int64(p.Memory), int64(h.params.Memory)), h.budget)
}

// randomBytes returns n bytes from crypto/rand.
func randomBytes(n uint32) ([]byte, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	return b, nil
}
