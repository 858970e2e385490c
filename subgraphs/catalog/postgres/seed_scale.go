package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/shopgraph/shopgraph/subgraphs/catalog"
)

// Scale seeding grows the demo catalog to any size for measurements: the demo
// catalog first (Seed), then more products from the same generator, with COPY
// in batches of ScaleBatch products, each batch its own transaction.
const (
	// ScaleBatch is how many products one batch of SeedScale copies.
	ScaleBatch = 20000
	// ScaleReviewsPerProduct is the mean number of reviews per product SeedScale
	// adds beyond the demo catalog: 0 to 4 each. Fewer than the demo catalog's 10,
	// to keep a million products to minutes; listings read only the rating
	// figures kept on products, which reviews of any number fill the same way.
	ScaleReviewsPerProduct = 2
)

// SeedScale makes the catalog hold n products: the demo catalog (Seed), then
// products with the next ids from the same deterministic generator, their 1-4
// variants and 0-4 reviews each, until there are n. It does nothing when there are
// n products already, and a run stopped half-way continues where it stopped.
// Products beyond the demo catalog are listed every 30 seconds after its last one.
//
// When the database user is a superuser, each batch runs with
// session_replication_role = replica, which skips the triggers that keep
// products' price and rating figures and listing summary (the batch writes
// them itself) and the foreign-key checks (the
// generator's rows are consistent); otherwise the triggers do that work and the
// seed is slower.
func SeedScale(ctx context.Context, pool *pgxpool.Pool, n int, logger *slog.Logger) error {
	if err := Seed(ctx, pool); err != nil {
		return err
	}
	if n <= SeedProductCount {
		return nil
	}
	categoryIDs := map[string]int64{}
	parents := map[int64]int64{} // category id -> its root's id, for subcategories
	rows, err := pool.Query(ctx, "SELECT slug, id, coalesce(parent_id, 0) FROM categories")
	if err != nil {
		return fmt.Errorf("seed scale: categories: %w", err)
	}
	var (
		slug       string
		id, parent int64
	)
	if _, err := pgx.ForEachRow(rows, []any{&slug, &id, &parent}, func() error {
		categoryIDs[slug] = id
		if parent != 0 {
			parents[id] = parent
		}
		return nil
	}); err != nil {
		return fmt.Errorf("seed scale: categories: %w", err)
	}
	fams := families()
	start := time.Now()
	added := 0
	for {
		k, err := seedScaleBatch(ctx, pool, fams, categoryIDs, parents, n)
		if err != nil {
			return err
		}
		if k == 0 {
			break
		}
		added += k
		logger.Info("seed scale: batch copied", "products", added, "elapsed", time.Since(start).Round(time.Millisecond))
	}
	if added == 0 {
		return nil
	}
	for _, t := range []string{"products", "product_variants", "reviews"} {
		if _, err := pool.Exec(ctx, fmt.Sprintf(
			"SELECT setval(pg_get_serial_sequence('%[1]s', 'id'), greatest((SELECT max(id) FROM %[1]s), 1))", t)); err != nil {
			return fmt.Errorf("seed scale: advance %s ids: %w", t, err)
		}
	}
	if _, err := pool.Exec(ctx, "VACUUM (ANALYZE) categories, products, product_variants, reviews"); err != nil {
		return fmt.Errorf("seed scale: vacuum analyze: %w", err)
	}
	logger.Info("seed scale: done", "added", added, "elapsed", time.Since(start).Round(time.Millisecond))
	return nil
}

