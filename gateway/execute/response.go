package execute

import (
	"encoding/json"
)

// Location is a position in the client's document.
type Location struct {
	Line   int `json:"line"`
	Column int `json:"column"`
}

// Error is a GraphQL error in a response.
type Error struct {
	Message    string         `json:"message"`
	Locations  []Location     `json:"locations,omitempty"`
	Path       []any          `json:"path,omitempty"`
	Extensions map[string]any `json:"extensions,omitempty"`
}

// Response is the result of executing a plan.
type Response struct {
	// Data is the shaped "data" JSON; nil means absent, "null" that it was nulled.
	Data   []byte
	Errors []Error
	// Extensions, when set, are written as the response's "extensions".
	Extensions map[string]any
	// SubgraphBytes is how many bytes of subgraph answers the request read.
	SubgraphBytes int64
	// full, when set, is dataPrefix followed by Data in one buffer with room
	// to spare, from which AppendJSON writes an error-free response.
	full []byte
}

const dataPrefix = `{"data":`

// Error codes set in extensions.code.
const (
	CodeSubrequestHTTP      = "SUBREQUEST_HTTP_ERROR"
	CodeSubrequestMalformed = "SUBREQUEST_MALFORMED_RESPONSE"
)

// AppendJSON writes the response as {"data":...,"errors":[...]}. Given an empty
// buf, it may return (and extend) the buffer that holds Data instead of copying
// Data, so it is meant to be called once per response.
func (r *Response) AppendJSON(buf []byte) []byte {
	if len(buf) == 0 && r.full != nil && len(r.Errors) == 0 && len(r.Extensions) == 0 {
		full := r.full
		r.full = nil
		return append(full, '}')
	}
	buf = append(buf, '{')
	wrote := false
	if r.Data != nil {
		buf = append(buf, `"data":`...)
		buf = append(buf, r.Data...)
		wrote = true
	}
	if len(r.Errors) > 0 {
		if wrote {
			buf = append(buf, ',')
		}
		b, err := json.Marshal(r.Errors)
		if err != nil {
			b = []byte(`[{"message":"internal error encoding errors"}]`)
		}
		buf = append(buf, `"errors":`...)
		buf = append(buf, b...)
		wrote = true
	}
	if len(r.Extensions) > 0 {
		b, err := json.Marshal(r.Extensions)
		if err == nil {
			if wrote {
				buf = append(buf, ',')
			}
			buf = append(buf, `"extensions":`...)
			buf = append(buf, b...)
		}
	}
	return append(buf, '}')
}
