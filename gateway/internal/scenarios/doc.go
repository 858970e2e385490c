// Package scenarios holds the router's federation scenario tests: each scenario
// starts small real subgraphs on loopback, composes (or loads a hand-written)
// supergraph, then plans and executes operations and checks data, errors and the
// requests the subgraphs received. The package has no code outside its tests.
package scenarios
