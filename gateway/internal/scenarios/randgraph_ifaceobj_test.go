package scenarios

import (
	"context"
	"fmt"
	"math/rand"
	"slices"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/shopgraph/shopgraph/gateway/internal/testsubgraph"
)

// Interface objects in the random graphs (Federation v2.3's @interfaceObject).
//
// Some graphs get an entity interface Item @key(fields: "id"), defined in one
// subgraph (its home) with its implementations, each an entity of the graph
// with the key; one or two other subgraphs, which know none of the
// implementations (composition forbids it), declare
// `type Item @key(fields: "id") @interfaceObject` and add fields to every
// implementation at once: plain ones, @shareable ones (in two interface
// objects), references to other entities and @requires of Item's other fields
// (from the home or from the other interface object, @external here). Root
// fields items: [Item!]! and item(id: ID!): Item live in the home or in an
// interface object; there the router learns the concrete type from the home.
//
// An interface object knows an object by the interface's key alone, so the
// key must name one object among all implementations. Every entity type has
// the ids 1, 2 and 3, so with one implementation the key is id; with more it
// is iid ("Alpha-1"), a second key of the implementations in the home (their
// other subgraphs know only id, and the router goes through the home to learn
// it). The interface objects' fields are functions of the key (seed
// "Item:<key>"), the home's fields functions of the concrete object.

// rgItem is the interface's name.
const rgItem = "Item"

// rgIfaceObj is the entity interface and the subgraphs that model it.
type rgIfaceObj struct {
	// t holds the interface's fields: the home's (homes = [home]) and the
	// interface objects' (homes within objs).
	t       *rgType
	home    int
	objs    []int
	members []string
	// key is Item's key field: id with one member, iid with more.
	key string
	// list and byID are the subgraphs serving items and item(<key>:); -1: none.
	list, byID int
}

func (o *rgIfaceObj) has(typename string) bool {
	return o != nil && slices.Contains(o.members, typename)
}

// ofObject reports whether an interface object (not the home) resolves f.
func (o *rgIfaceObj) ofObject(f *rgField) bool { return !slices.Contains(f.homes, o.home) }

// keyOf is the key of a member's object (or of Item's own).
func (o *rgIfaceObj) keyOf(obj map[string]any) string {
	if o.key == "id" {
		return fmt.Sprint(obj["id"])
	}
	if k, ok := obj["iid"].(string); ok {
		return k
	}
	return fmt.Sprint(obj["__typename"], "-", obj["id"])
}

// object is the concrete object of a key, or nil when no Item has it.
func (o *rgIfaceObj) object(key string) map[string]any {
	typename, id := o.members[0], key
	if o.key == "iid" {
		var ok bool
		if typename, id, ok = strings.Cut(key, "-"); !ok || !slices.Contains(o.members, typename) {
			return nil
		}
	}
	if !slices.Contains(rgIDs, id) {
		return nil
	}
	return map[string]any{"__typename": typename, "id": id}
}

// all lists every Item as its concrete object.
func (o *rgIfaceObj) all() []any {
	var out []any
	for _, m := range o.members {
		out = append(out, rgAll(m)...)
	}
	return out
}

// keys lists the values of item's argument to try: every Item's and unknown ones.
func (o *rgIfaceObj) keys() []string {
	var out []string
	for _, obj := range o.all() {
		out = append(out, o.keyOf(obj.(map[string]any)))
	}
	return append(out, o.keyOf(map[string]any{"__typename": o.members[0], "id": rgMissing}), "Zeta-1")
}

