package internalapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/shopgraph/shopgraph/internal/relay"
	"github.com/shopgraph/shopgraph/subgraphs/catalog"
)

// maxBodyBytes bounds a request body: 200 lines fit in a few kilobytes.
const maxBodyBytes = 1 << 20

// reservationJSON is a reservation as the API shows it.
type reservationJSON struct {
	OrderID   string     `json:"orderId"`
	Status    string     `json:"status"`
	Lines     []lineJSON `json:"lines"`
	ExpiresAt time.Time  `json:"expiresAt"`
	CreatedAt time.Time  `json:"createdAt"`
	UpdatedAt time.Time  `json:"updatedAt"`
}

type lineJSON struct {
	VariantID string `json:"variantId"`
	Quantity  int    `json:"quantity"`
}

func toJSON(r *catalog.Reservation) reservationJSON {
	out := reservationJSON{OrderID: r.OrderID, Status: statusName(r.Status), Lines: make([]lineJSON, len(r.Lines)),
		ExpiresAt: r.ExpiresAt.UTC(), CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
	for i, l := range r.Lines {
		out.Lines[i] = lineJSON{VariantID: variantID(l.VariantID), Quantity: l.Quantity}
	}
	return out
}

// reserveRequest is the body of POST /internal/stock/reserve. Lines stay raw so
// that a bad line is reported with its index.
type reserveRequest struct {
	OrderID    *string           `json:"orderId"`
	Lines      []json.RawMessage `json:"lines"`
	TTLSeconds *int64            `json:"ttlSeconds"`
}

type lineRequest struct {
	VariantID *string `json:"variantId"`
	Quantity  *int64  `json:"quantity"`
}

// orderRequest is the body of POST /internal/stock/release and /commit.
type orderRequest struct {
	OrderID *string `json:"orderId"`
}

// badRequest is a malformed request, answered with 400 (or 413) naming the field.
type badRequest struct {
	status  int
	field   string
	message string
}

func (e *badRequest) Error() string { return e.field + ": " + e.message }

func bad(field, format string, args ...any) *badRequest {
	return &badRequest{status: http.StatusBadRequest, field: field, message: fmt.Sprintf(format, args...)}
}

// decode reads one JSON object into v, refusing unknown fields and trailing data;
// prefix is the path of v in the request, for field names ("lines[2].").
func decode(data []byte, prefix string, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	var (
		syntax    *json.SyntaxError
		wrongType *json.UnmarshalTypeError
	)
	switch {
	case err == nil:
		if dec.More() {
			return bad(strings.TrimSuffix(prefix, "."), "unexpected data after the JSON object")
		}
		return nil
	case errors.Is(err, io.EOF):
		return bad(strings.TrimSuffix(prefix, "."), "want a JSON object, got nothing")
	case errors.As(err, &syntax):
		return bad(strings.TrimSuffix(prefix, "."), "not valid JSON at byte %d: %v", syntax.Offset, err)
	case errors.As(err, &wrongType):
		if wrongType.Field == "" {
			return bad(strings.TrimSuffix(prefix, "."), "want a JSON object, got %s", wrongType.Value)
		}
		return bad(prefix+wrongType.Field, "want %s, got %s", jsonKind(wrongType.Type.Kind().String()), wrongType.Value)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return bad(prefix+name, "unknown field")
	}
	return bad(strings.TrimSuffix(prefix, "."), "%v", err)
}

// jsonKind names a Go kind the way a JSON author thinks of it.
func jsonKind(kind string) string {
	switch {
	case strings.HasPrefix(kind, "int"):
		return "an integer"
	case kind == "string":
		return "a string"
	case kind == "slice":
		return "an array"
	}
	return "a " + kind
}

// readBody reads the request body within maxBodyBytes.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return nil, &badRequest{status: http.StatusRequestEntityTooLarge, message: fmt.Sprintf("body over %d bytes", maxBodyBytes)}
	}
	if err != nil {
		return nil, bad("", "read body: %v", err)
	}
	return data, nil
}

