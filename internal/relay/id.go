// Package relay implements the graph's conventions for identity and paging: opaque
// global IDs that carry their type, opaque cursors, and Relay connection paging.
package relay

import (
	"fmt"
	"strconv"
	"strings"
)

// idPrefix starts every global ID: gid://shopgraph/<Kind>/<number>.
const idPrefix = "gid://shopgraph/"

// EncodeID returns the global ID of the object of the given kind (a GraphQL type
// name such as "Product") with database id n.
func EncodeID(kind string, n int64) string {
	return idPrefix + kind + "/" + strconv.FormatInt(n, 10)
}

// DecodeID returns the database id in s, a global ID that must be of the given
// kind. Clients should treat IDs as opaque; the error says what was expected so a
// mixed-up ID (a Review's ID passed as a Product's) is easy to spot.
func DecodeID(kind, s string) (int64, error) {
	rest, ok := strings.CutPrefix(s, idPrefix)
	if !ok {
		return 0, fmt.Errorf("invalid %s ID %q: not a shopgraph ID", kind, s)
	}
	gotKind, num, ok := strings.Cut(rest, "/")
	if !ok {
		return 0, fmt.Errorf("invalid %s ID %q: not a shopgraph ID", kind, s)
	}
	if gotKind != kind {
		return 0, fmt.Errorf("invalid %s ID %q: it is a %s ID", kind, s, gotKind)
	}
	n, err := strconv.ParseInt(num, 10, 64)
	// Only the canonical spelling is accepted, so one object has exactly one ID.
	if err != nil || n <= 0 || strconv.FormatInt(n, 10) != num {
		return 0, fmt.Errorf("invalid %s ID %q: bad number", kind, s)
	}
	return n, nil
}
