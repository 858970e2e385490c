package scenarios

import (
	"context"
	"fmt"
	"math/rand"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/shopgraph/shopgraph/gateway/internal/testsubgraph"
)

// A second differential scenario (see differential_test.go for the method), over a
// schema with the federation features the first one lacks:
//
//   - a @requires chain over three subgraphs: products owns Item.weight(unit:) and
//     Item.dims; warehouse computes Item.volume requiring "weight(unit: KG) dims { w h }"
//     (a required field with an argument and a nested selection); shipping computes
//     Item.cost requiring volume, which shipping's Query.cheapest also @provides;
//   - @interfaceObject: Media is an entity interface implemented by Book and Film in
//     media; ratings adds score and reviewers to it as an @interfaceObject, serves
//     Query.topMedia and Item.media returning the interface object;
//   - keys: Item has @key "id", the nested "sku org { id }" and the compound "id sku"
//     in products; warehouse only knows the nested key, shipping only the compound
//     one; media references items and warehouse orgs with resolvable: false. Two items
//     share a sku in different orgs;
//   - @shareable value types nested three levels deep, under lists of lists, under
//     Query.stats served by both products and ratings, and Item.dims resolvable in
//     products and shipping;
//   - lists of lists ([[Int]], [[String]], [[Point!]]!), an output enum whose values
//     come from two subgraphs (Color), an enum value that is @inaccessible but that a
//     subgraph returns (Status.SECRET, which must become null and an error), a
//     non-null field failing for one object (Film.minutes of f2) and a nullable one
//     failing for others (Item.cost without volume, Depth.cm of i4's dims);
//   - @override: Item.label moves from products to shipping (no label), and
//     Item.legacyCode is overridden from products by warehouse under a label that is
//     off, so products keeps it. The losing subgraph of each answers a wrong value.
//
// Replay one query with DIFF_QUERY/DIFF_VARS and -run TestDifferentialSecondSchema.

const diff2ProductsSDL = fed + `
type Query {
  items(first: Int): [Item]!
  item(id: ID!): Item
  org(id: ID!): Org
  stats: Stats @shareable
}
enum Color { RED GREEN }
enum Status { ACTIVE RETIRED SECRET @inaccessible }
enum Unit { G KG }
type Org @key(fields: "id") { id: ID! name: String! items: [Item!]! }
type Item @key(fields: "id") @key(fields: "sku org { id }") @key(fields: "id sku") {
  id: ID!
  sku: String!
  org: Org!
  name: String!
  weight(unit: Unit = G): Int
  dims: Dims @shareable
  color: Color
  status: Status
  grid: [[Int]]
  label: String
  legacyCode: String
}
type Dims @shareable { w: Int! h: Int! depth: Depth }
type Depth @shareable { cm: Int! approx: Boolean! }
type Stats @shareable { count: Int! buckets: [Bucket!]! }
type Bucket @shareable { name: String! points: [[Point!]]! top: Point }
type Point @shareable { x: Int! y: Int tags: [String!] }
`

const diff2MediaSDL = fed + `
type Query { media(kind: MediaKind): [Media]! }
enum MediaKind { BOOK FILM }
enum Color { RED BLUE }
interface Media @key(fields: "id") { id: ID! title: String! }
type Book implements Media @key(fields: "id") { id: ID! title: String! pages: Int cover: Color item: Item }
type Film implements Media @key(fields: "id") { id: ID! title: String! minutes: Int! }
type Item @key(fields: "id", resolvable: false) { id: ID! }
`

const diff2RatingsSDL = fed + `
type Query { topMedia(first: Int): [Media!]! stats: Stats @shareable }
type Media @key(fields: "id") @interfaceObject { id: ID! score: Int reviewers: [[String]] }
type Item @key(fields: "id") { id: ID! media: [Media!]! }
type Stats @shareable { count: Int! buckets: [Bucket!]! }
type Bucket @shareable { name: String! points: [[Point!]]! top: Point }
type Point @shareable { x: Int! y: Int tags: [String!] }
`

