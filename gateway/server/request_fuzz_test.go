package server

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strconv"
	"testing"
)

// FuzzDecodeRequest checks the request decoder against encoding/json: it
// never panics; it accepts a body exactly when the body is JSON whose shape is
// a request (or a non-empty batch), and then decodes what encoding/json reads;
// the fast path agrees with the general one; no message names a Go type. The
// same input read as a GET query string must not panic or leak Go types.
//
//	go test -run '^$' -fuzz FuzzDecodeRequest -fuzztime 60s ./gateway/server/
func FuzzDecodeRequest(f *testing.F) {
	for _, seed := range []string{
		`{"query":"{ hello }"}`,
		`{"query":"query Q($n: Int) { a(n: $n) }","operationName":"Q","variables":{"n":3}}`,
		`{"query":"{ a }","variables":null,"extensions":null,"operationName":null}`,
		`{"query":"{ a }","extensions":{"persistedQuery":{"version":1,"sha256Hash":"abc"}}}`,
		`{"query":"\u0041 \ud83d\ude00 \ud800"}`,
		`{"query":"a","query":null}`,
		`{"query":5}`,
		`{"query":"a","variables":[1]}`,
		`{"query":"a","variables":{"n":1e400}}`,
		`{"query":"a","extensions":"x"}`,
		`[{"query":"a"},{"query":"b","variables":{"x":[1,2,{"y":null}]}},3]`,
		`[]`,
		`"a"`,
		`{"query": `,
		"{\"query\":\"\xff\"}",
		`query=%7B+a+%7D&variables=%7B%7D`,
		``,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		reqs, batched, herr := decodeBody(body)
		want, wantBatched, wantOK := referenceDecode(body)
		if herr != nil {
			if goTypeName.MatchString(herr.message) {
				t.Errorf("message names a Go type: %s", herr.message)
			}
			if wantOK {
				t.Fatalf("%q refused (%s), but encoding/json reads a request", body, herr.message)
			}
		} else {
			if !wantOK {
				t.Fatalf("%q accepted as %#v, but it is no request", body, reqs)
			}
			if batched != wantBatched || len(reqs) != len(want) {
				t.Fatalf("%q: %d requests (batched %v), want %d (%v)", body, len(reqs), batched, len(want), wantBatched)
			}
			for i := range reqs {
				if reqs[i].err != nil {
					if goTypeName.MatchString(reqs[i].err.message) {
						t.Errorf("message names a Go type: %s", reqs[i].err.message)
					}
					if want[i] != nil {
						t.Fatalf("%q item %d refused (%s), but encoding/json reads a request", body, i, reqs[i].err.message)
					}
					continue
				}
				if want[i] == nil {
					t.Fatalf("%q item %d accepted as %#v, but it is no request", body, i, reqs[i])
				}
				got := reqs[i]
				got.Extensions = canonicalJSON(got.Extensions)
				if !reflect.DeepEqual(&got, want[i]) {
					t.Fatalf("%q item %d:\n got %#v\nwant %#v", body, i, got, *want[i])
				}
			}
		}
		if simple, ok := decodeSimple(body); ok {
			general, herr := decodeObject(json.RawMessage(bytes.TrimSpace(body)), "")
			if herr != nil || !reflect.DeepEqual(simple, general) {
				t.Fatalf("%q: fast path %#v, general %#v (%v)", body, simple, general, herr)
			}
		}
		if _, herr := decodeQueryString(string(body)); herr != nil && goTypeName.MatchString(herr.message) {
			t.Errorf("query string message names a Go type: %s", herr.message)
		}
	})
}

// referenceDecode decodes body with encoding/json alone, the simplest way:
// ok reports whether the body is a request or a non-empty batch; a nil item
// is a batch item that is no request.
func referenceDecode(body []byte) (reqs []*gqlRequest, batched, ok bool) {
	if !json.Valid(body) {
		return nil, false, false
	}
	var top any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if dec.Decode(&top) != nil {
		return nil, false, false
	}
	switch top := top.(type) {
	case map[string]any:
		r := referenceRequest(top)
		return []*gqlRequest{r}, false, r != nil
	case []any:
		if len(top) == 0 {
			return nil, true, false
		}
		for _, item := range top {
			obj, _ := item.(map[string]any)
			var r *gqlRequest
			if obj != nil {
				r = referenceRequest(obj)
			}
			reqs = append(reqs, r)
		}
		return reqs, true, true
	}
	return nil, false, false
}

func referenceRequest(obj map[string]any) *gqlRequest {
	var r gqlRequest
	for _, name := range []string{"query", "operationName"} {
		switch v := obj[name].(type) {
		case nil:
		case string:
			if name == "query" {
				r.Query = v
			} else {
				r.OperationName = v
			}
		default:
			return nil
		}
	}
	switch v := obj["variables"].(type) {
	case nil:
	case map[string]any:
		conv, ok := floats(v)
		if !ok {
			return nil
		}
		if len(v) > 0 {
			r.Variables = conv.(map[string]any)
		}
	default:
		return nil
	}
	switch v := obj["extensions"].(type) {
	case nil:
	case map[string]any:
		// Compared by content: the decoder keeps the raw bytes.
		b, _ := json.Marshal(v)
		r.Extensions = canonicalJSON(b)
	default:
		return nil
	}
	return &r
}

// floats turns json.Numbers into float64, failing on one out of range.
func floats(v any) (any, bool) {
	switch v := v.(type) {
	case json.Number:
		f, err := strconv.ParseFloat(string(v), 64)
		return f, err == nil
	case map[string]any:
		for k, x := range v {
			c, ok := floats(x)
			if !ok {
				return nil, false
			}
			v[k] = c
		}
	case []any:
		for i, x := range v {
			c, ok := floats(x)
			if !ok {
				return nil, false
			}
			v[i] = c
		}
	}
	return v, true
}

// canonicalJSON re-encodes raw so that equal JSON compares equal as bytes.
func canonicalJSON(raw json.RawMessage) json.RawMessage {
	if raw == nil {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return json.RawMessage("invalid: " + err.Error())
	}
	b, _ := json.Marshal(v)
	return b
}
