package scenarios

import (
	"context"
	"fmt"
	"hash/fnv"
	"math/rand"
	"slices"
	"sort"
	"strings"

	"github.com/shopgraph/shopgraph/gateway/internal/testsubgraph"
)

// Random federated graphs for the planner's property test (planner_property_test.go).
//
// A graph is one schema of entities (key "id") and value types over one
// deterministic dataset, split over two to four subgraphs with the features a
// planner must combine: fields spread over subgraphs, @shareable fields and value
// types whose fields differ per subgraph (reached only through the parent
// entity's key), @requires of fields that live elsewhere (with arguments, nested
// in a value type or behind an entity reference, and chains of them), @provides,
// @override (the losing subgraph answers wrong values), resolvable: false
// references, root fields served by two subgraphs, a union and an interface
// over entities, and an entity interface with @interfaceObject subgraphs
// (randgraph_ifaceobj_test.go; there, a subgraph may be added for one).
// Every value is a function of the object's identity, the field and its
// arguments, so the monolith and every subgraph agree; a @requires field is
// computed from the values the router sends in its representation, so a
// wrong or missing value shows.

type rgKind int

const (
	rgInt rgKind = iota
	rgStr
	rgRef   // a single entity
	rgRefs  // a list of entities
	rgValue // a value type
)

type rgField struct {
	name    string
	kind    rgKind
	target  string // the entity or value type of rgRef, rgRefs, rgValue
	nonNull bool
	arg     bool // takes (x: Int)
	// homes are the subgraphs resolving the field; more than one: @shareable.
	homes []int
	// requires, when set, computes the field from these fields of its object,
	// fetched for homes[0] (its only home) from other subgraphs.
	requires []rgPath
	// overrideFrom is the subgraph that also defines the field but loses it to
	// homes[0] by @override, and answers wrong values; -1 when none.
	overrideFrom int
	// provides names an int field of the target entity that homes[0] (the
	// only home) provides on this reference; "" when none.
	provides string
	// providedBy marks an int field some reference @provides: it is @shareable.
	providedBy bool
	// ifaceField marks an interface's field on a member: it stays where the
	// interface is (no @override).
	ifaceField bool
}

// rgPath is one required selection: a field of the object (with x when it
// takes it) and, for a value or reference field, one int field under it.
type rgPath struct {
	field string
	x     int
	sub   string
}

func (p rgPath) String() string {
	s := p.field
	if p.x != 0 {
		s += fmt.Sprintf("(x: %d)", p.x)
	}
	if p.sub != "" {
		s += " { " + p.sub + " }"
	}
	return s
}

type rgType struct {
	name   string
	entity bool
	fields []*rgField
	// roots: entity lookups by id, per subgraph serving it; lists likewise.
	byID, list []int
}

func (t *rgType) field(name string) *rgField {
	for _, f := range t.fields {
		if f.name == name {
			return f
		}
	}
	return nil
}

type rgGraph struct {
	subgraphs int
	types     []*rgType
	byName    map[string]*rgType
	// union and iface, when set, are abstract types over entities, each
	// defined in one subgraph with a root field listing their members.
	union, iface *rgAbstract
	// ifo, when set, is an entity interface with interface objects
	// (randgraph_ifaceobj_test.go).
	ifo *rgIfaceObj
}

// rgAbstract is a union (Thing) or an interface (Named, whose field label
// each member resolves in the interface's subgraph) over entity types.
type rgAbstract struct {
	name, root string
	home       int
	members    []string
}

var rgEntityNames = []string{"Alpha", "Beta", "Gamma", "Delta"}
var rgValueNames = []string{"Box", "Tag"}

// rgIDs are the identities every entity type has; rgMissing is unknown to all.
var rgIDs = []string{"1", "2", "3"}

const rgMissing = "9"

func lowerFirst(s string) string { return strings.ToLower(s[:1]) + s[1:] }

