package persisted

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadManifest(t *testing.T) {
	t.Parallel()
	a, b := "query A { a }", "query B { b }"
	tests := []struct {
		name    string
		content string
		// ids found by lookupID, with their bodies; or the error's parts.
		found   map[string]string
		wantErr []string
	}{
		{
			name:    "apollo format",
			content: apolloManifestJSON(t, a, b),
			found:   map[string]string{hashOf(a): a, "sha256:" + hashOf(b): b, strings.ToUpper(hashOf(a)): a},
		},
		{
			name: "apollo format with clientName and upper-case id",
			content: `{"format":"apollo-persisted-query-manifest","version":1,"operations":[
				{"id":"` + strings.ToUpper(hashOf(a)) + `","name":"A","type":"query","body":"query A { a }","clientName":"ios"}]}`,
			found: map[string]string{hashOf(a): a},
		},
		{
			name:    "apollo format, duplicate entry with the same body",
			content: `{"format":"apollo-persisted-query-manifest","version":1,"operations":[{"id":"` + hashOf(a) + `","body":"query A { a }"},{"id":"` + hashOf(a) + `","body":"query A { a }"}]}`,
			found:   map[string]string{hashOf(a): a},
		},
		{
			name:    "relay format",
			content: `{"q1": "query A { a }", "q2": "query B { b }"}`,
			found:   map[string]string{"q1": a, "q2": b, hashOf(a): a, "sha256:" + hashOf(b): b},
		},
		{
			name:    "empty relay manifest",
			content: `{}`,
			found:   map[string]string{},
		},
		{
			name: "apollo id is not the body's hash",
			content: `{"format":"apollo-persisted-query-manifest","version":1,"operations":[
				{"id":"` + hashOf(a) + `","name":"A","type":"query","body":"query A { a }"},
				{"id":"` + hashOf(a) + `","name":"B","type":"query","body":"query B { b }"}]}`,
			wantErr: []string{"operations[1] (B): id " + hashOf(a) + " is not the sha256 of its body, which is " + hashOf(b)},
		},
		{
			name:    "relay duplicate id with another body",
			content: "{\"q1\": \"query A { a }\",\n \"q1\": \"query B { b }\"}",
			wantErr: []string{`document "q1" appears twice with different bodies`},
		},
		{
			name:    "relay duplicate id with the same body",
			content: `{"q1": "query A { a }", "q1": "query A { a }"}`,
			found:   map[string]string{"q1": a},
		},
		{
			name:    "bad JSON",
			content: "{\n  \"q1\": \"query A { a }\",\n  \"q2\" \"query B { b }\"\n}",
			wantErr: []string{"manifest.json:3:8: invalid character '\"' after object key"},
		},
		{
			name:    "truncated JSON",
			content: "{\"q1\": \"query",
			wantErr: []string{"manifest.json:1:", "unexpected end of JSON input"},
		},
		{
			name:    "relay body not a string",
			content: "{\"q1\":\n 12}",
			wantErr: []string{"manifest.json:2:2: document \"q1\": the body must be a string of GraphQL, got number"},
		},
		{
			name:    "apollo operations not an array",
			content: `{"format":"apollo-persisted-query-manifest","version":1,"operations":{}}`,
			wantErr: []string{"manifest.json:1:", "operations must be an array, got object"},
		},
		{
			name:    "top level an array",
			content: `[]`,
			wantErr: []string{"manifest.json:1:1: the manifest must be an object, got array"},
		},
		{
			name:    "wrong format",
			content: `{"format":"relay","version":1,"operations":[]}`,
			wantErr: []string{`format is "relay", expected "apollo-persisted-query-manifest"`},
		},
		{
			name:    "wrong version",
			content: `{"format":"apollo-persisted-query-manifest","version":2,"operations":[]}`,
			wantErr: []string{"version is 2, expected 1"},
		},
		{
			name:    "body not GraphQL",
			content: `{"format":"apollo-persisted-query-manifest","version":1,"operations":[{"id":"` + hashOf("query {") + `","name":"Broken","body":"query {"}]}`,
			wantErr: []string{"operations[0] (Broken): body is not a GraphQL document"},
		},
		{
			name:    "missing id",
			content: `{"format":"apollo-persisted-query-manifest","version":1,"operations":[{"name":"A","body":"query A { a }"}]}`,
			wantErr: []string{"operations[0] (A): id is missing"},
		},
		{
			name:    "bad type",
			content: `{"format":"apollo-persisted-query-manifest","version":1,"operations":[{"id":"` + hashOf(a) + `","name":"A","type":"fragment","body":"query A { a }"}]}`,
			wantErr: []string{`operations[0] (A): type is "fragment"`},
		},
		{
			name:    "relay empty body",
			content: `{"q1": ""}`,
			wantErr: []string{`document "q1": body is empty`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := writeFile(t, "manifest.json", tt.content)
			m, err := loadManifest(path)
			if tt.wantErr != nil {
				if err == nil {
					t.Fatalf("loadManifest = nil error, want %q", tt.wantErr)
				}
				if !strings.Contains(err.Error(), path) {
					t.Errorf("error %q does not name the file %s", err, path)
				}
				for _, w := range tt.wantErr {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q does not contain %q", err, w)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("loadManifest: %v", err)
			}
			for id, body := range tt.found {
				if got, ok := m.lookupID(id); !ok || got != body {
					t.Errorf("lookupID(%q) = %q, %v; want %q", id, got, ok, body)
				}
			}
			if _, ok := m.lookupID("nope"); ok {
				t.Error("lookupID found an id that is not there")
			}
		})
	}
}

func TestNewFailsOnBadManifest(t *testing.T) {
	t.Parallel()
	missing := filepath.Join(t.TempDir(), "missing.json")
	if _, err := New(context.Background(), Config{Manifest: missing}, nil); err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("New with a missing manifest = %v, want an error naming %s", err, missing)
	}
	bad := writeFile(t, "bad.json", "{")
	if _, err := New(context.Background(), Config{Manifest: bad, Only: true}, nil); err == nil || !strings.Contains(err.Error(), bad+":1:") {
		t.Errorf("New with a broken manifest = %v, want an error naming %s and a position", err, bad)
	}
}

