// Package catalogclient is the orders service's side of the catalog's internal API
// (subgraphs/catalog/internalapi): it reads variants for carts and checkout and
// reserves, releases and commits their stock. Orders take every price, name and
// stock figure from here, never from a client.
//
// It speaks the API's JSON over HTTP with the shared service token and does not
// import the catalog: the wire format is the contract, so the shapes are mirrored
// here. Errors fall into two kinds a caller acts on differently: ErrUnavailable
// (the network failed, the call timed out or the catalog answered 5xx; retrying
// later may work) and *APIError (the catalog refused the request; retrying the
// same request will not help), with *InsufficientStockError as the one refusal
// checkout handles line by line. The client does not retry by itself: only the
// caller knows whether a retry fits its deadline. No error carries the token.
package catalogclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/shopgraph/shopgraph/internal/auth"
	"github.com/shopgraph/shopgraph/internal/relay"
	"github.com/shopgraph/shopgraph/subgraphs/orders"
)

// The internal API's paths.
const (
	lookupPath  = "/internal/variants/lookup"
	reservePath = "/internal/stock/reserve"
	releasePath = "/internal/stock/release"
	commitPath  = "/internal/stock/commit"
	restockPath = "/internal/stock/restock"
)

// MaxLookupBatch is the most ids one lookup call carries; Variants splits
// longer lists into several calls.
const MaxLookupBatch = 100

// DefaultTimeout bounds one call when Config.Timeout is zero.
const DefaultTimeout = 5 * time.Second

// maxResponseBytes bounds a response body: 100 variants fit in well under this.
const maxResponseBytes = 4 << 20

// Global id kinds.
const (
	kindVariant = "ProductVariant"
	kindProduct = "Product"
)

// Error codes the catalog answers with; see APIError.Code.
const (
	CodeBadRequest        = "BAD_REQUEST"
	CodeUnauthenticated   = "UNAUTHENTICATED"
	CodeNotFound          = "NOT_FOUND"
	CodeConflict          = "CONFLICT"
	CodeInsufficientStock = "INSUFFICIENT_STOCK"
)

// ErrUnavailable is wrapped by errors that may pass on retry: a transport
// failure, a timeout, or a 5xx answer.
var ErrUnavailable = errors.New("catalog unavailable")

// APIError is a 4xx answer: the catalog refused the request.
type APIError struct {
	// Status is the HTTP status.
	Status int
	// Code is one of the Code constants (or another the catalog adds later).
	Code string
	// Message is the catalog's explanation.
	Message string
	// Field names the bad input of a BAD_REQUEST, when there is one.
	Field string
	// ReservationStatus is the reservation's state for a CONFLICT (RESERVED,
	// COMMITTED, RELEASED, EXPIRED).
	ReservationStatus string
}

// Error describes the refusal.
func (e *APIError) Error() string {
	s := fmt.Sprintf("catalog refused the request: %d %s: %s", e.Status, e.Code, e.Message)
	if e.Field != "" {
		s += " (field " + e.Field + ")"
	}
	return s
}

// ShortLine is a line stock cannot cover: Available units are left of the Requested.
type ShortLine struct {
	VariantID int64
	Requested int
	Available int
}

// InsufficientStockError is a reservation refused because stock is short on
// Lines; nothing was reserved. errors.As also finds its *APIError.
type InsufficientStockError struct {
	// Lines are the short lines, in variant id order.
	Lines []ShortLine
	api   *APIError
}

// Error lists the short variants.
func (e *InsufficientStockError) Error() string {
	parts := make([]string, len(e.Lines))
	for i, l := range e.Lines {
		parts[i] = fmt.Sprintf("variant %d: %d requested, %d available", l.VariantID, l.Requested, l.Available)
	}
	return "insufficient stock: " + strings.Join(parts, "; ")
}

// Unwrap returns the API error the catalog answered with.
func (e *InsufficientStockError) Unwrap() error { return e.api }

// Config configures a Client.
type Config struct {
	// BaseURL is the catalog's listener, such as http://catalog:4001.
	BaseURL string
	// ServiceToken is the catalog's internal API token, at least
	// auth.MinServiceTokenLength characters.
	ServiceToken string
	// Timeout bounds each call (each batch of a long lookup). Zero means DefaultTimeout.
	Timeout time.Duration
	// HTTP sends the requests; nil means a client of its own.
	HTTP *http.Client
}

