package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/jackc/pgx/v5"

	"github.com/shopgraph/shopgraph/subgraphs/catalog"
)

// Listings are built from parts: a tsquery for the search, one SQL condition per
// filter, and a numeric sort key per sort. Pages are keyset pages on (key, id),
// the key read back as text into the cursor, so a cursor compares exactly with
// the row it came from. Every value is a parameter; only fixed SQL from this file
// is ever spliced into the text.

// sqlArgs numbers the parameters of a statement as they are added.
type sqlArgs []any

func (a *sqlArgs) add(v any) string {
	*a = append(*a, v)
	return "$" + strconv.Itoa(len(*a))
}

// searchCTE returns "WITH q AS (...)" making the tsquery q.q of search: websearch
// syntax, with the last word also matching as a prefix while the shopper is still
// typing it. It returns "" when search is blank.
func searchCTE(a *sqlArgs, search string) string {
	search = strings.TrimSpace(search)
	if search == "" {
		return ""
	}
	runes := []rune(search)
	i := len(runes)
	for i > 0 && (unicode.IsLetter(runes[i-1]) || unicode.IsDigit(runes[i-1])) {
		i--
	}
	head, last := string(runes[:i]), string(runes[i:])
	// A word after - (negation) or inside quotes keeps its websearch meaning.
	if last == "" || (i > 0 && (runes[i-1] == '-' || runes[i-1] == '"')) || strings.Count(search, `"`)%2 == 1 {
		return `WITH q AS (SELECT websearch_to_tsquery('english', ` + a.add(search) + `) AS q) `
	}
	return `WITH q AS (SELECT CASE WHEN numnode(t.h) = 0 THEN t.x WHEN numnode(t.x) = 0 THEN t.h ELSE t.h && t.x END AS q
		FROM (SELECT websearch_to_tsquery('english', ` + a.add(head) + `) AS h,
		             to_tsquery('english', ` + a.add(last+":*") + `) AS x) t) `
}

// conditions are a filter's SQL conditions on products p, one per dimension; an
// empty string is no condition. Each reads the product row alone — the variant
// summary (in_stock, option_set, max_price_minor) that triggers keep on it
// (migration 007) — except the price filter's exact check, which looks up the
// variants of a product that passed everything else (OFFSET 0 keeps that an
// index lookup, not a hash of every variant).
type conditions struct {
	search, stock, category, price string
	options                        []string
	optionNames                    []string
}

// categoryCondition keeps the products of category id (an SQL expression) and,
// for a root, of its subcategories. It is written on root_category_id, which
// leads the sort indexes, so a listing walks only its root's entries.
func categoryCondition(id string) string {
	return "p.root_category_id = (SELECT coalesce(parent_id, id) FROM categories WHERE id = " + id + ") AND (p.category_id = " + id + " OR p.root_category_id = " + id + ")"
}

func filterConditions(a *sqlArgs, f catalog.ProductFilter) (conditions, error) {
	var c conditions
	if strings.TrimSpace(f.Search) != "" {
		c.search = "p.search @@ q.q"
	}
	if f.InStock {
		c.stock = "p.in_stock"
	}
	if f.CategoryID != 0 {
		c.category = categoryCondition(a.add(f.CategoryID))
	}
	if f.MinPrice != nil || f.MaxPrice != nil {
		var b strings.Builder
		// The bounds of the product's price range first (on the row; the maximum
		// written on products_price_idx's expression, so a price-sorted walk stops
		// at it), then whether one variant is priced inside.
		if f.MaxPrice != nil {
			b.WriteString("p.min_price_minor::numeric < " + a.add(*f.MaxPrice) + "::numeric AND ")
		}
		if f.MinPrice != nil {
			b.WriteString("p.max_price_minor >= " + a.add(*f.MinPrice) + " AND ")
		}
		b.WriteString("EXISTS (SELECT 1 FROM product_variants v WHERE v.product_id = p.id")
		if f.MinPrice != nil {
			b.WriteString(" AND v.price_minor >= " + a.add(*f.MinPrice))
		}
		if f.MaxPrice != nil {
			b.WriteString(" AND v.price_minor < " + a.add(*f.MaxPrice))
		}
		b.WriteString(" OFFSET 0)")
		c.price = b.String()
	}
	for _, o := range f.Options {
		// Each value as the one-element options array a variant's options contain.
		docs := make([]string, len(o.Values))
		for i, v := range o.Values {
			doc, err := json.Marshal([]catalog.Option{{Name: o.Name, Value: v}})
			if err != nil {
				return conditions{}, fmt.Errorf("option filter %q: %w", o.Name, err)
			}
			docs[i] = string(doc)
		}
		c.options = append(c.options, "p.option_set @> ANY("+a.add(docs)+"::jsonb[])")
		c.optionNames = append(c.optionNames, o.Name)
	}
	return c, nil
}

