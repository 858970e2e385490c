package persisted

import (
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/redis/go-redis/v9"
)

// Defaults for the zero values of Config.
const (
	DefaultCacheSize      = 10000
	DefaultMaxBytes       = 32 << 20
	DefaultTTL            = 24 * time.Hour
	DefaultRedisTimeout   = 500 * time.Millisecond
	DefaultRedisKeyPrefix = "shopgraph:apq:"
)

// Config configures persisted operations. Its zero value means APQ on, in
// memory, with the defaults above, and no trusted documents.
type Config struct {
	// APQ configures automatic persisted queries.
	APQ APQConfig `yaml:"apq"`
	// Manifest is the path of a trusted-documents manifest (JSON): Apollo's
	// persisted query manifest or a Relay-style {id: body} object. Optional.
	Manifest string `yaml:"manifest" help:"a trusted-documents manifest (Apollo persisted query manifest or Relay {id: body} JSON)"`
	// Only refuses every operation that is not in the manifest
	// (--persisted-only); APQ registration is refused too.
	Only bool `yaml:"only" flag:"persisted-only" help:"refuse every operation that is not in the trusted-documents manifest"`
	// LogUnknown logs operations that are not in the manifest (audit mode),
	// whether or not Only refuses them.
	LogUnknown bool `yaml:"logUnknown" help:"log operations that are not in the manifest"`
}

// APQConfig configures automatic persisted queries.
type APQConfig struct {
	// Disabled answers PersistedQueryNotSupported to APQ requests whose hash is
	// not a trusted document.
	Disabled bool `yaml:"disabled" help:"answer PersistedQueryNotSupported to automatic persisted queries"`
	// CacheSize bounds the entries kept in memory (default 10000).
	CacheSize int `yaml:"cacheSize" help:"the most APQ entries kept in memory (0: 10000)"`
	// MaxBytes bounds the query bytes kept in memory (default 32 MiB).
	MaxBytes int64 `yaml:"maxBytes" help:"the most query bytes APQ keeps in memory (0: 32 MiB)"`
	// RedisURL, when set, shares registrations between router replicas
	// through Redis (redis://[user:password@]host:port/db).
	RedisURL string `yaml:"redisURL" help:"a Redis URL through which router replicas share APQ registrations"`
	// TTL is how long a registration lives in Redis (default 24 h).
	TTL time.Duration `yaml:"ttl" help:"how long Redis keeps an APQ registration (0: 24h)"`
	// RedisTimeout bounds each Redis command, so that a slow Redis costs a
	// request at most this much (default 500 ms).
	RedisTimeout time.Duration `yaml:"redisTimeout" help:"the longest one Redis command may take (0: 500ms)"`
	// RedisKeyPrefix is put before the hash in Redis keys (default
	// "shopgraph:apq:").
	RedisKeyPrefix string `yaml:"redisKeyPrefix" help:"the prefix of APQ keys in Redis (empty: shopgraph:apq:)"`
}

func (c Config) withDefaults() Config {
	if c.APQ.CacheSize == 0 {
		c.APQ.CacheSize = DefaultCacheSize
	}
	if c.APQ.MaxBytes == 0 {
		c.APQ.MaxBytes = DefaultMaxBytes
	}
	if c.APQ.TTL == 0 {
		c.APQ.TTL = DefaultTTL
	}
	if c.APQ.RedisTimeout == 0 {
		c.APQ.RedisTimeout = DefaultRedisTimeout
	}
	if c.APQ.RedisKeyPrefix == "" {
		c.APQ.RedisKeyPrefix = DefaultRedisKeyPrefix
	}
	return c
}

// Validate reports every bad setting by its YAML key.
func (c Config) Validate() error {
	var errs []error
	if c.APQ.CacheSize < 0 {
		errs = append(errs, fmt.Errorf("persisted.apq.cacheSize must not be negative, got %d", c.APQ.CacheSize))
	}
	if c.APQ.MaxBytes < 0 {
		errs = append(errs, fmt.Errorf("persisted.apq.maxBytes must not be negative, got %d", c.APQ.MaxBytes))
	}
	if c.APQ.TTL < 0 {
		errs = append(errs, fmt.Errorf("persisted.apq.ttl must not be negative, got %s", c.APQ.TTL))
	}
	if c.APQ.RedisTimeout < 0 {
		errs = append(errs, fmt.Errorf("persisted.apq.redisTimeout must not be negative, got %s", c.APQ.RedisTimeout))
	}
	if c.APQ.RedisURL != "" {
		if _, err := redisOptions(c.APQ.RedisURL); err != nil {
			errs = append(errs, fmt.Errorf("persisted.apq.redisURL: %w", err))
		}
	}
	if c.Only && c.Manifest == "" {
		errs = append(errs, errors.New("persisted.only needs persisted.manifest: with no trusted documents every operation would be refused"))
	}
	if c.LogUnknown && c.Manifest == "" {
		errs = append(errs, errors.New("persisted.logUnknown needs persisted.manifest: with no trusted documents every operation is unknown"))
	}
	return errors.Join(errs...)
}

// redisOptions parses a Redis URL. Its errors never repeat the URL, which
// may hold a password.
func redisOptions(raw string) (*redis.Options, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, errors.New("not a valid URL (expected redis://[user:password@]host:port/db)")
	}
	opts, err := redis.ParseURL(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", redactURL(u), err)
	}
	return opts, nil
}

// redactURL names a Redis server in logs and errors without its password.
func redactURL(u *url.URL) string {
	return u.Redacted()
}
