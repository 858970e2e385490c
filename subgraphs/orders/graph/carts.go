package graph

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/shopgraph/shopgraph/internal/apperr"
	"github.com/shopgraph/shopgraph/internal/auth"
	"github.com/shopgraph/shopgraph/internal/relay"
	"github.com/shopgraph/shopgraph/subgraphs/orders"
	"github.com/shopgraph/shopgraph/subgraphs/orders/graph/model"
)

// Carts. Who may use a cart: a guest cart (no user) anyone who holds its
// unguessable id; a user's cart that user and admins. Anyone else is told the
// cart does not exist, as for an id that names none.

// cartIDPrefix is how a cart's global ID starts; the rest is its UUID.
const cartIDPrefix = "gid://shopgraph/Cart/"

func cartGlobalID(id string) string { return cartIDPrefix + id }

// cartKey returns the store's id of a global Cart ID ("" when it is not one).
func cartKey(id string) string {
	key, ok := strings.CutPrefix(id, cartIDPrefix)
	if !ok {
		return ""
	}
	return key
}

// errCatalogUnavailable: the orders service was started without the catalog's
// internal API, so it cannot price carts.
var errCatalogUnavailable = errors.New("the catalog is not configured for this orders service (ORDERS_CATALOG_URL, ORDERS_CATALOG_SERVICE_TOKEN)")

// mayUse reports whether the request's principal may use c.
func mayUse(ctx context.Context, c *orders.Cart) bool {
	if c.UserID == 0 {
		return true
	}
	p, ok := auth.From(ctx)
	return ok && (p.UserID == c.UserID || p.IsAdmin())
}

// readCart returns the cart with global id if the caller may use it, else nil.
func (r *Resolver) readCart(ctx context.Context, id string) (*orders.Cart, error) {
	c, err := r.carts.CartByID(ctx, cartKey(id))
	if apperr.Code(err) == orders.ENOTFOUND {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if !mayUse(ctx, c) {
		return nil, nil
	}
	return c, nil
}

func toCart(c *orders.Cart) *model.Cart {
	if c == nil {
		return nil
	}
	return &model.Cart{ID: cartGlobalID(c.ID), CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt, Stored: c, Pricing: &model.CartPricing{}}
}

// price prices the cart with the catalog's current variants, once per request.
func (r *Resolver) price(ctx context.Context, c *model.Cart) (orders.PricedCart, error) {
	return c.Pricing.Priced(func() (orders.PricedCart, error) {
		ids := make([]int64, len(c.Stored.Lines))
		for i, l := range c.Stored.Lines {
			ids[i] = l.VariantID
		}
		variants := map[int64]orders.VariantInfo{}
		if len(ids) > 0 {
			if r.catalog == nil {
				return orders.PricedCart{}, orders.Internal(errCatalogUnavailable)
			}
			var err error
			if variants, err = r.catalog.Variants(ctx, ids); err != nil {
				return orders.PricedCart{}, orders.Internal(fmt.Errorf("price cart: %w", err))
			}
		}
		return orders.Price(c.Stored, variants), nil
	})
}

func toCartLine(l orders.PricedLine) (model.CartLine, error) {
	out := model.CartLine{
		ID:       "gid://shopgraph/CartLine/" + strconv.FormatInt(l.ID, 10),
		Variant:  model.ProductVariant{Key: l.VariantID, ID: relay.EncodeID(kindVariant, l.VariantID)},
		Quantity: l.Quantity,
		Warnings: make([]model.CartWarning, len(l.Warnings)),
	}
	for i, w := range l.Warnings {
		out.Warnings[i] = model.CartWarning{Code: model.CartWarningCode(w.Code), Message: w.Message}
	}
	if l.Buyable {
		unit, err := toMoney(l.Unit, l.Variant.Currency)
		if err != nil {
			return model.CartLine{}, err
		}
		total, err := toMoney(l.Total, l.Variant.Currency)
		if err != nil {
			return model.CartLine{}, err
		}
		out.UnitPrice, out.Total = unit, total
	}
	return out, nil
}

// cartError is one userError of a cart mutation.
func cartError(code model.CartErrorCode, message string, field ...string) []model.CartUserError {
	return []model.CartUserError{{Code: code, Field: field, Message: message}}
}

func notFound(field string) *model.CartPayload {
	return &model.CartPayload{UserErrors: cartError(model.CartErrorCodeCartNotFound, "There is no such cart.", field)}
}

// lineChanges checks lines and reads their variants' current prices from the
// catalog (prices are never taken from the client). min is the least quantity
// allowed (1 to add, 0 to set).
func (r *Resolver) lineChanges(ctx context.Context, ids []string, qtys []int, min int) ([]orders.LineChange, []model.CartUserError, error) {
	keys := make([]int64, len(ids))
	for i, id := range ids {
		n, err := relay.DecodeID(kindVariant, id)
		if err != nil {
			return nil, cartError(model.CartErrorCodeVariantNotFound, err.Error(), "lines", strconv.Itoa(i), "variantId"), nil
		}
		if q := qtys[i]; q < min || q > orders.MaxLineQuantity {
			return nil, cartError(model.CartErrorCodeInvalidQuantity,
				fmt.Sprintf("A quantity is %d to %d, got %d.", min, orders.MaxLineQuantity, q), "lines", strconv.Itoa(i), "quantity"), nil
		}
		keys[i] = n
	}
	if r.catalog == nil {
		return nil, nil, orders.Internal(errCatalogUnavailable)
	}
	variants, err := r.catalog.Variants(ctx, keys)
	if err != nil {
		return nil, nil, orders.Internal(fmt.Errorf("read variants: %w", err))
	}
	out := make([]orders.LineChange, len(keys))
	for i, k := range keys {
		v, ok := variants[k]
		if !ok && qtys[i] > 0 {
			return nil, cartError(model.CartErrorCodeVariantNotFound, "The catalog has no such item.", "lines", strconv.Itoa(i), "variantId"), nil
		}
		out[i] = orders.LineChange{VariantID: k, Quantity: qtys[i], SeenPrice: v.Price, Currency: v.Currency}
		if !ok {
			out[i].Currency = "USD" // a removal of a variant the catalog dropped
		}
	}
	return out, nil, nil
}

// cartResult turns a store change into a payload.
func cartResult(c *orders.Cart, err error, field string) (*model.CartPayload, error) {
	switch apperr.Code(err) {
	case "":
		return &model.CartPayload{Cart: toCart(c), UserErrors: []model.CartUserError{}}, nil
	case orders.ENOTFOUND:
		return notFound(field), nil
	case orders.EINVALID:
		return &model.CartPayload{UserErrors: cartError(model.CartErrorCodeLimitReached, apperr.Message(err), "lines")}, nil
	}
	return nil, err
}

// changeLines applies change to the cart with global id, if the caller may use it.
func (r *Resolver) changeLines(ctx context.Context, id string, ids []string, qtys []int, min int,
	change func(ctx context.Context, cartID string, lines []orders.LineChange) (*orders.Cart, error)) (*model.CartPayload, error) {
	c, err := r.readCart(ctx, id)
	if err != nil {
		return nil, err
	}
	if c == nil {
		return notFound("cartId"), nil
	}
	lines, ue, err := r.lineChanges(ctx, ids, qtys, min)
	if err != nil || ue != nil {
		return &model.CartPayload{UserErrors: ue}, err
	}
	updated, err := change(ctx, c.ID, lines)
	return cartResult(updated, err, "cartId")
}
