package graph

import (
	"context"
	"fmt"
	"strconv"

	"github.com/shopgraph/shopgraph/internal/relay"
	"github.com/shopgraph/shopgraph/subgraphs/catalog"
	"github.com/shopgraph/shopgraph/subgraphs/catalog/graph/model"
)

// reviewArgs are Product.reviews' arguments as the API takes them.
type reviewArgs struct {
	first, last   *int
	after, before *string
	sort          *model.ReviewSort
}

// reviewRequest validates a product's review page arguments. A cursor holds its
// sort, the rating and the id of its review (the keyset of the rating sorts),
// so one made for another sort is an error rather than a wrong page.
func reviewRequest(productID int64, a reviewArgs) (catalog.ReviewPageRequest, error) {
	req := catalog.ReviewPageRequest{OwnerID: productID, Sort: catalog.ReviewsNewest}
	if a.sort != nil {
		req.Sort = catalog.ReviewSort(*a.sort)
	}
	switch {
	case a.first != nil && a.last != nil:
		return req, catalog.Errorf(catalog.EINVALID, "give first or last, not both")
	case a.after != nil && a.before != nil:
		return req, catalog.Errorf(catalog.EINVALID, "give after or before, not both")
	case (a.last != nil || a.before != nil) && (a.first != nil || a.after != nil):
		return req, catalog.Errorf(catalog.EINVALID, "page back with last and before, forward with first and after")
	}
	req.First = defaultReviewsPage
	name, n, cursor := "first", a.first, a.after
	if a.last != nil || a.before != nil {
		req.Backward, name, n, cursor = true, "last", a.last, a.before
	}
	if n != nil {
		req.First = *n
	}
	if req.First < 0 {
		return req, catalog.Errorf(catalog.EINVALID, "%s must not be negative, got %d", name, req.First)
	}
	if req.First > MaxPageSize {
		return req, catalog.Errorf(catalog.EINVALID, "%s must be at most %d, got %d", name, MaxPageSize, req.First)
	}
	if cursor != nil {
		rating, id, err := decodeReviewCursor(*cursor, req.Sort)
		if err != nil {
			return req, err
		}
		req.After, req.AfterRating = id, rating
	}
	return req, nil
}

func encodeReviewCursor(sort catalog.ReviewSort, r *catalog.Review) string {
	return relay.EncodeCursor(string(sort), strconv.Itoa(r.Rating), strconv.FormatInt(r.ID, 10))
}

func decodeReviewCursor(s string, sort catalog.ReviewSort) (rating int, id int64, err error) {
	values, err := relay.DecodeCursor(s)
	if err != nil || len(values) != 3 {
		return 0, 0, catalog.Errorf(catalog.EINVALID, "invalid cursor %q", s)
	}
	if values[0] != string(sort) {
		return 0, 0, catalog.Errorf(catalog.EINVALID, "cursor %q belongs to sort %s, not %s", s, values[0], sort)
	}
	rating, rerr := strconv.Atoi(values[1])
	id, ierr := strconv.ParseInt(values[2], 10, 64)
	if rerr != nil || ierr != nil || id <= 0 || rating < 1 || rating > 5 {
		return 0, 0, catalog.Errorf(catalog.EINVALID, "invalid cursor %q", s)
	}
	return rating, id, nil
}

// productReviews resolves Product.reviews through the request's loader, so the
// reviews of a page of products cost one statement per sort and direction.
func (r *Resolver) productReviews(ctx context.Context, productID int64, a reviewArgs) (*model.ReviewConnection, error) {
	req, err := reviewRequest(productID, a)
	if err != nil {
		return nil, err
	}
	list, err := r.loaders(ctx).ReviewsByProduct.Load(ctx, req)()
	if err != nil {
		return nil, fmt.Errorf("load reviews of product %d: %w", productID, err)
	}
	conn := &model.ReviewConnection{Edges: make([]model.ReviewEdge, len(list.Reviews)), TotalCount: list.Total}
	for i, rv := range list.Reviews {
		conn.Edges[i] = model.ReviewEdge{Cursor: encodeReviewCursor(req.Sort, rv), Node: *toReview(rv)}
	}
	fromCursor := a.after != nil
	if req.Backward {
		fromCursor = a.before != nil
	}
	conn.PageInfo = pageInfo(len(conn.Edges), func(i int) string { return conn.Edges[i].Cursor }, req.Backward, list.HasNext, fromCursor)
	return conn, nil
}
