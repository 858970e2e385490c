package execute

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"reflect"
	"testing"
	"unsafe"
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
		// Numbers are compared as their literals: JSON has no range, so 1E700
		// is valid though no float64 holds it.
		var want any
		jerr := unmarshalNumbers(raw, &want)
		if (err == nil) != (jerr == nil) {
			t.Fatalf("%q: parse error %v, encoding/json error %v", raw, err, jerr)
		}
		if err != nil {
			return
		}
		var got any
		if err := unmarshalNumbers(appendJSON(nil, v), &got); err != nil {
			t.Fatalf("%q: re-encoded value is invalid: %v", raw, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%q: got %#v, want %#v", raw, got, want)
		}
	})
}

// unmarshalNumbers is json.Unmarshal keeping numbers as json.Number.
func unmarshalNumbers(raw []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	if err := d.Decode(v); err != nil {
		return err
	}
	if _, err := d.Token(); err != io.EOF {
		return fmt.Errorf("data after the value: %v", err)
	}
	return nil
}

func TestSkipPlain(t *testing.T) {
	t.Parallel()
	for c := 0; c < 256; c++ {
		for pos := 0; pos < 20; pos++ {
			b := []byte("abcdefghijklmnopqrstuvwxyz")
			b[pos] = byte(c)
			want := pos
			if plainByte[c] {
				want = len(b)
			}
			if got := skipPlain(string(b), 0); got != want {
				t.Fatalf("byte %#x at %d: skipPlain = %d, want %d", c, pos, got, want)
			}
		}
	}
}

// BenchmarkParse parses the gateways-benchmark response (87 KB), the size of the
// largest subgraph answer of that workload.
func BenchmarkParse(b *testing.B) {
	raw, err := os.ReadFile("../../../shared/bench/gateways-benchmark/expected.json")
	if err != nil {
		b.Skip(err)
	}
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	pool := newChunkPool()
	for b.Loop() {
		a := arena{pool: pool}
		d := newDecoder(&a)
		if _, err := d.parse(raw); err != nil {
			b.Fatal(err)
		}
		d.release()
		a.free()
	}
}

// TestValueSize keeps a Value at 24 bytes: the tree of a large answer is mostly
// Values, so each byte here is about a twentieth of a byte per answer byte.
func TestValueSize(t *testing.T) {
	if n := unsafe.Sizeof(Value{}); n != 24 {
		t.Fatalf("a Value is %d bytes, want 24", n)
	}
}
