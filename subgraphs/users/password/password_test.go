package password

import (
	"context"
	"errors"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// cheapParams keep tests fast; DefaultParams is exercised where the cost matters.
var cheapParams = Params{Memory: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

func newTestHasher(t testing.TB, p Params, maxConcurrent int) *Hasher {
	t.Helper()
	h, err := NewHasher(p, maxConcurrent)
	if err != nil {
		t.Fatalf("NewHasher(%+v, %d): %v", p, maxConcurrent, err)
	}
	return h
}

func mustHash(t testing.TB, h *Hasher, password string) string {
	t.Helper()
	encoded, err := h.Hash(context.Background(), password)
	if err != nil {
		t.Fatalf("Hash: %v", err)
	}
	return encoded
}

func TestHashVerifyRoundTrip(t *testing.T) {
	t.Parallel()
	h := newTestHasher(t, cheapParams, 2)
	format := regexp.MustCompile(`^\$argon2id\$v=19\$m=1024,t=1,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`)
	for _, pw := range []string{
		"correct horse battery staple",
		"",
		"ünïcødé-パスワード-🔑",
		strings.Repeat("x", 4096),
		"with\x00nul",
	} {
		encoded := mustHash(t, h, pw)
		if !format.MatchString(encoded) {
			t.Errorf("Hash(%.20q) = %q, not a PHC argon2id string", pw, encoded)
		}
		ok, rehash, err := h.Verify(context.Background(), pw, encoded)
		if err != nil || !ok || rehash {
			t.Errorf("Verify(%.20q, own hash) = %v, %v, %v; want true, false, nil", pw, ok, rehash, err)
		}
	}
}

func TestHashWithDefaultParamsWritesThem(t *testing.T) {
	t.Parallel()
	h := newTestHasher(t, DefaultParams(), 1)
	encoded := mustHash(t, h, "correct horse battery staple")
	if !strings.HasPrefix(encoded, "$argon2id$v=19$m=19456,t=3,p=1$") {
		t.Errorf("Hash = %q, want the default params in its header", encoded)
	}
	if ok, rehash, err := h.Verify(context.Background(), "correct horse battery staple", encoded); !ok || rehash || err != nil {
		t.Errorf("Verify = %v, %v, %v; want true, false, nil", ok, rehash, err)
	}
}

func TestVerifyWrongPassword(t *testing.T) {
	t.Parallel()
	h := newTestHasher(t, cheapParams, 2)
	encoded := mustHash(t, h, "Correct horse")
	for _, wrong := range []string{"correct horse", "Correct horse ", "Correct hors", "", "Correct horse\x00"} {
		ok, rehash, err := h.Verify(context.Background(), wrong, encoded)
		if ok || rehash || err != nil {
			t.Errorf("Verify(%q) = %v, %v, %v; want false, false, nil", wrong, ok, rehash, err)
		}
	}
}

func TestHashSaltsDiffer(t *testing.T) {
	t.Parallel()
	h := newTestHasher(t, cheapParams, 2)
	var salts, hashes []string
	for range 8 {
		encoded := mustHash(t, h, "same password")
		parts := strings.Split(encoded, "$")
		salts = append(salts, parts[4])
		hashes = append(hashes, parts[5])
	}
	for _, list := range [][]string{salts, hashes} {
		slices.Sort(list)
		if len(slices.Compact(list)) != 8 {
			t.Errorf("8 hashes of one password share a salt or key: %q", list)
		}
	}
}

func TestVerifyNeedsRehashWhenParamsDiffer(t *testing.T) {
	t.Parallel()
	old := newTestHasher(t, cheapParams, 2)
	const pw = "correct horse battery staple"
	encoded := mustHash(t, old, pw)

	change := func(f func(*Params)) Params { p := cheapParams; f(&p); return p }
	tests := []struct {
		name   string
		params Params
		rehash bool
	}{
		{"same params", cheapParams, false},
		{"more memory", change(func(p *Params) { p.Memory = 2048 }), true},
		{"more time", change(func(p *Params) { p.Time = 2 }), true},
		{"more threads", change(func(p *Params) { p.Threads = 2 }), true},
		{"longer salt", change(func(p *Params) { p.SaltLen = 32 }), true},
		{"longer key", change(func(p *Params) { p.KeyLen = 64 }), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newTestHasher(t, tt.params, 2)
			ok, rehash, err := h.Verify(context.Background(), pw, encoded)
			if err != nil || !ok || rehash != tt.rehash {
				t.Errorf("Verify = %v, %v, %v; want true, %v, nil", ok, rehash, err, tt.rehash)
			}
			// A wrong password never asks for a rehash: that would store the wrong one.
			if ok, rehash, err := h.Verify(context.Background(), "wrong", encoded); ok || rehash || err != nil {
				t.Errorf("Verify(wrong) = %v, %v, %v; want false, false, nil", ok, rehash, err)
			}
		})
	}
}

func TestVerifyRefusesMalformedHashes(t *testing.T) {
	t.Parallel()
	h := newTestHasher(t, cheapParams, 2)
	const pw = "s3cret-Passw0rd"
	good := mustHash(t, h, pw)
	parts := strings.Split(good, "$")
	salt, key := parts[4], parts[5]
	with := func(params, salt, key string) string {
		return "$argon2id$v=19$" + params + "$" + salt + "$" + key
	}
	b64Len := func(n int) string { return b64.EncodeToString(make([]byte, n)) }

	tests := []struct {
		name, encoded, want string
	}{
		{"empty", "", "fields"},
		{"no leading dollar", strings.TrimPrefix(good, "$"), "fields"},
		{"extra field", good + "$x", "fields"},
		{"missing key", "$argon2id$v=19$m=1024,t=1,p=1$" + salt, "fields"},
		{"bcrypt", "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy", "fields"},
		{"argon2i", strings.Replace(good, "argon2id", "argon2i", 1), `algorithm "argon2i"`},
		{"argon2d", strings.Replace(good, "argon2id", "argon2d", 1), `algorithm "argon2d"`},
		{"old version", strings.Replace(good, "v=19", "v=16", 1), `version "v=16"`},
		{"no version", "$argon2id$m=1024,t=1,p=1$" + salt + "$" + key, "fields"},
		{"memory over 1 GiB", with("m=1048577,t=1,p=1", salt, key), "m=1048577 is out of range"},
		{"memory overflows uint32", with("m=4294967297,t=1,p=1", salt, key), "out of range"},
		{"memory absurd digits", with("m=99999999999999999999,t=1,p=1", salt, key), "not a plain decimal"},
		{"memory zero", with("m=0,t=1,p=1", salt, key), "m=0 is out of range"},
		{"memory below 8 KiB per lane", with("m=64,t=1,p=16", salt, key), "below 8 KiB per lane"},
		{"time over 20", with("m=1024,t=21,p=1", salt, key), "t=21 is out of range"},
		{"time zero", with("m=1024,t=0,p=1", salt, key), "t=0 is out of range"},
		{"threads over 16", with("m=1024,t=1,p=17", salt, key), "p=17 is out of range"},
		{"threads zero", with("m=1024,t=1,p=0", salt, key), "p=0 is out of range"},
		{"negative", with("m=-1024,t=1,p=1", salt, key), "not a plain decimal"},
		{"plus sign", with("m=+1024,t=1,p=1", salt, key), "not a plain decimal"},
		{"leading zero", with("m=01024,t=1,p=1", salt, key), "not a plain decimal"},
		{"space", with("m=1024, t=1,p=1", salt, key), "want t=<number>"},
		{"order swapped", with("t=1,m=1024,p=1", salt, key), "want m=<number>"},
		{"extra parameter", with("m=1024,t=1,p=1,k=2", salt, key), "exactly m=..,t=..,p=.."},
		{"missing parameter", with("m=1024,t=1", salt, key), "exactly m=..,t=..,p=.."},
		{"salt too short", with("m=1024,t=1,p=1", b64Len(7), key), "salt is 7 bytes"},
		{"salt too long", with("m=1024,t=1,p=1", b64Len(65), key), "salt is 87 base64 characters"},
		{"salt empty", with("m=1024,t=1,p=1", "", key), "salt is 0 bytes"},
		{"salt padded", with("m=1024,t=1,p=1", salt+"==", key), "outside the base64 alphabet"},
		{"salt url alphabet", with("m=1024,t=1,p=1", "-_-_-_-_-_-_-_-_-_-_-A", key), "outside the base64 alphabet"},
		{"newline in key", with("m=1024,t=1,p=1", salt, key[:2]+"\r\n"+key[2:]), `hash has '\r' at offset 2`},
		{"salt stray bits", with("m=1024,t=1,p=1", "AAAAAAAAAAB", key), "salt is not unpadded standard base64"},
		{"key too short", with("m=1024,t=1,p=1", salt, b64Len(15)), "hash is 15 bytes"},
		{"key too long", with("m=1024,t=1,p=1", salt, b64Len(65)), "hash is 87 base64 characters"},
		{"huge string", with("m=1024,t=1,p=1", salt, strings.Repeat("A", 10000)), "longer than any valid hash"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ok, rehash, err := h.Verify(context.Background(), pw, tt.encoded)
			if err == nil || ok || rehash {
				t.Fatalf("Verify(%q) = %v, %v, %v; want an error", tt.encoded, ok, rehash, err)
			}
			if !errors.Is(err, ErrMalformedHash) {
				t.Errorf("error %q does not wrap ErrMalformedHash", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not say %q", err, tt.want)
			}
			if strings.Contains(err.Error(), pw) {
				t.Errorf("error %q contains the password", err)
			}
		})
	}
}

func TestHashAndVerifyGiveUpWhileWaitingForASlot(t *testing.T) {
	t.Parallel()
	h := newTestHasher(t, cheapParams, 1)
	encoded := mustHash(t, h, "pw")
	// Hold the whole budget, as a long-running hash would.
	if err := h.sem.Acquire(context.Background(), h.budget); err != nil {
		t.Fatal(err)
	}

	calls := map[string]func(context.Context) error{
		"Hash": func(ctx context.Context) error { _, err := h.Hash(ctx, "pw"); return err },
		"Verify": func(ctx context.Context) error {
			ok, _, err := h.Verify(ctx, "pw", encoded)
			if ok {
				t.Error("Verify reported ok although it never ran")
			}
			return err
		},
	}
	for name, call := range calls {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		err := call(ctx)
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, ErrMalformedHash) {
			t.Errorf("%s with all slots busy = %v, want context.DeadlineExceeded", name, err)
		}
	}
	// VerifyNothing has no error to return; it must still come back.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	h.VerifyNothing(ctx, "pw")
	cancel()

	h.sem.Release(h.budget)
	if ok, _, err := h.Verify(context.Background(), "pw", encoded); !ok || err != nil {
		t.Errorf("Verify after the slot is free = %v, %v; want true, nil", ok, err)
	}
}

