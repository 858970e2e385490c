package server

import (
	"encoding/json"
	"io"
	"net/http"

	"github.com/shopgraph/shopgraph/gateway/execute"
)

// readBody reads a request body of at most limit bytes into one buffer sized by
// Content-Length when the client sent it.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	size := int64(512)
	if r.ContentLength > 0 {
		size = min(r.ContentLength, limit) + 1 // +1: EOF without growing
	}
	buf := make([]byte, 0, size)
	body := http.MaxBytesReader(w, r.Body, limit)
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := body.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// decodeRequest decodes a POST body. The common request (query, operationName,
// no variables or extensions) is read by the router's own JSON parser; anything
// else goes through encoding/json, which also words the errors.
func decodeRequest(body []byte, req *gqlRequest) error {
	v, err := execute.ParseJSON(body)
	if err != nil || v.Kind != execute.Object {
		return json.Unmarshal(body, req)
	}
	for _, m := range v.Fields {
		switch {
		case m.Value.Kind == execute.Null && (m.Key == "query" || m.Key == "operationName" || m.Key == "variables" || m.Key == "extensions"):
		case m.Key == "query" && m.Value.Kind == execute.String:
			req.Query = m.Value.Str
		case m.Key == "operationName" && m.Value.Kind == execute.String:
			req.OperationName = m.Value.Str
		case m.Key == "variables" && m.Value.Kind == execute.Object && len(m.Value.Fields) == 0:
		default:
			*req = gqlRequest{}
			return json.Unmarshal(body, req)
		}
	}
	return nil
}