// addInterfaceObject may add the interface Item and its interface objects.
// It draws after every other part of the graph, so the graphs of earlier
// seeds keep what they had.
func (g *rgGraph) addInterfaceObject(r *rand.Rand, ents []*rgType, name func(string) string) {
	if r.Intn(2) == 0 {
		return
	}
	o := &rgIfaceObj{t: &rgType{name: rgItem, entity: true}, home: r.Intn(g.subgraphs), list: -1, byID: -1}
	for _, t := range ents {
		if r.Intn(3) != 0 {
			o.members = append(o.members, t.name)
		}
	}
	if len(o.members) == 0 {
		o.members = []string{ents[r.Intn(len(ents))].name}
	}
	o.key = "id"
	if len(o.members) > 1 {
		o.key = "iid"
	}
	// The subgraphs that define no implementation may hold interface objects;
	// when none does (or by chance), a new subgraph does.
	var free []int
	for i := range g.subgraphs {
		declared := g.declaredIn(i)
		if i != o.home && !slices.ContainsFunc(o.members, func(m string) bool { return declared[m] }) {
			free = append(free, i)
		}
	}
	r.Shuffle(len(free), func(i, j int) { free[i], free[j] = free[j], free[i] })
	if len(free) > 0 {
		o.objs = append(o.objs, free[0])
		if len(free) > 1 && r.Intn(3) == 0 {
			o.objs = append(o.objs, free[1])
		}
	}
	for len(o.objs) == 0 || (len(o.objs) == 1 && r.Intn(3) == 0) {
		o.objs = append(o.objs, g.subgraphs)
		g.subgraphs++
	}
	kindOf := func() rgKind {
		if r.Intn(3) == 0 {
			return rgStr
		}
		return rgInt
	}
	prefix := map[rgKind]string{rgInt: "i", rgStr: "t"}
	for range 1 + r.Intn(2) {
		k := kindOf()
		o.t.fields = append(o.t.fields, &rgField{name: name(prefix[k]), kind: k, nonNull: r.Intn(2) == 0, arg: r.Intn(4) == 0, homes: []int{o.home}, overrideFrom: -1, ifaceField: true})
	}
	var others []*rgType // entities an interface object may reference
	for _, t := range ents {
		if !o.has(t.name) {
			others = append(others, t)
		}
	}
	for _, s := range o.objs {
		for range 1 + r.Intn(3) {
			h := []int{s}
			if other := o.objs[r.Intn(len(o.objs))]; other != s && r.Intn(2) == 0 {
				h = append(h, other) // @shareable
			}
			k := kindOf()
			o.t.fields = append(o.t.fields, &rgField{name: name("o" + prefix[k]), kind: k, nonNull: r.Intn(2) == 0, arg: r.Intn(4) == 0, homes: h, overrideFrom: -1})
		}
		if len(others) > 0 && r.Intn(3) == 0 {
			target := others[r.Intn(len(others))].name
			o.t.fields = append(o.t.fields, &rgField{name: name("o" + lowerFirst(target)), kind: rgRef, target: target, homes: []int{s}, overrideFrom: -1})
		}
	}
	for range 2 { // twice: the second may require the first (a chain)
		for _, s := range o.objs {
			if r.Intn(2) == 0 {
				continue
			}
			var paths []rgPath
			for _, f := range o.t.fields {
				if f.kind != rgInt || slices.Contains(f.homes, s) || r.Intn(3) == 0 {
					continue
				}
				p := rgPath{field: f.name}
				if f.arg {
					p.x = 1 + r.Intn(3)
				}
				paths = append(paths, p)
				if len(paths) == 3 {
					break
				}
			}
			if len(paths) > 0 {
				o.t.fields = append(o.t.fields, &rgField{name: name("oreq"), kind: rgInt, nonNull: true, homes: []int{s}, requires: paths, overrideFrom: -1})
			}
		}
	}
	servers := append([]int{o.home}, o.objs...)
	if r.Intn(3) != 0 {
		o.list = servers[r.Intn(len(servers))]
	}
	if r.Intn(2) == 0 {
		o.byID = servers[r.Intn(len(servers))]
	}
	// Last, so that the seeds pinned before keep their graphs: fields
	// returning Item, on the interface in its home and on an interface
	// object, whose values the router resolves to concrete types again.
	for _, s := range servers {
		if r.Intn(4) == 0 {
			prefix := "inext"
			if s != o.home {
				prefix = "onext"
			}
			o.t.fields = append(o.t.fields, &rgField{name: name(prefix), kind: rgRef, target: rgItem, homes: []int{s}, overrideFrom: -1, ifaceField: s == o.home})
		}
	}
	// Then an entity's field returning one or more Items, in the home or an
	// interface object (which may define the entity: it is no member).
	if len(others) > 0 && r.Intn(3) == 0 {
		t := others[r.Intn(len(others))]
		kind := rgRef
		if r.Intn(2) == 0 {
			kind = rgRefs
		}
		t.fields = append(t.fields, &rgField{name: name("item"), kind: kind, target: rgItem, nonNull: kind == rgRefs, homes: []int{servers[r.Intn(len(servers))]}, overrideFrom: -1})
	}
	g.ifo = o
}