// Validate names every bad field.
func (c Config) Validate() error {
	var errs []error
	u, err := url.Parse(c.BaseURL)
	switch {
	case c.BaseURL == "":
		errs = append(errs, errors.New("BaseURL: required"))
	case err != nil:
		errs = append(errs, fmt.Errorf("BaseURL: %w", err))
	case u.Scheme != "http" && u.Scheme != "https":
		errs = append(errs, fmt.Errorf("BaseURL %q: want an http or https URL", c.BaseURL))
	case u.Host == "":
		errs = append(errs, fmt.Errorf("BaseURL %q: no host", c.BaseURL))
	case u.User != nil || u.RawQuery != "" || u.Fragment != "":
		errs = append(errs, fmt.Errorf("BaseURL: want scheme, host and path only"))
	}
	if len(c.ServiceToken) < auth.MinServiceTokenLength {
		errs = append(errs, fmt.Errorf("ServiceToken: want at least %d characters", auth.MinServiceTokenLength))
	}
	if c.Timeout < 0 {
		errs = append(errs, fmt.Errorf("Timeout: %s: want a positive duration, or 0 for %s", c.Timeout, DefaultTimeout))
	}
	return errors.Join(errs...)
}

// Client calls the catalog's internal API. It is safe for concurrent use.
type Client struct {
	base    string
	token   string
	timeout time.Duration
	http    *http.Client
}

// New returns a client for cfg.
func New(cfg Config) (*Client, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("catalog client: %w", err)
	}
	c := &Client{base: strings.TrimSuffix(cfg.BaseURL, "/"), token: cfg.ServiceToken, timeout: cfg.Timeout, http: cfg.HTTP}
	if c.timeout == 0 {
		c.timeout = DefaultTimeout
	}
	if c.http == nil {
		c.http = &http.Client{}
	}
	return c, nil
}

// Option tells variants of a product apart, such as Size: M.
type Option struct{ Name, Value string }

// Variant is a purchasable version of a product as the catalog holds it now.
type Variant struct {
	ID, ProductID                       int64
	ProductName, ProductSlug, SKU, Name string
	Options                             []Option
	// PriceMinor is the price in minor units of Currency.
	PriceMinor int64
	Currency   string
	// CompareAtMinor is the price before a reduction (nil: not reduced).
	CompareAtMinor *int64
	WeightGrams    int
	// QuantityAvailable is on hand less reserved when read; only Reserve holds units.
	QuantityAvailable int
}

type lookupRequest struct {
	VariantIDs []string `json:"variantIds"`
}

type lookupResponse struct {
	Variants []variantJSON `json:"variants"`
	Missing  []string      `json:"missing"`
}

type variantJSON struct {
	VariantID   string `json:"variantId"`
	ProductID   string `json:"productId"`
	ProductName string `json:"productName"`
	ProductSlug string `json:"productSlug"`
	SKU         string `json:"sku"`
	Name        string `json:"name"`
	Options     []struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	} `json:"options"`
	Price struct {
		AmountMinor int64  `json:"amountMinor"`
		Currency    string `json:"currency"`
	} `json:"price"`
	CompareAtMinor    *int64 `json:"compareAtMinor"`
	WeightGrams       int    `json:"weightGrams"`
	QuantityAvailable int    `json:"quantityAvailable"`
}

func fromJSON(v variantJSON) (Variant, error) {
	id, err := relay.DecodeID(kindVariant, v.VariantID)
	if err != nil {
		return Variant{}, err
	}
	productID, err := relay.DecodeID(kindProduct, v.ProductID)
	if err != nil {
		return Variant{}, err
	}
	out := Variant{ID: id, ProductID: productID, ProductName: v.ProductName, ProductSlug: v.ProductSlug, SKU: v.SKU, Name: v.Name,
		Options: make([]Option, len(v.Options)), PriceMinor: v.Price.AmountMinor, Currency: v.Price.Currency,
		CompareAtMinor: v.CompareAtMinor, WeightGrams: v.WeightGrams, QuantityAvailable: v.QuantityAvailable}
	for i, o := range v.Options {
		out.Options[i] = Option{Name: o.Name, Value: o.Value}
	}
	return out, nil
}

