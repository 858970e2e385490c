package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/shopgraph/shopgraph/subgraphs/catalog"
)

const variantColumns = "v.id, v.product_id, v.sku, v.name, v.options, v.price_minor, v.currency, v.compare_at_minor, v.weight_grams, v.stock_on_hand, v.stock_reserved"

func scanVariant(row pgx.CollectableRow) (*catalog.Variant, error) {
	var v catalog.Variant
	err := row.Scan(&v.ID, &v.ProductID, &v.SKU, &v.Name, &v.Options, &v.Price, &v.Currency, &v.CompareAt, &v.Weight, &v.StockOnHand, &v.StockReserved)
	return &v, err
}

// VariantsByIDs implements catalog.ProductService.
func (s *Store) VariantsByIDs(ctx context.Context, ids []int64) (map[int64]*catalog.Variant, error) {
	out := make(map[int64]*catalog.Variant, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := s.pool.Query(ctx, `SELECT `+variantColumns+` FROM product_variants v WHERE v.id = ANY($1)`, ids)
	if err != nil {
		return nil, fmt.Errorf("query variants by id: %w", err)
	}
	list, err := pgx.CollectRows(rows, scanVariant)
	if err != nil {
		return nil, fmt.Errorf("read variants by id: %w", err)
	}
	for _, v := range list {
		out[v.ID] = v
	}
	return out, nil
}

// VariantsByProductIDs implements catalog.ProductService.
func (s *Store) VariantsByProductIDs(ctx context.Context, productIDs []int64) (map[int64][]*catalog.Variant, error) {
	out := make(map[int64][]*catalog.Variant, len(productIDs))
	if len(productIDs) == 0 {
		return out, nil
	}
	rows, err := s.pool.Query(ctx, `
		SELECT `+variantColumns+`
		FROM product_variants v
		WHERE v.product_id = ANY($1)
		ORDER BY v.product_id, v.position, v.id`, productIDs)
	if err != nil {
		return nil, fmt.Errorf("query variants by product: %w", err)
	}
	list, err := pgx.CollectRows(rows, scanVariant)
	if err != nil {
		return nil, fmt.Errorf("read variants by product: %w", err)
	}
	for _, v := range list {
		out[v.ProductID] = append(out[v.ProductID], v)
	}
	return out, nil
}
