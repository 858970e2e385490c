package internalapi

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/shopgraph/shopgraph/internal/relay"
	"github.com/shopgraph/shopgraph/subgraphs/catalog"
)

// Error codes the internal API answers with, in {"error": {"code": ...}}.
const (
	// CodeBadRequest: the request is malformed; field names the bad input
	// (orderId, lines[1].quantity, ttlSeconds) where there is one. HTTP 400 (405
	// for a method other than POST, 413 for a body over 1 MiB).
	CodeBadRequest = "BAD_REQUEST"
	// CodeUnauthenticated: no service token, or a wrong one. HTTP 401.
	CodeUnauthenticated = "UNAUTHENTICATED"
	// CodeNotFound: the order has no reservation. HTTP 404.
	CodeNotFound = "NOT_FOUND"
	// CodeConflict: the order's reservation has other lines, or is in a state the
	// operation cannot leave (status says which). HTTP 409.
	CodeConflict = "CONFLICT"
	// CodeInsufficientStock: stock cannot cover the lines listed; nothing was
	// reserved. HTTP 409.
	CodeInsufficientStock = "INSUFFICIENT_STOCK"
	// CodeInternal: a fault on the catalog's side; details are in its logs. HTTP 500.
	CodeInternal = "INTERNAL"
)

// apiError is the body of every error answer, under "error".
type apiError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	// Field names the bad input of a BAD_REQUEST.
	Field string `json:"field,omitempty"`
	// Status is the reservation's state, for a CONFLICT.
	Status string `json:"status,omitempty"`
	// Lines are the short lines of an INSUFFICIENT_STOCK.
	Lines []shortLine `json:"lines,omitempty"`
}

type shortLine struct {
	VariantID string `json:"variantId"`
	Requested int    `json:"requested"`
	Available int    `json:"available"`
}

// writeError answers with status and {"error": e}.
func writeError(w http.ResponseWriter, status int, e apiError) {
	writeJSON(w, status, struct {
		Error apiError `json:"error"`
	}{e})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// fromDomain maps the stock service's errors to an answer; ok is false for a
// fault, which the caller logs and answers with 500.
func fromDomain(err error) (status int, e apiError, ok bool) {
	var (
		short    *catalog.InsufficientStockError
		conflict *catalog.ReservationConflictError
		invalid  *catalog.InvalidStockRequestError
	)
	switch {
	case errors.As(err, &short):
		e = apiError{Code: CodeInsufficientStock, Message: "not enough stock for every line; nothing was reserved"}
		for _, l := range short.Lines {
			e.Lines = append(e.Lines, shortLine{VariantID: variantID(l.VariantID), Requested: l.Requested, Available: l.Available})
		}
		return http.StatusConflict, e, true
	case errors.As(err, &conflict):
		return http.StatusConflict, apiError{Code: CodeConflict, Message: conflict.Error(), Status: statusName(conflict.Status)}, true
	case errors.As(err, &invalid):
		field := invalid.Field
		if field == "ttl" {
			field = "ttlSeconds"
		}
		return http.StatusBadRequest, apiError{Code: CodeBadRequest, Message: invalid.Message, Field: field}, true
	case errors.Is(err, catalog.ErrReservationNotFound):
		return http.StatusNotFound, apiError{Code: CodeNotFound, Message: err.Error()}, true
	}
	return http.StatusInternalServerError, apiError{Code: CodeInternal, Message: "internal error"}, false
}

// kindVariant is the graph's type name in variant global ids.
const kindVariant = "ProductVariant"

func variantID(id int64) string { return relay.EncodeID(kindVariant, id) }

// statusName spells a reservation status for the API: RESERVED, COMMITTED, ...
func statusName(s catalog.ReservationStatus) string { return strings.ToUpper(string(s)) }
