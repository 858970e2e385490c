package persisted

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// testRedis returns the URL of the test Redis and a key prefix of the
// test's own; the keys under it are deleted when the test ends.
func testRedis(t *testing.T) (url, prefix string) {
	t.Helper()
	url = os.Getenv("SHOPGRAPH_TEST_REDIS_URL")
	if url == "" {
		url = "redis://127.0.0.1:6379/0"
	}
	opts, err := redis.ParseURL(url)
	if err != nil {
		t.Fatalf("SHOPGRAPH_TEST_REDIS_URL: %v", err)
	}
	client := redis.NewClient(opts)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := client.Ping(ctx).Err(); err != nil {
		client.Close()
		t.Fatalf("Redis at %s: %v (is Redis running? set SHOPGRAPH_TEST_REDIS_URL)", opts.Addr, err)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	prefix = "shopgraph:test:" + hex.EncodeToString(b[:]) + ":apq:"
	t.Cleanup(func() {
		defer client.Close()
		ctx := context.Background()
		keys, err := client.Keys(ctx, prefix+"*").Result()
		if err != nil {
			t.Errorf("list test keys: %v", err)
			return
		}
		if len(keys) > 0 {
			if err := client.Del(ctx, keys...).Err(); err != nil {
				t.Errorf("delete test keys: %v", err)
			}
		}
	})
	return url, prefix
}

func redisTTL(t *testing.T, url, key string) time.Duration {
	t.Helper()
	opts, _ := redis.ParseURL(url)
	client := redis.NewClient(opts)
	defer client.Close()
	ttl, err := client.PTTL(context.Background(), key).Result()
	if err != nil {
		t.Fatal(err)
	}
	return ttl
}

func TestRedisSharesRegistrations(t *testing.T) {
	t.Parallel()
	url, prefix := testRedis(t)
	cfg := Config{APQ: APQConfig{RedisURL: url, RedisKeyPrefix: prefix, TTL: time.Hour}}
	a, logs := newStore(t, cfg)
	b, _ := newStore(t, cfg)
	ctx := context.Background()
	hash := hashOf(productQuery)

	steps := []struct {
		name  string
		store *Store
		req   Request
		want  want
	}{
		{"replica B: not registered anywhere", b, Request{Extensions: apq(hash)}, want{code: CodeNotFound, status: 200}},
		{"replica A registers", a, Request{Query: productQuery, Extensions: apq(hash)}, want{query: productQuery}},
		{"replica B finds it in Redis", b, Request{Extensions: apq(hash)}, want{query: productQuery}},
		{"replica B again, from memory", b, Request{Extensions: apq(hash)}, want{query: productQuery}},
		{"replica A: another hash is still unknown", a, Request{Extensions: apq(hashOf("{ x }"))}, want{code: CodeNotFound, status: 200}},
	}
	for _, step := range steps {
		got, err := step.store.Resolve(ctx, step.req)
		t.Run(step.name, func(t *testing.T) { check(t, got, err, step.want) })
	}
	if st := b.Stats(); st.CacheEntries != 1 || st.APQHits != 2 || st.RedisFailures != 0 {
		t.Errorf("replica B Stats = %+v, want the entry pulled into memory, 2 hits, no Redis failures", st)
	}
	if ttl := redisTTL(t, url, prefix+hash); ttl <= 59*time.Minute || ttl > time.Hour {
		t.Errorf("TTL of %s = %s, want about 1h", prefix+hash, ttl)
	}
	if !strings.Contains(logs.String(), "shared through Redis") {
		t.Errorf("start-up not logged:\n%s", logs)
	}
}

func TestRedisTTLExpires(t *testing.T) {
	t.Parallel()
	url, prefix := testRedis(t)
	cfg := Config{APQ: APQConfig{RedisURL: url, RedisKeyPrefix: prefix, TTL: 300 * time.Millisecond}}
	a, _ := newStore(t, cfg)
	ctx := context.Background()
	hash := hashOf(productQuery)
	if _, err := a.Resolve(ctx, Request{Query: productQuery, Extensions: apq(hash)}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(600 * time.Millisecond)
	late, _ := newStore(t, cfg) // a replica started later has only Redis to ask
	got, err := late.Resolve(ctx, Request{Extensions: apq(hash)})
	check(t, got, err, want{code: CodeNotFound, status: 200})
}

// closedPort returns a loopback address that nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func TestRedisDownServesFromMemory(t *testing.T) {
	t.Parallel()
	addr := closedPort(t)
	cfg := Config{APQ: APQConfig{RedisURL: "redis://shop:hunter2@" + addr + "/0", RedisTimeout: 200 * time.Millisecond}}
	start := time.Now()
	s, logs := newStore(t, cfg)
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("New took %s with Redis down, want it bounded by the ping timeout", d)
	}
	ctx := context.Background()
	hash := hashOf(productQuery)
	steps := []struct {
		name string
		req  Request
		want want
	}{
		{"hash only", Request{Extensions: apq(hash)}, want{code: CodeNotFound, status: 200}},
		{"register", Request{Query: productQuery, Extensions: apq(hash)}, want{query: productQuery}},
		{"hash only, from memory", Request{Extensions: apq(hash)}, want{query: productQuery}},
		{"another miss", Request{Extensions: apq(hashOf("{ y }"))}, want{code: CodeNotFound, status: 200}},
	}
	for _, step := range steps {
		got, err := s.Resolve(ctx, step.req)
		t.Run(step.name, func(t *testing.T) { check(t, got, err, step.want) })
	}
	out := logs.String()
	if n := logs.count("Redis is unavailable"); n != 1 {
		t.Errorf("warned %d times, want once per outage:\n%s", n, out)
	}
	if !strings.Contains(out, "level=WARN") || !strings.Contains(out, addr) {
		t.Errorf("warning does not name %s:\n%s", addr, out)
	}
	if strings.Contains(out, "hunter2") {
		t.Errorf("log shows the Redis password:\n%s", out)
	}
	// Within the retry interval no request waits on Redis again.
	if st := s.Stats(); st.RedisFailures != 1 {
		t.Errorf("RedisFailures = %d, want 1 (Redis skipped after the failed ping)", st.RedisFailures)
	}
}