// newRandGraph draws a graph from r.
func newRandGraph(r *rand.Rand) *rgGraph {
	g := &rgGraph{subgraphs: 2 + r.Intn(3), byName: map[string]*rgType{}}
	nEnt, nVal := 2+r.Intn(3), r.Intn(3)
	var ents, vals []*rgType
	for i := range nEnt {
		t := &rgType{name: rgEntityNames[i], entity: true}
		ents = append(ents, t)
	}
	for i := range nVal {
		vals = append(vals, &rgType{name: rgValueNames[i]})
	}
	g.types = append(append(g.types, ents...), vals...)
	for _, t := range g.types {
		g.byName[t.name] = t
	}
	homes := func() []int {
		h := []int{r.Intn(g.subgraphs)}
		if r.Intn(4) == 0 {
			if o := r.Intn(g.subgraphs); o != h[0] {
				h = append(h, o)
			}
		}
		return h
	}
	n := 0
	name := func(prefix string) string { n++; return fmt.Sprintf("%s%d", prefix, n) }
	for _, t := range ents {
		for range 2 + r.Intn(3) {
			kind := rgInt
			if r.Intn(3) == 0 {
				kind = rgStr
			}
			f := &rgField{name: name(map[rgKind]string{rgInt: "n", rgStr: "s"}[kind]), kind: kind, nonNull: r.Intn(2) == 0, arg: r.Intn(4) == 0, homes: homes(), overrideFrom: -1}
			t.fields = append(t.fields, f)
		}
		for range r.Intn(3) {
			target := ents[r.Intn(len(ents))].name
			kind := rgRef
			if r.Intn(3) == 0 {
				kind = rgRefs
			}
			t.fields = append(t.fields, &rgField{name: name(lowerFirst(target)), kind: kind, target: target, nonNull: kind == rgRefs, homes: homes(), overrideFrom: -1})
		}
		if len(vals) > 0 && r.Intn(2) == 0 {
			v := vals[r.Intn(len(vals))]
			t.fields = append(t.fields, &rgField{name: name(lowerFirst(v.name)), kind: rgValue, target: v.name, nonNull: r.Intn(2) == 0, homes: homes(), overrideFrom: -1})
		}
	}
	// A value type's fields live in the subgraphs whose fields return it: kind in
	// all of them (@shareable), the others in one or two of them.
	for _, v := range vals {
		var in []int
		for _, t := range ents {
			for _, f := range t.fields {
				if f.kind == rgValue && f.target == v.name {
					in = append(in, f.homes...)
				}
			}
		}
		slices.Sort(in)
		in = slices.Compact(in)
		if len(in) == 0 {
			in = []int{0}
		}
		v.fields = append(v.fields, &rgField{name: "kind", kind: rgStr, nonNull: true, homes: in, overrideFrom: -1})
		for range 1 + r.Intn(3) {
			h := []int{in[r.Intn(len(in))]}
			if len(in) > 1 && r.Intn(3) == 0 {
				if o := in[r.Intn(len(in))]; o != h[0] {
					h = append(h, o)
				}
			}
			v.fields = append(v.fields, &rgField{name: name("n"), kind: rgInt, nonNull: r.Intn(2) == 0, arg: r.Intn(5) == 0, homes: h, overrideFrom: -1})
		}
	}
	for range 2 { // twice: the second may require the first (a chain)
		for _, t := range ents {
			g.addRequires(r, t, name)
		}
	}
	for _, t := range ents {
		g.addProvides(r, t)
		g.addOverride(r, t)
	}
	for _, t := range ents {
		t.byID = []int{g.resolvableIn(t)[r.Intn(len(g.resolvableIn(t)))]}
		if o := g.resolvableIn(t)[r.Intn(len(g.resolvableIn(t)))]; r.Intn(3) == 0 && o != t.byID[0] {
			t.byID = append(t.byID, o)
		}
		if r.Intn(2) == 0 {
			t.list = []int{r.Intn(g.subgraphs)}
		}
	}
	// Last, so that the graphs of earlier seeds stay as they were (the
	// regression cases name them by seed).
	g.addAbstract(r, ents)
	g.addInterfaceObject(r, ents, name)
	return g
}

