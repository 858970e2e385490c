package scenarios

// Audit-style scenarios about errors, null propagation and failing subgraphs.
//
// Expectations follow the GraphQL spec ("Handling Field Errors": a null in a
// non-null position propagates to the nearest nullable ancestor, and a null is
// explained by exactly one error unless an error already explains it) and
// Apollo Router's documented behaviour (a failed subgraph fetch leaves the
// other subgraphs' data intact and nulls only what the fetch should have
// filled, with an error naming the subgraph).
//
// Every subgraph is reached through a "tamper" proxy so that a case can make a
// subgraph misbehave at the HTTP or JSON level (mode "<subgraph>:<kind>").

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shopgraph/shopgraph/gateway/compose"
	"github.com/shopgraph/shopgraph/gateway/execute"
	"github.com/shopgraph/shopgraph/gateway/internal/testsubgraph"
	"github.com/shopgraph/shopgraph/gateway/plan"
	"github.com/shopgraph/shopgraph/gateway/supergraph"
)

// tamperFn rewrites a subgraph's answer. It gets the kind of misbehaviour
// asked for, the request and the real answer; it returns the status and body
// to send, or status -1 to hang up without answering.
type tamperFn func(kind string, req map[string]any, status int, body []byte) (int, []byte)

type escenario struct {
	subgraphs []*testsubgraph.Subgraph
	tamper    map[string]tamperFn
}

type ecase struct {
	name  string
	mode  string // "<subgraph>:<kind>[,...]", or "" for well-behaved subgraphs
	query string
	vars  map[string]any
	data  string // "" skips the data comparison (then check must look at it)
	// errors are "serviceName|path|message substring", matched in any order;
	// "*" as serviceName or path matches anything. Ignored when anyErrors.
	errors    []string
	anyErrors bool
	requests  map[string]int
	check     func(t *testing.T, resp *execute.Response, got map[string][]testsubgraph.Request)
	timeout   time.Duration
}

type erunning struct {
	g       *supergraph.Graph
	planner *plan.Planner
	servers map[string]*testsubgraph.Server
	mode    atomic.Value
}

func estart(t *testing.T, sc escenario) *erunning {
	t.Helper()
	r := &erunning{servers: map[string]*testsubgraph.Server{}}
	r.mode.Store("")
	var inputs []compose.Subgraph
	for _, sg := range sc.subgraphs {
		srv := testsubgraph.Start(t, sg)
		r.servers[sg.Name] = srv
		name, inner, fn := sg.Name, srv.URL, sc.tamper[sg.Name]
		proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			reqBody, _ := io.ReadAll(req.Body)
			resp, err := http.Post(inner, "application/json", bytes.NewReader(reqBody))
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadGateway)
				return
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			status := resp.StatusCode
			mode, _ := r.mode.Load().(string)
			for _, m := range strings.Split(mode, ",") {
				if kind, ok := strings.CutPrefix(m, name+":"); ok && fn != nil {
					var reqJSON map[string]any
					_ = json.Unmarshal(reqBody, &reqJSON)
					status, body = fn(kind, reqJSON, status, body)
				}
			}
			if status == -1 {
				hj, ok := w.(http.Hijacker)
				if !ok {
					panic("no hijacker")
				}
				conn, _, _ := hj.Hijack()
				conn.Close()
				return
			}
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			_, _ = w.Write(body)
		}))
		t.Cleanup(proxy.Close)
		inputs = append(inputs, compose.Subgraph{Name: sg.Name, URL: proxy.URL, SDL: sg.SDL})
	}
	sdl, err := compose.Compose(inputs)
	if err != nil {
		t.Fatalf("compose: %v", err)
	}
	if r.g, err = supergraph.Load(sdl); err != nil {
		t.Fatalf("load supergraph: %v", err)
	}
	r.planner = plan.New(r.g, plan.Options{CacheSize: 64, Limits: noLimits})
	return r
}

func erun(t *testing.T, sc escenario, cases []ecase) {
	t.Helper()
	r := estart(t, sc)
	ex := execute.New(r.g, engineOptions())
	t.Cleanup(ex.Close)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r.mode.Store(tc.mode)
			defer r.mode.Store("")
			before := map[string]int{}
			for n, s := range r.servers {
				before[n] = len(s.Requests())
			}
			pl, vars, err := r.planner.Plan(tc.query, "", tc.vars)
			if err != nil {
				t.Fatalf("plan: %v", err)
			}
			timeout := tc.timeout
			if timeout == 0 {
				timeout = 10 * time.Second
			}
			ctx, cancel := context.WithTimeout(context.Background(), timeout)
			defer cancel()
			startAt := time.Now()
			resp := ex.Execute(ctx, pl, vars)
			if el := time.Since(startAt); el > timeout {
				t.Errorf("took %s", el)
			}
			if tc.data != "" {
				if got, want := string(resp.Data), compact(t, tc.data); got != want {
					t.Errorf("data =\n%s\nwant\n%s\nplan:\n%s", trunc(got), trunc(want), pl)
				}
			}
			if !tc.anyErrors {
				matchErrors(t, resp.Errors, tc.errors)
			}
			got := map[string][]testsubgraph.Request{}
			for n, s := range r.servers {
				got[n] = s.Requests()[before[n]:]
			}
			for n, want := range tc.requests {
				if len(got[n]) != want {
					t.Errorf("subgraph %s got %d requests, want %d", n, len(got[n]), want)
				}
			}
			if tc.check != nil {
				tc.check(t, resp, got)
			}
		})
	}
}

func trunc(s string) string {
	if len(s) > 2000 {
		return s[:2000] + "…"
	}
	return s
}

func errPath(e execute.Error) string {
	var path []string
	for _, p := range e.Path {
		path = append(path, fmt.Sprint(p))
	}
	return strings.Join(path, ".")
}

func fmtErrors(errs []execute.Error) string {
	var b strings.Builder
	for _, e := range errs {
		fmt.Fprintf(&b, "\n  {message:%q path:%s extensions:%v locations:%v}", e.Message, errPath(e), e.Extensions, e.Locations)
	}
	return b.String()
}

// matchErrors matches got against want in any order (the spec does not order errors).
func matchErrors(t *testing.T, got []execute.Error, want []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("got %d errors, want %d %q:%s", len(got), len(want), want, fmtErrors(got))
		return
	}
	used := make([]bool, len(got))
	for _, w := range want {
		parts := strings.SplitN(w, "|", 3)
		found := false
		for i, e := range got {
			if used[i] {
				continue
			}
			sn, _ := e.Extensions["serviceName"].(string)
			if (parts[0] == "*" || sn == parts[0]) && (parts[1] == "*" || errPath(e) == parts[1]) && strings.Contains(e.Message, parts[2]) {
				used[i] = true
				found = true
				break
			}
		}
		if !found {
			t.Errorf("no error matches %q; errors:%s", w, fmtErrors(got))
		}
	}
}

