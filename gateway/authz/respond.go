package authz

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/vektah/gqlparser/v2/ast"
)

// Complete writes what the filter removed back into a response body
// ({"data":…,"errors":[…],…} as the executor wrote it for the filtered
// operation): each removed field is set to null where its parent object is
// (a non-null field's null bubbling to the nearest nullable parent), each
// place gets an error, and the __typename fields the filter added are taken
// out. The response is decoded keeping key order, which the client's
// operation set.
func (r *Result) Complete(body []byte) ([]byte, error) {
	if r == nil || len(r.Removed) == 0 {
		return body, nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	resp, err := decode(dec)
	if err != nil {
		return nil, fmt.Errorf("authz: decode response: %w", err)
	}
	if resp.kind != '{' {
		return body, nil
	}
	var errs []*value
	if data := resp.get("data"); data != nil && data.kind == '{' {
		c := completer{}
		for _, rm := range r.Removed {
			if c.object(data, rm, 0, nil) {
				resp.set("data", &value{kind: 'n'}, "")
				break
			}
		}
		errs = c.errors
		if d := resp.get("data"); d != nil {
			stripTypename(d)
		}
	}
	if len(errs) > 0 {
		list := resp.get("errors")
		if list == nil || list.kind != '[' {
			list = &value{kind: '['}
			resp.set("errors", list, "data")
		}
		list.items = append(errs, list.items...)
	}
	var buf bytes.Buffer
	buf.Grow(len(body) + 128*len(errs))
	resp.write(&buf)
	return buf.Bytes(), nil
}

// completer applies removals to the decoded data.
type completer struct {
	errors []*value
}

// object applies rm to obj, the object holding rm.Steps[i]. It returns true
// when obj must become null (a non-null field in it was nulled).
func (c *completer) object(obj *value, rm Removal, i int, path []any) bool {
	if obj == nil || obj.kind != '{' {
		return false
	}
	if i == len(rm.Steps) { // a removed fragment: its objects get the error
		if tn := typename(obj); tn == "" || tn == rm.Fragment {
			c.errorAt(path)
		}
		return false
	}
	st := rm.Steps[i]
	if st.On != "" {
		if tn := typename(obj); tn != "" && tn != st.On {
			return false
		}
	}
	here := append(path[:len(path):len(path)], st.Key)
	if i == len(rm.Steps)-1 && rm.Fragment == "" {
		if obj.get(st.Key) == nil {
			obj.set(st.Key, &value{kind: 'n'}, rm.After)
		}
		c.errorAt(here)
		return st.Type.NonNull
	}
	child := obj.get(st.Key)
	if child == nil {
		return false
	}
	if c.nest(child, st.Type, rm, i, here) {
		if st.Type.NonNull {
			return true
		}
		obj.set(st.Key, &value{kind: 'n'}, "")
	}
	return false
}

// nest goes down the list levels of a field's value v of type t to the objects
// at the next step. It returns true when v must become null: an object in
// which a non-null field was nulled, or a list whose non-null item was.
func (c *completer) nest(v *value, t *ast.Type, rm Removal, i int, path []any) bool {
	if t.Elem == nil {
		return c.object(v, rm, i+1, path)
	}
	if v.kind != '[' {
		return false
	}
	for idx, it := range v.items {
		if c.nest(it, t.Elem, rm, i, append(path[:len(path):len(path)], idx)) {
			if t.Elem.NonNull {
				return true
			}
			v.items[idx] = &value{kind: 'n'}
		}
	}
	return false
}

func (c *completer) errorAt(path []any) {
	p := &value{kind: '['}
	for _, e := range path {
		switch e := e.(type) {
		case string:
			p.items = append(p.items, &value{kind: 's', str: e})
		case int:
			p.items = append(p.items, &value{kind: '0', str: strconv.Itoa(e)})
		}
	}
	c.errors = append(c.errors, &value{kind: '{', members: []member{
		{"message", &value{kind: 's', str: Message}},
		{"path", p},
		{"extensions", &value{kind: '{', members: []member{{"code", &value{kind: 's', str: Code}}}}},
	}})
}

func typename(obj *value) string {
	for _, k := range []string{typenameAlias, "__typename"} {
		if v := obj.get(k); v != nil && v.kind == 's' {
			return v.str
		}
	}
	return ""
}

// stripTypename removes the __typename fields the filter added.
func stripTypename(v *value) {
	switch v.kind {
	case '{':
		out := v.members[:0]
		for _, m := range v.members {
			if m.key == typenameAlias {
				continue
			}
			stripTypename(m.val)
			out = append(out, m)
		}
		v.members = out
	case '[':
		for _, it := range v.items {
			stripTypename(it)
		}
	}
}

// value is a decoded JSON value that keeps object key order. kind is '{',
// '[', 's' (string), '0' (number, str its text), 't', 'f' or 'n'.
type value struct {
	kind    byte
	str     string
	members []member
	items   []*value
}

type member struct {
	key string
	val *value
}

func (v *value) get(key string) *value {
	for _, m := range v.members {
		if m.key == key {
			return m.val
		}
	}
	return nil
}

// set replaces key's value, or adds it after the member after ("" first;
// at the end when after is missing).
func (v *value) set(key string, val *value, after string) {
	for i := range v.members {
		if v.members[i].key == key {
			v.members[i].val = val
			return
		}
	}
	at := len(v.members)
	if after == "" {
		at = 0
	}
	for i, m := range v.members {
		if m.key == after {
			at = i + 1
			break
		}
	}
	v.members = append(v.members[:at], append([]member{{key, val}}, v.members[at:]...)...)
}

func decode(dec *json.Decoder) (*value, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			v := &value{kind: '{'}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				k, _ := kt.(string)
				mv, err := decode(dec)
				if err != nil {
					return nil, err
				}
				v.members = append(v.members, member{k, mv})
			}
			_, err := dec.Token()
			return v, err
		case '[':
			v := &value{kind: '['}
			for dec.More() {
				it, err := decode(dec)
				if err != nil {
					return nil, err
				}
				v.items = append(v.items, it)
			}
			_, err := dec.Token()
			return v, err
		}
	case string:
		return &value{kind: 's', str: t}, nil
	case json.Number:
		return &value{kind: '0', str: t.String()}, nil
	case bool:
		if t {
			return &value{kind: 't'}, nil
		}
		return &value{kind: 'f'}, nil
	case nil:
		return &value{kind: 'n'}, nil
	}
	return nil, fmt.Errorf("unexpected token %v", tok)
}

func (v *value) write(b *bytes.Buffer) {
	switch v.kind {
	case '{':
		b.WriteByte('{')
		for i, m := range v.members {
			if i > 0 {
				b.WriteByte(',')
			}
			writeString(b, m.key)
			b.WriteByte(':')
			m.val.write(b)
		}
		b.WriteByte('}')
	case '[':
		b.WriteByte('[')
		for i, it := range v.items {
			if i > 0 {
				b.WriteByte(',')
			}
			it.write(b)
		}
		b.WriteByte(']')
	case 's':
		writeString(b, v.str)
	case '0':
		b.WriteString(v.str)
	case 't':
		b.WriteString("true")
	case 'f':
		b.WriteString("false")
	default:
		b.WriteString("null")
	}
}

func writeString(b *bytes.Buffer, s string) {
	enc, _ := json.Marshal(s)
	b.Write(enc)
}
