package relay

import "fmt"

// Forward is a validated request for a page going forward: the first First items
// after the item with cursor After ("" for the start of the list).
type Forward struct {
	First int
	After string
}

// ParseForward validates Relay's first/after arguments. first defaults to def when
// nil and must be between 0 and max: a bigger page is an error rather than a
// silent cut, so a client never mistakes a short page for the end of the list.
func ParseForward(first *int, after *string, def, max int) (Forward, error) {
	f := Forward{First: def}
	if first != nil {
		f.First = *first
	}
	if f.First < 0 {
		return Forward{}, fmt.Errorf("first must not be negative, got %d", f.First)
	}
	if f.First > max {
		return Forward{}, fmt.Errorf("first must be at most %d, got %d", max, f.First)
	}
	if after != nil {
		f.After = *after
	}
	return f, nil
}

// PageInfo is Relay's page information, independent of any GraphQL model.
type PageInfo struct {
	HasNextPage     bool
	HasPreviousPage bool
	StartCursor     *string
	EndCursor       *string
}

// Edge is one item of a page with its cursor.
type Edge[T any] struct {
	Cursor string
	Node   T
}

// Page cuts a page out of items fetched with one more row than wanted (limit+1),
// the usual way to learn whether a next page exists without counting. after tells
// whether the page started after a cursor; cursor makes each item's cursor.
func Page[T any](items []T, limit int, after bool, cursor func(T) string) ([]Edge[T], PageInfo) {
	info := PageInfo{HasPreviousPage: after}
	if len(items) > limit {
		items = items[:limit]
		info.HasNextPage = true
	}
	edges := make([]Edge[T], len(items))
	for i, item := range items {
		edges[i] = Edge[T]{Cursor: cursor(item), Node: item}
	}
	if len(edges) > 0 {
		start, end := edges[0].Cursor, edges[len(edges)-1].Cursor
		info.StartCursor, info.EndCursor = &start, &end
	}
	return edges, info
}
