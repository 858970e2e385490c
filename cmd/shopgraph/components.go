package main

import (
	"fmt"
	"strings"

	"github.com/shopgraph/shopgraph/internal/pg"
)

// defaultPort is each component's port from BRIEF.md.
func defaultPort(component string) string {
	switch component {
	case "router":
		return "4000"
	case "catalog":
		return "4001"
	case "orders":
		return "4002"
	case "users":
		return "4003"
	case "web":
		return "3000"
	}
	return "0"
}

// envPrefix is the prefix of a component's environment variables: CATALOG_LISTEN.
func envPrefix(component string) string { return strings.ToUpper(component) + "_" }

// databaseURLFor is the database a subgraph uses by default: the server of
// DATABASE_URL (or the local default) with the database named after the subgraph.
func databaseURLFor(getenv func(string) string, subgraph string) (string, error) {
	base := getenv("DATABASE_URL")
	if base == "" {
		base = pg.DefaultURL
	}
	u, err := pg.DatabaseURL(base, subgraph)
	if err != nil {
		return "", fmt.Errorf("DATABASE_URL: %w", err)
	}
	return u, nil
}

// defaultSubgraphList is the router's default ROUTER_SUBGRAPHS: our three subgraphs
// on their default local ports.
func defaultSubgraphList() string {
	var parts []string
	for _, name := range subgraphNames {
		parts = append(parts, fmt.Sprintf("%s=http://127.0.0.1:%s/graphql", name, defaultPort(name)))
	}
	return strings.Join(parts, ",")
}