// addAbstract may add a union of entities and an interface over entities,
// each served by a root field of the one subgraph that defines it; the
// members' other fields live wherever they do, so fragments on them enter
// other subgraphs per concrete type.
func (g *rgGraph) addAbstract(r *rand.Rand, ents []*rgType) {
	members := func() []string {
		var out []string
		for _, t := range ents {
			if r.Intn(3) != 0 {
				out = append(out, t.name)
			}
		}
		if len(out) < 2 {
			out = []string{ents[0].name, ents[1].name}
		}
		return out
	}
	if r.Intn(2) == 0 {
		g.union = &rgAbstract{name: "Thing", root: "things", home: r.Intn(g.subgraphs), members: members()}
	}
	if r.Intn(2) == 0 {
		g.iface = &rgAbstract{name: "Named", root: "named", home: r.Intn(g.subgraphs), members: members()}
		for _, m := range g.iface.members {
			t := g.byName[m]
			t.fields = append(t.fields, &rgField{name: "label", kind: rgStr, nonNull: true, homes: []int{g.iface.home}, overrideFrom: -1, ifaceField: true})
		}
	}
}

func (a *rgAbstract) has(typename string) bool {
	return a != nil && slices.Contains(a.members, typename)
}

func (a *rgAbstract) all() []any {
	var out []any
	for _, m := range a.members {
		out = append(out, rgAll(m)...)
	}
	return out
}

// resolvableIn lists the subgraphs that resolve fields of entity t (and so
// enter it by its key).
func (g *rgGraph) resolvableIn(t *rgType) []int {
	var in []int
	for _, f := range t.fields {
		in = append(in, f.homes...)
		if f.overrideFrom >= 0 {
			in = append(in, f.overrideFrom)
		}
	}
	if g.ifo.has(t.name) {
		in = append(in, g.ifo.home) // the home's Item fields
	}
	slices.Sort(in)
	return slices.Compact(in)
}

// addRequires may add to t a field computed from one to three of its other
// fields that its subgraph does not resolve.
func (g *rgGraph) addRequires(r *rand.Rand, t *rgType, name func(string) string) {
	if r.Intn(3) == 0 {
		return
	}
	h := r.Intn(g.subgraphs)
	var paths []rgPath
	for _, f := range t.fields {
		if slices.Contains(f.homes, h) || r.Intn(3) == 0 {
			continue
		}
		switch f.kind {
		case rgInt:
			p := rgPath{field: f.name}
			if f.arg {
				p.x = 1 + r.Intn(3)
			}
			paths = append(paths, p)
		case rgValue, rgRef:
			var ints []string
			for _, sf := range g.byName[f.target].fields {
				if sf.kind == rgInt && !sf.arg && sf.overrideFrom < 0 {
					ints = append(ints, sf.name)
				}
			}
			if len(ints) > 0 {
				paths = append(paths, rgPath{field: f.name, sub: ints[r.Intn(len(ints))]})
			}
		}
		if len(paths) == 3 {
			break
		}
	}
	if len(paths) == 0 {
		return
	}
	t.fields = append(t.fields, &rgField{name: name("req"), kind: rgInt, nonNull: true, homes: []int{h}, requires: paths, overrideFrom: -1})
}

// addProvides may make a reference field of t provide an int field of its
// target that the reference's subgraph does not resolve.
func (g *rgGraph) addProvides(r *rand.Rand, t *rgType) {
	for _, f := range t.fields {
		if f.kind != rgRef || len(f.homes) != 1 || r.Intn(2) == 0 {
			continue
		}
		for _, tf := range g.byName[f.target].fields {
			if tf.kind == rgInt && !tf.arg && tf.requires == nil && !slices.Contains(tf.homes, f.homes[0]) && tf.overrideFrom < 0 {
				f.provides, tf.providedBy = tf.name, true
				return
			}
		}
	}
}