// declaredIn lists the types subgraph i defines.
func (g *rgGraph) declaredIn(i int) map[string]bool {
	sg := g.subgraph(i)
	doc, err := parser.ParseSchema(&ast.Source{Name: sg.Name, Input: sg.SDL})
	out := map[string]bool{}
	if err != nil {
		// the composer will say what is wrong; treat everything as declared
		for _, t := range g.types {
			out[t.name] = true
		}
		return out
	}
	for _, d := range doc.Definitions {
		out[d.Name] = true
	}
	return out
}

// ifoValue is Item's field f of obj: a member's object in the monolith and
// the home, Item's own in an interface object.
func (g *rgGraph) ifoValue(f *rgField, obj map[string]any, x int) (any, error) {
	o := g.ifo
	if f.requires != nil {
		var leaves []any
		for _, p := range f.requires {
			v, err := g.ifoValue(o.t.field(p.field), obj, p.x)
			if err != nil {
				return nil, err
			}
			leaves = append(leaves, v)
		}
		return rgCombine(leaves), nil
	}
	if o.ofObject(f) {
		// an interface object knows the key alone
		obj = map[string]any{"__typename": rgItem, "id": o.keyOf(obj)}
	}
	if f.target == rgItem {
		// another Item, as its concrete object
		h := rgHash(rgSeed(obj), f.name, fmt.Sprint(x))
		if h%5 == 0 {
			return nil, nil
		}
		return o.pick(h), nil
	}
	return g.truth(o.t, f, obj, x)
}

// pick is the Item that a hash names, as its concrete object.
func (o *rgIfaceObj) pick(h uint32) map[string]any {
	all := o.all()
	it := all[h%uint32(len(all))].(map[string]any)
	return map[string]any{"__typename": it["__typename"], "id": it["id"]}
}

// own is a value of Items as an interface object answers it: its own
// objects, known by the key.
func (o *rgIfaceObj) own(v any) any {
	switch v := v.(type) {
	case map[string]any:
		return map[string]any{"__typename": rgItem, o.key: o.keyOf(v)}
	case []any:
		out := make([]any, len(v))
		for i, it := range v {
			out[i] = o.own(it)
		}
		return out
	}
	return v
}

// ownValue is ifoValue as an interface object answers it.
func (g *rgGraph) ownValue(f *rgField, obj map[string]any, x int) (any, error) {
	v, err := g.ifoValue(f, obj, x)
	if err != nil || f.target != rgItem {
		return v, err
	}
	return g.ifo.own(v), nil
}

// ifoTruth adds Item's fields on every member and its root fields to the
// monolith's resolvers.
func (g *rgGraph) ifoTruth(res map[string]testsubgraph.Resolver) {
	o := g.ifo
	if o == nil {
		return
	}
	for _, m := range o.members {
		for _, f := range o.t.fields {
			res[m+"."+f.name] = func(_ context.Context, obj map[string]any, args map[string]any) (any, error) {
				return g.ifoValue(f, obj, rgArg(args))
			}
		}
	}
	if o.key == "iid" {
		for _, m := range o.members {
			res[m+".iid"] = o.iidResolver()
		}
	}
	res["Query.items"] = list(o.all())
	res["Query.item"] = o.lookup(true)
}

func (o *rgIfaceObj) iidResolver() testsubgraph.Resolver {
	return func(_ context.Context, obj map[string]any, _ map[string]any) (any, error) {
		return o.keyOf(obj), nil
	}
}

