package execute

import "testing"

// render prints a Value compactly for comparisons.
func render(v *Value) string {
	if v == nil {
		return "<nil>"
	}
	switch v.Kind {
	case Object:
		s := "{"
		for i, m := range v.Fields() {
			if i > 0 {
				s += ","
			}
			s += m.Key + ":" + render(m.Value)
		}
		return s + "}"
	case Array:
		s := "["
		for i, it := range v.Items() {
			if i > 0 {
				s += ","
			}
			s += render(it)
		}
		return s + "]"
	case Null:
		return "null"
	}
	return v.Str()
}

func TestMergedValue(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, a, b, want string
	}{
		{"objects", `{"h":4}`, `{"w":3}`, "{h:4,w:3}"},
		{"nested objects", `{"d":{"h":4},"x":1}`, `{"d":{"w":3}}`, "{d:{h:4,w:3},x:1}"},
		{"lists item by item", `[{"h":1},{"h":2}]`, `[{"w":3},{"w":4}]`, "[{h:1,w:3},{h:2,w:4}]"},
		{"null and object", `null`, `{"w":3}`, "{w:3}"},
		{"object and null", `{"h":4}`, `null`, "{h:4}"},
		{"lists of other lengths keep the first", `[1]`, `[1,2]`, "[1]"},
	}
	for _, tt := range tests {
		a, err := ParseJSON([]byte(tt.a))
		if err != nil {
			t.Fatal(err)
		}
		b, err := ParseJSON([]byte(tt.b))
		if err != nil {
			t.Fatal(err)
		}
		before := render(a) + render(b)
		if got := render(mergedValue(a, b, nil)); got != tt.want {
			t.Errorf("%s: merged = %s, want %s", tt.name, got, tt.want)
		}
		if render(a)+render(b) != before {
			t.Errorf("%s: merging modified its inputs", tt.name)
		}
	}
	if got := render(mergedValue(nil, nil, nil)); got != "<nil>" {
		t.Errorf("nil, nil: %s", got)
	}
}
