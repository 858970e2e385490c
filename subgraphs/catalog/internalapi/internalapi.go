// Package internalapi is the catalog's service-to-service API: variant lookups for
// carts and stock reservations for checkout, which the orders service calls with a
// shared service token (orders never trusts a price a client sends; it asks here).
// It is JSON over HTTP under /internal/ on the catalog's own listener, beside
// /graphql, and it is not part of the public graph: the router only ever forwards
// to a subgraph's /graphql, so no client request reaches these paths through it,
// and a direct caller without the token gets 401 (or 404 while no token is set).
//
//	POST /internal/stock/reserve  {"orderId", "lines": [{"variantId", "quantity"}], "ttlSeconds"?}
//	POST /internal/stock/release  {"orderId"}
//	POST /internal/stock/commit   {"orderId"}
//	POST /internal/stock/restock  {"orderId"}  (a committed order cancelled before shipping)
//	POST /internal/variants/lookup {"variantIds": ["gid://shopgraph/ProductVariant/12", ...]}
//
// The stock paths answer 200 with {"reservation": {...}}, the lookup with
// {"variants": [...], "missing": [...]} (see variants.go), or an error status with
// {"error": {"code", "message", ...}}; the codes are the constants below.
// Variant ids are the graph's global ids (gid://shopgraph/ProductVariant/N), the
// ones the orders service sees on cart lines.
package internalapi

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/shopgraph/shopgraph/internal/auth"
	"github.com/shopgraph/shopgraph/subgraphs/catalog"
)

// The paths the internal API serves.
const (
	ReservePath = "/internal/stock/reserve"
	ReleasePath = "/internal/stock/release"
	CommitPath  = "/internal/stock/commit"
	RestockPath = "/internal/stock/restock"
	// LookupPath answers variants with their product, price and stock.
	LookupPath = "/internal/variants/lookup"
)

// Paths lists the internal API's paths, for metrics labels.
func Paths() []string { return []string{ReservePath, ReleasePath, CommitPath, RestockPath, LookupPath} }

// Service is what the internal API reads and writes: stock for reservations, and
// variants with their products for lookups. *postgres.Store is one.
type Service interface {
	catalog.StockService
	variantReader
}

// variantReader is the part of catalog.ProductService a lookup needs; each
// method answers any number of ids with one query.
type variantReader interface {
	VariantsByIDs(ctx context.Context, ids []int64) (map[int64]*catalog.Variant, error)
	ProductsByIDs(ctx context.Context, ids []int64) (map[int64]*catalog.Product, error)
}

// MinTokenLength is the shortest service token accepted, so that a token cannot be
// guessed.
const MinTokenLength = auth.MinServiceTokenLength

// Config configures the internal API.
type Config struct {
	// ServiceToken is the bearer token every request must carry. Empty disables
	// the API: every path answers 404. The orders service must be given the same token.
	ServiceToken string
	// DefaultTTL is how long a reservation is held when a request names no ttlSeconds.
	DefaultTTL time.Duration
}

// Validate names every bad field.
func (c Config) Validate() error {
	var errs []error
	if c.ServiceToken != "" && len(c.ServiceToken) < MinTokenLength {
		errs = append(errs, fmt.Errorf("ServiceToken: want at least %d characters (or none to disable the internal API)", MinTokenLength))
	}
	if c.DefaultTTL <= 0 || c.DefaultTTL > catalog.MaxReservationTTL {
		errs = append(errs, fmt.Errorf("DefaultTTL: %s: want a positive duration of at most %s", c.DefaultTTL, catalog.MaxReservationTTL))
	}
	return errors.Join(errs...)
}

// handler serves the internal API.
type handler struct {
	stock catalog.StockService
	// variants answers lookups.
	variants variantReader
	cfg      Config
	logger   *slog.Logger
	// credential checks the service token of each request.
	credential *auth.ServiceCredential
	routes     *http.ServeMux
}

// New returns the internal API's handler, to mount at /internal/ on the catalog's
// listener. With no ServiceToken it answers 404 to everything.
func New(svc Service, cfg Config, logger *slog.Logger) (http.Handler, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("internal API: %w", err)
	}
	if cfg.ServiceToken == "" {
		return http.NotFoundHandler(), nil
	}
	credential, err := auth.NewServiceCredential(cfg.ServiceToken)
	if err != nil {
		return nil, fmt.Errorf("internal API: %w", err)
	}
	h := &handler{stock: svc, variants: svc, cfg: cfg, logger: logger, credential: credential, routes: http.NewServeMux()}
	h.routes.HandleFunc("POST "+ReservePath, h.reserve)
	h.routes.HandleFunc("POST "+ReleasePath, h.settle("release", svc.Release))
	h.routes.HandleFunc("POST "+CommitPath, h.settle("commit", svc.Commit))
	h.routes.HandleFunc("POST "+RestockPath, h.settle("restock", svc.Restock))
	h.routes.HandleFunc("POST "+LookupPath, h.lookup)
	for _, path := range Paths() {
		h.routes.HandleFunc(path, func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Allow", http.MethodPost)
			writeError(w, http.StatusMethodNotAllowed, apiError{Code: CodeBadRequest, Message: "use POST"})
		})
	}
	h.routes.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, apiError{Code: CodeNotFound, Message: "no such internal endpoint: " + r.URL.Path})
	})
	return h, nil
}

// ServeHTTP checks the service token before anything else, so that a caller
// without it learns nothing, not even which paths exist.
func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !h.credential.Allows(r) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="shopgraph-internal"`)
		writeError(w, http.StatusUnauthorized, apiError{Code: CodeUnauthenticated, Message: "a valid service token is required: Authorization: Bearer <token>"})
		return
	}
	h.routes.ServeHTTP(w, r)
}
