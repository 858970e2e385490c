package scenarios

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand"
	"os"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/formatter"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"

	"github.com/shopgraph/shopgraph/gateway/execute"
	"github.com/shopgraph/shopgraph/gateway/internal/testsubgraph"
)

// Differential property test: the router over federated subgraphs must answer every
// generated query exactly like a non-federated monolith serving the supergraph's API
// schema, both resolving over one in-memory dataset.
//
// Four subgraphs (catalog, reviews, accounts, inventory) share the dataset and one
// set of resolvers; they use @key (on id and on sku), @requires (shippingCost needs
// weight), @provides (Review.author provides name), @shareable fields and value
// types (Product.name, Money, Address), @override (Product.tags moves to inventory),
// an interface implemented in three subgraphs (Node), an interface whose members
// are entities from elsewhere (Commentable), a union of members owned by three
// subgraphs (SearchResult), nullable and non-null fields, lists, and one field
// error (the sentiment of review r4) for null propagation. Entity resolvers drop
// @external fields, so that these must come from the representations.
//
// The monolith is a small executor in this file (monoRun) over the API schema: it
// runs every field, so it knows every error a compliant server may report and where
// each null lands. Data must be equal byte for byte (so field order counts); the
// router must report no error at a path where the monolith has none, and at least
// one error for each null the data shows.
//
// Queries come from a seeded generator (diffGen) over the API schema and are
// validated with gqlparser; invalid ones are counted and skipped. On failure the
// test prints, per kind of problem, the shortest failing query shrunk by removing
// selections and directives, both answers and the router's plan. To replay one
// query, with the subgraph requests logged:
//
//	DIFF_QUERY='{ users { name } }' DIFF_VARS='{}' go test ./gateway/internal/scenarios/ -run TestDifferential -v

// ---------------------------------------------------------------------------
// Subgraphs

const diffCatalogSDL = fed + `
type Query {
  products(category: Category, first: Int): [Product!]!
  product(id: ID!): Product
  search(text: String!): [SearchResult!]!
  node(id: ID!): Node
}
interface Node { id: ID! }
enum Category { BOOKS GAMES TOYS }
enum Currency { USD EUR }
union SearchResult = Product | User | Review
type Product implements Node @key(fields: "id") {
  id: ID!
  name: String! @shareable
  category: Category!
  price: Money!
  weight: Int!
  description: String
  tags: [String!]!
  variants(first: Int): [Variant!]!
}
type Variant @key(fields: "sku") { sku: String! color: String size: Int! }
type Money @shareable { amount: Int! currency: Currency! }
type User implements Node @key(fields: "id") { id: ID! }
type Review @key(fields: "id") { id: ID! }
`

const diffReviewsSDL = fed + `
type Query {
  review(id: ID!): Review
  latestReviews(first: Int): [Review!]!
  commentables: [Commentable!]!
}
interface Node { id: ID! }
interface Commentable { id: ID! reviews(minRating: Int): [Review!]! }
type Review implements Node @key(fields: "id") {
  id: ID!
  body: String!
  rating: Int!
  sentiment: String!
  author: User! @provides(fields: "name")
  product: Product!
}
type Product implements Commentable @key(fields: "id") {
  id: ID!
  reviews(minRating: Int): [Review!]!
  topReview: Review
}
type User implements Commentable @key(fields: "id") {
  id: ID!
  name: String! @external
  reviews(minRating: Int): [Review!]!
}
`

const diffAccountsSDL = fed + `
type Query { user(id: ID!): User users: [User!]! }
interface Node { id: ID! }
enum Role { ADMIN CUSTOMER }
type User implements Node @key(fields: "id") {
  id: ID!
  name: String! @shareable
  email: String
  role: Role!
  address: Address
}
type Address @shareable { city: String! country: String! }
`

const diffInventorySDL = fed + `
enum Zone { DOMESTIC INTL }
enum Currency { USD EUR }
type Product @key(fields: "id") {
  id: ID!
  name: String! @shareable
  weight: Int! @external
  inStock: Boolean!
  tags: [String!]! @override(from: "catalog")
  shippingCost(zone: Zone!): Money! @requires(fields: "weight")
  warehouse: Warehouse
}
type Warehouse { code: String! city: String! }
type Money @shareable { amount: Int! currency: Currency! }
`

// ---------------------------------------------------------------------------
// Dataset

type diffData struct {
	products, users, reviews []map[string]any
	byID                     map[string]map[string]any
	variants                 map[string]map[string]any
}

