package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/shopgraph/shopgraph/subgraphs/orders"
)

var _ orders.TaxService = (*Store)(nil)

// TaxRate implements orders.TaxService.
func (s *Store) TaxRate(ctx context.Context, country string) (int, error) {
	var bp int
	err := s.pool.QueryRow(ctx, `SELECT basis_points FROM tax_rates WHERE country_code = $1`, country).Scan(&bp)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read tax rate of %s: %w", country, err)
	}
	return bp, nil
}