func TestHashWithDoneContextDoesNoWork(t *testing.T) {
	t.Parallel()
	h := newTestHasher(t, cheapParams, 1)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	// A slot is free, but the caller has gone: no hash is spent on it.
	if _, err := h.Hash(ctx, "pw"); !errors.Is(err, context.Canceled) {
		t.Errorf("Hash(cancelled ctx) = %v, want context.Canceled", err)
	}
}

func TestHasherWeightBoundsMemoryAndCount(t *testing.T) {
	t.Parallel()
	h := newTestHasher(t, DefaultParams(), 4) // budget 4 × 19456 KiB
	m := int64(DefaultParams().Memory)
	with := func(mem uint32) Params { p := DefaultParams(); p.Memory = mem; return p }
	tests := []struct {
		name   string
		params Params
		want   int64
	}{
		{"own params take one share", DefaultParams(), m},
		{"smaller stored m still takes one share", with(1024), m},
		{"larger stored m takes its memory", with(2 * 19456), 2 * m},
		{"m beyond the budget takes all of it", with(1 << 20), 4 * m},
	}
	for _, tt := range tests {
		if got := h.weight(tt.params); got != tt.want {
			t.Errorf("%s: weight = %d KiB, want %d", tt.name, got, tt.want)
		}
	}
}

