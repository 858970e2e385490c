package server

import (
	"encoding/json"
	"reflect"
	"testing"
)

// TestDecodeRequestMatchesEncodingJSON: the fast path decodes requests exactly
// as encoding/json does, and falls back to it for everything else.
func TestDecodeRequestMatchesEncodingJSON(t *testing.T) {
	t.Parallel()
	for _, body := range []string{
		`{"query":"{ hello }"}`,
		`{"query":"query Q {\n  hello\n}","operationName":"Q","variables":{}}`,
		`{"query":"{ a }","variables":null,"extensions":null,"operationName":null}`,
		`{"query":"query($n: Int) { a(n: $n) }","variables":{"n":3}}`,
		`{"query":"{ a }","extensions":{"queryPlan":true}}`,
		`{"Query":"{ a }"}`,
		`{"query":"\u0041 \ud83d\ude00"}`,
		`{"query":5}`,
		`{"query":"{ a }"`,
		`[]`,
	} {
		var got, want gqlRequest
		gotErr := decodeRequest([]byte(body), &got)
		wantErr := json.Unmarshal([]byte(body), &want)
		if (gotErr == nil) != (wantErr == nil) || (gotErr != nil && gotErr.Error() != wantErr.Error()) {
			t.Errorf("%s: error %v, encoding/json %v", body, gotErr, wantErr)
			continue
		}
		// Equivalent for the router: no variables, and null extensions.
		for _, r := range []*gqlRequest{&got, &want} {
			if len(r.Variables) == 0 {
				r.Variables = nil
			}
			if string(r.Extensions) == "null" {
				r.Extensions = nil
			}
		}
		if gotErr == nil && !reflect.DeepEqual(got, want) {
			t.Errorf("%s: got %+v, want %+v", body, got, want)
		}
	}
}
