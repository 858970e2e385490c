package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/shopgraph/shopgraph/internal/config"
	"github.com/shopgraph/shopgraph/subgraphs/orders"
	"github.com/shopgraph/shopgraph/subgraphs/orders/catalogclient"
)

// catalogSettings configure how the orders service reaches the catalog's
// internal API (prices and stock for carts, reservations for checkout).
type catalogSettings struct {
	url   string
	token string
}

func (c *catalogSettings) register(s *config.Set, p string) {
	s.URL(&c.url, "catalog-url", p+"CATALOG_URL", "http://127.0.0.1:"+defaultPort("catalog"),
		"the catalog's listener, whose /internal/ API orders calls (not the router)", "http", "https")
	// The token is checked after parsing, so that no message ever echoes it.
	s.String(&c.token, "catalog-service-token", p+"CATALOG_SERVICE_TOKEN", "",
		"the catalog's service token (its CATALOG_SERVICE_TOKEN); empty: carts cannot be priced and say so")
}

// client returns the catalog for carts, or nil without a token.
func (c *catalogSettings) client(logger *slog.Logger) (orders.Catalog, error) {
	if c.token == "" {
		logger.Warn("no catalog service token: carts cannot be priced (set ORDERS_CATALOG_SERVICE_TOKEN to the catalog's CATALOG_SERVICE_TOKEN)")
		return nil, nil
	}
	cl, err := catalogclient.New(catalogclient.Config{BaseURL: c.url, ServiceToken: c.token})
	if err != nil {
		return nil, fmt.Errorf("setting --catalog-service-token/--catalog-url: %w", err)
	}
	return catalogVariants{cl}, nil
}

// catalogVariants is the catalog client as the orders domain reads it.
type catalogVariants struct{ c *catalogclient.Client }

func (a catalogVariants) Variants(ctx context.Context, ids []int64) (map[int64]orders.VariantInfo, error) {
	found, err := a.c.Variants(ctx, ids)
	if err != nil {
		if errors.Is(err, catalogclient.ErrUnavailable) {
			return nil, fmt.Errorf("catalog unavailable: %w", err)
		}
		return nil, err
	}
	out := make(map[int64]orders.VariantInfo, len(found))
	for id, v := range found {
		out[id] = orders.VariantInfo{ID: v.ID, ProductName: v.ProductName, SKU: v.SKU, Name: v.Name,
			Price: v.PriceMinor, Currency: v.Currency, WeightGrams: v.WeightGrams, Available: v.QuantityAvailable}
	}
	return out, nil
}
