package execute

import (
	"errors"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"
)

// Subgraph answers are parsed straight into Values. Strings without escapes and
// object keys are views into the answer's bytes, which are never written after
// they were read (shared answers are only read), so parsing allocates little
// beyond the Values and their member and item slices, which come from chunks.

var (
	errSyntax   = errors.New("invalid JSON")
	errTooLarge = errors.New("JSON larger than 4 GiB")
)

// parser parses one JSON document into Values from the decoder's chunks.
type parser struct {
	d   *decoder
	s   string
	pos int
}

// parse parses raw as one JSON value followed only by white space. raw must not
// be modified afterwards: the returned strings share its memory.
func (d *decoder) parse(raw []byte) (*Value, error) {
	if len(raw) == 0 {
		return nil, errSyntax
	}
	if uint64(len(raw)) > maxLen {
		// Every string and list in it is shorter than the answer, so a Value's
		// 32-bit lengths hold them all when the answer fits.
		return nil, errTooLarge
	}
	p := parser{d: d, s: unsafe.String(&raw[0], len(raw))}
	v, err := p.value(0)
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.pos != len(p.s) {
		return nil, errSyntax
	}
	return v, nil
}

// maxDepth bounds nesting so that a hostile answer cannot exhaust the stack.
const maxDepth = 512

