// Package userstest wires the users subgraph for tests as cmd/shopgraph wires
// it for production — account flows, the principal of verified tokens, the
// client address — but with a fresh signing key, an in-memory rate limiter and
// cheap password hashing, so that tests run fast.
package userstest

import (
	"io"
	"log/slog"
	"net/http"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/shopgraph/shopgraph/internal/auth"
	"github.com/shopgraph/shopgraph/internal/authn"
	"github.com/shopgraph/shopgraph/internal/clientip"
	"github.com/shopgraph/shopgraph/internal/ratelimit"
	"github.com/shopgraph/shopgraph/subgraphs/users/accounts"
	"github.com/shopgraph/shopgraph/subgraphs/users/graph"
	"github.com/shopgraph/shopgraph/subgraphs/users/password"
	"github.com/shopgraph/shopgraph/subgraphs/users/postgres"
	"github.com/shopgraph/shopgraph/subgraphs/users/tokens"
)

// CheapParams hash in well under a millisecond: for tests only.
var CheapParams = password.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

// Options change the wiring; the zero value is the default.
type Options struct {
	// Logger receives the service's logs (default: discarded).
	Logger *slog.Logger
	// Limits are the rate limits (default accounts.DefaultLimits()).
	Limits *accounts.Limits
}

// Handler returns the users subgraph's GraphQL handler over pool and the issuer
// of the tokens it accepts, so that a test can sign in as anyone.
func Handler(t testing.TB, pool *pgxpool.Pool, opts Options) (http.Handler, *tokens.Issuer) {
	t.Helper()
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	limits := accounts.DefaultLimits()
	if opts.Limits != nil {
		limits = *opts.Limits
	}
	store := postgres.New(pool)
	pem, err := tokens.GenerateEd25519PEM()
	if err != nil {
		t.Fatal(err)
	}
	keys, err := tokens.ParsePEM(pem)
	if err != nil {
		t.Fatal(err)
	}
	issuer := &tokens.Issuer{Keys: keys, Issuer: auth.DefaultIssuer, Audience: auth.DefaultAudience}
	hasher, err := password.NewHasher(CheapParams, 0)
	if err != nil {
		t.Fatal(err)
	}
	acc, err := accounts.New(accounts.Config{Accounts: store, Addresses: store, Hasher: hasher, Policy: password.DefaultPolicy(),
		Issuer: issuer, Limiter: ratelimit.NewMemory(0, nil), Limits: limits, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	verifier, err := authn.NewVerifier(authn.Config{StaticJWKS: keys.JWKS(), Issuer: auth.DefaultIssuer, Audiences: []string{auth.DefaultAudience}})
	if err != nil {
		t.Fatal(err)
	}
	h := graph.NewHandler(store, acc, logger)
	return clientip.New(clientip.DefaultTrusted()).Middleware(auth.Middleware(verifier, logger, h)), issuer
}
