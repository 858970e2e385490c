package graph

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/shopgraph/shopgraph/internal/auth"
	"github.com/shopgraph/shopgraph/internal/money"
	"github.com/shopgraph/shopgraph/internal/relay"
	"github.com/shopgraph/shopgraph/subgraphs/catalog"
	"github.com/shopgraph/shopgraph/subgraphs/catalog/graph/model"
)

// Writes. Who may write is checked first and refused with a top-level error
// (UNAUTHENTICATED without a signed-in user, FORBIDDEN for a customer on an
// admin mutation); what they wrote is checked next and refused in the payload's
// userErrors, whose field paths name the argument as the client spelled it
// (["input", "variants", "0", "price"]). Malformed IDs and prices are userErrors
// too: they are the client's input, like a bad slug.

// signedIn returns the request's user, or UNAUTHENTICATED.
func signedIn(ctx context.Context) (auth.Principal, error) { return auth.Require(ctx) }

// admin refuses anyone but a signed-in admin.
func admin(ctx context.Context) error {
	_, err := auth.RequireAdmin(ctx)
	return err
}

// inputErrors returns the field errors of an *catalog.InputError with prefix
// before each path; any other error is a fault, returned as is.
func inputErrors(err error, prefix ...string) ([]catalog.FieldError, error) {
	var ie *catalog.InputError
	if !errors.As(err, &ie) {
		return nil, err
	}
	out := make([]catalog.FieldError, len(ie.Errors))
	for i, fe := range ie.Errors {
		fe.Field = append(append([]string{}, prefix...), fe.Field...)
		out[i] = fe
	}
	return out, nil
}

func toCatalogUserErrors(errs []catalog.FieldError) ([]model.CatalogUserError, error) {
	out := make([]model.CatalogUserError, len(errs))
	for i, fe := range errs {
		code := model.CatalogErrorCode(fe.Code)
		if !code.IsValid() {
			return nil, catalog.Internal(fmt.Errorf("field error code %q is not a CatalogErrorCode", fe.Code))
		}
		out[i] = model.CatalogUserError{Code: code, Field: fe.Field, Message: fe.Message}
	}
	return out, nil
}

// adminResult turns a store call's error into the payload's userErrors, or a fault.
func adminResult(op string, err error, prefix ...string) ([]model.CatalogUserError, error) {
	if err == nil {
		return []model.CatalogUserError{}, nil
	}
	fes, err := inputErrors(err, prefix...)
	if err != nil {
		return nil, catalog.Internal(fmt.Errorf("%s: %w", op, err))
	}
	return toCatalogUserErrors(fes)
}

// edgeErrors collects what the GraphQL edge refuses before the domain sees it.
type edgeErrors []catalog.FieldError

func (e *edgeErrors) add(code string, field []string, format string, args ...any) {
	*e = append(*e, catalog.FieldError{Code: code, Field: field, Message: fmt.Sprintf(format, args...)})
}

// id decodes a global ID of kind at field; nil gives 0.
func (e *edgeErrors) id(kind string, s *string, field ...string) int64 {
	if s == nil {
		return 0
	}
	n, err := relay.DecodeID(kind, *s)
	if err != nil {
		e.add(catalog.CodeInvalid, field, "%v", err)
	}
	return n
}

// price parses a decimal amount in currency's precision at field.
func (e *edgeErrors) price(s string, currency model.CurrencyCode, field ...string) int64 {
	n, err := money.Parse(s, money.Currency(currency))
	if err != nil {
		e.add(catalog.CodeInvalid, field, "%v", err)
	}
	return n
}

func (e *edgeErrors) optionalPrice(s *string, currency model.CurrencyCode, field ...string) *int64 {
	if s == nil {
		return nil
	}
	n := e.price(*s, currency, field...)
	return &n
}

func (e edgeErrors) userErrors() ([]model.CatalogUserError, error) {
	return toCatalogUserErrors(e)
}

func at(path []string, more ...string) []string {
	return append(append(make([]string, 0, len(path)+len(more)), path...), more...)
}

// newVariant converts a variant's input at path.
func (e *edgeErrors) newVariant(path []string, sku string, opts []model.VariantOptionInput, price string, compareAt *string,
	currency model.CurrencyCode, weight, stock int) catalog.NewVariant {
	v := catalog.NewVariant{SKU: sku, Currency: string(currency), Weight: weight, StockOnHand: stock}
	v.Options = make([]catalog.Option, len(opts))
	for i, o := range opts {
		v.Options[i] = catalog.Option{Name: o.Name, Value: o.Value}
	}
	v.Price = e.price(price, currency, at(path, "price")...)
	v.CompareAt = e.optionalPrice(compareAt, currency, at(path, "compareAtPrice")...)
	return v
}

