// Package supergraph loads a supergraph SDL in the join-spec format (join v0.2–v0.5,
// link v1.0) into an immutable Graph: which subgraph resolves which type and field,
// with keys, requires, provides and override parsed once so that planning stays cheap.
//
// A Graph is never modified after Load returns, so it may be shared by any number
// of goroutines and swapped atomically on reload.
package supergraph

import (
	"sort"

	"github.com/vektah/gqlparser/v2/ast"
)

// Graph is a loaded supergraph: subgraphs, ownership tables and the API schema.
type Graph struct {
	sdl       string
	subgraphs []*Subgraph
	byName    map[string]*Subgraph
	types     map[string]*Type
	api       *ast.Schema
	apiSDL    string
	roots     map[ast.Operation]string
	authz     *Authorization // authz.go
	// contexts is true when some type sets a context (context.go).
	contexts bool
}

// Subgraph is one service of the supergraph.
type Subgraph struct {
	// Name is the subgraph's name as given to composition (join__graph name).
	Name string
	// URL is where the router sends the subgraph's fetches.
	URL string
	// Enum is the join__Graph enum value that stands for the subgraph in the SDL.
	Enum string
}

// Type is a named type of the supergraph with its per-subgraph ownership.
type Type struct {
	Name string
	Kind ast.DefinitionKind
	// Subgraphs holds, per subgraph name, how that subgraph knows the type.
	Subgraphs map[string]*TypeInSubgraph
	// SubgraphNames lists the keys of Subgraphs in sorted order for deterministic planning.
	SubgraphNames []string
	// Fields holds the type's fields (objects and interfaces) by name.
	Fields map[string]*Field
	// PossibleTypes lists the object types an abstract type may resolve to, sorted.
	PossibleTypes []string
	// Inaccessible marks a type removed from the API schema.
	Inaccessible bool
	// Values are an enum's values with the subgraphs that define each.
	Values []*EnumValue
	// Cost is the type's @cost, nil when it has none.
	Cost *Cost
	// Contexts are the contexts the type sets (@context), by supergraph name
	// ("<Subgraph>__<name>"), sorted (context.go).
	Contexts []string
}

// EnumValue is one value of an enum with the subgraphs that know it.
type EnumValue struct {
	Name string
	// Subgraphs lists, sorted, the subgraphs that define the value; every subgraph of
	// the enum when the supergraph has no @join__enumValue for it.
	Subgraphs []string
	// Inaccessible marks a value removed from the API schema.
	Inaccessible bool
}

// TypeInSubgraph describes one subgraph's view of a type.
type TypeInSubgraph struct {
	Subgraph string
	// Keys are the @key field sets declared in this subgraph, resolvable or not.
	Keys []*Key
	// Extension is true when the subgraph only extends the type (Fed 1 style).
	Extension bool
	// InterfaceObject is true when the subgraph models this interface as an object.
	InterfaceObject bool
	// PossibleTypes lists, for abstract types, the members this subgraph knows, sorted.
	PossibleTypes []string
}

// Key is one @key of an entity in one subgraph.
type Key struct {
	// Fields is the key's field set as written in the supergraph.
	Fields string
	// Selection is Fields parsed; definitions are not attached.
	Selection ast.SelectionSet
	// Resolvable is false for keys declared with resolvable: false.
	Resolvable bool
}

// Field is a field of an object or interface with the subgraphs that define it.
type Field struct {
	Name   string
	Parent string
	// Type is the field's supergraph type.
	Type *ast.Type
	// Arguments are the field's supergraph arguments.
	Arguments ast.ArgumentDefinitionList
	// Sources holds, per subgraph name, how the subgraph defines the field.
	Sources map[string]*FieldSource
	// SourceNames lists the keys of Sources in sorted order.
	SourceNames []string
	// Inaccessible marks a field removed from the API schema.
	Inaccessible bool
	// Cost is the field's @cost and @listSize, nil when it has neither.
	Cost *Cost
}

// FieldSource is one subgraph's definition of a field.
type FieldSource struct {
	Subgraph string
	// External is true when the subgraph declares the field but another resolves it.
	External bool
	// Requires is the @requires field set (nil when none), parsed.
	Requires     ast.SelectionSet
	RequiresText string
	// Provides is the @provides field set (nil when none), parsed.
	Provides     ast.SelectionSet
	ProvidesText string
	// Override names the subgraph this definition took the field from.
	Override string
	// OverrideLabel is the progressive override label, if any.
	OverrideLabel string
	// UsedOverridden marks a source kept only because the overridden field is used
	// by the subgraph itself (for a key or requires); it is not resolvable there.
	UsedOverridden bool
	// Type is the field's type in this subgraph when it differs from the supergraph's.
	Type string
	// ContextArguments are the arguments the subgraph's field takes from a
	// context (@fromContext), which the router passes (context.go).
	ContextArguments []*ContextArgument
}

// SDL returns the supergraph text the graph was loaded from.
func (g *Graph) SDL() string { return g.sdl }

// APISDL returns the API schema as SDL, the graph clients see.
func (g *Graph) APISDL() string { return g.apiSDL }

// API returns the API schema used for validation and introspection.
func (g *Graph) API() *ast.Schema { return g.api }

// Subgraphs returns the subgraphs sorted by name.
func (g *Graph) Subgraphs() []*Subgraph { return g.subgraphs }

// Subgraph returns the named subgraph or nil.
func (g *Graph) Subgraph(name string) *Subgraph { return g.byName[name] }

// Type returns the named type or nil.
func (g *Graph) Type(name string) *Type { return g.types[name] }

// TypeNames returns the names of every type of the supergraph, inaccessible ones
// included, sorted.
func (g *Graph) TypeNames() []string { return sortedKeys(g.types) }

// RootType returns the name of the root type for op, or "" when the schema has none.
func (g *Graph) RootType(op ast.Operation) string { return g.roots[op] }

// HasInterfaceObject reports whether some subgraph models the interface t
// as an @interfaceObject.
func (t *Type) HasInterfaceObject() bool {
	for _, ts := range t.Subgraphs {
		if ts.InterfaceObject {
			return true
		}
	}
	return false
}

// In reports whether the subgraph knows the type.
func (t *Type) In(subgraph string) bool {
	_, ok := t.Subgraphs[subgraph]
	return ok
}

// ResolvableKeys returns the keys through which subgraph can be entered for t.
func (t *Type) ResolvableKeys(subgraph string) []*Key {
	ts := t.Subgraphs[subgraph]
	if ts == nil {
		return nil
	}
	var out []*Key
	for _, k := range ts.Keys {
		if k.Resolvable {
			out = append(out, k)
		}
	}
	return out
}

// PossibleTypesIn returns the members of an abstract type known to subgraph.
func (t *Type) PossibleTypesIn(subgraph string) []string {
	if ts := t.Subgraphs[subgraph]; ts != nil {
		return ts.PossibleTypes
	}
	return nil
}

// ResolvableIn reports whether subgraph can resolve the field by itself.
func (f *Field) ResolvableIn(subgraph string) bool {
	s := f.Sources[subgraph]
	return s != nil && !s.External && !s.UsedOverridden
}

// Resolvers returns the sorted names of the subgraphs that can resolve the field.
func (f *Field) Resolvers() []string {
	var out []string
	for _, n := range f.SourceNames {
		if f.ResolvableIn(n) {
			out = append(out, n)
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
