package execute

import (
	"strconv"
	"sync"
	"unicode/utf8"

	"github.com/valyala/fastjson"
)

// Kind is the JSON kind of a Value.
type Kind uint8

// The JSON kinds.
const (
	Null Kind = iota
	Object
	Array
	String
	Number
	True
	False
)

// Value is a mutable JSON tree. The response is built in one of these, extended in
// place by entity fetches and written out once, without reflection.
type Value struct {
	Kind Kind
	// Str holds a string's text or a number's literal.
	Str    string
	Fields []Member
	Items  []*Value
}

// Member is one key of an object, in order.
type Member struct {
	Key   string
	Value *Value
}

// Shared leaves; merging never modifies a non-object, non-list value.
var (
	nullValue  = &Value{Kind: Null}
	trueValue  = &Value{Kind: True}
	falseValue = &Value{Kind: False}
)

// Get returns the member named key or nil.
func (v *Value) Get(key string) *Value {
	if v == nil || v.Kind != Object {
		return nil
	}
	for i := range v.Fields {
		if v.Fields[i].Key == key {
			return v.Fields[i].Value
		}
	}
	return nil
}

// Set replaces or adds the member key.
func (v *Value) Set(key string, val *Value) {
	for i := range v.Fields {
		if v.Fields[i].Key == key {
			v.Fields[i].Value = val
			return
		}
	}
	v.Fields = append(v.Fields, Member{Key: key, Value: val})
}

// decoder turns subgraph answers into Values. Decoders are pooled: the fastjson
// parser's buffers and the table of interned object keys (field names repeat in
// every answer) are reused; Values come from chunks instead of one allocation each.
type decoder struct {
	p    fastjson.Parser
	keys map[string]string
	slab []Value
}

var decoders = sync.Pool{New: func() any { return &decoder{keys: map[string]string{}} }}

// maxInterned bounds the key table so that answers with ever new keys cannot grow it.
const maxInterned = 4096

func (d *decoder) value() *Value {
	if len(d.slab) == 0 {
		d.slab = make([]Value, 128)
	}
	v := &d.slab[0]
	d.slab = d.slab[1:]
	return v
}

func (d *decoder) key(k []byte) string {
	if s, ok := d.keys[string(k)]; ok {
		return s
	}
	s := string(k)
	if len(d.keys) < maxInterned {
		d.keys[s] = s
	}
	return s
}

// release returns the decoder to the pool; Values already handed out stay valid.
func (d *decoder) release() {
	d.slab = nil
	decoders.Put(d)
}

// fromFastJSON copies a parsed fastjson value; strings are copied because the
// parser's buffers are reused.
func (d *decoder) fromFastJSON(j *fastjson.Value) *Value {
	switch j.Type() {
	case fastjson.TypeObject:
		o, _ := j.Object()
		v := d.value()
		*v = Value{Kind: Object, Fields: make([]Member, 0, o.Len())}
		o.Visit(func(k []byte, c *fastjson.Value) {
			v.Fields = append(v.Fields, Member{Key: d.key(k), Value: d.fromFastJSON(c)})
		})
		return v
	case fastjson.TypeArray:
		a, _ := j.Array()
		v := d.value()
		*v = Value{Kind: Array, Items: make([]*Value, len(a))}
		for i, c := range a {
			v.Items[i] = d.fromFastJSON(c)
		}
		return v
	case fastjson.TypeString:
		v := d.value()
		*v = Value{Kind: String, Str: string(j.GetStringBytes())}
		return v
	case fastjson.TypeNumber:
		v := d.value()
		*v = Value{Kind: Number, Str: j.String()}
		return v
	case fastjson.TypeTrue:
		return trueValue
	case fastjson.TypeFalse:
		return falseValue
	default:
		return nullValue
	}
}

// merge folds src into dst: objects key by key, lists of equal length element by
// element; anything else in src replaces dst.
func merge(dst, src *Value) *Value {
	if dst == nil || src == nil {
		if src == nil {
			return dst
		}
		return src
	}
	if dst.Kind == Object && src.Kind == Object {
		for _, m := range src.Fields {
			if cur := dst.Get(m.Key); cur != nil {
				dst.Set(m.Key, merge(cur, m.Value))
			} else {
				dst.Fields = append(dst.Fields, m)
			}
		}
		return dst
	}
	if dst.Kind == Array && src.Kind == Array && len(dst.Items) == len(src.Items) {
		for i := range dst.Items {
			dst.Items[i] = merge(dst.Items[i], src.Items[i])
		}
		return dst
	}
	return src
}

// appendJSON writes v as JSON.
func appendJSON(buf []byte, v *Value) []byte {
	if v == nil {
		return append(buf, "null"...)
	}
	switch v.Kind {
	case Object:
		buf = append(buf, '{')
		for i, m := range v.Fields {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = appendString(buf, m.Key)
			buf = append(buf, ':')
			buf = appendJSON(buf, m.Value)
		}
		return append(buf, '}')
	case Array:
		buf = append(buf, '[')
		for i, it := range v.Items {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = appendJSON(buf, it)
		}
		return append(buf, ']')
	case String:
		return appendString(buf, v.Str)
	case Number:
		return append(buf, v.Str...)
	case True:
		return append(buf, "true"...)
	case False:
		return append(buf, "false"...)
	}
	return append(buf, "null"...)
}

const hex = "0123456789abcdef"

// appendString writes s as a JSON string, replacing invalid UTF-8.
func appendString(buf []byte, s string) []byte {
	buf = append(buf, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			buf = append(buf, s[start:i]...)
			switch c {
			case '"', '\\':
				buf = append(buf, '\\', c)
			case '\n':
				buf = append(buf, '\\', 'n')
			case '\r':
				buf = append(buf, '\\', 'r')
			case '\t':
				buf = append(buf, '\\', 't')
			default:
				buf = append(buf, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			buf = append(buf, s[start:i]...)
			buf = append(buf, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			buf = append(buf, s[start:i]...)
			buf = append(buf, `\u202`...)
			buf = append(buf, hex[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	buf = append(buf, s[start:]...)
	return append(buf, '"')
}

// toAny converts a value for encoding/json, used only on the error path.
func toAny(v *Value) any {
	if v == nil {
		return nil
	}
	switch v.Kind {
	case Object:
		m := make(map[string]any, len(v.Fields))
		for _, f := range v.Fields {
			m[f.Key] = toAny(f.Value)
		}
		return m
	case Array:
		a := make([]any, len(v.Items))
		for i, it := range v.Items {
			a[i] = toAny(it)
		}
		return a
	case String:
		return v.Str
	case Number:
		if n, err := strconv.ParseInt(v.Str, 10, 64); err == nil {
			return n
		}
		f, _ := strconv.ParseFloat(v.Str, 64)
		return f
	case True:
		return true
	case False:
		return false
	}
	return nil
}
