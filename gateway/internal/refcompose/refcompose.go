// Package refcompose runs the reference composer, @apollo/composition pinned by
// gateway/compose/testdata/refcompose, for tests that compare against it: the
// composer's differential test and the planner's property test, which keeps only
// the subgraph sets the reference composer accepts (it checks satisfiability).
package refcompose

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// Set is one set of subgraphs to compose.
type Set struct {
	Name      string     `json:"name"`
	Subgraphs []Subgraph `json:"subgraphs"`
}

// Subgraph is one subgraph of a set.
type Subgraph struct {
	Name string `json:"name"`
	URL  string `json:"url"`
	SDL  string `json:"sdl"`
}

// Result is what the reference composer made of one set: a supergraph, or errors.
type Result struct {
	Name       string  `json:"name"`
	Supergraph string  `json:"supergraph"`
	Errors     []Error `json:"errors"`
}

// Error is one composition error of the reference composer.
type Error struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// ErrUnavailable is returned by Prepare when Node or the pinned package cannot be had.
var ErrUnavailable = errors.New("reference composer unavailable")

// Composer runs compose.js in its directory.
type Composer struct {
	node, dir string
}

// Prepare finds Node and installs the pinned packages in dir (npm ci) when they
// are missing. It returns an error wrapping ErrUnavailable when either cannot be
// had (no Node, no npm, offline), so that callers can skip.
func Prepare(ctx context.Context, dir string) (*Composer, error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, fmt.Errorf("%w: node is not installed", ErrUnavailable)
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "@apollo", "composition")); err != nil {
		npm, err := exec.LookPath("npm")
		if err != nil {
			return nil, fmt.Errorf("%w: npm is not installed to fetch @apollo/composition", ErrUnavailable)
		}
		cmd := exec.CommandContext(ctx, npm, "ci", "--no-audit", "--no-fund")
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("%w: npm ci in %s failed (offline?): %v\n%s", ErrUnavailable, dir, err, out)
		}
	}
	return &Composer{node: node, dir: dir}, nil
}

// Compose composes every set in one Node process and returns the results by set name.
func (c *Composer) Compose(ctx context.Context, sets []Set) (map[string]Result, error) {
	in, err := json.Marshal(map[string]any{"sets": sets})
	if err != nil {
		return nil, fmt.Errorf("encode sets: %w", err)
	}
	cmd := exec.CommandContext(ctx, c.node, "compose.js")
	cmd.Dir = c.dir
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("reference composer failed: %w\n%s", err, stderr.String())
	}
	var res struct {
		Results []Result `json:"results"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		return nil, fmt.Errorf("reference composer output: %w", err)
	}
	byName := make(map[string]Result, len(res.Results))
	for _, r := range res.Results {
		byName[r.Name] = r
	}
	return byName, nil
}
