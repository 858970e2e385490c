package facetcache_test

import (
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/shopgraph/shopgraph/internal/pg/pgtest"
	"github.com/shopgraph/shopgraph/subgraphs/catalog"
	"github.com/shopgraph/shopgraph/subgraphs/catalog/facetcache"
	"github.com/shopgraph/shopgraph/subgraphs/catalog/postgres"
)

// TestFacetsAreCountedOncePerTTL: on the real store, repeated and concurrent
// requests for one filter cost one statement until the TTL passes; other
// filters are counted on their own; a TTL of 0 caches nothing.
func TestFacetsAreCountedOncePerTTL(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	pool := pgtest.New(t, postgres.Migrations())
	if err := postgres.Seed(ctx, pool); err != nil {
		t.Fatal(err)
	}
	counted, counter := pgtest.CountingPool(t, pool)
	store := postgres.New(counted)
	const ttl = 300 * time.Millisecond
	svc := facetcache.New(store, ttl, 10)
	inStock := catalog.ProductFilter{InStock: true}

	want, err := store.ProductFacets(ctx, inStock)
	if err != nil {
		t.Fatal(err)
	}
	before := counter.N()
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			got, err := svc.ProductFacets(ctx, inStock)
			if err != nil || !reflect.DeepEqual(got, want) {
				t.Errorf("cached facets differ: %v", err)
			}
		})
	}
	wg.Wait()
	if n := counter.N() - before; n != 1 {
		t.Errorf("20 concurrent requests ran %d statements, want 1", n)
	}
	if _, err := svc.ProductFacets(ctx, catalog.ProductFilter{CategoryID: 1}); err != nil {
		t.Fatal(err)
	}
	if n := counter.N() - before; n != 2 {
		t.Errorf("another filter: %d statements in all, want 2", n)
	}
	time.Sleep(ttl + 100*time.Millisecond) // the expiry itself is what is tested
	if _, err := svc.ProductFacets(ctx, inStock); err != nil {
		t.Fatal(err)
	}
	if n := counter.N() - before; n != 3 {
		t.Errorf("after the TTL: %d statements in all, want 3", n)
	}
	if facetcache.New(store, 0, 10) != catalog.Service(store) {
		t.Error("a zero TTL still wraps the store")
	}
}