func (r *Resolver) addReview(ctx context.Context, in model.AddReviewInput) (*model.AddReviewPayload, error) {
	p, err := signedIn(ctx)
	if err != nil {
		return nil, err
	}
	out := &model.AddReviewPayload{UserErrors: []model.ReviewUserError{}}
	var edge edgeErrors
	productID := edge.id(kindProduct, &in.ProductID, "input", "productId")
	var fes []catalog.FieldError = edge
	if len(edge) == 0 {
		var rv *catalog.Review
		rv, err = r.svc.AddReview(ctx, catalog.NewReview{ProductID: productID, AuthorID: p.UserID, Rating: in.Rating, Title: in.Title, Body: in.Body})
		if err == nil {
			l := r.loaders(ctx)
			l.ReviewsByProduct.ClearAll()
			l.ReviewsByAuthor.ClearAll()
			l.RatingSummary.Clear(ctx, productID)
			out.Review = toReview(rv)
			return out, nil
		}
		if fes, err = inputErrors(err, "input"); err != nil {
			return nil, catalog.Internal(fmt.Errorf("add review: %w", err))
		}
	}
	for _, fe := range fes {
		code := model.ReviewErrorCode(fe.Code)
		if !code.IsValid() {
			return nil, catalog.Internal(fmt.Errorf("field error code %q is not a ReviewErrorCode", fe.Code))
		}
		out.UserErrors = append(out.UserErrors, model.ReviewUserError{Code: code, Field: fe.Field, Message: fe.Message})
	}
	return out, nil
}

func (r *Resolver) createCategory(ctx context.Context, in model.CreateCategoryInput) (*model.CreateCategoryPayload, error) {
	if err := admin(ctx); err != nil {
		return nil, err
	}
	var edge edgeErrors
	parent := edge.id(kindCategory, in.ParentID, "input", "parentId")
	if len(edge) > 0 {
		ues, err := edge.userErrors()
		return &model.CreateCategoryPayload{UserErrors: ues}, err
	}
	c, err := r.svc.CreateCategory(ctx, catalog.NewCategory{Slug: in.Slug, Name: in.Name, ParentID: parent})
	if err == nil {
		r.loaders(ctx).CategoryChildren.ClearAll()
	}
	ues, err := adminResult("create category", err, "input")
	return &model.CreateCategoryPayload{Category: toCategory(c), UserErrors: ues}, err
}

func (r *Resolver) createProduct(ctx context.Context, in model.CreateProductInput) (*model.CreateProductPayload, error) {
	if err := admin(ctx); err != nil {
		return nil, err
	}
	var edge edgeErrors
	np := catalog.NewProduct{Slug: in.Slug, Name: in.Name, Description: in.Description,
		CategoryID: edge.id(kindCategory, in.CategoryID, "input", "categoryId")}
	for i, v := range in.Variants {
		path := []string{"input", "variants", strconv.Itoa(i)}
		np.Variants = append(np.Variants, edge.newVariant(path, v.Sku, v.Options, v.Price, v.CompareAtPrice, v.CurrencyCode, v.Weight, v.StockOnHand))
	}
	if len(edge) > 0 {
		ues, err := edge.userErrors()
		return &model.CreateProductPayload{UserErrors: ues}, err
	}
	p, err := r.svc.CreateProduct(ctx, np)
	ues, err := adminResult("create product", err, "input")
	return &model.CreateProductPayload{Product: toProduct(p), UserErrors: ues}, err
}

func (r *Resolver) updateProduct(ctx context.Context, in model.UpdateProductInput) (*model.UpdateProductPayload, error) {
	if err := admin(ctx); err != nil {
		return nil, err
	}
	var edge edgeErrors
	id := edge.id(kindProduct, &in.ID, "input", "id")
	up := catalog.ProductUpdate{Slug: in.Slug, Name: in.Name, Description: in.Description}
	if in.CategoryID != nil {
		c := edge.id(kindCategory, in.CategoryID, "input", "categoryId")
		up.CategoryID = &c
	}
	if in.RemoveCategory {
		if in.CategoryID != nil {
			edge.add(catalog.CodeInvalid, []string{"input", "removeCategory"}, "give categoryId or removeCategory, not both")
		}
		var none int64
		up.CategoryID = &none
	}
	if len(edge) > 0 {
		ues, err := edge.userErrors()
		return &model.UpdateProductPayload{UserErrors: ues}, err
	}
	p, err := r.svc.UpdateProduct(ctx, id, up)
	if err == nil {
		l := r.loaders(ctx)
		l.ProductByID.Clear(ctx, id).Prime(ctx, id, p)
		l.ProductBySlug.ClearAll()
	}
	ues, err := adminResult("update product", err, "input")
	return &model.UpdateProductPayload{Product: toProduct(p), UserErrors: ues}, err
}