// and joins conditions, skipping empty ones; no condition is "true".
func and(conds ...string) string {
	var parts []string
	for _, c := range conds {
		if c != "" {
			parts = append(parts, "("+c+")")
		}
	}
	if len(parts) == 0 {
		return "true"
	}
	return strings.Join(parts, " AND ")
}

// cheapFirst is all the conditions, the most selective row checks first: an
// AND evaluates left to right, so most sampled products are ruled out before
// the price check reads their variants.
func (c conditions) cheapFirst() string {
	return and(append(append([]string{c.category, c.search, c.stock}, c.options...), c.price)...)
}

func (c conditions) all() string {
	return and(append([]string{c.search, c.stock, c.category, c.price}, c.options...)...)
}

// sortKey returns the numeric sort key of products p for sort and whether it
// sorts descending; ties sort by id in the same direction.
func sortKey(sort catalog.ProductSort, search bool) (string, bool) {
	switch sort {
	case catalog.SortRelevance:
		if search {
			return "ts_rank(p.search, q.q)::numeric", true
		}
	case catalog.SortPriceAsc:
		return "p.min_price_minor::numeric", false
	case catalog.SortPriceDesc:
		return "p.min_price_minor::numeric", true
	case catalog.SortRating:
		return "coalesce(p.rating_sum::numeric / nullif(p.rating_count, 0), 0)", true
	}
	// Seconds since 2000 from an interval: immutable, so an index can hold it
	// (extract from a timestamptz depends on the time zone setting).
	return "extract(epoch FROM p.created_at - timestamptz '2000-01-01 00:00:00+00')", true
}

// Counting at scale. An exact count or facet reads every matching product (and
// facets their variants): 3 to 8 s at a million products. So above
// countPolicy.exactUpTo products (the planner's row count of products, kept by
// ANALYZE and autovacuum) counts come from a sample of the table's pages when they
// are large, and stay exact when they are small:
//   - totalCount: a TABLESAMPLE SYSTEM of about sampleRows products (REPEATABLE, so
//     the same filter gives the same figure) estimates the matches; an estimate of
//     at least exactBelow is returned, rounded to two significant digits, and a
//     smaller one is replaced by the exact count;
//   - facets: the same sample, when the products the facets start from (those
//     passing the search and in-stock filters) are estimated at facetExactBelow or
//     more; each count is the sample's count scaled to the table, rounded.
// The demo catalog (2,000 products) is always counted exactly.

// countPolicy sets when counts are estimated; defaultCountPolicy is the one in use.
type countPolicy struct {
	// exactUpTo: catalogs of at most this many products are always counted exactly.
	exactUpTo int
	// sampleRows is about how many products a totalCount sample holds, and
	// facetSampleRows a facets sample (fewer: each reads the product's variants).
	sampleRows, facetSampleRows int
	// exactBelow: estimated totals below it are counted exactly instead.
	exactBelow int
	// rankBelow: a search estimated to match fewer is ranked exactly (every
	// match's ts_rank); a broader one is ordered by tiers (search_tiers.go).
	rankBelow int
	// facetExactBelow: facets over fewer estimated candidates are counted exactly.
	facetExactBelow int
}