// Variants returns the variants with the given ids; ids the catalog does not
// have are absent from the map. Duplicates are asked for once. More than
// MaxLookupBatch distinct ids take several calls, one after another (a cart
// rarely needs a second), and any failing call fails the whole lookup.
func (c *Client) Variants(ctx context.Context, ids []int64) (map[int64]Variant, error) {
	distinct := make([]string, 0, len(ids))
	seen := make(map[int64]bool, len(ids))
	for _, id := range ids {
		if id <= 0 {
			return nil, fmt.Errorf("look up variants: invalid variant id %d", id)
		}
		if !seen[id] {
			seen[id] = true
			distinct = append(distinct, relay.EncodeID(kindVariant, id))
		}
	}
	out := make(map[int64]Variant, len(distinct))
	for start := 0; start < len(distinct); start += MaxLookupBatch {
		batch := distinct[start:min(start+MaxLookupBatch, len(distinct))]
		var resp lookupResponse
		if err := c.call(ctx, lookupPath, lookupRequest{VariantIDs: batch}, &resp); err != nil {
			return nil, fmt.Errorf("look up %d variants: %w", len(batch), err)
		}
		for _, vj := range resp.Variants {
			v, err := fromJSON(vj)
			if err != nil {
				return nil, fmt.Errorf("look up variants: catalog answered a bad variant: %w", err)
			}
			out[v.ID] = v
		}
	}
	return out, nil
}

// ReserveLine asks for Quantity units of one variant.
type ReserveLine struct {
	VariantID int64
	Quantity  int
}

type reserveRequest struct {
	OrderID    string        `json:"orderId"`
	Lines      []reserveLine `json:"lines"`
	TTLSeconds int64         `json:"ttlSeconds,omitempty"`
}

type reserveLine struct {
	VariantID string `json:"variantId"`
	Quantity  int    `json:"quantity"`
}

type orderRequest struct {
	OrderID string `json:"orderId"`
}

// Reserve holds every line for orderID for ttl (rounded up to whole seconds; 0:
// the catalog's default), or nothing. It is idempotent: reserving the same lines
// for the same order again succeeds without holding more. Short stock is an
// *InsufficientStockError; other lines for an order that already has a
// reservation are an *APIError with CodeConflict.
func (c *Client) Reserve(ctx context.Context, orderID string, lines []ReserveLine, ttl time.Duration) error {
	if ttl < 0 {
		return fmt.Errorf("reserve stock for order %q: negative ttl %s", orderID, ttl)
	}
	req := reserveRequest{OrderID: orderID, Lines: make([]reserveLine, len(lines)), TTLSeconds: int64((ttl + time.Second - 1) / time.Second)}
	for i, l := range lines {
		if l.VariantID <= 0 {
			return fmt.Errorf("reserve stock for order %q: line %d: invalid variant id %d", orderID, i, l.VariantID)
		}
		req.Lines[i] = reserveLine{VariantID: relay.EncodeID(kindVariant, l.VariantID), Quantity: l.Quantity}
	}
	if err := c.call(ctx, reservePath, req, nil); err != nil {
		return fmt.Errorf("reserve stock for order %q: %w", orderID, err)
	}
	return nil
}

// Release gives the order's reserved units back. Releasing again succeeds; a
// committed order is an *APIError with CodeConflict, an unknown one CodeNotFound.
func (c *Client) Release(ctx context.Context, orderID string) error {
	if err := c.call(ctx, releasePath, orderRequest{OrderID: orderID}, nil); err != nil {
		return fmt.Errorf("release stock of order %q: %w", orderID, err)
	}
	return nil
}

// Commit turns the order's reservation into a sale. Committing again succeeds;
// a released or expired reservation is an *APIError with CodeConflict, an
// unknown order CodeNotFound.
func (c *Client) Commit(ctx context.Context, orderID string) error {
	if err := c.call(ctx, commitPath, orderRequest{OrderID: orderID}, nil); err != nil {
		return fmt.Errorf("commit stock of order %q: %w", orderID, err)
	}
	return nil
}

