package config

import (
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Bind registers a setting for every leaf field of the struct that ptr points
// to, named after the field's YAML key path, so that a setting has one name from
// the config file to the flag and the environment: the key limits.maxDepth is the
// flag --limits.max-depth and the variable ENVPREFIX_LIMITS_MAX_DEPTH.
//
// Leaves are strings, booleans, integers, durations, comma-separated string
// lists, and pointers to those (a pointer stays nil, "the default", until the
// setting is given). Tags `min`, `max` and `values` (words separated by |)
// bound what a flag or variable may say. Fields tagged yaml:"-" or flag:"-", and fields of other
// kinds (lists of objects, maps), are left to the config file. A field's `help`
// tag is its usage text; `flag` and `env` tags replace the derived names, for
// settings that keep names shared with other components (LOG_LEVEL).
//
// A bound setting writes its field only when it is given as a flag or in the
// environment; otherwise the field keeps the value it had, which is the default
// or what the config file set. Decode the file into the struct before Parse.
func (s *Set) Bind(envPrefix string, ptr any) error {
	v := reflect.ValueOf(ptr)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return fmt.Errorf("config.Bind: want a pointer to a struct, got %T", ptr)
	}
	return s.bindStruct(v.Elem(), nil, envPrefix)
}

var durationType = reflect.TypeFor[time.Duration]()

func (s *Set) bindStruct(v reflect.Value, path []string, envPrefix string) error {
	t := v.Type()
	for i := range t.NumField() {
		sf := t.Field(i)
		if !sf.IsExported() || sf.Tag.Get("flag") == "-" {
			continue
		}
		key, _, _ := strings.Cut(sf.Tag.Get("yaml"), ",")
		if key == "-" {
			continue
		}
		inline := strings.Contains(sf.Tag.Get("yaml"), ",inline")
		if key == "" && !inline {
			key = lowerFirst(sf.Name)
		}
		fv := v.Field(i)
		sub := path
		if !inline {
			sub = append(append([]string(nil), path...), key)
		}
		if sf.Type.Kind() == reflect.Struct && sf.Type != durationType {
			if err := s.bindStruct(fv, sub, envPrefix); err != nil {
				return err
			}
			continue
		}
		parse, ok := leafParser(fv)
		if !ok {
			continue // YAML only
		}
		parse = checked(parse, sf.Tag)
		flagName := kebab(sub)
		if f := sf.Tag.Get("flag"); f != "" {
			flagName = f
		}
		env := envPrefix + "_" + strings.ToUpper(strings.ReplaceAll(kebab(sub), "-", "_"))
		env = strings.ReplaceAll(env, ".", "_")
		if e := sf.Tag.Get("env"); e != "" {
			env = e
		}
		help := sf.Tag.Get("help")
		if help == "" {
			help = "config key " + strings.Join(sub, ".")
		}
		if s.flags.Lookup(flagName) != nil {
			return fmt.Errorf("config.Bind: setting --%s registered twice", flagName)
		}
		st := &setting{flag: flagName, env: env, def: describe(fv), parse: parse, keep: true}
		s.settings = append(s.settings, st)
		s.flags.Func(flagName, help, func(val string) error {
			st.value = val
			return nil
		})
		if fv.Kind() == reflect.Bool || (fv.Kind() == reflect.Pointer && fv.Type().Elem().Kind() == reflect.Bool) {
			s.flags.Lookup(flagName).Value = boolFlag{s.flags.Lookup(flagName).Value}
		}
	}
	return nil
}

