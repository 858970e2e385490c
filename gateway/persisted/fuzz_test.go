package persisted

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
)

// FuzzResolve feeds arbitrary extensions JSON (with or without query text)
// to an open store and a trusted-only one. Resolve must not panic; a
// refusal must be a well-formed *Error; an accepted persisted query must
// come back as text whose sha256 is the hash sent; trusted-only mode must
// never answer text that is not a trusted document.
func FuzzResolve(f *testing.F) {
	trusted := "query A { a }"
	seeds := []string{
		``, `null`, `{}`, `"x"`, `[]`, `1`, `{"persistedQuery":null}`,
		`{"persistedQuery":{"version":1,"sha256Hash":"` + hashOf(trusted) + `"}}`,
		`{"persistedQuery":{"version":1,"sha256Hash":"` + hashOf("{ b }") + `"}}`,
		`{"persistedQuery":{"version":2,"sha256Hash":"` + hashOf(trusted) + `"}}`,
		`{"persistedQuery":{"version":"1","sha256Hash":"abc"}}`,
		`{"persistedQuery":{"version":1e999,"sha256Hash":12}}`,
		`{"persistedQuery":"` + hashOf(trusted) + `"}`,
		`{"persistedQuery":{"version":1,"sha256Hash":"` + strings.ToUpper(hashOf(trusted)) + `"},"other":[1,2]}`,
		`{"persistedQuery":{"version":1,"sha256Hash":"x","sha256Hash":"` + hashOf(trusted) + `"}}`,
		`{"persistedQuery":{`,
	}
	for _, s := range seeds {
		f.Add([]byte(s), "", "")
		f.Add([]byte(s), trusted, "")
		f.Add([]byte(s), "{ b }", "")
	}
	f.Add([]byte(``), "", hashOf(trusted))
	f.Add([]byte(``), "", "sha256:"+hashOf(trusted))

	path := writeFile(f, "manifest.json", apolloManifestJSON(f, trusted))
	open, _ := newStore(f, Config{Manifest: path, APQ: APQConfig{CacheSize: 64, MaxBytes: 1 << 16}})
	only, _ := newStore(f, Config{Manifest: path, Only: true})
	docs, err := loadManifest(path)
	if err != nil {
		f.Fatal(err)
	}

	f.Fuzz(func(t *testing.T, extensions []byte, query, documentID string) {
		req := Request{Query: query, Extensions: extensions, DocumentID: documentID}
		for _, s := range []*Store{open, only} {
			got, err := s.Resolve(context.Background(), req)
			if err != nil {
				var perr *Error
				if !errors.As(err, &perr) {
					t.Fatalf("Resolve error %v (%T) is not an *Error", err, err)
				}
				if perr.Code == "" || perr.Message == "" || got != "" {
					t.Fatalf("malformed refusal %#v with query %q", perr, got)
				}
				switch perr.Status {
				case http.StatusOK, http.StatusBadRequest, http.StatusForbidden, http.StatusNotFound:
				default:
					t.Fatalf("refusal %#v has status %d", perr, perr.Status)
				}
				continue
			}
			if hash, ok := sentHash(extensions); ok && documentID == "" && hashOf(got) != hash {
				t.Fatalf("persisted query %s resolved to %q, whose hash is %s", hash, got, hashOf(got))
			}
			if s == only && got != "" && !docs.contains(got, "") {
				t.Fatalf("trusted-only mode answered %q, which is not a trusted document", got)
			}
			if _, ok := sentHash(extensions); !ok && documentID == "" && got != query {
				t.Fatalf("plain query %q came back as %q", query, got)
			}
		}
	})
}

// sentHash is an independent reading of extensions.persistedQuery.sha256Hash.
func sentHash(extensions []byte) (string, bool) {
	var ext map[string]json.RawMessage
	if json.Unmarshal(extensions, &ext) != nil {
		return "", false
	}
	var pq map[string]json.RawMessage
	if json.Unmarshal(ext["persistedQuery"], &pq) != nil || pq == nil {
		return "", false
	}
	var hash string
	if json.Unmarshal(pq["sha256Hash"], &hash) != nil {
		return "", false
	}
	return strings.ToLower(hash), true
}
