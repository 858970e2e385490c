package scenarios

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/validator"

	"github.com/shopgraph/shopgraph/gateway/execute"
	"github.com/shopgraph/shopgraph/gateway/internal/testsubgraph"
)

// Differential property test for mutations (see differential_test.go for the
// method): the router must run generated mutation operations exactly like a
// non-federated monolith executing the same mutation fields serially over the same
// mutable state, reset before each operation on both sides.
//
// Three subgraphs share one mutable shop (mutWorld): carts (addToCart, removeLine,
// assignCart, all returning Cart), accounts (setNote, rename, returning User) and
// orders (checkout: Order, setPrice: Product!). Every mutation call is appended to
// the state's log and every successful one bumps a global version, so that order
// matters: later fields see the effects of earlier ones (cart lines, notes, prices,
// orders). Mutation results lead to entity fetches into the other subgraphs: Cart is
// extended in orders (total @requires "lines { sku qty }", coupon @requires
// "itemCount") and in accounts (ownerNote @requires "owner { id }"); Line.product
// and Order.lines.product are resolved by sku in orders; Cart.owner and Order.user
// by id in accounts (and User.orderCount in orders).
//
// Failing fields: root mutations that fail nullable (removeLine of a missing line,
// assignCart/rename of an unknown user or empty name, checkout of an empty cart) and
// non-null (addToCart of an unknown sku or a negative quantity, setNote "!", setPrice
// of a negative price, setNote/setPrice of an unknown user/sku answering null), and
// nested ones: Product.price and Cart.total (non-null) fail while p3 has no price,
// User.badge (non-null) fails for u2, Cart.coupon (nullable) fails above 4 items.
// A non-null root field that is null makes data null and stops the later mutation
// fields (GraphQL's serial execution, as graphql-js does); a nullable one does not.
// When the null comes from below through an entity fetch, the later fields sent in
// the same subgraph request have already run by the time the router can know: the
// monolith runs them too, as optional ("then maybe" in its log), and allows their
// errors without requiring them; fields of later requests must not run.
//
// Carts are immutable snapshots (their id names the version), so a Cart's fields
// mean the same whenever they are fetched; live state (notes, prices, orders) is
// only read by a subgraph whose own mutations are not reachable back from the
// objects it is asked about, so the router's answers are comparable with the
// monolith's although its entity fetches run after the whole run of one subgraph's
// consecutive mutation fields.
//
// Compared per operation: the data byte for byte, errors (as compareErrors does), and
// the state log (which mutations ran, in which order, with what outcome).
//
// Replay one operation (DIFF_QUERY must be a mutation; DIFF_REQUESTS=1 logs the
// subgraph requests):
//
//	DIFF_QUERY='mutation { addToCart(sku: "p1") { total } }' go test ./gateway/internal/scenarios/ -run TestDifferentialMutations -v

const mutCartsSDL = fed + `
type Query { cart: Cart! }
type Mutation {
  addToCart(sku: String!, qty: Int = 1): Cart!
  removeLine(id: ID!): Cart
  assignCart(user: ID!): Cart
}
type Cart @key(fields: "id") {
  id: ID!
  version: Int!
  lines: [Line!]!
  itemCount: Int!
  owner: User!
}
type Line @shareable { id: ID! sku: String! qty: Int! product: Product! }
type Product @key(fields: "sku", resolvable: false) { sku: String! }
type User @key(fields: "id", resolvable: false) { id: ID! }
`

const mutAccountsSDL = fed + `
type Query { user(id: ID!): User }
type Mutation {
  setNote(text: String!, user: ID = "u1"): User!
  rename(name: String!, user: ID = "u1"): User
}
type User @key(fields: "id") {
  id: ID!
  name: String!
  note: String
  version: Int!
  badge: String!
}
type Cart @key(fields: "id") {
  id: ID!
  owner: User! @external
  ownerNote: String @requires(fields: "owner { id }")
}
`

const mutOrdersSDL = fed + `
type Query { products: [Product!]! }
type Mutation {
  checkout: Order
  setPrice(sku: String!, price: Int!): Product!
}
type Product @key(fields: "sku") { sku: String! name: String! price: Int! }
type User @key(fields: "id") { id: ID! orderCount: Int! }
type Order { id: ID! number: Int! lines: [OrderLine!]! total: Int! user: User! }
type OrderLine { sku: String! qty: Int! amount: Int product: Product! }
type Cart @key(fields: "id") {
  id: ID!
  lines: [Line!]! @external
  itemCount: Int! @external
  total: Int! @requires(fields: "lines { sku qty }")
  coupon: String @requires(fields: "itemCount")
}
type Line @shareable { sku: String! qty: Int! }
`

