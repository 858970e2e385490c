package persisted

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

const productQuery = `{ product(id: "gid://shopgraph/Product/1") { id name } }`

func TestAPQRoundTrip(t *testing.T) {
	t.Parallel()
	s, _ := newStore(t, Config{})
	ctx := context.Background()
	hash := hashOf(productQuery)
	steps := []struct {
		name string
		req  Request
		want want
	}{
		{"hash only, not registered", Request{Extensions: apq(hash)}, want{code: CodeNotFound, status: http.StatusOK, message: "PersistedQueryNotFound"}},
		{"hash and query register", Request{Query: productQuery, Extensions: apq(hash)}, want{query: productQuery}},
		{"hash only, registered", Request{Extensions: apq(hash)}, want{query: productQuery}},
		{"upper-case hash finds it", Request{Extensions: apq(strings.ToUpper(hash))}, want{query: productQuery}},
		{"plain query untouched", Request{Query: "{ a }"}, want{query: "{ a }"}},
		{"no query at all", Request{}, want{query: ""}},
		{"extensions without persistedQuery", Request{Query: "{ a }", Extensions: json.RawMessage(`{"other":1}`)}, want{query: "{ a }"}},
		{"persistedQuery null", Request{Query: "{ a }", Extensions: json.RawMessage(`{"persistedQuery":null}`)}, want{query: "{ a }"}},
		{"extensions null", Request{Query: "{ a }", Extensions: json.RawMessage(`null`)}, want{query: "{ a }"}},
	}
	for _, step := range steps {
		got, err := s.Resolve(ctx, step.req)
		t.Run(step.name, func(t *testing.T) { check(t, got, err, step.want) })
	}
	st := s.Stats()
	if st.APQMisses != 1 || st.APQHits != 2 || st.APQRegistered != 1 || st.CacheEntries != 1 || st.CacheBytes != int64(len(productQuery)) {
		t.Errorf("Stats = %+v, want 1 miss, 2 hits, 1 registration, 1 entry of %d bytes", st, len(productQuery))
	}
}

func TestNotFoundIsNotCached(t *testing.T) {
	t.Parallel()
	s, _ := newStore(t, Config{})
	_, err := s.Resolve(context.Background(), Request{Extensions: apq(hashOf("{ a }"))})
	perr, ok := err.(*Error)
	if !ok || !perr.NoCache {
		t.Fatalf("Resolve error = %#v, want an *Error with NoCache (Cache-Control: %s)", err, NoCacheValue)
	}
}

