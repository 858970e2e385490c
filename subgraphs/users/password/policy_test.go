package password

import (
	"errors"
	"strings"
	"testing"
)

func TestPolicyCheck(t *testing.T) {
	t.Parallel()
	p := DefaultPolicy()
	const email, name = "JaneDoe@example.com", "Alexander Smith"
	tests := []struct {
		name     string
		password string
		personal []string
		code     string // "" for accepted
	}{
		{"strong", "correct horse battery staple", []string{email, name}, ""},
		{"strong with symbols", "Tr0ub4dor&3-xyzzy", nil, ""},
		{"exactly the minimum", "pl8ypus-Q2", nil, ""},
		{"one short of the minimum", "pl8ypus-Q", nil, CodeTooShort},
		{"short", "abc", nil, CodeTooShort},
		{"empty", "", nil, CodeTooShort},
		{"short in runes though long in bytes", "ŵŷźżžſƀƁƂ", nil, CodeTooShort},
		{"minimum in runes", "ŵŷźżžſƀƁƂƃ", nil, ""},
		{"exactly the maximum", strings.Repeat("kq7#", 32), nil, ""},
		{"one over the maximum", strings.Repeat("kq7#", 32) + "z", nil, CodeTooLong},
		{"common", "password123", nil, CodeTooCommon},
		{"common keyboard walk", "qwertyuiop", nil, CodeTooCommon},
		{"common in other case", "QwErTyUiOp", nil, CodeTooCommon},
		{"common number run", "1234567890", nil, CodeTooCommon},
		{"common with digits appended", "iloveyou2024", nil, CodeTooCommon},
		{"common with symbols appended", "password123!!", nil, CodeTooCommon},
		{"common word with digits appended", "sunshine1987", nil, CodeTooCommon},
		{"listed word under a long random tail", "blue!#8472&1938", nil, ""},
		{"contains email local part", "xx-janedoe-2031", []string{email}, CodeContainsPersonal},
		{"contains email local part in other case", "JANEDOE.rocks!", []string{email}, CodeContainsPersonal},
		{"contains a name word", "alexander-rocks-42", []string{email, name}, CodeContainsPersonal},
		{"contains the full name", "ALEXANDER SMITH!!", []string{name}, CodeContainsPersonal},
		{"contains a word of a dotted email", "i am mary, hi!", []string{"mary.o@example.com"}, CodeContainsPersonal},
		{"short personal parts do not count", "bob-and-ann-forever", []string{"bob@example.com", "Ann Li"}, ""},
		{"email domain does not count", "example-rocks-7", []string{"someone@example.com"}, ""},
		{"invalid utf-8", "abc\xffdefghijk", nil, CodeInvalid},
		{"tab", "correct\thorse battery", nil, CodeInvalid},
		{"newline", "correct horse\nbattery", nil, CodeInvalid},
		{"nul", "correct horse\x00battery", nil, CodeInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := p.Check(tt.password, tt.personal...)
			if tt.code == "" {
				if err != nil {
					t.Fatalf("Check(%q) = %v, want nil", tt.password, err)
				}
				return
			}
			var pe *PolicyError
			if !errors.As(err, &pe) {
				t.Fatalf("Check(%q) = %v, want a *PolicyError %s", tt.password, err, tt.code)
			}
			if pe.Code != tt.code {
				t.Errorf("Check(%q) code %s (%s), want %s", tt.password, pe.Code, pe.Message, tt.code)
			}
			if pe.Message == "" || !strings.HasSuffix(pe.Message, ".") {
				t.Errorf("Check(%q) message %q is not a sentence", tt.password, pe.Message)
			}
			if tt.password != "" && (strings.Contains(pe.Message, tt.password) || strings.Contains(pe.Error(), tt.password)) {
				t.Errorf("Check(%q) error repeats the password: %q", tt.password, pe.Error())
			}
		})
	}
}

func TestPolicyMessagesNameTheLimits(t *testing.T) {
	t.Parallel()
	p := DefaultPolicy()
	p.MinLength, p.MaxLength = 12, 64
	for _, tt := range []struct{ password, want string }{
		{"short", "Use at least 12 characters."},
		{strings.Repeat("a1", 40), "Use at most 64 characters."},
	} {
		var pe *PolicyError
		if err := p.Check(tt.password); !errors.As(err, &pe) || pe.Message != tt.want {
			t.Errorf("Check(%.10q…) = %v, want message %q", tt.password, err, tt.want)
		}
	}
}

func TestPolicyLiteralStillChecksCommonPasswords(t *testing.T) {
	t.Parallel()
	p := Policy{MinLength: 10, MaxLength: 128} // no DefaultPolicy: no indexed set
	for _, pw := range []string{"password123", "Qwertyuiop", "iloveyou2024"} {
		var pe *PolicyError
		if err := p.Check(pw); !errors.As(err, &pe) || pe.Code != CodeTooCommon {
			t.Errorf("Check(%q) = %v, want TOO_COMMON", pw, err)
		}
	}
}

func TestCommonListIsARealList(t *testing.T) {
	t.Parallel()
	set := newCommonList().set()
	if len(set) < 10000 {
		t.Fatalf("common-password set has %d entries, want thousands", len(set))
	}
	for _, w := range []string{"123456", "password", "qwerty", "iloveyou", "monkey", "dragon", "letmein"} {
		if _, ok := set[w]; !ok {
			t.Errorf("%q missing from the common-password set", w)
		}
	}
}

func TestPolicyValidate(t *testing.T) {
	t.Parallel()
	if err := DefaultPolicy().Validate(); err != nil {
		t.Fatalf("DefaultPolicy().Validate() = %v", err)
	}
	for _, tt := range []struct {
		p    Policy
		want []string
	}{
		{Policy{MinLength: 0, MaxLength: 10}, []string{"MinLength"}},
		{Policy{MinLength: 12, MaxLength: 8}, []string{"MaxLength"}},
		{Policy{MinLength: -1, MaxLength: -2}, []string{"MinLength", "MaxLength"}},
	} {
		err := tt.p.Validate()
		for _, field := range tt.want {
			if err == nil || !strings.Contains(err.Error(), field+" is") {
				t.Errorf("%+v.Validate() = %v, want it to name %s", tt.p, err, field)
			}
		}
	}
}

func BenchmarkPolicyCheck(b *testing.B) {
	p := DefaultPolicy()
	p.common.set() // build the set outside the timed loop
	for b.Loop() {
		_ = p.Check("correct horse battery staple!!", "JaneDoe@example.com", "Jane Doe")
	}
}