func newDiffData() *diffData {
	d := &diffData{byID: map[string]map[string]any{}, variants: map[string]map[string]any{}}
	variant := func(sku string, color any, size int) map[string]any {
		v := map[string]any{"__typename": "Variant", "sku": sku, "color": color, "size": size}
		d.variants[sku] = v
		return v
	}
	money := func(a int, c string) map[string]any { return map[string]any{"amount": a, "currency": c} }
	d.products = []map[string]any{
		{"__typename": "Product", "id": "p1", "name": "Lamp", "category": "TOYS", "price": money(12, "USD"), "weight": 2, "description": "A bright lamp",
			"tags": []any{"light", "home"}, "variants": []any{variant("p1-red", "red", 1), variant("p1-blue", nil, 2)}, "inStock": true,
			"warehouse": map[string]any{"code": "W1", "city": "Oslo"}},
		{"__typename": "Product", "id": "p2", "name": "Chess", "category": "GAMES", "price": money(30, "EUR"), "weight": 1, "description": nil,
			"tags": []any{}, "variants": []any{}, "inStock": false, "warehouse": map[string]any{"code": "W2", "city": "Lyon"}},
		{"__typename": "Product", "id": "p3", "name": "Atlas", "category": "BOOKS", "price": money(25, "USD"), "weight": 3, "description": "Maps",
			"tags": []any{"paper"}, "variants": []any{variant("p3-hc", "black", 3)}, "inStock": true, "warehouse": nil},
		{"__typename": "Product", "id": "p4", "name": "Robot", "category": "TOYS", "price": money(99, "EUR"), "weight": 5, "description": "Beeps",
			"tags": []any{"kids", "light"}, "variants": []any{variant("p4-s", "silver", 1), variant("p4-g", "gold", 2), variant("p4-x", nil, 4)}, "inStock": true,
			"warehouse": map[string]any{"code": "W1", "city": "Oslo"}},
	}
	d.users = []map[string]any{
		{"__typename": "User", "id": "u1", "name": "Ada", "email": "ada@example.com", "role": "ADMIN", "address": map[string]any{"city": "London", "country": "UK"}},
		{"__typename": "User", "id": "u2", "name": "Bob", "email": nil, "role": "CUSTOMER", "address": map[string]any{"city": "Paris", "country": "FR"}},
		{"__typename": "User", "id": "u3", "name": "Cy", "email": "cy@example.com", "role": "CUSTOMER", "address": nil},
	}
	rev := func(id, body string, rating int, author, product string) map[string]any {
		return map[string]any{"__typename": "Review", "id": id, "body": body, "rating": rating, "authorID": author, "productID": product}
	}
	d.reviews = []map[string]any{
		rev("r1", "Great lamp", 5, "u1", "p1"),
		rev("r2", "Too dim", 2, "u2", "p1"),
		rev("r3", "Classic", 4, "u1", "p2"),
		rev("r4", "Broken on arrival", 1, "u3", "p4"), // its sentiment fails
		rev("r5", "Fun", 4, "u2", "p4"),
	}
	for _, l := range [][]map[string]any{d.products, d.users, d.reviews} {
		for _, o := range l {
			d.byID[o["id"].(string)] = o
		}
	}
	return d
}

func diffInt(v any) int {
	switch v := v.(type) {
	case int:
		return v
	case float64:
		return int(v)
	case json.Number:
		n, _ := v.Int64()
		return int(n)
	}
	return 0
}

func toAny(l []map[string]any) []any {
	out := make([]any, len(l))
	for i, o := range l {
		out[i] = o
	}
	return out
}

// resolvers serve every subgraph and the monolith alike: a subgraph only ever calls
// those of the fields it defines.
func (d *diffData) resolvers() map[string]testsubgraph.Resolver {
	first := func(l []any, args map[string]any) []any {
		if n, ok := args["first"]; ok && n != nil {
			k := diffInt(n)
			if k < 0 {
				k = 0
			}
			if k < len(l) {
				return l[:k]
			}
		}
		return l
	}
	reviewsOf := func(key, id string, args map[string]any) []any {
		var out []any
		for _, r := range d.reviews {
			if r[key] != id {
				continue
			}
			if m, ok := args["minRating"]; ok && m != nil && diffInt(r["rating"]) < diffInt(m) {
				continue
			}
			out = append(out, r)
		}
		if out == nil {
			out = []any{}
		}
		return out
	}
	get := func(prefix string) testsubgraph.Resolver {
		return func(_ context.Context, _ map[string]any, args map[string]any) (any, error) {
			id, _ := args["id"].(string)
			if !strings.HasPrefix(id, prefix) {
				return nil, nil
			}
			if o, ok := d.byID[id]; ok {
				return o, nil
			}
			return nil, nil
		}
	}
	return map[string]testsubgraph.Resolver{
		"Query.products": func(_ context.Context, _ map[string]any, args map[string]any) (any, error) {
			var l []any
			for _, p := range d.products {
				if c, ok := args["category"]; ok && c != nil && p["category"] != c {
					continue
				}
				l = append(l, p)
			}
			if l == nil {
				l = []any{}
			}
			return first(l, args), nil
		},
		"Query.product": get("p"),
		"Query.user":    get("u"),
		"Query.review":  get("r"),
		// node answers products and users: the subgraph serving it knows no other Node.
		"Query.node": func(ctx context.Context, parent map[string]any, args map[string]any) (any, error) {
			id, _ := args["id"].(string)
			if strings.HasPrefix(id, "r") {
				return nil, nil
			}
			return get("")(ctx, parent, args)
		},
		"Query.search": func(_ context.Context, _ map[string]any, args map[string]any) (any, error) {
			text := strings.ToLower(fmt.Sprint(args["text"]))
			out := []any{}
			for _, l := range [][]map[string]any{d.products, d.users, d.reviews} {
				for _, o := range l {
					s := strings.ToLower(fmt.Sprint(o["name"], " ", o["body"]))
					if strings.Contains(s, text) {
						out = append(out, o)
					}
				}
			}
			return out, nil
		},
		"Query.latestReviews": func(_ context.Context, _ map[string]any, args map[string]any) (any, error) {
			l := toAny(d.reviews)
			for i, j := 0, len(l)-1; i < j; i, j = i+1, j-1 {
				l[i], l[j] = l[j], l[i]
			}
			return first(l, args), nil
		},
		"Query.commentables": func(context.Context, map[string]any, map[string]any) (any, error) {
			return []any{d.products[0], d.users[1], d.products[3], d.users[2]}, nil
		},
		"Query.users": func(context.Context, map[string]any, map[string]any) (any, error) { return toAny(d.users), nil },
		"Product.variants": func(_ context.Context, p map[string]any, args map[string]any) (any, error) {
			return first(d.byID[p["id"].(string)]["variants"].([]any), args), nil
		},
		"Product.reviews": func(_ context.Context, p map[string]any, args map[string]any) (any, error) {
			return reviewsOf("productID", p["id"].(string), args), nil
		},
		"Product.topReview": func(_ context.Context, p map[string]any, _ map[string]any) (any, error) {
			var best map[string]any
			for _, r := range d.reviews {
				if r["productID"] == p["id"] && (best == nil || diffInt(r["rating"]) > diffInt(best["rating"])) {
					best = r
				}
			}
			if best == nil {
				return nil, nil
			}
			return best, nil
		},
		// shippingCost reads weight from the parent: in the inventory subgraph that is
		// the representation (the entity resolver drops the dataset's weight).
		"Product.shippingCost": func(_ context.Context, p map[string]any, args map[string]any) (any, error) {
			w, ok := p["weight"]
			if !ok || w == nil {
				return nil, fmt.Errorf("shippingCost without weight")
			}
			f := 2
			if args["zone"] == "INTL" {
				f = 5
			}
			return map[string]any{"amount": diffInt(w) * f, "currency": "USD"}, nil
		},
		"User.reviews": func(_ context.Context, u map[string]any, args map[string]any) (any, error) {
			return reviewsOf("authorID", u["id"].(string), args), nil
		},
		"Review.author": func(_ context.Context, r map[string]any, _ map[string]any) (any, error) {
			return d.byID[r["authorID"].(string)], nil
		},
		"Review.product": func(_ context.Context, r map[string]any, _ map[string]any) (any, error) {
			return d.byID[r["productID"].(string)], nil
		},
		"Review.sentiment": func(_ context.Context, r map[string]any, _ map[string]any) (any, error) {
			if r["id"] == "r4" {
				return nil, fmt.Errorf("sentiment unavailable")
			}
			if diffInt(r["rating"]) >= 4 {
				return "POSITIVE", nil
			}
			return "NEGATIVE", nil
		},
	}
}

