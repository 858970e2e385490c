package scenarios

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/shopgraph/shopgraph/gateway/execute"

	"github.com/shopgraph/shopgraph/gateway/internal/testsubgraph"
)

// splitScenario: the gateways benchmark's shape in miniature. Reviews point many
// users at few products (Review.product) and at their authors (Review.author),
// so a query that walks users → reviews → product → reviews → author → reviews
// inside the reviews subgraph meets the same product again and again.
func splitScenario(splitDepth int) scenario {
	type review struct{ id, user, upc, body string }
	all := []review{{"r1", "u1", "p1", "one"}, {"r2", "u2", "p1", "two"}, {"r3", "u3", "p1", "three"}, {"r4", "u1", "p2", "four"}}
	reviewObj := func(r review) map[string]any {
		return map[string]any{
			"__typename": "Review", "id": r.id, "body": r.body,
			"product":         map[string]any{"__typename": "Product", "upc": r.upc},
			"productWithName": map[string]any{"__typename": "Product", "upc": r.upc, "name": "provided " + r.upc},
			"author":          map[string]any{"__typename": "User", "id": r.user},
		}
	}
	reviewsWhere := func(match func(review) bool) []any {
		out := []any{}
		for _, r := range all {
			if match(r) {
				out = append(out, reviewObj(r))
			}
		}
		return out
	}
	byID := map[string]map[string]any{}
	for _, r := range all {
		byID[r.id] = reviewObj(r)
	}
	users := []any{}
	for _, id := range []string{"u1", "u2", "u3"} {
		users = append(users, map[string]any{"__typename": "User", "id": id, "name": "name " + id})
	}
	return scenario{splitDepth: splitDepth, subgraphs: []*testsubgraph.Subgraph{
		{
			Name:      "accounts",
			SDL:       fed + `type Query { users: [User!]! } type User @key(fields: "id") { id: ID! name: String! }`,
			Resolvers: map[string]testsubgraph.Resolver{"Query.users": list(users)},
			Entities: map[string]testsubgraph.EntityResolver{"User": byKey("User", "id", map[string]map[string]any{
				"u1": {"name": "name u1"}, "u2": {"name": "name u2"}, "u3": {"name": "name u3"},
			})},
		},
		{
			Name: "reviews",
			SDL: fed + `type Mutation { touchAll: [Review!]! }
type User @key(fields: "id") { id: ID! reviews: [Review!]! }
type Product @key(fields: "upc") { upc: String! name: String! @external reviews: [Review!]! }
type Review @key(fields: "id") { id: ID! body: String! product: Product! productWithName: Product! @provides(fields: "name") author: User! }`,
			Resolvers: map[string]testsubgraph.Resolver{
				"Mutation.touchAll": func(context.Context, map[string]any, map[string]any) (any, error) {
					return reviewsWhere(func(review) bool { return true }), nil
				},
				"User.reviews": func(_ context.Context, p map[string]any, _ map[string]any) (any, error) {
					return reviewsWhere(func(r review) bool { return r.user == p["id"] }), nil
				},
				"Product.reviews": func(_ context.Context, p map[string]any, _ map[string]any) (any, error) {
					return reviewsWhere(func(r review) bool { return r.upc == p["upc"] }), nil
				},
			},
			Entities: map[string]testsubgraph.EntityResolver{
				"User":    func(_ context.Context, rep map[string]any) (any, error) { return rep, nil },
				"Product": func(_ context.Context, rep map[string]any) (any, error) { return rep, nil },
				"Review":  byKey("Review", "id", byID),
			},
		},
		{
			Name: "products",
			SDL:  fed + `type Product @key(fields: "upc") { upc: String! name: String! @shareable }`,
			Entities: map[string]testsubgraph.EntityResolver{"Product": byKey("Product", "upc", map[string]map[string]any{
				"p1": {"name": "Phone"}, "p2": {"name": "Case"},
			})},
		},
	}}
}

// deepQuery walks users → reviews → product → reviews → author → reviews.
const deepQuery = `query($deep: Boolean = true) { users { name reviews { body product { upc name reviews @include(if: $deep) { body author { name reviews { body } } } } } } }`