// addOverride may move one plain field of t to another subgraph that resolves t.
func (g *rgGraph) addOverride(r *rand.Rand, t *rgType) {
	if r.Intn(2) == 0 {
		return
	}
	in := g.resolvableIn(t)
	for _, f := range t.fields {
		if (f.kind != rgInt && f.kind != rgStr) || len(f.homes) != 1 || f.requires != nil || f.providedBy || f.ifaceField || g.required(t, f.name) {
			continue
		}
		for _, o := range in {
			if o != f.homes[0] {
				f.overrideFrom = o
				return
			}
		}
	}
}

// required reports whether some @requires of t names its field.
func (g *rgGraph) required(t *rgType, field string) bool {
	for _, f := range t.fields {
		for _, p := range f.requires {
			if p.field == field {
				return true
			}
		}
	}
	return false
}

func (g *rgGraph) subgraphName(i int) string { return fmt.Sprintf("s%d", i) }

// ---------------------------------------------------------------------------
// Values

func rgHash(parts ...string) uint32 {
	h := fnv.New32a()
	for _, p := range parts {
		_, _ = h.Write([]byte(p))
		_, _ = h.Write([]byte{0})
	}
	return h.Sum32()
}

// rgSeed names an object: an entity by type and id, a value object by the
// seed its parent gave it.
func rgSeed(obj map[string]any) string {
	if s, ok := obj["seed"].(string); ok {
		return s
	}
	return fmt.Sprint(obj["__typename"], ":", obj["id"])
}

func rgArg(args map[string]any) int {
	switch v := args["x"].(type) {
	case int64: // gqlparser's literals and coerced variables
		return int(v)
	case nil:
		return 0
	default:
		return diffInt(v)
	}
}

// truth is the value of field f of the object obj, with argument x.
func (g *rgGraph) truth(t *rgType, f *rgField, obj map[string]any, x int) (any, error) {
	seed := rgSeed(obj)
	h := rgHash(seed, f.name, fmt.Sprint(x))
	if !f.nonNull && h%5 == 0 {
		return nil, nil
	}
	switch f.kind {
	case rgInt:
		if f.requires != nil {
			return g.required1(t, f, obj)
		}
		return int(h % 100), nil
	case rgStr:
		return fmt.Sprintf("%s-%d", f.name, h%7), nil
	case rgRef:
		if f.target == rgItem {
			return g.ifo.pick(h), nil
		}
		return map[string]any{"__typename": f.target, "id": rgIDs[h%3]}, nil
	case rgRefs:
		var out []any
		for i := range h % 4 {
			if f.target == rgItem {
				out = append(out, g.ifo.pick(h/7+i))
				continue
			}
			out = append(out, map[string]any{"__typename": f.target, "id": rgIDs[(h/7+i)%3]})
		}
		if out == nil {
			out = []any{}
		}
		return out, nil
	case rgValue:
		return map[string]any{"__typename": f.target, "seed": seed + "/" + f.name}, nil
	}
	return nil, fmt.Errorf("unknown kind %d", f.kind)
}

// required1 computes a @requires field from the truth of what it requires.
func (g *rgGraph) required1(t *rgType, f *rgField, obj map[string]any) (any, error) {
	var leaves []any
	for _, p := range f.requires {
		v, err := g.truth(t, t.field(p.field), obj, p.x)
		if err != nil {
			return nil, err
		}
		if p.sub != "" && v != nil {
			sub := g.byName[t.field(p.field).target]
			if v, err = g.truth(sub, sub.field(p.sub), v.(map[string]any), 0); err != nil {
				return nil, err
			}
		}
		leaves = append(leaves, v)
	}
	return rgCombine(leaves), nil
}