// ---------------------------------------------------------------------------
// The mutable state

type mutWorld struct {
	mu       sync.Mutex
	version  int
	log      []string
	lines    []map[string]any // the live cart: id, sku, qty
	nextLine int
	owner    string
	snaps    map[string]map[string]any // cart snapshots by id, immutable
	users    map[string]map[string]any // live: name, note, version
	names    map[string]string
	prices   map[string]int // live; p3 has none until setPrice
	orders   []map[string]any
}

func newMutWorld() *mutWorld {
	w := &mutWorld{}
	w.reset()
	return w
}

func (w *mutWorld) reset() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.version, w.log = 0, nil
	w.lines = []map[string]any{{"id": "l1", "sku": "p1", "qty": 2}}
	w.nextLine = 2
	w.owner = "u1"
	w.snaps = map[string]map[string]any{}
	w.users = map[string]map[string]any{
		"u1": {"name": "Ada", "note": nil, "version": 0},
		"u2": {"name": "Bob", "note": "vip", "version": 0},
	}
	w.names = map[string]string{"p1": "Lamp", "p2": "Chess", "p3": "Atlas", "p4": "Robot"}
	w.prices = map[string]int{"p1": 10, "p2": 25, "p4": 7}
	w.orders = nil
}

func (w *mutWorld) logCopy() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string{}, w.log...)
}

// snapshot stores and returns the cart as it is now. Callers hold w.mu.
func (w *mutWorld) snapshot() map[string]any {
	id := fmt.Sprintf("c1v%d", w.version)
	if s, ok := w.snaps[id]; ok {
		return s
	}
	lines := make([]any, len(w.lines))
	n := 0
	for i, l := range w.lines {
		lines[i] = map[string]any{"id": l["id"], "sku": l["sku"], "qty": l["qty"],
			"product": map[string]any{"__typename": "Product", "sku": l["sku"]}}
		n += l["qty"].(int)
	}
	s := map[string]any{"__typename": "Cart", "id": id, "version": w.version, "lines": lines, "itemCount": n,
		"owner": map[string]any{"__typename": "User", "id": w.owner}}
	w.snaps[id] = s
	return s
}

// mutInt is diffInt also for the int64 of gqlparser's argument literals.
func mutInt(v any) int {
	if n, ok := v.(int64); ok {
		return int(n)
	}
	return diffInt(v)
}

func mutStr(v any) string {
	if v == nil {
		return "<null>"
	}
	return fmt.Sprint(v)
}

// mutation wraps a mutation resolver: it runs under the lock and logs the call
// with its outcome.
func (w *mutWorld) mutation(name string, argNames []string, ints map[string]bool, fn func(args map[string]any) (any, error)) testsubgraph.Resolver {
	return func(_ context.Context, _ map[string]any, args map[string]any) (any, error) {
		w.mu.Lock()
		defer w.mu.Unlock()
		norm := map[string]any{}
		var parts []string
		for _, a := range argNames {
			v, ok := args[a]
			if ok && v != nil && ints[a] {
				v = mutInt(v)
			}
			norm[a] = v
			if ok {
				parts = append(parts, a+"="+mutStr(v))
			}
		}
		before := w.version
		res, err := fn(norm)
		outcome := "null"
		switch {
		case err != nil:
			outcome = "error"
		case res != nil:
			outcome = "ok"
		}
		if w.version != before {
			outcome += fmt.Sprintf(" v%d", w.version)
		}
		w.log = append(w.log, fmt.Sprintf("%s(%s) %s", name, strings.Join(parts, ","), outcome))
		return res, err
	}
}

