package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"github.com/shopgraph/shopgraph/internal/auth"
	"github.com/shopgraph/shopgraph/internal/authn"
	"github.com/shopgraph/shopgraph/internal/clientip"
	"github.com/shopgraph/shopgraph/internal/config"
	"github.com/shopgraph/shopgraph/internal/ratelimit"
	"github.com/shopgraph/shopgraph/subgraphs/users/accounts"
	usersql "github.com/shopgraph/shopgraph/subgraphs/users/graph"
	"github.com/shopgraph/shopgraph/subgraphs/users/password"
	userspg "github.com/shopgraph/shopgraph/subgraphs/users/postgres"
	"github.com/shopgraph/shopgraph/subgraphs/users/tokens"
)

// accountSettings configure the users service's sign-in: signing keys, token
// lifetimes, rate limits and where the client's address comes from.
type accountSettings struct {
	signingKeys     string // PEM text
	signingKeysFile string
	issuer          string
	audience        string
	accessTTL       time.Duration
	refreshTTL      time.Duration
	sessionTTL      time.Duration
	redisURL        string
	trustedProxies  string
	resetURL        string
	outboxInterval  time.Duration
	limits          accounts.Limits
}

func (a *accountSettings) register(s *config.Set, p string) {
	// The key text is checked after parsing, so that no message ever echoes it.
	s.String(&a.signingKeys, "signing-keys", p+"SIGNING_KEYS", "",
		"PEM text of the token signing keys (PKCS#8 Ed25519 or P-256), newest first: the first signs, all are published at /.well-known/jwks.json so that tokens of a key being rotated out verify until they expire")
	s.String(&a.signingKeysFile, "signing-keys-file", p+"SIGNING_KEYS_FILE", "",
		"a file holding the signing keys as --signing-keys does; with neither set, a development key is generated once and kept in the users database (make keys with `shopgraph keys generate`)")
	s.NonEmpty(&a.issuer, "token-issuer", p+"TOKEN_ISSUER", auth.DefaultIssuer, "the `iss` of access tokens")
	s.NonEmpty(&a.audience, "token-audience", p+"TOKEN_AUDIENCE", auth.DefaultAudience, "the `aud` of access tokens")
	s.Duration(&a.accessTTL, "access-token-ttl", p+"ACCESS_TOKEN_TTL", tokens.DefaultTTL, "how long an access token is valid")
	s.Duration(&a.refreshTTL, "refresh-token-ttl", p+"REFRESH_TOKEN_TTL", 14*24*time.Hour, "how long an unused refresh token is valid")
	s.Duration(&a.sessionTTL, "session-ttl", p+"SESSION_TTL", 90*24*time.Hour, "how long a sign-in lasts at most, however often it is refreshed")
	s.Func("redis-url", p+"REDIS_URL", "",
		"Redis for the sign-in and password-reset rate limits, so that replicas share them (such as redis://127.0.0.1:6379/0); empty keeps them in memory, per replica",
		func(v string) error {
			if v != "" {
				if _, err := redis.ParseURL(v); err != nil {
					return errors.New("want a redis:// or rediss:// URL")
				}
			}
			a.redisURL = v
			return nil
		})
	s.Func("trusted-proxies", p+"TRUSTED_PROXIES", "127.0.0.0/8,::1/128,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,fc00::/7",
		"proxies (the router, load balancers) whose X-Forwarded-For is believed when finding a client's address for rate limits: CIDRs or addresses, comma-separated; in production list exactly yours",
		func(v string) error {
			if _, err := clientip.ParsePrefixes(v); err != nil {
				return err
			}
			a.trustedProxies = v
			return nil
		})
	s.URL(&a.resetURL, "reset-url", p+"RESET_URL", "http://127.0.0.1:3000/reset-password",
		"the web store's password-reset page; reset links add ?token=", "http", "https")
	s.Duration(&a.outboxInterval, "outbox-interval", p+"OUTBOX_INTERVAL", 2*time.Second, "how often messages (reset links) waiting in the outbox are delivered")
	def := accounts.DefaultLimits()
	limit := func(dst *ratelimit.Limit, name, env string, d ratelimit.Limit, what string) {
		s.Func(name, p+env, formatLimit(d), what+", as EVENTS/DURATION such as 10/15m", func(v string) error {
			l, err := parseLimit(v)
			if err != nil {
				return err
			}
			*dst = l
			return nil
		})
	}
	limit(&a.limits.SignInPerEmail, "signin-limit-per-email", "SIGNIN_LIMIT_PER_EMAIL", def.SignInPerEmail, "sign-in attempts allowed per email")
	limit(&a.limits.SignInPerClient, "signin-limit-per-client", "SIGNIN_LIMIT_PER_CLIENT", def.SignInPerClient, "sign-in attempts allowed per client address")
	limit(&a.limits.ResetPerEmail, "reset-limit-per-email", "RESET_LIMIT_PER_EMAIL", def.ResetPerEmail, "password-reset requests allowed per email")
	limit(&a.limits.ResetPerClient, "reset-limit-per-client", "RESET_LIMIT_PER_CLIENT", def.ResetPerClient, "password-reset requests allowed per client address")
}

// formatLimit writes a limit as parseLimit reads it.
func formatLimit(l ratelimit.Limit) string {
	return strconv.Itoa(l.Events) + "/" + strings.TrimSuffix(strings.TrimSuffix(l.Per.String(), "0s"), "0m")
}

