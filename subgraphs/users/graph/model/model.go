// Package model holds the users subgraph's GraphQL models: the hand-written entities
// here, the rest generated into models_gen.go.
package model

import "time"

// User is an account's public profile; Key is its database id.
type User struct {
	Key       int64 `json:"-"`
	ID        string
	Name      string
	CreatedAt time.Time
}

// IsEntity marks User as a federation entity.
func (User) IsEntity() {}