// rgCombine is a @requires field's value: it differs when any leaf does.
func rgCombine(leaves []any) int {
	out := 1000
	for i, l := range leaves {
		v := -1
		if l != nil {
			v = diffInt(l)
		}
		out += (i + 1) * 101 * (v + 2)
	}
	// Long chains (interface objects' @requires of @requires) would leave
	// GraphQL's 32-bit Int; smaller values stay as they were.
	return out % (1 << 30)
}

// fromRepresentation computes a @requires field in its subgraph from the
// values the router put in the representation.
func fromRepresentation(f *rgField, rep map[string]any) (any, error) {
	var leaves []any
	for _, p := range f.requires {
		v, ok := rep[p.field]
		if !ok {
			return nil, fmt.Errorf("representation without %s: %v", p, rep)
		}
		if p.sub != "" && v != nil {
			m, ok := v.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("representation's %s is not an object: %v", p.field, rep)
			}
			if v, ok = m[p.sub]; !ok {
				return nil, fmt.Errorf("representation without %s: %v", p, rep)
			}
		}
		leaves = append(leaves, v)
	}
	return rgCombine(leaves), nil
}

// truthResolvers serve the monolith.
func (g *rgGraph) truthResolvers() map[string]testsubgraph.Resolver {
	res := map[string]testsubgraph.Resolver{}
	for _, t := range g.types {
		for _, f := range t.fields {
			res[t.name+"."+f.name] = func(_ context.Context, obj map[string]any, args map[string]any) (any, error) {
				return g.truth(t, f, obj, rgArg(args))
			}
		}
		if t.entity {
			res["Query."+lowerFirst(t.name)] = rgByID(t.name)
			res["Query."+lowerFirst(t.name)+"s"] = list(rgAll(t.name))
		}
	}
	for _, a := range []*rgAbstract{g.union, g.iface} {
		if a != nil {
			res["Query."+a.root] = list(a.all())
		}
	}
	g.ifoTruth(res)
	return res
}

func rgByID(typename string) testsubgraph.Resolver {
	return func(_ context.Context, _ map[string]any, args map[string]any) (any, error) {
		id := fmt.Sprint(args["id"])
		if !slices.Contains(rgIDs, id) {
			return nil, nil
		}
		return map[string]any{"__typename": typename, "id": id}, nil
	}
}

func rgAll(typename string) []any {
	var out []any
	for _, id := range rgIDs {
		out = append(out, map[string]any{"__typename": typename, "id": id})
	}
	return out
}

// ---------------------------------------------------------------------------
// Subgraphs

