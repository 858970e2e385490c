package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/shopgraph/shopgraph/subgraphs/catalog"
)

const categoryColumns = "c.id, coalesce(c.parent_id, 0), c.slug, c.name"

func scanCategory(row pgx.CollectableRow) (*catalog.Category, error) {
	var c catalog.Category
	err := row.Scan(&c.ID, &c.ParentID, &c.Slug, &c.Name)
	return &c, err
}

func (s *Store) categories(ctx context.Context, where string, arg any) ([]*catalog.Category, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+categoryColumns+` FROM categories c WHERE `+where+
		` ORDER BY c.parent_id NULLS FIRST, c.position, c.id`, arg)
	if err != nil {
		return nil, fmt.Errorf("query categories: %w", err)
	}
	list, err := pgx.CollectRows(rows, scanCategory)
	if err != nil {
		return nil, fmt.Errorf("read categories: %w", err)
	}
	return list, nil
}

// CategoriesByIDs implements catalog.CategoryService.
func (s *Store) CategoriesByIDs(ctx context.Context, ids []int64) (map[int64]*catalog.Category, error) {
	out := make(map[int64]*catalog.Category, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	list, err := s.categories(ctx, "c.id = ANY($1)", ids)
	if err != nil {
		return nil, err
	}
	for _, c := range list {
		out[c.ID] = c
	}
	return out, nil
}

// CategoriesBySlugs implements catalog.CategoryService.
func (s *Store) CategoriesBySlugs(ctx context.Context, slugs []string) (map[string]*catalog.Category, error) {
	out := make(map[string]*catalog.Category, len(slugs))
	if len(slugs) == 0 {
		return out, nil
	}
	list, err := s.categories(ctx, "c.slug = ANY($1)", slugs)
	if err != nil {
		return nil, err
	}
	for _, c := range list {
		out[c.Slug] = c
	}
	return out, nil
}

// CategoryChildren implements catalog.CategoryService.
func (s *Store) CategoryChildren(ctx context.Context, parentIDs []int64) (map[int64][]*catalog.Category, error) {
	out := make(map[int64][]*catalog.Category, len(parentIDs))
	if len(parentIDs) == 0 {
		return out, nil
	}
	list, err := s.categories(ctx, "coalesce(c.parent_id, 0) = ANY($1)", parentIDs)
	if err != nil {
		return nil, err
	}
	for _, c := range list {
		out[c.ParentID] = append(out[c.ParentID], c)
	}
	return out, nil
}
