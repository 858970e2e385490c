package authn

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/go-jose/go-jose/v4"
)

// staticKeys is a key set given at start-up (Config.StaticJWKS); it never
// changes, so it needs no lock.
type staticKeys struct {
	byKid map[string]key
	noKid []key
}

func (s staticKeys) lookup(_ context.Context, kid string) (key, error) {
	if k, ok := findKey(s.byKid, s.noKid, kid); ok {
		return k, nil
	}
	return key{}, notFound(kid)
}

// parseStaticJWKS parses a JWKS strictly: unlike a fetched one, where a key
// of an unknown kind is skipped so that the others still work, this document
// is our own configuration, so any key that could not verify a token is a
// mistake worth stopping for.
func parseStaticJWKS(data []byte) (staticKeys, error) {
	if len(data) > maxJWKSBytes {
		return staticKeys{}, fmt.Errorf("larger than %d bytes", maxJWKSBytes)
	}
	var doc struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return staticKeys{}, fmt.Errorf("not a JWKS document: %w", err)
	}
	if len(doc.Keys) == 0 {
		return staticKeys{}, errors.New(`no keys (want {"keys":[...]})`)
	}
	s := staticKeys{byKid: map[string]key{}}
	for i, raw := range doc.Keys {
		var jwk jose.JSONWebKey
		if err := jwk.UnmarshalJSON(raw); err != nil {
			return staticKeys{}, fmt.Errorf("key %d: %w", i, err)
		}
		name := fmt.Sprintf("key %d (kid %s)", i, quoteKid(jwk.KeyID))
		k, err := usable(jwk)
		if err != nil {
			return staticKeys{}, fmt.Errorf("%s: %w", name, err)
		}
		if !jwk.IsPublic() {
			// Verifying needs the public half only; a private key here means
			// the signing key is being handed around as configuration.
			return staticKeys{}, fmt.Errorf("%s holds private key material; give public keys only", name)
		}
		switch {
		case jwk.KeyID == "":
			s.noKid = append(s.noKid, k)
		case s.byKid[jwk.KeyID].public != nil:
			return staticKeys{}, fmt.Errorf("%s: kid appears twice", name)
		default:
			s.byKid[jwk.KeyID] = k
		}
	}
	if len(s.noKid) > 0 && len(doc.Keys) > 1 {
		// findKey matches a kid-less key only when it is the set's only key.
		return staticKeys{}, errors.New("a key without kid in a set of several keys could never be chosen; give every key a kid")
	}
	return s, nil
}
