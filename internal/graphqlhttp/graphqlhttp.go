// Package graphqlhttp holds what the router and the subgraphs both need to speak
// GraphQL over HTTP (https://graphql.github.io/graphql-over-http/draft/): the
// media types, content negotiation, the check of a POST's Content-Type, and
// wording JSON problems for clients without Go type names.
package graphqlhttp

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"strconv"
	"strings"
)

// The response media types.
const (
	MediaGraphQLResponse = "application/graphql-response+json"
	MediaJSON            = "application/json"
)

// Negotiate picks the response media type from Accept by preference
// (q-values): application/graphql-response+json when the client prefers it or
// likes both equally, application/json when it prefers that, sends */* or
// application/*, or sends no Accept (the spec's SHOULD for legacy clients). ok
// is false when Accept accepts neither (406).
func Negotiate(accept string) (media string, ok bool) {
	if strings.TrimSpace(accept) == "" {
		return MediaJSON, true
	}
	gqlQ, jsonQ, wildQ := -1.0, -1.0, -1.0
	for _, part := range strings.Split(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		q := 1.0
		if v, ok := params["q"]; ok {
			if q, err = strconv.ParseFloat(v, 64); err != nil || q < 0 || q > 1 {
				continue
			}
		}
		switch mt {
		case MediaGraphQLResponse:
			gqlQ = max(gqlQ, q)
		case MediaJSON:
			jsonQ = max(jsonQ, q)
		case "*/*", "application/*":
			wildQ = max(wildQ, q)
		}
	}
	if jsonQ < 0 {
		jsonQ = wildQ
	}
	switch {
	case gqlQ > 0 && gqlQ >= jsonQ:
		return MediaGraphQLResponse, true
	case jsonQ > 0:
		return MediaJSON, true
	}
	return MediaJSON, false
}

// CheckContentType returns why a POST's Content-Type is refused (415), or "":
// it must be application/json, in UTF-8 when a charset is given.
func CheckContentType(ct string) string {
	const send = "; send Content-Type: application/json"
	if ct == "" {
		return "the POST has no Content-Type" + send
	}
	mt, params, err := mime.ParseMediaType(ct)
	switch {
	case err != nil:
		return fmt.Sprintf("cannot parse Content-Type %q: %v", ct, err) + send
	case mt != MediaJSON:
		return "unsupported Content-Type " + mt + send
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return fmt.Sprintf("unsupported charset %q: GraphQL over HTTP bodies are UTF-8", cs) + send
	}
	return ""
}

// JSONKind names the JSON kind of raw for error messages, never a Go type.
func JSONKind(raw []byte) string {
	raw = bytes.TrimLeft(raw, " \t\r\n")
	if len(raw) == 0 {
		return "nothing"
	}
	switch raw[0] {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}

// JSONErrorText words an encoding/json error without its "json: " prefix or Go
// type names.
func JSONErrorText(err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("%s (at byte %d)", strings.TrimPrefix(se.Error(), "json: "), se.Offset)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return "unexpected end of JSON input"
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return "unexpected " + te.Value
	}
	return strings.TrimPrefix(err.Error(), "json: ")
}
