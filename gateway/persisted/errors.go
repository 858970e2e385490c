package persisted

import (
	"fmt"
	"net/http"
)

// Error codes put in a GraphQL error's extensions.code. The APQ ones are
// Apollo's (clients such as Apollo Client react to them); the trusted-document
// ones are Apollo Router's persisted-query codes.
const (
	// CodeNotFound: a hash-only APQ request whose hash is not registered;
	// the client retries with the query text.
	CodeNotFound = "PERSISTED_QUERY_NOT_FOUND"
	// CodeNotSupported: APQ is disabled, or the protocol version is not 1;
	// Apollo Client then stops using APQ.
	CodeNotSupported = "PERSISTED_QUERY_NOT_SUPPORTED"
	// CodeHashMismatch: the query text does not hash to the sha256Hash sent.
	CodeHashMismatch = "PERSISTED_QUERY_HASH_MISMATCH"
	// CodeBadRequest: the persisted-query fields have the wrong shape.
	CodeBadRequest = "BAD_REQUEST"
	// CodeNotInList: a document id or hash that is not a trusted document
	// (where APQ cannot answer for it).
	CodeNotInList = "PERSISTED_QUERY_NOT_IN_LIST"
	// CodeNotInSafelist: query text that is not a trusted document, in
	// trusted-only mode.
	CodeNotInSafelist = "QUERY_NOT_IN_SAFELIST"
	// CodeIDAndBody: a document id sent together with query text.
	CodeIDAndBody = "CANNOT_SEND_PQ_ID_AND_BODY"
)

// NoCacheValue is the Cache-Control value for answers with Error.NoCache:
// the same request may succeed a moment later (after registration or a
// manifest reload), so no cache between client and router may keep the error.
const NoCacheValue = "private, no-cache, must-revalidate"

// Error is a refused request: Resolve's only error type besides ctx.Err().
// The handler answers with one GraphQL error {message, extensions: {code}},
// no data, and Status.
type Error struct {
	// Message is the GraphQL error's message.
	Message string
	// Code is the GraphQL error's extensions.code.
	Code string
	// Status is the HTTP status for the answer, for application/json and
	// application/graphql-response+json alike (Apollo answers 200 to
	// PersistedQueryNotFound and PersistedQueryNotSupported even for the
	// latter, so that clients read the error rather than fail on the status).
	Status int
	// NoCache asks for the response header Cache-Control: NoCacheValue.
	NoCache bool
}

// Error returns the message with its code.
func (e *Error) Error() string {
	return fmt.Sprintf("%s (%s)", e.Message, e.Code)
}

func errNotFound() *Error {
	return &Error{Message: "PersistedQueryNotFound", Code: CodeNotFound, Status: http.StatusOK, NoCache: true}
}

func errNotSupported() *Error {
	return &Error{Message: "PersistedQueryNotSupported", Code: CodeNotSupported, Status: http.StatusOK, NoCache: true}
}

func errBadRequest(format string, args ...any) *Error {
	return &Error{Message: fmt.Sprintf(format, args...), Code: CodeBadRequest, Status: http.StatusBadRequest}
}