func TestReloadManifest(t *testing.T) {
	t.Parallel()
	a, b := "query A { a }", "query B { b }"
	path := writeFile(t, "manifest.json", apolloManifestJSON(t, a))
	s, logs := newStore(t, Config{Manifest: path, Only: true})
	ctx := context.Background()
	resolve := func(q string) (string, error) { return s.Resolve(ctx, Request{Query: q}) }

	got, err := resolve(a)
	check(t, got, err, want{query: a})
	got, err = resolve(b)
	check(t, got, err, want{code: CodeNotInSafelist, status: 403})

	if err := os.WriteFile(path, []byte(apolloManifestJSON(t, b)), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := s.ReloadManifest(); err != nil {
		t.Fatalf("ReloadManifest: %v", err)
	}
	got, err = resolve(b)
	check(t, got, err, want{query: b})
	got, err = resolve(a)
	check(t, got, err, want{code: CodeNotInSafelist, status: 403})
	if !strings.Contains(logs.String(), "trusted documents reloaded") {
		t.Errorf("reload not logged: %s", logs)
	}

	// A broken file keeps the documents loaded before.
	if err := os.WriteFile(path, []byte(`{"q": 1`), 0o600); err != nil {
		t.Fatal(err)
	}
	err = s.ReloadManifest()
	if err == nil || !strings.Contains(err.Error(), "keeping the documents loaded before") || !strings.Contains(err.Error(), path) {
		t.Fatalf("ReloadManifest of a broken file = %v, want an error naming the file", err)
	}
	got, err = resolve(b)
	check(t, got, err, want{query: b})

	none, _ := newStore(t, Config{})
	if err := none.ReloadManifest(); err == nil || !strings.Contains(err.Error(), "persisted.manifest") {
		t.Errorf("ReloadManifest without a manifest = %v, want an error naming persisted.manifest", err)
	}
}

func TestNormalize(t *testing.T) {
	t.Parallel()
	base := "fragment F on T { a } query Q($v: Int = 1) { ...F b(s: \"x\") } query P { c }"
	tests := []struct {
		name string
		a, b string
		same bool
	}{
		{"identical", base, base, true},
		{"whitespace, commas and comments", base, "# hi\nfragment F on T {\n  a\n}\n,,query Q($v: Int=1){...F,b(s:\"x\")}  query P { c } # bye", true},
		{"definitions reordered", base, "query P { c } query Q($v: Int = 1) { ...F b(s: \"x\") } fragment F on T { a }", true},
		{"block string for the same string", base, "fragment F on T { a } query Q($v: Int = 1) { ...F b(s: \"\"\"x\"\"\") } query P { c }", true},
		{"fields reordered", base, "fragment F on T { a } query Q($v: Int = 1) { b(s: \"x\") ...F } query P { c }", false},
		{"argument changed", base, "fragment F on T { a } query Q($v: Int = 1) { ...F b(s: \"y\") } query P { c }", false},
		{"default value changed", base, "fragment F on T { a } query Q($v: Int = 2) { ...F b(s: \"x\") } query P { c }", false},
		{"directive on a variable", base, "fragment F on T { a } query Q($v: Int = 1 @d) { ...F b(s: \"x\") } query P { c }", false},
		{"alias added", base, "fragment F on T { a } query Q($v: Int = 1) { ...F z: b(s: \"x\") } query P { c }", false},
		{"definition added", base, base + " query R { d }", false},
		{"fragment condition changed", base, "fragment F on U { a } query Q($v: Int = 1) { ...F b(s: \"x\") } query P { c }", false},
		{"directive added", base, "fragment F on T { a } query Q($v: Int = 1) { ...F b(s: \"x\") } query P { c @skip(if: true) }", false},
		{"int and float", "{ a(n: 1) }", "{ a(n: 1.0) }", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			na, err := normalize(tt.a)
			if err != nil {
				t.Fatal(err)
			}
			nb, err := normalize(tt.b)
			if err != nil {
				t.Fatal(err)
			}
			if (na == nb) != tt.same {
				t.Errorf("normalize:\n%s\n%s\nsame = %v, want %v", na, nb, na == nb, tt.same)
			}
		})
	}
	for _, bad := range []string{"{ a", "{ a } }", "{ a(s: \"x) }"} {
		if got, err := normalize(bad); err == nil {
			t.Errorf("normalize(%q) = %q, want an error", bad, got)
		}
	}
}
