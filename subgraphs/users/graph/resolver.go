// Package graph serves the users subgraph over GraphQL.
package graph

// Resolver is the dependency-injection root of the users resolvers.
type Resolver struct{}
