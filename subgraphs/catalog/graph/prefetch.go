package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/shopgraph/shopgraph/subgraphs/catalog"
	"github.com/shopgraph/shopgraph/subgraphs/catalog/graph/model"
	"github.com/shopgraph/shopgraph/subgraphs/catalog/loaders"
)

// Prefetching: gqlgen resolves each object of a list in its own goroutine, and each
// asks the loaders for its variants or reviews. On a busy machine some of those
// goroutines start after a loader's batch window has closed, and the batch splits
// into several statements; and every window waited for adds to the request's
// latency. The resolver that produced the list knows every key already, so it
// queues them all at once from its own goroutine, and a root field's single
// object loads them at once (loaders.Batch.Now); the field resolvers then find
// their loads in the loaders' caches. Only selected fields are prefetched, with
// the arguments the client gave them.

// prefetchProductPage prefetches for the products of a ProductConnection, looking
// through edges { node { ... } } for the fields selected on Product.
func prefetchProductPage(ctx context.Context, l *loaders.Loaders, products []*catalog.Product) {
	if len(products) == 0 || !graphql.HasOperationContext(ctx) {
		return
	}
	now := alone(ctx)
	opCtx := graphql.GetOperationContext(ctx)
	ids := make([]int64, len(products))
	cats := make([]int64, 0, len(products))
	for i, p := range products {
		ids[i] = p.ID
		if p.CategoryID != 0 {
			cats = append(cats, p.CategoryID)
		}
	}
	for _, edges := range graphql.CollectFieldsCtx(ctx, nil) {
		if edges.Name != "edges" {
			continue
		}
		for _, node := range graphql.CollectFields(opCtx, edges.Selections, []string{"ProductEdge"}) {
			if node.Name == "node" {
				prefetchProducts(ctx, l, ids, cats, graphql.CollectFields(opCtx, node.Selections, []string{"Product"}), now, true)
			}
		}
	}
}

// prefetchProductEntities prefetches for products resolved by _entities.
func prefetchProductEntities(ctx context.Context, l *loaders.Loaders, products []*model.Product) {
	if !graphql.HasOperationContext(ctx) || graphql.GetFieldContext(ctx) == nil {
		return
	}
	var ids, cats []int64
	for _, p := range products {
		if p != nil {
			ids = append(ids, p.Key)
			if p.CategoryKey != 0 {
				cats = append(cats, p.CategoryKey)
			}
		}
	}
	prefetchProducts(ctx, l, ids, cats, graphql.CollectFieldsCtx(ctx, []string{"Product", "_Entity"}), false, false)
}

// prefetchUserEntities prefetches User.reviews for users resolved by _entities.
func prefetchUserEntities(ctx context.Context, l *loaders.Loaders, users []*model.User) {
	if !graphql.HasOperationContext(ctx) || graphql.GetFieldContext(ctx) == nil {
		return
	}
	var ids []int64
	for _, u := range users {
		if u != nil {
			ids = append(ids, u.Key)
		}
	}
	vars := graphql.GetOperationContext(ctx).Variables
	for _, f := range graphql.CollectFieldsCtx(ctx, []string{"User", "_Entity"}) {
		if f.Name == "reviews" {
			prefetchReviewPages(ctx, l.ReviewsByAuthor, f, vars, ids)
		}
	}
}

// prefetchProducts queues the loads of the selected Product fields that read
// through loaders: variants (also behind options and priceRange), reviews,
// ratingSummary, and category (cats are the products' category ids). now loads
// at once (the products are alone in the operation); listing says they are a
// listing's cards.
func prefetchProducts(ctx context.Context, l *loaders.Loaders, ids, cats []int64, fields []graphql.CollectedField, now, listing bool) {
	if len(ids) == 0 {
		return
	}
	vars := graphql.GetOperationContext(ctx).Variables
	variants := false // once for all the fields that read them
	for _, f := range fields {
		switch f.Name {
		case "variants", "options", "priceRange":
			if !variants {
				variants = true
				load(ctx, l.VariantsByProduct, ids, now)
			}
		case "ratingSummary":
			load(ctx, l.RatingSummary, ids, now)
		case "category":
			// A listing's cards queue theirs even when alone: the listing's facets
			// read categories too, and the two share one statement.
			load(ctx, l.CategoryByID, cats, now && !listing)
		case "reviews":
			prefetchProductReviews(ctx, l, f, vars, ids, now)
		}
	}
}

// prefetchReviewPages queues the review pages the field's arguments ask for; an
// invalid argument is left for the field's own resolver to report.
func prefetchReviewPages(ctx context.Context, loader loaders.Batch[catalog.ReviewPageRequest, catalog.ReviewList],
	f graphql.CollectedField, vars map[string]any, ids []int64) {
	args := f.ArgumentMap(vars)
	first, okFirst := intArg(args["first"])
	after, okAfter := stringArg(args["after"])
	if !okFirst || !okAfter {
		return
	}
	page, err := forward(first, after, defaultReviewsPage)
	if err != nil {
		return
	}
	reqs := make([]catalog.ReviewPageRequest, len(ids))
	for i, id := range ids {
		reqs[i] = catalog.ReviewPageRequest{OwnerID: id, Page: page}
	}
	load(ctx, loader, reqs, false)
}

