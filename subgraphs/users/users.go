// Package users is the users domain: accounts, their roles, addresses and
// sessions, and the services the GraphQL layer and the account flows
// (subgraphs/users/accounts) reach them through. It depends on the standard
// library only.
package users

import (
	"context"
	"time"
)

// Role is what an account may do.
type Role string

// Roles of an account.
const (
	RoleCustomer Role = "CUSTOMER"
	RoleAdmin    Role = "ADMIN"
)

// User is an account.
type User struct {
	ID        int64
	Email     string
	Name      string
	Role      Role
	CreatedAt time.Time
}

// UserService reads accounts.
type UserService interface {
	// UsersByIDs returns the users with the given ids, keyed by id; ids without a
	// user are absent. One call is one query however many ids there are.
	UsersByIDs(ctx context.Context, ids []int64) (map[int64]*User, error)
	// AddressesByUserIDs returns the addresses of each user, oldest first, keyed
	// by user id, in one query.
	AddressesByUserIDs(ctx context.Context, userIDs []int64) (map[int64][]*Address, error)
}

// Address is a postal address in a user's address book.
type Address struct {
	ID              int64
	UserID          int64
	Name            string
	Line1           string
	Line2           string
	City            string
	Region          string
	PostalCode      string
	Country         string // ISO 3166-1 alpha-2, upper case
	Phone           string
	DefaultShipping bool
	DefaultBilling  bool
	CreatedAt       time.Time
}

// MaxAddresses bounds one user's address book.
const MaxAddresses = 20
