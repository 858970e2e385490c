package catalog

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/shopgraph/shopgraph/internal/apperr"
)

// Codes of a FieldError: what is wrong with an input field. The GraphQL layer
// shows them as the values of its error-code enums, so they are spelled alike.
const (
	CodeBlank    = "BLANK"     // a required text is empty
	CodeTooLong  = "TOO_LONG"  // a text is longer than allowed
	CodeInvalid  = "INVALID"   // a value has the wrong form (a slug, a price, options)
	CodeTaken    = "TAKEN"     // a unique value (slug, SKU, options of a product) is in use
	CodeNotFound = "NOT_FOUND" // a referenced category, product or variant does not exist
	// CodeNotRoot: a category's parent must be a root; the tree has two levels.
	CodeNotRoot = "NOT_ROOT"
	// CodeNegative: a weight, price or stock count is below zero.
	CodeNegative = "NEGATIVE"
	// CodeBelowReserved: stock on hand cannot go below what checkouts hold.
	CodeBelowReserved = "BELOW_RESERVED"
	// CodeRatingOutOfRange: a rating is not 1 to 5 stars.
	CodeRatingOutOfRange = "RATING_OUT_OF_RANGE"
	// CodeAlreadyReviewed: a user reviews a product once.
	CodeAlreadyReviewed = "ALREADY_REVIEWED"
)

// Limits of the texts writes accept, in characters.
const (
	MaxSlugLength        = 100
	MaxNameLength        = 200
	MaxDescriptionLength = 10000
	MaxSKULength         = 64
	MaxOptionLength      = 50
	MaxOptions           = 3
	MaxReviewTitleLength = 200
	MaxReviewBodyLength  = 5000
	// MaxVariantsPerProduct bounds createProduct's variants.
	MaxVariantsPerProduct = 100
)

// FieldError is an expected failure of a write (see [apperr.FieldError]).
type FieldError = apperr.FieldError

// InputError is a write refused for its input (see [apperr.InputError]).
type InputError = apperr.InputError

// Invalid returns an *InputError of errs, or nil when there are none.
func Invalid(errs ...FieldError) error { return apperr.Invalid(errs...) }

// fieldError builds a FieldError at path.
func fieldError(code string, path []string, format string, args ...any) FieldError {
	return apperr.Fieldf(code, path, format, args...)
}

// at returns path with more elements, never sharing path's array.
func at(path []string, more ...string) []string {
	return append(append(make([]string, 0, len(path)+len(more)), path...), more...)
}

var (
	slugPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	skuPattern  = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)
)

// checkText checks a required text: not blank after trimming, at most max characters.
func checkText(path []string, label, s string, max int) []FieldError {
	switch n := utf8.RuneCountInString(s); {
	case strings.TrimSpace(s) == "":
		return []FieldError{fieldError(CodeBlank, path, "%s must not be blank", label)}
	case n > max:
		return []FieldError{fieldError(CodeTooLong, path, "%s must be at most %d characters, got %d", label, max, n)}
	}
	return nil
}

// CheckSlug checks a URL-safe name: lower-case words of letters and digits joined by hyphens.
func CheckSlug(path []string, slug string) []FieldError {
	switch {
	case slug == "":
		return []FieldError{fieldError(CodeBlank, path, "slug must not be blank")}
	case len(slug) > MaxSlugLength:
		return []FieldError{fieldError(CodeTooLong, path, "slug must be at most %d characters, got %d", MaxSlugLength, len(slug))}
	case !slugPattern.MatchString(slug):
		return []FieldError{fieldError(CodeInvalid, path, "slug %q must be lower-case letters and digits in words joined by single hyphens, such as \"wool-socks\"", slug)}
	}
	return nil
}

// NewCategory is a category to create.
type NewCategory struct {
	Slug, Name string
	// ParentID is the root to create it under; 0 makes a root.
	ParentID int64
}

// Validate checks what needs no database.
func (c NewCategory) Validate() []FieldError {
	errs := CheckSlug([]string{"slug"}, c.Slug)
	return append(errs, checkText([]string{"name"}, "name", c.Name, MaxNameLength)...)
}

// NewProduct is a product to create with its first variants.
type NewProduct struct {
	Slug, Name, Description string
	// CategoryID is the product's category (0: none).
	CategoryID int64
	// Variants are created with the product, in display order; at least one.
	Variants []NewVariant
}

