// Command shopgraph runs every component of shopgraph: the three subgraphs, the
// federation router, and the commands that set them up.
//
//	shopgraph serve catalog|orders|users|router|web [flags]
//	shopgraph dev      run every component locally, each as its own process
//	shopgraph compose  --config supergraph.yaml: print the composed supergraph
//	shopgraph migrate  [catalog|orders|users ...]
//	shopgraph seed     [catalog|orders|users ...]
//	shopgraph probe    URL
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

const usage = `usage: shopgraph <command> [arguments]

commands:
  serve catalog|orders|users|router|web  run one component (serve COMPONENT --help for its settings)
  dev                                    migrate, seed and run every component, each as its own process
  compose [--config supergraph.yaml]     compose the subgraphs and print the supergraph SDL
  migrate [SUBGRAPH ...]                 create the subgraphs' databases when missing and migrate them
  seed [SUBGRAPH ...]                    migrate, then load the deterministic demo data once
  probe URL                              exit 0 when URL answers 200 (container health checks)
  plan --supergraph FILE QUERY_FILE      print the query plan of an operation
  keys generate                          print a new token signing key (PEM) for USERS_SIGNING_KEYS
`

// errUsage marks errors for which the usage text helps.
var errUsage = errors.New("see 'shopgraph help'")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "shopgraph:", err)
		os.Exit(1)
	}
}

// run dispatches a command; it is main without the process around it, for tests.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("no command: %w", errUsage)
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return serve(ctx, rest, getenv, stderr)
	case "compose":
		return composeCommand(ctx, rest, getenv, stdout, stderr)
	case "dev":
		return dev(ctx, rest, getenv, stdout, stderr)
	case "migrate":
		return migrateCommand(ctx, rest, getenv, stderr, false)
	case "seed":
		return migrateCommand(ctx, rest, getenv, stderr, true)
	case "probe":
		return probe(ctx, rest)
	case "plan":
		return planCommand(ctx, rest, os.Stdin, stdout, stderr)
	case "keys":
		return keysCommand(rest, stdout)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("unknown command %q: %w", cmd, errUsage)
	}
}
