package persisted

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/shopgraph/shopgraph/internal/graphqlhttp"
)

// persistedQueryMember returns extensions.persistedQuery as raw JSON, or nil
// when extensions or the member is absent or null.
func persistedQueryMember(extensions json.RawMessage) (json.RawMessage, *Error) {
	raw := bytes.TrimSpace(extensions)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	if raw[0] != '{' {
		return nil, errBadRequest("extensions must be a JSON object, got %s", graphqlhttp.JSONKind(raw))
	}
	var members map[string]json.RawMessage
	if err := json.Unmarshal(raw, &members); err != nil {
		return nil, errBadRequest("extensions is not valid JSON: %v", err)
	}
	pq := bytes.TrimSpace(members["persistedQuery"])
	if len(pq) == 0 || string(pq) == "null" {
		return nil, nil
	}
	return pq, nil
}

// decodePersistedQuery checks {version: 1, sha256Hash: "<64 hex>"} and
// returns the hash in lower case. Other members are ignored, as Apollo does.
func decodePersistedQuery(raw json.RawMessage) (string, *Error) {
	if raw[0] != '{' {
		return "", errBadRequest("extensions.persistedQuery must be an object {version, sha256Hash}, got %s", graphqlhttp.JSONKind(raw))
	}
	var members map[string]json.RawMessage
	if err := json.Unmarshal(raw, &members); err != nil {
		return "", errBadRequest("extensions.persistedQuery is not valid JSON: %v", err)
	}
	var version any
	if raw, ok := members["version"]; ok && json.Unmarshal(raw, &version) != nil {
		// A number out of float64's range: a number, but not 1.
		version = 0.0
	}
	switch v := version.(type) {
	case nil:
		return "", &Error{Message: "unsupported persisted query version: extensions.persistedQuery.version is missing, expected 1", Code: CodeNotSupported, Status: http.StatusBadRequest}
	case float64:
		if v != 1 {
			return "", &Error{Message: "unsupported persisted query version " + truncate(string(members["version"]), 20) + ": only version 1 (sha256Hash) is supported", Code: CodeNotSupported, Status: http.StatusBadRequest}
		}
	default:
		return "", errBadRequest("extensions.persistedQuery.version must be the number 1, got %s", graphqlhttp.JSONKind(members["version"]))
	}
	hashRaw, ok := members["sha256Hash"]
	if !ok {
		return "", errBadRequest("extensions.persistedQuery.sha256Hash is missing")
	}
	var hash string
	if err := json.Unmarshal(hashRaw, &hash); err != nil {
		return "", errBadRequest("extensions.persistedQuery.sha256Hash must be a string of 64 hexadecimal characters, got %s", graphqlhttp.JSONKind(hashRaw))
	}
	hash = strings.ToLower(hash)
	if !isHash(hash) {
		return "", errBadRequest("extensions.persistedQuery.sha256Hash must be 64 hexadecimal characters (a SHA-256), got %q", truncate(hash, 80))
	}
	return hash, nil
}
