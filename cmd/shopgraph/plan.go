package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/shopgraph/shopgraph/gateway/plan"
	"github.com/shopgraph/shopgraph/gateway/supergraph"
)

// planCommand prints the query plan of an operation:
//
//	shopgraph plan --supergraph FILE [--operation NAME] [--variables JSON] [--labels a,b] [--split-depth N] QUERY_FILE
//
// QUERY_FILE holds a GraphQL document, or a JSON request body with "query",
// "operationName" and "variables" (as the gateways benchmark's query.json); "-" reads stdin.
func planCommand(_ context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("plan", flag.ContinueOnError)
	fs.SetOutput(stderr)
	sgFile := fs.String("supergraph", "", "the supergraph SDL file (required)")
	opName := fs.String("operation", "", "the operation to plan when the document has several")
	varsJSON := fs.String("variables", "", "variables as a JSON object (they decide @skip/@include)")
	labels := fs.String("labels", "", "progressive @override labels that are on, comma-separated")
	splitDepth := fs.Int("split-depth", plan.DefaultSplitDepth, "as serve router --split-depth: split fetches nesting lists this deep at a repeated entity (0 never)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return fmt.Errorf("plan: %w", errUsage)
	}
	if *sgFile == "" || fs.NArg() != 1 {
		fmt.Fprintln(stderr, "usage: shopgraph plan --supergraph FILE [--operation NAME] [--variables JSON] [--labels a,b] [--split-depth N] QUERY_FILE")
		return fmt.Errorf("plan: need --supergraph and one QUERY_FILE: %w", errUsage)
	}
	sdl, err := os.ReadFile(*sgFile)
	if err != nil {
		return fmt.Errorf("plan: %w", err)
	}
	g, err := supergraph.Load(string(sdl))
	if err != nil {
		return fmt.Errorf("plan: %w", err)
	}
	var doc []byte
	if fs.Arg(0) == "-" {
		doc, err = io.ReadAll(stdin)
	} else {
		doc, err = os.ReadFile(fs.Arg(0))
	}
	if err != nil {
		return fmt.Errorf("plan: %w", err)
	}
	req := struct {
		Query         string         `json:"query"`
		OperationName string         `json:"operationName"`
		Variables     map[string]any `json:"variables"`
	}{Query: string(doc)}
	if trimmed := strings.TrimSpace(string(doc)); strings.HasPrefix(trimmed, "{\"") || strings.HasPrefix(trimmed, "{ \"") {
		if err := json.Unmarshal(doc, &req); err != nil {
			return fmt.Errorf("plan: %s is neither GraphQL nor a JSON request: %w", fs.Arg(0), err)
		}
	}
	if *opName != "" {
		req.OperationName = *opName
	}
	if *varsJSON != "" {
		if err := json.Unmarshal([]byte(*varsJSON), &req.Variables); err != nil {
			return fmt.Errorf("plan: --variables: %w", err)
		}
	}
	if *splitDepth < 0 {
		return fmt.Errorf("plan: --split-depth %d: want 0 or more: %w", *splitDepth, errUsage)
	}
	p := plan.New(g, plan.Options{CacheSize: 1, OverrideLabels: splitList(*labels), SplitDepth: splitDepth})
	pl, _, err := p.Plan(req.Query, req.OperationName, req.Variables)
	if err != nil {
		return fmt.Errorf("plan: %w", err)
	}
	_, err = fmt.Fprint(stdout, pl.String())
	return err
}
