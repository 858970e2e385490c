// Package graph serves the orders subgraph over GraphQL.
package graph

// Resolver is the dependency-injection root of the orders resolvers.
type Resolver struct{}
