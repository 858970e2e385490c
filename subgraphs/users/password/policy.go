package password

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Policy error codes, for the API layer to map to a field error on the password.
const (
	CodeTooShort         = "TOO_SHORT"
	CodeTooLong          = "TOO_LONG"
	CodeTooCommon        = "TOO_COMMON"
	CodeContainsPersonal = "CONTAINS_PERSONAL"
	CodeInvalid          = "INVALID"
)

// minPersonalLen is the shortest name or email part that counts as personal: any
// shorter ("al", "li") would reject ordinary passwords by chance.
const minPersonalLen = 4

// Policy is what a new password must satisfy. Lengths are in characters (runes),
// as a shopper counts them, not bytes.
//
// Start from DefaultPolicy and change fields as needed: it also carries the
// common-password set, indexed once and shared by copies. A Policy written as a
// struct literal still checks the list, by a slower linear scan.
type Policy struct {
	MinLength, MaxLength int

	common *commonList
}

// DefaultPolicy returns the policy for shopper accounts: 10 to 128 characters
// (NIST SP 800-63B allows a minimum of 8; 10 costs shoppers little with a
// password manager and blunts online guessing), not a common password, and not
// containing the shopper's name or email.
func DefaultPolicy() Policy {
	return Policy{MinLength: 10, MaxLength: 128, common: newCommonList()}
}

// Validate reports bad lengths, naming each bad field.
func (p Policy) Validate() error {
	var errs []error
	if p.MinLength < 1 {
		errs = append(errs, fmt.Errorf("password policy: MinLength is %d, want at least 1", p.MinLength))
	}
	if p.MaxLength < p.MinLength {
		errs = append(errs, fmt.Errorf("password policy: MaxLength is %d, want at least MinLength (%d)", p.MaxLength, p.MinLength))
	}
	return errors.Join(errs...)
}

// PolicyError is why a password was refused: a Code from the Code constants and a
// Message in plain words, fit to show the shopper as it is.
type PolicyError struct {
	Code    string
	Message string
}

// Error returns the code and message; it never contains the password.
func (e *PolicyError) Error() string { return "password policy: " + e.Code + ": " + e.Message }

// Check returns nil if password satisfies p, or a *PolicyError for the first rule
// it breaks. personal holds what the shopper told us about themselves (email,
// name): an email counts by its local part, a name whole and word by word, each
// only when at least 4 characters long; matching ignores case.
func (p Policy) Check(password string, personal ...string) error {
	if !utf8.ValidString(password) {
		return &PolicyError{Code: CodeInvalid, Message: "Your password contains characters we can't read. Please type it again."}
	}
	for _, r := range password {
		if unicode.IsControl(r) {
			return &PolicyError{Code: CodeInvalid, Message: "Remove invisible characters such as tabs or line breaks from your password."}
		}
	}
	n := utf8.RuneCountInString(password)
	if n < p.MinLength {
		return &PolicyError{Code: CodeTooShort, Message: fmt.Sprintf("Use at least %d characters.", p.MinLength)}
	}
	if n > p.MaxLength {
		return &PolicyError{Code: CodeTooLong, Message: fmt.Sprintf("Use at most %d characters.", p.MaxLength)}
	}
	if p.common.isCommon(password) {
		return &PolicyError{Code: CodeTooCommon, Message: "This password is too common and easy to guess. Choose another."}
	}
	lower := strings.ToLower(password)
	for _, term := range personalTerms(personal) {
		if strings.Contains(lower, term) {
			return &PolicyError{Code: CodeContainsPersonal, Message: "Don't use your name or email address in your password."}
		}
	}
	return nil
}

// personalTerms lower-cases what the shopper told us and splits it into the terms a
// password must not contain: an email's local part and a name, each whole and as
// its words (split at spaces, dots, dashes and the like), when ≥ minPersonalLen.
func personalTerms(personal []string) []string {
	var terms []string
	add := func(s string) {
		if utf8.RuneCountInString(s) >= minPersonalLen {
			terms = append(terms, s)
		}
	}
	for _, s := range personal {
		s = strings.ToLower(strings.TrimSpace(s))
		if at := strings.LastIndexByte(s, '@'); at >= 0 {
			s = s[:at]
		}
		add(s)
		words := strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
		if len(words) > 1 {
			for _, w := range words {
				add(w)
			}
		}
	}
	return terms
}
