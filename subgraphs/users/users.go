// Package users is the users domain: accounts, their roles, and the service the
// GraphQL layer reads them through. It depends on the standard library only.
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
}