func (p *parser) skipSpace() {
	for p.pos < len(p.s) {
		switch p.s[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

func (p *parser) value(depth int) (*Value, error) {
	p.skipSpace()
	if p.pos >= len(p.s) || depth > maxDepth {
		return nil, errSyntax
	}
	switch c := p.s[p.pos]; {
	case c == '{':
		return p.object(depth)
	case c == '[':
		return p.array(depth)
	case c == '"':
		s, plain, err := p.str()
		if err != nil {
			return nil, err
		}
		v := p.d.value()
		v.setText(String, s, plain)
		return v, nil
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	case c == 't':
		return p.literal("true", trueValue)
	case c == 'f':
		return p.literal("false", falseValue)
	case c == 'n':
		return p.literal("null", nullValue)
	}
	return nil, errSyntax
}

func (p *parser) literal(lit string, v *Value) (*Value, error) {
	if len(p.s)-p.pos < len(lit) || p.s[p.pos:p.pos+len(lit)] != lit {
		return nil, errSyntax
	}
	p.pos += len(lit)
	return v, nil
}

func (p *parser) object(depth int) (*Value, error) {
	p.pos++ // {
	base := len(p.d.members)
	p.skipSpace()
	if p.pos < len(p.s) && p.s[p.pos] == '}' {
		p.pos++
		v := p.d.value()
		v.setFields(nil)
		return v, nil
	}
	for {
		p.skipSpace()
		if p.pos >= len(p.s) || p.s[p.pos] != '"' {
			return nil, errSyntax
		}
		k, _, err := p.str()
		if err != nil {
			return nil, err
		}
		p.skipSpace()
		if p.pos >= len(p.s) || p.s[p.pos] != ':' {
			return nil, errSyntax
		}
		p.pos++
		c, err := p.value(depth + 1)
		if err != nil {
			return nil, err
		}
		p.d.members = append(p.d.members, Member{Key: k, Value: c})
		p.skipSpace()
		if p.pos >= len(p.s) {
			return nil, errSyntax
		}
		if p.s[p.pos] == ',' {
			p.pos++
			continue
		}
		if p.s[p.pos] != '}' {
			return nil, errSyntax
		}
		p.pos++
		break
	}
	v := p.d.value()
	v.setFields(p.d.memberSlice(p.d.members[base:]))
	clear(p.d.members[base:])
	p.d.members = p.d.members[:base]
	return v, nil
}

func (p *parser) array(depth int) (*Value, error) {
	p.pos++ // [
	base := len(p.d.items)
	p.skipSpace()
	if p.pos < len(p.s) && p.s[p.pos] == ']' {
		p.pos++
		v := p.d.value()
		v.setItems(nil)
		return v, nil
	}
	for {
		c, err := p.value(depth + 1)
		if err != nil {
			return nil, err
		}
		p.d.items = append(p.d.items, c)
		p.skipSpace()
		if p.pos >= len(p.s) {
			return nil, errSyntax
		}
		if p.s[p.pos] == ',' {
			p.pos++
			continue
		}
		if p.s[p.pos] != ']' {
			return nil, errSyntax
		}
		p.pos++
		break
	}
	v := p.d.value()
	v.setItems(p.d.itemSlice(p.d.items[base:]))
	clear(p.d.items[base:])
	p.d.items = p.d.items[:base]
	return v, nil
}

func (p *parser) number() (*Value, error) {
	start := p.pos
	s := p.s
	i := p.pos
	if s[i] == '-' {
		i++
	}
	digits := func() int {
		n := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			n++
		}
		return n
	}
	if i < len(s) && s[i] == '0' {
		i++
	} else if digits() == 0 {
		return nil, errSyntax
	}
	if i < len(s) && s[i] == '.' {
		i++
		if digits() == 0 {
			return nil, errSyntax
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if digits() == 0 {
			return nil, errSyntax
		}
	}
	p.pos = i
	v := p.d.value()
	v.setText(Number, s[start:i], false)
	return v, nil
}

// str reads a string at p.pos (at its opening quote). Without escapes it is a
// view into the input; with escapes it is decoded into a new string. plain
// reports a string of printable ASCII without escapes, which JSON output can
// hold as it is.
func (p *parser) str() (string, bool, error) {
	p.pos++
	start := p.pos
	s := p.s
	plain := true
	for i := start; i < len(s); {
		i = skipPlain(s, i)
		if i == len(s) {
			break
		}
		switch c := s[i]; {
		case c == '"':
			p.pos = i + 1
			return s[start:i], plain, nil
		case c == '\\':
			str, err := p.unescape(start, i)
			return str, false, err
		case c < 0x20:
			return "", false, errSyntax
		default: // non-ASCII: valid or not, output checks it
			plain = false
			i++
		}
	}
	return "", false, errSyntax
}

func (p *parser) unescape(start, i int) (string, error) {
	s := p.s
	buf := make([]byte, 0, i-start+16)
	buf = append(buf, s[start:i]...)
	for i < len(s) {
		c := s[i]
		switch {
		case c == '"':
			p.pos = i + 1
			return string(buf), nil
		case c < 0x20:
			return "", errSyntax
		case c != '\\':
			buf = append(buf, c)
			i++
			continue
		}
		if i+1 >= len(s) {
			return "", errSyntax
		}
		i++
		switch s[i] {
		case '"', '\\', '/':
			buf = append(buf, s[i])
		case 'b':
			buf = append(buf, '\b')
		case 'f':
			buf = append(buf, '\f')
		case 'n':
			buf = append(buf, '\n')
		case 'r':
			buf = append(buf, '\r')
		case 't':
			buf = append(buf, '\t')
		case 'u':
			r, ok := hex4(s, i+1)
			if !ok {
				return "", errSyntax
			}
			i += 4
			if utf16.IsSurrogate(r) {
				if r2, ok := hex4(s, i+3); ok && i+2 < len(s) && s[i+1] == '\\' && s[i+2] == 'u' {
					if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
						r = d
						i += 6
					} else {
						r = utf8.RuneError
					}
				} else {
					r = utf8.RuneError
				}
			}
			buf = utf8.AppendRune(buf, r)
		default:
			return "", errSyntax
		}
		i++
	}
	return "", errSyntax
}

func hex4(s string, i int) (rune, bool) {
	if i+4 > len(s) {
		return 0, false
	}
	n, err := strconv.ParseUint(s[i:i+4], 16, 32)
	if err != nil {
		return 0, false
	}
	return rune(n), true
}

// ParseJSON parses raw, one JSON value, into a Value. The Value shares raw's
// memory: raw must not be modified afterwards.
func ParseJSON(raw []byte) (*Value, error) {
	d := newDecoder(nil)
	defer d.release()
	return d.parse(raw)
}
