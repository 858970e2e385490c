package relay

import (
	"strconv"
	"strings"
	"testing"
)

func TestIDRoundTrip(t *testing.T) {
	t.Parallel()
	id := EncodeID("Product", 42)
	if id != "gid://shopgraph/Product/42" {
		t.Fatalf("EncodeID = %q", id)
	}
	n, err := DecodeID("Product", id)
	if err != nil || n != 42 {
		t.Fatalf("DecodeID = %d, %v", n, err)
	}
}

func TestDecodeIDRejects(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, wantErr string }{
		{"42", "not a shopgraph ID"},
		{"", "not a shopgraph ID"},
		{"gid://shopgraph/Product", "not a shopgraph ID"},
		{"gid://shopgraph/Review/42", "it is a Review ID"},
		{"gid://shopgraph/Product/", "bad number"},
		{"gid://shopgraph/Product/0", "bad number"},
		{"gid://shopgraph/Product/-1", "bad number"},
		{"gid://shopgraph/Product/042", "bad number"},
		{"gid://shopgraph/Product/4x", "bad number"},
		{"gid://shopgraph/Product/99999999999999999999", "bad number"},
	}
	for _, tt := range tests {
		_, err := DecodeID("Product", tt.in)
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("DecodeID(%q) = %v; want error containing %q", tt.in, err, tt.wantErr)
		}
	}
}

func TestCursorRoundTrip(t *testing.T) {
	t.Parallel()
	c := EncodeCursor("12.50", "7")
	got, err := DecodeCursor(c)
	if err != nil || len(got) != 2 || got[0] != "12.50" || got[1] != "7" {
		t.Fatalf("DecodeCursor = %q, %v", got, err)
	}
	n, err := DecodeIntCursor(EncodeIntCursor(99))
	if err != nil || n != 99 {
		t.Fatalf("DecodeIntCursor = %d, %v", n, err)
	}
	for _, bad := range []string{"", "!!", "bm90IGpzb24", EncodeCursor(), EncodeCursor("a"), EncodeCursor("1", "2")} {
		if _, err := DecodeIntCursor(bad); err == nil {
			t.Errorf("DecodeIntCursor(%q): want error", bad)
		}
	}
}

func TestParseForward(t *testing.T) {
	t.Parallel()
	ptr := func(n int) *int { return &n }
	after := "abc"
	f, err := ParseForward(nil, nil, 20, 100)
	if err != nil || f.First != 20 || f.After != "" {
		t.Errorf("defaults: %+v, %v", f, err)
	}
	f, err = ParseForward(ptr(100), &after, 20, 100)
	if err != nil || f.First != 100 || f.After != "abc" {
		t.Errorf("max: %+v, %v", f, err)
	}
	if _, err := ParseForward(ptr(101), nil, 20, 100); err == nil || !strings.Contains(err.Error(), "at most 100") {
		t.Errorf("over max: %v", err)
	}
	if _, err := ParseForward(ptr(-1), nil, 20, 100); err == nil {
		t.Error("negative: want error")
	}
}

func TestPage(t *testing.T) {
	t.Parallel()
	cursor := func(n int) string { return strconv.Itoa(n) }
	edges, info := Page([]int{1, 2, 3}, 2, false, cursor)
	if len(edges) != 2 || !info.HasNextPage || info.HasPreviousPage || *info.StartCursor != "1" || *info.EndCursor != "2" {
		t.Errorf("full page: %v %+v", edges, info)
	}
	edges, info = Page([]int{3}, 2, true, cursor)
	if len(edges) != 1 || info.HasNextPage || !info.HasPreviousPage || *info.EndCursor != "3" {
		t.Errorf("last page: %v %+v", edges, info)
	}
	edges, info = Page([]int{}, 2, true, cursor)
	if len(edges) != 0 || info.StartCursor != nil || info.EndCursor != nil {
		t.Errorf("empty page: %v %+v", edges, info)
	}
}
