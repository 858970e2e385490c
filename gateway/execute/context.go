package execute

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/shopgraph/shopgraph/gateway/plan"
)

// Entity fetches of fields with contextual arguments (plan.Fetch.Context).
//
// Each object the fetch is for takes its arguments' values from an ancestor
// on its path, so objects of one fetch may need different values. The
// executor walks the fetch's path keeping the objects above, reads each
// object's values (a tuple), and groups the objects by tuple, de-duplicating
// representations within each group only: one representation stands for one
// entity and one set of values. One request then carries every group: with a
// single group it is the plan's operation as it is; with several, the
// operation has one aliased _entities field per group (_0, _1, …), each with
// its own representations ($__r0, …) and variables ($__ctx_0__0, …):
//
//	query($__r0:[_Any!]!,$__ctx_0__0:String,$__r1:[_Any!]!,$__ctx_0__1:String){
//	  _0:_entities(representations:$__r0){...on Product{price(currency:$__ctx_0__0)}}
//	  _1:_entities(representations:$__r1){...on Product{price(currency:$__ctx_0__1)}}}
//
// The groups' representations are numbered one after the other, so the
// answer is put back as one _entities list (and the errors' paths into _g[i]
// as paths into _entities) and merged as any entity answer is.
//
// An object whose value is null where the argument's type is non-null is not
// looked up: an error at its path explains the null its fields get. An
// object whose ancestor is of a type the argument does not apply to is left
// to the fetch planned for that type (plan.ContextArgument.AncestorTypes).

// ctxGroup is the objects of one fetch that share one tuple of values.
type ctxGroup struct {
	values []*Value
	col    collector
	path   int
}

func (r *run) contextEntityFetch(fl *plan.Flatten, c *subgraphClient) {
	f := fl.Fetch
	args := f.Context.Arguments
	var groups []*ctxGroup
	byKey := map[string]*ctxGroup{}
	var nullErrs []Error
	r.mu.Lock()
	var key []byte
	for i, p := range fl.Paths {
		var only []string
		if i < len(fl.PathTypes) {
			only = fl.PathTypes[i]
		}
		walkContext(r.data, p, make([]*Value, 0, len(p)+1), nil, func(obj *Value, stack []*Value, at []any) {
			values := make([]*Value, len(args))
			key = append(key[:0], strconv.Itoa(i)...)
			for _, a := range args {
				anc := stack[min(a.Ancestor, len(stack)-1)]
				if tn := anc.Get("__typename"); tn != nil && tn.Kind == String && !slices.Contains(a.AncestorTypes, tn.Str()) {
					return // another fetch serves objects under this ancestor
				}
			}
			for j, a := range args {
				v := contextValue(stack[min(a.Ancestor, len(stack)-1)], a.Value)
				if v == nil {
					v = nullValue
				}
				if v.Kind == Null && strings.HasSuffix(a.Type, "!") {
					nullErrs = append(nullErrs, Error{
						Message:    fmt.Sprintf("cannot fetch from subgraph %q: a contextual argument of type %s has no value (its context selects null)", f.Subgraph, a.Type),
						Path:       r.clientPath(at),
						Extensions: map[string]any{"service": f.Subgraph, "serviceName": f.Subgraph},
					})
					return
				}
				values[j] = v
				key = append(key, 0)
				key = appendJSON(key, v)
			}
			g := byKey[string(key)]
			if g == nil {
				g = &ctxGroup{values: values, col: collector{index: map[string]int{}, reqs: f.Requires, only: only}, path: i}
				byKey[string(key)] = g
				groups = append(groups, g)
			}
			g.col.add(obj)
		})
	}
	r.errors = append(r.errors, nullErrs...)
	r.mu.Unlock()
	// One collector over every group, the groups' representations one after
	// the other: the answer's order once the groups are put back together.
	col := collector{}
	pathEnds := make([]int, len(fl.Paths))
	var sent []*ctxGroup
	for _, g := range groups {
		if len(g.col.reps) == 0 {
			continue
		}
		off := int32(len(col.reps))
		col.reps = append(col.reps, g.col.reps...)
		col.objs = append(col.objs, g.col.objs...)
		for _, i := range g.col.repOf {
			col.repOf = append(col.repOf, off+i)
		}
		for p := g.path; p < len(pathEnds); p++ {
			pathEnds[p] = len(col.objs)
		}
		sent = append(sent, g)
	}
	if len(sent) == 0 {
		return
	}
	resp, span, ok := r.sendEntities(c, f, len(col.objs), r.contextBody(f, sent))
	defer endStep(span)
	if !ok {
		return
	}
	if len(sent) > 1 {
		joinGroups(resp, sent)
	}
	r.mergeEntities(fl, &col, pathEnds, resp)
}