const diff2WarehouseSDL = fed + `
type Query { crates: [Crate!]! }
enum Unit { G KG }
type Crate { code: String! items: [Item]! }
type Org @key(fields: "id", resolvable: false) { id: ID! }
type Item @key(fields: "sku org { id }") {
  sku: String!
  org: Org!
  weight(unit: Unit = G): Int @external
  dims: Dims @external
  volume: Int @shareable @requires(fields: "weight(unit: KG) dims { w h }")
  legacyCode: String @override(from: "products", label: "percent(30)")
}
type Dims @shareable { w: Int! h: Int! depth: Depth }
type Depth @shareable { cm: Int! approx: Boolean! }
`

const diff2ShippingSDL = fed + `
type Query { cheapest: [Item!]! @provides(fields: "volume") }
type Item @key(fields: "id sku") {
  id: ID!
  sku: String!
  volume: Int @external
  cost(express: Boolean): Int @requires(fields: "volume")
  label: String @override(from: "products")
  dims: Dims @shareable
}
type Dims @shareable { w: Int! h: Int! depth: Depth }
type Depth @shareable { cm: Int! approx: Boolean! }
`

// ---------------------------------------------------------------------------
// Dataset

type diff2Data struct {
	orgs, items, media []map[string]any
	byID               map[string]map[string]any
	stats              map[string]any
}

func newDiff2Data() *diff2Data {
	d := &diff2Data{byID: map[string]map[string]any{}}
	d.orgs = []map[string]any{
		{"__typename": "Org", "id": "o1", "name": "Acme"},
		{"__typename": "Org", "id": "o2", "name": "Globex"},
	}
	dims := func(w, h int, depth any) map[string]any {
		return map[string]any{"w": w, "h": h, "depth": depth}
	}
	item := func(id, sku, org, name string, grams any, dm any, color, status any, grid any, label, legacy any) map[string]any {
		return map[string]any{"__typename": "Item", "id": id, "sku": sku, "orgID": org, "name": name, "grams": grams, "dims": dm,
			"color": color, "status": status, "grid": grid, "label": label, "legacyCode": legacy}
	}
	d.items = []map[string]any{
		item("i1", "A", "o1", "Anvil", 3000, dims(2, 3, map[string]any{"cm": 10, "approx": false}), "RED", "ACTIVE",
			[]any{[]any{1, 2}, []any{}, nil}, "heavy", "L-1"),
		item("i2", "A", "o2", "Axe", 500, dims(1, 1, nil), "GREEN", "RETIRED", []any{}, nil, "L-2"),
		item("i3", "B", "o1", "Bolt", nil, dims(4, 1, map[string]any{"cm": 1, "approx": true}), nil, "SECRET", nil, "tiny", nil),
		item("i4", "C", "o2", "Crate", 2000, dims(3, 2, map[string]any{"cm": -1, "approx": true}), "RED", "ACTIVE", []any{[]any{nil, 7}}, "box", "L-4"),
		item("i5", "D", "o1", "Drum", 1000, nil, "GREEN", "ACTIVE", []any{[]any{3}, []any{4, 5}}, nil, nil),
	}
	d.media = []map[string]any{
		{"__typename": "Book", "id": "b1", "title": "Dune", "pages": 412, "cover": "BLUE", "itemID": "i1", "score": 9,
			"reviewers": []any{[]any{"ann", "bo"}, nil}},
		{"__typename": "Film", "id": "f1", "title": "Alien", "minutes": 117, "score": nil, "reviewers": []any{}},
		{"__typename": "Book", "id": "b2", "title": "Emma", "pages": nil, "cover": nil, "itemID": nil, "score": 4,
			"reviewers": []any{[]any{}, []any{"cy", nil}}},
		{"__typename": "Film", "id": "f2", "title": "Brazil", "minutes": nil, "score": 7, "reviewers": nil}, // its minutes fail
	}
	for _, l := range [][]map[string]any{d.orgs, d.items, d.media} {
		for _, o := range l {
			d.byID[o["id"].(string)] = o
		}
	}
	pt := func(x int, y any, tags any) map[string]any { return map[string]any{"x": x, "y": y, "tags": tags} }
	d.stats = map[string]any{"count": 4, "buckets": []any{
		map[string]any{"name": "small", "points": []any{[]any{pt(1, 2, []any{"a"}), pt(3, nil, nil)}, nil}, "top": pt(3, nil, []any{})},
		map[string]any{"name": "large", "points": []any{}, "top": nil},
		map[string]any{"name": "mixed", "points": []any{[]any{}, []any{pt(5, 6, []any{"b", "c"})}}, "top": pt(5, 6, nil)},
	}}
	return d
}

