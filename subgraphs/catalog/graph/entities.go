package graph

import (
	"context"
	"fmt"

	"github.com/99designs/gqlgen/graphql"
	"github.com/graph-gophers/dataloader/v7"

	"github.com/shopgraph/shopgraph/subgraphs/catalog"
)

// resolveBatch resolves a batch of entity representations in their order: key
// reads each representation's key (an error fails that entity alone), one call
// of load fetches every key, and convert builds each model (nil, so null, for a
// key that matches nothing). The batch is complete already, so it skips the
// dataloader's wait, and primes the loader for the fields resolved next.
func resolveBatch[R any, K comparable, V any, M any](
	ctx context.Context,
	reps []R,
	key func(R) (K, error),
	load func(context.Context, []K) (map[K]V, error),
	loader *dataloader.Loader[K, V],
	convert func(V) (*M, error),
) ([]*M, error) {
	keys := make([]K, 0, len(reps))
	errs := make([]error, len(reps))
	failed := false
	for i, rep := range reps {
		k, err := key(rep)
		if err != nil {
			errs[i], failed = err, true
			continue
		}
		keys = append(keys, k)
	}
	found, err := load(ctx, keys)
	if err != nil {
		return nil, catalog.Internal(fmt.Errorf("load %d entities: %w", len(keys), err))
	}
	for k, v := range found {
		loader.Prime(ctx, k, v)
	}
	out := make([]*M, len(reps))
	j := 0
	for i := range reps {
		if errs[i] != nil {
			continue
		}
		if out[i], err = convert(found[keys[j]]); err != nil {
			errs[i], failed = err, true
		}
		j++
	}
	if failed {
		return out, graphql.BatchErrorList(errs)
	}
	return out, nil
}

// infallible adapts a conversion that cannot fail to resolveBatch.
func infallible[V any, M any](convert func(V) *M) func(V) (*M, error) {
	return func(v V) (*M, error) { return convert(v), nil }
}
