package ratelimit

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// testRedis returns a client of the test Redis (SHOPGRAPH_TEST_REDIS_URL,
// default redis://127.0.0.1:6379/0) and a key prefix of the test's own whose
// keys are deleted when the test ends. Without Redis the test is skipped,
// unless CI=true, where it fails.
func testRedis(tb testing.TB) (client *redis.Client, prefix string) {
	tb.Helper()
	url := os.Getenv("SHOPGRAPH_TEST_REDIS_URL")
	if url == "" {
		url = "redis://127.0.0.1:6379/0"
	}
	opts, err := redis.ParseURL(url)
	if err != nil {
		tb.Fatalf("SHOPGRAPH_TEST_REDIS_URL: %v", err)
	}
	client = redis.NewClient(opts)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := client.Ping(ctx).Err(); err != nil {
		client.Close()
		if os.Getenv("CI") == "true" {
			tb.Fatalf("Redis at %s: %v (CI=true requires Redis; set SHOPGRAPH_TEST_REDIS_URL)", opts.Addr, err)
		}
		tb.Skipf("skipping: no Redis at %s (%v); start one or set SHOPGRAPH_TEST_REDIS_URL", opts.Addr, err)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	prefix = "shopgraph:test:" + hex.EncodeToString(b[:]) + ":ratelimit:"
	tb.Cleanup(func() {
		defer client.Close()
		ctx := context.Background()
		keys, err := client.Keys(ctx, prefix+"*").Result()
		if err != nil {
			tb.Errorf("list test keys: %v", err)
			return
		}
		if len(keys) > 0 {
			if err := client.Del(ctx, keys...).Err(); err != nil {
				tb.Errorf("delete test keys: %v", err)
			}
		}
	})
	return client, prefix
}

// TestRedisMatchesMemory runs the same events through both limiters, with no
// time passing on the memory side and a Per long enough that none
// meaningfully passes on the Redis side: the decisions must agree, and
// Redis's RetryAfter can only be shorter by the wall time the test took.
func TestRedisMatchesMemory(t *testing.T) {
	t.Parallel()
	client, prefix := testRedis(t)
	tests := []struct {
		name   string
		limit  Limit
		events int
	}{
		{"one a minute", Limit{Events: 1, Per: time.Minute}, 3},
		{"five a minute", Limit{Events: 5, Per: time.Minute}, 8},
		{"uneven interval", Limit{Events: 3, Per: 10 * time.Second}, 5},
		{"large burst", Limit{Events: 50, Per: time.Hour}, 52},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			mem := NewMemory(10, newClock().Now)
			rl := NewRedis(client, prefix+tt.name+":")
			start := time.Now()
			for i := range tt.events {
				want, err := mem.Allow(ctx, "shopper@example.com", tt.limit)
				if err != nil {
					t.Fatal(err)
				}
				got, err := rl.Allow(ctx, "shopper@example.com", tt.limit)
				if err != nil {
					t.Fatalf("event %d: Redis Allow: %v", i, err)
				}
				elapsed := time.Since(start)
				if got.Allowed != want.Allowed || got.Remaining != want.Remaining {
					t.Fatalf("event %d: Redis = %+v, memory = %+v", i, got, want)
				}
				if got.RetryAfter > want.RetryAfter || got.RetryAfter < want.RetryAfter-elapsed {
					t.Errorf("event %d: Redis RetryAfter = %v, want in [%v, %v]", i, got.RetryAfter, want.RetryAfter-elapsed, want.RetryAfter)
				}
				if !got.Allowed && got.RetryAfter <= 0 {
					t.Errorf("event %d: refused with RetryAfter %v, want > 0", i, got.RetryAfter)
				}
			}
		})
	}
}

// TestRedisAllowsAgainAfterRetryAfter waits out a refusal (at most 200ms).
func TestRedisAllowsAgainAfterRetryAfter(t *testing.T) {
	t.Parallel()
	client, prefix := testRedis(t)
	rl := NewRedis(client, prefix)
	ctx := context.Background()
	l := Limit{Events: 5, Per: time.Second} // one every 200ms
	interval := l.Per / time.Duration(l.Events)
	for i := range 5 {
		d, err := rl.Allow(ctx, "k", l)
		if err != nil {
			t.Fatal(err)
		}
		if !d.Allowed {
			t.Fatalf("burst event %d refused: %+v", i, d)
		}
	}
	d, err := rl.Allow(ctx, "k", l)
	if err != nil {
		t.Fatal(err)
	}
	if d.Allowed || d.RetryAfter <= 0 || d.RetryAfter > interval {
		t.Fatalf("event after the burst = %+v, want refused with RetryAfter in (0, %v]", d, interval)
	}
	time.Sleep(d.RetryAfter)
	if d, err = rl.Allow(ctx, "k", l); err != nil || !d.Allowed {
		t.Fatalf("after waiting RetryAfter: %+v, %v; want allowed", d, err)
	}
	if d, err = rl.Allow(ctx, "k", l); err != nil || d.Allowed || d.RetryAfter <= 0 || d.RetryAfter > interval {
		t.Fatalf("next event = %+v, %v; want refused with RetryAfter in (0, %v]", d, err, interval)
	}
}

