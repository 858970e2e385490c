package plan

import (
	"crypto/sha256"

	"github.com/vektah/gqlparser/v2/ast"
)

// Demand is what the router needs to measure a planned request's cost after
// it ran: its parsed and validated operation and the estimate Plan checked.
type Demand struct {
	Doc *ast.QueryDocument
	Op  *ast.OperationDefinition
	// Estimated is the operation's estimated cost with the request's variables.
	Estimated int
}

// Demand returns the Demand of a request that Plan accepted, read from the
// document cache (the estimate of an operation without variables is cached with
// it). ok is false when the cache no longer holds the document, which only a
// cache smaller than the requests in flight makes happen.
func (p *Planner) Demand(query, operationName string, vars map[string]any) (Demand, bool) {
	sum := sha256.Sum256([]byte(query))
	d, ok := p.docs.get(string(sum[:]) + "\x00" + operationName)
	if !ok || d.err != nil {
		return Demand{}, false
	}
	est := int(d.cost.Load()) - 1
	if est < 0 {
		est = p.limits.Cost(p.g, d.doc, d.op, vars)
		if len(d.op.VariableDefinitions) == 0 {
			d.cost.Store(int64(est) + 1)
		}
	}
	return Demand{Doc: d.doc, Op: d.op, Estimated: est}, true
}
