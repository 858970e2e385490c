package gqlserve_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/shopgraph/shopgraph/internal/gqlserve/gqltest"
	"github.com/shopgraph/shopgraph/internal/pg/pgtest"
	catalogql "github.com/shopgraph/shopgraph/subgraphs/catalog/graph"
	catalogpg "github.com/shopgraph/shopgraph/subgraphs/catalog/postgres"
	ordersql "github.com/shopgraph/shopgraph/subgraphs/orders/graph"
	orderspg "github.com/shopgraph/shopgraph/subgraphs/orders/postgres"
	userspg "github.com/shopgraph/shopgraph/subgraphs/users/postgres"
	"github.com/shopgraph/shopgraph/subgraphs/users/userstest"
)

// auditDir is the npm graphql-http audit, kept beside the router's HTTP code.
const auditDir = "../../gateway/server/testdata/graphqlhttp-audit"

// TestGraphQLOverHTTPAuditSubgraphs runs the graphql-http audit against each
// subgraph as it is served (gqlserve's handler, generated code, PostgreSQL).
// Every item, MUST, SHOULD and MAY, must pass: no deviation is allowed.
//
// This test imports the subgraphs, a test-only exception to internal/'s
// layering: the audit asks for introspection, which only generated code
// answers.
func TestGraphQLOverHTTPAuditSubgraphs(t *testing.T) {
	t.Parallel()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	for name, newHandler := range map[string]func(t *testing.T) http.Handler{
		"catalog": func(t *testing.T) http.Handler {
			return catalogql.NewHandler(catalogpg.New(pgtest.New(t, catalogpg.Migrations())), logger)
		},
		"orders": func(t *testing.T) http.Handler {
			return ordersql.NewHandler(orderspg.New(pgtest.New(t, orderspg.Migrations())), nil, nil, logger)
		},
		"users": func(t *testing.T) http.Handler {
			h, _ := userstest.Handler(t, pgtest.New(t, userspg.Migrations()), userstest.Options{Logger: logger})
			return h
		},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(newHandler(t))
			t.Cleanup(srv.Close)
			results := gqltest.Audit(t, auditDir, srv.URL+"/graphql")
			t.Logf("%s subgraph: %d audit items: %s", name, len(results), gqltest.AuditCounts(results))
			gqltest.CheckAudit(t, results, nil)
		})
	}
}