// truth answers a field of an object as the monolith sees it.
func (d *diff2Data) weight(it map[string]any, unit any) any {
	g := it["grams"]
	if g == nil {
		return nil
	}
	if unit == "KG" {
		return diffInt(g) / 1000
	}
	return diffInt(g)
}

// volume is weight in KG times w times h: null without weight or dims.
func volumeOf(weightKG any, dims any) any {
	dm, _ := dims.(map[string]any)
	if weightKG == nil || dm == nil {
		return nil
	}
	return diffInt(weightKG) * diffInt(dm["w"]) * diffInt(dm["h"])
}

func costOf(volume any, args map[string]any) (any, error) {
	if volume == nil {
		return nil, fmt.Errorf("cost without volume")
	}
	c := diffInt(volume)*2 + 1
	if args["express"] == true {
		c += 10
	}
	return c, nil
}

func (d *diff2Data) itemsOfOrg(org string) []any {
	out := []any{}
	for _, it := range d.items {
		if it["orgID"] == org {
			out = append(out, it)
		}
	}
	return out
}

// mediaOf: the media of an item (ratings' Item.media): books about the item, then
// every film for items of o2.
func (d *diff2Data) mediaOf(it map[string]any) []any {
	out := []any{}
	for _, m := range d.media {
		if m["itemID"] == it["id"] || (m["__typename"] == "Film" && it["orgID"] == "o2") {
			out = append(out, m)
		}
	}
	return out
}

func (d *diff2Data) topMedia() []any {
	return []any{d.media[3], d.media[0], d.media[2], d.media[0], d.media[1]}
}

func (d *diff2Data) crates() []any {
	return []any{
		map[string]any{"code": "K1", "items": []any{d.items[1], d.items[0]}},
		map[string]any{"code": "K2", "items": []any{}},
		map[string]any{"code": "K3", "items": []any{d.items[2], d.items[1], d.items[4], d.items[3]}},
	}
}

func (d *diff2Data) cheapest() []any { return []any{d.items[3], d.items[4], d.items[1], d.items[0]} }

func firstN(l []any, args map[string]any) []any {
	if n, ok := args["first"]; ok && n != nil {
		k := max(diffInt(n), 0)
		if k < len(l) {
			return l[:k]
		}
	}
	return l
}

func diff2Get(d *diff2Data, typename string) testsubgraph.Resolver {
	return func(_ context.Context, _ map[string]any, args map[string]any) (any, error) {
		id, _ := args["id"].(string)
		if o := d.byID[id]; o != nil && o["__typename"] == typename {
			return o, nil
		}
		return nil, nil
	}
}

// monoResolvers are the monolith's: the truth of every field.
func (d *diff2Data) monoResolvers() map[string]testsubgraph.Resolver {
	return map[string]testsubgraph.Resolver{
		"Query.items": func(_ context.Context, _ map[string]any, args map[string]any) (any, error) {
			return firstN(toAny(d.items), args), nil
		},
		"Query.item":  diff2Get(d, "Item"),
		"Query.org":   diff2Get(d, "Org"),
		"Query.stats": list(d.stats),
		"Query.media": func(_ context.Context, _ map[string]any, args map[string]any) (any, error) {
			out := []any{}
			for _, m := range d.media {
				if k := args["kind"]; k == nil || (k == "BOOK") == (m["__typename"] == "Book") {
					out = append(out, m)
				}
			}
			return out, nil
		},
		"Query.topMedia": func(_ context.Context, _ map[string]any, args map[string]any) (any, error) {
			return firstN(d.topMedia(), args), nil
		},
		"Query.crates":   list(d.crates()),
		"Query.cheapest": list(d.cheapest()),
		"Org.items": func(_ context.Context, o map[string]any, _ map[string]any) (any, error) {
			return d.itemsOfOrg(o["id"].(string)), nil
		},
		"Item.org": func(_ context.Context, it map[string]any, _ map[string]any) (any, error) {
			return d.byID[it["orgID"].(string)], nil
		},
		"Item.weight": func(_ context.Context, it map[string]any, args map[string]any) (any, error) {
			return d.weight(it, args["unit"]), nil
		},
		"Item.status": func(_ context.Context, it map[string]any, _ map[string]any) (any, error) {
			if it["status"] == "SECRET" {
				return nil, fmt.Errorf("invalid value: SECRET is inaccessible")
			}
			return it["status"], nil
		},
		"Item.volume": func(_ context.Context, it map[string]any, _ map[string]any) (any, error) {
			return volumeOf(d.weight(it, "KG"), it["dims"]), nil
		},
		"Item.cost": func(_ context.Context, it map[string]any, args map[string]any) (any, error) {
			return costOf(volumeOf(d.weight(it, "KG"), it["dims"]), args)
		},
		"Item.media": func(_ context.Context, it map[string]any, _ map[string]any) (any, error) {
			return d.mediaOf(it), nil
		},
		"Book.item": func(_ context.Context, b map[string]any, _ map[string]any) (any, error) {
			if id, _ := b["itemID"].(string); id != "" {
				return d.byID[id], nil
			}
			return nil, nil
		},
		"Film.minutes": filmMinutes,
		"Depth.cm":     depthCM,
	}
}

