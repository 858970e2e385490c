// Package model holds the users subgraph's GraphQL models: the hand-written entities
// here, the rest generated into models_gen.go.
package model

import "time"

// User is an account; Key is its database id. The private fields are named
// unlike their GraphQL fields on purpose, so that gqlgen generates resolvers
// for email and role, which check who is asking.
type User struct {
	Key       int64 `json:"-"`
	ID        string
	Name      string
	CreatedAt time.Time
	// EmailAddress and AccountRole are shown only to the owner and admins.
	EmailAddress string `json:"-"`
	AccountRole  string `json:"-"`
	// JustAuthenticated marks the user a sign-in, sign-up or refresh of this
	// request proved to be the caller (the request carries no token yet), so
	// that the payload may show their own email, role and addresses.
	JustAuthenticated bool `json:"-"`
}

// IsEntity marks User as a federation entity.
func (User) IsEntity() {}
