package graph

import (
	"github.com/shopgraph/shopgraph/internal/relay"
	"github.com/shopgraph/shopgraph/subgraphs/users"
	"github.com/shopgraph/shopgraph/subgraphs/users/graph/model"
)

// kindUser is the type name global User IDs carry.
const kindUser = "User"

// userID decodes a global User ID, as a domain error clients can read.
func userID(id string) (int64, error) {
	n, err := relay.DecodeID(kindUser, id)
	if err != nil {
		return 0, users.Errorf(users.EINVALID, "%v", err)
	}
	return n, nil
}

// toUser converts a domain user to the GraphQL model; nil stays nil.
func toUser(u *users.User) *model.User {
	if u == nil {
		return nil
	}
	return &model.User{
		Key:       u.ID,
		ID:        relay.EncodeID(kindUser, u.ID),
		Name:      u.Name,
		CreatedAt: u.CreatedAt,
	}
}
