package internalapi

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/shopgraph/shopgraph/internal/pg/pgtest"
	"github.com/shopgraph/shopgraph/subgraphs/catalog"
	catalogpg "github.com/shopgraph/shopgraph/subgraphs/catalog/postgres"
)

const token = "test-service-token-0123456789"

// fixture is a catalog database with two variants (5 and 2 units on hand) behind
// the internal API on a real HTTP server.
type fixture struct {
	pool   *pgxpool.Pool
	store  *catalogpg.Store
	srv    *httptest.Server
	a, b   int64
	va, vb string // their global ids
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	pool := pgtest.New(t, catalogpg.Migrations())
	var ids []int64
	if err := pool.QueryRow(t.Context(), `
		WITH p AS (INSERT INTO products (slug, name) VALUES ('api-test', 'API test') RETURNING id),
		v AS (
			INSERT INTO product_variants (product_id, sku, name, price_minor, currency, weight_grams, stock_on_hand)
			SELECT p.id, 'SKU-' || n, 'Variant ' || n, 1000, 'USD', 100, units
			FROM p, unnest(ARRAY[5, 2]) WITH ORDINALITY AS u(units, n)
			ORDER BY n
			RETURNING id)
		SELECT array_agg(v.id ORDER BY v.id) FROM v`).Scan(&ids); err != nil {
		t.Fatal(err)
	}
	store := catalogpg.New(pool)
	h, err := New(store, Config{ServiceToken: token, DefaultTTL: time.Minute}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &fixture{pool: pool, store: store, srv: srv, a: ids[0], b: ids[1], va: variantID(ids[0]), vb: variantID(ids[1])}
}

// answer is a decoded response.
type answer struct {
	status      int
	header      http.Header
	Reservation *reservationJSON `json:"reservation"`
	Error       *apiError        `json:"error"`
}

func call(t *testing.T, srv *httptest.Server, method, path, auth, body string) answer {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	a := answer{status: resp.StatusCode, header: resp.Header}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(raw, &a); err != nil {
			t.Fatalf("%s %s: %v in %s", method, path, err, raw)
		}
	}
	return a
}

func (f *fixture) post(t *testing.T, path, body string) answer {
	t.Helper()
	return call(t, f.srv, http.MethodPost, path, "Bearer "+token, body)
}

func (f *fixture) stock(t *testing.T, id int64) (onHand, reserved int) {
	t.Helper()
	if err := f.pool.QueryRow(t.Context(), `SELECT stock_on_hand, stock_reserved FROM product_variants WHERE id = $1`, id).Scan(&onHand, &reserved); err != nil {
		t.Fatal(err)
	}
	return onHand, reserved
}

