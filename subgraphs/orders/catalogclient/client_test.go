// The tests run the client against the catalog's real internal API over a real,
// seeded catalog database. Importing another subgraph (internalapi and the
// catalog's postgres store) breaks the rule that subgraphs never import each
// other; it is an accepted exception for tests only, because the wire contract is
// only proved against the server that implements it. client.go imports neither.
package catalogclient_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/shopgraph/shopgraph/internal/pg/pgtest"
	"github.com/shopgraph/shopgraph/subgraphs/catalog/internalapi"
	catalogpg "github.com/shopgraph/shopgraph/subgraphs/catalog/postgres"
	"github.com/shopgraph/shopgraph/subgraphs/orders/catalogclient"
)

const token = "client-test-service-token-0123456789"

// fixture is the seeded demo catalog behind the internal API on a real HTTP server.
type fixture struct {
	pool *pgxpool.Pool
	srv  *httptest.Server
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	pool := pgtest.New(t, catalogpg.Migrations())
	if err := catalogpg.Seed(t.Context(), pool); err != nil {
		t.Fatal(err)
	}
	h, err := internalapi.New(catalogpg.New(pool), internalapi.Config{ServiceToken: token, DefaultTTL: time.Minute}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &fixture{pool: pool, srv: srv}
}

// countingTransport counts the requests it sends.
type countingTransport struct{ n atomic.Int64 }

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return http.DefaultTransport.RoundTrip(r)
}

