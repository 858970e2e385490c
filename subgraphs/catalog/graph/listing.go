package graph

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/shopgraph/shopgraph/internal/money"
	"github.com/shopgraph/shopgraph/internal/relay"
	"github.com/shopgraph/shopgraph/subgraphs/catalog"
	"github.com/shopgraph/shopgraph/subgraphs/catalog/graph/model"
	"github.com/shopgraph/shopgraph/subgraphs/catalog/images"
	"github.com/shopgraph/shopgraph/subgraphs/catalog/loaders"
)

// kindCategory is the type name category IDs carry.
const kindCategory = "Category"

// maxSuggestions is the largest first of searchSuggestions.
const maxSuggestions = 20

// listingArgs are a product listing's arguments as the API takes them.
type listingArgs struct {
	first, last   *int
	after, before *string
	filter        *model.ProductFilter
	sort          *model.ProductSort
}

// productQuery validates a listing's arguments into a store query. Cursors carry
// their sort, so one made for another sort is an error, not a wrong page.
func productQuery(a listingArgs) (catalog.ProductQuery, error) {
	var q catalog.ProductQuery
	f, err := toFilter(a.filter)
	if err != nil {
		return q, err
	}
	q.Filter = f
	switch {
	case a.sort != nil:
		q.Sort = catalog.ProductSort(*a.sort)
	case strings.TrimSpace(f.Search) != "":
		q.Sort = catalog.SortRelevance
	default:
		q.Sort = catalog.SortNewest
	}
	if a.first != nil && a.last != nil {
		return q, catalog.Errorf(catalog.EINVALID, "give first or last, not both")
	}
	if a.after != nil && a.before != nil {
		return q, catalog.Errorf(catalog.EINVALID, "give after or before, not both")
	}
	q.Limit = defaultProductsPage
	cursor := a.after
	if a.last != nil || a.before != nil {
		q.Backward, cursor = true, a.before
		if a.first != nil || a.after != nil {
			return q, catalog.Errorf(catalog.EINVALID, "page back with last and before, forward with first and after")
		}
		if a.last != nil {
			q.Limit = *a.last
		}
	} else if a.first != nil {
		q.Limit = *a.first
	}
	name := "first"
	if q.Backward {
		name = "last"
	}
	if q.Limit < 0 {
		return q, catalog.Errorf(catalog.EINVALID, "%s must not be negative, got %d", name, q.Limit)
	}
	if q.Limit > MaxPageSize {
		return q, catalog.Errorf(catalog.EINVALID, "%s must be at most %d, got %d", name, MaxPageSize, q.Limit)
	}
	if cursor != nil {
		c, err := decodeListingCursor(*cursor, q.Sort)
		if err != nil {
			return q, err
		}
		q.After = &c
	}
	return q, nil
}

func encodeListingCursor(sort catalog.ProductSort, c catalog.Cursor) string {
	return relay.EncodeCursor(string(sort), c.Key, strconv.FormatInt(c.ID, 10))
}

func decodeListingCursor(s string, sort catalog.ProductSort) (catalog.Cursor, error) {
	values, err := relay.DecodeCursor(s)
	if err != nil || len(values) != 3 {
		return catalog.Cursor{}, catalog.Errorf(catalog.EINVALID, "invalid cursor %q", s)
	}
	if values[0] != string(sort) {
		return catalog.Cursor{}, catalog.Errorf(catalog.EINVALID, "cursor %q belongs to sort %s, not %s", s, values[0], sort)
	}
	id, err := strconv.ParseInt(values[2], 10, 64)
	if _, kerr := strconv.ParseFloat(values[1], 64); err != nil || kerr != nil || id <= 0 {
		return catalog.Cursor{}, catalog.Errorf(catalog.EINVALID, "invalid cursor %q", s)
	}
	return catalog.Cursor{Key: values[1], ID: id}, nil
}

func toFilter(in *model.ProductFilter) (catalog.ProductFilter, error) {
	var f catalog.ProductFilter
	if in == nil {
		return f, nil
	}
	if in.CategoryID != nil {
		id, err := decodeID(kindCategory, *in.CategoryID)
		if err != nil {
			return f, err
		}
		f.CategoryID = id
	}
	for _, p := range []struct {
		name string
		in   *string
		out  **int64
	}{{"minPrice", in.MinPrice, &f.MinPrice}, {"maxPrice", in.MaxPrice, &f.MaxPrice}} {
		if p.in == nil {
			continue
		}
		n, err := money.Parse(*p.in, catalog.ShopCurrency)
		if err != nil || n < 0 {
			return f, catalog.Errorf(catalog.EINVALID, "filter.%s: %q is not an amount such as \"25.00\"", p.name, *p.in)
		}
		*p.out = &n
	}
	f.InStock = in.InStock != nil && *in.InStock
	for _, o := range in.Options {
		f.Options = append(f.Options, catalog.OptionFilter{Name: o.Name, Values: o.Values})
	}
	if in.Search != nil {
		f.Search = *in.Search
	}
	return f, nil
}