// subgraph builds subgraph i: its SDL, resolvers and entity resolvers.
func (g *rgGraph) subgraph(i int) *testsubgraph.Subgraph {
	sg := &testsubgraph.Subgraph{Name: g.subgraphName(i), Resolvers: map[string]testsubgraph.Resolver{}, Entities: map[string]testsubgraph.EntityResolver{}}
	// What subgraph i must declare of each type: field name -> directives.
	decl := map[string]map[string]string{}
	declare := func(t, f, dirs string) {
		if decl[t] == nil {
			decl[t] = map[string]string{}
		}
		if _, ok := decl[t][f]; !ok || dirs != "" {
			decl[t][f] = dirs
		}
	}
	ensure := func(typename string) {
		if _, ok := decl[typename]; !ok {
			decl[typename] = map[string]string{}
		}
	}
	var roots []string
	for _, t := range g.types {
		for _, f := range t.fields {
			home := slices.Contains(f.homes, i)
			switch {
			case home:
				var dirs []string
				if len(f.homes) > 1 || f.providedBy || (f.name == "kind" && !t.entity) {
					dirs = append(dirs, "@shareable")
				}
				if f.requires != nil {
					var sel []string
					for _, p := range f.requires {
						sel = append(sel, p.String())
						declare(t.name, p.field, "@external")
						if p.sub != "" {
							target := t.field(p.field).target
							if !slices.Contains(g.byName[target].field(p.sub).homes, i) {
								declare(target, p.sub, "@external")
							}
						}
					}
					dirs = append(dirs, fmt.Sprintf("@requires(fields: %q)", strings.Join(sel, " ")))
				}
				if f.overrideFrom >= 0 {
					dirs = append(dirs, fmt.Sprintf("@override(from: %q)", g.subgraphName(f.overrideFrom)))
				}
				if f.provides != "" {
					dirs = append(dirs, fmt.Sprintf("@provides(fields: %q)", f.provides))
					declare(f.target, f.provides, "@external")
				}
				declare(t.name, f.name, strings.Join(dirs, " "))
				sg.Resolvers[t.name+"."+f.name] = g.resolver(t, f)
			case f.overrideFrom == i:
				declare(t.name, f.name, "")
				sg.Resolvers[t.name+"."+f.name] = func(context.Context, map[string]any, map[string]any) (any, error) {
					if f.kind == rgInt {
						return -7, nil // the overridden answer is never the right one
					}
					return "overridden", nil
				}
			}
			if home && (f.kind == rgRef || f.kind == rgRefs || f.kind == rgValue) {
				if _, ok := decl[f.target]; !ok {
					decl[f.target] = map[string]string{}
				}
			}
		}
		if t.entity {
			q := lowerFirst(t.name)
			if slices.Contains(t.byID, i) {
				roots = append(roots, fmt.Sprintf("%s(id: ID!): %s%s", q, t.name, shareableIf(len(t.byID) > 1)))
				sg.Resolvers["Query."+q] = rgByID(t.name)
				if _, ok := decl[t.name]; !ok {
					decl[t.name] = map[string]string{}
				}
			}
			if slices.Contains(t.list, i) {
				roots = append(roots, fmt.Sprintf("%ss: [%s!]!", q, t.name))
				sg.Resolvers["Query."+q+"s"] = list(rgAll(t.name))
				if _, ok := decl[t.name]; !ok {
					decl[t.name] = map[string]string{}
				}
			}
		}
	}
	for _, a := range []*rgAbstract{g.union, g.iface} {
		if a == nil || a.home != i {
			continue
		}
		roots = append(roots, fmt.Sprintf("%s: [%s!]!", a.root, a.name))
		sg.Resolvers["Query."+a.root] = list(a.all())
		for _, m := range a.members {
			if _, ok := decl[m]; !ok {
				decl[m] = map[string]string{}
			}
		}
	}
	roots = append(roots, g.ifoRoots(i, sg)...)
	var b strings.Builder
	b.WriteString(fed)
	g.ifoTypes(i, sg, &b, ensure)
	if g.union != nil && g.union.home == i {
		fmt.Fprintf(&b, "union %s = %s\n", g.union.name, strings.Join(g.union.members, " | "))
	}
	if g.iface != nil && g.iface.home == i {
		fmt.Fprintf(&b, "interface %s { label: String! }\n", g.iface.name)
	}
	if len(roots) > 0 {
		b.WriteString("type Query {\n  " + strings.Join(roots, "\n  ") + "\n}\n")
	}
	for _, t := range g.types {
		fields, ok := decl[t.name]
		if !ok {
			continue
		}
		if t.entity {
			var ifaces []string
			if g.iface.has(t.name) && g.iface.home == i {
				ifaces = append(ifaces, g.iface.name)
			}
			if g.ifo.has(t.name) && g.ifo.home == i {
				ifaces = append(ifaces, rgItem)
			}
			implements := ""
			if len(ifaces) > 0 {
				implements = " implements " + strings.Join(ifaces, " & ")
			}
			resolvable := slices.Contains(g.resolvableIn(t), i)
			if resolvable {
				fmt.Fprintf(&b, "type %s%s @key(fields: \"id\")%s {\n  id: ID!\n", t.name, implements, g.ifoKey(i, t))
				sg.Entities[t.name] = rgEntity(t.name)
			} else {
				fmt.Fprintf(&b, "type %s%s @key(fields: \"id\", resolvable: false) {\n  id: ID!\n", t.name, implements)
			}
		} else {
			if len(fields) == 0 {
				// a value type returned here: at least its shared field
				fields["kind"] = "@shareable"
			}
			fmt.Fprintf(&b, "type %s {\n", t.name)
		}
		for _, f := range t.fields {
			dirs, ok := fields[f.name]
			if !ok {
				continue
			}
			fmt.Fprintf(&b, "  %s%s: %s", f.name, argsIf(f.arg), g.typeOf(f))
			if dirs != "" {
				b.WriteString(" " + dirs)
			}
			b.WriteString("\n")
		}
		g.ifoMemberFields(i, t, sg, &b)
		b.WriteString("}\n")
	}
	sg.SDL = b.String()
	return sg
}

