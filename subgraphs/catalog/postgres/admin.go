package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/shopgraph/shopgraph/subgraphs/catalog"
)

// Every admin write runs in one transaction; a refusal is a *catalog.InputError
// and rolls it back. Uniqueness (slugs, SKUs) is left to the unique indexes, so
// that two admins creating the same slug at once get TAKEN, not a fault.

func fieldErr(code string, field []string, format string, args ...any) error {
	return catalog.Invalid(catalog.FieldError{Code: code, Field: field, Message: fmt.Sprintf(format, args...)})
}

// isUnique tells whether err is a duplicate key of the named constraint.
func isUnique(err error, constraint string) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == uniqueViolation && pgErr.ConstraintName == constraint
}

// checkCategory refuses a category id that does not exist (0, none, passes).
func checkCategory(ctx context.Context, tx pgx.Tx, id int64, field []string) error {
	if id == 0 {
		return nil
	}
	var ok bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM categories WHERE id = $1)`, id).Scan(&ok); err != nil {
		return fmt.Errorf("check category %d: %w", id, err)
	}
	if !ok {
		return fieldErr(catalog.CodeNotFound, field, "no such category")
	}
	return nil
}

// CreateCategory implements catalog.AdminService: a root, or a subcategory of
// a root, placed after its siblings.
func (s *Store) CreateCategory(ctx context.Context, in catalog.NewCategory) (*catalog.Category, error) {
	in.Name = strings.TrimSpace(in.Name)
	if err := catalog.Invalid(in.Validate()...); err != nil {
		return nil, err
	}
	var c *catalog.Category
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if in.ParentID != 0 {
			var grandparent *int64
			err := tx.QueryRow(ctx, `SELECT parent_id FROM categories WHERE id = $1 FOR SHARE`, in.ParentID).Scan(&grandparent)
			switch {
			case errors.Is(err, pgx.ErrNoRows):
				return fieldErr(catalog.CodeNotFound, []string{"parentId"}, "no such category")
			case err != nil:
				return fmt.Errorf("read parent category %d: %w", in.ParentID, err)
			case grandparent != nil:
				return fieldErr(catalog.CodeNotRoot, []string{"parentId"}, "the parent must be a root category: the tree has two levels")
			}
		}
		rows, err := tx.Query(ctx, `
			INSERT INTO categories AS c (parent_id, slug, name, position)
			VALUES (nullif($1::bigint, 0), $2, $3, (SELECT coalesce(max(position) + 1, 0) FROM categories WHERE parent_id IS NOT DISTINCT FROM nullif($1::bigint, 0)))
			ON CONFLICT (slug) DO NOTHING
			RETURNING `+categoryColumns, in.ParentID, in.Slug, in.Name)
		if err != nil {
			return fmt.Errorf("insert category: %w", err)
		}
		list, err := pgx.CollectRows(rows, scanCategory)
		if err != nil {
			return fmt.Errorf("insert category: %w", err)
		}
		if len(list) == 0 {
			return fieldErr(catalog.CodeTaken, []string{"slug"}, "slug %q is taken", in.Slug)
		}
		c = list[0]
		return nil
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// CreateProduct implements catalog.AdminService: the product and its variants,
// all in one transaction, the variants with one statement.
func (s *Store) CreateProduct(ctx context.Context, in catalog.NewProduct) (*catalog.Product, error) {
	in.Name, in.Description = strings.TrimSpace(in.Name), strings.TrimSpace(in.Description)
	if err := catalog.Invalid(in.Validate()...); err != nil {
		return nil, err
	}
	var p *catalog.Product
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if err := checkCategory(ctx, tx, in.CategoryID, []string{"categoryId"}); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `
			INSERT INTO products AS p (slug, name, description, category_id)
			VALUES ($1, $2, $3, nullif($4::bigint, 0))
			ON CONFLICT (slug) DO NOTHING
			RETURNING `+productColumns, in.Slug, in.Name, in.Description, in.CategoryID)
		if err != nil {
			return fmt.Errorf("insert product: %w", err)
		}
		list, err := pgx.CollectRows(rows, scanProduct)
		if err != nil {
			return fmt.Errorf("insert product: %w", err)
		}
		if len(list) == 0 {
			return fieldErr(catalog.CodeTaken, []string{"slug"}, "slug %q is taken", in.Slug)
		}
		p = list[0]
		return insertVariants(ctx, tx, p.ID, 0, in.Variants, func(i int) []string { return []string{"variants", strconv.Itoa(i), "sku"} })
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// insertVariants adds variants to a product from position first on, with one
// statement; a SKU in use is TAKEN at skuField(i) of its variant.
func insertVariants(ctx context.Context, tx pgx.Tx, productID int64, first int, vs []catalog.NewVariant, skuField func(int) []string) error {
	n := len(vs)
	skus, names, options, currencies := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	prices, compareAts := make([]int64, n), make([]*int64, n)
	weights, positions, stock := make([]int32, n), make([]int32, n), make([]int32, n)
	for i, v := range vs {
		opts := make([]catalog.Option, len(v.Options))
		for j, o := range v.Options {
			opts[j] = catalog.Option{Name: strings.TrimSpace(o.Name), Value: strings.TrimSpace(o.Value)}
		}
		b, err := json.Marshal(opts)
		if err != nil {
			return fmt.Errorf("encode options: %w", err)
		}
		skus[i], names[i], options[i], currencies[i] = v.SKU, catalog.VariantName(opts), string(b), v.Currency
		prices[i], compareAts[i] = v.Price, v.CompareAt
		weights[i], positions[i], stock[i] = int32(v.Weight), int32(first+i), int32(v.StockOnHand)
	}
	rows, err := tx.Query(ctx, `
		INSERT INTO product_variants (product_id, sku, name, options, price_minor, currency, compare_at_minor, weight_grams, position, stock_on_hand)
		SELECT $1, sku, name, options::jsonb, price, currency, compare_at, weight, position, stock
		FROM unnest($2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[], $7::bigint[], $8::int[], $9::int[], $10::int[])
			AS u(sku, name, options, price, currency, compare_at, weight, position, stock)
		ON CONFLICT (sku) DO NOTHING
		RETURNING sku`, productID, skus, names, options, prices, currencies, compareAts, weights, positions, stock)
	if err != nil {
		return fmt.Errorf("insert variants of product %d: %w", productID, err)
	}
	inserted, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return fmt.Errorf("insert variants of product %d: %w", productID, err)
	}
	if len(inserted) == n {
		return nil
	}
	done := map[string]bool{}
	for _, sku := range inserted {
		done[sku] = true
	}
	var errs []catalog.FieldError
	for i, v := range vs {
		if !done[v.SKU] {
			errs = append(errs, catalog.FieldError{Code: catalog.CodeTaken, Field: skuField(i), Message: fmt.Sprintf("SKU %q is taken", v.SKU)})
		}
	}
	return catalog.Invalid(errs...)
}

// UpdateProduct implements catalog.AdminService.
func (s *Store) UpdateProduct(ctx context.Context, id int64, in catalog.ProductUpdate) (*catalog.Product, error) {
	for _, t := range []*string{in.Name, in.Description} {
		if t != nil {
			*t = strings.TrimSpace(*t)
		}
	}
	if err := catalog.Invalid(in.Validate()...); err != nil {
		return nil, err
	}
	var p *catalog.Product
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var category int64
		if in.CategoryID != nil {
			category = *in.CategoryID
			if err := checkCategory(ctx, tx, category, []string{"categoryId"}); err != nil {
				return err
			}
		}
		rows, err := tx.Query(ctx, `
			UPDATE products AS p SET
				slug = coalesce($2, p.slug),
				name = coalesce($3, p.name),
				description = coalesce($4, p.description),
				category_id = CASE WHEN $5 THEN nullif($6::bigint, 0) ELSE p.category_id END
			WHERE p.id = $1
			RETURNING `+productColumns, id, in.Slug, in.Name, in.Description, in.CategoryID != nil, category)
		if err != nil {
			return fmt.Errorf("update product %d: %w", id, err)
		}
		list, err := pgx.CollectRows(rows, scanProduct)
		switch {
		case isUnique(err, "products_slug_key"):
			return fieldErr(catalog.CodeTaken, []string{"slug"}, "slug %q is taken", *in.Slug)
		case err != nil:
			return fmt.Errorf("update product %d: %w", id, err)
		case len(list) == 0:
			return fieldErr(catalog.CodeNotFound, []string{"id"}, "no such product")
		}
		p = list[0]
		return nil
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// CreateVariant implements catalog.AdminService: the variant goes last, with
// the product's option names, other values than its siblings', and their currency.
// The product row is locked so that two variants created at once are checked
// against each other.
func (s *Store) CreateVariant(ctx context.Context, in catalog.NewVariant) (*catalog.Variant, error) {
	if err := catalog.Invalid(in.Validate()...); err != nil {
		return nil, err
	}
	var v *catalog.Variant
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var found bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM products WHERE id = $1 FOR UPDATE)`, in.ProductID).Scan(&found); err != nil {
			return fmt.Errorf("lock product %d: %w", in.ProductID, err)
		}
		if !found {
			return fieldErr(catalog.CodeNotFound, []string{"productId"}, "no such product")
		}
		rows, err := tx.Query(ctx, `SELECT `+variantColumns+` FROM product_variants v WHERE v.product_id = $1 ORDER BY v.position, v.id`, in.ProductID)
		if err != nil {
			return fmt.Errorf("read variants of product %d: %w", in.ProductID, err)
		}
		siblings, err := pgx.CollectRows(rows, scanVariant)
		if err != nil {
			return fmt.Errorf("read variants of product %d: %w", in.ProductID, err)
		}
		existing := make([][]catalog.Option, len(siblings))
		for i, sib := range siblings {
			existing[i] = sib.Options
		}
		var errs []catalog.FieldError
		if len(siblings) > 0 && siblings[0].Currency != in.Currency {
			errs = append(errs, catalog.FieldError{Code: catalog.CodeInvalid, Field: []string{"currencyCode"},
				Message: "every variant of a product has the same currency, " + siblings[0].Currency})
		}
		if fe := catalog.CheckOptionsFit([]string{"options"}, in.Options, existing); fe != nil {
			errs = append(errs, *fe)
		}
		if err := catalog.Invalid(errs...); err != nil {
			return err
		}
		if err := insertVariants(ctx, tx, in.ProductID, len(siblings), []catalog.NewVariant{in}, func(int) []string { return []string{"sku"} }); err != nil {
			return err
		}
		rows, err = tx.Query(ctx, `SELECT `+variantColumns+` FROM product_variants v WHERE v.sku = $1`, in.SKU)
		if err != nil {
			return fmt.Errorf("read variant %s: %w", in.SKU, err)
		}
		v, err = pgx.CollectExactlyOneRow(rows, scanVariant)
		if err != nil {
			return fmt.Errorf("read variant %s: %w", in.SKU, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return v, nil
}

// UpdateVariant implements catalog.AdminService; the prices are checked as
// they will be, after the change.
func (s *Store) UpdateVariant(ctx context.Context, id int64, in catalog.VariantUpdate) (*catalog.Variant, error) {
	if err := catalog.Invalid(in.Validate()...); err != nil {
		return nil, err
	}
	var v *catalog.Variant
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+variantColumns+` FROM product_variants v WHERE v.id = $1 FOR UPDATE`, id)
		if err != nil {
			return fmt.Errorf("read variant %d: %w", id, err)
		}
		list, err := pgx.CollectRows(rows, scanVariant)
		if err != nil {
			return fmt.Errorf("read variant %d: %w", id, err)
		}
		if len(list) == 0 {
			return fieldErr(catalog.CodeNotFound, []string{"id"}, "no such variant")
		}
		next := in.Apply(*list[0])
		if err := catalog.Invalid(catalog.CheckPrices(nil, next.Price, next.CompareAt)...); err != nil {
			return err
		}
		if in.Options != nil {
			if err := checkSiblingOptions(ctx, tx, next); err != nil {
				return err
			}
		}
		options, err := json.Marshal(next.Options)
		if err != nil {
			return fmt.Errorf("encode options of variant %d: %w", id, err)
		}
		rows, err = tx.Query(ctx, `
			UPDATE product_variants v SET sku = $2, price_minor = $3, compare_at_minor = $4, weight_grams = $5, options = $6
			WHERE v.id = $1
			RETURNING `+variantColumns, id, next.SKU, next.Price, next.CompareAt, next.Weight, options)
		if err != nil {
			return fmt.Errorf("update variant %d: %w", id, err)
		}
		v, err = pgx.CollectExactlyOneRow(rows, scanVariant)
		switch {
		case isUnique(err, "product_variants_sku_key"):
			return fieldErr(catalog.CodeTaken, []string{"sku"}, "SKU %q is taken", next.SKU)
		case err != nil:
			return fmt.Errorf("update variant %d: %w", id, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return v, nil
}

// checkSiblingOptions checks v's new options against the product's other
// variants, with the product's row locked so that two changes cannot both take
// one combination.
func checkSiblingOptions(ctx context.Context, tx pgx.Tx, v catalog.Variant) error {
	if _, err := tx.Exec(ctx, `SELECT 1 FROM products WHERE id = $1 FOR UPDATE`, v.ProductID); err != nil {
		return fmt.Errorf("lock product %d: %w", v.ProductID, err)
	}
	rows, err := tx.Query(ctx, `SELECT `+variantColumns+` FROM product_variants v WHERE v.product_id = $1 AND v.id <> $2`, v.ProductID, v.ID)
	if err != nil {
		return fmt.Errorf("read variants of product %d: %w", v.ProductID, err)
	}
	siblings, err := pgx.CollectRows(rows, scanVariant)
	if err != nil {
		return fmt.Errorf("read variants of product %d: %w", v.ProductID, err)
	}
	others := make([][]catalog.Option, len(siblings))
	for i, sib := range siblings {
		others[i] = sib.Options
	}
	if fe := catalog.CheckOptionsFit([]string{"options"}, v.Options, others); fe != nil {
		return catalog.Invalid(*fe)
	}
	return nil
}

// SetStock implements catalog.AdminService with one guarded UPDATE, so that it
// never races a reservation below what is held.
func (s *Store) SetStock(ctx context.Context, variantID int64, onHand int) (*catalog.Variant, error) {
	if onHand < 0 {
		return nil, fieldErr(catalog.CodeNegative, []string{"onHand"}, "stock on hand must not be negative, got %d", onHand)
	}
	rows, err := s.pool.Query(ctx, `
		UPDATE product_variants v SET stock_on_hand = $2
		WHERE v.id = $1 AND v.stock_reserved <= $2
		RETURNING `+variantColumns, variantID, onHand)
	if err != nil {
		return nil, fmt.Errorf("set stock of variant %d: %w", variantID, err)
	}
	list, err := pgx.CollectRows(rows, scanVariant)
	if err != nil {
		return nil, fmt.Errorf("set stock of variant %d: %w", variantID, err)
	}
	if len(list) == 1 {
		return list[0], nil
	}
	// Refused: say why. The count may have moved since, but only the message uses it.
	var reserved int
	err = s.pool.QueryRow(ctx, `SELECT stock_reserved FROM product_variants WHERE id = $1`, variantID).Scan(&reserved)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return nil, fieldErr(catalog.CodeNotFound, []string{"variantId"}, "no such variant")
	case err != nil:
		return nil, fmt.Errorf("read stock of variant %d: %w", variantID, err)
	}
	return nil, fieldErr(catalog.CodeBelowReserved, []string{"onHand"},
		"%d units are reserved by checkouts; stock on hand cannot go below that", reserved)
}
