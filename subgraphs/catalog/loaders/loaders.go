// Package loaders batches the catalog's reads per request with dataloaders, so the
// variants, reviews, rating summaries or categories of a page of N products cost
// one query, not N.
package loaders

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/graph-gophers/dataloader/v7"

	"github.com/shopgraph/shopgraph/internal/gqlserve"
	"github.com/shopgraph/shopgraph/subgraphs/catalog"
)

// batchWait is how long a loader collects keys before it queries. gqlgen starts the
// resolvers of a list together, so a short wait catches them all without adding
// much latency.
const batchWait = 5 * time.Millisecond

// Loaders holds one request's dataloaders. A missing entity loads as nil with no
// error; service failures are marked with catalog.Internal.
type Loaders struct {
	ProductByID       Batch[int64, *catalog.Product]
	ProductBySlug     Batch[string, *catalog.Product]
	VariantByID       Batch[int64, *catalog.Variant]
	VariantsByProduct Batch[int64, []*catalog.Variant]
	ReviewByID        Batch[int64, *catalog.Review]
	ReviewsByProduct  Batch[catalog.ReviewPageRequest, catalog.ReviewList]
	ReviewsByAuthor   Batch[catalog.ReviewPageRequest, catalog.ReviewList]
	CategoryByID      Batch[int64, *catalog.Category]
	CategoryBySlug    Batch[string, *catalog.Category]
	// CategoryChildren loads a category's children by its id; 0 loads the roots.
	CategoryChildren Batch[int64, []*catalog.Category]
	// RatingSummary loads a product's rating summary by product id.
	RatingSummary Batch[int64, catalog.RatingSummary]
	// CategoryProducts loads a category's product listing; see NewCategoryListing.
	CategoryProducts Batch[CategoryListing, catalog.ProductPage]
}

// CategoryListing keys a category's product listing: the category and the rest of
// the query, encoded, so that the categories of a list asking the same query
// share one statement.
type CategoryListing struct {
	CategoryID int64
	// query is the JSON of a catalog.ProductQuery without a category.
	query string
}

// NewCategoryListing returns the key of q's listing in the category.
func NewCategoryListing(categoryID int64, q catalog.ProductQuery) (CategoryListing, error) {
	q.Filter.CategoryID = 0
	b, err := json.Marshal(q)
	if err != nil {
		return CategoryListing{}, fmt.Errorf("encode listing of category %d: %w", categoryID, err)
	}
	return CategoryListing{CategoryID: categoryID, query: string(b)}, nil
}

// categoryListings answers the keys with one statement per distinct query.
func categoryListings(svc catalog.Service) dataloader.BatchFunc[CategoryListing, catalog.ProductPage] {
	return func(ctx context.Context, keys []CategoryListing) []*dataloader.Result[catalog.ProductPage] {
		out := make([]*dataloader.Result[catalog.ProductPage], len(keys))
		groups := map[string][]int{}
		var order []string
		for i, k := range keys {
			if _, ok := groups[k.query]; !ok {
				order = append(order, k.query)
			}
			groups[k.query] = append(groups[k.query], i)
		}
		for _, query := range order {
			idx := groups[query]
			var q catalog.ProductQuery
			err := json.Unmarshal([]byte(query), &q)
			var pages []catalog.ProductPage
			if err == nil {
				ids := make([]int64, len(idx))
				for j, i := range idx {
					ids[j] = keys[i].CategoryID
				}
				pages, err = svc.ListCategoryProducts(ctx, q, ids)
			}
			err = catalog.Internal(err)
			for j, i := range idx {
				var page catalog.ProductPage
				if err == nil && j < len(pages) {
					page = pages[j]
				}
				out[i] = &dataloader.Result[catalog.ProductPage]{Data: page, Error: err}
			}
		}
		return out
	}
}