// rewrite decodes a subgraph answer, lets f change it and encodes it again.
func rewrite(body []byte, f func(resp map[string]any)) []byte {
	var resp map[string]any
	if err := json.Unmarshal(body, &resp); err != nil {
		return body
	}
	f(resp)
	out, _ := json.Marshal(resp)
	return out
}

func entitiesOf(resp map[string]any) []any {
	d, _ := resp["data"].(map[string]any)
	ents, _ := d["_entities"].([]any)
	return ents
}

// commonTamper: misbehaviours any subgraph can show.
func commonTamper(kind string, _ map[string]any, status int, body []byte) (int, []byte) {
	switch kind {
	case "hangup":
		return -1, nil
	case "500":
		return http.StatusInternalServerError, []byte("Internal Server Error")
	case "502html":
		return http.StatusBadGateway, []byte("<html><body>bad gateway</body></html>")
	case "badjson":
		return http.StatusOK, []byte(`{"data":{"_entities":[{"note":"n1"},`)
	case "errorsOnly":
		return http.StatusOK, []byte(`{"errors":[{"message":"subgraph exploded","extensions":{"code":"DOWNSTREAM_DOWN"}}]}`)
	case "dataNull":
		return http.StatusOK, []byte(`{"data":null,"errors":[{"message":"subgraph exploded"}]}`)
	case "emptyData":
		return http.StatusOK, []byte(`{"data":{}}`)
	case "slow":
		time.Sleep(3 * time.Second)
	}
	return status, body
}

// ---------------------------------------------------------------------------
// The shop: catalog owns the lists and the shapes above products; inventory
// adds fields to Product; users resolves User entities that inventory points at.

func auditErrorsShop() escenario {
	p := func(id, name string) map[string]any {
		return map[string]any{"__typename": "Product", "id": id, "name": name}
	}
	p1, p2, p3, p4, p5 := p("p1", "Lamp"), p("p2", "Desk"), p("p3", "Chair"), p("p4", "Sofa"), p("p5", "Bed")
	five := []any{p1, p2, p3, p4, p5}
	store := map[string]any{"name": "Main", "sections": []any{
		map[string]any{"title": "A", "shelves": []any{map[string]any{"name": "s1", "products": []any{p1, p2}}}},
		map[string]any{"title": "B", "shelves": []any{
			map[string]any{"name": "s2", "products": []any{p4}},
			map[string]any{"name": "s3", "products": []any{p5, p3}},
		}},
	}}
	many := func(_ context.Context, _ map[string]any, args map[string]any) (any, error) {
		n, _ := args["n"].(int64)
		out := make([]any, n)
		for i := range out {
			out[i] = p(fmt.Sprintf("m%d", i), fmt.Sprintf("M%d", i))
		}
		return out, nil
	}
	inv := map[string]map[string]any{
		"p1": {"stock": 1, "note": "n1", "warehouse": map[string]any{"city": "Paris"}, "owner": map[string]any{"id": "u1"}},
		"p2": {"stock": 2, "note": "n2", "warehouse": map[string]any{"city": nil}, "owner": map[string]any{"id": "u2"}},
		"p3": {"note": nil, "warehouse": map[string]any{"city": "Oslo"}, "owner": map[string]any{"id": "u3"}},
		"p4": {"stock": 4, "note": "n4", "warehouse": nil, "owner": map[string]any{"id": "u1"}},
		"p5": {"stock": 5, "note": "n5", "warehouse": map[string]any{"city": "Rome"}, "owner": map[string]any{"id": "u2"}},
	}
	invEntity := func(ctx context.Context, rep map[string]any) (any, error) {
		id := fmt.Sprint(rep["id"])
		if strings.HasPrefix(id, "m") {
			var n int
			fmt.Sscanf(id, "m%d", &n)
			return map[string]any{"__typename": "Product", "id": id, "stock": n, "note": "x" + id[1:], "owner": map[string]any{"id": "u1"}}, nil
		}
		return byKey("Product", "id", inv)(ctx, rep)
	}
	users := map[string]map[string]any{"u1": {"name": "Ada", "email": "ada@x"}, "u2": {"name": "Bob"}, "u3": {}}
	return escenario{
		subgraphs: []*testsubgraph.Subgraph{
			{
				Name: "catalog",
				SDL: fed + `type Query {
  products: [Product!]!
  loose: [Product]!
  shelf: Shelf
  store: Store
  topProduct: Product!
  maybeProduct: Product
  many(n: Int!): [Product!]!
  manyLoose(n: Int!): [Product]!
}
type Mutation { addProduct(name: String!): Product }
type Store { name: String! sections: [Section!]! }
type Section { title: String! shelves: [Shelf!]! }
type Shelf { name: String! products: [Product!]! }
type Product @key(fields: "id") { id: ID! name: String! }`,
				Resolvers: map[string]testsubgraph.Resolver{
					"Query.products":     list(five),
					"Query.loose":        list(five),
					"Query.shelf":        list(map[string]any{"name": "Front", "products": five}),
					"Query.store":        list(store),
					"Query.topProduct":   list(p3),
					"Query.maybeProduct": list(p1),
					"Query.many":         many,
					"Query.manyLoose":    many,
					"Mutation.addProduct": func(_ context.Context, _ map[string]any, args map[string]any) (any, error) {
						name := fmt.Sprint(args["name"])
						return p("new-"+name, name), nil
					},
				},
			},
			{
				Name: "inventory",
				SDL: fed + `type Query { inventoryStatus: String! }
type Mutation { restock(id: ID!, n: Int!): Int restockStrict(id: ID!, n: Int!): Int! }
type Product @key(fields: "id") { id: ID! stock: Int! note: String warehouse: Warehouse owner: User! manager: User }
type Warehouse { city: String! }
type User @key(fields: "id") { id: ID! }`,
				Resolvers: map[string]testsubgraph.Resolver{
					"Query.inventoryStatus": list("ok"),
					"Mutation.restock":      func(_ context.Context, _ map[string]any, args map[string]any) (any, error) { return args["n"], nil },
					"Mutation.restockStrict": func(_ context.Context, _ map[string]any, args map[string]any) (any, error) {
						return args["n"], nil
					},
					"Product.stock": func(_ context.Context, p map[string]any, _ map[string]any) (any, error) {
						if p["id"] == "p3" || p["id"] == "m4321" {
							return nil, fmt.Errorf("stock unknown for %v", p["id"])
						}
						return p["stock"], nil
					},
					"Product.note": func(_ context.Context, p map[string]any, _ map[string]any) (any, error) {
						if p["id"] == "p3" {
							return nil, errors.New("note hidden")
						}
						return p["note"], nil
					},
					"Product.manager": func(_ context.Context, p map[string]any, _ map[string]any) (any, error) {
						return p["owner"], nil
					},
				},
				Entities: map[string]testsubgraph.EntityResolver{"Product": invEntity},
			},
			{
				Name: "users",
				SDL: fed + `type Query { me: User }
type User @key(fields: "id") { id: ID! name: String! email: String }`,
				Resolvers: map[string]testsubgraph.Resolver{
					"Query.me": list(map[string]any{"__typename": "User", "id": "u1", "name": "Ada"}),
					"User.name": func(_ context.Context, u map[string]any, _ map[string]any) (any, error) {
						if u["id"] == "u3" {
							return nil, errors.New("name withheld")
						}
						return u["name"], nil
					},
				},
				Entities: map[string]testsubgraph.EntityResolver{"User": byKey("User", "id", users)},
			},
		},
		tamper: map[string]tamperFn{
			"catalog":   commonTamper,
			"inventory": inventoryTamper,
			"users":     usersTamper,
		},
	}
}

