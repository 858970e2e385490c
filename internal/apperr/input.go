package apperr

import (
	"fmt"
	"strings"
)

// FieldError is an expected failure of a write: what is wrong (Code, one of the
// API's error-code enum values), with which input field (Field, a path such as
// ["variants", "0", "price"]; empty for the input as a whole), and a message for
// people.
type FieldError struct {
	Code    string
	Field   []string
	Message string
}

// Fieldf builds a FieldError at path.
func Fieldf(code string, path []string, format string, args ...any) FieldError {
	return FieldError{Code: code, Field: path, Message: fmt.Sprintf(format, args...)}
}

// InputError is a write refused for its input; the API shows its errors as
// userErrors, not as a failure of the request.
type InputError struct {
	Errors []FieldError
}

// Error joins the messages.
func (e *InputError) Error() string {
	msgs := make([]string, len(e.Errors))
	for i, fe := range e.Errors {
		msgs[i] = strings.Join(fe.Field, ".") + ": " + fe.Message
	}
	return "invalid input: " + strings.Join(msgs, "; ")
}

// Invalid returns an *InputError of errs, or nil when there are none.
func Invalid(errs ...FieldError) error {
	if len(errs) == 0 {
		return nil
	}
	return &InputError{Errors: errs}
}
