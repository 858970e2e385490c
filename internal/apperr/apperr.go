// Package apperr is the error type the domain packages share: a code saying what
// kind of failure an error is, for the API layer to map, and a message safe to show
// clients. It imports only the standard library.
package apperr

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
// cause of an EINTERNAL error, for logs only. Service names the service that failed,
// so that logs say which one it was.
type Error struct {
	Service string
	Code    string
	Message string
	Err     error
}

// Error returns the service, the code and the message, and the cause if there is one.
func (e *Error) Error() string {
	s := e.Code + ": " + e.Message
	if e.Service != "" {
		s = e.Service + ": " + s
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Service is the name of a service; the errors its methods make carry it.
type Service string

// Errorf returns an *Error from s with the code and a formatted message.
func (s Service) Errorf(code, format string, args ...any) *Error {
	return &Error{Service: string(s), Code: code, Message: fmt.Sprintf(format, args...)}
}

// Internal marks err as a fault in s (a database failure, say), so the API shows
// clients a generic message and logs err. Errors that already carry a code and nil
// pass through.
func (s Service) Internal(err error) error {
	var e *Error
	if err == nil || errors.As(err, &e) {
		return err
	}
	return &Error{Service: string(s), Code: EINTERNAL, Message: "internal server error", Err: err}
}

// Code returns the code of the first *Error in err's chain, EINTERNAL when there is
// none, and "" for nil.
func Code(err error) string {
	var e *Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &e):
		return e.Code
	}
	return EINTERNAL
}

// Message returns the client-safe message of the first *Error in err's chain, and a
// generic text for any other error, whose details must not leave the server.
func Message(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}

// Wrap adds context to a fault, "what failed: cause", and returns an *Error
// (an expected failure with a code and a message for clients) as it is, so
// that its code reaches the API layer unchanged.
func Wrap(err error, format string, args ...any) error {
	var e *Error
	if err == nil || errors.As(err, &e) {
		return err
	}
	return fmt.Errorf(format+": %w", append(args, err)...)
}