func inventoryTamper(kind string, req map[string]any, status int, body []byte) (int, []byte) {
	switch kind {
	case "silentNull":
		// The subgraph answers null for the non-null stock of p3, with no error.
		return status, rewrite(body, func(resp map[string]any) {
			for i, e := range entitiesOf(resp) {
				if e == nil {
					entitiesOf(resp)[i] = map[string]any{"stock": nil}
				}
			}
			delete(resp, "errors")
		})
	case "silentMissing":
		// The subgraph answers p3's entity without its non-null stock, and no error.
		return status, rewrite(body, func(resp map[string]any) {
			for i, e := range entitiesOf(resp) {
				if e == nil {
					entitiesOf(resp)[i] = map[string]any{}
				}
			}
			delete(resp, "errors")
		})
	case "badPath":
		// Errors whose paths do not point into the representations sent.
		return status, rewrite(body, func(resp map[string]any) {
			resp["errors"] = []any{
				map[string]any{"message": "out of range", "path": []any{"_entities", 99, "note"}},
				map[string]any{"message": "whole list", "path": []any{"_entities"}},
			}
		})
	case "pathlessPartial":
		// Data for every entity but p3, and an error without a path.
		return status, rewrite(body, func(resp map[string]any) {
			resp["errors"] = []any{map[string]any{"message": "partial failure"}}
		})
	case "nullItemNoError":
		return status, rewrite(body, func(resp map[string]any) {
			entitiesOf(resp)[2] = nil
			delete(resp, "errors")
		})
	case "fewer":
		return status, rewrite(body, func(resp map[string]any) {
			ents := entitiesOf(resp)
			resp["data"].(map[string]any)["_entities"] = ents[:len(ents)-1]
			delete(resp, "errors")
		})
	case "more":
		return status, rewrite(body, func(resp map[string]any) {
			ents := entitiesOf(resp)
			resp["data"].(map[string]any)["_entities"] = append(ents, map[string]any{"__typename": "Product", "note": "EXTRA", "stock": 99})
			delete(resp, "errors")
		})
	case "wrongType":
		return status, rewrite(body, func(resp map[string]any) {
			entitiesOf(resp)[2] = map[string]any{"__typename": "User", "note": "WRONG", "stock": 33}
			delete(resp, "errors")
		})
	case "nonObject":
		return status, rewrite(body, func(resp map[string]any) {
			ents := entitiesOf(resp)
			ents[2] = "garbage"
			ents[3] = 42
			delete(resp, "errors")
		})
	case "ext":
		// Subgraph errors with extensions and locations in the subgraph's document.
		return status, rewrite(body, func(resp map[string]any) {
			errs, _ := resp["errors"].([]any)
			for _, e := range errs {
				m := e.(map[string]any)
				m["locations"] = []any{map[string]any{"line": 7, "column": 123}}
				m["extensions"] = map[string]any{"code": "STOCK_UNAVAILABLE", "retryable": true, "detail": map[string]any{"warehouse": "w1"}}
			}
		})
	case "rootErr":
		return status, []byte(`{"data":null,"errors":[{"message":"maintenance","path":["inventoryStatus"],"locations":[{"line":1,"column":9}],"extensions":{"code":"MAINTENANCE"}}]}`)
	}
	return commonTamper(kind, req, status, body)
}

func usersTamper(kind string, req map[string]any, status int, body []byte) (int, []byte) {
	switch kind {
	case "meErr":
		return status, []byte(`{"data":{"me":null},"errors":[{"message":"not logged in","path":["me"],"extensions":{"code":"UNAUTHENTICATED"}}]}`)
	}
	return commonTamper(kind, req, status, body)
}

// ---------------------------------------------------------------------------
// 1 and 5. Null propagation across subgraph boundaries, errors inside lists.