func (w *mutWorld) resolvers() map[string]testsubgraph.Resolver {
	userField := func(k string) testsubgraph.Resolver {
		return func(_ context.Context, p map[string]any, _ map[string]any) (any, error) {
			w.mu.Lock()
			defer w.mu.Unlock()
			u := w.users[fmt.Sprint(p["id"])]
			if u == nil {
				return nil, fmt.Errorf("unknown user")
			}
			return u[k], nil
		}
	}
	ownerID := func(p map[string]any) string {
		o, _ := p["owner"].(map[string]any)
		return fmt.Sprint(o["id"])
	}
	return map[string]testsubgraph.Resolver{
		"Mutation.addToCart": w.mutation("addToCart", []string{"sku", "qty"}, map[string]bool{"qty": true}, func(a map[string]any) (any, error) {
			sku := mutStr(a["sku"])
			qty := 1
			if a["qty"] != nil {
				qty = a["qty"].(int)
			}
			if _, ok := w.names[sku]; !ok {
				return nil, fmt.Errorf("unknown product %s", sku)
			}
			if qty < 0 {
				return nil, fmt.Errorf("bad quantity")
			}
			w.version++
			found := false
			for _, l := range w.lines {
				if l["sku"] == sku {
					l["qty"] = l["qty"].(int) + qty
					found = true
				}
			}
			if !found {
				w.lines = append(w.lines, map[string]any{"id": fmt.Sprintf("l%d", w.nextLine), "sku": sku, "qty": qty})
				w.nextLine++
			}
			return w.snapshot(), nil
		}),
		"Mutation.removeLine": w.mutation("removeLine", []string{"id"}, nil, func(a map[string]any) (any, error) {
			for i, l := range w.lines {
				if l["id"] == a["id"] {
					w.lines = append(w.lines[:i:i], w.lines[i+1:]...)
					w.version++
					return w.snapshot(), nil
				}
			}
			return nil, fmt.Errorf("no line %s", mutStr(a["id"]))
		}),
		"Mutation.assignCart": w.mutation("assignCart", []string{"user"}, nil, func(a map[string]any) (any, error) {
			u := mutStr(a["user"])
			if w.users[u] == nil {
				return nil, fmt.Errorf("unknown user %s", u)
			}
			w.owner = u
			w.version++
			return w.snapshot(), nil
		}),
		"Mutation.setNote": w.mutation("setNote", []string{"text", "user"}, nil, func(a map[string]any) (any, error) {
			if a["text"] == "!" {
				return nil, fmt.Errorf("note rejected")
			}
			u := w.users[mutStr(a["user"])]
			if u == nil {
				return nil, nil
			}
			w.version++
			u["note"], u["version"] = a["text"], w.version
			return map[string]any{"__typename": "User", "id": a["user"]}, nil
		}),
		"Mutation.rename": w.mutation("rename", []string{"name", "user"}, nil, func(a map[string]any) (any, error) {
			if a["name"] == "" {
				return nil, fmt.Errorf("empty name")
			}
			u := w.users[mutStr(a["user"])]
			if u == nil {
				return nil, fmt.Errorf("unknown user")
			}
			w.version++
			u["name"], u["version"] = a["name"], w.version
			return map[string]any{"__typename": "User", "id": a["user"]}, nil
		}),
		"Mutation.checkout": w.mutation("checkout", nil, nil, func(map[string]any) (any, error) {
			if len(w.lines) == 0 {
				return nil, fmt.Errorf("cart is empty")
			}
			w.version++
			var lines []any
			total := 0
			for _, l := range w.lines {
				var amount any
				if p, ok := w.prices[l["sku"].(string)]; ok {
					amount = p * l["qty"].(int)
					total += amount.(int)
				}
				lines = append(lines, map[string]any{"sku": l["sku"], "qty": l["qty"], "amount": amount,
					"product": map[string]any{"__typename": "Product", "sku": l["sku"]}})
			}
			o := map[string]any{"__typename": "Order", "id": fmt.Sprintf("o%d", len(w.orders)+1), "number": w.version,
				"lines": lines, "total": total, "user": map[string]any{"__typename": "User", "id": w.owner}}
			w.orders = append(w.orders, o)
			w.lines = nil
			return o, nil
		}),
		"Mutation.setPrice": w.mutation("setPrice", []string{"sku", "price"}, map[string]bool{"price": true}, func(a map[string]any) (any, error) {
			price := a["price"].(int)
			if price < 0 {
				return nil, fmt.Errorf("negative price")
			}
			sku := mutStr(a["sku"])
			if _, ok := w.names[sku]; !ok {
				return nil, nil
			}
			w.version++
			w.prices[sku] = price
			return map[string]any{"__typename": "Product", "sku": sku}, nil
		}),
		"Query.cart": func(context.Context, map[string]any, map[string]any) (any, error) {
			w.mu.Lock()
			defer w.mu.Unlock()
			return w.snapshot(), nil
		},
		"Query.user": func(_ context.Context, _ map[string]any, args map[string]any) (any, error) {
			w.mu.Lock()
			defer w.mu.Unlock()
			if w.users[mutStr(args["id"])] == nil {
				return nil, nil
			}
			return map[string]any{"__typename": "User", "id": args["id"]}, nil
		},
		"Query.products": func(context.Context, map[string]any, map[string]any) (any, error) {
			return []any{
				map[string]any{"__typename": "Product", "sku": "p1"}, map[string]any{"__typename": "Product", "sku": "p2"},
				map[string]any{"__typename": "Product", "sku": "p3"}, map[string]any{"__typename": "Product", "sku": "p4"},
			}, nil
		},
		"User.name":    userField("name"),
		"User.note":    userField("note"),
		"User.version": userField("version"),
		"User.badge": func(_ context.Context, p map[string]any, _ map[string]any) (any, error) {
			w.mu.Lock()
			defer w.mu.Unlock()
			id := fmt.Sprint(p["id"])
			if id == "u2" {
				return nil, fmt.Errorf("badge unavailable")
			}
			if u := w.users[id]; u != nil && mutInt(u["version"]) > 0 {
				return "edited", nil
			}
			return "plain", nil
		},
		"User.orderCount": func(_ context.Context, p map[string]any, _ map[string]any) (any, error) {
			w.mu.Lock()
			defer w.mu.Unlock()
			n := 0
			for _, o := range w.orders {
				if o["user"].(map[string]any)["id"] == p["id"] {
					n++
				}
			}
			return n, nil
		},
		"Product.name": func(_ context.Context, p map[string]any, _ map[string]any) (any, error) {
			w.mu.Lock()
			defer w.mu.Unlock()
			return w.names[fmt.Sprint(p["sku"])], nil
		},
		"Product.price": func(_ context.Context, p map[string]any, _ map[string]any) (any, error) {
			w.mu.Lock()
			defer w.mu.Unlock()
			if v, ok := w.prices[fmt.Sprint(p["sku"])]; ok {
				return v, nil
			}
			return nil, fmt.Errorf("no price for %v", p["sku"])
		},
		// Cart.total reads lines from the parent: in orders that is the representation.
		"Cart.total": func(_ context.Context, p map[string]any, _ map[string]any) (any, error) {
			w.mu.Lock()
			defer w.mu.Unlock()
			lines, ok := p["lines"].([]any)
			if !ok {
				return nil, fmt.Errorf("total without lines")
			}
			total := 0
			for _, l := range lines {
				l, _ := l.(map[string]any)
				price, ok := w.prices[fmt.Sprint(l["sku"])]
				if !ok {
					return nil, fmt.Errorf("no price for %v", l["sku"])
				}
				total += price * mutInt(l["qty"])
			}
			return total, nil
		},
		"Cart.coupon": func(_ context.Context, p map[string]any, _ map[string]any) (any, error) {
			n, ok := p["itemCount"]
			if !ok {
				return nil, fmt.Errorf("coupon without itemCount")
			}
			switch c := mutInt(n); {
			case c > 4:
				return nil, fmt.Errorf("coupon service down")
			case c == 0:
				return nil, nil
			default:
				return fmt.Sprintf("SAVE%d", c), nil
			}
		},
		"Cart.ownerNote": func(_ context.Context, p map[string]any, _ map[string]any) (any, error) {
			w.mu.Lock()
			defer w.mu.Unlock()
			if u := w.users[ownerID(p)]; u != nil {
				return u["note"], nil
			}
			return nil, fmt.Errorf("ownerNote without owner")
		},
	}
}