func TestNewHasherDefaultsConcurrencyToGOMAXPROCS(t *testing.T) {
	t.Parallel()
	for _, n := range []int{0, -1} {
		h := newTestHasher(t, cheapParams, n)
		if want := int64(cheapParams.Memory) * int64(runtime.GOMAXPROCS(0)); h.budget != want {
			t.Errorf("NewHasher(_, %d): budget %d KiB, want %d", n, h.budget, want)
		}
	}
}

func TestParamsValidate(t *testing.T) {
	t.Parallel()
	if err := DefaultParams().Validate(); err != nil {
		t.Fatalf("DefaultParams().Validate() = %v", err)
	}
	change := func(f func(*Params)) Params { p := DefaultParams(); f(&p); return p }
	tests := []struct {
		name   string
		params Params
		want   []string
	}{
		{"zero", Params{}, []string{"Memory", "Time", "Threads", "SaltLen", "KeyLen"}},
		{"memory over 1 GiB", change(func(p *Params) { p.Memory = 1<<20 + 1 }), []string{"Memory"}},
		{"memory below 8 KiB a lane", change(func(p *Params) { p.Threads = 4; p.Memory = 31 }), []string{"Memory"}},
		{"time over 20", change(func(p *Params) { p.Time = 21 }), []string{"Time"}},
		{"threads over 16", change(func(p *Params) { p.Threads = 17 }), []string{"Threads"}},
		{"salt too short", change(func(p *Params) { p.SaltLen = 4 }), []string{"SaltLen"}},
		{"key too long", change(func(p *Params) { p.KeyLen = 128 }), []string{"KeyLen"}},
	}
	for _, tt := range tests {
		err := tt.params.Validate()
		if err == nil {
			t.Errorf("%s: Validate() = nil, want an error", tt.name)
			continue
		}
		for _, field := range tt.want {
			if !strings.Contains(err.Error(), field+" is") {
				t.Errorf("%s: Validate() = %q, does not name %s", tt.name, err, field)
			}
		}
		if _, err := NewHasher(tt.params, 1); err == nil {
			t.Errorf("%s: NewHasher accepted invalid params", tt.name)
		}
	}
}

