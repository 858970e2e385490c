package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/shopgraph/shopgraph/gateway/compose"
	"github.com/shopgraph/shopgraph/internal/config"
)

// composeSettings configure `shopgraph compose`.
type composeSettings struct {
	config  string
	output  string
	timeout time.Duration
}

func newComposeSettings(getenv func(string) string, st *composeSettings) *config.Set {
	s := config.New("compose", getenv)
	s.NonEmpty(&st.config, "config", "SUPERGRAPH_CONFIG", "supergraph.yaml", "supergraph config in rover's format (federation_version, subgraphs with routing_url and schema.file or schema.subgraph_url)")
	s.String(&st.output, "output", "SUPERGRAPH_OUTPUT", "", "write the supergraph to this file instead of stdout")
	s.Duration(&st.timeout, "timeout", "SUPERGRAPH_FETCH_TIMEOUT", 30*time.Second, "how long fetching subgraph SDLs from schema.subgraph_url may take")
	return s
}

// composeCommand composes the subgraphs of a supergraph config and prints the
// supergraph; composition errors go to stderr, one per line.
func composeCommand(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var st composeSettings
	err := parseOrHelp(newComposeSettings(getenv, &st), args, stderr)
	if errors.Is(err, errHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	cfg, err := compose.LoadConfig(st.config)
	if err != nil {
		return fmt.Errorf("compose: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, st.timeout)
	defer cancel()
	sgs, err := cfg.Resolve(ctx, compose.HTTPFetcher(&http.Client{Timeout: st.timeout}))
	if err != nil {
		return fmt.Errorf("compose: %w", err)
	}
	sdl, err := compose.Compose(sgs)
	var errs compose.Errors
	if errors.As(err, &errs) {
		for _, e := range errs {
			fmt.Fprintln(stderr, e.Error())
		}
		return fmt.Errorf("compose: %d composition error(s)", len(errs))
	}
	if err != nil {
		return fmt.Errorf("compose: %w", err)
	}
	if st.output != "" {
		if err := os.WriteFile(st.output, []byte(sdl), 0o644); err != nil {
			return fmt.Errorf("compose: %w", err)
		}
		return nil
	}
	_, err = io.WriteString(stdout, sdl)
	return err
}
