package persisted

import (
	"context"
	"net/http"
	"strings"
	"testing"
)

func TestTrustedDocuments(t *testing.T) {
	t.Parallel()
	trusted := "query Product($id: ID!) { product(id: $id) { id name } }"
	reformatted := "# from the app\nquery Product($id: ID!) {\n  product(id: $id) {\n    id\n    name\n  }\n}\n"
	other := "{ products(first: 100) { totalCount } }"
	apollo := writeFile(t, "apollo.json", apolloManifestJSON(t, trusted))
	relay := writeFile(t, "relay.json", `{"product-1": "query Product($id: ID!) { product(id: $id) { id name } }"}`)

	only, _ := newStore(t, Config{Manifest: apollo, Only: true})
	onlyRelay, _ := newStore(t, Config{Manifest: relay, Only: true})
	onlyNoAPQ, _ := newStore(t, Config{Manifest: apollo, Only: true, APQ: APQConfig{Disabled: true}})
	open, _ := newStore(t, Config{Manifest: apollo})
	openNoAPQ, _ := newStore(t, Config{Manifest: apollo, APQ: APQConfig{Disabled: true}})

	notInSafelist := want{code: CodeNotInSafelist, status: http.StatusForbidden, message: "operation is not in the trusted documents list"}
	tests := []struct {
		name  string
		store *Store
		req   Request
		want  want
	}{
		// Trusted-only: what is allowed.
		{"only: document id", only, Request{DocumentID: hashOf(trusted)}, want{query: trusted}},
		{"only: document id sha256: prefix", only, Request{DocumentID: "sha256:" + hashOf(trusted)}, want{query: trusted}},
		{"only: APQ hash of a trusted document", only, Request{Extensions: apq(hashOf(trusted))}, want{query: trusted}},
		{"only: APQ hash and text of a trusted document", only, Request{Query: trusted, Extensions: apq(hashOf(trusted))}, want{query: trusted}},
		{"only: full text equal to a trusted document", only, Request{Query: trusted}, want{query: trusted}},
		{"only: full text differing in ignored characters", only, Request{Query: reformatted}, want{query: reformatted}},
		{"only: APQ registration of reformatted trusted text", only, Request{Query: reformatted, Extensions: apq(hashOf(reformatted))}, want{query: reformatted}},
		{"only, APQ disabled: APQ hash of a trusted document", onlyNoAPQ, Request{Extensions: apq(hashOf(trusted))}, want{query: trusted}},
		{"only, relay: id", onlyRelay, Request{DocumentID: "product-1"}, want{query: trusted}},
		{"only, relay: APQ hash of the body", onlyRelay, Request{Extensions: apq(hashOf(trusted))}, want{query: trusted}},
		{"only: empty request left to the handler", only, Request{}, want{query: ""}},

		// Trusted-only: what is refused.
		{"only: other text", only, Request{Query: other}, notInSafelist},
		{"only: syntax error text", only, Request{Query: "{ product("}, notInSafelist},
		{"only: APQ registration of other text", only, Request{Query: other, Extensions: apq(hashOf(other))}, notInSafelist},
		{"only: unknown APQ hash", only, Request{Extensions: apq(hashOf(other))},
			want{code: CodeNotInList, status: http.StatusNotFound, message: hashOf(other)}},
		{"only: unknown document id", only, Request{DocumentID: "nope"},
			want{code: CodeNotInList, status: http.StatusNotFound, message: `persisted query "nope" is not in the trusted documents list`}},
		{"only: document id and text", only, Request{DocumentID: hashOf(trusted), Query: trusted},
			want{code: CodeIDAndBody, status: http.StatusBadRequest}},
		{"only: hash mismatch", only, Request{Query: other, Extensions: apq(hashOf(trusted))},
			want{code: CodeHashMismatch, status: http.StatusBadRequest}},
		{"only, relay: other text", onlyRelay, Request{Query: other}, notInSafelist},

		// A manifest without trusted-only mode: documents resolve, the rest runs.
		{"open: document id", open, Request{DocumentID: hashOf(trusted)}, want{query: trusted}},
		{"open: APQ hash of a trusted document needs no registration", open, Request{Extensions: apq(hashOf(trusted))}, want{query: trusted}},
		{"open: other text runs", open, Request{Query: other}, want{query: other}},
		{"open: unknown APQ hash is an APQ miss", open, Request{Extensions: apq(hashOf(other))}, want{code: CodeNotFound, status: http.StatusOK}},
		{"open: unknown document id", open, Request{DocumentID: hashOf(other)}, want{code: CodeNotInList, status: http.StatusNotFound}},
		{"open, APQ disabled: trusted hash resolves", openNoAPQ, Request{Extensions: apq(hashOf(trusted))}, want{query: trusted}},
		{"open, APQ disabled: other hash not supported", openNoAPQ, Request{Query: other, Extensions: apq(hashOf(other))}, want{code: CodeNotSupported, status: http.StatusOK}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.store.Resolve(context.Background(), tt.req)
			check(t, got, err, tt.want)
		})
	}
	if st := only.Stats(); st.APQRegistered != 0 || st.CacheEntries != 0 || st.Refused == 0 || st.DocumentHits == 0 {
		t.Errorf("trusted-only Stats = %+v, want no APQ registrations, some refusals and document hits", st)
	}
}

