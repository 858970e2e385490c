package graph

import (
	"fmt"

	"github.com/shopgraph/shopgraph/internal/money"
	"github.com/shopgraph/shopgraph/internal/relay"
	"github.com/shopgraph/shopgraph/subgraphs/catalog"
	"github.com/shopgraph/shopgraph/subgraphs/catalog/graph/model"
)

// Type names that global IDs carry.
const (
	kindProduct = "Product"
	kindVariant = "ProductVariant"
	kindReview  = "Review"
	kindUser    = "User"
)

// decodeID decodes a global ID of kind, as a domain error clients can read.
func decodeID(kind, id string) (int64, error) {
	n, err := relay.DecodeID(kind, id)
	if err != nil {
		return 0, catalog.Errorf(catalog.EINVALID, "%v", err)
	}
	return n, nil
}

// forward validates first/after of a connection and decodes its cursor.
func forward(first *int, after *string, def int) (catalog.Page, error) {
	f, err := relay.ParseForward(first, after, def, MaxPageSize)
	if err != nil {
		return catalog.Page{}, catalog.Errorf(catalog.EINVALID, "%v", err)
	}
	page := catalog.Page{First: f.First}
	if f.After != "" {
		page.After, err = relay.DecodeIntCursor(f.After)
		if err != nil || page.After <= 0 {
			return catalog.Page{}, catalog.Errorf(catalog.EINVALID, "invalid after cursor %q", f.After)
		}
	}
	return page, nil
}

func toProduct(p *catalog.Product) *model.Product {
	if p == nil {
		return nil
	}
	return &model.Product{
		Key:         p.ID,
		ID:          relay.EncodeID(kindProduct, p.ID),
		Slug:        p.Slug,
		Name:        p.Name,
		Description: p.Description,
		CreatedAt:   p.CreatedAt,
		CategoryKey: p.CategoryID,
	}
}

func toVariant(v *catalog.Variant) (*model.ProductVariant, error) {
	if v == nil {
		return nil, nil
	}
	price, err := toMoney(v.Price, v.Currency)
	if err != nil {
		return nil, catalog.Internal(err)
	}
	opts := make([]model.VariantOption, len(v.Options))
	for i, o := range v.Options {
		opts[i] = model.VariantOption{Name: o.Name, Value: o.Value}
	}
	var compareAt *model.Money
	if v.CompareAt != nil {
		m, err := toMoney(*v.CompareAt, v.Currency)
		if err != nil {
			return nil, catalog.Internal(err)
		}
		compareAt = &m
	}
	return &model.ProductVariant{
		Key:               v.ID,
		ProductKey:        v.ProductID,
		ID:                relay.EncodeID(kindVariant, v.ID),
		Sku:               v.SKU,
		Name:              v.Name,
		Options:           opts,
		SelectedOptions:   opts,
		Price:             price,
		CompareAtPrice:    compareAt,
		QuantityAvailable: v.Available(),
		StockLevel:        model.StockLevel(v.StockLevel()),
		Weight:            v.Weight,
	}, nil
}

func toMoney(minor int64, currency string) (model.Money, error) {
	amount, err := money.Format(minor, money.Currency(currency))
	if err != nil {
		return model.Money{}, err
	}
	code := model.CurrencyCode(currency)
	if !code.IsValid() {
		return model.Money{}, fmt.Errorf("currency %q is not in the schema's CurrencyCode", currency)
	}
	return model.Money{Amount: amount, CurrencyCode: code}, nil
}

func toReview(r *catalog.Review) *model.Review {
	if r == nil {
		return nil
	}
	return &model.Review{
		Key:        r.ID,
		ProductKey: r.ProductID,
		AuthorKey:  r.AuthorID,
		ID:         relay.EncodeID(kindReview, r.ID),
		Rating:     r.Rating,
		Title:      r.Title,
		Body:       r.Body,
		CreatedAt:  r.CreatedAt,
	}
}

func toUser(id int64) *model.User {
	return &model.User{Key: id, ID: relay.EncodeID(kindUser, id)}
}

func toReviewConnection(list catalog.ReviewList, page catalog.Page) *model.ReviewConnection {
	edges, info := relay.Page(list.Reviews, len(list.Reviews), page.After > 0,
		func(r *catalog.Review) string { return relay.EncodeIntCursor(r.ID) })
	info.HasNextPage = list.HasNext
	conn := &model.ReviewConnection{
		Edges:      make([]model.ReviewEdge, len(edges)),
		PageInfo:   toPageInfo(info),
		TotalCount: list.Total,
	}
	for i, e := range edges {
		conn.Edges[i] = model.ReviewEdge{Cursor: e.Cursor, Node: *toReview(e.Node)}
	}
	return conn
}

func toPageInfo(p relay.PageInfo) model.PageInfo {
	return model.PageInfo{
		HasNextPage:     p.HasNextPage,
		HasPreviousPage: p.HasPreviousPage,
		StartCursor:     p.StartCursor,
		EndCursor:       p.EndCursor,
	}
}
