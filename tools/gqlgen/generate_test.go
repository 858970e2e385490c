package main

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// skipped reports the names never copied: history, the web store, local databases.
func skipped(name string) bool {
	switch name {
	case ".git", "web", ".data", "node_modules":
		return true
	}
	return false
}

// TestGeneratedCodeIsFresh regenerates every subgraph in a copy of the module and
// fails, naming the file, when the checked-in output differs, is missing, or is
// left over from an older schema.
func TestGeneratedCodeIsFresh(t *testing.T) {
	if testing.Short() {
		t.Skip("regenerates every subgraph (slow)")
	}
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	// The parts of the module that generation reads or compiles.
	for _, name := range []string{"go.mod", "go.sum", "gqlgen.yml", "schema", "subgraphs", "internal", "tools"} {
		if err := copyTree(filepath.Join(root, name), filepath.Join(tmp, name)); err != nil {
			t.Fatalf("copy %s: %v", name, err)
		}
	}
	// Remove the output gqlgen owns outright, so files it no longer makes show up
	// as extra. Resolver files stay: they hold our implementations.
	before, err := generatedFiles(tmp)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range before {
		if !strings.HasSuffix(f, ".resolvers.go") {
			if err := os.Remove(filepath.Join(tmp, f)); err != nil {
				t.Fatal(err)
			}
		}
	}

	cmd := exec.Command("go", "run", "./tools/gqlgen")
	cmd.Dir = tmp
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("go run ./tools/gqlgen: %v\n%s", err, out.String())
	}

	want, err := generatedFiles(tmp)
	if err != nil {
		t.Fatal(err)
	}
	have, err := generatedFiles(root)
	if err != nil {
		t.Fatal(err)
	}
	haveSet := map[string]bool{}
	for _, f := range have {
		haveSet[f] = true
	}
	for _, f := range want {
		if !haveSet[f] {
			t.Errorf("%s: generated but not checked in; run go run ./tools/gqlgen", f)
			continue
		}
		delete(haveSet, f)
		fresh, err := os.ReadFile(filepath.Join(tmp, f))
		if err != nil {
			t.Fatal(err)
		}
		checkedIn, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(fresh, checkedIn) {
			t.Errorf("%s: stale, differs from what go run ./tools/gqlgen generates", f)
		}
	}
	extra := make([]string, 0, len(haveSet))
	for f := range haveSet {
		extra = append(extra, f)
	}
	sort.Strings(extra)
	for _, f := range extra {
		t.Errorf("%s: checked in but no longer generated; delete it", f)
	}
}

// generatedFiles lists, relative to root, the files generation writes: everything
// in subgraphs/*/graph/generated/, *_gen.go files, and the resolver files gqlgen
// keeps in step with the schema.
func generatedFiles(root string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(filepath.Join(root, "subgraphs"), func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if strings.Contains(rel, "/generated/") || strings.HasSuffix(rel, "_gen.go") ||
			strings.HasSuffix(rel, ".resolvers.go") {
			files = append(files, rel)
		}
		return nil
	})
	sort.Strings(files)
	return files, err
}

// copyTree copies a file or directory, skipping the skipped names.
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if skipped(d.Name()) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o644)
	})
}
