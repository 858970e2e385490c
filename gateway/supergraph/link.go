package supergraph

import (
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
)

// feature is one @link on the schema: which spec it is and the local names of its elements.
type feature struct {
	url     string
	name    string // spec name from the URL, e.g. "join"
	version string
	prefix  string // namespace for its elements: the "as" argument or name
	imports map[string]string
}

// localDirective returns the name under which this feature's directive appears in the
// document: imported names stand as they are, others are namespaced with prefix__.
func (f feature) localDirective(name string) string {
	if local, ok := f.imports["@"+name]; ok {
		return strings.TrimPrefix(local, "@")
	}
	if name == f.name {
		return f.prefix
	}
	return f.prefix + "__" + name
}

// owns reports whether a directive or type name belongs to the feature's machinery.
func (f feature) owns(name string, directive bool) bool {
	if directive && name == f.prefix {
		return true
	}
	if strings.HasPrefix(name, f.prefix+"__") {
		return true
	}
	for orig, local := range f.imports {
		isDir := strings.HasPrefix(orig, "@")
		if isDir == directive && strings.TrimPrefix(local, "@") == name {
			return true
		}
	}
	return false
}

// parseFeatureURL splits ".../join/v0.3" into name and version.
func parseFeatureURL(u string) (name, version string) {
	u = strings.TrimSuffix(u, "/")
	parts := strings.Split(u, "/")
	if len(parts) >= 2 && strings.HasPrefix(parts[len(parts)-1], "v") {
		return parts[len(parts)-2], parts[len(parts)-1]
	}
	if len(parts) >= 1 {
		return parts[len(parts)-1], ""
	}
	return "", ""
}

// linksOf reads the @link directives of a schema definition. linkName is the local
// name of @link itself, normally "link".
func linksOf(dirs ast.DirectiveList) []feature {
	var out []feature
	for _, d := range dirs {
		if d.Name != "link" && d.Name != "core" {
			continue
		}
		u, _ := argString(d, "url")
		if u == "" {
			u, _ = argString(d, "feature")
		}
		if u == "" {
			continue
		}
		f := feature{url: u, imports: map[string]string{}}
		f.name, f.version = parseFeatureURL(u)
		f.prefix = f.name
		if as, ok := argString(d, "as"); ok && as != "" {
			f.prefix = as
		}
		if imp := d.Arguments.ForName("import"); imp != nil && imp.Value != nil {
			for _, c := range imp.Value.Children {
				v := c.Value
				switch v.Kind {
				case ast.StringValue, ast.BlockValue:
					f.imports[v.Raw] = v.Raw
				case ast.ObjectValue:
					var n, as string
					for _, kv := range v.Children {
						switch kv.Name {
						case "name":
							n = kv.Value.Raw
						case "as":
							as = kv.Value.Raw
						}
					}
					if n != "" {
						if as == "" {
							as = n
						}
						f.imports[n] = as
					}
				}
			}
		}
		out = append(out, f)
	}
	return out
}

func argValue(d *ast.Directive, name string) *ast.Value {
	a := d.Arguments.ForName(name)
	if a == nil {
		return nil
	}
	return a.Value
}

func argString(d *ast.Directive, name string) (string, bool) {
	v := argValue(d, name)
	if v == nil || v.Kind == ast.NullValue || v.Kind == ast.Variable {
		return "", false
	}
	return v.Raw, true
}

func argBool(d *ast.Directive, name string, def bool) bool {
	v := argValue(d, name)
	if v == nil || v.Kind != ast.BooleanValue {
		return def
	}
	return v.Raw == "true"
}
