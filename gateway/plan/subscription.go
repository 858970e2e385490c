package plan

import (
	"fmt"

	"github.com/shopgraph/shopgraph/gateway/supergraph"
)

// planSubscription plans a subscription's one root field (validation allows
// no more) as the plan's primary fetch: a subscription operation sent to the
// subgraph that owns the field, over its subscription transport. Its
// selections are planned as a query root's are, so fields the owner does not
// resolve become entity fetches that depend on the primary fetch; the router
// runs them for every event the subgraph sends.
//
// When several subgraphs define the field (composition allows that on
// Subscription without @shareable), the first by name is taken, so that one
// subscription never opens two event streams.
func (b *builder) planSubscription(root *supergraph.Type, fields []*Field, resolvers func(*Field) []string) error {
	if len(fields) != 1 {
		return fmt.Errorf("a subscription selects exactly one root field, got %d", len(fields))
	}
	f := fields[0]
	rs := resolvers(f)
	if len(rs) == 0 {
		return fmt.Errorf("no subgraph resolves %s.%s", b.op.RootType, f.Name)
	}
	rf := b.newFetch(rs[0], false)
	rf.subscription = true
	c := cursor{f: rf, sg: rf.sg, sel: rf.sel, typ: root.Name, client: b.op.Selections, anchor: &anchor{root: true}}
	if _, err := b.planSelections(c, []Selection{f}); err != nil {
		return fmt.Errorf("plan subscription field %s: %w", f.Name, err)
	}
	return nil
}