// deepData is deepQuery's answer, computed from the scenario's data by hand.
func deepData(deep bool) string {
	byUser := map[string][]string{"u1": {"r1", "r4"}, "u2": {"r2"}, "u3": {"r3"}}
	byProduct := map[string][]string{"p1": {"r1", "r2", "r3"}, "p2": {"r4"}}
	body := map[string]string{"r1": "one", "r2": "two", "r3": "three", "r4": "four"}
	author := map[string]string{"r1": "u1", "r2": "u2", "r3": "u3", "r4": "u1"}
	product := map[string]string{"r1": "p1", "r2": "p1", "r3": "p1", "r4": "p2"}
	name := map[string]string{"p1": "Phone", "p2": "Case"}
	bodies := func(ids []string) string {
		var out []string
		for _, id := range ids {
			out = append(out, fmt.Sprintf(`{"body":%q}`, body[id]))
		}
		return "[" + strings.Join(out, ",") + "]"
	}
	var us []string
	for _, u := range []string{"u1", "u2", "u3"} {
		var rs []string
		for _, r := range byUser[u] {
			p := product[r]
			deeper := ""
			if deep {
				var prs []string
				for _, pr := range byProduct[p] {
					a := author[pr]
					prs = append(prs, fmt.Sprintf(`{"body":%q,"author":{"name":"name %s","reviews":%s}}`, body[pr], a, bodies(byUser[a])))
				}
				deeper = `,"reviews":[` + strings.Join(prs, ",") + "]"
			}
			rs = append(rs, fmt.Sprintf(`{"body":%q,"product":{"upc":%q,"name":%q%s}}`, body[r], p, name[p], deeper))
		}
		us = append(us, fmt.Sprintf(`{"name":"name %s","reviews":[%s]}`, u, strings.Join(rs, ",")))
	}
	return `{"users":[` + strings.Join(us, ",") + `]}`
}

// repKeys lists the values of field in the representations of the n-th request, sorted.
func repKeys(t *testing.T, reqs []testsubgraph.Request, n int, field string) string {
	t.Helper()
	var out []string
	for _, r := range reps(t, reqs, n) {
		out = append(out, fmt.Sprint(r.(map[string]any)[field]))
	}
	sort.Strings(out)
	return strings.Join(out, ",")
}

func TestSplitAtRepeatedEntities(t *testing.T) {
	t.Parallel()
	run(t, splitScenario(0), []tcase{
		{
			name:  "the nested walk is cut at the product and each product is resolved once",
			query: deepQuery,
			data:  deepData(true),
			// accounts: users, then one _entities call for every author, those
			// found in the first reviews fetch merged with those of the second.
			requests: map[string]int{"accounts": 2, "reviews": 2, "products": 1},
			check: func(t *testing.T, got map[string][]testsubgraph.Request) {
				// Four reviews point at two products: the second call gets each once.
				if k := repKeys(t, got["reviews"], 1, "upc"); k != "p1,p2" {
					t.Errorf("second reviews call got products %s, want p1,p2 once each", k)
				}
				if q := got["reviews"][0].Query; strings.Contains(q, "author") {
					t.Errorf("first reviews call still walks past the product: %s", q)
				}
				if k := repKeys(t, got["accounts"], 1, "id"); k != "u1,u2,u3" {
					t.Errorf("accounts _entities got %s, want each author once", k)
				}
			},
		},
		{
			name:     "a deferred part whose condition is false is not fetched",
			query:    deepQuery,
			vars:     map[string]any{"deep": false},
			data:     deepData(false),
			requests: map[string]int{"accounts": 1, "reviews": 1, "products": 1},
		},
		{
			// productWithName provides name, which only this path returns, so the
			// cut moves down to the authors, which sit under two lists.
			name:  "objects under @provides are not cut",
			query: `{ users { reviews { productWithName { name reviews { author { reviews { body } } } } } } }`,
			data: `{"users":[
				{"reviews":[{"productWithName":{"name":"provided p1","reviews":[{"author":{"reviews":[{"body":"one"},{"body":"four"}]}},{"author":{"reviews":[{"body":"two"}]}},{"author":{"reviews":[{"body":"three"}]}}]}},
				            {"productWithName":{"name":"provided p2","reviews":[{"author":{"reviews":[{"body":"one"},{"body":"four"}]}}]}}]},
				{"reviews":[{"productWithName":{"name":"provided p1","reviews":[{"author":{"reviews":[{"body":"one"},{"body":"four"}]}},{"author":{"reviews":[{"body":"two"}]}},{"author":{"reviews":[{"body":"three"}]}}]}}]},
				{"reviews":[{"productWithName":{"name":"provided p1","reviews":[{"author":{"reviews":[{"body":"one"},{"body":"four"}]}},{"author":{"reviews":[{"body":"two"}]}},{"author":{"reviews":[{"body":"three"}]}}]}}]}]}`,
			requests: map[string]int{"accounts": 1, "reviews": 2, "products": 0},
			check: func(t *testing.T, got map[string][]testsubgraph.Request) {
				if q := got["reviews"][0].Query; !strings.Contains(q, "productWithName{name reviews{author{__typename id}}}") {
					t.Errorf("first reviews call does not keep the provided product whole: %s", q)
				}
				if k := repKeys(t, got["reviews"], 1, "id"); k != "u1,u2,u3" {
					t.Errorf("second reviews call got %s, want the three authors once each", k)
				}
			},
		},
		{
			name:     "mutation fields are not cut",
			query:    `mutation { touchAll { product { upc reviews { author { reviews { body } } } } } }`,
			data:     `{"touchAll":[{"product":{"upc":"p1","reviews":[{"author":{"reviews":[{"body":"one"},{"body":"four"}]}},{"author":{"reviews":[{"body":"two"}]}},{"author":{"reviews":[{"body":"three"}]}}]}},{"product":{"upc":"p1","reviews":[{"author":{"reviews":[{"body":"one"},{"body":"four"}]}},{"author":{"reviews":[{"body":"two"}]}},{"author":{"reviews":[{"body":"three"}]}}]}},{"product":{"upc":"p1","reviews":[{"author":{"reviews":[{"body":"one"},{"body":"four"}]}},{"author":{"reviews":[{"body":"two"}]}},{"author":{"reviews":[{"body":"three"}]}}]}},{"product":{"upc":"p2","reviews":[{"author":{"reviews":[{"body":"one"},{"body":"four"}]}}]}}]}`,
			requests: map[string]int{"reviews": 1},
		},
	})
}

