package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/shopgraph/shopgraph/subgraphs/catalog"
)

const productColumns = "p.id, p.slug, p.name, p.description, p.created_at, coalesce(p.category_id, 0)"

func scanProduct(row pgx.CollectableRow) (*catalog.Product, error) {
	var p catalog.Product
	err := row.Scan(&p.ID, &p.Slug, &p.Name, &p.Description, &p.CreatedAt, &p.CategoryID)
	return &p, err
}

// ProductsByIDs implements catalog.ProductService.
func (s *Store) ProductsByIDs(ctx context.Context, ids []int64) (map[int64]*catalog.Product, error) {
	out := make(map[int64]*catalog.Product, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := s.pool.Query(ctx, `SELECT `+productColumns+` FROM products p WHERE p.id = ANY($1)`, ids)
	if err != nil {
		return nil, fmt.Errorf("query products by id: %w", err)
	}
	list, err := pgx.CollectRows(rows, scanProduct)
	if err != nil {
		return nil, fmt.Errorf("read products by id: %w", err)
	}
	for _, p := range list {
		out[p.ID] = p
	}
	return out, nil
}

// ProductsBySlugs implements catalog.ProductService.
func (s *Store) ProductsBySlugs(ctx context.Context, slugs []string) (map[string]*catalog.Product, error) {
	out := make(map[string]*catalog.Product, len(slugs))
	if len(slugs) == 0 {
		return out, nil
	}
	rows, err := s.pool.Query(ctx, `SELECT `+productColumns+` FROM products p WHERE p.slug = ANY($1)`, slugs)
	if err != nil {
		return nil, fmt.Errorf("query products by slug: %w", err)
	}
	list, err := pgx.CollectRows(rows, scanProduct)
	if err != nil {
		return nil, fmt.Errorf("read products by slug: %w", err)
	}
	for _, p := range list {
		out[p.Slug] = p
	}
	return out, nil
}