// Restock puts a committed order's units back on hand (an order cancelled or
// refunded before it shipped). Restocking again succeeds; a reservation that
// is not committed is an *APIError with CodeConflict, an unknown order
// CodeNotFound.
func (c *Client) Restock(ctx context.Context, orderID string) error {
	if err := c.call(ctx, restockPath, orderRequest{OrderID: orderID}, nil); err != nil {
		return fmt.Errorf("restock order %q: %w", orderID, err)
	}
	return nil
}

// errorBody is the body of every error answer.
type errorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Field   string `json:"field"`
		Status  string `json:"status"`
		Lines   []struct {
			VariantID string `json:"variantId"`
			Requested int    `json:"requested"`
			Available int    `json:"available"`
		} `json:"lines"`
	} `json:"error"`
}

// call POSTs body to path and decodes a 2xx answer into out (nil: ignore it).
func (c *Client) call(ctx context.Context, path string, body, out any) error {
	data, err := json.Marshal(body)
	if err != nil {
		return fmt.Errorf("encode request: %w", err)
	}
	callCtx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(callCtx, http.MethodPost, c.base+path, bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	auth.SetOn(req, c.token)
	resp, err := c.http.Do(req)
	if err != nil {
		// The caller gave up: not the catalog's fault, and retrying will not help.
		if ctx.Err() != nil {
			return fmt.Errorf("POST %s: %w", path, context.Cause(ctx))
		}
		return fmt.Errorf("%w: POST %s: %w", ErrUnavailable, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("POST %s: read answer: %w", path, context.Cause(ctx))
		}
		return fmt.Errorf("%w: POST %s: read answer: %w", ErrUnavailable, path, err)
	}
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		if out == nil {
			return nil
		}
		if err := json.Unmarshal(raw, out); err != nil {
			return fmt.Errorf("POST %s: decode %d answer: %w", path, resp.StatusCode, err)
		}
		return nil
	case resp.StatusCode >= 500:
		var e errorBody
		_ = json.Unmarshal(raw, &e)
		return fmt.Errorf("%w: POST %s: %d %s", ErrUnavailable, path, resp.StatusCode, e.Error.Code)
	}
	return toAPIError(resp.StatusCode, raw)
}

// toAPIError turns a 4xx (or unexpected 1xx/3xx) answer into an *APIError, or an
// *InsufficientStockError when it says so.
func toAPIError(status int, raw []byte) error {
	var e errorBody
	if err := json.Unmarshal(raw, &e); err != nil || e.Error.Code == "" {
		return &APIError{Status: status, Message: "answer without an error body: " + http.StatusText(status)}
	}
	api := &APIError{Status: status, Code: e.Error.Code, Message: e.Error.Message, Field: e.Error.Field, ReservationStatus: e.Error.Status}
	if status != http.StatusConflict || e.Error.Code != CodeInsufficientStock {
		return api
	}
	short := &InsufficientStockError{Lines: make([]ShortLine, len(e.Error.Lines)), api: api}
	for i, l := range e.Error.Lines {
		id, err := relay.DecodeID(kindVariant, l.VariantID)
		if err != nil {
			return fmt.Errorf("%w (short line %d: %w)", api, i, err)
		}
		short.Lines[i] = ShortLine{VariantID: id, Requested: l.Requested, Available: l.Available}
	}
	return short
}

// ForOrders returns the client as the orders domain reads variants.
func (c *Client) ForOrders() orders.Catalog { return domainCatalog{c} }

type domainCatalog struct{ c *Client }

func (d domainCatalog) Variants(ctx context.Context, ids []int64) (map[int64]orders.VariantInfo, error) {
	found, err := d.c.Variants(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]orders.VariantInfo, len(found))
	for id, v := range found {
		out[id] = orders.VariantInfo{ID: v.ID, ProductName: v.ProductName, SKU: v.SKU, Name: v.Name,
			Price: v.PriceMinor, Currency: v.Currency, WeightGrams: v.WeightGrams, Available: v.QuantityAvailable}
	}
	return out, nil
}