// listProducts answers a listing: one statement for the page and its total, and
// the page's products primed and their selected fields prefetched.
func (r *Resolver) listProducts(ctx context.Context, a listingArgs, categoryID int64) (*model.ProductConnection, error) {
	q, err := productQuery(a)
	if err != nil {
		return nil, err
	}
	l := r.loaders(ctx)
	var page catalog.ProductPage
	if categoryID != 0 {
		// Category.products of a list of categories: batched into one statement.
		q.Filter.CategoryID = categoryID
		key, kerr := loaders.NewCategoryListing(categoryID, q)
		if kerr != nil {
			return nil, catalog.Internal(kerr)
		}
		page, err = loadNow(ctx, l.CategoryProducts, key)
	} else {
		page, err = r.svc.ListProducts(ctx, q)
	}
	if err != nil {
		return nil, catalog.Internal(fmt.Errorf("list products: %w", err))
	}
	for _, p := range page.Products {
		l.ProductByID.Prime(ctx, p.ID, p)
	}
	prefetchProductPage(ctx, l, page.Products)
	conn := &model.ProductConnection{
		Edges:      make([]model.ProductEdge, len(page.Products)),
		TotalCount: page.Total,
		Filter:     q.Filter,
	}
	for i, p := range page.Products {
		conn.Edges[i] = model.ProductEdge{Cursor: encodeListingCursor(q.Sort, page.Cursors[i]), Node: *toProduct(p)}
	}
	conn.PageInfo = pageInfo(len(conn.Edges), func(i int) string { return conn.Edges[i].Cursor }, q.Backward, page.More, q.After != nil)
	return conn, nil
}

// pageInfo is a Relay page's info for n edges read in one direction: more says
// whether items lie beyond the page in that direction, fromCursor whether it
// started at a cursor (so items lie before it on the other side).
func pageInfo(n int, cursor func(int) string, backward, more, fromCursor bool) model.PageInfo {
	var info model.PageInfo
	if n > 0 {
		start, end := cursor(0), cursor(n-1)
		info.StartCursor, info.EndCursor = &start, &end
	}
	if backward {
		info.HasPreviousPage, info.HasNextPage = more, fromCursor
	} else {
		info.HasNextPage, info.HasPreviousPage = more, fromCursor
	}
	return info
}

func toCategory(c *catalog.Category) *model.Category {
	if c == nil {
		return nil
	}
	return &model.Category{Key: c.ID, ParentKey: c.ParentID, ID: relay.EncodeID(kindCategory, c.ID), Slug: c.Slug, Name: c.Name}
}

func toCategories(list []*catalog.Category) []model.Category {
	out := make([]model.Category, len(list))
	for i, c := range list {
		out[i] = *toCategory(c)
	}
	return out
}

// productOptions derives a product's option axes from its variants: names and
// values in the order the variants first show them.
func productOptions(variants []*catalog.Variant) []model.ProductOption {
	var out []model.ProductOption
	index := map[string]int{}
	seen := map[[2]string]bool{}
	for _, v := range variants {
		for _, o := range v.Options {
			i, ok := index[o.Name]
			if !ok {
				i = len(out)
				index[o.Name] = i
				out = append(out, model.ProductOption{Name: o.Name, Values: []string{}})
			}
			if k := [2]string{o.Name, o.Value}; !seen[k] {
				seen[k] = true
				out[i].Values = append(out[i].Values, o.Value)
			}
		}
	}
	if out == nil {
		out = []model.ProductOption{}
	}
	return out
}

// productImages lists a product's images: paths under which the catalog serves
// them (package images), on its own listener, not through the router.
func productImages(p *model.Product) []model.Image {
	n := images.Count(p.Key)
	out := make([]model.Image, n)
	for i := range n {
		out[i] = model.Image{
			URL:   fmt.Sprintf("%s%s-%d.svg", images.Path, p.Slug, i+1),
			Alt:   fmt.Sprintf("%s, view %d of %d", p.Name, i+1, n),
			Width: images.Width, Height: images.Height,
		}
	}
	return out
}

func toRatingSummary(s catalog.RatingSummary) *model.RatingSummary {
	out := &model.RatingSummary{Count: s.Count, Histogram: make([]model.RatingCount, 5)}
	for i, n := range s.Histogram {
		out.Histogram[i] = model.RatingCount{Rating: i + 1, Count: n}
	}
	if s.Count > 0 {
		avg := float64(s.Sum) / float64(s.Count)
		out.Average = &avg
	}
	return out
}

func toFacets(f catalog.Facets, categories map[int64]*catalog.Category) (*model.ProductFacets, error) {
	out := &model.ProductFacets{
		Categories: []model.CategoryFacet{},
		Options:    []model.OptionFacet{},
		PriceBands: make([]model.PriceBandFacet, len(f.PriceBands)),
	}
	for _, c := range f.Categories {
		if cat := categories[c.CategoryID]; cat != nil {
			out.Categories = append(out.Categories, model.CategoryFacet{Category: *toCategory(cat), Count: c.Count})
		}
	}
	for _, o := range f.Options {
		if n := len(out.Options); n == 0 || out.Options[n-1].Name != o.Name {
			out.Options = append(out.Options, model.OptionFacet{Name: o.Name})
		}
		last := &out.Options[len(out.Options)-1]
		last.Values = append(last.Values, model.OptionValueFacet{Value: o.Value, Count: o.Count})
	}
	for i, b := range f.PriceBands {
		lo, err := toMoney(b.Min, catalog.ShopCurrency)
		if err != nil {
			return nil, catalog.Internal(err)
		}
		out.PriceBands[i] = model.PriceBandFacet{Min: lo, Count: b.Count}
		if b.Max != 0 {
			hi, err := toMoney(b.Max, catalog.ShopCurrency)
			if err != nil {
				return nil, catalog.Internal(err)
			}
			out.PriceBands[i].Max = &hi
		}
	}
	return out, nil
}
