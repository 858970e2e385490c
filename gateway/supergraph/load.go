package supergraph

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"
)

// Load parses a join-spec supergraph SDL into a Graph.
func Load(sdl string) (*Graph, error) { return LoadWith(sdl, Options{}) }

// LoadWith parses a join-spec supergraph SDL into a Graph configured by opts.
func LoadWith(sdl string, opts Options) (*Graph, error) {
	schema, err := validator.LoadSchema(validator.Prelude, &ast.Source{Name: "supergraph.graphql", Input: sdl})
	if err != nil {
		return nil, fmt.Errorf("load supergraph: %w", err)
	}
	l := loader{schema: schema, opts: opts, g: &Graph{
		sdl:    sdl,
		byName: map[string]*Subgraph{},
		types:  map[string]*Type{},
		roots:  map[ast.Operation]string{},
	}}
	if err := l.load(); err != nil {
		return nil, fmt.Errorf("load supergraph: %w", err)
	}
	return l.g, nil
}

type loader struct {
	schema       *ast.Schema
	opts         Options
	g            *Graph
	join         feature
	features     []feature
	inaccessible string
	byEnum       map[string]*Subgraph
}

func (l *loader) load() error {
	l.features = linksOf(l.schema.SchemaDirectives)
	found := false
	for _, f := range l.features {
		if f.name == "join" {
			l.join, found = f, true
		}
		if f.name == "inaccessible" {
			l.inaccessible = f.localDirective("inaccessible")
		}
	}
	if !found {
		return errors.New(`no @link to the join spec (https://specs.apollo.dev/join/v0.x) on the schema`)
	}
	if err := l.loadGraphs(); err != nil {
		return err
	}
	for op, def := range map[ast.Operation]*ast.Definition{ast.Query: l.schema.Query, ast.Mutation: l.schema.Mutation, ast.Subscription: l.schema.Subscription} {
		if def != nil {
			l.g.roots[op] = def.Name
		}
	}
	names := sortedKeys(l.schema.Types)
	for _, name := range names {
		def := l.schema.Types[name]
		if def.BuiltIn || l.isMachineryType(name) {
			continue
		}
		if err := l.loadType(def); err != nil {
			return err
		}
	}
	l.computePossibleTypes()
	authz, err := l.loadAuthorization()
	if err != nil {
		return err
	}
	l.g.authz = authz
	return l.buildAPI()
}

func (l *loader) isMachineryType(name string) bool {
	for _, f := range l.features {
		if l.strips(f) && f.owns(name, false) { // composed.go
			return true
		}
	}
	return false
}

func (l *loader) isMachineryDirective(name string) bool {
	for _, f := range l.features {
		if l.strips(f) && f.owns(name, true) { // composed.go
			return true
		}
	}
	return false
}

func (l *loader) loadGraphs() error {
	enumName := l.join.prefix + "__Graph"
	def := l.schema.Types[enumName]
	if def == nil || def.Kind != ast.Enum {
		return fmt.Errorf("missing enum %s", enumName)
	}
	l.byEnum = map[string]*Subgraph{}
	graphDir := l.join.localDirective("graph")
	for _, v := range def.EnumValues {
		d := v.Directives.ForName(graphDir)
		if d == nil {
			return fmt.Errorf("%s.%s has no @%s", enumName, v.Name, graphDir)
		}
		name, _ := argString(d, "name")
		url, _ := argString(d, "url")
		if name == "" {
			return fmt.Errorf("%s.%s: @%s without name", enumName, v.Name, graphDir)
		}
		if _, dup := l.g.byName[name]; dup {
			return fmt.Errorf("subgraph %q declared twice", name)
		}
		sg := &Subgraph{Name: name, URL: url, Enum: v.Name}
		l.g.byName[name] = sg
		l.byEnum[v.Name] = sg
		l.g.subgraphs = append(l.g.subgraphs, sg)
	}
	sort.Slice(l.g.subgraphs, func(i, j int) bool { return l.g.subgraphs[i].Name < l.g.subgraphs[j].Name })
	return nil
}