// walkContext walks path p from v like collector.walk, keeping in stack the
// value at each depth and in at the client path, and calls visit for each
// object at its end.
func walkContext(v *Value, p plan.Path, stack []*Value, at []any, visit func(obj *Value, stack []*Value, at []any)) {
	if v == nil || v.Kind == Null {
		return
	}
	stack = append(stack, v)
	if len(p) == 0 {
		if v.Kind == Object {
			visit(v, stack, at)
		}
		return
	}
	if p[0] == "@" {
		if v.Kind != Array {
			return
		}
		for i, it := range v.Items() {
			walkContext(it, p[1:], stack, append(at, i), visit)
		}
		return
	}
	walkContext(v.Get(p[0]), p[1:], stack, append(at, p[0]), visit)
}

// clientPath copies a walk's path with the planner's data keys turned back
// into the client's response keys.
func (r *run) clientPath(at []any) []any {
	out := make([]any, len(at))
	for i, el := range at {
		if k, ok := el.(string); ok {
			if rk, ok := r.responseKeys[k]; ok {
				el = rk
			}
		}
		out[i] = el
	}
	return out
}

// contextValue reads a contextual value from the ancestor obj along nodes;
// nil when it is missing.
func contextValue(obj *Value, nodes []*plan.RepNode) *Value {
	tn := ""
	if t := obj.Get("__typename"); t != nil && t.Kind == String {
		tn = t.Str()
	}
	for _, n := range nodes {
		if n.Key == "" {
			if slices.Contains(n.Types, tn) {
				if v := contextValue(obj, n.Children); v != nil {
					return v
				}
			}
			continue
		}
		v := obj.Get(n.Key)
		if v == nil || len(n.Children) == 0 {
			return v
		}
		return mapContextValue(v, n.Children)
	}
	return nil
}

// mapContextValue reads nodes below v, through lists.
func mapContextValue(v *Value, nodes []*plan.RepNode) *Value {
	switch v.Kind {
	case Array:
		out := arrayValue(make([]*Value, v.n))
		for i, it := range v.Items() {
			out.Items()[i] = mapContextValue(it, nodes)
		}
		return out
	case Object:
		if got := contextValue(v, nodes); got != nil {
			return got
		}
		return nullValue
	}
	return v
}