// seedScaleBatch copies the next batch of at most ScaleBatch products towards n in
// one transaction and returns how many it copied: 0 once there are n.
func seedScaleBatch(ctx context.Context, pool *pgxpool.Pool, fams []family, categoryIDs map[string]int64, parents map[int64]int64, n int) (int, error) {
	tx, err := pool.Begin(ctx)
	if err != nil {
		return 0, fmt.Errorf("seed scale: begin: %w", err)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", seedLock); err != nil {
		return 0, fmt.Errorf("seed scale: lock: %w", err)
	}
	var (
		count                             int
		maxProduct, maxVariant, maxReview int64
		superuser                         bool
	)
	if err := tx.QueryRow(ctx, `SELECT (SELECT count(*) FROM products), (SELECT coalesce(max(id), 0) FROM products),
		(SELECT coalesce(max(id), 0) FROM product_variants), (SELECT coalesce(max(id), 0) FROM reviews),
		current_setting('is_superuser') = 'on'`).Scan(&count, &maxProduct, &maxVariant, &maxReview, &superuser); err != nil {
		return 0, fmt.Errorf("seed scale: check: %w", err)
	}
	k := min(ScaleBatch, n-count)
	if k <= 0 {
		return 0, nil
	}
	if superuser {
		if _, err := tx.Exec(ctx, "SET LOCAL session_replication_role = replica"); err != nil {
			return 0, fmt.Errorf("seed scale: skip triggers: %w", err)
		}
	}
	products := make([][]any, 0, k)
	variants := make([][]any, 0, k*3)
	reviews := make([][]any, 0, k*ScaleReviewsPerProduct)
	for j := range k {
		i := int(maxProduct) + j // product id i+1
		product, vs, err := productRows(fams, categoryIDs, i, maxVariant+1)
		if err != nil {
			return 0, fmt.Errorf("seed scale: %w", err)
		}
		maxVariant += int64(len(vs))
		minPrice, sum, err := variantSummary(vs)
		if err != nil {
			return 0, fmt.Errorf("seed scale: %w", err)
		}
		root := product[5].(int64)
		if parent := parents[root]; parent != 0 {
			root = parent
		}
		// Reviews from the product's own stream, so a product's reviews do not depend
		// on the batch it falls in.
		rng := rand.New(rand.NewPCG(uint64(i+1), 0x2e71e3))
		created := product[4].(time.Time)
		var ratingCount, ratingSum int
		authors := reviewAuthors{users: SeedUserCount}
		for range min(rng.IntN(2*ScaleReviewsPerProduct+1), SeedUserCount) {
			maxReview++
			rating := 5 - min(rng.IntN(8), 4)
			texts := reviewTexts[rating-1]
			text := texts[rng.IntN(len(texts))]
			author, _ := authors.pick(0, rng.IntN(SeedUserCount))
			at := created.Add(time.Duration(1+rng.IntN(24*90)) * time.Hour)
			reviews = append(reviews, []any{maxReview, product[0], author, rating, text.title, text.body, at})
			ratingCount++
			ratingSum += rating
		}
		products = append(products, append(product, minPrice, ratingCount, ratingSum, root, sum.maxPrice, sum.inStock, sum.options))
		variants = append(variants, vs...)
	}
	tables := []struct {
		name    string
		columns []string
		rows    [][]any
	}{
		{"products", []string{"id", "slug", "name", "description", "created_at", "category_id",
			"min_price_minor", "rating_count", "rating_sum", "root_category_id", "max_price_minor", "in_stock", "option_set"}, products},
		{"product_variants", []string{"id", "product_id", "sku", "name", "options", "price_minor", "currency",
			"compare_at_minor", "weight_grams", "position", "stock_on_hand"}, variants},
		{"reviews", []string{"id", "product_id", "author_id", "rating", "title", "body", "created_at"}, reviews},
	}
	for _, t := range tables {
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{t.name}, t.columns, pgx.CopyFromRows(t.rows)); err != nil {
			return 0, fmt.Errorf("seed scale: copy %s: %w", t.name, err)
		}
	}

	if err := tx.Commit(ctx); err != nil {
		return 0, fmt.Errorf("seed scale: commit: %w", err)
	}
	return k, nil
}

// summary is what the listing triggers (migration 007) would write for a
// product, computed from its generated variant rows.
type summary struct {
	maxPrice int64
	inStock  bool
	options  string // option_set: the distinct options, as JSON
}

// variantSummary returns a product's minimum price and listing summary from
// its variant rows (as productRows makes them).
func variantSummary(vs [][]any) (int64, summary, error) {
	minPrice := vs[0][5].(int64)
	sum := summary{maxPrice: minPrice}
	seen := map[catalog.Option]bool{}
	distinct := []catalog.Option{}
	for _, v := range vs {
		price := v[5].(int64)
		minPrice, sum.maxPrice = min(minPrice, price), max(sum.maxPrice, price)
		if v[10].(int) > 0 {
			sum.inStock = true
		}
		var opts []catalog.Option
		if err := json.Unmarshal([]byte(v[4].(string)), &opts); err != nil {
			return 0, summary{}, fmt.Errorf("options of variant %v: %w", v[0], err)
		}
		for _, o := range opts {
			if !seen[o] {
				seen[o] = true
				distinct = append(distinct, o)
			}
		}
	}
	raw, err := json.Marshal(distinct)
	if err != nil {
		return 0, summary{}, fmt.Errorf("option set: %w", err)
	}
	sum.options = string(raw)
	return minPrice, sum, nil
}
