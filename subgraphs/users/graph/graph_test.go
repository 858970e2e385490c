package graph_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/shopgraph/shopgraph/internal/gqlserve/gqltest"
	"github.com/shopgraph/shopgraph/internal/pg/pgtest"
	"github.com/shopgraph/shopgraph/subgraphs/users/postgres"
	"github.com/shopgraph/shopgraph/subgraphs/users/tokens"
	"github.com/shopgraph/shopgraph/subgraphs/users/userstest"
)

// newServer starts the users subgraph on a loopback port over a seeded database.
func newServer(t *testing.T) *httptest.Server {
	t.Helper()
	srv, _ := newServerWithIssuer(t)
	return srv
}

// newServerWithIssuer also returns the issuer of the server's tokens, so that
// tests can sign in as anyone.
func newServerWithIssuer(t *testing.T) (*httptest.Server, *tokens.Issuer) {
	t.Helper()
	pool := pgtest.New(t, postgres.Migrations())
	if err := postgres.Seed(t.Context(), pool); err != nil {
		t.Fatal(err)
	}
	h, issuer := userstest.Handler(t, pool, userstest.Options{})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv, issuer
}

func TestUsersSubgraph(t *testing.T) {
	t.Parallel()
	srv := newServer(t)

	t.Run("service sdl", func(t *testing.T) {
		res := gqltest.Post(t, srv.URL, `{ _service { sdl } }`, nil)
		var data struct {
			Service struct{ SDL string } `json:"_service"`
		}
		if err := json.Unmarshal(res.Data, &data); err != nil || len(res.Errors) > 0 {
			t.Fatalf("%v %v", err, res.Errors)
		}
		for _, want := range []string{`specs.apollo.dev/federation/v2.7`, `type User @key(fields: "id")`} {
			if !strings.Contains(data.Service.SDL, want) {
				t.Errorf("sdl lacks %q", want)
			}
		}
	})

	t.Run("user by id over GET", func(t *testing.T) {
		q := url.Values{"query": {`{ user(id: "gid://shopgraph/User/2") { id name createdAt } }`}}
		res, err := http.Get(srv.URL + "?" + q.Encode())
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		want := `{"data":{"user":{"id":"gid://shopgraph/User/2","name":"Liam Okafor","createdAt":"2024-01-09T09:30:00Z"}}}`
		if string(b) != want {
			t.Errorf("got %s\nwant %s", b, want)
		}
	})

	t.Run("unknown user is null", func(t *testing.T) {
		res := gqltest.Post(t, srv.URL, `{ user(id: "gid://shopgraph/User/4040") { id } }`, nil)
		if string(res.Data) != `{"user":null}` || len(res.Errors) != 0 {
			t.Errorf("data %s errors %v", res.Data, res.Errors)
		}
	})

	t.Run("bad id is a clear error", func(t *testing.T) {
		res := gqltest.Post(t, srv.URL, `{ user(id: "gid://shopgraph/Product/1") { id } }`, nil)
		if len(res.Errors) != 1 || !strings.Contains(res.Errors[0].Message, "it is a Product ID") ||
			res.Errors[0].Extensions["code"] != "BAD_USER_INPUT" {
			t.Errorf("errors %+v", res.Errors)
		}
	})

	t.Run("entities keep order, unknown ids are null", func(t *testing.T) {
		res := gqltest.Post(t, srv.URL, `query($r: [_Any!]!) { _entities(representations: $r) { ... on User { id name } } }`,
			map[string]any{"r": []map[string]any{
				{"__typename": "User", "id": "gid://shopgraph/User/3"},
				{"__typename": "User", "id": "gid://shopgraph/User/999"},
				{"__typename": "User", "id": "gid://shopgraph/User/1"},
			}})
		want := `{"_entities":[{"id":"gid://shopgraph/User/3","name":"Sofia Rossi"},null,{"id":"gid://shopgraph/User/1","name":"Emma Thompson"}]}`
		if string(res.Data) != want || len(res.Errors) != 0 {
			t.Errorf("data %s\nwant %s\nerrors %v", res.Data, want, res.Errors)
		}
	})

	t.Run("a bad representation fails alone", func(t *testing.T) {
		res := gqltest.Post(t, srv.URL, `query($r: [_Any!]!) { _entities(representations: $r) { ... on User { id } } }`,
			map[string]any{"r": []map[string]any{
				{"__typename": "User", "id": "gid://shopgraph/User/1"},
				{"__typename": "User", "id": "nonsense"},
			}})
		if string(res.Data) != `{"_entities":[{"id":"gid://shopgraph/User/1"},null]}` {
			t.Errorf("data %s", res.Data)
		}
		if len(res.Errors) != 1 || !strings.Contains(res.Errors[0].Message, "not a shopgraph ID") ||
			len(res.Errors[0].Path) != 2 || res.Errors[0].Path[1] != float64(1) {
			t.Errorf("errors %+v", res.Errors)
		}
	})
}

func TestDatabaseErrorsStayOnServer(t *testing.T) {
	t.Parallel()
	pool := pgtest.New(t, postgres.Migrations())
	var logs bytes.Buffer
	h, _ := userstest.Handler(t, pool, userstest.Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	// A closed pool fails every query, as a database outage would.
	pool.Close()
	res := gqltest.Post(t, srv.URL, `{ user(id: "gid://shopgraph/User/1") { id } }`, nil)
	if len(res.Errors) != 1 || res.Errors[0].Message != "internal server error" ||
		res.Errors[0].Extensions["code"] != "INTERNAL_SERVER_ERROR" {
		t.Errorf("errors %+v", res.Errors)
	}
	if !strings.Contains(logs.String(), "closed pool") {
		t.Errorf("the cause was not logged: %s", logs.String())
	}
}
