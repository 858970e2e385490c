package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The web store's code generator reads web/schema.graphql; it must be what the
// checked-in supergraph gives, or the store is typed against a stale graph.
func TestWebSchemaIsFresh(t *testing.T) {
	t.Parallel()
	root := filepath.Join("..", "..")
	want, err := apiSDL(filepath.Join(root, "schema", "supergraph.graphql"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(root, "web", "schema.graphql"))
	if err != nil {
		t.Fatalf("%v (run `go run ./tools/apischema`)", err)
	}
	if string(got) != want {
		t.Fatal("web/schema.graphql is stale: run `go run ./tools/apischema`")
	}
}

// The API schema is what clients may query: no federation machinery.
func TestAPISchemaHasNoFederationMachinery(t *testing.T) {
	t.Parallel()
	sdl, err := apiSDL(filepath.Join("..", "..", "schema", "supergraph.graphql"))
	if err != nil {
		t.Fatal(err)
	}
	for _, leak := range []string{"@join__", "join__Graph", "@link", "_entities", "_service", "_Any"} {
		if strings.Contains(sdl, leak) {
			t.Errorf("API schema contains %q", leak)
		}
	}
	for _, want := range []string{"type Query", "searchSuggestions(", "cartCreate(", "signIn("} {
		if !strings.Contains(sdl, want) {
			t.Errorf("API schema lacks %q", want)
		}
	}
}

func TestWriteFailsOnAMissingSupergraph(t *testing.T) {
	t.Parallel()
	err := write(filepath.Join(t.TempDir(), "none.graphql"), filepath.Join(t.TempDir(), "out.graphql"))
	if err == nil || !strings.Contains(err.Error(), "read supergraph") {
		t.Fatalf("err = %v, want a read error", err)
	}
}
