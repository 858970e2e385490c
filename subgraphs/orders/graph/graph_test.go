package graph_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/shopgraph/shopgraph/internal/gqlserve/gqltest"
	"github.com/shopgraph/shopgraph/internal/pg/pgtest"
	"github.com/shopgraph/shopgraph/subgraphs/orders/graph"
	"github.com/shopgraph/shopgraph/subgraphs/orders/postgres"
)

func newServer(t *testing.T) *httptest.Server {
	t.Helper()
	pool := pgtest.New(t, postgres.Migrations())
	if err := postgres.Seed(t.Context(), pool); err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv := httptest.NewServer(graph.NewHandler(postgres.New(pool), nil, nil, logger))
	t.Cleanup(srv.Close)
	return srv
}

const estimates = `query($r: [_Any!]!, $country: String!) {
  _entities(representations: $r) { ... on ProductVariant { id shippingEstimate(country: $country) { amount currencyCode } } }
}`

func variant(id string, weight any) map[string]any {
	return map[string]any{"__typename": "ProductVariant", "id": id, "weight": weight}
}

func TestOrdersSubgraph(t *testing.T) {
	t.Parallel()
	srv := newServer(t)

	t.Run("service sdl", func(t *testing.T) {
		res := gqltest.Post(t, srv.URL, `{ _service { sdl } }`, nil)
		var d struct {
			Service struct{ SDL string } `json:"_service"`
		}
		if err := json.Unmarshal(res.Data, &d); err != nil || len(res.Errors) > 0 {
			t.Fatalf("%v %v", err, res.Errors)
		}
		for _, want := range []string{
			`specs.apollo.dev/federation/v2.7`,
			`weight: Int! @external`,
			`shippingEstimate(country: String!): Money @requires(fields: "weight")`,
			`type Money @shareable`,
		} {
			if !strings.Contains(d.Service.SDL, want) {
				t.Errorf("sdl lacks %s", want)
			}
		}
	})

	t.Run("estimates from the weight in each representation", func(t *testing.T) {
		res := gqltest.Post(t, srv.URL, estimates, map[string]any{"country": "de", "r": []any{
			variant("gid://shopgraph/ProductVariant/1", 420),
			variant("gid://shopgraph/ProductVariant/2", 2300),
			variant("gid://shopgraph/ProductVariant/3", 0),
		}})
		want := `{"_entities":[` +
			`{"id":"gid://shopgraph/ProductVariant/1","shippingEstimate":{"amount":"14.99","currencyCode":"USD"}},` +
			`{"id":"gid://shopgraph/ProductVariant/2","shippingEstimate":{"amount":"20.99","currencyCode":"USD"}},` +
			`{"id":"gid://shopgraph/ProductVariant/3","shippingEstimate":{"amount":"11.99","currencyCode":"USD"}}]}`
		if string(res.Data) != want || len(res.Errors) > 0 {
			t.Errorf("got %s\nwant %s\nerrors %+v", res.Data, want, res.Errors)
		}
	})

	t.Run("countries without a rate use the rest of the world", func(t *testing.T) {
		res := gqltest.Post(t, srv.URL, estimates, map[string]any{"country": "BR", "r": []any{variant("gid://shopgraph/ProductVariant/1", 1500)}})
		if !strings.Contains(string(res.Data), `"amount":"40.99"`) || len(res.Errors) > 0 {
			t.Errorf("data %s errors %+v", res.Data, res.Errors)
		}
	})

	t.Run("invalid country is a clear error", func(t *testing.T) {
		res := gqltest.Post(t, srv.URL, estimates, map[string]any{"country": "XYZ", "r": []any{variant("gid://shopgraph/ProductVariant/1", 100)}})
		if len(res.Errors) != 1 || !strings.Contains(res.Errors[0].Message, `invalid country code "XYZ"`) ||
			res.Errors[0].Extensions["code"] != "BAD_USER_INPUT" {
			t.Errorf("errors %+v", res.Errors)
		}
	})

	t.Run("bad variant id fails alone", func(t *testing.T) {
		res := gqltest.Post(t, srv.URL, estimates, map[string]any{"country": "US", "r": []any{
			variant("gid://shopgraph/Product/1", 100),
			variant("gid://shopgraph/ProductVariant/9", 100),
		}})
		if !strings.Contains(string(res.Data), `[null,{"id":"gid://shopgraph/ProductVariant/9","shippingEstimate":{"amount":"6.49"`) {
			t.Errorf("data %s", res.Data)
		}
		if len(res.Errors) != 1 || !strings.Contains(res.Errors[0].Message, "it is a Product ID") {
			t.Errorf("errors %+v", res.Errors)
		}
	})

	t.Run("shipping rates", func(t *testing.T) {
		res := gqltest.Post(t, srv.URL, `{ shippingRates { countryCode countryName baseRate { amount } perKgRate { amount currencyCode } } }`, nil)
		var d struct {
			ShippingRates []struct {
				CountryCode *string
				CountryName string
				BaseRate    struct{ Amount string }
			}
		}
		if err := json.Unmarshal(res.Data, &d); err != nil || len(res.Errors) > 0 {
			t.Fatalf("%v %+v", err, res.Errors)
		}
		r := d.ShippingRates
		last := r[len(r)-1]
		if len(r) < 6 || last.CountryCode != nil || last.CountryName != "Rest of world" || last.BaseRate.Amount != "24.99" {
			t.Errorf("rates %s", res.Data)
		}
	})
}