// prefetchProductReviews queues the pages of Product.reviews the field's
// arguments ask for (sort and direction included); an invalid argument is left
// for the field's own resolver to report.
func prefetchProductReviews(ctx context.Context, l *loaders.Loaders, f graphql.CollectedField, vars map[string]any, ids []int64, now bool) {
	args := f.ArgumentMap(vars)
	var a reviewArgs
	var ok [4]bool
	a.first, ok[0] = intArg(args["first"])
	a.last, ok[1] = intArg(args["last"])
	a.after, ok[2] = stringArg(args["after"])
	a.before, ok[3] = stringArg(args["before"])
	if ok != [4]bool{true, true, true, true} {
		return
	}
	switch s := args["sort"].(type) {
	case nil:
	case string:
		sort := model.ReviewSort(s)
		a.sort = &sort
	case model.ReviewSort:
		a.sort = &s
	default:
		return
	}
	reqs := make([]catalog.ReviewPageRequest, len(ids))
	for i, id := range ids {
		req, err := reviewRequest(id, a)
		if err != nil {
			return
		}
		reqs[i] = req
	}
	load(ctx, l.ReviewsByProduct, reqs, now)
}

// intArg reads an optional Int argument as gqlgen's ArgumentMap gives it.
func intArg(v any) (*int, bool) {
	switch n := v.(type) {
	case nil:
		return nil, true
	case int:
		return &n, true
	case int64:
		i := int(n)
		return &i, true
	}
	return nil, false
}

// stringArg reads an optional String argument as gqlgen's ArgumentMap gives it.
func stringArg(v any) (*string, bool) {
	switch s := v.(type) {
	case nil:
		return nil, true
	case string:
		return &s, true
	}
	return nil, false
}

// prefetchProduct prefetches the selected fields of one product that a root
// field resolved (Query.product), as prefetchProductPage does for a page: at
// once when it is the operation's only root field, else queued, so that the
// products of several root fields share their statements.
func prefetchProduct(ctx context.Context, l *loaders.Loaders, p *catalog.Product) {
	if !graphql.HasOperationContext(ctx) {
		return
	}
	var cats []int64
	if p.CategoryID != 0 {
		cats = []int64{p.CategoryID}
	}
	prefetchProducts(ctx, l, []int64{p.ID}, cats, graphql.CollectFieldsCtx(ctx, []string{"Product"}), alone(ctx), false)
}

// loadNow loads the one key of a field. When the field is alone (see alone)
// nothing else would join its batch, so it loads at once rather than after the
// loader's batch window; otherwise sibling fields (two aliased products, or
// the same field of every object of a list) share one statement through the
// loader.
func loadNow[K comparable, V any](ctx context.Context, b loaders.Batch[K, V], key K) (V, error) {
	if alone(ctx) {
		b.Now(ctx, []K{key})
	}
	return b.Load(ctx, key)()
}

// alone reports whether the field resolving in ctx is the only one of its kind
// in the operation: under the operation's only root field and inside no list,
// so that exactly one resolver of it runs. Its loads then join no batch and
// need not wait for one (a listing page under category(slug:) waited two
// windows for nothing).
func alone(ctx context.Context) bool {
	if !soleRootField(ctx) {
		return false
	}
	fc := graphql.GetFieldContext(ctx)
	if fc == nil {
		return false
	}
	for _, step := range fc.Path() {
		if _, inList := step.(ast.PathIndex); inList {
			return false
		}
	}
	return true
}

// soleRootField reports whether the operation selects exactly one root field,
// with no fragment at the root.
func soleRootField(ctx context.Context) bool {
	if !graphql.HasOperationContext(ctx) {
		return false
	}
	op := graphql.GetOperationContext(ctx).Operation
	if op == nil || len(op.SelectionSet) != 1 {
		return false
	}
	_, isField := op.SelectionSet[0].(*ast.Field)
	return isField
}

// load starts the loads of keys: at once (Batch.Now) for a root field's one
// object, whose fields no other list would join; else queued into the loader's
// current batch from this goroutine, so that sibling lists (the pages of several
// categories, say) share one statement. Load enqueues before it returns its
// thunk; LoadMany would start a goroutine per key and bring back the very race
// prefetching avoids.
func load[K comparable, V any](ctx context.Context, b loaders.Batch[K, V], keys []K, now bool) {
	if now {
		b.Now(ctx, keys)
		return
	}
	for _, k := range keys {
		b.Load(ctx, k)
	}
}
