package scenarios

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	oscmd "os/exec"
	"path/filepath"
	"reflect"
	"time"
)

// The planner property test's second oracle: @apollo/gateway (pinned by
// testdata/apollogateway/package-lock.json) runs the same operations against
// the same loopback subgraphs, and its data is compared with the router's
// (which the first oracle, the monolith, has already checked).

const apolloGatewayDir = "testdata/apollogateway"

type apolloOp struct {
	Query     string         `json:"query"`
	Variables map[string]any `json:"variables,omitempty"`
	// want is the data the router answered (equal to the monolith's).
	want string
}

type apolloSet struct {
	Name       string     `json:"name"`
	Supergraph string     `json:"supergraph"`
	Operations []apolloOp `json:"operations"`
}

type apolloAnswer struct {
	Data   json.RawMessage `json:"data"`
	Errors []string        `json:"errors"`
}

// apolloGateway prepares the pinned @apollo/gateway (npm ci when missing);
// ok is false, with the reason, when Node or the packages cannot be had.
func apolloGateway(ctx context.Context) (node string, why string) {
	node, err := oscmd.LookPath("node")
	if err != nil {
		return "", "node is not installed"
	}
	if _, err := os.Stat(filepath.Join(apolloGatewayDir, "node_modules", "@apollo", "gateway")); err != nil {
		npm, err := oscmd.LookPath("npm")
		if err != nil {
			return "", "npm is not installed to fetch @apollo/gateway"
		}
		cmd := oscmd.CommandContext(ctx, npm, "ci", "--no-audit", "--no-fund")
		cmd.Dir = apolloGatewayDir
		if out, err := cmd.CombinedOutput(); err != nil {
			return "", fmt.Sprintf("npm ci in %s failed (offline?): %v\n%s", apolloGatewayDir, err, out)
		}
	}
	return node, ""
}

// apolloCompare runs the sets through @apollo/gateway in one Node process and
// returns how many operations it answered, how many of its answers' data
// differ from the router's, and the first few differences.
func apolloCompare(ctx context.Context, node string, sets []apolloSet) (ran, differ int, examples []string, err error) {
	in, err := json.Marshal(map[string]any{"sets": sets})
	if err != nil {
		return 0, 0, nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	cmd := oscmd.CommandContext(ctx, node, "gateway.mjs")
	cmd.Dir = apolloGatewayDir
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return 0, 0, nil, fmt.Errorf("@apollo/gateway: %w\n%s", err, stderr.String())
	}
	var res struct {
		Results []struct {
			Name    string         `json:"name"`
			Error   string         `json:"error"`
			Answers []apolloAnswer `json:"answers"`
		} `json:"results"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		return 0, 0, nil, fmt.Errorf("@apollo/gateway output: %w", err)
	}
	for i, r := range res.Results {
		if r.Error != "" {
			differ++
			examples = append(examples, fmt.Sprintf("seed %s: @apollo/gateway does not start: %s", r.Name, r.Error))
			continue
		}
		for j, a := range r.Answers {
			ran++
			op := sets[i].Operations[j]
			if sameJSON(a.Data, op.want) {
				continue
			}
			differ++
			if len(examples) < 3 {
				vb, _ := json.Marshal(op.Variables)
				examples = append(examples, fmt.Sprintf("seed %s:\nquery: %s\nvariables: %s\nrouter:         %s\n@apollo/gateway: %s (errors %v)", r.Name, op.Query, vb, op.want, a.Data, a.Errors))
			}
		}
	}
	return ran, differ, examples, nil
}

// sameJSON compares two JSON texts by value (object key order aside).
func sameJSON(a json.RawMessage, b string) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal([]byte(b), &y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}
