package password

import (
	_ "embed"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// commonPasswords is zxcvbn's list of the 30,000 most frequent passwords, one
// per line, written by `go run ./tools/commonpasswords` (make generate). It is
// embedded rather than imported from the zxcvbn port, whose package builds a map
// of all its lists at start-up in every process of the binary.
//
//go:embed common_passwords.txt
var commonPasswords string

// Appended digits and symbols ("password123!", "monkey2024") are the commonest way
// people stretch a listed password to a length rule, so a password is also
// common when stripping a short tail of non-letters leaves a listed word. The
// limits keep the rule from catching strong ones: a long random tail on a short
// word ("blue!#8472&1938") is not what the lists measure.
const (
	maxStrippedTail = 6 // runes of digits/symbols stripped from the end
	minStrippedBase = 4 // runes that must remain for the rest to count as a listed word
)

// commonList is the set of commonly used passwords, lower-cased, built on first use
// and then read-only; Policies copied from one DefaultPolicy share it.
type commonList struct {
	set func() map[string]struct{}
}

// newCommonList returns a list whose set is built once, on the first lookup.
//
// The words are zxcvbn's "passwords" frequency list (the 30,000 most frequent
// passwords from leaked-password corpora, as shipped in the Go port
// github.com/trustelem/zxcvbn/frequency), so the list is maintained upstream
// rather than typed here.
func newCommonList() *commonList {
	return &commonList{set: sync.OnceValue(func() map[string]struct{} {
		words := strings.Split(strings.TrimSuffix(commonPasswords, "\n"), "\n")
		set := make(map[string]struct{}, len(words))
		for _, w := range words {
			set[strings.ToLower(w)] = struct{}{}
		}
		return set
	})}
}

// isCommon reports whether password, compared case-insensitively, is on the list
// or is a listed word with a short tail of digits or symbols appended.
func (c *commonList) isCommon(password string) bool {
	lower := strings.ToLower(password)
	if c.has(lower) {
		return true
	}
	base := lower
	for n := 0; n < maxStrippedTail; n++ {
		r, size := utf8.DecodeLastRuneInString(base)
		if size == 0 || unicode.IsLetter(r) {
			break
		}
		base = base[:len(base)-size]
		if utf8.RuneCountInString(base) >= minStrippedBase && c.has(base) {
			return true
		}
	}
	return false
}

// has looks w up; a nil list (a Policy built as a struct literal rather than from
// DefaultPolicy) scans the source slice instead, slower but never skipping the check.
func (c *commonList) has(w string) bool {
	if c != nil {
		_, ok := c.set()[w]
		return ok
	}
	for listed := range strings.Lines(commonPasswords) {
		if strings.ToLower(strings.TrimSuffix(listed, "\n")) == w {
			return true
		}
	}
	return false
}
