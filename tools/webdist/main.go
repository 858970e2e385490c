// Command webdist keeps web/dist, the built web store that the binary embeds,
// in step with its sources: it hashes the sources (everything the build
// reads), and when the hash differs from the one recorded in
// web/dist/sources.sha256 it runs `npm ci` and `npm run build` in web/,
// copies the build's trusted-documents manifest (every operation the store
// sends, by its SHA-256) to web/trusted-documents.json for the router, and
// records the new hash. With -check it only reports, exiting 1 when stale.
// `make run` and `make generate` run it; a test in this folder fails when the
// checked-in build is stale.
//
// Run from the repository root: go run ./tools/webdist [-check]
package main

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
)

// webDir is the store's folder, from the repository root.
const webDir = "web"

// hashFile is where the build records the hash of the sources it was made from.
const hashFile = "dist/sources.sha256"

// The trusted-documents manifest as codegen writes it, and where the router
// reads it from (ROUTER_PERSISTED_MANIFEST).
const (
	generatedManifest = "src/generated/persisted-documents.json"
	manifestFile      = "trusted-documents.json"
)

// sources are the files and folders the build reads, relative to web/.
var sources = []string{"src", "public", "codegen", "index.html", "package.json", "package-lock.json",
	"vite.config.ts", "codegen.ts", "tsconfig.json", "schema.graphql"}

// ignored are paths under the sources that the build writes or that tests own.
var ignored = []string{"src/generated"}

func main() {
	check := flag.Bool("check", false, "only report whether web/dist is stale (exit 1 when it is)")
	flag.Parse()
	if err := run(*check); err != nil {
		fmt.Fprintln(os.Stderr, "webdist:", err)
		os.Exit(1)
	}
}

func run(check bool) error {
	want, err := SourceHash(webDir)
	if err != nil {
		return err
	}
	got, _ := os.ReadFile(filepath.Join(webDir, hashFile))
	if strings.TrimSpace(string(got)) == want {
		fmt.Println("webdist: web/dist is up to date")
		return nil
	}
	if check {
		return errors.New("web/dist is stale: run `make web`")
	}
	for _, args := range [][]string{{"ci", "--no-audit", "--no-fund"}, {"run", "build"}} {
		cmd := exec.Command("npm", args...)
		cmd.Dir, cmd.Stdout, cmd.Stderr = webDir, os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("npm %s in web/: %w (the web store needs Node 20 and npm)", strings.Join(args, " "), err)
		}
	}
	manifest, err := os.ReadFile(filepath.Join(webDir, generatedManifest))
	if err != nil {
		return fmt.Errorf("read the build's trusted documents: %w", err)
	}
	if err := os.WriteFile(filepath.Join(webDir, manifestFile), manifest, 0o644); err != nil {
		return fmt.Errorf("write the trusted documents: %w", err)
	}
	if err := os.WriteFile(filepath.Join(webDir, hashFile), []byte(want+"\n"), 0o644); err != nil {
		return fmt.Errorf("record the sources' hash: %w", err)
	}
	fmt.Println("webdist: rebuilt web/dist")
	return nil
}

// SourceHash is the SHA-256 of the build's sources under dir: of each file's
// path (relative, with forward slashes) and contents, in path order.
func SourceHash(dir string) (string, error) {
	var files []string
	for _, s := range sources {
		err := filepath.WalkDir(filepath.Join(dir, s), func(p string, d fs.DirEntry, err error) error {
			if errors.Is(err, fs.ErrNotExist) && p == filepath.Join(dir, s) {
				return nil // a source the store does not have (yet)
			}
			if err != nil {
				return err
			}
			rel, err := filepath.Rel(dir, p)
			if err != nil {
				return err
			}
			rel = filepath.ToSlash(rel)
			if slices.Contains(ignored, rel) {
				return filepath.SkipDir
			}
			if !d.IsDir() && !strings.HasSuffix(rel, ".test.ts") {
				files = append(files, rel)
			}
			return nil
		})
		if err != nil {
			return "", fmt.Errorf("hash the web store's sources: %w", err)
		}
	}
	slices.Sort(files)
	h := sha256.New()
	for _, rel := range files {
		data, err := os.ReadFile(filepath.Join(dir, rel))
		if err != nil {
			return "", fmt.Errorf("hash the web store's sources: %w", err)
		}
		fmt.Fprintf(h, "%s\x00%d\x00", rel, len(data))
		h.Write(data)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
