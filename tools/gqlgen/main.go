// Command gqlgen generates the GraphQL code of every subgraph from schema/ with the
// shared settings in gqlgen.yml.
//
// gqlgen reads one config per schema, so gqlgen.yml is written once with a
// "{subgraph}" placeholder; this command fills it in for each subgraph, loads the
// result with gqlgen's config API and runs gqlgen's generator, one subgraph after
// the other. Run it from anywhere inside the module:
//
//	go run ./tools/gqlgen            # every schema/<name>.graphqls
//	go run ./tools/gqlgen catalog    # just these
package main

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/99designs/gqlgen/api"
	"github.com/99designs/gqlgen/codegen/config"
)

// placeholder is replaced by the subgraph's name everywhere in gqlgen.yml.
const placeholder = "{subgraph}"

func main() {
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if err := run(os.Args[1:], logger); err != nil {
		logger.Error("gqlgen failed", "err", err)
		os.Exit(1)
	}
}

func run(args []string, logger *slog.Logger) error {
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	// gqlgen resolves every path in its config against the working directory.
	if err := os.Chdir(root); err != nil {
		return fmt.Errorf("enter module root: %w", err)
	}
	template, err := os.ReadFile("gqlgen.yml")
	if err != nil {
		return fmt.Errorf("read config template: %w", err)
	}
	if !bytes.Contains(template, []byte(placeholder)) {
		return fmt.Errorf("gqlgen.yml has no %s placeholder", placeholder)
	}
	all, err := subgraphs()
	if err != nil {
		return err
	}
	names := all
	if len(args) > 0 {
		for _, name := range args {
			if !slices.Contains(all, name) {
				return fmt.Errorf("unknown subgraph %q (have %s)", name, strings.Join(all, ", "))
			}
		}
		names = args
	}
	for _, name := range names {
		logger.Info("generating", "subgraph", name)
		if err := generate(template, name); err != nil {
			return fmt.Errorf("subgraph %s: %w", name, err)
		}
	}
	return nil
}

// generate runs gqlgen for one subgraph with the template filled in for it.
func generate(template []byte, name string) error {
	text := bytes.ReplaceAll(template, []byte(placeholder), []byte(name))
	cfg, err := config.ReadConfig(bytes.NewReader(text))
	if err != nil {
		return fmt.Errorf("load config: %w", err)
	}
	if err := api.Generate(cfg); err != nil {
		return fmt.Errorf("generate: %w", err)
	}
	return nil
}

// subgraphs names the subgraphs by their schema files, schema/<name>.graphqls,
// sorted so every run generates in the same order.
func subgraphs() ([]string, error) {
	files, err := filepath.Glob(filepath.Join("schema", "*.graphqls"))
	if err != nil {
		return nil, fmt.Errorf("list schemas: %w", err)
	}
	names := make([]string, 0, len(files))
	for _, f := range files {
		names = append(names, strings.TrimSuffix(filepath.Base(f), ".graphqls"))
	}
	if len(names) == 0 {
		return nil, errors.New("no schema/*.graphqls files")
	}
	slices.Sort(names)
	return names, nil
}

// moduleRoot finds the directory holding go.mod, from the working directory up.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("working directory: %w", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod in the working directory or above it")
		}
		dir = parent
	}
}
