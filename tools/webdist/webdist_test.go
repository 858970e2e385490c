package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDistIsBuiltFromTheSources: the checked-in web/dist was built from the
// sources as they are.
func TestDistIsBuiltFromTheSources(t *testing.T) {
	dir := filepath.Join("..", "..", webDir)
	want, err := SourceHash(dir)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(dir, hashFile))
	if err != nil {
		t.Fatalf("web/dist has no record of its sources (%v): run `make web`", err)
	}
	if strings.TrimSpace(string(got)) != want {
		t.Error("web/dist is stale: its sources changed since it was built; run `make web`")
	}
}

func TestSourceHashSeesEveryChange(t *testing.T) {
	dir := t.TempDir()
	write := func(rel, data string) {
		t.Helper()
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("index.html", "<html>")
	write("src/main.tsx", "render()")
	hash := func() string {
		h, err := SourceHash(dir)
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	first := hash()
	write("src/generated/graphql.ts", "generated") // written by the build
	write("src/lib/money.test.ts", "test")         // tests are not built
	if hash() != first {
		t.Error("generated code or a test changed the hash")
	}
	for _, change := range []struct{ rel, data string }{
		{"src/main.tsx", "render(app)"},
		{"src/pages/New.tsx", "page"},
		{"package-lock.json", "{}"},
		{"public/icons/a.png", "png"},
	} {
		before := hash()
		write(change.rel, change.data)
		if hash() == before {
			t.Errorf("changing %s left the hash as it was", change.rel)
		}
	}
	before := hash()
	if err := os.Rename(filepath.Join(dir, "src/pages/New.tsx"), filepath.Join(dir, "src/pages/Old.tsx")); err != nil {
		t.Fatal(err)
	}
	if hash() == before {
		t.Error("a rename went unseen")
	}
}

// TestTrustedDocumentsNameEveryOperationByItsHash: the router finds an
// operation the store sends by its SHA-256 or by its text.
func TestTrustedDocumentsNameEveryOperationByItsHash(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", webDir, manifestFile))
	if err != nil {
		t.Fatalf("no trusted documents (%v): run `make web`", err)
	}
	var docs map[string]string
	if err := json.Unmarshal(raw, &docs); err != nil {
		t.Fatal(err)
	}
	if len(docs) < 5 {
		t.Errorf("%d trusted documents; the store has more pages than that", len(docs))
	}
	for id, body := range docs {
		sum := sha256.Sum256([]byte(body))
		if "sha256:"+hex.EncodeToString(sum[:]) != id {
			t.Errorf("document %s is not named by its SHA-256", id)
		}
	}
}