// New returns fresh loaders reading through svc. Loaders cache what they load,
// so make new ones for every request.
func New(svc catalog.Service) *Loaders {
	return &Loaders{
		ProductByID:       newLoader(byKey(svc.ProductsByIDs)),
		ProductBySlug:     newLoader(byKey(svc.ProductsBySlugs)),
		VariantByID:       newLoader(byKey(svc.VariantsByIDs)),
		VariantsByProduct: newLoader(byKey(svc.VariantsByProductIDs)),
		ReviewByID:        newLoader(byKey(svc.ReviewsByIDs)),
		ReviewsByProduct:  newLoader(inOrder(svc.ReviewsByProduct)),
		ReviewsByAuthor:   newLoader(inOrder(svc.ReviewsByAuthor)),
		CategoryByID:      newLoader(byKey(svc.CategoriesByIDs)),
		CategoryBySlug:    newLoader(byKey(svc.CategoriesBySlugs)),
		CategoryChildren:  newLoader(byKey(svc.CategoryChildren)),
		RatingSummary:     newLoader(byKey(svc.RatingSummaries)),
		CategoryProducts:  newLoader(categoryListings(svc)),
	}
}

func newLoader[K comparable, V any](fn dataloader.BatchFunc[K, V]) Batch[K, V] {
	return Batch[K, V]{Loader: dataloader.NewBatchedLoader(fn, dataloader.WithWait[K, V](batchWait)), fn: fn, done: &sync.Map{}}
}

// Batch is a loader with its batch function. Resolvers whose fields load one
// key each go through the loader, which waits batchWait for the others; a
// resolver that knows every key already (the list it just loaded, a root
// field's one key) calls Now, which loads them at once and primes the cache, so
// the fields find their values without waiting for a batch window. Every
// window a request waits adds to its latency: a product page waited for four.
type Batch[K comparable, V any] struct {
	*dataloader.Loader[K, V]
	fn dataloader.BatchFunc[K, V]
	// done holds the keys Now loaded, which it skips when asked again.
	done *sync.Map
}

// Now loads keys in one call of the batch function, from this goroutine, and
// primes the loader's cache with what loaded without an error (a key that
// failed is left for the field's own load to report). Keys are de-duplicated,
// and keys an earlier Now loaded are not loaded again.
func (b Batch[K, V]) Now(ctx context.Context, keys []K) {
	seen := make(map[K]bool, len(keys))
	uniq := make([]K, 0, len(keys))
	for _, k := range keys {
		if _, loaded := b.done.Load(k); !loaded && !seen[k] {
			seen[k] = true
			uniq = append(uniq, k)
		}
	}
	if len(uniq) == 0 {
		return
	}
	results := b.fn(ctx, uniq)
	for i, k := range uniq {
		if i < len(results) && results[i] != nil && results[i].Error == nil {
			b.Prime(ctx, k, results[i].Data)
			b.done.Store(k, true)
		}
	}
}

// byKey adapts a service method answering a map to a batch function; keys absent
// from the map load as V's zero value.
func byKey[K comparable, V any](load func(context.Context, []K) (map[K]V, error)) dataloader.BatchFunc[K, V] {
	return func(ctx context.Context, keys []K) []*dataloader.Result[V] {
		found, err := load(ctx, keys)
		err = catalog.Internal(err)
		out := make([]*dataloader.Result[V], len(keys))
		for i, k := range keys {
			out[i] = &dataloader.Result[V]{Data: found[k], Error: err}
		}
		return out
	}
}

// inOrder adapts a service method answering in the order of its keys.
func inOrder[K comparable, V any](load func(context.Context, []K) ([]V, error)) dataloader.BatchFunc[K, V] {
	return func(ctx context.Context, keys []K) []*dataloader.Result[V] {
		found, err := load(ctx, keys)
		err = catalog.Internal(err)
		out := make([]*dataloader.Result[V], len(keys))
		for i := range keys {
			var v V
			if err == nil && i < len(found) {
				v = found[i]
			}
			out[i] = &dataloader.Result[V]{Data: v, Error: err}
		}
		return out
	}
}

// Middleware gives each request its own loaders.
func Middleware(svc catalog.Service, next http.Handler) http.Handler {
	return gqlserve.PerRequest(func() *Loaders { return New(svc) }, next)
}

// For returns the request's loaders. Without Middleware it returns loaders that
// still work but batch and cache nothing across calls.
func For(ctx context.Context, svc catalog.Service) *Loaders {
	return gqlserve.FromRequest(ctx, func() *Loaders { return New(svc) })
}