// entity resolvers: carts finds snapshots, the others only echo the representation
// (their fields have resolvers reading the state), after checking the key.
func (w *mutWorld) entities(types ...string) map[string]testsubgraph.EntityResolver {
	out := map[string]testsubgraph.EntityResolver{}
	for _, tn := range types {
		out[tn] = func(_ context.Context, rep map[string]any) (any, error) {
			w.mu.Lock()
			defer w.mu.Unlock()
			res := map[string]any{}
			switch tn {
			case "Cart":
				s := w.snaps[fmt.Sprint(rep["id"])]
				if s == nil {
					return nil, nil
				}
				for k, v := range s {
					res[k] = v
				}
			case "User":
				if w.users[fmt.Sprint(rep["id"])] == nil {
					return nil, nil
				}
			case "Product":
				if _, ok := w.names[fmt.Sprint(rep["sku"])]; !ok {
					return nil, nil
				}
			}
			for k, v := range rep {
				res[k] = v
			}
			res["__typename"] = tn
			return res, nil
		}
	}
	return out
}

func (w *mutWorld) scenario() scenario {
	res := w.resolvers()
	return scenario{subgraphs: []*testsubgraph.Subgraph{
		{Name: "carts", SDL: mutCartsSDL, Resolvers: res, Entities: w.entities("Cart")},
		{Name: "accounts", SDL: mutAccountsSDL, Resolvers: res, Entities: w.entities("User", "Cart")},
		{Name: "orders", SDL: mutOrdersSDL, Resolvers: res, Entities: w.entities("Product", "User", "Cart")},
	}}
}