func TestLogUnknown(t *testing.T) {
	t.Parallel()
	trusted, other := "query A { a }", "query B { b }"
	path := writeFile(t, "manifest.json", apolloManifestJSON(t, trusted))
	tests := []struct {
		name   string
		cfg    Config
		req    Request
		want   want
		logged bool
	}{
		{"audit: unknown text runs and is logged", Config{Manifest: path, LogUnknown: true}, Request{Query: other}, want{query: other}, true},
		{"audit: unknown APQ registration is logged", Config{Manifest: path, LogUnknown: true}, Request{Query: other, Extensions: apq(hashOf(other))}, want{query: other}, true},
		{"audit: trusted text is not logged", Config{Manifest: path, LogUnknown: true}, Request{Query: "query A {a}"}, want{query: "query A {a}"}, false},
		{"audit and only: refused and logged", Config{Manifest: path, LogUnknown: true, Only: true}, Request{Query: other}, want{code: CodeNotInSafelist, status: http.StatusForbidden}, true},
		{"only without audit: refused, not logged", Config{Manifest: path, Only: true}, Request{Query: other}, want{code: CodeNotInSafelist, status: http.StatusForbidden}, false},
		{"no audit: not logged", Config{Manifest: path}, Request{Query: other}, want{query: other}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, logs := newStore(t, tt.cfg)
			got, err := s.Resolve(context.Background(), tt.req)
			check(t, got, err, tt.want)
			line := logs.String()
			logged := strings.Contains(line, "operation is not in the trusted documents list")
			if logged != tt.logged {
				t.Fatalf("logged = %v, want %v; logs:\n%s", logged, tt.logged, line)
			}
			if logged && (!strings.Contains(line, hashOf(other)) || !strings.Contains(line, "query B")) {
				t.Errorf("log line lacks the hash or the text:\n%s", line)
			}
		})
	}
	// An APQ hit of unknown text is logged too, as Apollo Router does.
	s, logs := newStore(t, Config{Manifest: path, LogUnknown: true})
	ctx := context.Background()
	if _, err := s.Resolve(ctx, Request{Query: other, Extensions: apq(hashOf(other))}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Resolve(ctx, Request{Extensions: apq(hashOf(other))}); err != nil {
		t.Fatal(err)
	}
	if n := logs.count("operation is not in the trusted documents list"); n != 2 {
		t.Errorf("logged %d times, want 2 (registration and hit)", n)
	}
}