func newClient(t *testing.T, baseURL, tok string, rt http.RoundTripper) *catalogclient.Client {
	t.Helper()
	c, err := catalogclient.New(catalogclient.Config{BaseURL: baseURL, ServiceToken: tok, HTTP: &http.Client{Transport: rt}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// variantsFromDB reads the variants with ids straight from the database, as the
// client should report them.
func (f *fixture) variantsFromDB(t *testing.T, ids []int64) map[int64]catalogclient.Variant {
	t.Helper()
	rows, err := f.pool.Query(t.Context(), `
		SELECT v.id, v.product_id, p.name, p.slug, v.sku, v.name, v.price_minor, v.currency, v.compare_at_minor,
		       v.weight_grams, greatest(v.stock_on_hand - v.stock_reserved, 0),
		       coalesce((SELECT array_agg(o->>'name' ORDER BY n) FROM jsonb_array_elements(v.options) WITH ORDINALITY AS e(o, n)), '{}'),
		       coalesce((SELECT array_agg(o->>'value' ORDER BY n) FROM jsonb_array_elements(v.options) WITH ORDINALITY AS e(o, n)), '{}')
		FROM product_variants v JOIN products p ON p.id = v.product_id WHERE v.id = ANY($1)`, ids)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[int64]catalogclient.Variant{}
	for rows.Next() {
		var (
			v             catalogclient.Variant
			names, values []string
		)
		if err := rows.Scan(&v.ID, &v.ProductID, &v.ProductName, &v.ProductSlug, &v.SKU, &v.Name, &v.PriceMinor, &v.Currency,
			&v.CompareAtMinor, &v.WeightGrams, &v.QuantityAvailable, &names, &values); err != nil {
			t.Fatal(err)
		}
		v.Options = make([]catalogclient.Option, len(names))
		for i := range names {
			v.Options[i] = catalogclient.Option{Name: names[i], Value: values[i]}
		}
		out[v.ID] = v
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func (f *fixture) variantIDs(t *testing.T, query string, args ...any) []int64 {
	t.Helper()
	var ids []int64
	if err := f.pool.QueryRow(t.Context(), `SELECT coalesce(array_agg(id ORDER BY id), '{}') FROM (`+query+`) q`, args...).Scan(&ids); err != nil {
		t.Fatal(err)
	}
	return ids
}

func TestVariantsLookup(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	// A reduced variant with options, one without options if the seed has any, and
	// a plain one, so that every field is compared with something.
	ids := f.variantIDs(t, `
		(SELECT id FROM product_variants WHERE compare_at_minor IS NOT NULL AND options <> '[]' ORDER BY id LIMIT 1)
		UNION ALL (SELECT id FROM product_variants WHERE compare_at_minor IS NULL ORDER BY id LIMIT 2)`)
	if len(ids) < 2 {
		t.Fatalf("seed has too few variants: %v", ids)
	}
	// Units held by a checkout are not available.
	if _, err := f.pool.Exec(t.Context(), `UPDATE product_variants SET stock_on_hand = 7, stock_reserved = 3 WHERE id = $1`, ids[0]); err != nil {
		t.Fatal(err)
	}
	want := f.variantsFromDB(t, ids)
	if want[ids[0]].QuantityAvailable != 4 {
		t.Fatalf("fixture: %+v", want[ids[0]])
	}
	rt := &countingTransport{}
	c := newClient(t, f.srv.URL, token, rt)

	tests := []struct {
		name  string
		ask   []int64
		want  []int64
		calls int64
	}{
		{"found", ids, ids, 1},
		{"missing ones are absent", []int64{999_999_999, ids[1], 999_999_998}, []int64{ids[1]}, 1},
		{"only missing", []int64{999_999_999}, nil, 1},
		{"duplicates", []int64{ids[0], ids[0], ids[1]}, []int64{ids[0], ids[1]}, 1},
		{"nothing asked, no call", nil, nil, 0},
	}
	for _, tt := range tests {
		before := rt.n.Load()
		got, err := c.Variants(t.Context(), tt.ask)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		wantMap := map[int64]catalogclient.Variant{}
		for _, id := range tt.want {
			wantMap[id] = want[id]
		}
		if !reflect.DeepEqual(got, wantMap) {
			t.Errorf("%s:\n got %+v\nwant %+v", tt.name, got, wantMap)
		}
		if n := rt.n.Load() - before; n != tt.calls {
			t.Errorf("%s: %d calls, want %d", tt.name, n, tt.calls)
		}
	}
	if _, err := c.Variants(t.Context(), []int64{ids[0], 0}); err == nil {
		t.Error("a zero id: no error")
	}
}

func TestVariantsBatchesLongLists(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ids := f.variantIDs(t, `SELECT id FROM product_variants ORDER BY id LIMIT 240`)
	if len(ids) != 240 {
		t.Fatalf("seed has %d variants, want 240 at least", len(ids))
	}
	// 240 that exist, 10 that do not, and repeats that must not cost a call.
	ask := append(append([]int64{}, ids...), ids[:30]...)
	for i := range 10 {
		ask = append(ask, int64(900_000_000+i))
	}
	rt := &countingTransport{}
	c := newClient(t, f.srv.URL, token, rt)
	got, err := c.Variants(t.Context(), ask)
	if err != nil {
		t.Fatal(err)
	}
	if n := rt.n.Load(); n != 3 {
		t.Errorf("%d calls for 250 distinct ids, want 3", n)
	}
	if len(got) != len(ids) {
		t.Errorf("%d variants, want %d", len(got), len(ids))
	}
	want := f.variantsFromDB(t, ids)
	if !reflect.DeepEqual(got, want) {
		t.Error("variants differ from the database")
	}
}

func TestReserveReleaseCommit(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ids := f.variantIDs(t, `SELECT id FROM product_variants ORDER BY id LIMIT 2`)
	a, b := ids[0], ids[1]
	if _, err := f.pool.Exec(t.Context(), `UPDATE product_variants SET stock_on_hand = CASE WHEN id = $1 THEN 5 ELSE 2 END WHERE id = ANY($2)`, a, ids); err != nil {
		t.Fatal(err)
	}
	stock := func(id int64) (onHand, reserved int) {
		t.Helper()
		if err := f.pool.QueryRow(t.Context(), `SELECT stock_on_hand, stock_reserved FROM product_variants WHERE id = $1`, id).Scan(&onHand, &reserved); err != nil {
			t.Fatal(err)
		}
		return onHand, reserved
	}
	c := newClient(t, f.srv.URL, token, http.DefaultTransport)
	ctx := t.Context()

	lines := []catalogclient.ReserveLine{{VariantID: a, Quantity: 3}, {VariantID: b, Quantity: 2}}
	for range 2 { // the second is idempotent
		if err := c.Reserve(ctx, "order-1", lines, 10*time.Minute); err != nil {
			t.Fatalf("reserve: %v", err)
		}
	}
	if _, res := stock(a); res != 3 {
		t.Errorf("variant a: %d reserved, want 3", res)
	}

	// Short stock: typed lines, in variant id order, and nothing reserved.
	err := c.Reserve(ctx, "order-2", []catalogclient.ReserveLine{{VariantID: b, Quantity: 1}, {VariantID: a, Quantity: 3}}, 0)
	var short *catalogclient.InsufficientStockError
	if !errors.As(err, &short) {
		t.Fatalf("short stock: %v, want *InsufficientStockError", err)
	}
	wantShort := []catalogclient.ShortLine{{VariantID: a, Requested: 3, Available: 2}, {VariantID: b, Requested: 1, Available: 0}}
	if !reflect.DeepEqual(short.Lines, wantShort) {
		t.Errorf("short lines %+v, want %+v", short.Lines, wantShort)
	}
	var api *catalogclient.APIError
	if !errors.As(err, &api) || api.Status != http.StatusConflict || api.Code != catalogclient.CodeInsufficientStock || errors.Is(err, catalogclient.ErrUnavailable) {
		t.Errorf("short stock as an API error: %+v", api)
	}

	steps := []struct {
		name      string
		do        func() error
		code      string // "" for success
		resStatus string
	}{
		{"other lines for the order", func() error { return c.Reserve(ctx, "order-1", lines[:1], 0) }, catalogclient.CodeConflict, "RESERVED"},
		{"commit", func() error { return c.Commit(ctx, "order-1") }, "", ""},
		{"commit again", func() error { return c.Commit(ctx, "order-1") }, "", ""},
		{"release a sale", func() error { return c.Release(ctx, "order-1") }, catalogclient.CodeConflict, "COMMITTED"},
		{"release unknown", func() error { return c.Release(ctx, "order-9") }, catalogclient.CodeNotFound, ""},
		{"commit unknown", func() error { return c.Commit(ctx, "order-9") }, catalogclient.CodeNotFound, ""},
		{"reserve the rest", func() error {
			return c.Reserve(ctx, "order-3", []catalogclient.ReserveLine{{VariantID: a, Quantity: 2}}, time.Minute)
		}, "", ""},
		{"release it", func() error { return c.Release(ctx, "order-3") }, "", ""},
		{"release again", func() error { return c.Release(ctx, "order-3") }, "", ""},
		{"commit released", func() error { return c.Commit(ctx, "order-3") }, catalogclient.CodeConflict, "RELEASED"},
		{"ttl over a day", func() error { return c.Reserve(ctx, "order-4", lines[:1], 25*time.Hour) }, catalogclient.CodeBadRequest, ""},
		{"restock released", func() error { return c.Restock(ctx, "order-3") }, catalogclient.CodeConflict, "RELEASED"},
		{"restock unknown", func() error { return c.Restock(ctx, "order-9") }, catalogclient.CodeNotFound, ""},
		{"sell the rest", func() error {
			return c.Reserve(ctx, "order-5", []catalogclient.ReserveLine{{VariantID: a, Quantity: 1}}, time.Minute)
		}, "", ""},
		{"commit it", func() error { return c.Commit(ctx, "order-5") }, "", ""},
		{"restock it", func() error { return c.Restock(ctx, "order-5") }, "", ""},
		{"restock again", func() error { return c.Restock(ctx, "order-5") }, "", ""},
		{"release a returned sale", func() error { return c.Release(ctx, "order-5") }, catalogclient.CodeConflict, "RETURNED"},
	}
	for _, st := range steps {
		err := st.do()
		var api *catalogclient.APIError
		switch {
		case st.code == "" && err != nil:
			t.Errorf("%s: %v", st.name, err)
		case st.code != "" && (!errors.As(err, &api) || api.Code != st.code || api.ReservationStatus != st.resStatus):
			t.Errorf("%s: %v (%+v), want %s with status %q", st.name, err, api, st.code, st.resStatus)
		}
	}
	// order-1 sold 3 and 2 units; order-3 came and went; order-5 sold 1 and took it back.
	for _, w := range []struct {
		id               int64
		onHand, reserved int
	}{{a, 2, 0}, {b, 0, 0}} {
		if on, res := stock(w.id); on != w.onHand || res != w.reserved {
			t.Errorf("variant %d: %d on hand, %d reserved; want %d, %d", w.id, on, res, w.onHand, w.reserved)
		}
	}
}

func TestErrorsAreTypedAndHideTheToken(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	wrong := "wrong-service-token-abcdefghijklmnop"

	var (
		mu      sync.Mutex
		crashes int
	)
	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		mu.Lock()
		crashes++
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte(`{"error":{"code":"INTERNAL","message":"internal error"}}`))
	}))
	t.Cleanup(failing.Close)
	down := httptest.NewServer(http.NotFoundHandler())
	down.Close()
	// The stalled server answers only when the test ends (Cleanup runs last in,
	// first out, so release before Close), long after the client gave up.
	release := make(chan struct{})
	stalled := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { <-release }))
	t.Cleanup(stalled.Close)
	t.Cleanup(func() { close(release) })
	stalledClient, err := catalogclient.New(catalogclient.Config{BaseURL: stalled.URL, ServiceToken: token, Timeout: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name        string
		c           *catalogclient.Client
		unavailable bool
		status      int
		code        string
	}{
		{"wrong token", newClient(t, f.srv.URL, wrong, http.DefaultTransport), false, http.StatusUnauthorized, catalogclient.CodeUnauthenticated},
		{"server down", newClient(t, down.URL, token, http.DefaultTransport), true, 0, ""},
		{"server fails", newClient(t, failing.URL, token, http.DefaultTransport), true, 0, ""},
		{"server too slow", stalledClient, true, 0, ""},
		{"not the catalog", newClient(t, f.srv.URL+"/elsewhere", token, http.DefaultTransport), false, http.StatusNotFound, catalogclient.CodeNotFound},
	}
	for _, tt := range tests {
		calls := map[string]func() error{
			"variants": func() error { _, err := tt.c.Variants(ctx, []int64{1}); return err },
			"reserve": func() error {
				return tt.c.Reserve(ctx, "o", []catalogclient.ReserveLine{{VariantID: 1, Quantity: 1}}, 0)
			},
			"release": func() error { return tt.c.Release(ctx, "o") },
			"commit":  func() error { return tt.c.Commit(ctx, "o") },
		}
		for op, call := range calls {
			err := call()
			var api *catalogclient.APIError
			switch {
			case err == nil:
				t.Errorf("%s, %s: no error", tt.name, op)
				continue
			case errors.Is(err, catalogclient.ErrUnavailable) != tt.unavailable:
				t.Errorf("%s, %s: %v; want unavailable %v", tt.name, op, err, tt.unavailable)
			case !tt.unavailable && (!errors.As(err, &api) || api.Status != tt.status || api.Code != tt.code):
				t.Errorf("%s, %s: %v, want APIError %d %s", tt.name, op, err, tt.status, tt.code)
			case tt.unavailable && errors.As(err, &api):
				t.Errorf("%s, %s: %v is also an APIError", tt.name, op, err)
			}
			if strings.Contains(err.Error(), token) || strings.Contains(err.Error(), wrong) {
				t.Errorf("%s, %s: the error shows the token: %v", tt.name, op, err)
			}
		}
	}
	mu.Lock()
	if crashes != 4 {
		t.Errorf("failing server saw %d calls, want 4 (no retries)", crashes)
	}
	mu.Unlock()

	// A caller that gave up is not an outage.
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	err = newClient(t, f.srv.URL, token, http.DefaultTransport).Commit(cancelled, "o")
	if !errors.Is(err, context.Canceled) || errors.Is(err, catalogclient.ErrUnavailable) {
		t.Errorf("cancelled: %v, want context.Canceled and not ErrUnavailable", err)
	}
}

func TestNewNamesBadConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cfg  catalogclient.Config
		bad  string
	}{
		{"good", catalogclient.Config{BaseURL: "http://catalog:4001", ServiceToken: token}, ""},
		{"https with a path", catalogclient.Config{BaseURL: "https://catalog.internal/catalog/", ServiceToken: token, Timeout: time.Second}, ""},
		{"no URL", catalogclient.Config{ServiceToken: token}, "BaseURL"},
		{"no scheme", catalogclient.Config{BaseURL: "catalog:4001", ServiceToken: token}, "BaseURL"},
		{"other scheme", catalogclient.Config{BaseURL: "ftp://catalog", ServiceToken: token}, "BaseURL"},
		{"no host", catalogclient.Config{BaseURL: "http://", ServiceToken: token}, "BaseURL"},
		{"credentials in the URL", catalogclient.Config{BaseURL: "http://u:p@catalog", ServiceToken: token}, "BaseURL"},
		{"no token", catalogclient.Config{BaseURL: "http://catalog:4001"}, "ServiceToken"},
		{"short token", catalogclient.Config{BaseURL: "http://catalog:4001", ServiceToken: "short"}, "ServiceToken"},
		{"negative timeout", catalogclient.Config{BaseURL: "http://catalog:4001", ServiceToken: token, Timeout: -time.Second}, "Timeout"},
	}
	for _, tt := range tests {
		_, err := catalogclient.New(tt.cfg)
		if (err == nil) != (tt.bad == "") || (err != nil && !strings.Contains(err.Error(), tt.bad)) {
			t.Errorf("%s: %v, want an error naming %q", tt.name, err, tt.bad)
		}
		if err != nil && strings.Contains(err.Error(), token) {
			t.Errorf("%s: the error shows the token: %v", tt.name, err)
		}
	}
}