// entities resolves representations by id (or sku) from the dataset, leaving out the
// fields that are @external in the subgraph, so that they come from the representation.
func (d *diffData) entities(types []string, external ...string) map[string]testsubgraph.EntityResolver {
	out := map[string]testsubgraph.EntityResolver{}
	for _, tn := range types {
		out[tn] = func(_ context.Context, rep map[string]any) (any, error) {
			var o map[string]any
			if sku, ok := rep["sku"].(string); ok && tn == "Variant" {
				o = d.variants[sku]
			} else if id, ok := rep["id"].(string); ok {
				o = d.byID[id]
			}
			if o == nil || o["__typename"] != tn {
				return nil, nil
			}
			res := map[string]any{}
			for k, v := range o {
				skip := false
				for _, e := range external {
					if e == tn+"."+k {
						skip = true
					}
				}
				if !skip {
					res[k] = v
				}
			}
			for k, v := range rep {
				res[k] = v
			}
			return res, nil
		}
	}
	return out
}

// ---------------------------------------------------------------------------
// Query generator

type diffGen struct {
	r      *rand.Rand
	s      *ast.Schema
	frags  []string
	vars   []string
	vals   map[string]any
	n      int
	nest   int
	maxDep int
	canon  map[string]string
	// ids and strs, when set, replace diffIDs and diffStrings.
	ids, strs map[string][]string
}

var diffIDs = map[string][]string{
	"product": {"p1", "p2", "p3", "p4", "p9"},
	"user":    {"u1", "u2", "u3", "u7"},
	"review":  {"r1", "r2", "r4", "r5", "r8"},
	"node":    {"p1", "p3", "u2", "r1", "x1"},
}

var diffStrings = map[string][]string{
	"text": {"l", "lamp", "a", "ro", "zzz", "great", "o"},
}

func (g *diffGen) name(prefix string) string {
	g.n++
	return fmt.Sprintf("%s%d", prefix, g.n)
}

// value returns a literal (or a variable) for an argument.
func (g *diffGen) value(field string, arg *ast.ArgumentDefinition) string {
	t := arg.Type
	named := t.Name()
	var lit string
	var val any
	switch def := g.s.Types[named]; {
	case def != nil && def.Kind == ast.Enum:
		ev := def.EnumValues[g.r.Intn(len(def.EnumValues))].Name
		lit, val = ev, ev
	case named == "Int":
		n := g.r.Intn(6) - 1
		if arg.Name == "minRating" {
			n = 1 + g.r.Intn(5)
		}
		lit, val = fmt.Sprint(n), n
	case named == "ID":
		idm := diffIDs
		if g.ids != nil {
			idm = g.ids
		}
		ids := idm[field]
		if ids == nil {
			ids = idm["node"]
		}
		id := ids[g.r.Intn(len(ids))]
		lit, val = fmt.Sprintf("%q", id), id
	case named == "String":
		sm := diffStrings
		if g.strs != nil {
			sm = g.strs
		}
		ss := sm[arg.Name]
		if ss == nil {
			ss = []string{"a"}
		}
		s := ss[g.r.Intn(len(ss))]
		lit, val = fmt.Sprintf("%q", s), s
	case named == "Boolean":
		b := g.r.Intn(2) == 0
		lit, val = fmt.Sprint(b), b
	default:
		return "null"
	}
	if g.r.Intn(6) == 0 {
		v := g.name("v")
		g.vars = append(g.vars, "$"+v+": "+t.String())
		g.vals[v] = val
		return "$" + v
	}
	return lit
}

