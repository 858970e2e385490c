package postgres

import (
	"log/slog"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/shopgraph/shopgraph/internal/pg/pgtest"
)

// TestSeedScale grows two databases to the same size: the same rows, kept figures
// that agree with the rows, and a second run that adds nothing.
func TestSeedScale(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	const n = SeedProductCount + 700
	logger := slog.New(slog.DiscardHandler)
	digest := func(pool *pgxpool.Pool) string {
		t.Helper()
		var d string
		err := pool.QueryRow(ctx, `SELECT
			(SELECT md5(string_agg(p::text, ',' ORDER BY p.id)) FROM products p) ||
			(SELECT md5(string_agg(v::text, ',' ORDER BY v.id)) FROM product_variants v) ||
			(SELECT md5(string_agg(r::text, ',' ORDER BY r.id)) FROM reviews r)`).Scan(&d)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	var digests []string
	for range 2 {
		pool := pgtest.New(t, Migrations())
		if err := SeedScale(ctx, pool, n, logger); err != nil {
			t.Fatal(err)
		}
		var products, slugs, lastID, badPrice, badRating, missingVariants int
		err := pool.QueryRow(ctx, `SELECT count(*), count(DISTINCT slug), max(id),
			count(*) FILTER (WHERE min_price_minor <> (SELECT min(price_minor) FROM product_variants v WHERE v.product_id = p.id)),
			count(*) FILTER (WHERE (rating_count, rating_sum) <> (SELECT count(*), coalesce(sum(rating), 0) FROM reviews r WHERE r.product_id = p.id)),
			count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM product_variants v WHERE v.product_id = p.id))
			FROM products p`).Scan(&products, &slugs, &lastID, &badPrice, &badRating, &missingVariants)
		if err != nil {
			t.Fatal(err)
		}
		// The listing summary (migration 007) agrees with the variants.
		var badSummary int
		err = pool.QueryRow(ctx, `SELECT count(*) FROM products p CROSS JOIN LATERAL (
				SELECT coalesce(jsonb_agg(o), '[]') AS opts FROM product_variants v, jsonb_array_elements(v.options) o WHERE v.product_id = p.id) x
			WHERE
			root_category_id IS DISTINCT FROM (SELECT coalesce(parent_id, id) FROM categories c WHERE c.id = p.category_id)
			OR in_stock <> EXISTS (SELECT 1 FROM product_variants v WHERE v.product_id = p.id AND v.stock_on_hand > v.stock_reserved)
			OR max_price_minor <> (SELECT max(price_minor) FROM product_variants v WHERE v.product_id = p.id)
			OR NOT (option_set @> x.opts AND x.opts @> option_set)`).Scan(&badSummary)
		if badSummary != 0 {
			t.Errorf("%d products with a wrong listing summary", badSummary)
		}
		if err != nil {
			t.Fatal(err)
		}
		if products != n || slugs != n || lastID != n || badPrice != 0 || badRating != 0 || missingVariants != 0 {
			t.Fatalf("products %d, slugs %d, last id %d, wrong min price %d, wrong rating %d, without variants %d; want %d, %d, %d, 0, 0, 0",
				products, slugs, lastID, badPrice, badRating, missingVariants, n, n, n)
		}
		before := digest(pool)
		if err := SeedScale(ctx, pool, n, logger); err != nil {
			t.Fatal(err)
		}
		if err := SeedScale(ctx, pool, SeedProductCount, logger); err != nil {
			t.Fatal(err)
		}
		if digest(pool) != before {
			t.Fatal("seeding again changed the catalog")
		}
		// New rows get ids after the seeded ones.
		var next int64
		if err := pool.QueryRow(ctx, `INSERT INTO products (slug, name) VALUES ('after-seed', 'After') RETURNING id`).Scan(&next); err != nil {
			t.Fatal(err)
		}
		if next != n+1 {
			t.Errorf("next product id %d, want %d", next, n+1)
		}
		if _, err := pool.Exec(ctx, `DELETE FROM products WHERE id = $1`, next); err != nil {
			t.Fatal(err)
		}
		digests = append(digests, digest(pool))
	}
	if digests[0] != digests[1] {
		t.Error("two databases seeded to the same size differ")
	}
}

// TestSeedScaleKeepsTheDemoCatalog checks that the demo catalog's products stay
// what Seed makes, so that a scaled catalog still has every demo page.
func TestSeedScaleKeepsTheDemoCatalog(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	demo := pgtest.New(t, Migrations())
	if err := Seed(ctx, demo); err != nil {
		t.Fatal(err)
	}
	scaled := pgtest.New(t, Migrations())
	if err := SeedScale(ctx, scaled, SeedProductCount+10, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatal(err)
	}
	q := `SELECT md5(string_agg(p::text, ',' ORDER BY p.id)) FROM products p WHERE id <= $1`
	var a, b string
	if err := demo.QueryRow(ctx, q, SeedProductCount).Scan(&a); err != nil {
		t.Fatal(err)
	}
	if err := scaled.QueryRow(ctx, q, SeedProductCount).Scan(&b); err != nil {
		t.Fatal(err)
	}
	if a != b {
		t.Error("scaling changed the demo catalog's products")
	}
}
