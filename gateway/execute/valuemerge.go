package execute

// mergedValue combines the values that one response key has under several data
// keys: the planner aliases sibling fragments' fields apart when their types
// differ in a subgraph, and when both fragments apply to an object each alias
// holds part of the subselections. Objects are merged member by member, lists
// item by item; a and b are left as they are.
//
// Where the two values disagree on __typename (one still has an
// @interfaceObject subgraph's interface name, the other the concrete type),
// the concrete one wins; an object whose concrete type could not be resolved
// makes the merged value null.
func mergedValue(a, b *Value, ti typeInfo) *Value {
	out := mergeValues(a, b, ti)
	if ti != nil && out != a && out != b {
		if ti.unresolvable(a) || ti.unresolvable(b) {
			ti.markUnresolved(out)
		}
		ti.mergedFrom(out, a, b)
	}
	return out
}

func mergeValues(a, b *Value, ti typeInfo) *Value {
	switch {
	case a == nil:
		return b
	case b == nil, b.Kind == Null:
		return a
	case a.Kind == Null:
		return b
	case a.Kind == Object && b.Kind == Object:
		out := objectValue(append(make([]Member, 0, a.n+b.n), a.Fields()...))
		if ti != nil && (ti.nulledEntity(a) || ti.nulledEntity(b)) {
			// One side is an entity a subgraph nulled for an error: what it
			// would have added below is missing for that reason, wherever
			// the other side's values stand alone.
			ti.markNulled(out)
			for _, m := range a.Fields() {
				if b.Get(m.Key) == nil {
					ti.markNulledTree(m.Value)
				}
			}
			for _, m := range b.Fields() {
				if a.Get(m.Key) == nil {
					ti.markNulledTree(m.Value)
				}
			}
		}
		for _, m := range b.Fields() {
			if cur := out.Get(m.Key); cur != nil {
				if m.Key == "__typename" {
					if cur.Kind == String && m.Value.Kind == String && ti != nil && !ti.isObjectType(cur.Str()) && ti.isObjectType(m.Value.Str()) {
						out.Set(m.Key, m.Value)
					}
					continue
				}
				out.Set(m.Key, mergedValue(cur, m.Value, ti))
				continue
			}
			out.setFields(append(out.Fields(), m))
		}
		return out
	case a.Kind == Array && b.Kind == Array && a.n == b.n:
		ai, bi := a.Items(), b.Items()
		items := make([]*Value, len(ai))
		for i := range ai {
			items[i] = mergedValue(ai[i], bi[i], ti)
		}
		return arrayValue(items)
	}
	return a
}

// typeInfo is what merging values needs to know of types (the shaper).
type typeInfo interface {
	isObjectType(name string) bool
	// unresolvable reports an object whose concrete type could not be learnt.
	unresolvable(v *Value) bool
	// markUnresolved records that v was merged from such an object.
	markUnresolved(v *Value)
	// nulledEntity reports an entity object a subgraph answered null for
	// with an error; markNulled and markNulledTree record more such objects.
	nulledEntity(v *Value) bool
	markNulled(v *Value)
	markNulledTree(v *Value)
	// mergedFrom records that out is a new value merged from a and b: it is
	// a copy, which later fetches do not reach (deferShaping.refresh).
	mergedFrom(out, a, b *Value)
}
