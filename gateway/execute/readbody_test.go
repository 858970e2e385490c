package execute

import (
	"bytes"
	"io"
	"net/http"
	"testing"
)

// TestReadBody reads answers of many sizes around the buffer and block
// boundaries, with and without a length or a hint, and checks every byte.
func TestReadBody(t *testing.T) {
	sizes := []int{0, 1, 511, 512, 513, 4000, readBlock - 1, readBlock, readBlock + 1, 3*readBlock + 17, 5 * readBlock}
	hints := []int{0, 100, 4000, 10 * readBlock}
	for _, size := range sizes {
		want := make([]byte, size)
		for i := range want {
			want[i] = byte('a' + i%26)
		}
		for _, hint := range hints {
			for _, length := range []int64{-1, int64(size)} {
				resp := &http.Response{Body: io.NopCloser(bytes.NewReader(want)), ContentLength: length}
				got, err := readBody(resp, 1<<30, hint)
				if err != nil {
					t.Fatalf("size %d hint %d length %d: %v", size, hint, length, err)
				}
				if !bytes.Equal(got, want) {
					t.Fatalf("size %d hint %d length %d: read %d bytes, not the answer", size, hint, length, len(got))
				}
			}
		}
	}
}

// TestReadBodyStopsAtLimit reads one byte past the limit and no more, so that
// the caller can tell an answer that is too large.
func TestReadBodyStopsAtLimit(t *testing.T) {
	body := bytes.Repeat([]byte("x"), 3*readBlock)
	for _, limit := range []int64{10, readBlock + 5, 2 * readBlock} {
		resp := &http.Response{Body: io.NopCloser(bytes.NewReader(body)), ContentLength: -1}
		got, err := readBody(resp, limit, 0)
		if err != nil {
			t.Fatal(err)
		}
		if int64(len(got)) != limit {
			t.Fatalf("limit %d: read %d bytes", limit, len(got))
		}
	}
}

// TestReadBodyUnexpectedEnd reports a connection that breaks mid-answer.
func TestReadBodyUnexpectedEnd(t *testing.T) {
	r := io.MultiReader(bytes.NewReader(make([]byte, 2*readBlock)), errReader{})
	resp := &http.Response{Body: io.NopCloser(r), ContentLength: -1}
	if _, err := readBody(resp, 1<<30, 0); err == nil {
		t.Fatal("a broken answer was read without an error")
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, io.ErrClosedPipe }