// ---------------------------------------------------------------------------
// The monolith: the root mutation fields run one after the other, each completed
// before the next starts; a non-null one that ends null (its own error or one
// propagated from below) makes data null and stops the rest.

// mutMonoRun is monoRun for mutations; stop tells whether, and why, the later
// fields were not run ("" when all ran).
func mutMonoRun(s *ast.Schema, res map[string]testsubgraph.Resolver, query string, vars map[string]any, atStop func()) (data string, errs []*monoErr, stop string, skipped int, err error) {
	doc, gerrs := gqlparser.LoadQuery(s, query)
	if len(gerrs) > 0 {
		return "", nil, "", 0, gerrs
	}
	op := doc.Operations[0]
	if op.Operation != ast.Mutation {
		return "", nil, "", 0, fmt.Errorf("not a mutation")
	}
	coerced, gerr := validator.VariableValues(s, op, vars)
	if gerr != nil {
		return "", nil, "", 0, gerr
	}
	m := &monoExec{s: s, doc: doc, vars: coerced, res: res}
	root := s.Mutation
	var keys []string
	groups := map[string][]*ast.Field{}
	m.collect(op.SelectionSet, root.Name, &keys, groups, map[string]bool{})
	skipped = mutRootKeys(m, op.SelectionSet) - len(keys)
	out := &monoObject{vals: map[string]any{}}
	var v any = out
	for i, k := range keys {
		fs := groups[k]
		f := fs[0]
		fpath := []any{k}
		if f.Name == "__typename" {
			out.keys = append(out.keys, k)
			out.vals[k] = root.Name
			continue
		}
		fd := root.Fields.ForName(f.Name)
		val, rerr := res[root.Name+"."+f.Name](context.Background(), nil, f.ArgumentMap(m.vars))
		var sub []ast.SelectionSet
		for _, x := range fs {
			sub = append(sub, x.SelectionSet)
		}
		mark := len(m.errs)
		var fv any
		fok := true
		if rerr != nil {
			m.errs = append(m.errs, &monoErr{path: fpath, msg: rerr.Error()})
			fv, fok = nil, !fd.Type.NonNull
		} else {
			fv, fok = m.complete(sub, fd.Type, val, fpath)
		}
		if !fok {
			m.land(0, []any{})
			v = nil
			switch {
			case rerr != nil:
				stop = "root field " + k + " failed"
			case val == nil:
				stop = "root field " + k + " answered null"
			default:
				stop = "null propagated to non-null root field " + k + " from below"
				// The later fields of the same subgraph request have run by the
				// time the router sees that null: they may run (their errors are
				// allowed, not required), those of later requests may not.
				atStop()
				var ghosts []string
				for _, k2 := range keys[i+1:] {
					if !mutSameRequest(m, op.SelectionSet, k, k2) {
						break
					}
					f2 := groups[k2][0]
					if f2.Name == "__typename" {
						continue
					}
					ghosts = append(ghosts, k2)
					mark := len(m.errs)
					val, rerr := res[root.Name+"."+f2.Name](context.Background(), nil, f2.ArgumentMap(m.vars))
					if rerr != nil {
						m.errs = append(m.errs, &monoErr{path: []any{k2}, msg: rerr.Error()})
					} else {
						var sub []ast.SelectionSet
						for _, x := range groups[k2] {
							sub = append(sub, x.SelectionSet)
						}
						m.complete(sub, root.Fields.ForName(f2.Name).Type, val, []any{k2})
					}
					for _, e := range m.errs[mark:] {
						e.landed, e.landing = true, []any{k2}
					}
				}
				if len(ghosts) > 0 {
					stop += "; the same subgraph request's later fields may run: " + strings.Join(ghosts, ", ")
				}
			}
			break
		}
		if fv == nil {
			m.land(mark, fpath)
		}
		out.keys = append(out.keys, k)
		out.vals[k] = fv
	}
	b, jerr := json.Marshal(v)
	if jerr != nil {
		return "", nil, "", 0, jerr
	}
	return string(b), m.errs, stop, skipped, nil
}

