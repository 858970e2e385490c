package execute

import (
	"encoding/binary"
	"strconv"
	"sync"
	"unicode/utf8"
	"unsafe"
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
//
// A Value is 24 bytes: one pointer with a length and a capacity serves as a
// string's or number's text, an object's members or an array's items, by Kind.
// Large answers are mostly leaves, and a Value with a string and two slices
// (72 bytes) made their tree about nine times the answer's bytes; this layout
// makes it about four (issue 13's memory on large answers).
type Value struct {
	Kind Kind
	// plain marks a string known to need no escaping in JSON (printable ASCII
	// without quotes or backslashes), which is then written as it is.
	plain bool
	n, c  uint32         // length and capacity of what p points to
	p     unsafe.Pointer // first byte (String, Number), Member (Object) or item (Array)
}

// maxLen is the longest string, member list or item list a Value holds; larger
// ones are refused where they are made (answers are far smaller under the
// router's size caps).
const maxLen = 1<<32 - 1

// Member is one key of an object, in order.
type Member struct {
	Key   string
	Value *Value
}

// Str returns a string's text or a number's literal ("" for other kinds).
func (v *Value) Str() string {
	if v.Kind != String && v.Kind != Number {
		return ""
	}
	return unsafe.String((*byte)(v.p), int(v.n))
}

// Fields returns an object's members (nil for other kinds).
func (v *Value) Fields() []Member {
	if v.Kind != Object || v.c == 0 {
		return nil
	}
	return unsafe.Slice((*Member)(v.p), int(v.c))[:v.n]
}

// Items returns an array's items (nil for other kinds).
func (v *Value) Items() []*Value {
	if v.Kind != Array || v.c == 0 {
		return nil
	}
	return unsafe.Slice((**Value)(v.p), int(v.c))[:v.n]
}

// setText makes v a String (or Number) holding s.
func (v *Value) setText(k Kind, s string, plain bool) {
	*v = Value{Kind: k, plain: plain, n: uint32(len(s)), p: unsafe.Pointer(unsafe.StringData(s))}
}

// setFields makes v an Object with the members ms.
func (v *Value) setFields(ms []Member) {
	*v = Value{Kind: Object, n: uint32(len(ms)), c: uint32(cap(ms))}
	if cap(ms) > 0 {
		v.p = unsafe.Pointer(unsafe.SliceData(ms))
	}
}

// setItems makes v an Array with the items.
func (v *Value) setItems(items []*Value) {
	*v = Value{Kind: Array, n: uint32(len(items)), c: uint32(cap(items))}
	if cap(items) > 0 {
		v.p = unsafe.Pointer(unsafe.SliceData(items))
	}
}

// stringValue returns a new String.
func stringValue(s string) *Value {
	v := &Value{}
	v.setText(String, s, false)
	return v
}

// objectValue returns a new Object with the members ms.
func objectValue(ms []Member) *Value {
	v := &Value{}
	v.setFields(ms)
	return v
}

// arrayValue returns a new Array with the items.
func arrayValue(items []*Value) *Value {
	v := &Value{}
	v.setItems(items)
	return v
}

// Shared leaves; merging never modifies a non-object, non-list value.
var (
	nullValue  = &Value{Kind: Null}
	trueValue  = &Value{Kind: True}
	falseValue = &Value{Kind: False}
)

// cloneComposite copies v's objects and lists, so that merging into the copy
// leaves v as it is; leaves are shared, as merging never changes them.
func cloneComposite(v *Value) *Value {
	switch v.Kind {
	case Object:
		fields := v.Fields()
		ms := make([]Member, len(fields))
		for i, m := range fields {
			ms[i] = Member{Key: m.Key, Value: cloneComposite(m.Value)}
		}
		return objectValue(ms)
	case Array:
		items := v.Items()
		cp := make([]*Value, len(items))
		for i, it := range items {
			cp[i] = cloneComposite(it)
		}
		return arrayValue(cp)
	}
	return v
}

// Get returns the member named key or nil.
func (v *Value) Get(key string) *Value {
	if v == nil || v.Kind != Object {
		return nil
	}
	fields := v.Fields()
	for i := range fields {
		if fields[i].Key == key {
			return fields[i].Value
		}
	}
	return nil
}

// Set replaces or adds the member key.
func (v *Value) Set(key string, val *Value) {
	fields := v.Fields()
	for i := range fields {
		if fields[i].Key == key {
			fields[i].Value = val
			return
		}
	}
	v.setFields(append(fields, Member{Key: key, Value: val}))
}

// decoder turns subgraph answers into Values. Decoders are pooled for their
// scratch stacks; Values, members and items come from chunks of the run's arena
// (or, without one, from chunks of their own) instead of one allocation each.
type decoder struct {
	a       *arena
	slab    []Value
	mslab   []Member
	islab   []*Value
	members []Member // scratch: members of the objects being parsed
	items   []*Value // scratch: items of the arrays being parsed
}

// decoders is package-level because decoders hold only scratch space, reusable
// by any executor; a pool per Executor would only warm up more slowly.
var decoders = sync.Pool{New: func() any { return &decoder{} }}

// newDecoder returns a pooled decoder that takes its chunks from a (nil: the heap).
func newDecoder(a *arena) *decoder {
	d := decoders.Get().(*decoder)
	d.a = a
	if a != nil {
		a.take(d)
	}
	return d
}

func (d *decoder) value() *Value {
	if len(d.slab) == 0 {
		if d.a != nil {
			d.slab = d.a.valueChunk()
		} else {
			d.slab = make([]Value, 64)
		}
	}
	v := &d.slab[0]
	d.slab = d.slab[1:]
	return v
}

// memberSlice copies ms into a chunk; the result's capacity is its length so
// that appending to it (merging) never writes into a neighbour.
func (d *decoder) memberSlice(ms []Member) []Member {
	n := len(ms)
	if n > 32 {
		return append([]Member(nil), ms...)
	}
	if len(d.mslab) < n {
		if d.a != nil {
			d.mslab = d.a.memberChunk()
		} else {
			d.mslab = make([]Member, 64)
		}
	}
	out := d.mslab[:n:n]
	d.mslab = d.mslab[n:]
	copy(out, ms)
	return out
}

func (d *decoder) itemSlice(items []*Value) []*Value {
	n := len(items)
	if n > 32 {
		return append([]*Value(nil), items...)
	}
	if len(d.islab) < n {
		if d.a != nil {
			d.islab = d.a.itemChunk()
		} else {
			d.islab = make([]*Value, 64)
		}
	}
	out := d.islab[:n:n]
	d.islab = d.islab[n:]
	copy(out, items)
	return out
}

// release returns the decoder to the pool and the rests of its chunks to its
// arena; Values already handed out stay valid until the arena is freed.
func (d *decoder) release() {
	if d.a != nil {
		d.a.giveBack(d)
	}
	d.a, d.slab, d.mslab, d.islab = nil, nil, nil, nil
	decoders.Put(d)
}

// merge folds src into dst: objects key by key, lists of equal length element by
// element; a null never replaces an object or a list; anything else in src
// replaces dst. New members of an object are
// appended in one step, into a slice from a when there is one.
func merge(a *arena, dst, src *Value) *Value {
	if dst == nil || src == nil {
		if src == nil {
			return dst
		}
		return src
	}
	if src.Kind == Null && (dst.Kind == Object || dst.Kind == Array) {
		// Two fetches answered the same shared field, one with null: keep the
		// value, whichever answer arrives last.
		return dst
	}
	if dst.Kind == Object && src.Kind == Object {
		added := 0
		for _, m := range src.Fields() {
			if cur := dst.Get(m.Key); cur != nil {
				dst.Set(m.Key, merge(a, cur, m.Value))
			} else {
				added++
			}
		}
		if added == 0 {
			return dst
		}
		fields := dst.Fields()
		if n := len(fields) + added; cap(fields) < n {
			var grown []Member
			if a != nil {
				grown = a.memberSlice(n)
			} else {
				grown = make([]Member, 0, n)
			}
			fields = append(grown, fields...)
		}
		for _, m := range src.Fields() {
			if !hasKey(fields, m.Key) {
				fields = append(fields, m)
			}
		}
		dst.setFields(fields)
		return dst
	}
	if dst.Kind == Array && src.Kind == Array && dst.n == src.n {
		items, from := dst.Items(), src.Items()
		for i := range items {
			items[i] = merge(a, items[i], from[i])
		}
		return dst
	}
	return src
}

func hasKey(ms []Member, key string) bool {
	for i := range ms {
		if ms[i].Key == key {
			return true
		}
	}
	return false
}

// appendJSON writes v as JSON.
func appendJSON(buf []byte, v *Value) []byte {
	if v == nil {
		return append(buf, "null"...)
	}
	switch v.Kind {
	case Object:
		buf = append(buf, '{')
		for i, m := range v.Fields() {
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
		for i, it := range v.Items() {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = appendJSON(buf, it)
		}
		return append(buf, ']')
	case String:
		if v.plain {
			buf = append(buf, '"')
			buf = append(buf, v.Str()...)
			return append(buf, '"')
		}
		return appendString(buf, v.Str())
	case Number:
		return append(buf, v.Str()...)
	case True:
		return append(buf, "true"...)
	case False:
		return append(buf, "false"...)
	}
	return append(buf, "null"...)
}

const hex = "0123456789abcdef"

// plainByte marks the bytes a JSON string holds as they are.
var plainByte = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// skipPlain returns the index of the first byte at or after i that is not
// plainByte, eight bytes at a time while it can.
func skipPlain(s string, i int) int {
	const (
		ones  = 0x0101010101010101
		highs = 0x8080808080808080
	)
	for ; i+8 <= len(s); i += 8 {
		w := binary.LittleEndian.Uint64([]byte(s[i : i+8]))
		// A byte is not plain when below 0x20, a quote, a backslash or non-ASCII;
		// (x - ones) &^ x & highs has a high bit where a byte of x is zero.
		q := w ^ (ones * '"')
		b := w ^ (ones * '\\')
		if ((w-ones*0x20)&^w|(q-ones)&^q|(b-ones)&^b|w)&highs != 0 {
			break
		}
	}
	for i < len(s) && plainByte[s[i]] {
		i++
	}
	return i
}

// appendString writes s as a JSON string, replacing invalid UTF-8.
func appendString(buf []byte, s string) []byte {
	buf = append(buf, '"')
	start := 0
	for i := 0; i < len(s); {
		i = skipPlain(s, i)
		if i == len(s) {
			break
		}
		c := s[i]
		if c < utf8.RuneSelf {
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
		m := make(map[string]any, v.n)
		for _, f := range v.Fields() {
			m[f.Key] = toAny(f.Value)
		}
		return m
	case Array:
		a := make([]any, v.n)
		for i, it := range v.Items() {
			a[i] = toAny(it)
		}
		return a
	case String:
		return v.Str()
	case Number:
		if n, err := strconv.ParseInt(v.Str(), 10, 64); err == nil {
			return n
		}
		f, _ := strconv.ParseFloat(v.Str(), 64)
		return f
	case True:
		return true
	case False:
		return false
	}
	return nil
}
