package limits

import (
	"bytes"
	"errors"
	"fmt"
)

// A minimal JSON scanner for the actual cost: it reads object keys and list
// lengths and skips every other value without decoding or allocating. The input
// is a response the router itself serialised, so it only needs to be read, not
// validated; malformed input ends the walk with an error.

var errTruncated = errors.New("response JSON ends early")

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t') {
		i++
	}
	return i
}

// skipString returns the index after the string that starts at b[i] ('"').
func skipString(b []byte, i int) (int, error) {
	start := i
	for i++; ; i++ {
		j := bytes.IndexByte(b[i:], '"')
		if j < 0 {
			return 0, errTruncated
		}
		i += j
		// The quote ends the string unless an odd run of backslashes escapes it.
		n := 0
		for k := i - 1; k > start && b[k] == '\\'; k-- {
			n++
		}
		if n%2 == 0 {
			return i + 1, nil
		}
	}
}

// readKey reads the object key at b[i] (after spaces) and the colon after it:
// the key's raw bytes (response keys are GraphQL names, never escaped) and the
// index of its value.
func readKey(b []byte, i int) (key []byte, next int, err error) {
	i = skipSpace(b, i)
	if i >= len(b) || b[i] != '"' {
		return nil, 0, fmt.Errorf("object key expected at byte %d", i)
	}
	end, err := skipString(b, i)
	if err != nil {
		return nil, 0, err
	}
	key = b[i+1 : end-1]
	i = skipSpace(b, end)
	if i >= len(b) || b[i] != ':' {
		return nil, 0, fmt.Errorf("colon expected at byte %d", i)
	}
	return key, i + 1, nil
}

// skipValue returns the index after the value at b[i] (after spaces). Nested
// arrays and objects are skipped by counting brackets, so a deep custom scalar
// cannot exhaust the stack.
func skipValue(b []byte, i int) (int, error) {
	i = skipSpace(b, i)
	if i >= len(b) {
		return 0, errTruncated
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for ; i < len(b); i++ {
			switch b[i] {
			case '"':
				end, err := skipString(b, i)
				if err != nil {
					return 0, err
				}
				i = end - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1, nil
				}
			}
		}
		return 0, errTruncated
	}
	// A number, true, false or null.
	for ; i < len(b); i++ {
		switch b[i] {
		case ',', '}', ']', ' ', '\n', '\r', '\t':
			return i, nil
		}
	}
	return i, nil
}

// isNull reports whether the value at b[i] (after spaces) is null.
func isNull(b []byte, i int) bool {
	return len(b)-i >= 4 && string(b[i:i+4]) == "null"
}

// afterMember moves past the comma between members or elements; end is the
// closing bracket. done is true after the closing bracket.
func afterMember(b []byte, i int, end byte) (next int, done bool, err error) {
	i = skipSpace(b, i)
	if i >= len(b) {
		return 0, false, errTruncated
	}
	switch b[i] {
	case ',':
		return i + 1, false, nil
	case end:
		return i + 1, true, nil
	}
	return 0, false, fmt.Errorf("',' or %q expected at byte %d", end, i)
}

// openEmpty consumes the opening bracket at b[i] (after spaces) and reports
// whether the array or object is empty (then next is after its closing bracket).
func openEmpty(b []byte, i int, open, end byte) (next int, empty bool, err error) {
	i = skipSpace(b, i)
	if i >= len(b) || b[i] != open {
		return 0, false, fmt.Errorf("%q expected at byte %d", open, i)
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == end {
		return i + 1, true, nil
	}
	return i, false, nil
}

// findKey returns the string value of key in the object at b[i], or "".
func findKey(b []byte, i int, key string) string {
	i, empty, err := openEmpty(b, i, '{', '}')
	if err != nil || empty {
		return ""
	}
	for {
		k, vi, err := readKey(b, i)
		if err != nil {
			return ""
		}
		vi = skipSpace(b, vi)
		if string(k) == key && vi < len(b) && b[vi] == '"' {
			end, err := skipString(b, vi)
			if err != nil {
				return ""
			}
			return string(b[vi+1 : end-1])
		}
		if i, err = skipValue(b, vi); err != nil {
			return ""
		}
		var done bool
		if i, done, err = afterMember(b, i, '}'); err != nil || done {
			return ""
		}
	}
}
