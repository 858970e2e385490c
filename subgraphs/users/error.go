package users

import "github.com/shopgraph/shopgraph/internal/apperr"

// Error is a failure in the users service, with a code and a message safe to show clients.
type Error = apperr.Error

// Error codes: what kind of failure an error is, for the API layer to map.
const (
	EINVALID  = apperr.EINVALID
	ENOTFOUND = apperr.ENOTFOUND
	EINTERNAL = apperr.EINTERNAL
)

// service names the users service in the text of its errors.
const service apperr.Service = "users"

// Errorf returns an *Error with the code and a formatted message.
func Errorf(code, format string, args ...any) *Error { return service.Errorf(code, format, args...) }

// Internal marks err as a fault on our side, which the API logs and shows clients
// only as a generic message; see [apperr.Service.Internal].
func Internal(err error) error { return service.Internal(err) }

// ECONFLICT: a unique value, such as an email, is in use.
const ECONFLICT = "conflict"
