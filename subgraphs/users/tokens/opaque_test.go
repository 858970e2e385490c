package tokens_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"testing"

	"github.com/shopgraph/shopgraph/subgraphs/users/tokens"
)

func TestNewOpaqueToken(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for range 100 {
		tok, digest, err := tokens.NewOpaqueToken()
		if err != nil {
			t.Fatal(err)
		}
		raw, err := base64.RawURLEncoding.Strict().DecodeString(tok)
		if err != nil || len(raw) != 32 {
			t.Fatalf("token %q is not 32 bytes base64url without padding (%v)", tok, err)
		}
		want := sha256.Sum256([]byte(tok))
		if !bytes.Equal(digest, want[:]) || !bytes.Equal(tokens.Digest(tok), want[:]) {
			t.Fatalf("digest of %q is not the SHA-256 of its text", tok)
		}
		if seen[tok] {
			t.Fatalf("token %q drawn twice", tok)
		}
		seen[tok] = true
	}
	if bytes.Equal(tokens.Digest("a"), tokens.Digest("b")) {
		t.Error("different tokens, same digest")
	}
}
