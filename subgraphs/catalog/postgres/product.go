package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/shopgraph/shopgraph/subgraphs/catalog"
)

const productColumns = "p.id, p.slug, p.name, p.description, p.created_at"

func scanProduct(row pgx.CollectableRow) (*catalog.Product, error) {
	var p catalog.Product
	err := row.Scan(&p.ID, &p.Slug, &p.Name, &p.Description, &p.CreatedAt)
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

// ListProducts implements catalog.ProductService: keyset paging on id, with the
// total counted in the same statement.
func (s *Store) ListProducts(ctx context.Context, page catalog.Page) (catalog.ProductList, error) {
	// The LEFT JOIN keeps the count row when the page is empty.
	rows, err := s.pool.Query(ctx, `
		SELECT t.total, p.id, p.slug, p.name, p.description, p.created_at
		FROM (SELECT count(*) AS total FROM products) AS t
		LEFT JOIN LATERAL (
			SELECT * FROM products WHERE id > $1 ORDER BY id LIMIT $2
		) AS p ON true
		ORDER BY p.id`, page.After, page.First+1)
	if err != nil {
		return catalog.ProductList{}, fmt.Errorf("query products page: %w", err)
	}
	var list catalog.ProductList
	var (
		id                      *int64
		slug, name, description *string
		createdAt               *time.Time
	)
	_, err = pgx.ForEachRow(rows, []any{&list.Total, &id, &slug, &name, &description, &createdAt}, func() error {
		if id == nil {
			return nil
		}
		list.Products = append(list.Products, &catalog.Product{
			ID: *id, Slug: *slug, Name: *name, Description: *description, CreatedAt: *createdAt,
		})
		return nil
	})
	if err != nil {
		return catalog.ProductList{}, fmt.Errorf("read products page: %w", err)
	}
	if len(list.Products) > page.First {
		list.Products, list.HasNext = list.Products[:page.First], true
	}
	return list, nil
}
