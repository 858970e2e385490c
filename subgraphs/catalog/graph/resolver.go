// Package graph serves the catalog subgraph over GraphQL.
package graph

// Resolver is the dependency-injection root of the catalog resolvers.
type Resolver struct{}
