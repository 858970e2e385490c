package relay

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
)

// cursorVersion is the first element of every cursor, so the format can change
// while old cursors still give a clear error.
const cursorVersion = "c1"

// EncodeCursor returns an opaque cursor holding the given sort-key values, such as
// a product's id, or its price and id for a price sort.
func EncodeCursor(values ...string) string {
	b, err := json.Marshal(append([]string{cursorVersion}, values...))
	if err != nil {
		// Marshalling a []string cannot fail.
		panic(fmt.Sprintf("relay: encode cursor: %v", err))
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// DecodeCursor returns the sort-key values of a cursor made by EncodeCursor.
func DecodeCursor(cursor string) ([]string, error) {
	raw, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil {
		return nil, fmt.Errorf("invalid cursor %q", cursor)
	}
	var values []string
	if err := json.Unmarshal(raw, &values); err != nil || len(values) == 0 || values[0] != cursorVersion {
		return nil, fmt.Errorf("invalid cursor %q", cursor)
	}
	return values[1:], nil
}

// EncodeIntCursor returns an opaque cursor for a single integer sort key.
func EncodeIntCursor(n int64) string {
	return EncodeCursor(strconv.FormatInt(n, 10))
}

// DecodeIntCursor returns the integer in a cursor made by EncodeIntCursor.
func DecodeIntCursor(cursor string) (int64, error) {
	values, err := DecodeCursor(cursor)
	if err != nil {
		return 0, err
	}
	if len(values) != 1 {
		return 0, errors.New("invalid cursor: not from this list")
	}
	n, err := strconv.ParseInt(values[0], 10, 64)
	if err != nil {
		return 0, errors.New("invalid cursor: not from this list")
	}
	return n, nil
}
