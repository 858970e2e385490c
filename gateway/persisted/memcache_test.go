package persisted

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
)

func TestMemCacheEviction(t *testing.T) {
	t.Parallel()
	q := func(i, size int) string { // a query of exactly size bytes
		s := fmt.Sprintf("{ f%d }", i)
		return s + strings.Repeat(" ", size-len(s))
	}
	tests := []struct {
		name     string
		entries  int
		maxBytes int64
		add      []int // indices added in order, each query 100 bytes
		touch    []int // indices read after adding 0..2, before the rest
		kept     []int
		gone     []int
	}{
		{"by entries", 3, 1 << 20, []int{0, 1, 2, 3, 4}, nil, []int{2, 3, 4}, []int{0, 1}},
		{"by bytes", 100, 250, []int{0, 1, 2, 3}, nil, []int{2, 3}, []int{0, 1}},
		{"least recently used goes first", 3, 1 << 20, []int{0, 1, 2, 3}, []int{0}, []int{0, 2, 3}, []int{1}},
		{"bytes, least recently used goes first", 100, 300, []int{0, 1, 2, 3}, []int{0}, []int{0, 2, 3}, []int{1}},
		{"re-adding is a no-op", 2, 1 << 20, []int{0, 0, 0, 1}, nil, []int{0, 1}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newMemCache(tt.entries, tt.maxBytes)
			for n, i := range tt.add {
				c.add(hashOf(q(i, 100)), q(i, 100))
				if n == 2 {
					for _, j := range tt.touch {
						if _, ok := c.get(hashOf(q(j, 100))); !ok {
							t.Fatalf("entry %d missing before eviction", j)
						}
					}
				}
				entries, bytes := c.size()
				if entries > tt.entries || bytes > tt.maxBytes {
					t.Fatalf("after adding %d: %d entries, %d bytes; bounds %d, %d", i, entries, bytes, tt.entries, tt.maxBytes)
				}
				if bytes != int64(100*entries) {
					t.Fatalf("byte count %d does not match %d entries of 100 bytes", bytes, entries)
				}
			}
			for _, i := range tt.kept {
				if got, ok := c.get(hashOf(q(i, 100))); !ok || got != q(i, 100) {
					t.Errorf("entry %d was evicted, want kept", i)
				}
			}
			for _, i := range tt.gone {
				if _, ok := c.get(hashOf(q(i, 100))); ok {
					t.Errorf("entry %d kept, want evicted", i)
				}
			}
		})
	}
}

func TestMemCacheSkipsQueryLargerThanBound(t *testing.T) {
	t.Parallel()
	s, _ := newStore(t, Config{APQ: APQConfig{MaxBytes: 64}})
	big := "{ " + strings.Repeat("a ", 40) + "}"
	small := "{ a }"
	ctx := context.Background()
	for _, q := range []string{small, big} {
		got, err := s.Resolve(ctx, Request{Query: q, Extensions: apq(hashOf(q))})
		check(t, got, err, want{query: q}) // the big one still runs
	}
	got, err := s.Resolve(ctx, Request{Extensions: apq(hashOf(small))})
	check(t, got, err, want{query: small})
	got, err = s.Resolve(ctx, Request{Extensions: apq(hashOf(big))})
	check(t, got, err, want{code: CodeNotFound, status: 200})
}

// TestConcurrentResolve registers, looks up and reloads from many goroutines
// at once; run with -race. Bounds must hold throughout and every answer must
// be the text its hash names.
func TestConcurrentResolve(t *testing.T) {
	t.Parallel()
	const workers, rounds, distinct = 8, 300, 40
	docs := []string{"{ trusted0 }", "{ trusted1 }"}
	path := writeFile(t, "manifest.json", apolloManifestJSON(t, docs...))
	s, _ := newStore(t, Config{APQ: APQConfig{CacheSize: 16, MaxBytes: 16 * 20}, Manifest: path, LogUnknown: true})
	ctx := context.Background()
	queries := make([]string, distinct)
	for i := range queries {
		queries[i] = fmt.Sprintf("{ field%03d }", i) // 13 bytes
	}
	var wg sync.WaitGroup
	errs := make(chan error, workers+1)
	for w := range workers {
		wg.Go(func() {
			for r := range rounds {
				q := queries[(w*7+r)%distinct]
				req := Request{Extensions: apq(hashOf(q))}
				if r%3 == 0 {
					req.Query = q
				}
				got, err := s.Resolve(ctx, req)
				var perr *Error
				switch {
				case err == nil && got != q:
					errs <- fmt.Errorf("hash of %q resolved to %q", q, got)
					return
				case err != nil && (!errors.As(err, &perr) || perr.Code != CodeNotFound):
					errs <- fmt.Errorf("resolve %q: %v", q, err)
					return
				}
				if got, err := s.Resolve(ctx, Request{DocumentID: hashOf(docs[r%2])}); err != nil || got != docs[r%2] {
					errs <- fmt.Errorf("document %d: %q, %v", r%2, got, err)
					return
				}
				if st := s.Stats(); st.CacheEntries > 16 || st.CacheBytes > 16*20 {
					errs <- fmt.Errorf("cache over its bounds: %+v", st)
					return
				}
			}
		})
	}
	wg.Go(func() {
		for range 20 {
			if err := s.ReloadManifest(); err != nil {
				errs <- err
				return
			}
		}
	})
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if st := s.Stats(); st.APQHits == 0 || st.APQRegistered == 0 {
		t.Errorf("Stats = %+v, want hits and registrations", st)
	}
}
