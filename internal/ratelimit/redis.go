package ratelimit

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// gcraScript is gcra in Lua, run atomically by Redis with the time taken from
// Redis itself. KEYS[1] holds the TAT in microseconds since the epoch;
// ARGV[1] is the emission interval and ARGV[2] the burst tolerance, in
// microseconds. It returns {allowed (0/1), retry after (µs), remaining}.
// Every number stays below 2^53, so Lua's doubles are exact. The TAT is
// written with %.0f because tostring would round it to 14 digits.
const gcraScript = `
if redis.replicate_commands then redis.replicate_commands() end
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or 0) or 0
if tat < now then tat = now end
local allow_at = tat - tolerance
if now < allow_at then
	return {0, allow_at - now, 0}
end
local new_tat = tat + interval
local ttl_ms = math.ceil((new_tat - now) / 1000)
redis.call('SET', KEYS[1], string.format('%.0f', new_tat), 'PX', ttl_ms)
return {1, 0, math.floor((tolerance + interval - (new_tat - now)) / interval)}
`

// Redis is a Limiter whose state lives in Redis, so that every replica of a
// service shares it. Each Allow is one round trip (EVALSHA, falling back to
// EVAL once after a Redis restart) on one key, prefix plus the hashed key,
// which expires by itself when its limit has fully recovered. It works with
// Redis Cluster too, as the script touches a single key.
type Redis struct {
	client redis.UniversalClient
	prefix string
	script *redis.Script
}

// NewRedis returns a Redis limiter storing its keys under prefix
// (for example "shopgraph:users:ratelimit:").
func NewRedis(client redis.UniversalClient, prefix string) *Redis {
	return &Redis{client: client, prefix: prefix, script: redis.NewScript(gcraScript)}
}

// Allow counts one event for key under l if it is allowed. When Redis fails
// (down, timed out, ctx done) it returns the error with a zero Decision and
// does not decide: the caller chooses to fail open (let the event through and
// log) or closed (refuse it).
func (r *Redis) Allow(ctx context.Context, key string, l Limit) (Decision, error) {
	if err := l.Validate(); err != nil {
		return Decision{}, err
	}
	interval, tolerance := l.params()
	rkey := r.prefix + hashKeyHex(key)
	res, err := r.script.Run(ctx, r.client, []string{rkey}, interval, tolerance).Int64Slice()
	if err != nil {
		return Decision{}, fmt.Errorf("ratelimit: redis allow %s: %w", rkey, err)
	}
	if len(res) != 3 {
		return Decision{}, fmt.Errorf("ratelimit: redis allow %s: script returned %d values, want 3", rkey, len(res))
	}
	return Decision{
		Allowed:    res[0] == 1,
		RetryAfter: time.Duration(res[1]) * time.Microsecond,
		Remaining:  int(res[2]),
	}, nil
}
