package orders

import (
	"errors"
	"fmt"
)

// Error codes: what kind of failure an error is, for the API layer to map.
const (
	EINVALID  = "invalid"   // the request is wrong: bad id, bad argument
	ENOTFOUND = "not_found" // the thing asked for does not exist
	EINTERNAL = "internal"  // a fault on our side; details stay in the logs
)

// Error is a failure with a code and a message safe to show clients. Err is the
// cause of an EINTERNAL error, for logs only.
type Error struct {
	Code    string
	Message string
	Err     error
}

// Error returns the message with its code, and the cause if there is one.
func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("orders: %s: %s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("orders: %s: %s", e.Code, e.Message)
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Internal marks err as a fault on our side (a database failure, say), so the API
// shows clients a generic message and logs err. Errors that already carry a code
// and nil pass through.
func Internal(err error) error {
	var e *Error
	if err == nil || errors.As(err, &e) {
		return err
	}
	return &Error{Code: EINTERNAL, Message: "internal server error", Err: err}
}

// Errorf returns an *Error with the code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL when
// there is none, and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &e):
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the client-safe message of the first *Error in err's chain,
// and a generic text for any other error, whose details must not leave the server.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}