func TestSplitTurnedOff(t *testing.T) {
	t.Parallel()
	run(t, splitScenario(-1), []tcase{{
		name:     "a negative split depth keeps the walk in one fetch with the same answer",
		query:    deepQuery,
		data:     deepData(true),
		requests: map[string]int{"accounts": 2, "reviews": 1, "products": 1},
	}})
}

// answer plans and runs query on a fresh start of sc and returns the data and
// the number of requests each subgraph received.
func answer(t *testing.T, sc scenario, query string) (string, map[string]int) {
	t.Helper()
	r := start(t, sc)
	ex := execute.New(r.g, engineOptions())
	t.Cleanup(ex.Close)
	pl, vars, err := r.planner.Plan(query, "", nil)
	if err != nil {
		t.Fatalf("plan: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp := ex.Execute(ctx, pl, vars)
	if len(resp.Errors) > 0 {
		t.Fatalf("errors: %+v", resp.Errors)
	}
	counts := map[string]int{}
	for n, s := range r.servers {
		counts[n] = len(s.Requests())
	}
	return string(resp.Data), counts
}

func TestSplitMergesEntityFetchesWithinSlack(t *testing.T) {
	t.Parallel()
	// Authors appear under the first reviews fetch (users → reviews → author)
	// and under the second (… product → reviews → author). The first group may
	// wait for the second without lengthening the plan, so one accounts
	// _entities call serves both.
	const q = `{ users { reviews { author { name } product { name reviews { author { name reviews { body } } } } } } }`
	want, _ := answer(t, splitScenario(-1), q)
	got, counts := answer(t, splitScenario(0), q)
	if got != want {
		t.Errorf("split plan answered\n%s\nwant (unsplit plan)\n%s", got, want)
	}
	if !strings.Contains(want, `"author":{"name":"name u1","reviews":[{"body":"one"},{"body":"four"}]}`) {
		t.Errorf("unsplit answer lacks the deep authors: %s", want)
	}
	if counts["accounts"] != 2 || counts["reviews"] != 2 || counts["products"] != 1 {
		t.Errorf("requests = %v, want accounts 2 (users, one merged _entities), reviews 2, products 1", counts)
	}
}