// Validate checks what needs no database, the variants and their options included.
func (p NewProduct) Validate() []FieldError {
	errs := CheckSlug([]string{"slug"}, p.Slug)
	errs = append(errs, checkText([]string{"name"}, "name", p.Name, MaxNameLength)...)
	errs = append(errs, checkDescription([]string{"description"}, p.Description)...)
	switch n := len(p.Variants); {
	case n == 0:
		errs = append(errs, fieldError(CodeBlank, []string{"variants"}, "a product needs at least one variant"))
	case n > MaxVariantsPerProduct:
		errs = append(errs, fieldError(CodeTooLong, []string{"variants"}, "at most %d variants, got %d", MaxVariantsPerProduct, n))
	}
	skus := map[string]int{}
	var existing [][]Option
	for i, v := range p.Variants {
		path := []string{"variants", strconv.Itoa(i)}
		errs = append(errs, v.validate(path)...)
		if j, dup := skus[strings.ToUpper(v.SKU)]; dup && v.SKU != "" {
			errs = append(errs, fieldError(CodeTaken, at(path, "sku"), "SKU %q is also variant %d's", v.SKU, j))
		}
		skus[strings.ToUpper(v.SKU)] = i
		if fe := CheckOptionsFit(at(path, "options"), v.Options, existing); fe != nil {
			errs = append(errs, *fe)
		}
		existing = append(existing, v.Options)
		if v.Currency != p.Variants[0].Currency {
			errs = append(errs, fieldError(CodeInvalid, at(path, "currencyCode"), "every variant of a product has the same currency, %s", p.Variants[0].Currency))
		}
	}
	return errs
}

func checkDescription(path []string, s string) []FieldError {
	if n := utf8.RuneCountInString(s); n > MaxDescriptionLength {
		return []FieldError{fieldError(CodeTooLong, path, "description must be at most %d characters, got %d", MaxDescriptionLength, n)}
	}
	return nil
}

// ProductUpdate changes the fields that are not nil.
type ProductUpdate struct {
	Slug, Name, Description *string
	// CategoryID moves the product; 0 removes it from its category.
	CategoryID *int64
}

// Validate checks what needs no database.
func (u ProductUpdate) Validate() []FieldError {
	var errs []FieldError
	if u.Slug != nil {
		errs = append(errs, CheckSlug([]string{"slug"}, *u.Slug)...)
	}
	if u.Name != nil {
		errs = append(errs, checkText([]string{"name"}, "name", *u.Name, MaxNameLength)...)
	}
	if u.Description != nil {
		errs = append(errs, checkDescription([]string{"description"}, *u.Description)...)
	}
	return errs
}

// NewVariant is a variant to create.
type NewVariant struct {
	// ProductID is the product it belongs to (unused within NewProduct).
	ProductID int64
	SKU       string
	Options   []Option
	// Price and CompareAt are minor units of Currency; CompareAt nil: not reduced.
	Price     int64
	CompareAt *int64
	Currency  string
	// Weight is in grams.
	Weight int
	// StockOnHand is the units in the warehouse.
	StockOnHand int
}

// Validate checks what needs no database.
func (v NewVariant) Validate() []FieldError { return v.validate(nil) }

func (v NewVariant) validate(path []string) []FieldError {
	errs := CheckSKU(at(path, "sku"), v.SKU)
	errs = append(errs, CheckOptions(at(path, "options"), v.Options)...)
	errs = append(errs, CheckPrices(path, v.Price, v.CompareAt)...)
	if v.Weight < 0 {
		errs = append(errs, fieldError(CodeNegative, at(path, "weight"), "weight must not be negative, got %d", v.Weight))
	}
	if v.StockOnHand < 0 {
		errs = append(errs, fieldError(CodeNegative, at(path, "stockOnHand"), "stock on hand must not be negative, got %d", v.StockOnHand))
	}
	return errs
}

// CheckSKU checks a stock-keeping unit: letters, digits, dots, underscores and hyphens.
func CheckSKU(path []string, sku string) []FieldError {
	switch {
	case sku == "":
		return []FieldError{fieldError(CodeBlank, path, "SKU must not be blank")}
	case len(sku) > MaxSKULength:
		return []FieldError{fieldError(CodeTooLong, path, "SKU must be at most %d characters, got %d", MaxSKULength, len(sku))}
	case !skuPattern.MatchString(sku):
		return []FieldError{fieldError(CodeInvalid, path, "SKU %q may hold only letters, digits, '.', '_' and '-', starting with a letter or digit", sku)}
	}
	return nil
}

// CheckPrices checks a price and a compare-at price: neither negative, and a
// compare-at price above the price, since it is shown struck through.
func CheckPrices(path []string, price int64, compareAt *int64) []FieldError {
	var errs []FieldError
	if price < 0 {
		errs = append(errs, fieldError(CodeNegative, at(path, "price"), "price must not be negative"))
	}
	if compareAt != nil && *compareAt <= price {
		errs = append(errs, fieldError(CodeInvalid, at(path, "compareAtPrice"), "compare-at price must be above the price"))
	}
	return errs
}

// CheckOptions checks one variant's options: at most MaxOptions, names and
// values not blank nor too long, no name twice.
func CheckOptions(path []string, opts []Option) []FieldError {
	if len(opts) > MaxOptions {
		return []FieldError{fieldError(CodeTooLong, path, "at most %d options, got %d", MaxOptions, len(opts))}
	}
	var errs []FieldError
	seen := map[string]bool{}
	for i, o := range opts {
		p := at(path, strconv.Itoa(i))
		errs = append(errs, checkText(at(p, "name"), "option name", o.Name, MaxOptionLength)...)
		errs = append(errs, checkText(at(p, "value"), "option value", o.Value, MaxOptionLength)...)
		if k := strings.ToLower(strings.TrimSpace(o.Name)); seen[k] {
			errs = append(errs, fieldError(CodeInvalid, at(p, "name"), "option %q is given twice", o.Name))
		} else {
			seen[k] = true
		}
	}
	return errs
}