func TestAuditErrorsNullPropagation(t *testing.T) {
	t.Parallel()
	erun(t, auditErrorsShop(), []ecase{
		{
			name:   "entity error on item 3 of a non-null list nulls up to the nullable parent of another subgraph",
			query:  `{ shelf { name products { id stock } } }`,
			data:   `{"shelf":null}`,
			errors: []string{"inventory|shelf.products.2.stock|stock unknown for p3"},
		},
		{
			name:   "sibling root field of the nulled parent is intact",
			query:  `{ shelf { name products { id stock } } maybeProduct { name } }`,
			data:   `{"shelf":null,"maybeProduct":{"name":"Lamp"}}`,
			errors: []string{"inventory|shelf.products.2.stock|stock unknown for p3"},
		},
		{
			name:   "entity error on item 3 of a list of nullable items nulls the item only",
			query:  `{ loose { id stock } }`,
			data:   `{"loose":[{"id":"p1","stock":1},{"id":"p2","stock":2},null,{"id":"p4","stock":4},{"id":"p5","stock":5}]}`,
			errors: []string{"inventory|loose.2.stock|stock unknown for p3"},
		},
		{
			name:   "nullable entity field error on item 3 nulls the field only",
			query:  `{ products { id note } }`,
			data:   `{"products":[{"id":"p1","note":"n1"},{"id":"p2","note":"n2"},{"id":"p3","note":null},{"id":"p4","note":"n4"},{"id":"p5","note":"n5"}]}`,
			errors: []string{"inventory|products.2.note|note hidden"},
		},
		{
			name:   "non-null field inside an entity's nullable object",
			query:  `{ products { id warehouse { city } } }`,
			data:   `{"products":[{"id":"p1","warehouse":{"city":"Paris"}},{"id":"p2","warehouse":null},{"id":"p3","warehouse":{"city":"Oslo"}},{"id":"p4","warehouse":null},{"id":"p5","warehouse":{"city":"Rome"}}]}`,
			errors: []string{"inventory|products.1.warehouse.city|city"},
		},
		{
			name:   "third subgraph's error propagates through six non-null levels to a root field",
			query:  `{ store { name sections { title shelves { name products { id owner { name } } } } } shelf { name } }`,
			data:   `{"store":null,"shelf":{"name":"Front"}}`,
			errors: []string{"users|store.sections.1.shelves.1.products.1.owner.name|name withheld"},
		},
		{
			name:   "third subgraph's error stops at a nullable field of the second subgraph",
			query:  `{ products { id manager { name } } }`,
			data:   `{"products":[{"id":"p1","manager":{"name":"Ada"}},{"id":"p2","manager":{"name":"Bob"}},{"id":"p3","manager":null},{"id":"p4","manager":{"name":"Ada"}},{"id":"p5","manager":{"name":"Bob"}}]}`,
			errors: []string{"users|products.2.manager.name|name withheld"},
		},
		{
			name:   "non-null root field nulled by an entity error nulls data",
			query:  `{ maybeProduct { name } topProduct { name stock } }`,
			data:   `null`,
			errors: []string{"inventory|topProduct.stock|stock unknown for p3"},
		},
		{
			name:   "nullable field error under a non-null root field",
			query:  `{ topProduct { name note } maybeProduct { note } }`,
			data:   `{"topProduct":{"name":"Chair","note":null},"maybeProduct":{"note":"n1"}}`,
			errors: []string{"inventory|topProduct.note|note hidden"},
		},
		{
			name:   "null without a subgraph error gets exactly one error at the null",
			mode:   "inventory:silentNull",
			query:  `{ shelf { name products { id stock } } maybeProduct { name } }`,
			data:   `{"shelf":null,"maybeProduct":{"name":"Lamp"}}`,
			errors: []string{"*|shelf.products.2.stock|Cannot return null for non-nullable field"},
		},
		{
			name:   "null without a subgraph error in a nullable-item list",
			mode:   "inventory:silentNull",
			query:  `{ loose { id stock } }`,
			data:   `{"loose":[{"id":"p1","stock":1},{"id":"p2","stock":2},null,{"id":"p4","stock":4},{"id":"p5","stock":5}]}`,
			errors: []string{"*|loose.2.stock|Cannot return null for non-nullable field"},
		},
	})
}

// TestAuditErrorsUnrelatedNulls: an error of one fetch explains the nulls that
// fetch caused, not a null another subgraph caused elsewhere.
func TestAuditErrorsUnrelatedNulls(t *testing.T) {
	t.Parallel()
	erun(t, auditErrorsShop(), []ecase{
		{
			name:   "missing non-null field without error gets its error",
			mode:   "inventory:silentMissing",
			query:  `{ shelf { products { id stock } } me { name } }`,
			data:   `{"shelf":null,"me":{"name":"Ada"}}`,
			errors: []string{"*|shelf.products.2.stock|Cannot return null for non-nullable field"},
		},
		{
			name:  "a path-less error of another subgraph does not explain it",
			mode:  "inventory:silentMissing,users:errorsOnly",
			query: `{ shelf { products { id stock } } me { name } }`,
			data:  `{"shelf":null,"me":null}`,
			errors: []string{
				"users|*|subgraph exploded",
				"*|shelf.products.2.stock|Cannot return null for non-nullable field",
			},
		},
		{
			name:  "a root fetch failure does not explain an entity fetch's silent null",
			mode:  "inventory:silentMissing,users:500",
			query: `{ loose { id stock } me { name } }`,
			data:  `{"loose":[{"id":"p1","stock":1},{"id":"p2","stock":2},null,{"id":"p4","stock":4},{"id":"p5","stock":5}],"me":null}`,
			errors: []string{
				"users|*|",
				"*|loose.2.stock|Cannot return null for non-nullable field",
			},
		},
		{
			name:      "subgraph error paths outside the representations never reach the client as _entities paths",
			mode:      "inventory:badPath",
			query:     `{ products { id note } }`,
			data:      `{"products":[{"id":"p1","note":"n1"},{"id":"p2","note":"n2"},{"id":"p3","note":null},{"id":"p4","note":"n4"},{"id":"p5","note":"n5"}]}`,
			anyErrors: true,
			check: func(t *testing.T, resp *execute.Response, _ map[string][]testsubgraph.Request) {
				// Apollo Router 2.x assigns such "orphan" errors to every entity
				// path of the fetch; dropping them loses information.
				msgs := map[string]bool{}
				for _, e := range resp.Errors {
					msgs[e.Message] = true
				}
				if !msgs["out of range"] || !msgs["whole list"] {
					t.Errorf("want both subgraph errors kept:%s", fmtErrors(resp.Errors))
				}
				for _, e := range resp.Errors {
					if strings.HasPrefix(errPath(e), "_entities") {
						t.Errorf("subgraph-internal path leaked to the client:%s", fmtErrors(resp.Errors))
					}
				}
			},
		},
		{
			name:      "path-less error with partial entity data",
			mode:      "inventory:pathlessPartial",
			query:     `{ products { id note } }`,
			data:      `{"products":[{"id":"p1","note":"n1"},{"id":"p2","note":"n2"},{"id":"p3","note":null},{"id":"p4","note":"n4"},{"id":"p5","note":"n5"}]}`,
			anyErrors: true,
			check: func(t *testing.T, resp *execute.Response, _ map[string][]testsubgraph.Request) {
				// One error (path-less) or, as Apollo Router 2.x does, one per entity.
				if n := len(resp.Errors); n != 1 && n != 5 {
					t.Errorf("want the error once or once per entity:%s", fmtErrors(resp.Errors))
				}
				for _, e := range resp.Errors {
					if e.Extensions["serviceName"] != "inventory" || e.Message != "partial failure" {
						t.Errorf("unexpected error:%s", fmtErrors(resp.Errors))
					}
				}
			},
		},
	})
}