// depthCM fails for a negative depth (that of i4): an error inside a value type.
func depthCM(_ context.Context, d map[string]any, _ map[string]any) (any, error) {
	if diffInt(d["cm"]) < 0 {
		return nil, fmt.Errorf("depth unmeasurable")
	}
	return d["cm"], nil
}

func filmMinutes(_ context.Context, f map[string]any, _ map[string]any) (any, error) {
	if f["id"] == "f2" {
		return nil, fmt.Errorf("minutes unavailable")
	}
	return f["minutes"], nil
}

// project copies o with only the given fields (and __typename), renaming nothing.
func project(o map[string]any, typename string, fields ...string) map[string]any {
	out := map[string]any{"__typename": typename}
	for _, f := range fields {
		if v, ok := o[f]; ok {
			out[f] = v
		}
	}
	return out
}

func projectAll(l []any, typename string, fields ...string) []any {
	out := make([]any, len(l))
	for i, o := range l {
		out[i] = project(o.(map[string]any), typename, fields...)
	}
	return out
}

// withRep merges the representation into o (the @external fields come from there).
func withRep(o map[string]any, rep map[string]any) map[string]any {
	for k, v := range rep {
		o[k] = v
	}
	return o
}

func (d *diff2Data) itemByNestedKey(rep map[string]any) map[string]any {
	org, _ := rep["org"].(map[string]any)
	for _, it := range d.items {
		if it["sku"] == rep["sku"] && org != nil && it["orgID"] == org["id"] {
			return it
		}
	}
	return nil
}

func (d *diff2Data) itemByCompoundKey(rep map[string]any) map[string]any {
	if it := d.byID[fmt.Sprint(rep["id"])]; it != nil && it["__typename"] == "Item" && it["sku"] == rep["sku"] {
		return it
	}
	return nil
}