// CheckOptionsFit checks a variant's options against the product's other
// variants: the same option names in the same order (so that the product's
// option axes stay one list), and not the same values as another variant.
func CheckOptionsFit(path []string, opts []Option, others [][]Option) *FieldError {
	for _, o := range others {
		if !sameNames(opts, o) {
			want := make([]string, len(o))
			for i := range o {
				want[i] = o[i].Name
			}
			fe := fieldError(CodeInvalid, path, "the product's variants have the options [%s]; give the same names in that order", strings.Join(want, ", "))
			return &fe
		}
		if sameValues(opts, o) {
			fe := fieldError(CodeTaken, path, "another variant of the product has these options")
			return &fe
		}
	}
	return nil
}

func sameNames(a, b []Option) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !strings.EqualFold(strings.TrimSpace(a[i].Name), strings.TrimSpace(b[i].Name)) {
			return false
		}
	}
	return true
}

func sameValues(a, b []Option) bool {
	for i := range a {
		if !strings.EqualFold(strings.TrimSpace(a[i].Value), strings.TrimSpace(b[i].Value)) {
			return false
		}
	}
	return true
}

// VariantName is a variant's display name made of its option values, such as
// "M / Navy", or "Default" without options.
func VariantName(opts []Option) string {
	if len(opts) == 0 {
		return "Default"
	}
	values := make([]string, len(opts))
	for i, o := range opts {
		values[i] = strings.TrimSpace(o.Value)
	}
	return strings.Join(values, " / ")
}

// VariantUpdate changes the fields that are not nil.
type VariantUpdate struct {
	SKU *string
	// Options replace all of the variant's options; nil keeps them.
	Options *[]Option
	// Price and CompareAt are minor units of the variant's currency.
	Price     *int64
	CompareAt *int64
	// ClearCompareAt removes the compare-at price (the variant is no longer reduced).
	ClearCompareAt bool
	Weight         *int
}

// Validate checks what needs no database; Apply and CheckPrices check the result.
func (u VariantUpdate) Validate() []FieldError {
	var errs []FieldError
	if u.SKU != nil {
		errs = append(errs, CheckSKU([]string{"sku"}, *u.SKU)...)
	}
	if u.Options != nil {
		errs = append(errs, CheckOptions([]string{"options"}, *u.Options)...)
	}
	if u.Weight != nil && *u.Weight < 0 {
		errs = append(errs, fieldError(CodeNegative, []string{"weight"}, "weight must not be negative, got %d", *u.Weight))
	}
	if u.ClearCompareAt && u.CompareAt != nil {
		errs = append(errs, fieldError(CodeInvalid, []string{"clearCompareAtPrice"}, "give compareAtPrice or clearCompareAtPrice, not both"))
	}
	return errs
}

// Apply returns v with the update's changes.
func (u VariantUpdate) Apply(v Variant) Variant {
	if u.SKU != nil {
		v.SKU = *u.SKU
	}
	if u.Price != nil {
		v.Price = *u.Price
	}
	if u.CompareAt != nil {
		c := *u.CompareAt
		v.CompareAt = &c
	}
	if u.ClearCompareAt {
		v.CompareAt = nil
	}
	if u.Weight != nil {
		v.Weight = *u.Weight
	}
	if u.Options != nil {
		v.Options = *u.Options
	}
	return v
}

// NewReview is a review to add.
type NewReview struct {
	ProductID int64
	// AuthorID is the signed-in user's id.
	AuthorID    int64
	Rating      int
	Title, Body string
}

// Validate checks what needs no database.
func (r NewReview) Validate() []FieldError {
	var errs []FieldError
	if r.Rating < 1 || r.Rating > 5 {
		errs = append(errs, fieldError(CodeRatingOutOfRange, []string{"rating"}, "rating must be 1 to 5 stars, got %d", r.Rating))
	}
	errs = append(errs, checkText([]string{"title"}, "title", r.Title, MaxReviewTitleLength)...)
	return append(errs, checkText([]string{"body"}, "body", r.Body, MaxReviewBodyLength)...)
}

// AdminService makes the catalog's admin changes. A write refused for its input
// returns an *InputError; any other error is a fault.
type AdminService interface {
	CreateCategory(ctx context.Context, in NewCategory) (*Category, error)
	CreateProduct(ctx context.Context, in NewProduct) (*Product, error)
	UpdateProduct(ctx context.Context, id int64, in ProductUpdate) (*Product, error)
	CreateVariant(ctx context.Context, in NewVariant) (*Variant, error)
	UpdateVariant(ctx context.Context, id int64, in VariantUpdate) (*Variant, error)
	// SetStock sets a variant's stock on hand, never below what is reserved.
	SetStock(ctx context.Context, variantID int64, onHand int) (*Variant, error)
}

// ReviewWriter adds reviews; a refused one returns an *InputError.
type ReviewWriter interface {
	AddReview(ctx context.Context, in NewReview) (*Review, error)
}