// ---------------------------------------------------------------------------
// 2. An entity fetch that fails entirely.

func TestAuditErrorsFailingEntityFetch(t *testing.T) {
	t.Parallel()
	var cases []ecase
	for _, kind := range []string{"hangup", "500", "502html", "badjson", "errorsOnly", "dataNull", "emptyData", "slow"} {
		mode := "inventory:" + kind
		// fetchFailed accepts the two reportings a router may choose: one error for
		// the fetch (Apollo Gateway, our router: no path; Apollo Router 1.x: the
		// flatten path with "@"), or one error per entity the fetch should have
		// filled (Apollo Router 2.x, which expands "@" into every entity path).
		// Either way: from the subgraph, never a "Cannot return null" error of
		// the router's own, never an "@" or "_entities" path. emptyData ({"data":{}}
		// for an _entities query) is only required to be reported somehow.
		fetchFailed := func(prefix string) func(t *testing.T, resp *execute.Response, _ map[string][]testsubgraph.Request) {
			return func(t *testing.T, resp *execute.Response, _ map[string][]testsubgraph.Request) {
				t.Helper()
				if kind == "emptyData" {
					if len(resp.Errors) == 0 {
						t.Errorf("an _entities answer without _entities (and without errors) must be reported; got no error")
					}
					return
				}
				switch len(resp.Errors) {
				case 1:
				case 5:
					for i, e := range resp.Errors {
						if p := errPath(e); p != fmt.Sprintf("%s.%d", prefix, i) && !strings.HasPrefix(p, fmt.Sprintf("%s.%d.", prefix, i)) {
							t.Errorf("error %d path %s, want %s.%d", i, p, prefix, i)
						}
					}
				default:
					t.Errorf("want one error for the failed fetch, or one per entity:%s", fmtErrors(resp.Errors))
				}
				for _, e := range resp.Errors {
					if e.Extensions["serviceName"] != "inventory" {
						t.Errorf("serviceName = %v, want inventory:%s", e.Extensions["serviceName"], fmtErrors(resp.Errors))
					}
					if strings.Contains(e.Message, "Cannot return null") {
						t.Errorf("the failed fetch must be reported as such:%s", fmtErrors(resp.Errors))
					}
					if p := errPath(e); strings.Contains(p, "@") || strings.Contains(p, "_entities") {
						t.Errorf("path %s is not a client path", p)
					}
					if kind == "errorsOnly" && (!strings.Contains(e.Message, "subgraph exploded") || e.Extensions["code"] != "DOWNSTREAM_DOWN") {
						t.Errorf("the subgraph's own error (message and code) should be passed on:%s", fmtErrors(resp.Errors))
					}
				}
			}
		}
		cases = append(cases,
			ecase{
				name:      kind + ": nullable fields of the failed fetch are null, other data intact",
				mode:      mode,
				query:     `{ products { id name note } shelf { name } }`,
				data:      `{"products":[{"id":"p1","name":"Lamp","note":null},{"id":"p2","name":"Desk","note":null},{"id":"p3","name":"Chair","note":null},{"id":"p4","name":"Sofa","note":null},{"id":"p5","name":"Bed","note":null}],"shelf":{"name":"Front"}}`,
				anyErrors: true,
				check:     fetchFailed("products"),
			},
			ecase{
				name:      kind + ": non-null field of the failed fetch propagates to the nullable parent",
				mode:      mode,
				query:     `{ shelf { name products { id stock } } maybeProduct { name } }`,
				data:      `{"shelf":null,"maybeProduct":{"name":"Lamp"}}`,
				anyErrors: true,
				check:     fetchFailed("shelf.products"),
			},
			ecase{
				name:      kind + ": fetches depending on the failed one are not made",
				mode:      mode,
				query:     `{ products { id manager { name } } }`,
				data:      `{"products":[{"id":"p1","manager":null},{"id":"p2","manager":null},{"id":"p3","manager":null},{"id":"p4","manager":null},{"id":"p5","manager":null}]}`,
				anyErrors: true,
				requests:  map[string]int{"users": 0},
				check:     fetchFailed("products"),
			},
		)
	}
	// A third-level fetch failing: only its fields are lost.
	cases = append(cases, ecase{
		name:      "users failing under inventory: only users' fields are null",
		mode:      "users:500",
		query:     `{ products { id note manager { id name } } }`,
		data:      `{"products":[{"id":"p1","note":"n1","manager":null},{"id":"p2","note":"n2","manager":null},{"id":"p3","note":null,"manager":null},{"id":"p4","note":"n4","manager":null},{"id":"p5","note":"n5","manager":null}]}`,
		anyErrors: true,
		check: func(t *testing.T, resp *execute.Response, _ map[string][]testsubgraph.Request) {
			// note hidden (inventory) + the users failure.
			var inv, usr int
			for _, e := range resp.Errors {
				switch e.Extensions["serviceName"] {
				case "inventory":
					inv++
					if errPath(e) != "products.2.note" {
						t.Errorf("inventory error path %s", errPath(e))
					}
				case "users":
					usr++
				}
			}
			if inv != 1 || usr != 1 || len(resp.Errors) != 2 {
				t.Errorf("want the note error and one users error:%s", fmtErrors(resp.Errors))
			}
		},
	})
	erun(t, auditErrorsShop(), cases)
}

// ---------------------------------------------------------------------------
// 3. _entities answers of the wrong shape.

// notesOK checks that every product's note is its own or null, never another's.
func notesOK(t *testing.T, data []byte, key string) []any {
	t.Helper()
	var d map[string][]any
	if err := json.Unmarshal(data, &d); err != nil {
		t.Fatalf("data %s: %v", data, err)
	}
	items := d[key]
	if len(items) != 5 {
		t.Fatalf("%s has %d items: %s", key, len(items), data)
	}
	for i, it := range items {
		m, _ := it.(map[string]any)
		if m == nil {
			continue
		}
		if want := fmt.Sprintf("p%d", i+1); m["id"] != want {
			t.Errorf("%s[%d].id = %v, want %s", key, i, m["id"], want)
		}
		if n, ok := m["note"]; ok && n != nil && n != fmt.Sprintf("n%d", i+1) {
			t.Errorf("%s[%d].note = %v: a value of another entity or of garbage", key, i, n)
		}
		if n, ok := m["stock"]; ok && n != nil && n != float64(i+1) {
			t.Errorf("%s[%d].stock = %v: a value of another entity or of garbage", key, i, n)
		}
		if tn, ok := m["__typename"]; ok && tn != "Product" {
			t.Errorf("%s[%d].__typename = %v", key, i, tn)
		}
	}
	return items
}