// parseLimit reads EVENTS/DURATION.
func parseLimit(v string) (ratelimit.Limit, error) {
	n, d, ok := strings.Cut(strings.TrimSpace(v), "/")
	events, err := strconv.Atoi(strings.TrimSpace(n))
	if !ok || err != nil {
		return ratelimit.Limit{}, errors.New("want EVENTS/DURATION such as 10/15m")
	}
	per, err := time.ParseDuration(strings.TrimSpace(d))
	if err != nil {
		return ratelimit.Limit{}, fmt.Errorf("want EVENTS/DURATION such as 10/15m: %w", err)
	}
	l := ratelimit.Limit{Events: events, Per: per}
	return l, l.Validate()
}

// signingKeys loads the configured keys, or the development key kept in the
// database when none are configured.
func (a *accountSettings) loadSigningKeys(ctx context.Context, store *userspg.Store, logger *slog.Logger) (*tokens.KeySet, error) {
	var pem []byte
	switch {
	case a.signingKeys != "" && a.signingKeysFile != "":
		return nil, errors.New("set --signing-keys or --signing-keys-file, not both")
	case a.signingKeys != "":
		pem = []byte(a.signingKeys)
	case a.signingKeysFile != "":
		b, err := os.ReadFile(a.signingKeysFile)
		if err != nil {
			return nil, fmt.Errorf("setting --signing-keys-file: %w", err)
		}
		pem = b
	default:
		b, err := store.DevSigningKey(ctx, tokens.GenerateEd25519PEM)
		if err != nil {
			return nil, err
		}
		logger.Warn("no signing keys configured: using the development key kept in the users database; configure USERS_SIGNING_KEYS_FILE in production")
		pem = b
	}
	keys, err := tokens.ParsePEM(pem)
	if err != nil {
		return nil, fmt.Errorf("signing keys: %w", err)
	}
	return keys, nil
}

// usersParts is the users service built from its settings.
type usersParts struct {
	graphql    http.Handler
	jwks       http.Handler
	background func(context.Context)
	close      func()
}

// buildUsers wires the users service: keys, issuer, hashing, limits, the
// account flows, and the middlewares that tell resolvers who is asking (a
// token verified against the service's own keys, no HTTP round trip) and from
// which address.
func buildUsers(ctx context.Context, pool *pgxpool.Pool, logger *slog.Logger, st accountSettings) (*usersParts, error) {
	store := userspg.New(pool)
	keys, err := st.loadSigningKeys(ctx, store, logger)
	if err != nil {
		return nil, err
	}
	hasher, err := password.NewHasher(password.DefaultParams(), 0)
	if err != nil {
		return nil, err
	}
	parts := &usersParts{close: func() {}}
	var limiter ratelimit.Limiter = ratelimit.NewMemory(0, nil)
	if st.redisURL != "" {
		opts, err := redis.ParseURL(st.redisURL)
		if err != nil {
			return nil, fmt.Errorf("setting --redis-url: %w", err)
		}
		opts.DisableIdentity = true
		client := redis.NewClient(opts)
		parts.close = func() { _ = client.Close() }
		limiter = ratelimit.NewRedis(client, "shopgraph:users:ratelimit:")
	}
	issuer := &tokens.Issuer{Keys: keys, Issuer: st.issuer, Audience: st.audience, TTL: st.accessTTL}
	svc, err := accounts.New(accounts.Config{
		Accounts: store, Addresses: store, Hasher: hasher, Policy: password.DefaultPolicy(),
		Issuer: issuer, Limiter: limiter, Limits: st.limits,
		RefreshTTL: st.refreshTTL, SessionTTL: st.sessionTTL, ResetURL: st.resetURL, Logger: logger,
	})
	if err != nil {
		return nil, err
	}
	verifier, err := authn.NewVerifier(authn.Config{StaticJWKS: keys.JWKS(), Issuer: st.issuer, Audiences: []string{st.audience}, Logger: logger})
	if err != nil {
		return nil, fmt.Errorf("token verifier: %w", err)
	}
	trusted, err := clientip.ParsePrefixes(st.trustedProxies)
	if err != nil {
		return nil, fmt.Errorf("setting --trusted-proxies: %w", err)
	}
	logger.Info("accounts", "signing_kids", keys.Kids(), "issuer", st.issuer, "audience", st.audience,
		"rate_limits", map[bool]string{true: "redis", false: "memory"}[st.redisURL != ""])
	h := usersql.NewHandler(store, svc, logger)
	parts.graphql = clientip.New(trusted).Middleware(auth.Middleware(verifier, logger, h))
	parts.jwks = keys.JWKSHandler()
	parts.background = func(ctx context.Context) {
		accounts.RunOutbox(ctx, store, accounts.LogMailer{Logger: logger}, st.outboxInterval, logger)
	}
	return parts, nil
}

// keysCommand runs `keys generate`: a new Ed25519 signing key on stdout, to
// put first in USERS_SIGNING_KEYS (keeping the old key after it until the
// tokens it signed have expired).
func keysCommand(args []string, stdout io.Writer) error {
	if len(args) != 1 || args[0] != "generate" {
		return fmt.Errorf("keys: want `keys generate`: %w", errUsage)
	}
	pem, err := tokens.GenerateEd25519PEM()
	if err != nil {
		return fmt.Errorf("keys generate: %w", err)
	}
	_, err = stdout.Write(pem)
	return err
}
