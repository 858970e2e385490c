package persisted

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// logBuffer collects log lines from many goroutines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// count returns how many log lines contain s.
func (b *logBuffer) count(s string) int {
	return strings.Count(b.String(), s)
}

func newLogger() (*slog.Logger, *logBuffer) {
	buf := &logBuffer{}
	return slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug})), buf
}

// newStore builds a Store that is closed when the test ends.
func newStore(t testing.TB, cfg Config) (*Store, *logBuffer) {
	t.Helper()
	logger, logs := newLogger()
	s, err := New(context.Background(), cfg, logger)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s, logs
}

// writeFile writes content to a new file in the test's temporary folder.
func writeFile(t testing.TB, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// apolloManifestJSON builds an Apollo manifest with correct ids for bodies.
func apolloManifestJSON(t testing.TB, bodies ...string) string {
	t.Helper()
	type op struct {
		ID   string `json:"id"`
		Name string `json:"name"`
		Type string `json:"type"`
		Body string `json:"body"`
	}
	m := struct {
		Format     string `json:"format"`
		Version    int    `json:"version"`
		Operations []op   `json:"operations"`
	}{Format: apolloFormat, Version: 1}
	for i, b := range bodies {
		m.Operations = append(m.Operations, op{ID: hashOf(b), Name: fmt.Sprintf("Op%d", i), Type: "query", Body: b})
	}
	data, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// apq returns extensions carrying a version-1 persisted query for hash.
func apq(hash string) json.RawMessage {
	return json.RawMessage(fmt.Sprintf(`{"persistedQuery":{"version":1,"sha256Hash":%q}}`, hash))
}

// want describes the expected outcome of Resolve: a query, or an error code
// with its status.
type want struct {
	query  string
	code   string
	status int
	// message, when set, must be contained in the error's message.
	message string
}

// check compares Resolve's outcome with w.
func check(t testing.TB, got string, err error, w want) {
	t.Helper()
	if w.code == "" {
		if err != nil {
			t.Fatalf("Resolve: unexpected error %v", err)
		}
		if got != w.query {
			t.Fatalf("Resolve = %q, want %q", got, w.query)
		}
		return
	}
	var perr *Error
	if !errors.As(err, &perr) {
		t.Fatalf("Resolve = %q, %v; want an *Error with code %s", got, err, w.code)
	}
	if perr.Code != w.code || perr.Status != w.status {
		t.Fatalf("Resolve error = %s %d %q, want %s %d", perr.Code, perr.Status, perr.Message, w.code, w.status)
	}
	if w.message != "" && !strings.Contains(perr.Message, w.message) {
		t.Fatalf("Resolve error message %q does not contain %q", perr.Message, w.message)
	}
	if got != "" {
		t.Fatalf("Resolve returned query %q with an error", got)
	}
}