func TestAuditErrorsEntitiesShape(t *testing.T) {
	t.Parallel()
	erun(t, auditErrorsShop(), []ecase{
		{
			name:  "null _entities item without error: nullable field null, no error",
			mode:  "inventory:nullItemNoError",
			query: `{ products { id note } }`,
			data:  `{"products":[{"id":"p1","note":"n1"},{"id":"p2","note":"n2"},{"id":"p3","note":null},{"id":"p4","note":"n4"},{"id":"p5","note":"n5"}]}`,
		},
		{
			name:   "null _entities item without error: non-null field null gets one error",
			mode:   "inventory:nullItemNoError",
			query:  `{ loose { id stock } }`,
			data:   `{"loose":[{"id":"p1","stock":1},{"id":"p2","stock":2},null,{"id":"p4","stock":4},{"id":"p5","stock":5}]}`,
			errors: []string{"*|loose.2.stock|Cannot return null for non-nullable field"},
		},
		{
			name:      "fewer entities than representations: no value lands on the wrong entity",
			mode:      "inventory:fewer",
			query:     `{ products { id note } }`,
			anyErrors: true,
			check: func(t *testing.T, resp *execute.Response, _ map[string][]testsubgraph.Request) {
				items := notesOK(t, resp.Data, "products")
				if m, _ := items[4].(map[string]any); m == nil || m["note"] != nil {
					t.Errorf("p5 has no entity, its note must be null: %s", resp.Data)
				}
				if len(resp.Errors) == 0 {
					t.Errorf("a short _entities answer should be reported")
				}
			},
		},
		{
			name:      "more entities than representations: the extra one is not used",
			mode:      "inventory:more",
			query:     `{ products { id note } }`,
			anyErrors: true,
			check: func(t *testing.T, resp *execute.Response, _ map[string][]testsubgraph.Request) {
				notesOK(t, resp.Data, "products")
				if strings.Contains(string(resp.Data), "EXTRA") {
					t.Errorf("extra entity leaked: %s", resp.Data)
				}
			},
		},
		{
			name:      "fewer entities with a non-null field: every null explained",
			mode:      "inventory:fewer",
			query:     `{ loose { id stock } }`,
			anyErrors: true,
			check: func(t *testing.T, resp *execute.Response, _ map[string][]testsubgraph.Request) {
				items := notesOK(t, resp.Data, "loose")
				if items[4] != nil {
					t.Errorf("loose[4] has no stock, must be null: %s", resp.Data)
				}
				if len(resp.Errors) == 0 {
					t.Errorf("nulls in non-null positions without any error")
				}
			},
		},
		{
			name:      "entity of the wrong __typename is not merged into a Product",
			mode:      "inventory:wrongType",
			query:     `{ products { __typename id note } }`,
			anyErrors: true,
			check: func(t *testing.T, resp *execute.Response, _ map[string][]testsubgraph.Request) {
				notesOK(t, resp.Data, "products")
				if strings.Contains(string(resp.Data), "WRONG") {
					t.Errorf("wrong-typed entity merged: %s", resp.Data)
				}
			},
		},
		{
			name:      "non-object entities: those items' fields are null with errors, others intact",
			mode:      "inventory:nonObject",
			query:     `{ loose { id stock } }`,
			data:      `{"loose":[{"id":"p1","stock":1},{"id":"p2","stock":2},null,null,{"id":"p5","stock":5}]}`,
			anyErrors: true,
			check: func(t *testing.T, resp *execute.Response, _ map[string][]testsubgraph.Request) {
				// Each null must be explained: by an error at or below loose.i, or
				// by an error about the inventory fetch as a whole.
				for _, i := range []string{"loose.2", "loose.3"} {
					ok := false
					for _, e := range resp.Errors {
						p := errPath(e)
						if p == "" || p == i || strings.HasPrefix(p, i+".") || (e.Extensions["serviceName"] == "inventory" && !strings.HasPrefix(p, "loose.")) {
							ok = true
						}
					}
					if !ok {
						t.Errorf("null at %s not explained:%s", i, fmtErrors(resp.Errors))
					}
				}
			},
		},
		{
			name:      "non-object entities with a nullable field",
			mode:      "inventory:nonObject",
			query:     `{ products { id note } }`,
			data:      `{"products":[{"id":"p1","note":"n1"},{"id":"p2","note":"n2"},{"id":"p3","note":null},{"id":"p4","note":null},{"id":"p5","note":"n5"}]}`,
			anyErrors: true,
		},
	})
}

// ---------------------------------------------------------------------------
// 4. Subgraph errors with extensions and locations.

func TestAuditErrorsExtensionsAndLocations(t *testing.T) {
	t.Parallel()
	noSubgraphLocations := func(t *testing.T, resp *execute.Response) {
		t.Helper()
		for _, e := range resp.Errors {
			for _, l := range e.Locations {
				// Every client document here is one line: a location elsewhere is
				// the subgraph's, which means nothing to the client.
				if l.Line != 1 {
					t.Errorf("subgraph location leaked as a client location: %+v", e)
				}
			}
		}
	}
	erun(t, auditErrorsShop(), []ecase{
		{
			name:   "entity error: extensions kept, serviceName added, re-pathed",
			mode:   "inventory:ext",
			query:  `{ products { id note } }`,
			data:   `{"products":[{"id":"p1","note":"n1"},{"id":"p2","note":"n2"},{"id":"p3","note":null},{"id":"p4","note":"n4"},{"id":"p5","note":"n5"}]}`,
			errors: []string{"inventory|products.2.note|note hidden"},
			check: func(t *testing.T, resp *execute.Response, _ map[string][]testsubgraph.Request) {
				if len(resp.Errors) != 1 {
					return
				}
				ext := resp.Errors[0].Extensions
				if ext["code"] != "STOCK_UNAVAILABLE" || ext["retryable"] != true {
					t.Errorf("extensions not kept: %v", ext)
				}
				if d, _ := ext["detail"].(map[string]any); d == nil || d["warehouse"] != "w1" {
					t.Errorf("nested extension not kept: %v", ext)
				}
				noSubgraphLocations(t, resp)
			},
		},
		{
			name:   "root error with extensions and locations nulls data through a non-null root field",
			mode:   "inventory:rootErr",
			query:  `{ products { id } inventoryStatus }`,
			data:   `null`,
			errors: []string{"inventory|inventoryStatus|maintenance"},
			check: func(t *testing.T, resp *execute.Response, _ map[string][]testsubgraph.Request) {
				if len(resp.Errors) == 1 && resp.Errors[0].Extensions["code"] != "MAINTENANCE" {
					t.Errorf("code lost: %v", resp.Errors[0].Extensions)
				}
			},
		},
		{
			name:   "root error for a nullable root field",
			mode:   "users:meErr",
			query:  `{ me { name } products { id } }`,
			data:   `{"me":null,"products":[{"id":"p1"},{"id":"p2"},{"id":"p3"},{"id":"p4"},{"id":"p5"}]}`,
			errors: []string{"users|me|not logged in"},
			check: func(t *testing.T, resp *execute.Response, _ map[string][]testsubgraph.Request) {
				if len(resp.Errors) == 1 && resp.Errors[0].Extensions["code"] != "UNAUTHENTICATED" {
					t.Errorf("code lost: %v", resp.Errors[0].Extensions)
				}
			},
		},
	})
}

