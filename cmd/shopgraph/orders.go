package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/shopgraph/shopgraph/internal/config"
	"github.com/shopgraph/shopgraph/subgraphs/orders/catalogclient"
	"github.com/shopgraph/shopgraph/subgraphs/orders/checkout"
	ordersql "github.com/shopgraph/shopgraph/subgraphs/orders/graph"
	"github.com/shopgraph/shopgraph/subgraphs/orders/payments"
	orderspg "github.com/shopgraph/shopgraph/subgraphs/orders/postgres"
	"github.com/shopgraph/shopgraph/subgraphs/orders/usersclient"
)

// ordersSettings configure the orders service: how it reaches the catalog's
// internal API (prices and stock for carts, reservations for checkout) and
// the users service (a signed-in shopper's saved addresses), and how
// checkouts are run and recovered.
type ordersSettings struct {
	catalogURL       string
	catalogToken     string
	usersURL         string
	lease            time.Duration
	abandonAfter     time.Duration
	reservationTTL   time.Duration
	recoveryInterval time.Duration
}

func (o *ordersSettings) register(s *config.Set, p string) {
	s.URL(&o.catalogURL, "catalog-url", p+"CATALOG_URL", "http://127.0.0.1:"+defaultPort("catalog"),
		"the catalog's listener, whose /internal/ API orders calls (not the router)", "http", "https")
	// The token is checked after parsing, so that no message ever echoes it.
	s.String(&o.catalogToken, "catalog-service-token", p+"CATALOG_SERVICE_TOKEN", "",
		"the catalog's service token (its CATALOG_SERVICE_TOKEN); empty: carts cannot be priced nor orders placed, and the API says so")
	s.URL(&o.usersURL, "users-url", p+"USERS_URL", "http://127.0.0.1:"+defaultPort("users")+"/graphql",
		"the users subgraph's GraphQL URL, asked with the shopper's own token for their email and saved addresses at checkout", "http", "https")
	s.Duration(&o.lease, "checkout-lease", p+"CHECKOUT_LEASE", checkout.DefaultLease,
		"how long one worker holds an unfinished checkout before recovery may take it over; longer than any call to the catalog or the payment provider")
	s.Duration(&o.abandonAfter, "checkout-abandon-after", p+"CHECKOUT_ABANDON_AFTER", checkout.DefaultAbandonAfter,
		"how long a checkout interrupted before its charge waits for the shopper's retry before recovery gives it up and releases its stock")
	s.Duration(&o.reservationTTL, "reservation-ttl", p+"RESERVATION_TTL", checkout.DefaultReservationTTL,
		"how long the catalog holds a checkout's stock before it expires")
	s.Duration(&o.recoveryInterval, "recovery-interval", p+"RECOVERY_INTERVAL", 5*time.Second,
		"how often unfinished checkouts whose lease ran out are finished or undone (safe on every replica)")
}

// validate names the bad setting.
func (o *ordersSettings) validate(p string) error {
	var errs []error
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"checkout-lease", o.lease}, {"checkout-abandon-after", o.abandonAfter}, {"reservation-ttl", o.reservationTTL}, {"recovery-interval", o.recoveryInterval}} {
		if d.v <= 0 {
			errs = append(errs, fmt.Errorf("setting --%s = %s: want a positive duration", d.name, d.v))
		}
	}
	if o.reservationTTL > 24*time.Hour {
		errs = append(errs, fmt.Errorf("setting --reservation-ttl (env %sRESERVATION_TTL) = %s: want at most 24h", p, o.reservationTTL))
	}
	if o.reservationTTL <= o.lease {
		errs = append(errs, fmt.Errorf("setting --reservation-ttl = %s: want more than --checkout-lease (%s), or reservations expire under running checkouts", o.reservationTTL, o.lease))
	}
	return errors.Join(errs...)
}

// ordersParts are the orders service's GraphQL handler and its checkout
// recovery, which runs beside it until its context ends.
type ordersParts struct {
	graphql    http.Handler
	background func(context.Context)
}

// buildOrders wires the orders service. Without a catalog token it still
// serves shipping rates and carts' lines, and refuses pricing and checkout
// with a clear error.
func buildOrders(pool *pgxpool.Pool, logger *slog.Logger, st ordersSettings) (*ordersParts, error) {
	if err := st.validate("ORDERS_"); err != nil {
		return nil, err
	}
	store := orderspg.New(pool)
	// orderStatusChanged hears status changes from every replica (LISTEN/NOTIFY).
	feed := orderspg.NewStatusFeed(pool, logger.With("part", "status-feed"))
	if st.catalogToken == "" {
		logger.Warn("no catalog service token: carts cannot be priced nor orders placed (set ORDERS_CATALOG_SERVICE_TOKEN to the catalog's CATALOG_SERVICE_TOKEN)")
		return &ordersParts{graphql: ordersql.NewHandler(store, nil, nil, logger, ordersql.WithStatusFeed(feed)), background: feed.Run}, nil
	}
	cl, err := catalogclient.New(catalogclient.Config{BaseURL: st.catalogURL, ServiceToken: st.catalogToken})
	if err != nil {
		return nil, fmt.Errorf("setting --catalog-service-token/--catalog-url: %w", err)
	}
	users, err := usersclient.New(st.usersURL, 0)
	if err != nil {
		return nil, fmt.Errorf("setting --users-url: %w", err)
	}
	variants := cl.ForOrders()
	co := checkout.New(store, variants, cl, payments.New(pool), users, checkout.Config{
		Lease: st.lease, AbandonAfter: st.abandonAfter, ReservationTTL: st.reservationTTL, Logger: logger.With("part", "checkout")})
	logger.Info("checkout", "lease", st.lease, "abandon_after", st.abandonAfter, "reservation_ttl", st.reservationTTL,
		"recovery_interval", st.recoveryInterval)
	return &ordersParts{
		graphql: ordersql.NewHandler(store, variants, co, logger, ordersql.WithStatusFeed(feed)),
		background: func(ctx context.Context) {
			var wg sync.WaitGroup
			wg.Go(func() { feed.Run(ctx) })
			co.RunRecovery(ctx, st.recoveryInterval)
			wg.Wait()
		},
	}, nil
}