func shareableIf(b bool) string {
	if b {
		return " @shareable"
	}
	return ""
}

func argsIf(b bool) string {
	if b {
		return "(x: Int)"
	}
	return ""
}

func (g *rgGraph) typeOf(f *rgField) string {
	var s string
	switch f.kind {
	case rgInt:
		s = "Int"
	case rgStr:
		s = "String"
	case rgRef, rgValue:
		s = f.target
	case rgRefs:
		s = "[" + f.target + "!]"
	}
	if f.nonNull {
		s += "!"
	}
	return s
}

// resolver serves field f in a subgraph that resolves it.
func (g *rgGraph) resolver(t *rgType, f *rgField) testsubgraph.Resolver {
	return func(_ context.Context, obj map[string]any, args map[string]any) (any, error) {
		if f.requires != nil {
			return fromRepresentation(f, obj)
		}
		v, err := g.truth(t, f, obj, rgArg(args))
		if err != nil || f.provides == "" || v == nil {
			return v, err
		}
		// The provided field comes with the reference; elsewhere this
		// subgraph has no value for it (it is @external here).
		target := g.byName[f.target]
		ref := v.(map[string]any)
		pv, err := g.truth(target, target.field(f.provides), ref, 0)
		if err != nil {
			return nil, err
		}
		return map[string]any{"__typename": ref["__typename"], "id": ref["id"], f.provides: pv}, nil
	}
}

// rgEntity resolves representations of known ids, keeping the values they
// carry (the @requires fields' inputs).
func rgEntity(typename string) testsubgraph.EntityResolver {
	return func(_ context.Context, rep map[string]any) (any, error) {
		if !slices.Contains(rgIDs, fmt.Sprint(rep["id"])) {
			return nil, nil
		}
		out := map[string]any{"__typename": typename}
		for k, v := range rep {
			out[k] = v
		}
		return out, nil
	}
}

// describe summarises the graph's federation features, for counts in the log.
func (g *rgGraph) describe() []string {
	seen := map[string]bool{}
	for _, t := range g.types {
		for _, f := range t.fields {
			switch {
			case f.requires != nil:
				seen["@requires"] = true
				for _, p := range f.requires {
					if p.sub != "" {
						seen["@requires nested"] = true
					}
					if p.x != 0 {
						seen["@requires with arguments"] = true
					}
					if t.field(p.field).requires != nil {
						seen["@requires chain"] = true
					}
				}
			case f.provides != "":
				seen["@provides"] = true
			case f.overrideFrom >= 0:
				seen["@override"] = true
			}
			if len(f.homes) > 1 {
				seen["@shareable"] = true
				if !t.entity {
					seen["value type split"] = true
				}
			}
		}
		if len(t.byID) > 1 {
			seen["shared root field"] = true
		}
	}
	if g.union != nil {
		seen["union of entities"] = true
	}
	if g.iface != nil {
		seen["interface over entities"] = true
	}
	g.ifoDescribe(seen)
	out := make([]string, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