// lookup is item(<key>:): the concrete object, or Item's own in an interface object.
func (o *rgIfaceObj) lookup(concrete bool) testsubgraph.Resolver {
	return func(_ context.Context, _ map[string]any, args map[string]any) (any, error) {
		key := fmt.Sprint(args[o.key])
		obj := o.object(key)
		if obj == nil {
			return nil, nil // not a nil map: that would be an object
		}
		if concrete {
			return obj, nil
		}
		return map[string]any{"__typename": rgItem, o.key: key}, nil
	}
}

// entity resolves a representation of Item or of a member in the home, or of
// Item in an interface object, keeping the values it carries; concrete
// answers with the member's type.
func (o *rgIfaceObj) entity(concrete bool) testsubgraph.EntityResolver {
	return func(_ context.Context, rep map[string]any) (any, error) {
		var obj map[string]any
		if tn, _ := rep["__typename"].(string); tn != rgItem && rep["id"] != nil {
			if !slices.Contains(rgIDs, fmt.Sprint(rep["id"])) {
				return nil, nil
			}
			obj = map[string]any{"__typename": tn, "id": rep["id"]}
		} else if obj = o.object(fmt.Sprint(rep[o.key])); obj == nil {
			return nil, nil
		}
		out := map[string]any{}
		for k, v := range rep {
			out[k] = v
		}
		out["__typename"] = obj["__typename"]
		if concrete {
			out["id"] = obj["id"]
		} else {
			out["__typename"] = rgItem
		}
		return out, nil
	}
}

// ifoRoots adds item and items to subgraph i's roots when it serves them.
func (g *rgGraph) ifoRoots(i int, sg *testsubgraph.Subgraph) []string {
	o := g.ifo
	if o == nil {
		return nil
	}
	var roots []string
	if o.list == i {
		roots = append(roots, "items: ["+rgItem+"!]!")
		if i == o.home {
			sg.Resolvers["Query.items"] = list(o.all())
		} else {
			var own []any
			for _, obj := range o.all() {
				own = append(own, map[string]any{"__typename": rgItem, o.key: o.keyOf(obj.(map[string]any))})
			}
			sg.Resolvers["Query.items"] = list(own)
		}
	}
	if o.byID == i {
		roots = append(roots, fmt.Sprintf("item(%s: ID!): %s", o.key, rgItem))
		sg.Resolvers["Query.item"] = o.lookup(i == o.home)
	}
	return roots
}