func (g *diffGen) args(f *ast.FieldDefinition) string {
	var parts []string
	for _, a := range f.Arguments {
		if a.Type.NonNull || g.r.Intn(2) == 0 {
			parts = append(parts, a.Name+": "+g.value(f.Name, a))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

func (g *diffGen) directive() string {
	if g.r.Intn(7) != 0 {
		return ""
	}
	name := "skip"
	if g.r.Intn(2) == 0 {
		name = "include"
	}
	switch g.r.Intn(3) {
	case 0:
		return fmt.Sprintf(" @%s(if: %v)", name, g.r.Intn(2) == 0)
	case 1:
		v := g.name("b")
		g.vars = append(g.vars, "$"+v+": Boolean!")
		g.vals[v] = g.r.Intn(2) == 0
		return fmt.Sprintf(" @%s(if: $%s)", name, v)
	default:
		v := g.name("b")
		def := g.r.Intn(2) == 0
		g.vars = append(g.vars, fmt.Sprintf("$%s: Boolean = %v", v, def))
		if g.r.Intn(2) == 0 {
			g.vals[v] = g.r.Intn(2) == 0
		}
		return fmt.Sprintf(" @%s(if: $%s)", name, v)
	}
}

func (g *diffGen) possible(def *ast.Definition) map[string]bool {
	out := map[string]bool{}
	for _, p := range g.s.GetPossibleTypes(def) {
		out[p.Name] = true
	}
	return out
}

// conditions lists the type conditions valid within def: those whose possible types
// overlap def's (some of them never match the values actually returned).
func (g *diffGen) conditions(def *ast.Definition) []*ast.Definition {
	mine := g.possible(def)
	var out []*ast.Definition
	names := make([]string, 0, len(g.s.Types))
	for n := range g.s.Types {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		t := g.s.Types[n]
		if t.BuiltIn || strings.HasPrefix(n, "_") || !(t.Kind == ast.Object || t.Kind == ast.Interface || t.Kind == ast.Union) {
			continue
		}
		if n == g.s.Query.Name || (g.s.Mutation != nil && n == g.s.Mutation.Name) {
			if n == def.Name {
				out = append(out, t)
			}
			continue
		}
		for p := range g.possible(t) {
			if mine[p] {
				out = append(out, t)
				break
			}
		}
	}
	return out
}

func (g *diffGen) fields(def *ast.Definition) []*ast.FieldDefinition {
	var out []*ast.FieldDefinition
	for _, f := range def.Fields {
		if strings.HasPrefix(f.Name, "_") {
			continue
		}
		out = append(out, f)
	}
	return out
}

func (g *diffGen) selectionSet(def *ast.Definition, depth int) string {
	n := 1 + g.r.Intn(4)
	var parts []string
	for range n {
		parts = append(parts, g.selection(def, depth))
	}
	return "{ " + strings.Join(parts, " ") + " }"
}

func (g *diffGen) alias() string {
	switch x := g.r.Intn(100); {
	case x < 10:
		return g.name("a") + ": "
	case x < 13:
		// may clash with another field of the same response key: some of these
		// queries are invalid and skipped
		return []string{"x", "y", "id", "name"}[g.r.Intn(4)] + ": "
	}
	return ""
}

func (g *diffGen) selection(def *ast.Definition, depth int) string {
	fs := g.fields(def)
	x := g.r.Intn(100)
	if len(fs) == 0 && x >= 8 && x < 58 {
		x = 58 + x%30 // unions: fragments or __typename
	}
	if x >= 58 && g.nest >= 2 {
		// fragments do not deepen the response: bound their nesting
		if len(fs) == 0 {
			x = 0
		} else {
			x = 8
		}
	}
	if x >= 58 {
		g.nest++
		defer func() { g.nest-- }()
	}
	switch {
	case x < 8:
		return g.alias() + "__typename" + g.directive()
	case x < 50:
		return g.field(def, fs[g.r.Intn(len(fs))], depth)
	case x < 58:
		// the same field twice under different aliases, with different arguments
		var withArgs []*ast.FieldDefinition
		for _, f := range fs {
			if len(f.Arguments) > 0 {
				withArgs = append(withArgs, f)
			}
		}
		if len(withArgs) == 0 {
			return g.field(def, fs[g.r.Intn(len(fs))], depth)
		}
		f := withArgs[g.r.Intn(len(withArgs))]
		a, b := g.name("a"), g.name("a")
		return g.fieldWith(a+": ", f, depth) + " " + g.fieldWith(b+": ", f, depth)
	case x < 80:
		conds := g.conditions(def)
		t := conds[g.r.Intn(len(conds))]
		if g.r.Intn(8) == 0 {
			t = def
			return "..." + g.directive() + " " + g.selectionSet(t, depth)
		}
		return "... on " + t.Name + g.directive() + " " + g.selectionSet(t, depth)
	default:
		conds := g.conditions(def)
		t := conds[g.r.Intn(len(conds))]
		name := g.name("F")
		body := g.selectionSet(t, depth)
		g.frags = append(g.frags, "fragment "+name+" on "+t.Name+" "+body)
		return "..." + name + g.directive()
	}
}

func (g *diffGen) field(def *ast.Definition, f *ast.FieldDefinition, depth int) string {
	s := g.fieldWith(g.alias(), f, depth)
	if g.r.Intn(10) == 0 && g.s.Types[f.Type.Name()].IsCompositeType() && depth < g.maxDep {
		// the same field again, same arguments, other subselections: they merge
		i := strings.Index(s, "{")
		if i > 0 {
			s += " " + s[:i] + g.selectionSet(g.s.Types[f.Type.Name()], depth+1)
		}
	}
	return s
}

func (g *diffGen) fieldWith(alias string, f *ast.FieldDefinition, depth int) string {
	t := g.s.Types[f.Type.Name()]
	if t.IsCompositeType() && depth >= g.maxDep {
		return "__typename"
	}
	var args string
	if strings.HasPrefix(alias, "a") {
		args = g.args(f)
	} else {
		// one response key, one set of arguments within a query, so that fields
		// under one key can merge
		key := alias + f.Name
		for _, a := range f.Arguments {
			key += " " + a.Name
		}
		a, ok := g.canon[key]
		if !ok {
			a = g.args(f)
			g.canon[key] = a
		}
		args = a
	}
	s := alias + f.Name + args + g.directive()
	if t.IsCompositeType() {
		s += " " + g.selectionSet(t, depth+1)
	}
	return s
}

func (g *diffGen) query() (string, map[string]any) {
	g.frags, g.vars, g.vals, g.n, g.canon = nil, nil, map[string]any{}, 0, map[string]string{}
	body := g.selectionSet(g.s.Query, 1)
	var b strings.Builder
	b.WriteString("query Q")
	if len(g.vars) > 0 {
		b.WriteString("(" + strings.Join(g.vars, ", ") + ")")
	}
	b.WriteString(" " + body)
	for _, f := range g.frags {
		b.WriteString("\n" + f)
	}
	return b.String(), g.vals
}

// ---------------------------------------------------------------------------
// The monolith: a plain GraphQL executor over the API schema. Unlike the test
// subgraphs it does not stop at the first error: every field is executed, so that
// every error a spec-compliant server may report is known, with the position its
// null lands on.

type monoErr struct {
	path    []any
	msg     string
	landing []any
	landed  bool
}

type monoObject struct {
	keys []string
	vals map[string]any
}

func (o *monoObject) MarshalJSON() ([]byte, error) {
	buf := []byte{'{'}
	for i, k := range o.keys {
		if i > 0 {
			buf = append(buf, ',')
		}
		kb, _ := json.Marshal(k)
		vb, err := json.Marshal(o.vals[k])
		if err != nil {
			return nil, err
		}
		buf = append(append(append(buf, kb...), ':'), vb...)
	}
	return append(buf, '}'), nil
}

type monoExec struct {
	s    *ast.Schema
	doc  *ast.QueryDocument
	vars map[string]any
	res  map[string]testsubgraph.Resolver
	errs []*monoErr
}

func clonePath(p []any, more ...any) []any {
	return append(append(make([]any, 0, len(p)+len(more)), p...), more...)
}

// land gives the errors raised since mark, whose null was not caught yet, the
// position where it is caught.
func (m *monoExec) land(mark int, at []any) {
	for _, e := range m.errs[mark:] {
		if !e.landed {
			e.landed, e.landing = true, clonePath(at)
		}
	}
}

func (m *monoExec) included(dirs ast.DirectiveList) bool {
	for _, d := range dirs {
		if d.Name != "skip" && d.Name != "include" {
			continue
		}
		v, _ := d.ArgumentMap(m.vars)["if"].(bool)
		if v != (d.Name == "include") {
			return false
		}
	}
	return true
}

func (m *monoExec) applies(cond, typename string) bool {
	if cond == "" || cond == typename {
		return true
	}
	for _, p := range m.s.PossibleTypes[cond] {
		if p.Name == typename {
			return true
		}
	}
	return false
}

// collect is CollectFields: fields grouped by response key in first-seen order.
func (m *monoExec) collect(set ast.SelectionSet, typename string, keys *[]string, groups map[string][]*ast.Field, visited map[string]bool) {
	for _, sel := range set {
		switch sel := sel.(type) {
		case *ast.Field:
			if !m.included(sel.Directives) {
				continue
			}
			k := sel.Alias
			if k == "" {
				k = sel.Name
			}
			if _, ok := groups[k]; !ok {
				*keys = append(*keys, k)
			}
			groups[k] = append(groups[k], sel)
		case *ast.InlineFragment:
			if m.included(sel.Directives) && m.applies(sel.TypeCondition, typename) {
				m.collect(sel.SelectionSet, typename, keys, groups, visited)
			}
		case *ast.FragmentSpread:
			if !m.included(sel.Directives) || visited[sel.Name] {
				continue
			}
			visited[sel.Name] = true
			fd := m.doc.Fragments.ForName(sel.Name)
			if m.applies(fd.TypeCondition, typename) {
				m.collect(fd.SelectionSet, typename, keys, groups, visited)
			}
		}
	}
}

func (m *monoExec) object(sets []ast.SelectionSet, def *ast.Definition, parent map[string]any, path []any) (any, bool) {
	typename := def.Name
	var keys []string
	groups := map[string][]*ast.Field{}
	visited := map[string]bool{}
	for _, set := range sets {
		m.collect(set, typename, &keys, groups, visited)
	}
	out := &monoObject{vals: map[string]any{}}
	ok := true
	for _, k := range keys {
		fs := groups[k]
		f := fs[0]
		fpath := clonePath(path, k)
		if f.Name == "__typename" {
			out.keys = append(out.keys, k)
			out.vals[k] = typename
			continue
		}
		fd := def.Fields.ForName(f.Name)
		var val any
		var err error
		if r := m.res[typename+"."+f.Name]; r != nil {
			val, err = r(context.Background(), parent, f.ArgumentMap(m.vars))
		} else {
			val = parent[f.Name]
		}
		var sub []ast.SelectionSet
		for _, x := range fs {
			sub = append(sub, x.SelectionSet)
		}
		mark := len(m.errs)
		var v any
		fok := true
		if err != nil {
			m.errs = append(m.errs, &monoErr{path: fpath, msg: err.Error()})
			v, fok = nil, !fd.Type.NonNull
		} else {
			v, fok = m.complete(sub, fd.Type, val, fpath)
		}
		if !fok {
			ok = false
			continue
		}
		if v == nil {
			m.land(mark, fpath)
		}
		out.keys = append(out.keys, k)
		out.vals[k] = v
	}
	if !ok {
		return nil, false
	}
	return out, true
}

// complete returns the value, or false when a null must propagate further up.
func (m *monoExec) complete(sets []ast.SelectionSet, t *ast.Type, val any, path []any) (any, bool) {
	if val == nil {
		if t.NonNull {
			m.errs = append(m.errs, &monoErr{path: path, msg: "Cannot return null for non-nullable field"})
			return nil, false
		}
		return nil, true
	}
	if t.Elem != nil {
		items, _ := val.([]any)
		out := make([]any, len(items))
		ok := true
		for i, it := range items {
			ipath := clonePath(path, i)
			mark := len(m.errs)
			v, iok := m.complete(sets, t.Elem, it, ipath)
			if !iok {
				ok = false
				continue
			}
			if v == nil {
				m.land(mark, ipath)
			}
			out[i] = v
		}
		if !ok {
			if t.NonNull {
				return nil, false
			}
			return nil, true
		}
		return out, true
	}
	def := m.s.Types[t.NamedType]
	if def.IsLeafType() {
		return val, true
	}
	obj, _ := val.(map[string]any)
	if def.IsAbstractType() {
		tn, _ := obj["__typename"].(string)
		def = m.s.Types[tn]
	}
	v, ok := m.object(sets, def, obj, path)
	if !ok {
		if t.NonNull {
			return nil, false
		}
		return nil, true
	}
	return v, true
}

// monoRun executes a valid query; errs are all the errors raised, each with the
// position its null landed on ([] for data itself).
func monoRun(s *ast.Schema, res map[string]testsubgraph.Resolver, query string, vars map[string]any) (data string, errs []*monoErr, err error) {
	doc, gerrs := gqlparser.LoadQuery(s, query)
	if len(gerrs) > 0 {
		return "", nil, gerrs
	}
	op := doc.Operations[0]
	coerced, gerr := validator.VariableValues(s, op, vars)
	if gerr != nil {
		return "", nil, gerr
	}
	m := &monoExec{s: s, doc: doc, vars: coerced, res: res}
	v, ok := m.object([]ast.SelectionSet{op.SelectionSet}, s.Query, nil, nil)
	if !ok {
		m.land(0, []any{})
		v = nil
	}
	b, jerr := json.Marshal(v)
	if jerr != nil {
		return "", nil, jerr
	}
	return string(b), m.errs, nil
}

func pathString(p []any) string {
	s := make([]string, len(p))
	for i, e := range p {
		s[i] = fmt.Sprint(e)
	}
	return strings.Join(s, ".")
}

// visible tells whether a null landed at path is present in data (no null above it).
func visible(data any, path []any) bool {
	cur := data
	for _, e := range path {
		switch c := cur.(type) {
		case map[string]any:
			k, ok := e.(string)
			if !ok {
				return false
			}
			v, ok := c[k]
			if !ok {
				return false
			}
			cur = v
		case []any:
			i, ok := e.(int)
			if !ok || i >= len(c) {
				return false
			}
			cur = c[i]
		default:
			return false
		}
	}
	return cur == nil
}

// compareErrors checks the router's error paths against the monolith's: the router
// must report no error at a path the monolith has none for, and at least one of the
// errors behind each null that shows in the data. Both have errors or neither has.
func compareErrors(data string, want []*monoErr, got []execute.Error) []string {
	var problems []string
	if (len(want) > 0) != (len(got) > 0) {
		problems = append(problems, fmt.Sprintf("errors present: monolith %v, router %v", len(want) > 0, len(got) > 0))
	}
	allowed := map[string]bool{}
	byLanding := map[string][]string{}
	var d any
	_ = json.Unmarshal([]byte(data), &d)
	var landings []string
	for _, e := range want {
		p := pathString(e.path)
		allowed[p] = true
		if !visible(d, e.landing) {
			continue
		}
		l := pathString(e.landing)
		if _, ok := byLanding[l]; !ok {
			landings = append(landings, l)
		}
		byLanding[l] = append(byLanding[l], p)
	}
	reported := map[string]bool{}
	for _, e := range got {
		p := pathString(e.Path)
		reported[p] = true
		if !allowed[p] {
			problems = append(problems, fmt.Sprintf("unexpected error at %q: %s", p, e.Message))
		}
	}
	for _, l := range landings {
		found := false
		for _, p := range byLanding[l] {
			found = found || reported[p]
		}
		if !found {
			problems = append(problems, fmt.Sprintf("no error for the null at %q (expected one at %q)", l, byLanding[l]))
		}
	}
	return problems
}

// ---------------------------------------------------------------------------
// The test

func diffScenario(d *diffData) scenario {
	res := d.resolvers()
	return scenario{subgraphs: []*testsubgraph.Subgraph{
		{Name: "catalog", SDL: diffCatalogSDL, Resolvers: res, Entities: d.entities([]string{"Product", "Variant", "User", "Review"})},
		{Name: "reviews", SDL: diffReviewsSDL, Resolvers: res, Entities: d.entities([]string{"Review", "Product", "User"}, "User.name")},
		{Name: "accounts", SDL: diffAccountsSDL, Resolvers: res, Entities: d.entities([]string{"User"})},
		{Name: "inventory", SDL: diffInventorySDL, Resolvers: res, Entities: d.entities([]string{"Product"}, "Product.weight")},
	}}
}

type diffMismatch struct {
	query, vars, want, got, plan string
	kinds                        []string
}

func (m *diffMismatch) kind() string { return strings.Join(m.kinds, " + ") }

func TestDifferential(t *testing.T) {
	d := newDiffData()
	runDifferential(t, diffScenario(d), d.resolvers(), nil)
}

// runDifferential runs the differential test of the scenario sc against the monolith
// over the resolvers res; newGen, when set, makes the query generator for a seed.
func runDifferential(t *testing.T, sc scenario, res map[string]testsubgraph.Resolver, newGen func(seed int64, api *ast.Schema) *diffGen) {
	start0 := time.Now()
	r := start(t, sc)
	ex := execute.New(r.g, engineOptions())
	t.Cleanup(ex.Close)
	api := r.g.API()

	replay := os.Getenv("DIFF_QUERY")
	check := diffChecker(t, r, ex, res, replay != "" && os.Getenv("DIFF_REQUESTS") != "")

	type gq struct {
		q    string
		vars map[string]any
	}
	var queries []gq
	if replay != "" {
		// replay one query: DIFF_QUERY='{ ... }' DIFF_VARS='{"b1":true}'
		vars := map[string]any{}
		if v := os.Getenv("DIFF_VARS"); v != "" {
			if err := json.Unmarshal([]byte(v), &vars); err != nil {
				t.Fatal(err)
			}
		}
		queries = append(queries, gq{replay, vars})
	} else {
		seeds := diffSeeds
		if n, err := strconv.Atoi(os.Getenv("DIFF_SEEDS")); err == nil && n > 0 {
			// DIFF_SEEDS=N runs seeds 1..N instead, for longer hunts.
			seeds = nil
			for i := 1; i <= n; i++ {
				seeds = append(seeds, int64(i))
			}
		}
		for _, seed := range seeds {
			g := &diffGen{r: rand.New(rand.NewSource(seed)), s: api, maxDep: 5}
			if newGen != nil {
				g = newGen(seed, api)
			}
			for range diffPerSeed {
				q, vars := g.query()
				queries = append(queries, gq{q, vars})
			}
		}
	}

	var mismatches []*diffMismatch
	total, skipped := 0, 0
	invalid := map[string]int{}
	for _, x := range queries {
		if _, errs := gqlparser.LoadQuery(api, x.q); len(errs) > 0 {
			skipped++
			invalid[errs[0].Rule]++
			if replay != "" {
				t.Fatalf("invalid query: %v", errs)
			}
			continue
		}
		total++
		if m := check(x.q, x.vars); m != nil {
			mismatches = append(mismatches, m)
		} else if replay != "" {
			t.Logf("no mismatch")
		}
	}
	t.Logf("%d queries compared, %d generated queries skipped as invalid %v, %d mismatches, in %v",
		total, skipped, invalid, len(mismatches), time.Since(start0).Round(time.Millisecond))

	reportMismatches(t, api, mismatches, check, "queries")
}

// diffChecker returns a function that runs one valid query on the router (r and
// ex) and on the monolith over res, and returns nil when they agree;
// logRequests logs what each subgraph was asked.
func diffChecker(t *testing.T, r *running, ex *execute.Executor, res map[string]testsubgraph.Resolver, logRequests bool) func(q string, vars map[string]any) *diffMismatch {
	return func(q string, vars map[string]any) *diffMismatch {
		wantData, wantErrs, err := monoRun(r.g.API(), res, q, vars)
		if err != nil {
			t.Fatalf("monolith: %v\n%s", err, q)
		}
		var want strings.Builder
		fmt.Fprintf(&want, "data:   %s\nerrors:", wantData)
		for _, e := range wantErrs {
			fmt.Fprintf(&want, " %s (null at %q)", pathString(e.path), pathString(e.landing))
		}
		vb, _ := json.Marshal(vars)
		pl, cv, err := r.planner.Plan(q, "", vars)
		if err != nil {
			return &diffMismatch{query: q, vars: string(vb), want: want.String(), got: "plan error: " + err.Error(), kinds: []string{"plan error"}}
		}
		before := map[string]int{}
		for n, srv := range r.servers {
			before[n] = len(srv.Requests())
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		resp := ex.Execute(ctx, pl, cv)
		cancel()
		if logRequests {
			for n, srv := range r.servers {
				for _, rq := range srv.Requests()[before[n]:] {
					vb, _ := json.Marshal(rq.Variables)
					t.Logf("request to %s: %s\n  variables: %s", n, rq.Query, vb)
				}
			}
		}
		gotData := string(resp.Data)
		if resp.Data == nil {
			gotData = "<absent>"
		}
		problems := compareErrors(wantData, wantErrs, resp.Errors)
		if gotData != wantData {
			problems = append([]string{"data differs: " + dataDiff(wantData, gotData)}, problems...)
		}
		if len(problems) == 0 {
			return nil
		}
		var got strings.Builder
		fmt.Fprintf(&got, "data:   %s\nerrors:", gotData)
		for _, e := range resp.Errors {
			fmt.Fprintf(&got, " %s [%s]", pathString(e.Path), e.Message)
		}
		fmt.Fprintf(&got, "\nproblems: %s", strings.Join(problems, "; "))
		return &diffMismatch{query: q, vars: string(vb), want: want.String(), got: got.String(), plan: pl.String(), kinds: kinds(problems)}
	}
}

// reportMismatches logs how often each kind of mismatch occurred and fails
// with one example per kind: the shortest operation showing it, shrunk.
// noun names what was compared ("queries", "operations").
func reportMismatches(t *testing.T, api *ast.Schema, mismatches []*diffMismatch, check func(string, map[string]any) *diffMismatch, noun string) {
	t.Helper()
	byKind := map[string]*diffMismatch{}
	count := map[string]int{}
	var order []string
	for _, m := range mismatches {
		for _, k := range m.kinds {
			count[k]++
			if byKind[k] == nil {
				order = append(order, k)
			}
			if byKind[k] == nil || len(m.query) < len(byKind[k].query) {
				byKind[k] = m
			}
		}
	}
	sort.Slice(order, func(i, j int) bool {
		if count[order[i]] != count[order[j]] {
			return count[order[i]] > count[order[j]]
		}
		return order[i] < order[j]
	})
	for _, k := range order {
		t.Logf("%4d × %s", count[k], k)
	}
	for i, k := range order {
		if i == diffShow {
			t.Errorf("... and %d more kinds of mismatch", len(order)-i)
			break
		}
		m := byKind[k]
		if diffShrink {
			var vars map[string]any
			_ = json.Unmarshal([]byte(m.vars), &vars)
			if sm := shrink(api, m.query, vars, k, check); sm != nil {
				m = sm
				for v := range vars {
					if !regexp.MustCompile(`\$` + v + `\b`).MatchString(m.query) {
						delete(vars, v)
					}
				}
				vb, _ := json.Marshal(vars)
				m.vars = string(vb)
			}
		}
		t.Errorf("mismatch kind %q (in %d "+noun+"); shrunk example:\nquery: %s\nvariables: %s\nmonolith:\n%s\nrouter:\n%s\nplan:\n%s", k, count[k], m.query, m.vars, m.want, m.got, m.plan)
	}
}

// shrink removes selections, fragments and directives from a failing query as long
// as it stays valid and fails with the same kind of mismatch.
func shrink(s *ast.Schema, q string, vars map[string]any, kind string, check func(string, map[string]any) *diffMismatch) *diffMismatch {
	var best *diffMismatch
	for round := 0; round < 200; round++ {
		doc, err := parser.ParseQuery(&ast.Source{Input: q})
		if err != nil {
			return best
		}
		n := countEdits(doc)
		improved := false
		for i := 0; i < n; i++ {
			doc, _ := parser.ParseQuery(&ast.Source{Input: q})
			applyEdit(doc, i)
			cand := cleanQuery(doc)
			if cand == q {
				continue
			}
			if _, errs := gqlparser.LoadQuery(s, cand); len(errs) > 0 {
				if os.Getenv("DIFF_SHRINK_DEBUG") != "" {
					fmt.Println("invalid candidate:", cand, errs)
				}
				continue
			}
			m := check(cand, vars)
			if os.Getenv("DIFF_SHRINK_DEBUG") != "" {
				k := "<none>"
				if m != nil {
					k = m.kind()
				}
				fmt.Println("candidate:", cand, "=>", k)
			}
			if m != nil && slices.Contains(m.kinds, kind) {
				q, best, improved = cand, m, true
				break
			}
		}
		if !improved {
			break
		}
	}
	return best
}

// edits: removing one selection, or one @skip/@include, anywhere in the document.
type editSite struct {
	set *ast.SelectionSet
	i   int
	dir *ast.DirectiveList
}

func editSites(doc *ast.QueryDocument) []editSite {
	var out []editSite
	var walk func(set *ast.SelectionSet)
	walk = func(set *ast.SelectionSet) {
		for i, sel := range *set {
			out = append(out, editSite{set: set, i: i})
			switch sel := sel.(type) {
			case *ast.Field:
				for j := range sel.Directives {
					out = append(out, editSite{dir: &sel.Directives, i: j})
				}
				walk(&sel.SelectionSet)
			case *ast.InlineFragment:
				for j := range sel.Directives {
					out = append(out, editSite{dir: &sel.Directives, i: j})
				}
				walk(&sel.SelectionSet)
			case *ast.FragmentSpread:
				for j := range sel.Directives {
					out = append(out, editSite{dir: &sel.Directives, i: j})
				}
			}
		}
	}
	for _, op := range doc.Operations {
		walk(&op.SelectionSet)
	}
	for _, f := range doc.Fragments {
		walk(&f.SelectionSet)
	}
	return out
}

func countEdits(doc *ast.QueryDocument) int { return len(editSites(doc)) }

func applyEdit(doc *ast.QueryDocument, i int) {
	e := editSites(doc)[i]
	if e.set != nil {
		*e.set = append((*e.set)[:e.i:e.i], (*e.set)[e.i+1:]...)
		return
	}
	*e.dir = append((*e.dir)[:e.i:e.i], (*e.dir)[e.i+1:]...)
}

// cleanQuery prints doc without the variables and fragments it no longer uses.
func cleanQuery(doc *ast.QueryDocument) string {
	used := map[string]bool{}
	var walk func(set ast.SelectionSet)
	walk = func(set ast.SelectionSet) {
		for _, sel := range set {
			switch sel := sel.(type) {
			case *ast.Field:
				walk(sel.SelectionSet)
			case *ast.InlineFragment:
				walk(sel.SelectionSet)
			case *ast.FragmentSpread:
				if !used[sel.Name] {
					used[sel.Name] = true
					if f := doc.Fragments.ForName(sel.Name); f != nil {
						walk(f.SelectionSet)
					}
				}
			}
		}
	}
	for _, op := range doc.Operations {
		walk(op.SelectionSet)
	}
	var frags ast.FragmentDefinitionList
	for _, f := range doc.Fragments {
		if used[f.Name] {
			frags = append(frags, f)
		}
	}
	doc.Fragments = frags
	print := func() string {
		var b strings.Builder
		formatter.NewFormatter(&b, formatter.WithIndent("")).FormatQueryDocument(doc)
		return strings.Join(strings.Fields(b.String()), " ")
	}
	text := print()
	for _, op := range doc.Operations {
		var vars ast.VariableDefinitionList
		for _, v := range op.VariableDefinitions {
			if len(regexp.MustCompile(`\$`+v.Variable+`\b`).FindAllStringIndex(text, -1)) > 1 {
				vars = append(vars, v)
			}
		}
		op.VariableDefinitions = vars
	}
	return print()
}

// dataDiff names how the router's data differs from the monolith's.
func dataDiff(want, got string) string {
	var w, g any
	if json.Unmarshal([]byte(got), &g) != nil {
		return "router data is not JSON"
	}
	_ = json.Unmarshal([]byte(want), &w)
	switch {
	case duplicateKeys(got):
		return "router data has duplicate keys"
	case reflect.DeepEqual(w, g):
		return "same values, other field order"
	case g == nil:
		return "router data is null"
	case w == nil:
		return "monolith data is null, router's is not"
	}
	return "other values"
}

// duplicateKeys reports whether an object in the JSON text has a key twice.
func duplicateKeys(text string) bool {
	dec := json.NewDecoder(strings.NewReader(text))
	type frame struct {
		obj     bool
		keys    map[string]bool
		wantKey bool
	}
	var stack []*frame
	for {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		switch tok := tok.(type) {
		case json.Delim:
			switch tok {
			case '{', '[':
				if top != nil && top.obj {
					top.wantKey = true
				}
				stack = append(stack, &frame{obj: tok == '{', keys: map[string]bool{}, wantKey: true})
			default:
				stack = stack[:len(stack)-1]
			}
		case string:
			if top != nil && top.obj && top.wantKey {
				if top.keys[tok] {
					return true
				}
				top.keys[tok] = true
				top.wantKey = false
				continue
			}
			if top != nil && top.obj {
				top.wantKey = true
			}
		default:
			if top != nil && top.obj {
				top.wantKey = true
			}
		}
	}
}

// kinds sorts the problems of a mismatch into kinds, without paths.
func kinds(problems []string) []string {
	set := map[string]bool{}
	for _, p := range problems {
		switch {
		case strings.HasPrefix(p, "unexpected error at \"\""):
			set["subgraph request error: "+regexp.MustCompile(`"[^"]*"`).ReplaceAllString(p[strings.Index(p, ": ")+2:], "_")] = true
		case strings.HasPrefix(p, "unexpected error"):
			set["unexpected error: "+regexp.MustCompile(`"[^"]*"`).ReplaceAllString(p[strings.Index(p, ": ")+2:], "_")] = true
		case strings.HasPrefix(p, "no error for the null"):
			set["missing error"] = true
		case strings.HasPrefix(p, "errors present"):
		default:
			set[p] = true
		}
	}
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// diffSeeds seed the query generator; diffPerSeed queries are generated for each.
var (
	diffSeeds   = []int64{1, 2, 3, 4, 5}
	diffPerSeed = 100
)

// diffShow is how many mismatches are printed in full.
var diffShow = 10

// diffShrink shrinks the example of each kind of mismatch before printing it.
var diffShrink = true
