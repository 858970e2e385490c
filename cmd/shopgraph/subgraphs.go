package main

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/shopgraph/shopgraph/internal/auth"
	"github.com/shopgraph/shopgraph/internal/authn"
	"github.com/shopgraph/shopgraph/internal/config"
	"github.com/shopgraph/shopgraph/subgraphs/catalog/facetcache"
	catalogql "github.com/shopgraph/shopgraph/subgraphs/catalog/graph"
	"github.com/shopgraph/shopgraph/subgraphs/catalog/images"
	"github.com/shopgraph/shopgraph/subgraphs/catalog/internalapi"
	catalogpg "github.com/shopgraph/shopgraph/subgraphs/catalog/postgres"
	orderspg "github.com/shopgraph/shopgraph/subgraphs/orders/postgres"
	userspg "github.com/shopgraph/shopgraph/subgraphs/users/postgres"
)

// subgraphNames lists the subgraphs in start-up order; never modified.
var subgraphNames = []string{"catalog", "orders", "users"}

// subgraphWiring is what the binary needs to run one subgraph: its database
// migrations, its demo data, and its GraphQL handler. (It cannot share the name
// of subgraphParts, the function that returns it: Go has one namespace.)
type subgraphWiring struct {
	Migrations fs.FS
	Seed       func(ctx context.Context, pool *pgxpool.Pool) error
	// SeedScale, when set, grows the demo data to n products for measurements
	// (`seed --scale N`); it does nothing when there are n already.
	SeedScale func(ctx context.Context, pool *pgxpool.Pool, n int, logger *slog.Logger) error
	// Handler serves GraphQL (POST and GET) at whatever path it is mounted on,
	// with per-request dataloaders. (The users service sets Accounts and the
	// orders service Orders instead.)
	Handler func(pool *pgxpool.Pool, logger *slog.Logger, st subgraphSettings) http.Handler
	// Accounts, when set, builds the users service from its account settings:
	// its GraphQL handler (who is asking checked against its own keys), the
	// JWKS it publishes, and the outbox delivery that runs beside it.
	Accounts func(ctx context.Context, pool *pgxpool.Pool, logger *slog.Logger, st accountSettings) (*usersParts, error)
	// Orders, when set, builds the orders service from its settings: its
	// GraphQL handler and the checkout recovery that runs beside it.
	Orders func(pool *pgxpool.Pool, logger *slog.Logger, st ordersSettings) (*ordersParts, error)
	// Internal, when set, returns the subgraph's service-to-service API, served
	// under /internal/ on its listener, and the background work that goes with it,
	// which runs until its context ends. The router forwards only to /graphql, so
	// this API is never part of the public graph.
	Internal func(pool *pgxpool.Pool, logger *slog.Logger, st internalSettings) (http.Handler, func(context.Context), error)
	// Authenticate, when set, wraps the subgraph's GraphQL handler so that its
	// resolvers see who is asking (internal/principal), from a bearer token
	// verified against the users service's keys when st names them.
	Authenticate func(next http.Handler, st authSettings, logger *slog.Logger) (http.Handler, error)
	// Images, when set, serves the subgraph's generated images at GET
	// images.Pattern on its listener: not through the router, which forwards
	// only GraphQL, so a web store loads them from the subgraph's public URL.
	Images func(pool *pgxpool.Pool, logger *slog.Logger) http.Handler
}

// authSettings configure how a subgraph that authorises writes learns who is
// asking: from access tokens the users service signed, verified against the
// keys it publishes.
type authSettings struct {
	// jwksURL is where the users service publishes its signing keys; empty
	// trusts no token.
	jwksURL  string
	issuer   string
	audience string
	// jwksMinRefresh is the least time between two fetches of the JWKS.
	jwksMinRefresh time.Duration
}

