package internalapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/shopgraph/shopgraph/internal/relay"
	"github.com/shopgraph/shopgraph/subgraphs/catalog"
)

// The variant lookup is how the orders service prices a cart: it sends variant
// ids and gets back what the catalog holds now, so that no price, name or stock
// figure ever comes from a client.
//
//	POST /internal/variants/lookup {"variantIds": ["gid://shopgraph/ProductVariant/12", ...]}
//	200 {"variants": [{"variantId", "productId", "productName", "productSlug", "sku", "name",
//	      "options": [{"name", "value"}], "price": {"amountMinor", "currency"},
//	      "compareAtMinor": null|int, "weightGrams", "quantityAvailable"}],
//	     "missing": ["gid://shopgraph/ProductVariant/99"]}
//
// Both lists follow the request's order. An id asked for twice is answered once,
// at its first place, so a caller can index the answer by id. quantityAvailable
// is on hand less reserved (never below 0) at the time of the read; it is a hint
// for the cart, and only a reservation holds units.

// MaxLookupVariants is the most ids one lookup may ask for.
const MaxLookupVariants = 100

// lookupRequest is the body of a lookup. The ids stay raw so that a bad one is
// reported with its index.
type lookupRequest struct {
	VariantIDs []json.RawMessage `json:"variantIds"`
}

// lookupJSON is a lookup's answer.
type lookupJSON struct {
	Variants []variantJSON `json:"variants"`
	Missing  []string      `json:"missing"`
}

type variantJSON struct {
	VariantID         string           `json:"variantId"`
	ProductID         string           `json:"productId"`
	ProductName       string           `json:"productName"`
	ProductSlug       string           `json:"productSlug"`
	SKU               string           `json:"sku"`
	Name              string           `json:"name"`
	Options           []catalog.Option `json:"options"`
	Price             moneyJSON        `json:"price"`
	CompareAtMinor    *int64           `json:"compareAtMinor"`
	WeightGrams       int              `json:"weightGrams"`
	QuantityAvailable int              `json:"quantityAvailable"`
}

type moneyJSON struct {
	AmountMinor int64  `json:"amountMinor"`
	Currency    string `json:"currency"`
}

// kindProduct is the graph's type name in product global ids.
const kindProduct = "Product"

func toVariantJSON(v *catalog.Variant, p *catalog.Product) variantJSON {
	options := v.Options
	if options == nil {
		options = []catalog.Option{}
	}
	return variantJSON{
		VariantID: variantID(v.ID), ProductID: relay.EncodeID(kindProduct, p.ID),
		ProductName: p.Name, ProductSlug: p.Slug, SKU: v.SKU, Name: v.Name, Options: options,
		Price: moneyJSON{AmountMinor: v.Price, Currency: v.Currency}, CompareAtMinor: v.CompareAt,
		WeightGrams: v.Weight, QuantityAvailable: v.Available(),
	}
}

// parseLookup returns the distinct variant ids of a lookup body in the order
// they first appear.
func parseLookup(data []byte) ([]int64, error) {
	var req lookupRequest
	if err := decode(data, "", &req); err != nil {
		return nil, err
	}
	if req.VariantIDs == nil {
		return nil, bad("variantIds", "required")
	}
	if len(req.VariantIDs) == 0 || len(req.VariantIDs) > MaxLookupVariants {
		return nil, bad("variantIds", "want 1 to %d ids", MaxLookupVariants)
	}
	ids := make([]int64, 0, len(req.VariantIDs))
	seen := make(map[int64]bool, len(req.VariantIDs))
	for i, raw := range req.VariantIDs {
		field := fmt.Sprintf("variantIds[%d]", i)
		var s *string
		if err := json.Unmarshal(raw, &s); err != nil || s == nil {
			return nil, bad(field, "want a ProductVariant global ID string, got %s", raw)
		}
		id, err := relay.DecodeID(kindVariant, *s)
		if err != nil {
			return nil, bad(field, "%v", err)
		}
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	return ids, nil
}

func (h *handler) lookup(w http.ResponseWriter, r *http.Request) {
	data, err := readBody(w, r)
	if err != nil {
		h.fail(w, r, "lookup", "", err)
		return
	}
	ids, err := parseLookup(data)
	if err != nil {
		h.fail(w, r, "lookup", "", err)
		return
	}
	answer, err := h.lookupVariants(r.Context(), ids)
	if err != nil {
		h.fail(w, r, "lookup", "", err)
		return
	}
	writeJSON(w, http.StatusOK, answer)
}

// lookupVariants reads the variants, then their products: two queries however
// many ids there are.
func (h *handler) lookupVariants(ctx context.Context, ids []int64) (lookupJSON, error) {
	variants, err := h.variants.VariantsByIDs(ctx, ids)
	if err != nil {
		return lookupJSON{}, fmt.Errorf("look up %d variants: %w", len(ids), err)
	}
	productIDs := make([]int64, 0, len(variants))
	seen := make(map[int64]bool, len(variants))
	for _, id := range ids {
		if v, ok := variants[id]; ok && !seen[v.ProductID] {
			seen[v.ProductID] = true
			productIDs = append(productIDs, v.ProductID)
		}
	}
	products, err := h.variants.ProductsByIDs(ctx, productIDs)
	if err != nil {
		return lookupJSON{}, fmt.Errorf("look up the products of %d variants: %w", len(variants), err)
	}
	out := lookupJSON{Variants: make([]variantJSON, 0, len(variants)), Missing: []string{}}
	for _, id := range ids {
		v, ok := variants[id]
		var p *catalog.Product
		if ok {
			p, ok = products[v.ProductID]
		}
		// A variant whose product is gone between the two reads is gone too
		// (variants belong to their product), so it is missing, not a fault.
		if !ok {
			out.Missing = append(out.Missing, variantID(id))
			continue
		}
		out.Variants = append(out.Variants, toVariantJSON(v, p))
	}
	return out, nil
}