// parseReserve turns a reserve body into the stock service's arguments.
func (h *handler) parseReserve(data []byte) (string, []catalog.ReservationLine, time.Duration, error) {
	var req reserveRequest
	if err := decode(data, "", &req); err != nil {
		return "", nil, 0, err
	}
	if req.OrderID == nil {
		return "", nil, 0, bad("orderId", "required")
	}
	if req.Lines == nil {
		return "", nil, 0, bad("lines", "required")
	}
	if len(req.Lines) > catalog.MaxReservationLines {
		return "", nil, 0, bad("lines", "at most %d lines", catalog.MaxReservationLines)
	}
	ttl := h.cfg.DefaultTTL
	if req.TTLSeconds != nil {
		maxSeconds := int64(catalog.MaxReservationTTL / time.Second)
		if *req.TTLSeconds <= 0 || *req.TTLSeconds > maxSeconds {
			return "", nil, 0, bad("ttlSeconds", "want 1 to %d", maxSeconds)
		}
		ttl = time.Duration(*req.TTLSeconds) * time.Second
	}
	lines := make([]catalog.ReservationLine, len(req.Lines))
	for i, raw := range req.Lines {
		prefix := fmt.Sprintf("lines[%d]", i)
		var l lineRequest
		if err := decode(raw, prefix+".", &l); err != nil {
			return "", nil, 0, err
		}
		if l.VariantID == nil {
			return "", nil, 0, bad(prefix+".variantId", "required")
		}
		if l.Quantity == nil {
			return "", nil, 0, bad(prefix+".quantity", "required")
		}
		id, err := relay.DecodeID(kindVariant, *l.VariantID)
		if err != nil {
			return "", nil, 0, bad(prefix+".variantId", "%v", err)
		}
		if *l.Quantity <= 0 || *l.Quantity > math.MaxInt32 {
			return "", nil, 0, bad(prefix+".quantity", "want 1 to %d", catalog.MaxLineQuantity)
		}
		lines[i] = catalog.ReservationLine{VariantID: id, Quantity: int(*l.Quantity)}
	}
	return *req.OrderID, lines, ttl, nil
}

func (h *handler) reserve(w http.ResponseWriter, r *http.Request) {
	data, err := readBody(w, r)
	if err != nil {
		h.fail(w, r, "reserve", "", err)
		return
	}
	orderID, lines, ttl, err := h.parseReserve(data)
	if err != nil {
		h.fail(w, r, "reserve", orderID, err)
		return
	}
	res, err := h.stock.Reserve(r.Context(), orderID, lines, ttl)
	if err != nil {
		h.fail(w, r, "reserve", orderID, err)
		return
	}
	h.logger.InfoContext(r.Context(), "stock reserved", "order_id", orderID, "lines", len(res.Lines), "status", res.Status, "expires_at", res.ExpiresAt)
	writeJSON(w, http.StatusOK, map[string]any{"reservation": toJSON(res)})
}

// settle serves release and commit, which take only an order id.
func (h *handler) settle(op string, do func(context.Context, string) (*catalog.Reservation, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		data, err := readBody(w, r)
		if err != nil {
			h.fail(w, r, op, "", err)
			return
		}
		var req orderRequest
		if err := decode(data, "", &req); err != nil {
			h.fail(w, r, op, "", err)
			return
		}
		if req.OrderID == nil {
			h.fail(w, r, op, "", bad("orderId", "required"))
			return
		}
		res, err := do(r.Context(), *req.OrderID)
		if err != nil {
			h.fail(w, r, op, *req.OrderID, err)
			return
		}
		h.logger.InfoContext(r.Context(), "stock "+op, "order_id", res.OrderID, "status", res.Status)
		writeJSON(w, http.StatusOK, map[string]any{"reservation": toJSON(res)})
	}
}

// fail answers err: a bad request or an expected failure of the stock service
// with its code, anything else as a logged fault.
func (h *handler) fail(w http.ResponseWriter, r *http.Request, op, orderID string, err error) {
	var br *badRequest
	if errors.As(err, &br) {
		writeError(w, br.status, apiError{Code: CodeBadRequest, Message: br.message, Field: br.field})
		return
	}
	status, e, ok := fromDomain(err)
	if !ok {
		h.logger.ErrorContext(r.Context(), "stock "+op+" failed", "order_id", orderID, "err", err)
	} else {
		h.logger.InfoContext(r.Context(), "stock "+op+" refused", "order_id", orderID, "code", e.Code, "err", err)
	}
	writeError(w, status, e)
}