// tcpProxy forwards a loopback port to Redis and can be cut and restored,
// to play a Redis outage without touching the real server.
type tcpProxy struct {
	addr, target string
	mu           sync.Mutex
	ln           net.Listener
	conns        []net.Conn
}

func (p *tcpProxy) start(t *testing.T) {
	t.Helper()
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		t.Fatalf("proxy listen: %v", err)
	}
	p.mu.Lock()
	p.ln, p.addr = ln, ln.Addr().String()
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			u, err := net.Dial("tcp", p.target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, u)
			p.mu.Unlock()
			go func() { _, _ = io.Copy(u, c); u.Close() }()
			go func() { _, _ = io.Copy(c, u); c.Close() }()
		}
	}()
}

func (p *tcpProxy) stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.ln.Close()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

func TestRedisOutageAndRecovery(t *testing.T) {
	t.Parallel()
	url, prefix := testRedis(t)
	opts, _ := redis.ParseURL(url)
	proxy := &tcpProxy{addr: "127.0.0.1:0", target: opts.Addr}
	proxy.start(t)
	t.Cleanup(proxy.stop)
	proxied := fmt.Sprintf("redis://%s/%d", proxy.addr, opts.DB)

	s, logs := newStore(t, Config{APQ: APQConfig{RedisURL: proxied, RedisKeyPrefix: prefix, RedisTimeout: 300 * time.Millisecond}})
	clock := time.Now()
	s.shared.now = func() time.Time { return clock }
	ctx := context.Background()
	register := func(q string) {
		t.Helper()
		got, err := s.Resolve(ctx, Request{Query: q, Extensions: apq(hashOf(q))})
		check(t, got, err, want{query: q})
	}

	register("{ before }")
	proxy.stop()
	register("{ during }") // Redis fails: still served, kept in memory
	got, err := s.Resolve(ctx, Request{Extensions: apq(hashOf("{ during }"))})
	check(t, got, err, want{query: "{ during }"})
	if n := logs.count("Redis is unavailable"); n != 1 {
		t.Fatalf("warned %d times, want 1:\n%s", n, logs)
	}

	proxy.start(t)
	clock = clock.Add(redisRetryAfter + time.Second)
	register("{ after }")
	if n := logs.count("Redis answers again"); n != 1 {
		t.Fatalf("recovery logged %d times, want 1:\n%s", n, logs)
	}

	// A replica that only has Redis sees the registrations made while Redis
	// was up, and not the one made during the outage.
	other, _ := newStore(t, Config{APQ: APQConfig{RedisURL: url, RedisKeyPrefix: prefix}})
	for q, known := range map[string]bool{"{ before }": true, "{ during }": false, "{ after }": true} {
		got, err := other.Resolve(ctx, Request{Extensions: apq(hashOf(q))})
		if known {
			check(t, got, err, want{query: q})
		} else {
			check(t, got, err, want{code: CodeNotFound, status: 200})
		}
	}
}

func TestCloseTwice(t *testing.T) {
	t.Parallel()
	url, prefix := testRedis(t)
	s, err := New(context.Background(), Config{APQ: APQConfig{RedisURL: url, RedisKeyPrefix: prefix}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}

func TestRedisLogger(t *testing.T) {
	t.Parallel()
	logger, logs := newLogger()
	RedisLogger(logger).Printf(context.Background(), "connection pool: failed to dial after %d attempts", 1)
	if out := logs.String(); !strings.Contains(out, "level=WARN") || !strings.Contains(out, "redis: connection pool: failed to dial after 1 attempts") {
		t.Errorf("RedisLogger wrote %q", out)
	}
}