// variantChanged drops the request's cached copies of a changed variant.
func (r *Resolver) variantChanged(ctx context.Context, v *catalog.Variant) {
	l := r.loaders(ctx)
	l.VariantByID.Clear(ctx, v.ID).Prime(ctx, v.ID, v)
	l.VariantsByProduct.Clear(ctx, v.ProductID)
}

func (r *Resolver) createVariant(ctx context.Context, in model.CreateVariantInput) (*model.CreateVariantPayload, error) {
	if err := admin(ctx); err != nil {
		return nil, err
	}
	var edge edgeErrors
	productID := edge.id(kindProduct, &in.ProductID, "input", "productId")
	nv := edge.newVariant([]string{"input"}, in.Sku, in.Options, in.Price, in.CompareAtPrice, in.CurrencyCode, in.Weight, in.StockOnHand)
	nv.ProductID = productID
	if len(edge) > 0 {
		ues, err := edge.userErrors()
		return &model.CreateVariantPayload{UserErrors: ues}, err
	}
	v, err := r.svc.CreateVariant(ctx, nv)
	if err == nil {
		r.variantChanged(ctx, v)
	}
	ues, err := adminResult("create variant", err, "input")
	if err != nil {
		return nil, err
	}
	mv, err := toVariant(v)
	return &model.CreateVariantPayload{Variant: mv, UserErrors: ues}, err
}

func (r *Resolver) updateVariant(ctx context.Context, in model.UpdateVariantInput) (*model.UpdateVariantPayload, error) {
	if err := admin(ctx); err != nil {
		return nil, err
	}
	var edge edgeErrors
	id := edge.id(kindVariant, &in.ID, "input", "id")
	up := catalog.VariantUpdate{SKU: in.Sku, ClearCompareAt: in.ClearCompareAtPrice, Weight: in.Weight}
	if in.Options != nil {
		opts := make([]catalog.Option, len(in.Options))
		for i, o := range in.Options {
			opts[i] = catalog.Option{Name: o.Name, Value: o.Value}
		}
		up.Options = &opts
	}
	if len(edge) == 0 && (in.Price != nil || in.CompareAtPrice != nil) {
		// Prices are in the variant's currency, so read it first.
		found, err := r.svc.VariantsByIDs(ctx, []int64{id})
		if err != nil {
			return nil, catalog.Internal(fmt.Errorf("read variant %d: %w", id, err))
		}
		if cur := found[id]; cur == nil {
			edge.add(catalog.CodeNotFound, []string{"input", "id"}, "no such variant")
		} else {
			currency := model.CurrencyCode(cur.Currency)
			if in.Price != nil {
				p := edge.price(*in.Price, currency, "input", "price")
				up.Price = &p
			}
			up.CompareAt = edge.optionalPrice(in.CompareAtPrice, currency, "input", "compareAtPrice")
		}
	}
	if len(edge) > 0 {
		ues, err := edge.userErrors()
		return &model.UpdateVariantPayload{UserErrors: ues}, err
	}
	v, err := r.svc.UpdateVariant(ctx, id, up)
	if err == nil {
		r.variantChanged(ctx, v)
	}
	ues, err := adminResult("update variant", err, "input")
	if err != nil {
		return nil, err
	}
	mv, err := toVariant(v)
	return &model.UpdateVariantPayload{Variant: mv, UserErrors: ues}, err
}

func (r *Resolver) setStock(ctx context.Context, variantID string, onHand int) (*model.SetStockPayload, error) {
	if err := admin(ctx); err != nil {
		return nil, err
	}
	var edge edgeErrors
	id := edge.id(kindVariant, &variantID, "variantId")
	if len(edge) > 0 {
		ues, err := edge.userErrors()
		return &model.SetStockPayload{UserErrors: ues}, err
	}
	v, err := r.svc.SetStock(ctx, id, onHand)
	if err == nil {
		r.variantChanged(ctx, v)
	}
	ues, err := adminResult("set stock", err)
	if err != nil {
		return nil, err
	}
	mv, err := toVariant(v)
	return &model.SetStockPayload{Variant: mv, UserErrors: ues}, err
}
