package main

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"

	"github.com/jackc/pgx/v5/pgxpool"

	catalogql "github.com/shopgraph/shopgraph/subgraphs/catalog/graph"
	"github.com/shopgraph/shopgraph/subgraphs/catalog/internalapi"
	catalogpg "github.com/shopgraph/shopgraph/subgraphs/catalog/postgres"
	ordersql "github.com/shopgraph/shopgraph/subgraphs/orders/graph"
	orderspg "github.com/shopgraph/shopgraph/subgraphs/orders/postgres"
	usersql "github.com/shopgraph/shopgraph/subgraphs/users/graph"
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
	// Handler serves GraphQL (POST and GET) at whatever path it is mounted on,
	// with per-request dataloaders.
	Handler func(pool *pgxpool.Pool, logger *slog.Logger) http.Handler
	// Internal, when set, returns the subgraph's service-to-service API, served
	// under /internal/ on its listener, and the background work that goes with it,
	// which runs until its context ends. The router forwards only to /graphql, so
	// this API is never part of the public graph.
	Internal func(pool *pgxpool.Pool, logger *slog.Logger, st internalSettings) (http.Handler, func(context.Context), error)
}

// subgraphParts returns the wiring for one subgraph by name ("catalog", "orders", "users").
// Here, and only here, each subgraph's GraphQL layer meets its PostgreSQL store.
func subgraphParts(name string) (subgraphWiring, error) {
	switch name {
	case "catalog":
		return subgraphWiring{
			Migrations: catalogpg.Migrations(),
			Seed:       catalogpg.Seed,
			Handler: func(pool *pgxpool.Pool, logger *slog.Logger) http.Handler {
				return catalogql.NewHandler(catalogpg.New(pool), logger)
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
		}, nil
	case "orders":
		return subgraphWiring{
			Migrations: orderspg.Migrations(),
			Seed:       orderspg.Seed,
			Handler: func(pool *pgxpool.Pool, logger *slog.Logger) http.Handler {
				return ordersql.NewHandler(orderspg.New(pool), logger)
			},
		}, nil
	case "users":
		return subgraphWiring{
			Migrations: userspg.Migrations(),
			Seed:       userspg.Seed,
			Handler: func(pool *pgxpool.Pool, logger *slog.Logger) http.Handler {
				return usersql.NewHandler(userspg.New(pool), logger)
			},
		}, nil
	}
	return subgraphWiring{}, fmt.Errorf("unknown subgraph %q (valid: %s)", name, strings.Join(subgraphNames, ", "))
}