func TestAPQRefusals(t *testing.T) {
	t.Parallel()
	hash := hashOf(productQuery)
	enabled, _ := newStore(t, Config{})
	disabled, _ := newStore(t, Config{APQ: APQConfig{Disabled: true}})
	tests := []struct {
		name  string
		store *Store
		req   Request
		want  want
	}{
		{"hash mismatch", enabled, Request{Query: productQuery + " ", Extensions: apq(hash)},
			want{code: CodeHashMismatch, status: http.StatusBadRequest, message: "provided sha does not match query"}},
		{"version 2", enabled, Request{Extensions: json.RawMessage(`{"persistedQuery":{"version":2,"sha256Hash":"` + hash + `"}}`)},
			want{code: CodeNotSupported, status: http.StatusBadRequest, message: "version 2"}},
		{"version missing", enabled, Request{Extensions: json.RawMessage(`{"persistedQuery":{"sha256Hash":"` + hash + `"}}`)},
			want{code: CodeNotSupported, status: http.StatusBadRequest, message: "version is missing"}},
		{"version a string", enabled, Request{Extensions: json.RawMessage(`{"persistedQuery":{"version":"1","sha256Hash":"` + hash + `"}}`)},
			want{code: CodeBadRequest, status: http.StatusBadRequest, message: "extensions.persistedQuery.version must be the number 1, got a string"}},
		{"version huge", enabled, Request{Extensions: json.RawMessage(`{"persistedQuery":{"version":1e999,"sha256Hash":"` + hash + `"}}`)},
			want{code: CodeNotSupported, status: http.StatusBadRequest}},
		{"persistedQuery a string", enabled, Request{Extensions: json.RawMessage(`{"persistedQuery":"` + hash + `"}`)},
			want{code: CodeBadRequest, status: http.StatusBadRequest, message: "extensions.persistedQuery must be an object {version, sha256Hash}, got a string"}},
		{"persistedQuery an array", enabled, Request{Extensions: json.RawMessage(`{"persistedQuery":[1]}`)},
			want{code: CodeBadRequest, status: http.StatusBadRequest, message: "got an array"}},
		{"hash missing", enabled, Request{Extensions: json.RawMessage(`{"persistedQuery":{"version":1}}`)},
			want{code: CodeBadRequest, status: http.StatusBadRequest, message: "extensions.persistedQuery.sha256Hash is missing"}},
		{"hash a number", enabled, Request{Extensions: json.RawMessage(`{"persistedQuery":{"version":1,"sha256Hash":12}}`)},
			want{code: CodeBadRequest, status: http.StatusBadRequest, message: "sha256Hash must be a string of 64 hexadecimal characters, got a number"}},
		{"hash too short", enabled, Request{Extensions: apq("abc123")},
			want{code: CodeBadRequest, status: http.StatusBadRequest, message: `got "abc123"`}},
		{"hash not hex", enabled, Request{Extensions: apq(strings.Repeat("g", 64))},
			want{code: CodeBadRequest, status: http.StatusBadRequest, message: "64 hexadecimal characters"}},
		{"extensions a string", enabled, Request{Query: "{ a }", Extensions: json.RawMessage(`"x"`)},
			want{code: CodeBadRequest, status: http.StatusBadRequest, message: "extensions must be a JSON object, got a string"}},
		{"extensions an array", enabled, Request{Query: "{ a }", Extensions: json.RawMessage(`[]`)},
			want{code: CodeBadRequest, status: http.StatusBadRequest, message: "got an array"}},
		{"extensions broken", enabled, Request{Query: "{ a }", Extensions: json.RawMessage(`{"persistedQuery":`)},
			want{code: CodeBadRequest, status: http.StatusBadRequest, message: "extensions is not valid JSON"}},
		{"document id without manifest", enabled, Request{DocumentID: hash},
			want{code: CodeNotSupported, status: http.StatusBadRequest, message: "no trusted documents"}},
		{"document id and persistedQuery", enabled, Request{DocumentID: hash, Extensions: apq(hash)},
			want{code: CodeBadRequest, status: http.StatusBadRequest, message: "not both"}},
		{"disabled, hash only", disabled, Request{Extensions: apq(hash)},
			want{code: CodeNotSupported, status: http.StatusOK, message: "PersistedQueryNotSupported"}},
		{"disabled, hash and query", disabled, Request{Query: productQuery, Extensions: apq(hash)},
			want{code: CodeNotSupported, status: http.StatusOK, message: "PersistedQueryNotSupported"}},
		{"disabled, bad shape still not supported", disabled, Request{Extensions: json.RawMessage(`{"persistedQuery":"x"}`)},
			want{code: CodeNotSupported, status: http.StatusOK}},
		{"disabled, plain query runs", disabled, Request{Query: productQuery}, want{query: productQuery}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.store.Resolve(context.Background(), tt.req)
			check(t, got, err, tt.want)
		})
	}
	// A refused registration must not have registered anything.
	if st := enabled.Stats(); st.APQRegistered != 0 || st.CacheEntries != 0 {
		t.Errorf("refusals registered queries: %+v", st)
	}
}

func TestConfigValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cfg  Config
		want []string // substrings of the error; none means valid
	}{
		{"zero value", Config{}, nil},
		{"everything set", Config{APQ: APQConfig{CacheSize: 5, MaxBytes: 1 << 10, RedisURL: "redis://127.0.0.1:6379/2", TTL: 1}, Manifest: "m.json", Only: true, LogUnknown: true}, nil},
		{"negatives", Config{APQ: APQConfig{CacheSize: -1, MaxBytes: -2, TTL: -3, RedisTimeout: -4}}, []string{
			"persisted.apq.cacheSize must not be negative, got -1",
			"persisted.apq.maxBytes must not be negative, got -2",
			"persisted.apq.ttl must not be negative",
			"persisted.apq.redisTimeout must not be negative",
		}},
		{"only without manifest", Config{Only: true}, []string{"persisted.only needs persisted.manifest"}},
		{"logUnknown without manifest", Config{LogUnknown: true}, []string{"persisted.logUnknown needs persisted.manifest"}},
		{"bad redis scheme", Config{APQ: APQConfig{RedisURL: "http://u:hunter2@127.0.0.1:6379"}}, []string{"persisted.apq.redisURL", "invalid URL scheme"}},
		{"bad redis db", Config{APQ: APQConfig{RedisURL: "redis://u:hunter2@127.0.0.1:6379/x"}}, []string{"persisted.apq.redisURL: redis://u:xxxxx@127.0.0.1:6379/x", "invalid database number"}},
		{"unparsable redis URL", Config{APQ: APQConfig{RedisURL: "redis://u:hunter2@[::1"}}, []string{"persisted.apq.redisURL: not a valid URL"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatalf("Validate = %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate = nil, want errors %q", tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Validate = %q, want it to contain %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("Validate = %q shows the Redis password", err)
			}
			if _, nerr := New(context.Background(), tt.cfg, nil); nerr == nil || nerr.Error() != err.Error() {
				t.Errorf("New = %v, want Validate's error", nerr)
			}
		})
	}
}