func TestVerifyNothingUsesTheHashersParams(t *testing.T) {
	t.Parallel()
	for _, p := range []Params{cheapParams, DefaultParams()} {
		h := newTestHasher(t, p, 1)
		if h.dummy.params != p || len(h.dummy.salt) != int(p.SaltLen) || len(h.dummy.key) != int(p.KeyLen) {
			t.Errorf("dummy hash %+v (salt %d B, key %d B) does not match params %+v", h.dummy.params, len(h.dummy.salt), len(h.dummy.key), p)
		}
		// And it is a hash Verify itself would accept.
		if _, err := parsePHC(h.dummy.encode()); err != nil {
			t.Errorf("dummy hash does not parse: %v", err)
		}
	}
}

// TestVerifyNothingCostsAboutAsMuchAsAWrongPassword checks that VerifyNothing really
// runs argon2 with the Hasher's cost. Runs are interleaved so machine load hits
// both alike, medians of 5 absorb outliers, and the factor of 3 is far wider than
// the difference it guards against (a no-op would be ~10⁴× faster).
func TestVerifyNothingCostsAboutAsMuchAsAWrongPassword(t *testing.T) {
	if testing.Short() {
		t.Skip("timing comparison; skipped in -short")
	}
	h := newTestHasher(t, DefaultParams(), 1)
	encoded := mustHash(t, h, "the real password")
	ctx := context.Background()
	var verify, nothing []time.Duration
	for range 5 {
		start := time.Now()
		if ok, _, err := h.Verify(ctx, "a wrong password", encoded); ok || err != nil {
			t.Fatalf("Verify(wrong) = %v, %v", ok, err)
		}
		verify = append(verify, time.Since(start))
		start = time.Now()
		h.VerifyNothing(ctx, "a wrong password")
		nothing = append(nothing, time.Since(start))
	}
	median := func(d []time.Duration) time.Duration { slices.Sort(d); return d[len(d)/2] }
	v, n := median(verify), median(nothing)
	if n*3 < v || v*3 < n {
		t.Errorf("median VerifyNothing %v vs wrong-password Verify %v: not within a factor of 3", n, v)
	}
}

func FuzzVerify(f *testing.F) {
	h := newTestHasher(f, cheapParams, 2)
	f.Add(mustHash(f, h, "pw"))
	f.Add("$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g")
	f.Add("$argon2id$v=19$m=1048576,t=20,p=16$AAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA")
	f.Add("$argon2i$v=19$m=65536,t=3,p=4$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG")
	f.Add("$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy")
	f.Add("$$$$$")
	f.Add("")
	f.Fuzz(func(t *testing.T, encoded string) {
		parsed, perr := parsePHC(encoded)
		if perr != nil {
			ok, rehash, err := h.Verify(context.Background(), "pw", encoded)
			if ok || rehash || !errors.Is(err, ErrMalformedHash) {
				t.Fatalf("Verify(%q) = %v, %v, %v; want a malformed-hash error", encoded, ok, rehash, err)
			}
			return
		}
		// Parsing is strict: what it accepts has exactly one spelling.
		if got := parsed.encode(); got != encoded {
			t.Fatalf("parsePHC(%q) accepted a non-canonical spelling of %q", encoded, got)
		}
		// Running argon2 on every accepted cost would make fuzzing crawl; the bounds
		// themselves are covered by TestVerifyRefusesMalformedHashes.
		if parsed.params.Memory*parsed.params.Time <= 4096 {
			if _, _, err := h.Verify(context.Background(), "pw", encoded); err != nil {
				t.Fatalf("Verify(%q) = %v for a hash that parses", encoded, err)
			}
		}
	})
}

func BenchmarkHash(b *testing.B) {
	h := newTestHasher(b, DefaultParams(), 1)
	ctx := context.Background()
	for b.Loop() {
		if _, err := h.Hash(ctx, "correct horse battery staple"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyWrongPassword(b *testing.B) {
	h := newTestHasher(b, DefaultParams(), 1)
	encoded := mustHash(b, h, "correct horse battery staple")
	ctx := context.Background()
	for b.Loop() {
		if ok, _, _ := h.Verify(ctx, "wrong horse battery staple", encoded); ok {
			b.Fatal("wrong password verified")
		}
	}
}

func BenchmarkVerifyNothing(b *testing.B) {
	h := newTestHasher(b, DefaultParams(), 1)
	ctx := context.Background()
	for b.Loop() {
		h.VerifyNothing(ctx, "correct horse battery staple")
	}
}