// TestRedisKeys checks what lands in Redis: one hashed key per limited thing,
// no email in the clear, and an expiry no later than when it would be fresh.
func TestRedisKeys(t *testing.T) {
	t.Parallel()
	client, prefix := testRedis(t)
	rl := NewRedis(client, prefix)
	ctx := context.Background()
	l := Limit{Events: 3, Per: time.Minute}
	for range 2 {
		if _, err := rl.Allow(ctx, "Shopper.Name+tag@Example.com", l); err != nil {
			t.Fatal(err)
		}
	}
	keys, err := client.Keys(ctx, prefix+"*").Result()
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 1 {
		t.Fatalf("keys = %q, want exactly one", keys)
	}
	key := keys[0]
	if want := prefix + hashKeyHex("Shopper.Name+tag@Example.com"); key != want || len(key) != len(prefix)+32 {
		t.Errorf("key = %q, want %q (prefix + 32 hex characters)", key, want)
	}
	if s := strings.ToLower(key); strings.Contains(s, "shopper") || strings.Contains(s, "example") {
		t.Errorf("key %q holds the email in the clear", key)
	}
	// Two events of 20s each: fresh again in 40s.
	ttl, err := client.PTTL(ctx, key).Result()
	if err != nil {
		t.Fatal(err)
	}
	if ttl <= 35*time.Second || ttl > 40*time.Second {
		t.Errorf("PTTL = %v, want just under 40s", ttl)
	}
}

func TestRedisConcurrentAllowsExactlyEvents(t *testing.T) {
	t.Parallel()
	client, prefix := testRedis(t)
	rl := NewRedis(client, prefix)
	if got := allowConcurrently(t, rl, "hot", Limit{Events: 100, Per: time.Hour}); got != 100 {
		t.Errorf("allowed %d of 500 concurrent events, want exactly 100", got)
	}
}

// TestRedisErrors needs no Redis: a refused connection and a bad limit.
func TestRedisErrors(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	client := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1, DialerRetries: 1, DialTimeout: 200 * time.Millisecond})
	t.Cleanup(func() { client.Close() })
	rl := NewRedis(client, "shopgraph:test:unreachable:")

	d, err := rl.Allow(context.Background(), "shopper@example.com", Limit{Events: 1, Per: time.Second})
	if err == nil {
		t.Fatalf("Allow against a closed port = %+v, nil; want an error", d)
	}
	if d != (Decision{}) {
		t.Errorf("Decision on error = %+v, want zero", d)
	}
	if !strings.Contains(err.Error(), "ratelimit: redis allow shopgraph:test:unreachable:") || strings.Contains(err.Error(), "shopper@") {
		t.Errorf("error = %q, want the hashed key and no email", err)
	}
	var opErr *net.OpError
	if !errors.As(err, &opErr) {
		t.Errorf("error = %q, want it to wrap the dial error", err)
	}

	if _, err := rl.Allow(context.Background(), "k", Limit{Events: 1}); err == nil || !strings.Contains(err.Error(), "Limit.Per") {
		t.Errorf("Allow with Per 0 = %v, want an error naming Limit.Per", err)
	}
}

func BenchmarkRedisAllow(b *testing.B) {
	client, prefix := testRedis(b)
	rl := NewRedis(client, prefix)
	l := Limit{Events: 1_000_000, Per: time.Second}
	ctx := context.Background()
	for b.Loop() {
		if _, err := rl.Allow(ctx, "shopper@example.com", l); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRedisAllowParallel(b *testing.B) {
	client, prefix := testRedis(b)
	rl := NewRedis(client, prefix)
	l := Limit{Events: 1_000_000, Per: time.Second}
	b.RunParallel(func(pb *testing.PB) {
		ctx := context.Background()
		for pb.Next() {
			if _, err := rl.Allow(ctx, "shopper@example.com", l); err != nil {
				b.Fatal(err)
			}
		}
	})
}