func defaultCountPolicy() countPolicy {
	return countPolicy{exactUpTo: 100_000, sampleRows: 6_000, facetSampleRows: 3_000, exactBelow: 2_000, facetExactBelow: 2_000, rankBelow: 5_000}
}

// sizeCTE is the named subquery "sz" of the statement: the products table's row
// count as the planner knows it (-1 or 0 before the first ANALYZE, which counts as
// small) and the TABLESAMPLE SYSTEM percentage that samples about sampleRows
// products.
func sizeCTE(a *sqlArgs, pol countPolicy, sampleRows int) string {
	return `sz AS (SELECT c.reltuples AS total, c.reltuples > ` + a.add(pol.exactUpTo) + ` AS big,
		least(100, 100.0 * ` + a.add(sampleRows) + ` / greatest(c.reltuples, 1))::float4 AS pct
		FROM pg_class c WHERE c.oid = 'products'::regclass)`
}

// sampled is the FROM item of the products sample: the same pages for the same
// table, so counts are stable between requests.
const sampled = "products p TABLESAMPLE SYSTEM ((SELECT pct FROM sz)) REPEATABLE (20240201)"

// twoDigits rounds the SQL numeric expression x (at least 100) to two significant digits.
func twoDigits(x string) string {
	return "round(" + x + ", 1 - floor(log(greatest(" + x + ", 1)))::int)"
}

// ListProducts implements catalog.BrowseService: one statement for the page and the total.
func (s *Store) ListProducts(ctx context.Context, pq catalog.ProductQuery) (catalog.ProductPage, error) {
	pages, err := s.listProducts(ctx, pq, []int64{pq.Filter.CategoryID}, pq.Filter.CategoryID != 0)
	if err != nil {
		return catalog.ProductPage{}, err
	}
	return pages[0], nil
}

// ListCategoryProducts implements catalog.BrowseService: the same listing in each
// of many categories, in one statement.
func (s *Store) ListCategoryProducts(ctx context.Context, pq catalog.ProductQuery, categoryIDs []int64) ([]catalog.ProductPage, error) {
	if len(categoryIDs) == 0 {
		return nil, nil
	}
	return s.listProducts(ctx, pq, categoryIDs, true)
}

func (s *Store) listProducts(ctx context.Context, pq catalog.ProductQuery, cats []int64, byCategory bool) ([]catalog.ProductPage, error) {
	return s.listProductsCounted(ctx, pq, cats, byCategory, defaultCountPolicy())
}

