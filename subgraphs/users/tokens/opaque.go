package tokens

import "crypto/sha256"

// opaqueBytes is an opaque token's entropy: 256 bits, beyond guessing even
// with the digest table in hand.
const opaqueBytes = 32

// NewOpaqueToken returns a random token (32 bytes from crypto/rand, base64url
// without padding) for refresh and password-reset links, and its digest: the
// database stores the digest only, so a leaked table yields no usable token.
// A plain hash suffices (no salt, no slow hash) because the token is random,
// not a password.
func NewOpaqueToken() (token string, digest []byte, err error) {
	token, err = randomString(opaqueBytes)
	if err != nil {
		return "", nil, err
	}
	return token, Digest(token), nil
}

// Digest returns the SHA-256 of token's text, to look a presented token up by.
func Digest(token string) []byte {
	d := sha256.Sum256([]byte(token))
	return d[:]
}