// graphArg resolves the graph: argument of a join directive to a subgraph.
func (l *loader) graphArg(d *ast.Directive, where string) (*Subgraph, error) {
	v := argValue(d, "graph")
	if v == nil || v.Kind == ast.NullValue {
		return nil, nil
	}
	sg := l.byEnum[v.Raw]
	if sg == nil {
		return nil, fmt.Errorf("%s: @%s names unknown graph %q", where, d.Name, v.Raw)
	}
	return sg, nil
}

func (l *loader) loadType(def *ast.Definition) error {
	t := &Type{
		Name:      def.Name,
		Kind:      def.Kind,
		Subgraphs: map[string]*TypeInSubgraph{},
		Fields:    map[string]*Field{},
	}
	if l.inaccessible != "" && def.Directives.ForName(l.inaccessible) != nil {
		t.Inaccessible = true
	}
	typeDir := l.join.localDirective("type")
	for _, d := range def.Directives.ForNames(typeDir) {
		sg, err := l.graphArg(d, def.Name)
		if err != nil {
			return err
		}
		if sg == nil {
			continue
		}
		ts := t.Subgraphs[sg.Name]
		if ts == nil {
			ts = &TypeInSubgraph{Subgraph: sg.Name}
			t.Subgraphs[sg.Name] = ts
		}
		if argBool(d, "extension", false) {
			ts.Extension = true
		}
		if argBool(d, "isInterfaceObject", false) {
			ts.InterfaceObject = true
		}
		if keyText, ok := argString(d, "key"); ok {
			sel, err := ParseFieldSet(keyText)
			if err != nil {
				return fmt.Errorf("%s: key %q of subgraph %q: %w", def.Name, keyText, sg.Name, err)
			}
			ts.Keys = append(ts.Keys, &Key{Fields: keyText, Selection: sel, Resolvable: argBool(d, "resolvable", true)})
		}
	}
	if len(t.Subgraphs) == 0 {
		// Types without @join__type (old composers omit it for value types) exist everywhere.
		for _, sg := range l.g.subgraphs {
			t.Subgraphs[sg.Name] = &TypeInSubgraph{Subgraph: sg.Name}
		}
	}
	t.SubgraphNames = sortedKeys(t.Subgraphs)
	cost, err := l.loadCost(def.Directives, def.Name)
	if err != nil {
		return err
	}
	t.Cost = cost
	t.Contexts = l.loadContexts(def)
	l.g.contexts = l.g.contexts || len(t.Contexts) > 0
	if err := l.loadEnumValues(t, def); err != nil {
		return err
	}
	for _, fd := range def.Fields {
		if strings.HasPrefix(fd.Name, "__") {
			continue
		}
		f, err := l.loadField(t, fd)
		if err != nil {
			return err
		}
		t.Fields[fd.Name] = f
	}
	l.addKeyFieldSources(t) // join v0.1 (joinv01.go)
	l.g.types[def.Name] = t
	return nil
}

func (l *loader) loadEnumValues(t *Type, def *ast.Definition) error {
	valueDir := l.join.localDirective("enumValue")
	for _, ev := range def.EnumValues {
		v := &EnumValue{Name: ev.Name, Inaccessible: l.isInaccessible(ev.Directives)}
		for _, d := range ev.Directives.ForNames(valueDir) {
			sg, err := l.graphArg(d, def.Name+"."+ev.Name)
			if err != nil {
				return err
			}
			if sg != nil {
				v.Subgraphs = append(v.Subgraphs, sg.Name)
			}
		}
		if len(v.Subgraphs) == 0 {
			v.Subgraphs = append(v.Subgraphs, t.SubgraphNames...)
		}
		sort.Strings(v.Subgraphs)
		t.Values = append(t.Values, v)
	}
	return nil
}