// ---------------------------------------------------------------------------
// 6. Root fetches of several subgraphs, one failing.

func TestAuditErrorsRootFetches(t *testing.T) {
	t.Parallel()
	var cases []ecase
	for _, kind := range []string{"500", "badjson", "errorsOnly", "hangup"} {
		cases = append(cases,
			ecase{
				name:   "users " + kind + ": nullable root field null, others intact",
				mode:   "users:" + kind,
				query:  `{ me { name } products { id } inventoryStatus }`,
				data:   `{"me":null,"products":[{"id":"p1"},{"id":"p2"},{"id":"p3"},{"id":"p4"},{"id":"p5"}],"inventoryStatus":"ok"}`,
				errors: []string{"users|*|"},
			},
			ecase{
				name:   "inventory " + kind + ": non-null root field fails, data is null",
				mode:   "inventory:" + kind,
				query:  `{ me { name } products { id } inventoryStatus }`,
				data:   `null`,
				errors: []string{"inventory|*|"},
			},
			ecase{
				name:     "catalog " + kind + ": non-null list root field fails, data is null and no entity fetch",
				mode:     "catalog:" + kind,
				query:    `{ me { name } products { id stock } }`,
				data:     `null`,
				errors:   []string{"catalog|*|"},
				requests: map[string]int{"inventory": 0},
			},
			ecase{
				name:     "catalog " + kind + ": nullable root field fails, entity fetch skipped",
				mode:     "catalog:" + kind,
				query:    `{ me { name } shelf { products { id stock } } }`,
				data:     `{"me":{"name":"Ada"},"shelf":null}`,
				errors:   []string{"catalog|*|"},
				requests: map[string]int{"inventory": 0},
			},
		)
	}
	erun(t, auditErrorsShop(), cases)
}

// ---------------------------------------------------------------------------
// 7. Mutations: one of a sequence fails.

func TestAuditErrorsMutationSequence(t *testing.T) {
	t.Parallel()
	erun(t, auditErrorsShop(), []ecase{
		{
			name:     "second mutation's subgraph down: first and third still applied",
			mode:     "inventory:hangup",
			query:    `mutation { a: addProduct(name: "Stool") { id name } b: restock(id: "p1", n: 3) c: addProduct(name: "Bench") { id } }`,
			data:     `{"a":{"id":"new-Stool","name":"Stool"},"b":null,"c":{"id":"new-Bench"}}`,
			errors:   []string{"inventory|*|"},
			requests: map[string]int{"catalog": 2, "inventory": 1},
		},
		{
			name:     "second mutation's subgraph answers 500",
			mode:     "inventory:500",
			query:    `mutation { a: addProduct(name: "Stool") { id } b: restock(id: "p1", n: 3) c: addProduct(name: "Bench") { id } }`,
			data:     `{"a":{"id":"new-Stool"},"b":null,"c":{"id":"new-Bench"}}`,
			errors:   []string{"inventory|*|"},
			requests: map[string]int{"catalog": 2},
		},
		{
			name:   "non-null mutation field fails: data null",
			mode:   "inventory:500",
			query:  `mutation { a: addProduct(name: "Stool") { id } b: restockStrict(id: "p1", n: 3) c: addProduct(name: "Bench") { id } }`,
			data:   `null`,
			errors: []string{"inventory|*|"},
			check: func(t *testing.T, _ *execute.Response, got map[string][]testsubgraph.Request) {
				// graphql-js stops a serial execution at a non-null failure; a
				// router may or may not run c. Logged, not asserted.
				t.Logf("catalog got %d mutation requests (c run: %v)", len(got["catalog"]), len(got["catalog"]) == 2)
			},
		},
		{
			name:     "entity fetch after a mutation fails: the mutation's result keeps its own fields",
			mode:     "inventory:500",
			query:    `mutation { a: addProduct(name: "Stool") { id name note } }`,
			data:     `{"a":{"id":"new-Stool","name":"Stool","note":null}}`,
			errors:   []string{"inventory|*|"},
			requests: map[string]int{"catalog": 1, "inventory": 1},
		},
	})
}

// ---------------------------------------------------------------------------
// 8. Large and deep answers.

func TestAuditErrorsLargeList(t *testing.T) {
	t.Parallel()
	const n = 5000
	var loose strings.Builder
	loose.WriteString(`{"manyLoose":[`)
	for i := 0; i < n; i++ {
		if i > 0 {
			loose.WriteByte(',')
		}
		if i == 4321 {
			loose.WriteString("null")
		} else {
			fmt.Fprintf(&loose, `{"id":"m%d","stock":%d}`, i, i)
		}
	}
	loose.WriteString(`]}`)
	erun(t, auditErrorsShop(), []ecase{
		{
			name:     "5000 entities across three subgraphs",
			query:    `{ manyLoose(n: 5000) { id stock } }`,
			data:     loose.String(),
			errors:   []string{"inventory|manyLoose.4321.stock|stock unknown for m4321"},
			requests: map[string]int{"catalog": 1, "inventory": 1},
			timeout:  8 * time.Second,
		},
		{
			name:    "5000 entities, one non-null failure nulls the whole list and data",
			query:   `{ many(n: 5000) { id name stock owner { name } } }`,
			data:    `null`,
			errors:  []string{"inventory|many.4321.stock|stock unknown for m4321"},
			timeout: 8 * time.Second,
			check: func(t *testing.T, _ *execute.Response, got map[string][]testsubgraph.Request) {
				if r := reps(t, got["inventory"], 0); len(r) != n {
					t.Errorf("inventory got %d representations, want %d", len(r), n)
				}
			},
		},
		{
			name:    "5000 entities, all resolved",
			query:   `{ many(n: 4321) { id name owner { name } } }`,
			timeout: 8 * time.Second,
			check: func(t *testing.T, resp *execute.Response, got map[string][]testsubgraph.Request) {
				var d struct {
					Many []struct {
						ID    string
						Owner struct{ Name string }
					}
				}
				if err := json.Unmarshal(resp.Data, &d); err != nil {
					t.Fatalf("data: %v", err)
				}
				if len(d.Many) != 4321 || d.Many[4320].ID != "m4320" || d.Many[4320].Owner.Name != "Ada" {
					t.Errorf("bad data (%d items)", len(d.Many))
				}
				if r := reps(t, got["users"], 0); len(r) != 1 {
					t.Errorf("users got %d representations, want 1 (deduplicated)", len(r))
				}
			},
		},
	})
}

