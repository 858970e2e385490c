package gqlserve

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/shopgraph/shopgraph/internal/apperr"
)

func TestPresentError(t *testing.T) {
	t.Parallel()
	const svc apperr.Service = "catalog"
	errTypeNotFound := errors.New("type not found")
	tests := []struct {
		name          string
		err           error
		message, code string
		logged        bool
	}{
		{"invalid", svc.Errorf(apperr.EINVALID, "bad id"), "bad id", "BAD_USER_INPUT", false},
		{"not found", fmt.Errorf("load: %w", svc.Errorf(apperr.ENOTFOUND, "no product 7")), "no product 7", "NOT_FOUND", false},
		{"fault", svc.Internal(errors.New("dial tcp: refused")), "internal server error", "INTERNAL_SERVER_ERROR", true},
		{"bad representation", fmt.Errorf("resolving Foo: %w", errTypeNotFound), "resolving Foo: type not found", "BAD_USER_INPUT", false},
		{"gqlgen's own", errors.New("unknown field"), "unknown field", "", false},
	}
	for _, tt := range tests {
		var logs bytes.Buffer
		present := presentError("catalog", slog.New(slog.NewTextHandler(&logs, nil)), []error{errTypeNotFound})
		got := present(t.Context(), tt.err)
		code, _ := got.Extensions["code"].(string)
		if got.Message != tt.message || code != tt.code {
			t.Errorf("%s: got %q with code %q; want %q with code %q", tt.name, got.Message, code, tt.message, tt.code)
		}
		if logged := strings.Contains(logs.String(), "catalog: request failed") && strings.Contains(logs.String(), "refused"); logged != tt.logged {
			t.Errorf("%s: logged %v, want %v: %s", tt.name, logged, tt.logged, logs.String())
		}
	}
}
