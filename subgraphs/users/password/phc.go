package password

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
)

// ErrMalformedHash is wrapped by every error Verify returns for a stored hash it
// cannot read; the wrapping message says which part is wrong.
var ErrMalformedHash = errors.New("malformed password hash")

// maxEncodedLen bounds the stored string before any parsing: the longest hash
// within the bounds is well under it (~40 bytes of header + 2×86 of base64).
const maxEncodedLen = 256

// b64 is the PHC string format's base64: standard alphabet, no padding, and
// (Strict) no stray bits in the last character, so one hash has one spelling.
var b64 = base64.RawStdEncoding.Strict()

// phcHash is a parsed argon2id PHC string.
type phcHash struct {
	params Params
	salt   []byte
	key    []byte
}

// encode writes h in the PHC string format:
// $argon2id$v=19$m=19456,t=3,p=1$<salt>$<key>.
func (h phcHash) encode() string {
	var b strings.Builder
	b.Grow(64 + b64.EncodedLen(len(h.salt)) + b64.EncodedLen(len(h.key)))
	b.WriteString("$argon2id$v=")
	b.WriteString(strconv.Itoa(argon2.Version))
	b.WriteString("$m=")
	b.WriteString(strconv.FormatUint(uint64(h.params.Memory), 10))
	b.WriteString(",t=")
	b.WriteString(strconv.FormatUint(uint64(h.params.Time), 10))
	b.WriteString(",p=")
	b.WriteString(strconv.FormatUint(uint64(h.params.Threads), 10))
	b.WriteByte('$')
	b.WriteString(b64.EncodeToString(h.salt))
	b.WriteByte('$')
	b.WriteString(b64.EncodeToString(h.key))
	return b.String()
}

// malformed returns an error wrapping ErrMalformedHash. Messages name the field and
// the bound, never echo the whole string: a hash is still a secret worth not logging.
func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrMalformedHash, fmt.Sprintf(format, args...))
}

// parsePHC reads an argon2id PHC string strictly: the one spelling encode writes,
// with every cost and length inside the package's bounds.
func parsePHC(s string) (phcHash, error) {
	if len(s) > maxEncodedLen {
		return phcHash{}, malformed("%d bytes long, longer than any valid hash (%d)", len(s), maxEncodedLen)
	}
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[0] != "" {
		return phcHash{}, malformed("want 5 '$'-prefixed fields ($argon2id$v=19$m=..,t=..,p=..$salt$hash), got %d", len(parts)-1)
	}
	if parts[1] != "argon2id" {
		return phcHash{}, malformed("algorithm %q is not supported, want argon2id", truncate(parts[1]))
	}
	if parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return phcHash{}, malformed("version %q is not supported, want v=%d", truncate(parts[2]), argon2.Version)
	}

	var p Params
	costs := strings.Split(parts[3], ",")
	if len(costs) != 3 {
		return phcHash{}, malformed("parameters %q: want exactly m=..,t=..,p=..", truncate(parts[3]))
	}
	m, err := costField(costs[0], "m", 8, maxMemoryKiB)
	if err != nil {
		return phcHash{}, err
	}
	t, err := costField(costs[1], "t", 1, maxTime)
	if err != nil {
		return phcHash{}, err
	}
	threads, err := costField(costs[2], "p", 1, maxThreads)
	if err != nil {
		return phcHash{}, err
	}
	if m < 8*threads {
		return phcHash{}, malformed("m=%d KiB is below 8 KiB per lane for p=%d", m, threads)
	}
	p.Memory, p.Time, p.Threads = uint32(m), uint32(t), uint8(threads)

	salt, err := b64Field(parts[4], "salt", minSaltLen, maxSaltLen)
	if err != nil {
		return phcHash{}, err
	}
	key, err := b64Field(parts[5], "hash", minKeyLen, maxKeyLen)
	if err != nil {
		return phcHash{}, err
	}
	p.SaltLen, p.KeyLen = uint32(len(salt)), uint32(len(key))
	return phcHash{params: p, salt: salt, key: key}, nil
}

// costField parses "name=value" with value a plain decimal in [lo, hi]: no sign,
// no leading zeros, no spaces.
func costField(field, name string, lo, hi uint64) (uint64, error) {
	v, ok := strings.CutPrefix(field, name+"=")
	if !ok {
		return 0, malformed("parameter %q: want %s=<number> here", truncate(field), name)
	}
	if v == "" || len(v) > 10 || (len(v) > 1 && v[0] == '0') || strings.TrimLeft(v, "0123456789") != "" {
		return 0, malformed("parameter %s=%q is not a plain decimal number", name, truncate(v))
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		return 0, malformed("parameter %s=%q: %v", name, truncate(v), err)
	}
	if n < lo || n > hi {
		return 0, malformed("parameter %s=%d is out of range %d..%d", name, n, lo, hi)
	}
	return n, nil
}

// b64Field decodes a salt or key and checks its length in bytes.
func b64Field(field, name string, lo, hi int) ([]byte, error) {
	if b64.DecodedLen(len(field)) > hi {
		return nil, malformed("%s is %d base64 characters, longer than %d bytes", name, len(field), hi)
	}
	// encoding/base64 skips '\r' and '\n' even in Strict mode; refuse them (and any
	// other byte outside the alphabet) so a hash has exactly one spelling.
	if i := strings.IndexFunc(field, func(r rune) bool { return !isB64Char(r) }); i >= 0 {
		return nil, malformed("%s has %q at offset %d, outside the base64 alphabet", name, field[i], i)
	}
	raw, err := b64.DecodeString(field)
	if err != nil {
		return nil, malformed("%s is not unpadded standard base64: %v", name, err)
	}
	if len(raw) < lo || len(raw) > hi {
		return nil, malformed("%s is %d bytes, want %d..%d", name, len(raw), lo, hi)
	}
	return raw, nil
}

// isB64Char reports whether r is in the standard base64 alphabet (no padding).
func isB64Char(r rune) bool {
	return 'A' <= r && r <= 'Z' || 'a' <= r && r <= 'z' || '0' <= r && r <= '9' || r == '+' || r == '/'
}

// truncate shortens a fragment quoted in an error so a garbage row cannot flood a log.
func truncate(s string) string {
	const n = 24
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