func TestDisabledWithoutTokenAnswers404(t *testing.T) {
	t.Parallel()
	h, err := New(nil, Config{DefaultTTL: time.Minute}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	for _, path := range Paths() {
		for _, auth := range []string{"", "Bearer " + token, "Bearer "} {
			if a := call(t, srv, http.MethodPost, path, auth, `{"orderId":"o"}`); a.status != http.StatusNotFound {
				t.Errorf("POST %s with %q: %d, want 404", path, auth, a.status)
			}
		}
	}
}

func TestRequestsWithoutTheServiceTokenAre401(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	tests := []struct {
		name, auth string
		want       int
	}{
		{"no header", "", http.StatusUnauthorized},
		{"wrong token", "Bearer not-the-service-token-at-all", http.StatusUnauthorized},
		{"token prefix", "Bearer " + token[:len(token)-1], http.StatusUnauthorized},
		{"token with more", "Bearer " + token + "x", http.StatusUnauthorized},
		{"other scheme", "Basic " + token, http.StatusUnauthorized},
		{"bare token", token, http.StatusUnauthorized},
		{"right token", "Bearer " + token, http.StatusNotFound}, // past auth: the order has no reservation
		{"scheme in lower case", "bearer " + token, http.StatusNotFound},
	}
	for _, tt := range tests {
		for _, path := range []string{ReleasePath, "/internal/stock/unknown"} {
			a := call(t, f.srv, http.MethodPost, path, tt.auth, `{"orderId":"nobody"}`)
			if a.status != tt.want {
				t.Errorf("%s, %s: %d, want %d", tt.name, path, a.status, tt.want)
			}
			if tt.want == http.StatusUnauthorized && (a.Error == nil || a.Error.Code != CodeUnauthenticated || a.header.Get("WWW-Authenticate") == "") {
				t.Errorf("%s, %s: %+v %v, want UNAUTHENTICATED with a WWW-Authenticate challenge", tt.name, path, a.Error, a.header)
			}
		}
	}
}

func TestBadRequestsNameTheField(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	line := func(variant, quantity string) string {
		return `{"variantId":` + variant + `,"quantity":` + quantity + `}`
	}
	reserve := func(lines ...string) string {
		return `{"orderId":"o-1","lines":[` + strings.Join(lines, ",") + `]}`
	}
	va, vb := strconv.Quote(f.va), strconv.Quote(f.vb)
	tests := []struct {
		name, path, body, field string
	}{
		{"not JSON", ReservePath, `{"orderId":`, ""},
		{"empty body", ReservePath, ``, ""},
		{"array body", ReservePath, `[]`, ""},
		{"trailing data", CommitPath, `{"orderId":"o"} {}`, ""},
		{"order id missing", ReservePath, `{"lines":[` + line(va, "1") + `]}`, "orderId"},
		{"order id a number", ReservePath, `{"orderId":7,"lines":[]}`, "orderId"},
		{"order id blank", ReservePath, `{"orderId":"  ","lines":[` + line(va, "1") + `]}`, "orderId"},
		{"lines missing", ReservePath, `{"orderId":"o"}`, "lines"},
		{"lines not a list", ReservePath, `{"orderId":"o","lines":{}}`, "lines"},
		{"no lines", ReservePath, `{"orderId":"o","lines":[]}`, "lines"},
		{"unknown field", ReservePath, `{"orderId":"o","lines":[],"coupon":"x"}`, "coupon"},
		{"unknown line field", ReservePath, reserve(`{"variantId":` + va + `,"quantity":1,"price":"9.99"}`), "lines[0].price"},
		{"line not an object", ReservePath, reserve(`3`), "lines[0]"},
		{"variant id missing", ReservePath, reserve(`{"quantity":1}`), "lines[0].variantId"},
		{"variant id of a product", ReservePath, reserve(line(`"gid://shopgraph/Product/1"`, "1")), "lines[0].variantId"},
		{"variant id a number", ReservePath, reserve(line("12", "1")), "lines[0].variantId"},
		{"unknown variant", ReservePath, reserve(line(va, "1"), line(`"gid://shopgraph/ProductVariant/999999"`, "1")), "lines[1].variantId"},
		{"variant twice", ReservePath, reserve(line(va, "1"), line(vb, "1"), line(va, "2")), "lines[2].variantId"},
		{"quantity missing", ReservePath, reserve(`{"variantId":` + va + `}`), "lines[0].quantity"},
		{"quantity a string", ReservePath, reserve(line(va, `"2"`)), "lines[0].quantity"},
		{"quantity zero", ReservePath, reserve(line(vb, "1"), line(va, "0")), "lines[1].quantity"},
		{"quantity fractional", ReservePath, reserve(line(va, "1.5")), "lines[0].quantity"},
		{"quantity huge", ReservePath, reserve(line(va, "99999999999")), "lines[0].quantity"},
		{"ttl negative", ReservePath, `{"orderId":"o","lines":[` + line(va, "1") + `],"ttlSeconds":-1}`, "ttlSeconds"},
		{"ttl over a day", ReservePath, `{"orderId":"o","lines":[` + line(va, "1") + `],"ttlSeconds":86401}`, "ttlSeconds"},
		{"release without order", ReleasePath, `{}`, "orderId"},
		{"commit with order null", CommitPath, `{"orderId":null}`, "orderId"},
	}
	for _, tt := range tests {
		a := f.post(t, tt.path, tt.body)
		if a.status != http.StatusBadRequest || a.Error == nil || a.Error.Code != CodeBadRequest || a.Error.Field != tt.field || a.Error.Message == "" {
			t.Errorf("%s: %d %+v, want 400 BAD_REQUEST naming %q", tt.name, a.status, a.Error, tt.field)
		}
	}
	if a := call(t, f.srv, http.MethodGet, ReservePath, "Bearer "+token, ""); a.status != http.StatusMethodNotAllowed || a.header.Get("Allow") != http.MethodPost {
		t.Errorf("GET: %d %v, want 405 allowing POST", a.status, a.header)
	}
	big := `{"orderId":"` + strings.Repeat("x", maxBodyBytes) + `"}`
	if a := f.post(t, CommitPath, big); a.status != http.StatusRequestEntityTooLarge || a.Error == nil || a.Error.Code != CodeBadRequest {
		t.Errorf("a body over the limit: %d %+v", a.status, a.Error)
	}
	if on, res := f.stock(t, f.a); on != 5 || res != 0 {
		t.Errorf("bad requests changed stock: %d on hand, %d reserved", on, res)
	}
}

func TestReserveCommitReleaseOverHTTP(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	body := `{"orderId":"order-1","lines":[{"variantId":"` + f.vb + `","quantity":2},{"variantId":"` + f.va + `","quantity":3}],"ttlSeconds":600}`
	start := time.Now()
	first := f.post(t, ReservePath, body)
	if first.status != http.StatusOK || first.Reservation == nil {
		t.Fatalf("reserve: %d %+v", first.status, first.Error)
	}
	r := first.Reservation
	wantLines := []lineJSON{{VariantID: f.va, Quantity: 3}, {VariantID: f.vb, Quantity: 2}}
	if r.OrderID != "order-1" || r.Status != "RESERVED" || len(r.Lines) != 2 || r.Lines[0] != wantLines[0] || r.Lines[1] != wantLines[1] ||
		r.ExpiresAt.Sub(start) < 590*time.Second || r.ExpiresAt.Sub(start) > 610*time.Second || r.CreatedAt.IsZero() {
		t.Errorf("reservation %+v", r)
	}
	if again := f.post(t, ReservePath, body); again.status != http.StatusOK || !again.Reservation.CreatedAt.Equal(r.CreatedAt) {
		t.Errorf("reserving again: %d %+v %+v", again.status, again.Reservation, again.Error)
	}

	steps := []struct {
		name, path, body string
		status           int
		code, resStatus  string // the error code, or the reservation's status
	}{
		{"last units gone", ReservePath, `{"orderId":"order-2","lines":[{"variantId":"` + f.va + `","quantity":3},{"variantId":"` + f.vb + `","quantity":1}]}`,
			http.StatusConflict, CodeInsufficientStock, ""},
		{"other lines", ReservePath, `{"orderId":"order-1","lines":[{"variantId":"` + f.va + `","quantity":1}]}`,
			http.StatusConflict, CodeConflict, "RESERVED"},
		{"commit", CommitPath, `{"orderId":"order-1"}`, http.StatusOK, "", "COMMITTED"},
		{"commit again", CommitPath, `{"orderId":"order-1"}`, http.StatusOK, "", "COMMITTED"},
		{"release a sale", ReleasePath, `{"orderId":"order-1"}`, http.StatusConflict, CodeConflict, "COMMITTED"},
		{"release unknown", ReleasePath, `{"orderId":"order-9"}`, http.StatusNotFound, CodeNotFound, ""},
		{"commit unknown", CommitPath, `{"orderId":"order-9"}`, http.StatusNotFound, CodeNotFound, ""},
		{"reserve the rest", ReservePath, `{"orderId":"order-3","lines":[{"variantId":"` + f.va + `","quantity":2}]}`, http.StatusOK, "", "RESERVED"},
		{"release it", ReleasePath, `{"orderId":"order-3"}`, http.StatusOK, "", "RELEASED"},
		{"release again", ReleasePath, `{"orderId":"order-3"}`, http.StatusOK, "", "RELEASED"},
		{"commit released", CommitPath, `{"orderId":"order-3"}`, http.StatusConflict, CodeConflict, "RELEASED"},
	}
	for _, st := range steps {
		a := f.post(t, st.path, st.body)
		switch {
		case a.status != st.status:
			t.Errorf("%s: status %d (%+v), want %d", st.name, a.status, a.Error, st.status)
		case st.code != "" && (a.Error == nil || a.Error.Code != st.code || a.Error.Status != st.resStatus):
			t.Errorf("%s: error %+v, want %s with status %q", st.name, a.Error, st.code, st.resStatus)
		case st.code == "" && (a.Reservation == nil || a.Reservation.Status != st.resStatus):
			t.Errorf("%s: reservation %+v, want status %s", st.name, a.Reservation, st.resStatus)
		}
		if st.code == CodeInsufficientStock && a.Error != nil {
			want := []shortLine{{VariantID: f.va, Requested: 3, Available: 2}, {VariantID: f.vb, Requested: 1, Available: 0}}
			if len(a.Error.Lines) != 2 || a.Error.Lines[0] != want[0] || a.Error.Lines[1] != want[1] {
				t.Errorf("%s: short lines %+v, want %+v", st.name, a.Error.Lines, want)
			}
		}
	}
	// order-1 sold 3 and 2 units; order-3 came and went.
	for _, w := range []struct {
		id               int64
		onHand, reserved int
	}{{f.a, 2, 0}, {f.b, 0, 0}} {
		if on, res := f.stock(t, w.id); on != w.onHand || res != w.reserved {
			t.Errorf("variant %d: %d on hand, %d reserved; want %d, %d", w.id, on, res, w.onHand, w.reserved)
		}
	}
}

func TestSweepExpiredReleasesAndLogs(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	for _, order := range []string{"late-1", "late-2", "on-time"} {
		if _, err := f.store.Reserve(ctx, order, []catalog.ReservationLine{{VariantID: f.a, Quantity: 1}}, time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.pool.Exec(ctx, `UPDATE stock_reservations SET expires_at = now() - interval '1 second' WHERE order_id LIKE 'late-%'`); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, nil))
	if n := SweepExpired(ctx, f.store, logger); n != 2 {
		t.Errorf("swept %d, want 2", n)
	}
	if n := SweepExpired(ctx, f.store, logger); n != 0 {
		t.Errorf("second sweep released %d, want 0", n)
	}
	if !strings.Contains(logs.String(), `"reservations":2`) || !strings.Contains(logs.String(), "late-1") || strings.Count(logs.String(), "\n") != 1 {
		t.Errorf("logs: %s", logs.String())
	}
	if _, res := f.stock(t, f.a); res != 1 {
		t.Errorf("%d reserved after the sweep, want the on-time order's 1", res)
	}
}

func TestConfigValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cfg  Config
		bad  string
	}{
		{"disabled", Config{DefaultTTL: time.Minute}, ""},
		{"enabled", Config{ServiceToken: token, DefaultTTL: time.Minute}, ""},
		{"short token", Config{ServiceToken: "short", DefaultTTL: time.Minute}, "ServiceToken"},
		{"no ttl", Config{ServiceToken: token}, "DefaultTTL"},
		{"ttl over a day", Config{DefaultTTL: 25 * time.Hour}, "DefaultTTL"},
	}
	for _, tt := range tests {
		err := tt.cfg.Validate()
		if (err == nil) != (tt.bad == "") || (err != nil && !strings.Contains(err.Error(), tt.bad)) {
			t.Errorf("%s: %v, want an error naming %q", tt.name, err, tt.bad)
		}
	}
}
