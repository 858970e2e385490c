package execute

import (
	"encoding/json"
	"reflect"
	"testing"
)

// FuzzParse checks the answer parser against encoding/json: the same documents
// are valid and they decode to the same values.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		`{"data":{"a":[1,-2.5e3,"x\"y\u00e9\ud83d\ude00",true,false,null,{}]}}`,
		`[]`, `""`, `0`, `-0.1`, `1e`, `{"a":}`, `[1,]`, `"\ud800"`, `{"a":1}x`, " {\"a\" : [ ] } ",
		`"tab	in"`, `01`, `"\x"`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		raw = append([]byte(nil), raw...)
		d := &decoder{}
		v, err := d.parse(raw)
		var want any
		jerr := json.Unmarshal(raw, &want)
		if (err == nil) != (jerr == nil) {
			t.Fatalf("%q: parse error %v, encoding/json error %v", raw, err, jerr)
		}
		if err != nil {
			return
		}
		var got any
		if err := json.Unmarshal(appendJSON(nil, v), &got); err != nil {
			t.Fatalf("%q: re-encoded value is invalid: %v", raw, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%q: got %#v, want %#v", raw, got, want)
		}
	})
}
