package apperr

import (
	"errors"
	"fmt"
	"testing"
)

func TestError(t *testing.T) {
	t.Parallel()
	const catalog Service = "catalog"
	cause := errors.New("connection refused")
	tests := []struct {
		name          string
		err           error
		text          string
		code, message string
	}{
		{"coded", catalog.Errorf(EINVALID, "bad id %q", "x"), `catalog: invalid: bad id "x"`, EINVALID, `bad id "x"`},
		{"internal", catalog.Internal(cause), "catalog: internal: internal server error: connection refused", EINTERNAL, "internal server error"},
		{"wrapped", fmt.Errorf("load: %w", catalog.Errorf(ENOTFOUND, "no product 7")), "load: catalog: not_found: no product 7", ENOTFOUND, "no product 7"},
		{"no service", &Error{Code: EINVALID, Message: "bad"}, "invalid: bad", EINVALID, "bad"},
		{"plain", cause, "connection refused", EINTERNAL, "internal error"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.text {
			t.Errorf("%s: Error() = %q, want %q", tt.name, got, tt.text)
		}
		if got := Code(tt.err); got != tt.code {
			t.Errorf("%s: Code = %q, want %q", tt.name, got, tt.code)
		}
		if got := Message(tt.err); got != tt.message {
			t.Errorf("%s: Message = %q, want %q", tt.name, got, tt.message)
		}
	}
	if Code(nil) != "" || catalog.Internal(nil) != nil {
		t.Error("nil is not an error")
	}
	if !errors.Is(catalog.Internal(cause), cause) {
		t.Error("Internal hides its cause from errors.Is")
	}
	coded := catalog.Errorf(ENOTFOUND, "gone")
	if got := Service("orders").Internal(fmt.Errorf("x: %w", coded)); Code(got) != ENOTFOUND {
		t.Errorf("Internal recoded an error that had a code: %v", got)
	}
}