func (a *authSettings) register(s *config.Set, p string) {
	s.NonEmpty(&a.issuer, "token-issuer", p+"TOKEN_ISSUER", auth.DefaultIssuer, "the `iss` access tokens must have")
	s.NonEmpty(&a.audience, "token-audience", p+"TOKEN_AUDIENCE", auth.DefaultAudience, "the `aud` access tokens must have")
	s.Duration(&a.jwksMinRefresh, "jwks-min-refresh", p+"JWKS_MIN_REFRESH", 5*time.Second,
		"the least time between two fetches of the JWKS, however many unknown key ids tokens name (a new signing key is picked up on its first token after this)")
	s.Func("jwks-url", p+"JWKS_URL", "http://127.0.0.1:"+defaultPort("users")+"/.well-known/jwks.json",
		"the users service's JWKS URL to verify `Authorization: Bearer` tokens against; empty trusts no token, so every request is anonymous",
		func(v string) error {
			if v != "" {
				if err := config.CheckURL(v, "http", "https"); err != nil {
					return err
				}
			}
			a.jwksURL = v
			return nil
		})
}

// authenticate puts the principal of a verified bearer token in each request's
// context; without a JWKS URL it trusts no token.
func authenticate(next http.Handler, st authSettings, logger *slog.Logger) (http.Handler, error) {
	logger.Info("authentication", "jwks_url", st.jwksURL, "tokens_trusted", st.jwksURL != "")
	if st.jwksURL == "" {
		return next, nil
	}
	v, err := authn.NewVerifier(authn.Config{JWKSURL: st.jwksURL, Issuer: st.issuer, Audiences: []string{st.audience},
		MinRefreshInterval: st.jwksMinRefresh, Logger: logger})
	if err != nil {
		return nil, fmt.Errorf("setting --jwks-url: %w", err)
	}
	return auth.Middleware(v, logger, next), nil
}

// subgraphParts returns the wiring for one subgraph by name ("catalog", "orders", "users").
// Here, and only here, each subgraph's GraphQL layer meets its PostgreSQL store.
func subgraphParts(name string) (subgraphWiring, error) {
	switch name {
	case "catalog":
		return subgraphWiring{
			Migrations: catalogpg.Migrations(),
			Seed:       catalogpg.Seed,
			SeedScale:  catalogpg.SeedScale,
			Handler: func(pool *pgxpool.Pool, logger *slog.Logger, st subgraphSettings) http.Handler {
				return catalogql.NewHandler(facetcache.New(catalogpg.New(pool), st.facetCacheTTL, 1000), logger)
			},
			// Stock reservations for the orders service's checkout, and their expiry.
			Internal: func(pool *pgxpool.Pool, logger *slog.Logger, st internalSettings) (http.Handler, func(context.Context), error) {
				store := catalogpg.New(pool)
				h, err := internalapi.New(store, internalapi.Config{ServiceToken: st.serviceToken, DefaultTTL: st.reservationTTL}, logger)
				if err != nil {
					return nil, nil, err
				}
				return h, func(ctx context.Context) { internalapi.RunExpiry(ctx, store, st.sweepInterval, logger) }, nil
			},
			Images: func(pool *pgxpool.Pool, logger *slog.Logger) http.Handler {
				return images.Handler(catalogpg.New(pool), logger)
			},
			// Reviews need a signed-in user, the admin mutations an admin.
			Authenticate: authenticate,
		}, nil
	case "orders":
		return subgraphWiring{
			Migrations: orderspg.Migrations(),
			Seed:       orderspg.Seed,
			Orders:     buildOrders,
			// Carts and orders of signed-in users are theirs alone.
			Authenticate: authenticate,
		}, nil
	case "users":
		return subgraphWiring{
			Migrations: userspg.Migrations(),
			Seed:       userspg.Seed,
			Accounts:   buildUsers,
		}, nil
	}
	return subgraphWiring{}, fmt.Errorf("unknown subgraph %q (valid: %s)", name, strings.Join(subgraphNames, ", "))
}