// mutRootKeys counts the response keys of the root fields, @skip/@include aside.
func mutRootKeys(m *monoExec, set ast.SelectionSet) int {
	keys := map[string]bool{}
	var walk func(set ast.SelectionSet)
	walk = func(set ast.SelectionSet) {
		for _, sel := range set {
			switch sel := sel.(type) {
			case *ast.Field:
				k := sel.Alias
				if k == "" {
					k = sel.Name
				}
				keys[k] = true
			case *ast.InlineFragment:
				walk(sel.SelectionSet)
			case *ast.FragmentSpread:
				walk(m.doc.Fragments.ForName(sel.Name).SelectionSet)
			}
		}
	}
	walk(set)
	return len(keys)
}

// mutOwner is the subgraph of each mutation field.
var mutOwner = map[string]string{
	"addToCart": "carts", "removeLine": "carts", "assignCart": "carts",
	"setNote": "accounts", "rename": "accounts",
	"checkout": "orders", "setPrice": "orders",
}

// mutSameRequest tells whether the root fields of response keys k and k2 (k2 after
// k) are in one subgraph request: the same subgraph, with only fields of that
// subgraph between their first occurrences in the document, @skip/@include aside
// (the router plans them statically).
func mutSameRequest(m *monoExec, set ast.SelectionSet, k, k2 string) bool {
	type rf struct{ key, owner string }
	var flat []rf
	var walk func(set ast.SelectionSet)
	walk = func(set ast.SelectionSet) {
		for _, sel := range set {
			switch sel := sel.(type) {
			case *ast.Field:
				key := sel.Alias
				if key == "" {
					key = sel.Name
				}
				flat = append(flat, rf{key, mutOwner[sel.Name]})
			case *ast.InlineFragment:
				walk(sel.SelectionSet)
			case *ast.FragmentSpread:
				walk(m.doc.Fragments.ForName(sel.Name).SelectionSet)
			}
		}
	}
	walk(set)
	first := func(key string) int {
		for i, f := range flat {
			if f.key == key {
				return i
			}
		}
		return -1
	}
	i, j := first(k), first(k2)
	if i < 0 || j < i {
		return false
	}
	owner := flat[i].owner
	for _, f := range flat[i : j+1] {
		if f.owner != "" && f.owner != owner {
			return false
		}
	}
	return true
}

// ---------------------------------------------------------------------------
// The generator: mutation operations of 1-5 root selections (aliased fields, the
// same field several times, fragments on Mutation, @skip/@include, variables),
// with diffGen's subselections below.

var mutIDs = map[string][]string{
	"removeLine": {"l1", "l2", "l3", "l9"},
	"assignCart": {"u1", "u2", "u9"},
	"setNote":    {"u1", "u2", "u9"},
	"rename":     {"u1", "u2", "u9"},
	"user":       {"u1", "u2"},
	"node":       {"x1"},
}

var mutStrings = map[string][]string{
	"sku":  {"p1", "p2", "p3", "p4", "p1", "p2", "p4", "p9"},
	"text": {"hi", "memo", "!", "ok", "hi"},
	"name": {"Ann", "Bo", ""},
}

type mutGen struct{ *diffGen }

func (g mutGen) rootField() string {
	fs := g.fields(g.s.Mutation)
	f := fs[g.r.Intn(len(fs))]
	alias := ""
	var args string
	if g.r.Intn(100) < 40 {
		alias = g.name("m") + ": "
		args = g.args(f)
	} else {
		// one set of arguments per response key, so that repeats merge
		a, ok := g.canon["root "+f.Name]
		if !ok {
			a = g.args(f)
			g.canon["root "+f.Name] = a
		}
		args = a
	}
	dir := g.directive()
	if dir == "" && g.r.Intn(5) == 0 {
		dir = g.directive()
	}
	return alias + f.Name + args + dir + " " + g.selectionSet(g.s.Types[f.Type.Name()], 2)
}

func (g mutGen) rootSelection() string {
	switch x := g.r.Intn(100); {
	case x < 75:
		return g.rootField()
	case x < 85:
		n := 1 + g.r.Intn(2)
		var parts []string
		for range n {
			parts = append(parts, g.rootField())
		}
		cond := " on Mutation"
		if g.r.Intn(3) == 0 {
			cond = ""
		}
		return "..." + cond + g.directive() + " { " + strings.Join(parts, " ") + " }"
	case x < 93:
		n := 1 + g.r.Intn(2)
		var parts []string
		for range n {
			parts = append(parts, g.rootField())
		}
		name := g.name("F")
		g.frags = append(g.frags, "fragment "+name+" on Mutation { "+strings.Join(parts, " ")+" }")
		return "..." + name + g.directive()
	default:
		return g.alias() + "__typename"
	}
}