// listProductsCounted runs a listing once per category in cats (byCategory false:
// once, without a category condition), each a lateral join on the unnested ids,
// with totals counted as pol says.
func (s *Store) listProductsCounted(ctx context.Context, pq catalog.ProductQuery, cats []int64, byCategory bool, pol countPolicy) ([]catalog.ProductPage, error) {
	var a sqlArgs
	catsParam := a.add(cats)
	with := searchCTE(&a, pq.Filter.Search)
	flt := pq.Filter
	flt.CategoryID = 0
	conds, err := filterConditions(&a, flt)
	if err != nil {
		return nil, err
	}
	if byCategory {
		conds.category = categoryCondition("k.cat")
	}
	from := "products p"
	if with != "" {
		from += " CROSS JOIN q"
	}
	key, desc := sortKey(pq.Sort, with != "")
	if pq.Backward {
		desc = !desc
	}
	dir, cmp := "ASC", ">"
	if desc {
		dir, cmp = "DESC", "<"
	}
	where := conds.all()
	if with == "" {
		with = "WITH "
	} else {
		with += ", "
	}
	with += sizeCTE(&a, pol, pol.sampleRows) + " "
	sample := sampled
	if strings.HasSuffix(from, " CROSS JOIN q") {
		sample += " CROSS JOIN q"
	}
	exactBelow := a.add(pol.exactBelow)
	// A broad search sorted by relevance is paged by tiers, after this
	// statement (search_tiers.go): it needs the estimates, of all matches and of
	// those whose name matches.
	tierable := conds.search != "" && pq.Sort == catalog.SortRelevance && !byCategory
	tiered, nameMatches := "false", "0"
	if tierable {
		tiered = "coalesce((SELECT big FROM sz) AND e.n >= " + a.add(pol.rankBelow) + ", false)"
		nameMatches = "count(*) FILTER (WHERE " + and(conds.cheapFirst(), "p.name_search @@ q.q") + ") * (SELECT total FROM sz)::numeric / greatest(count(*), 1)"
	}
	// t is the total, whether it is an estimate, and the tier estimates: the
	// sample is read only in a large catalog (its one-time filter), and the
	// exact count only when the estimate is small (a CASE branch runs only when
	// reached). OFFSET 0 keeps it a subquery run once per category, not once per
	// row.
	exact := `(SELECT count(*) FROM ` + from + ` WHERE ` + where + `)`
	totalSQL := `SELECT CASE WHEN x.est THEN x.rounded ELSE ` + exact + ` END AS total, x.tiered, x.n, x.n1
		FROM (SELECT coalesce((SELECT big FROM sz) AND e.n >= ` + exactBelow + `, false) AS est, ` + twoDigits("e.n") + `::bigint AS rounded,
		             ` + tiered + ` AS tiered, round(e.n)::bigint AS n, round(e.n1)::bigint AS n1
		      FROM (SELECT count(*) FILTER (WHERE ` + conds.cheapFirst() + `) * (SELECT total FROM sz)::numeric / greatest(count(*), 1) AS n,
		                   ` + nameMatches + ` AS n1
		            FROM ` + sample + ` WHERE (SELECT big FROM sz)) AS e) AS x`
	after := "true"
	if pq.After != nil {
		after = "(" + key + ", p.id) " + cmp + " (" + a.add(pq.After.Key) + "::numeric, " + a.add(pq.After.ID) + "::bigint)"
	}
	notTiered := ""
	if tierable {
		notTiered = "NOT t.tiered"
	}
	ids := `SELECT p.id, ` + key + ` AS k FROM ` + from + ` WHERE ` + and(where, notTiered, after) + `
				ORDER BY ` + key + ` ` + dir + `, p.id ` + dir + ` LIMIT ` + a.add(pq.Limit+1)
	query := with + `
		SELECT k.ord, t.total, t.tiered, t.n, t.n1, s.id, s.slug, s.name, s.description, s.created_at, s.category_id, s.k::text
		FROM unnest(` + catsParam + `::bigint[]) WITH ORDINALITY AS k(cat, ord)
		CROSS JOIN LATERAL (` + totalSQL + ` OFFSET 0) AS t
		LEFT JOIN LATERAL (
			-- The page's ids first, from the sort index alone when it covers the
			-- filter's columns, then their rows.
			SELECT d.id, d.slug, d.name, d.description, d.created_at, coalesce(d.category_id, 0) AS category_id, s.k
			FROM (` + ids + `) AS s JOIN products d ON d.id = s.id
		) AS s ON true
		ORDER BY k.ord, s.k ` + dir + `, s.id ` + dir
	rows, err := s.pool.Query(ctx, query, a...)
	if err != nil {
		return nil, fmt.Errorf("query product listing: %w", err)
	}
	pages := make([]catalog.ProductPage, len(cats))
	var (
		ord                                  int64
		total                                int
		isTiered                             bool
		est, nameEst                         int64
		tiers                                *tierEstimate
		id, categoryID                       *int64
		slug, name, description, sortKeyText *string
		createdAt                            *time.Time
	)
	_, err = pgx.ForEachRow(rows, []any{&ord, &total, &isTiered, &est, &nameEst, &id, &slug, &name, &description, &createdAt, &categoryID, &sortKeyText}, func() error {
		page := &pages[ord-1]
		page.Total = total
		if isTiered {
			tiers = &tierEstimate{matches: est, nameMatches: nameEst}
		}
		if id == nil {
			return nil
		}
		page.Products = append(page.Products, &catalog.Product{
			ID: *id, Slug: *slug, Name: *name, Description: *description, CreatedAt: *createdAt, CategoryID: *categoryID,
		})
		page.Cursors = append(page.Cursors, catalog.Cursor{Key: *sortKeyText, ID: *id})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read product listing: %w", err)
	}
	if tiers != nil {
		if err := s.tieredSearchPage(ctx, pq, *tiers, pol, &pages[0]); err != nil {
			return nil, err
		}
	}
	for i := range pages {
		page := &pages[i]
		if len(page.Products) > pq.Limit {
			page.Products, page.Cursors, page.More = page.Products[:pq.Limit], page.Cursors[:pq.Limit], true
		}
		if pq.Backward {
			slices.Reverse(page.Products)
			slices.Reverse(page.Cursors)
		}
	}
	return pages, nil
}

// ProductFacets implements catalog.BrowseService: one statement computes which
// dimensions' filters each candidate product passes, then counts every dimension
// over the products that pass all the other dimensions' filters. In a large
// catalog with many candidates the counts are estimated from a sample (see
// countPolicy).
func (s *Store) ProductFacets(ctx context.Context, f catalog.ProductFilter) (catalog.Facets, error) {
	return s.productFacets(ctx, f, defaultCountPolicy())
}

func (s *Store) productFacets(ctx context.Context, f catalog.ProductFilter, pol countPolicy) (catalog.Facets, error) {
	var a sqlArgs
	with := searchCTE(&a, f.Search)
	conds, err := filterConditions(&a, f)
	if err != nil {
		return catalog.Facets{}, err
	}
	from := "products p LEFT JOIN categories c ON c.id = p.category_id"
	if with != "" {
		from += " CROSS JOIN q"
	}
	var flags, optsOK, optsButSame strings.Builder
	optsOK.WriteString("true")
	optsButSame.WriteString("true")
	for i, cond := range conds.options {
		fmt.Fprintf(&flags, ", %s AS o%d", cond, i)
		fmt.Fprintf(&optsOK, " AND u.o%d", i)
		fmt.Fprintf(&optsButSame, " AND (u.o%d OR o.name = %s)", i, a.add(conds.optionNames[i]))
	}
	bands := catalog.PriceBands()
	lo, hi := make([]int64, len(bands)), make([]int64, len(bands))
	// contiguous: each band starts where the one before ends and the last is open,
	// so a price's band is its width_bucket over the bands' minimums.
	contiguous := len(bands) > 0 && bands[len(bands)-1].Max == 0
	for i, b := range bands {
		lo[i], hi[i] = b.Min, b.Max
		if i > 0 && bands[i-1].Max != b.Min {
			contiguous = false
		}
	}
	if with == "" {
		with = "WITH "
	} else {
		with += ", "
	}
	// mode.est: counting from the sample; mode.w: products per sampled product.
	sample := strings.Replace(from, "products p", sampled, 1)
	candidates := and(conds.search, conds.stock)
	with += sizeCTE(&a, pol, pol.facetSampleRows) + `, mode AS MATERIALIZED (
			SELECT coalesce(m.est, false) AS est, coalesce(m.w, 1) AS w
			FROM sz LEFT JOIN LATERAL (
				SELECT count(*) FILTER (WHERE ` + candidates + `) * sz.total / greatest(count(*), 1) >= ` + a.add(pol.facetExactBelow) + ` AS est,
				       (sz.total / greatest(count(*), 1))::numeric AS w
				FROM ` + sample + ` WHERE sz.big) AS m ON true), `
	cols := `p.id, p.category_id, c.parent_id, p.option_set,
			       ` + and(conds.category) + ` AS cat_ok, ` + and(conds.price) + ` AS price_ok` + flags.String()
	loP, hiP := a.add(lo), a.add(hi)
	// counts are the three facets over the candidates u with weights u.w.
	// Option values come from the product's option_set (each value once per
	// product). Price bands read the variants: exact counting (a small catalog or
	// few candidates) as the planner likes; counting a sample looks up each
	// sampled product's variants (lookup), because the planner, not knowing which
	// branch runs, would hash every variant of the table.
	// bandsFrom pairs each product of u with each price band one of its variants is
	// priced in: looking up the product's variants once (lookup, with contiguous
	// bands), or asking each band whether the product has a variant in it.
	bandsFrom := func(u string, lookup bool) string {
		if lookup && contiguous {
			return `
		FROM ` + u + ` AS u CROSS JOIN LATERAL (
			SELECT DISTINCT width_bucket(v.price_minor, ` + loP + `::bigint[]) AS ord
			FROM product_variants v WHERE v.product_id = u.id OFFSET 0) AS b
		WHERE u.cat_ok AND ` + optsOK.String() + ` AND b.ord > 0`
		}
		offset := ""
		if lookup {
			offset = " OFFSET 0"
		}
		return `
		FROM ` + u + ` AS u CROSS JOIN unnest(` + loP + `::bigint[], ` + hiP + `::bigint[]) WITH ORDINALITY AS b(lo, hi, ord)
		WHERE u.cat_ok AND ` + optsOK.String() + ` AND EXISTS (
			SELECT 1 FROM product_variants v
			WHERE v.product_id = u.id AND v.price_minor >= b.lo AND (b.hi = 0 OR v.price_minor < b.hi)` + offset + `)`
	}
	counts := func(u string, lookup bool) string {
		return `
		SELECT 'c', x.id::text, '', round(sum(u.w))::bigint
		FROM ` + u + ` AS u CROSS JOIN LATERAL unnest(ARRAY[u.category_id, u.parent_id]) AS x(id)
		WHERE u.price_ok AND ` + optsOK.String() + ` AND x.id IS NOT NULL
		GROUP BY x.id
		UNION ALL
		SELECT 'p', b.ord::text, '', round(sum(u.w))::bigint` + bandsFrom(u, lookup) + `
		GROUP BY b.ord
		UNION ALL
		SELECT 'o', o.name, o.value, round(count(*) * max(u.w))::bigint
		FROM ` + u + ` AS u CROSS JOIN LATERAL jsonb_to_recordset(u.option_set) AS o(name text, value text)
		WHERE u.cat_ok AND u.price_ok AND ` + optsButSame.String() + `
		GROUP BY o.name, o.value`
	}
	query := with + `e AS (
			SELECT ` + cols + `, 1::numeric AS w
			FROM ` + from + `
			WHERE ` + candidates + ` AND NOT (SELECT est FROM mode)
		), s AS (
			SELECT ` + cols + `, (SELECT w FROM mode) AS w
			FROM ` + sample + `
			WHERE ` + candidates + ` AND (SELECT est FROM mode)
		)` + counts("e", false) + `
		UNION ALL` + counts("s", true)
	rows, err := s.pool.Query(ctx, query, a...)
	if err != nil {
		return catalog.Facets{}, fmt.Errorf("query facets: %w", err)
	}
	out := catalog.Facets{PriceBands: make([]catalog.PriceBandCount, len(bands))}
	for i, b := range bands {
		out.PriceBands[i].PriceBand = b
	}
	var (
		kind, x, y string
		n          int
	)
	_, err = pgx.ForEachRow(rows, []any{&kind, &x, &y, &n}, func() error {
		switch kind {
		case "c":
			id, err := strconv.ParseInt(x, 10, 64)
			if err != nil {
				return err
			}
			out.Categories = append(out.Categories, catalog.CategoryCount{CategoryID: id, Count: n})
		case "p":
			i, err := strconv.Atoi(x)
			if err != nil || i < 1 || i > len(bands) {
				return fmt.Errorf("price band %q", x)
			}
			out.PriceBands[i-1].Count = n
		case "o":
			out.Options = append(out.Options, catalog.OptionValueCount{Name: x, Value: y, Count: n})
		}
		return nil
	})
	if err != nil {
		return catalog.Facets{}, fmt.Errorf("read facets: %w", err)
	}
	slices.SortFunc(out.Categories, func(a, b catalog.CategoryCount) int { return int(a.CategoryID - b.CategoryID) })
	slices.SortFunc(out.Options, func(a, b catalog.OptionValueCount) int {
		if c := strings.Compare(a.Name, b.Name); c != 0 {
			return c
		}
		if a.Count != b.Count {
			return b.Count - a.Count
		}
		return strings.Compare(a.Value, b.Value)
	})
	return out, nil
}

// RatingSummaries implements catalog.BrowseService.
func (s *Store) RatingSummaries(ctx context.Context, productIDs []int64) (map[int64]catalog.RatingSummary, error) {
	out := make(map[int64]catalog.RatingSummary, len(productIDs))
	if len(productIDs) == 0 {
		return out, nil
	}
	rows, err := s.pool.Query(ctx, `
		SELECT product_id, rating, count(*) FROM reviews
		WHERE product_id = ANY($1) GROUP BY product_id, rating`, productIDs)
	if err != nil {
		return nil, fmt.Errorf("query rating summaries: %w", err)
	}
	var (
		id     int64
		rating int
		n      int
	)
	_, err = pgx.ForEachRow(rows, []any{&id, &rating, &n}, func() error {
		if rating < 1 || rating > 5 {
			return fmt.Errorf("product %d: rating %d", id, rating)
		}
		r := out[id]
		r.Count += n
		r.Sum += n * rating
		r.Histogram[rating-1] += n
		out[id] = r
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read rating summaries: %w", err)
	}
	return out, nil
}

// SearchSuggestions implements catalog.BrowseService: products whose name (or,
// ranked lower, description) matches prefix as a search, and categories with a
// word of their name starting with prefix, in one statement.
func (s *Store) SearchSuggestions(ctx context.Context, prefix string, limit int) (catalog.Suggestions, error) {
	var out catalog.Suggestions
	prefix = strings.TrimSpace(prefix)
	if prefix == "" || limit <= 0 {
		return out, nil
	}
	var a sqlArgs
	with := searchCTE(&a, prefix)
	like := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(prefix)
	n := a.add(limit)
	query := with + `
		(SELECT 'p', p.id, p.slug, p.name, p.description, p.created_at, coalesce(p.category_id, 0)
		 FROM products p CROSS JOIN q WHERE p.search @@ q.q
		 ORDER BY ts_rank('{0, 0, 0.1, 1}', p.search, q.q) DESC, p.id LIMIT ` + n + `)
		UNION ALL
		(SELECT 'c', c.id, c.slug, c.name, '', now(), coalesce(c.parent_id, 0)
		 FROM categories c WHERE c.name ILIKE ` + a.add(like+"%") + ` OR c.name ILIKE ` + a.add("% "+like+"%") + `
		 ORDER BY c.parent_id NULLS FIRST, c.position, c.id LIMIT ` + n + `)`
	rows, err := s.pool.Query(ctx, query, a...)
	if err != nil {
		return out, fmt.Errorf("query search suggestions: %w", err)
	}
	var (
		kind, slug, name, description string
		id, other                     int64
		createdAt                     time.Time
	)
	_, err = pgx.ForEachRow(rows, []any{&kind, &id, &slug, &name, &description, &createdAt, &other}, func() error {
		if kind == "p" {
			out.Products = append(out.Products, &catalog.Product{ID: id, Slug: slug, Name: name, Description: description, CreatedAt: createdAt, CategoryID: other})
		} else {
			out.Categories = append(out.Categories, &catalog.Category{ID: id, ParentID: other, Slug: slug, Name: name})
		}
		return nil
	})
	if err != nil {
		return out, fmt.Errorf("read search suggestions: %w", err)
	}
	return out, nil
}