func TestAuditErrorsDeepNesting(t *testing.T) {
	t.Parallel()
	node := func(d int) map[string]any {
		return map[string]any{"__typename": "Node", "id": fmt.Sprintf("n%d", d), "depth": d}
	}
	sc := escenario{subgraphs: []*testsubgraph.Subgraph{
		{
			Name: "tree",
			SDL:  fed + `type Query { root: Node } type Node @key(fields: "id") { id: ID! depth: Int! child: Node! }`,
			Resolvers: map[string]testsubgraph.Resolver{
				"Query.root": list(node(0)),
				"Node.child": func(_ context.Context, p map[string]any, _ map[string]any) (any, error) {
					return node(p["depth"].(int) + 1), nil
				},
			},
		},
		{
			Name: "labels",
			SDL:  fed + `type Node @key(fields: "id") { id: ID! label: String! }`,
			Entities: map[string]testsubgraph.EntityResolver{"Node": func(_ context.Context, rep map[string]any) (any, error) {
				return map[string]any{"__typename": "Node", "id": rep["id"]}, nil
			}},
			Resolvers: map[string]testsubgraph.Resolver{"Node.label": func(_ context.Context, p map[string]any, _ map[string]any) (any, error) {
				if p["id"] == "n50" {
					return nil, errors.New("label of n50 lost")
				}
				return "L-" + fmt.Sprint(p["id"]), nil
			}},
		},
	}}
	deep := func(levels int) (query, data string) {
		var q, d strings.Builder
		q.WriteString("{ root { depth")
		d.WriteString(`{"root":{"depth":0`)
		for i := 1; i <= levels; i++ {
			fmt.Fprintf(&q, " child { depth")
			fmt.Fprintf(&d, `,"child":{"depth":%d`, i)
		}
		fmt.Fprintf(&q, " label")
		fmt.Fprintf(&d, `,"label":"L-n%d"`, levels)
		q.WriteString(strings.Repeat(" }", levels+2))
		d.WriteString(strings.Repeat("}", levels+2))
		return q.String(), d.String()
	}
	q49, d49 := deep(49)
	q50, _ := deep(50)
	errPath50 := "root" + strings.Repeat(".child", 50) + ".label"
	erun(t, sc, []ecase{
		{name: "50 levels, entity fetch at the bottom", query: q49, data: d49},
		{
			name:   "51 levels, non-null error at the bottom propagates 51 levels to the root field",
			query:  q50,
			data:   `{"root":null}`,
			errors: []string{"labels|" + errPath50 + "|label of n50 lost"},
		},
	})
}

// ---------------------------------------------------------------------------
// A fetch providing the fields another fetch @requires fails: the dependent
// fetch cannot build its representations and must not be sent with the
// required fields missing (or null); its fields are null.

func TestAuditErrorsRequiresInputFails(t *testing.T) {
	t.Parallel()
	item := func(id string) map[string]any { return map[string]any{"__typename": "Item", "id": id} }
	sc := escenario{
		subgraphs: []*testsubgraph.Subgraph{
			{
				Name:      "items",
				SDL:       fed + `type Query { items: [Item!]! } type Item @key(fields: "id") { id: ID! }`,
				Resolvers: map[string]testsubgraph.Resolver{"Query.items": list([]any{item("i1"), item("i2"), item("i3")})},
			},
			{
				Name: "dims",
				SDL:  fed + `type Item @key(fields: "id") { id: ID! weight: Int! }`,
				Entities: map[string]testsubgraph.EntityResolver{"Item": byKey("Item", "id", map[string]map[string]any{
					"i1": {"weight": 1}, "i2": {"weight": 2}, "i3": {"weight": 3},
				})},
			},
			{
				Name: "ship",
				SDL:  fed + `type Item @key(fields: "id") { id: ID! weight: Int! @external shipping: Int @requires(fields: "weight") }`,
				Entities: map[string]testsubgraph.EntityResolver{"Item": func(_ context.Context, rep map[string]any) (any, error) {
					w, ok := rep["weight"].(float64)
					if !ok {
						return nil, fmt.Errorf("representation without weight: %v", rep)
					}
					return map[string]any{"__typename": "Item", "id": rep["id"], "shipping": int(w) * 10}, nil
				}},
			},
		},
		tamper: map[string]tamperFn{"dims": commonTamper},
	}
	erun(t, sc, []ecase{
		{
			name:     "all subgraphs up",
			query:    `{ items { id shipping } }`,
			data:     `{"items":[{"id":"i1","shipping":10},{"id":"i2","shipping":20},{"id":"i3","shipping":30}]}`,
			requests: map[string]int{"dims": 1, "ship": 1},
		},
		{
			name:      "required field's subgraph down: dependent fetch not sent, its field null",
			mode:      "dims:500",
			query:     `{ items { id shipping } }`,
			data:      `{"items":[{"id":"i1","shipping":null},{"id":"i2","shipping":null},{"id":"i3","shipping":null}]}`,
			anyErrors: true,
			requests:  map[string]int{"ship": 0},
			check: func(t *testing.T, resp *execute.Response, _ map[string][]testsubgraph.Request) {
				dims := false
				for _, e := range resp.Errors {
					if e.Extensions["serviceName"] == "dims" {
						dims = true
					}
					if strings.Contains(e.Message, "representation without weight") {
						t.Errorf("ship got a representation without its required field:%s", fmtErrors(resp.Errors))
					}
				}
				if !dims {
					t.Errorf("the dims failure is not reported:%s", fmtErrors(resp.Errors))
				}
			},
		},
	})
}
