package persisted

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// redisRetryAfter is how long APQ stays memory-only after a Redis failure
// before Redis is tried again, so that a Redis that is down costs one
// timeout per interval rather than one per request.
const redisRetryAfter = 5 * time.Second

// sharedCache keeps APQ registrations in Redis so that every router replica
// sees them. Any failure degrades to memory-only (the caller's memCache) with
// one warning, never a failed request; the first success afterwards logs
// that Redis is back.
type sharedCache struct {
	client  *redis.Client
	name    string // the URL without its password, for logs
	prefix  string
	ttl     time.Duration
	timeout time.Duration
	logger  *slog.Logger
	now     func() time.Time

	mu        sync.Mutex
	downUntil time.Time // zero while Redis answers
	failures  int64
}

// newSharedCache connects to Redis and pings it. A failed ping is logged and
// the cache starts degraded: the router serves with APQ in memory and tries
// Redis again after redisRetryAfter.
func newSharedCache(ctx context.Context, cfg APQConfig, logger *slog.Logger) (*sharedCache, error) {
	opts, err := redisOptions(cfg.RedisURL)
	if err != nil {
		return nil, fmt.Errorf("persisted.apq.redisURL: %w", err)
	}
	u, _ := url.Parse(cfg.RedisURL) // redisOptions parsed it already
	opts.DialTimeout = cfg.RedisTimeout
	opts.ReadTimeout = cfg.RedisTimeout
	opts.WriteTimeout = cfg.RedisTimeout
	opts.PoolTimeout = cfg.RedisTimeout
	// A retry would multiply the time a request waits on a Redis that is gone.
	opts.MaxRetries = -1
	opts.DialerRetries = 1
	opts.DisableIdentity = true
	s := &sharedCache{
		client:  redis.NewClient(opts),
		name:    redactURL(u),
		prefix:  cfg.RedisKeyPrefix,
		ttl:     cfg.TTL,
		timeout: cfg.RedisTimeout,
		logger:  logger,
		now:     time.Now,
	}
	pingCtx, cancel := context.WithTimeout(ctx, max(2*cfg.RedisTimeout, time.Second))
	defer cancel()
	if err := s.client.Ping(pingCtx).Err(); err != nil {
		s.fail(fmt.Errorf("ping Redis at %s: %w", s.name, err))
	} else {
		logger.Info("persisted: APQ registrations are shared through Redis", "redis", s.name, "ttl", cfg.TTL)
	}
	return s, nil
}

// available reports whether Redis should be tried now.
func (s *sharedCache) available() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.downUntil.IsZero() || !s.now().Before(s.downUntil)
}

// fail records a failure: Redis is skipped for redisRetryAfter. Only the
// first failure of an outage is logged.
func (s *sharedCache) fail(err error) {
	s.mu.Lock()
	wasUp := s.downUntil.IsZero()
	s.downUntil = s.now().Add(redisRetryAfter)
	s.failures++
	s.mu.Unlock()
	if wasUp {
		s.logger.Warn("persisted: Redis is unavailable, APQ registrations stay in this router's memory until it answers",
			"redis", s.name, "retry_after", redisRetryAfter, "err", err)
	}
}

// succeed records an answer from Redis, ending an outage.
func (s *sharedCache) succeed() {
	s.mu.Lock()
	wasDown := !s.downUntil.IsZero()
	s.downUntil = time.Time{}
	s.mu.Unlock()
	if wasDown {
		s.logger.Info("persisted: Redis answers again, APQ registrations are shared", "redis", s.name)
	}
}

// get looks hash up. ok is false on a miss and while Redis is unavailable;
// err is only ctx's own error, when the caller gave up.
func (s *sharedCache) get(ctx context.Context, hash string) (query string, ok bool, err error) {
	if !s.available() {
		return "", false, nil
	}
	opCtx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	query, err = s.client.Get(opCtx, s.prefix+hash).Result()
	switch {
	case err == nil:
		s.succeed()
		return query, true, nil
	case errors.Is(err, redis.Nil):
		s.succeed()
		return "", false, nil
	case ctx.Err() != nil:
		return "", false, ctx.Err()
	default:
		s.fail(fmt.Errorf("GET %s: %w", s.prefix+hash, err))
		return "", false, nil
	}
}

// set registers query under hash with the TTL. A failure is logged (once
// per outage) and otherwise ignored: the memory cache still has the entry.
func (s *sharedCache) set(ctx context.Context, hash, query string) {
	if !s.available() {
		return
	}
	// The registration outlives a client that hangs up: the work is done.
	opCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.timeout)
	defer cancel()
	if err := s.client.Set(opCtx, s.prefix+hash, query, s.ttl).Err(); err != nil {
		s.fail(fmt.Errorf("SET %s: %w", s.prefix+hash, err))
		return
	}
	s.succeed()
}

// failureCount returns how many Redis commands failed.
func (s *sharedCache) failureCount() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.failures
}

func (s *sharedCache) close() error {
	if err := s.client.Close(); err != nil {
		return fmt.Errorf("close Redis client for %s: %w", s.name, err)
	}
	return nil
}

// RedisLogger adapts logger to go-redis's logger, which is one per process:
// the wiring in cmd may install it once with redis.SetLogger, so that
// go-redis's own messages (failed dials) come out as structured logs.
func RedisLogger(logger *slog.Logger) interface {
	Printf(ctx context.Context, format string, v ...any)
} {
	return redisLogger{logger}
}

type redisLogger struct{ logger *slog.Logger }

// Printf logs one go-redis message as a warning: go-redis only logs trouble.
func (l redisLogger) Printf(ctx context.Context, format string, v ...any) {
	l.logger.WarnContext(ctx, "redis: "+fmt.Sprintf(format, v...))
}