func (g mutGen) operation() (string, map[string]any) {
	g.frags, g.vars, g.vals, g.n, g.canon = nil, nil, map[string]any{}, 0, map[string]string{}
	n := 1 + g.r.Intn(5)
	var parts []string
	for range n {
		parts = append(parts, g.rootSelection())
	}
	var b strings.Builder
	b.WriteString("mutation M")
	if len(g.vars) > 0 {
		b.WriteString("(" + strings.Join(g.vars, ", ") + ")")
	}
	b.WriteString(" { " + strings.Join(parts, " ") + " }")
	for _, f := range g.frags {
		b.WriteString("\n" + f)
	}
	return b.String(), g.vals
}

// ---------------------------------------------------------------------------
// The test

// mutSeeds seed the generator, mutPerSeed operations each; DIFF_SEEDS=N runs seeds
// 1..N instead.
var (
	mutSeeds   = []int64{1, 2, 3}
	mutPerSeed = 100
)

func TestDifferentialMutations(t *testing.T) {
	start0 := time.Now()
	w := newMutWorld()
	r := start(t, w.scenario())
	ex := execute.New(r.g, engineOptions())
	t.Cleanup(ex.Close)
	api := r.g.API()
	if api.Mutation == nil {
		t.Fatal("supergraph API has no Mutation type")
	}
	res := w.resolvers()

	replay := os.Getenv("DIFF_QUERY")
	if replay != "" && !strings.HasPrefix(strings.TrimSpace(replay), "mutation") {
		t.Skip("DIFF_QUERY is not a mutation")
	}
	stats := map[string]int{}
	check := func(q string, vars map[string]any) *diffMismatch {
		w.reset()
		var wantLog []string
		wantData, wantErrs, stop, skippedRoots, err := mutMonoRun(api, res, q, vars, func() { wantLog = w.logCopy() })
		if err != nil {
			t.Fatalf("monolith: %v\n%s", err, q)
		}
		// ghosts: the calls the router may make after the monolith stopped
		fullLog := w.logCopy()
		if wantLog == nil {
			wantLog = fullLog
		}
		ghosts := fullLog[len(wantLog):]
		var want strings.Builder
		fmt.Fprintf(&want, "data:   %s\nerrors:", wantData)
		for _, e := range wantErrs {
			fmt.Fprintf(&want, " %s (null at %q)", pathString(e.path), pathString(e.landing))
		}
		if stop != "" {
			fmt.Fprintf(&want, "\nstopped: %s", stop)
		}
		fmt.Fprintf(&want, "\nlog:    %s", strings.Join(wantLog, "; "))
		if len(ghosts) > 0 {
			fmt.Fprintf(&want, "\n   then maybe: %s", strings.Join(ghosts, "; "))
		}
		vb, _ := json.Marshal(vars)

		w.reset()
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
		gotLog := w.logCopy()
		var reqs strings.Builder
		for _, n := range []string{"carts", "accounts", "orders"} {
			for _, rq := range r.servers[n].Requests()[before[n]:] {
				rvb, _ := json.Marshal(rq.Variables)
				fmt.Fprintf(&reqs, "\n  %s: %s  %s", n, rq.Query, rvb)
			}
		}
		if replay != "" && os.Getenv("DIFF_REQUESTS") != "" {
			t.Logf("requests:%s", reqs.String())
		}
		gotData := string(resp.Data)
		if resp.Data == nil {
			gotData = "<absent>"
		}
		problems := compareErrors(wantData, wantErrs, resp.Errors)
		if gotData != wantData {
			problems = append([]string{"data differs: " + dataDiff(wantData, gotData)}, problems...)
		}
		logOK := false
		for j := 0; j <= len(ghosts); j++ {
			logOK = logOK || strings.Join(gotLog, "\n") == strings.Join(append(append([]string{}, wantLog...), ghosts[:j]...), "\n")
		}
		if !logOK {
			k := "state log differs"
			switch {
			case len(gotLog) > len(wantLog) && slicesHasPrefix(gotLog, wantLog):
				k += ": the router ran more mutations"
			case len(gotLog) < len(wantLog) && slicesHasPrefix(wantLog, gotLog):
				k += ": the router ran fewer mutations"
			}
			switch {
			case strings.Contains(stop, "from below"):
				k += " (the monolith stopped at a null propagated to a non-null root field from below)"
			case stop != "":
				k += " (the monolith stopped at a non-null root field's own error or null)"
			}
			problems = append(problems, k)
		}
		if len(problems) == 0 {
			stats["mutation fields run"] += len(wantLog)
			if skippedRoots > 0 {
				stats["root fields left out by @skip/@include"]++
			}
			if strings.Contains(q, "...") {
				stats["with fragments"]++
			}
			if len(vars) > 0 {
				stats["with variables"]++
			}
			if len(wantLog) >= 3 {
				stats["3+ mutation fields run"]++
			}
			if strings.Contains(reqs.String(), "_entities") {
				stats["with entity fetches"]++
			}
			if strings.Count(reqs.String(), ": mutation") >= 2 {
				stats["2+ mutation requests"]++
			}
			if stop != "" {
				stats["stopped early"]++
			}
			if len(wantErrs) > 0 {
				stats["with errors"]++
			}
			if wantData == "null" {
				stats["data null"]++
			}
			return nil
		}
		var got strings.Builder
		fmt.Fprintf(&got, "data:   %s\nerrors:", gotData)
		for _, e := range resp.Errors {
			fmt.Fprintf(&got, " %s [%s]", pathString(e.Path), e.Message)
		}
		fmt.Fprintf(&got, "\nlog:    %s", strings.Join(gotLog, "; "))
		fmt.Fprintf(&got, "\nrequests (by subgraph, in order within each):%s", reqs.String())
		fmt.Fprintf(&got, "\nproblems: %s", strings.Join(problems, "; "))
		ks := kinds(problems)
		// The state log names the cause of the two known mismatches, whose other
		// problems (data, errors) follow from it: one kind each.
		switch {
		case strings.Contains(stop, "from below") && len(gotLog) > len(wantLog) && slicesHasPrefix(gotLog, wantLog):
			ks = []string{"mutation fields ran after a non-null root field was nulled from below"}
		case ranMoreOften(gotLog, append(wantLog, ghosts...)):
			ks = []string{"a mutation field ran more often than in the monolith"}
		}
		return &diffMismatch{query: q, vars: string(vb), want: want.String(), got: got.String(), plan: pl.String(), kinds: ks}
	}

	type gq struct {
		q    string
		vars map[string]any
	}
	var ops []gq
	if replay != "" {
		vars := map[string]any{}
		if v := os.Getenv("DIFF_VARS"); v != "" {
			if err := json.Unmarshal([]byte(v), &vars); err != nil {
				t.Fatal(err)
			}
		}
		ops = append(ops, gq{replay, vars})
	} else {
		seeds := mutSeeds
		if n, err := strconv.Atoi(os.Getenv("DIFF_SEEDS")); err == nil && n > 0 {
			seeds = nil
			for i := 1; i <= n; i++ {
				seeds = append(seeds, int64(i))
			}
		}
		for _, seed := range seeds {
			g := mutGen{&diffGen{r: rand.New(rand.NewSource(seed)), s: api, maxDep: 5, ids: mutIDs, strs: mutStrings}}
			for range mutPerSeed {
				q, vars := g.operation()
				ops = append(ops, gq{q, vars})
			}
		}
	}

	var mismatches []*diffMismatch
	total, skipped := 0, 0
	invalid := map[string]int{}
	for _, x := range ops {
		if _, errs := gqlparser.LoadQuery(api, x.q); len(errs) > 0 {
			skipped++
			invalid[errs[0].Rule]++
			if replay != "" {
				t.Fatalf("invalid operation: %v", errs)
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
	t.Logf("%d mutation operations compared, %d generated skipped as invalid %v, %d mismatches, in %v; agreeing: %v",
		total, skipped, invalid, len(mismatches), time.Since(start0).Round(time.Millisecond), stats)

	reportMismatches(t, api, mismatches, check, "operations")
}

func slicesHasPrefix(s, prefix []string) bool {
	if len(prefix) > len(s) {
		return false
	}
	for i := range prefix {
		if s[i] != prefix[i] {
			return false
		}
	}
	return true
}

// ranMoreOften tells whether a mutation call of want (name and arguments) appears
// more often in got.
func ranMoreOften(got, want []string) bool {
	call := func(e string) string { return e[:strings.LastIndex(e, ")")+1] }
	n := map[string]int{}
	for _, e := range want {
		n[call(e)]++
	}
	m := map[string]int{}
	for _, e := range got {
		c := call(e)
		m[c]++
		if n[c] > 0 && m[c] > n[c] {
			return true
		}
	}
	return false
}