func (l *loader) loadField(t *Type, fd *ast.FieldDefinition) (*Field, error) {
	f := &Field{
		Name:      fd.Name,
		Parent:    t.Name,
		Type:      fd.Type,
		Arguments: fd.Arguments,
		Sources:   map[string]*FieldSource{},
	}
	if l.inaccessible != "" && fd.Directives.ForName(l.inaccessible) != nil {
		f.Inaccessible = true
	}
	coord := t.Name + "." + fd.Name
	cost, err := l.loadCost(fd.Directives, coord)
	if err != nil {
		return nil, err
	}
	f.Cost = cost
	fieldDir := l.join.localDirective("field")
	dirs := fd.Directives.ForNames(fieldDir)
	if len(dirs) == 0 {
		if owner := l.owner(l.schema.Types[t.Name]); owner != nil {
			// join v0.1: the owner's field (joinv01.go).
			f.Sources[owner.Name] = &FieldSource{Subgraph: owner.Name}
		} else {
			for _, n := range t.SubgraphNames {
				f.Sources[n] = &FieldSource{Subgraph: n}
			}
		}
	}
	for _, d := range dirs {
		sg, err := l.graphArg(d, coord)
		if err != nil {
			return nil, err
		}
		if sg == nil {
			continue // a field no subgraph resolves directly (interface object machinery)
		}
		src := &FieldSource{
			Subgraph:       sg.Name,
			External:       argBool(d, "external", false),
			UsedOverridden: argBool(d, "usedOverridden", false),
		}
		src.Override, _ = argString(d, "override")
		src.OverrideLabel, _ = argString(d, "overrideLabel")
		src.Type, _ = argString(d, "type")
		if s, ok := argString(d, "requires"); ok && s != "" {
			sel, err := ParseFieldSet(s)
			if err != nil {
				return nil, fmt.Errorf("%s: requires %q: %w", coord, s, err)
			}
			src.Requires, src.RequiresText = sel, s
		}
		if s, ok := argString(d, "provides"); ok && s != "" {
			sel, err := ParseFieldSet(s)
			if err != nil {
				return nil, fmt.Errorf("%s: provides %q: %w", coord, s, err)
			}
			src.Provides, src.ProvidesText = sel, s
		}
		if src.ContextArguments, err = loadContextArguments(d, coord); err != nil {
			return nil, err
		}
		f.Sources[sg.Name] = src
	}
	f.SourceNames = sortedKeys(f.Sources)
	return f, nil
}

// computePossibleTypes fills the supergraph and per-subgraph members of abstract types.
func (l *loader) computePossibleTypes() {
	implDir := l.join.localDirective("implements")
	memberDir := l.join.localDirective("unionMember")
	for _, name := range sortedKeys(l.g.types) {
		t := l.g.types[name]
		if t.Kind != ast.Interface && t.Kind != ast.Union {
			continue
		}
		for _, p := range l.schema.PossibleTypes[name] {
			t.PossibleTypes = append(t.PossibleTypes, p.Name)
		}
		sort.Strings(t.PossibleTypes)
		def := l.schema.Types[name]
		for _, sgName := range t.SubgraphNames {
			ts := t.Subgraphs[sgName]
			if t.Kind == ast.Union {
				explicit := def.Directives.ForNames(memberDir)
				for _, d := range explicit {
					sg, _ := l.graphArg(d, name)
					m, _ := argString(d, "member")
					if sg != nil && sg.Name == sgName && m != "" {
						ts.PossibleTypes = append(ts.PossibleTypes, m)
					}
				}
				if len(explicit) == 0 {
					for _, m := range t.PossibleTypes {
						if mt := l.g.types[m]; mt != nil && mt.In(sgName) {
							ts.PossibleTypes = append(ts.PossibleTypes, m)
						}
					}
				}
			} else {
				for _, m := range t.PossibleTypes {
					mdef := l.schema.Types[m]
					mt := l.g.types[m]
					if mdef == nil || mt == nil || !mt.In(sgName) {
						continue
					}
					impls := mdef.Directives.ForNames(implDir)
					ok := len(impls) == 0
					for _, d := range impls {
						sg, _ := l.graphArg(d, m)
						iface, _ := argString(d, "interface")
						if sg != nil && sg.Name == sgName && iface == name {
							ok = true
						}
					}
					if ok {
						ts.PossibleTypes = append(ts.PossibleTypes, m)
					}
				}
			}
			sort.Strings(ts.PossibleTypes)
		}
	}
}

// ParseFieldSet parses a federation field set such as "id organization { id }".
func ParseFieldSet(s string) (ast.SelectionSet, error) {
	doc, err := parser.ParseQuery(&ast.Source{Name: "fieldset", Input: "{" + s + "}"})
	if err != nil {
		return nil, err
	}
	if len(doc.Operations) != 1 || len(doc.Fragments) != 0 {
		return nil, fmt.Errorf("invalid field set %q", s)
	}
	return doc.Operations[0].SelectionSet, nil
}