// checked adds the checks a field's tags ask for to parse: `min` and `max`
// bound an integer, `values` lists the allowed words (separated by |).
func checked(parse func(string) error, tag reflect.StructTag) func(string) error {
	lo, hasMin := tag.Lookup("min")
	hi, hasMax := tag.Lookup("max")
	values, hasValues := tag.Lookup("values")
	if !hasMin && !hasMax && !hasValues {
		return parse
	}
	return func(text string) error {
		if hasValues {
			allowed := strings.Split(values, "|")
			for _, v := range allowed {
				if strings.EqualFold(strings.TrimSpace(text), v) {
					return parse(v)
				}
			}
			return fmt.Errorf("want %s", strings.Join(allowed, ", "))
		}
		n, err := strconv.ParseInt(strings.TrimSpace(text), 10, 64)
		min, _ := strconv.ParseInt(lo, 10, 64)
		max, _ := strconv.ParseInt(hi, 10, 64)
		if err != nil || (hasMin && n < min) || (hasMax && n > max) {
			switch {
			case hasMin && hasMax:
				return fmt.Errorf("want an integer from %d to %d", min, max)
			case hasMin:
				return fmt.Errorf("want an integer of at least %d", min)
			default:
				return fmt.Errorf("want an integer of at most %d", max)
			}
		}
		return parse(text)
	}
}

// leafParser returns the parser that sets field v from text, if v is a leaf.
func leafParser(v reflect.Value) (func(string) error, bool) {
	t := v.Type()
	if t.Kind() == reflect.Pointer {
		if _, ok := leafParser(reflect.New(t.Elem()).Elem()); !ok {
			return nil, false
		}
		return func(text string) error {
			p := reflect.New(t.Elem())
			parse, _ := leafParser(p.Elem())
			if err := parse(text); err != nil {
				return err
			}
			v.Set(p)
			return nil
		}, true
	}
	switch {
	case t == durationType:
		return func(text string) error {
			d, err := time.ParseDuration(text)
			if err != nil {
				return errors.New("want a duration such as 500ms or 10s")
			}
			v.SetInt(int64(d))
			return nil
		}, true
	case t.Kind() == reflect.String:
		return func(text string) error { v.SetString(text); return nil }, true
	case t.Kind() == reflect.Bool:
		return func(text string) error {
			b, err := strconv.ParseBool(text)
			if err != nil {
				return errors.New("want true or false")
			}
			v.SetBool(b)
			return nil
		}, true
	case t.Kind() >= reflect.Int && t.Kind() <= reflect.Int64:
		return func(text string) error {
			n, err := strconv.ParseInt(text, 10, t.Bits())
			if err != nil {
				return fmt.Errorf("want an integer of at most %d bits", t.Bits())
			}
			v.SetInt(n)
			return nil
		}, true
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.String:
		return func(text string) error {
			var list []string
			for _, item := range strings.Split(text, ",") {
				if item = strings.TrimSpace(item); item != "" {
					list = append(list, item)
				}
			}
			v.Set(reflect.ValueOf(list).Convert(t))
			return nil
		}, true
	}
	return nil, false
}

// describe renders a field's current value as the setting's shown default.
func describe(v reflect.Value) string {
	switch {
	case v.Kind() == reflect.Pointer:
		if v.IsNil() {
			return ""
		}
		return describe(v.Elem())
	case v.Type() == durationType:
		return time.Duration(v.Int()).String()
	case v.Kind() == reflect.Slice:
		parts := make([]string, v.Len())
		for i := range parts {
			parts[i] = v.Index(i).String()
		}
		return strings.Join(parts, ",")
	}
	return fmt.Sprint(v.Interface())
}

// kebab turns a YAML key path such as [limits maxDepth] into "limits.max-depth".
func kebab(path []string) string {
	parts := make([]string, len(path))
	for i, key := range path {
		var b strings.Builder
		r := []rune(key)
		for j, c := range r {
			if unicode.IsUpper(c) {
				prevLower := j > 0 && (unicode.IsLower(r[j-1]) || unicode.IsDigit(r[j-1]))
				nextLower := j > 0 && j+1 < len(r) && unicode.IsLower(r[j+1]) && unicode.IsUpper(r[j-1])
				if prevLower || nextLower {
					b.WriteByte('-')
				}
				c = unicode.ToLower(c)
			}
			b.WriteRune(c)
		}
		parts[i] = b.String()
	}
	return strings.Join(parts, ".")
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	r[0] = unicode.ToLower(r[0])
	return string(r)
}