func (d *diff2Data) subgraphs() []*testsubgraph.Subgraph {
	// products: owns items and orgs; its Item.label is stale (shipping overrides it).
	productsItem := func(it map[string]any) map[string]any {
		o := project(it, "Item", "id", "sku", "orgID", "name", "grams", "dims", "color", "status", "grid", "legacyCode")
		o["org"] = map[string]any{"__typename": "Org", "id": it["orgID"]}
		o["label"] = "stale label"
		return o
	}
	productsItems := func(l []any) []any {
		out := make([]any, len(l))
		for i, it := range l {
			out[i] = productsItem(it.(map[string]any))
		}
		return out
	}
	products := &testsubgraph.Subgraph{
		Name: "products", SDL: diff2ProductsSDL,
		Resolvers: map[string]testsubgraph.Resolver{
			"Query.items": func(_ context.Context, _ map[string]any, args map[string]any) (any, error) {
				return firstN(productsItems(toAny(d.items)), args), nil
			},
			"Query.item": func(ctx context.Context, p map[string]any, args map[string]any) (any, error) {
				v, _ := diff2Get(d, "Item")(ctx, p, args)
				if v == nil {
					return nil, nil
				}
				return productsItem(v.(map[string]any)), nil
			},
			"Query.org":   diff2Get(d, "Org"),
			"Query.stats": list(d.stats),
			"Org.items": func(_ context.Context, o map[string]any, _ map[string]any) (any, error) {
				return productsItems(d.itemsOfOrg(o["id"].(string))), nil
			},
			"Org.name": func(_ context.Context, o map[string]any, _ map[string]any) (any, error) {
				return d.byID[o["id"].(string)]["name"], nil
			},
			"Item.weight": func(_ context.Context, it map[string]any, args map[string]any) (any, error) {
				return d.weight(it, args["unit"]), nil
			},
			"Depth.cm": depthCM,
		},
		Entities: map[string]testsubgraph.EntityResolver{
			"Item": func(_ context.Context, rep map[string]any) (any, error) {
				var it map[string]any
				if _, ok := rep["org"]; ok {
					it = d.itemByNestedKey(rep)
				} else if _, ok := rep["sku"]; ok {
					it = d.itemByCompoundKey(rep)
				} else if o := d.byID[fmt.Sprint(rep["id"])]; o != nil && o["__typename"] == "Item" {
					it = o
				}
				if it == nil {
					return nil, nil
				}
				return productsItem(it), nil
			},
			"Org": func(_ context.Context, rep map[string]any) (any, error) {
				if o := d.byID[fmt.Sprint(rep["id"])]; o != nil && o["__typename"] == "Org" {
					return project(o, "Org", "id", "name"), nil
				}
				return nil, nil
			},
		},
	}

	// media: owns the Media interface and its implementations.
	mediaObj := func(m map[string]any) map[string]any {
		o := project(m, m["__typename"].(string), "id", "title", "pages", "cover", "minutes")
		if id, _ := m["itemID"].(string); id != "" {
			o["item"] = map[string]any{"__typename": "Item", "id": id}
		}
		return o
	}
	mediaLookup := func(typename string) testsubgraph.EntityResolver {
		return func(_ context.Context, rep map[string]any) (any, error) {
			m := d.byID[fmt.Sprint(rep["id"])]
			if m == nil || (typename != "Media" && m["__typename"] != typename) || (m["__typename"] != "Book" && m["__typename"] != "Film") {
				return nil, nil
			}
			return mediaObj(m), nil
		}
	}
	media := &testsubgraph.Subgraph{
		Name: "media", SDL: diff2MediaSDL,
		Resolvers: map[string]testsubgraph.Resolver{
			"Query.media": func(_ context.Context, _ map[string]any, args map[string]any) (any, error) {
				out := []any{}
				for _, m := range d.media {
					if k := args["kind"]; k == nil || (k == "BOOK") == (m["__typename"] == "Book") {
						out = append(out, mediaObj(m))
					}
				}
				return out, nil
			},
			"Film.minutes": filmMinutes,
		},
		Entities: map[string]testsubgraph.EntityResolver{"Media": mediaLookup("Media"), "Book": mediaLookup("Book"), "Film": mediaLookup("Film")},
	}

	// ratings: Media as an interface object.
	ratingsMedia := func(l []any) []any { return projectAll(l, "Media", "id", "score", "reviewers") }
	ratings := &testsubgraph.Subgraph{
		Name: "ratings", SDL: diff2RatingsSDL,
		Resolvers: map[string]testsubgraph.Resolver{
			"Query.topMedia": func(_ context.Context, _ map[string]any, args map[string]any) (any, error) {
				return ratingsMedia(firstN(d.topMedia(), args)), nil
			},
			"Query.stats": list(d.stats),
			"Item.media": func(_ context.Context, it map[string]any, _ map[string]any) (any, error) {
				o := d.byID[fmt.Sprint(it["id"])]
				if o == nil {
					return nil, fmt.Errorf("no item %v", it["id"])
				}
				return ratingsMedia(d.mediaOf(o)), nil
			},
		},
		Entities: map[string]testsubgraph.EntityResolver{
			"Media": func(_ context.Context, rep map[string]any) (any, error) {
				m := d.byID[fmt.Sprint(rep["id"])]
				if m == nil || (m["__typename"] != "Book" && m["__typename"] != "Film") {
					return nil, nil
				}
				return project(m, "Media", "id", "score", "reviewers"), nil
			},
			"Item": func(_ context.Context, rep map[string]any) (any, error) {
				if o := d.byID[fmt.Sprint(rep["id"])]; o != nil && o["__typename"] == "Item" {
					return project(o, "Item", "id"), nil
				}
				return nil, nil
			},
		},
	}

	// warehouse: volume from the representation's weight and dims; its legacyCode
	// override is behind a label that is off, and answers a wrong value.
	warehouseItem := func(it map[string]any) map[string]any {
		o := project(it, "Item", "sku")
		o["org"] = map[string]any{"__typename": "Org", "id": it["orgID"]}
		o["legacyCode"] = "wrong code"
		return o
	}
	warehouse := &testsubgraph.Subgraph{
		Name: "warehouse", SDL: diff2WarehouseSDL,
		Resolvers: map[string]testsubgraph.Resolver{
			"Query.crates": func(context.Context, map[string]any, map[string]any) (any, error) {
				var out []any
				for _, c := range d.crates() {
					c := c.(map[string]any)
					var items []any
					for _, it := range c["items"].([]any) {
						items = append(items, warehouseItem(it.(map[string]any)))
					}
					if items == nil {
						items = []any{}
					}
					out = append(out, map[string]any{"code": c["code"], "items": items})
				}
				return out, nil
			},
			"Item.volume": func(_ context.Context, it map[string]any, _ map[string]any) (any, error) {
				if _, ok := it["weight"]; !ok {
					return nil, fmt.Errorf("volume without weight")
				}
				if _, ok := it["dims"]; !ok {
					return nil, fmt.Errorf("volume without dims")
				}
				return volumeOf(it["weight"], it["dims"]), nil
			},
		},
		Entities: map[string]testsubgraph.EntityResolver{
			"Item": func(_ context.Context, rep map[string]any) (any, error) {
				it := d.itemByNestedKey(rep)
				if it == nil {
					return nil, nil
				}
				return withRep(warehouseItem(it), rep), nil
			},
		},
	}

	// shipping: cost from the representation's volume; Query.cheapest provides volume.
	shippingItem := func(it map[string]any) map[string]any {
		return project(it, "Item", "id", "sku", "label", "dims")
	}
	shipping := &testsubgraph.Subgraph{
		Name: "shipping", SDL: diff2ShippingSDL,
		Resolvers: map[string]testsubgraph.Resolver{
			"Query.cheapest": func(context.Context, map[string]any, map[string]any) (any, error) {
				var out []any
				for _, it := range d.cheapest() {
					it := it.(map[string]any)
					o := shippingItem(it)
					o["volume"] = volumeOf(d.weight(it, "KG"), it["dims"])
					out = append(out, o)
				}
				return out, nil
			},
			"Item.cost": func(_ context.Context, it map[string]any, args map[string]any) (any, error) {
				if _, ok := it["volume"]; !ok {
					return nil, fmt.Errorf("cost called without volume")
				}
				return costOf(it["volume"], args)
			},
			"Depth.cm": depthCM,
		},
		Entities: map[string]testsubgraph.EntityResolver{
			"Item": func(_ context.Context, rep map[string]any) (any, error) {
				it := d.itemByCompoundKey(rep)
				if it == nil {
					return nil, nil
				}
				return withRep(shippingItem(it), rep), nil
			},
		},
	}
	return []*testsubgraph.Subgraph{products, media, ratings, warehouse, shipping}
}

var diff2IDs = map[string][]string{
	"item": {"i1", "i2", "i3", "i4", "i5", "i9"},
	"org":  {"o1", "o2", "o9"},
	"node": {"i1", "o1", "b1", "x1"},
}

func TestDifferentialSecondSchema(t *testing.T) {
	d := newDiff2Data()
	runDifferential(t, scenario{subgraphs: d.subgraphs()}, d.monoResolvers(), func(seed int64, api *ast.Schema) *diffGen {
		return &diffGen{r: rand.New(rand.NewSource(seed)), s: api, maxDep: 5, ids: diff2IDs, strs: map[string][]string{}}
	})
}
