package graph

import (
	"context"
	"fmt"

	"github.com/shopgraph/shopgraph/internal/auth"

	"github.com/shopgraph/shopgraph/internal/apperr"
	"github.com/shopgraph/shopgraph/internal/relay"
	"github.com/shopgraph/shopgraph/subgraphs/users"
	"github.com/shopgraph/shopgraph/subgraphs/users/accounts"
	"github.com/shopgraph/shopgraph/subgraphs/users/graph/model"
)

// Type names global IDs carry.
const (
	kindUser    = "User"
	kindAddress = "Address"
)

// userID decodes a global User ID, as a domain error clients can read.
func userID(id string) (int64, error) {
	n, err := relay.DecodeID(kindUser, id)
	if err != nil {
		return 0, users.Errorf(users.EINVALID, "%v", err)
	}
	return n, nil
}

// ownerOnly lets through the owner of u and admins, or anyone when u is the
// user this very request signed in.
func ownerOnly(ctx context.Context, u *model.User) error {
	if u.JustAuthenticated {
		return nil
	}
	_, err := auth.RequireSelfOrAdmin(ctx, u.Key)
	return err
}

// toUser converts a domain user to the GraphQL model; nil stays nil.
func toUser(u *users.User) *model.User {
	if u == nil {
		return nil
	}
	return &model.User{
		Key:          u.ID,
		ID:           relay.EncodeID(kindUser, u.ID),
		Name:         u.Name,
		CreatedAt:    u.CreatedAt,
		EmailAddress: u.Email,
		AccountRole:  string(u.Role),
	}
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func toAddress(a *users.Address) *model.Address {
	if a == nil {
		return nil
	}
	return &model.Address{
		ID: relay.EncodeID(kindAddress, a.ID), Name: a.Name, Line1: a.Line1, Line2: optional(a.Line2),
		City: a.City, Region: optional(a.Region), PostalCode: a.PostalCode, Country: a.Country,
		Phone: optional(a.Phone), IsDefaultShipping: a.DefaultShipping, IsDefaultBilling: a.DefaultBilling,
	}
}

// toUserErrors converts the account flows' field errors; a code the schema
// lacks is a fault of ours, not the client's.
func toUserErrors(errs []apperr.FieldError) ([]model.AccountUserError, error) {
	out := make([]model.AccountUserError, len(errs))
	for i, fe := range errs {
		code := model.AccountErrorCode(fe.Code)
		if !code.IsValid() {
			return nil, users.Internal(fmt.Errorf("field error code %q is not an AccountErrorCode", fe.Code))
		}
		out[i] = model.AccountUserError{Code: code, Field: fe.Field, Message: fe.Message}
	}
	return out, nil
}

func toTokens(t *accounts.Tokens) *model.AuthTokens {
	if t == nil {
		return nil
	}
	return &model.AuthTokens{
		AccessToken: t.AccessToken, AccessTokenExpiresAt: t.AccessTokenExpiresAt,
		RefreshToken: t.RefreshToken, RefreshTokenExpiresAt: t.RefreshTokenExpiresAt,
		TokenType: "Bearer",
	}
}

// retryAfter is the payload's retryAfterSeconds: set only with RATE_LIMITED.
func retryAfter(r accounts.Result) *int {
	if r.RetryAfter <= 0 {
		return nil
	}
	s := int(r.RetryAfter.Seconds())
	return &s
}

func toAuthPayload(r accounts.Result, err error) (*model.AuthPayload, error) {
	if err != nil {
		return nil, err
	}
	ue, err := toUserErrors(r.Errors)
	if err != nil {
		return nil, err
	}
	u := toUser(r.User)
	if u != nil && r.Tokens != nil {
		u.JustAuthenticated = true
	}
	return &model.AuthPayload{User: u, Tokens: toTokens(r.Tokens), UserErrors: ue, RetryAfterSeconds: retryAfter(r)}, nil
}

func toUserPayload(r accounts.Result, err error) (*model.UserPayload, error) {
	if err != nil {
		return nil, err
	}
	ue, err := toUserErrors(r.Errors)
	if err != nil {
		return nil, err
	}
	return &model.UserPayload{User: toUser(r.User), UserErrors: ue}, nil
}

func toAddressPayload(r accounts.AddressResult, err error) (*model.AddressPayload, error) {
	if err != nil {
		return nil, err
	}
	ue, err := toUserErrors(r.Errors)
	if err != nil {
		return nil, err
	}
	return &model.AddressPayload{Address: toAddress(r.Address), UserErrors: ue}, nil
}

// addressInput converts a GraphQL address to the domain's.
func addressInput(in model.AddressInput) users.AddressInput {
	return users.AddressInput{
		Name: &in.Name, Line1: &in.Line1, Line2: in.Line2, City: &in.City, Region: in.Region,
		PostalCode: &in.PostalCode, Country: &in.Country, Phone: in.Phone,
		DefaultShipping: in.IsDefaultShipping, DefaultBilling: in.IsDefaultBilling,
	}
}

func addressUpdate(in model.AddressUpdateInput) users.AddressInput {
	return users.AddressInput{
		Name: in.Name, Line1: in.Line1, Line2: in.Line2, City: in.City, Region: in.Region,
		PostalCode: in.PostalCode, Country: in.Country, Phone: in.Phone,
		DefaultShipping: in.IsDefaultShipping, DefaultBilling: in.IsDefaultBilling,
	}
}

// addressOf returns the signed-in user and the address id an address
// mutation names; a malformed id comes back as the NOT_FOUND an unknown one
// gets, an anonymous request as UNAUTHENTICATED.
func addressOf(ctx context.Context, id string) (user, address int64, errs []model.AccountUserError, err error) {
	p, err := auth.Require(ctx)
	if err != nil {
		return 0, 0, nil, err
	}
	n, err := relay.DecodeID(kindAddress, id)
	if err != nil {
		return 0, 0, notFoundAddress(), nil
	}
	return p.UserID, n, nil, nil
}

// notFoundAddress answers a malformed address id as an unknown one.
func notFoundAddress() []model.AccountUserError {
	return []model.AccountUserError{{Code: model.AccountErrorCodeNotFound, Field: []string{"id"},
		Message: "There is no such address in your address book."}}
}