// ifoTypes writes Item as subgraph i defines it (the interface in the home,
// an @interfaceObject elsewhere) and adds its resolvers; ensure declares the
// entities its references need.
func (g *rgGraph) ifoTypes(i int, sg *testsubgraph.Subgraph, b *strings.Builder, ensure func(typename string)) {
	o := g.ifo
	if o == nil {
		return
	}
	if i == o.home {
		fmt.Fprintf(b, "interface %s @key(fields: %q) {\n  id: ID!\n", rgItem, o.key)
		if o.key == "iid" {
			b.WriteString("  iid: ID!\n")
		}
		for _, f := range o.t.fields {
			if !o.ofObject(f) {
				fmt.Fprintf(b, "  %s%s: %s\n", f.name, argsIf(f.arg), g.typeOf(f))
			}
		}
		b.WriteString("}\n")
		// The interface's key resolves to the concrete object.
		sg.Entities[rgItem] = o.entity(true)
		for _, m := range o.members {
			ensure(m)
			if o.key == "iid" {
				sg.Resolvers[m+".iid"] = o.iidResolver()
			}
			for _, f := range o.t.fields {
				if !o.ofObject(f) {
					sg.Resolvers[m+"."+f.name] = func(_ context.Context, obj map[string]any, args map[string]any) (any, error) {
						return g.ifoValue(f, obj, rgArg(args))
					}
				}
			}
		}
		return
	}
	if !slices.Contains(o.objs, i) {
		return
	}
	external := map[string]bool{}
	for _, f := range o.t.fields {
		if slices.Contains(f.homes, i) {
			for _, p := range f.requires {
				external[p.field] = true
			}
		}
	}
	// Entities' fields returning Item answer with its own objects here.
	for _, t := range g.types {
		for _, f := range t.fields {
			if f.target == rgItem && slices.Contains(f.homes, i) {
				sg.Resolvers[t.name+"."+f.name] = func(_ context.Context, obj map[string]any, args map[string]any) (any, error) {
					v, err := g.truth(t, f, obj, rgArg(args))
					return o.own(v), err
				}
			}
		}
	}
	fmt.Fprintf(b, "type %s @key(fields: %q) @interfaceObject {\n  %s: ID!\n", rgItem, o.key, o.key)
	for _, f := range o.t.fields {
		var dirs []string
		switch {
		case slices.Contains(f.homes, i):
			if len(f.homes) > 1 {
				dirs = append(dirs, "@shareable")
			}
			if f.requires != nil {
				var sel []string
				for _, p := range f.requires {
					sel = append(sel, p.String())
				}
				dirs = append(dirs, fmt.Sprintf("@requires(fields: %q)", strings.Join(sel, " ")))
				sg.Resolvers[rgItem+"."+f.name] = func(_ context.Context, obj map[string]any, _ map[string]any) (any, error) {
					return fromRepresentation(f, obj)
				}
			} else {
				sg.Resolvers[rgItem+"."+f.name] = func(_ context.Context, obj map[string]any, args map[string]any) (any, error) {
					return g.ownValue(f, obj, rgArg(args))
				}
			}
			if f.kind == rgRef {
				ensure(f.target)
			}
		case external[f.name]:
			dirs = append(dirs, "@external")
		default:
			continue
		}
		fmt.Fprintf(b, "  %s%s: %s", f.name, argsIf(f.arg), g.typeOf(f))
		if len(dirs) > 0 {
			b.WriteString(" " + strings.Join(dirs, " "))
		}
		b.WriteString("\n")
	}
	b.WriteString("}\n")
	sg.Entities[rgItem] = o.entity(false)
}

// ifoKey is the second key of member t in subgraph i: the interface's iid.
func (g *rgGraph) ifoKey(i int, t *rgType) string {
	o := g.ifo
	if o == nil || i != o.home || !o.has(t.name) || o.key != "iid" {
		return ""
	}
	return ` @key(fields: "iid")`
}

// ifoMemberFields writes the home's Item fields on member t in subgraph i,
// whose representations may come with the interface's key alone.
func (g *rgGraph) ifoMemberFields(i int, t *rgType, sg *testsubgraph.Subgraph, b *strings.Builder) {
	o := g.ifo
	if o == nil || i != o.home || !o.has(t.name) {
		return
	}
	sg.Entities[t.name] = o.entity(true)
	if o.key == "iid" {
		b.WriteString("  iid: ID!\n")
	}
	for _, f := range o.t.fields {
		if !o.ofObject(f) {
			fmt.Fprintf(b, "  %s%s: %s\n", f.name, argsIf(f.arg), g.typeOf(f))
		}
	}
}

// ifoDescribe adds the interface objects' features to seen.
func (g *rgGraph) ifoDescribe(seen map[string]bool) {
	o := g.ifo
	if o == nil {
		return
	}
	seen["interface object"] = true
	if o.key == "iid" {
		seen["interface object, key iid"] = true
	}
	if len(o.objs) > 1 {
		seen["interface object ×2"] = true
	}
	for _, f := range o.t.fields {
		switch {
		case f.requires != nil:
			seen["interface object @requires"] = true
		case f.target == rgItem:
			seen["field returning Item"] = true
		case f.kind == rgRef:
			seen["interface object reference"] = true
		case len(f.homes) > 1:
			seen["interface object @shareable"] = true
		}
	}
	for _, t := range g.types {
		for _, f := range t.fields {
			if f.target == rgItem {
				seen["entity field returning Item"] = true
			}
		}
	}
	if o.list != -1 && o.list != o.home || o.byID != -1 && o.byID != o.home {
		seen["interface object root"] = true
	}
}