// contextBody builds the request for the groups: the plan's operation for
// one, one aliased _entities field per group for several.
func (r *run) contextBody(f *plan.Fetch, groups []*ctxGroup) []byte {
	cf := f.Context
	op := f.Operation
	if len(groups) > 1 {
		var b strings.Builder
		b.WriteString("query(")
		for g := range groups {
			if g > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, "$__r%d:[_Any!]!", g)
			for _, a := range cf.Arguments {
				fmt.Fprintf(&b, ",$%s__%d:%s", a.Variable, g, a.Type)
			}
		}
		for _, d := range cf.Declarations {
			b.WriteString("," + d)
		}
		b.WriteString("){")
		for g := range groups {
			sel := cf.Selection
			for _, a := range cf.Arguments {
				sel = replaceVariable(sel, a.Variable, a.Variable+"__"+strconv.Itoa(g))
			}
			fmt.Fprintf(&b, "_%d:_entities(representations:$__r%d)%s", g, g, sel)
		}
		b.WriteString("}")
		op = b.String()
	}
	buf := make([]byte, 0, 256+len(op))
	buf = append(buf, `{"query":`...)
	buf = appendString(buf, op)
	buf = append(buf, `,"variables":{`...)
	for g, grp := range groups {
		if g > 0 {
			buf = append(buf, ',')
		}
		name := "representations"
		if len(groups) > 1 {
			name = "__r" + strconv.Itoa(g)
		}
		buf = appendString(buf, name)
		buf = append(buf, `:[`...)
		for i, rep := range grp.col.reps {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = append(buf, rep...)
		}
		buf = append(buf, ']')
		for j, a := range cf.Arguments {
			name := a.Variable
			if len(groups) > 1 {
				name += "__" + strconv.Itoa(g)
			}
			buf = append(buf, ',')
			buf = appendString(buf, name)
			buf = append(buf, ':')
			buf = appendJSON(buf, grp.values[j])
		}
	}
	for _, name := range f.Variables {
		v, ok := r.vars[name]
		if !ok {
			continue
		}
		buf = append(buf, ',')
		buf = appendString(buf, name)
		buf = append(buf, ':')
		buf = append(buf, r.encodeVar(name, v)...)
	}
	return append(buf, "}}"...)
}

// replaceVariable renames the variable from to to in a selection.
func replaceVariable(sel, from, to string) string {
	var b strings.Builder
	needle := "$" + from
	for {
		i := strings.Index(sel, needle)
		if i < 0 {
			b.WriteString(sel)
			return b.String()
		}
		end := i + len(needle)
		if end < len(sel) && isNameByte(sel[end]) {
			b.WriteString(sel[:end]) // a longer name that starts alike
		} else {
			b.WriteString(sel[:i] + "$" + to)
		}
		sel = sel[end:]
	}
}

func isNameByte(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// joinGroups turns the answer to several groups into one _entities answer:
// the groups' lists one after the other (a group answered with null counts
// as nulls, whose errors explain them), and errors at _g[i] at the index
// the representation has in the joined list.
func joinGroups(resp *Value, groups []*ctxGroup) {
	offsets := make([]int, len(groups))
	n := 0
	for g, grp := range groups {
		offsets[g] = n
		n += len(grp.col.reps)
	}
	if d := resp.Get("data"); d != nil && d.Kind == Object {
		items := make([]*Value, 0, n)
		for g, grp := range groups {
			list := d.Get("_" + strconv.Itoa(g))
			switch {
			case list != nil && list.Kind == Array:
				items = append(items, list.Items()...)
			default:
				for range grp.col.reps {
					items = append(items, nullValue)
				}
			}
		}
		joined := &Value{Kind: Object}
		joined.Set("_entities", arrayValue(items))
		resp.Set("data", joined)
	}
	errs := resp.Get("errors")
	if errs == nil || errs.Kind != Array {
		return
	}
	for _, e := range errs.Items() {
		p := e.Get("path")
		if p == nil || p.Kind != Array || len(p.Items()) < 2 || p.Items()[0].Kind != String || p.Items()[1].Kind != Number {
			continue
		}
		g, err := strconv.Atoi(strings.TrimPrefix(p.Items()[0].Str(), "_"))
		i, err2 := strconv.Atoi(p.Items()[1].Str())
		if err != nil || err2 != nil || !strings.HasPrefix(p.Items()[0].Str(), "_") || g < 0 || g >= len(groups) {
			continue
		}
		items := append([]*Value(nil), p.Items()...)
		items[0] = stringValue("_entities")
		items[1] = &Value{}
		items[1].setText(Number, strconv.Itoa(offsets[g]+i), false)
		p.setItems(items)
	}
}
