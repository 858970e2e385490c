package limits

import (
	"github.com/vektah/gqlparser/v2/ast"
)

// Shape is what the structural limits measure of an operation, with named
// fragments expanded where they are spread.
type Shape struct {
	Depth      int
	Aliases    int
	RootFields int
	Directives int
}

// Measure measures op in doc. It needs no schema and no validation: unknown or
// cyclic fragment spreads count as empty (validation reports them).
func Measure(doc *ast.QueryDocument, op *ast.OperationDefinition) Shape {
	m := measurer{doc: doc, frags: map[string]*fragShape{}}
	s := m.selections(op.SelectionSet)
	return Shape{
		Depth:      s.depth,
		Aliases:    s.aliases,
		RootFields: s.fields,
		Directives: add(s.directives, len(op.Directives)+directivesOfVariables(op)),
	}
}

// CheckShape measures op and returns the first limit it exceeds, in the order
// depth, aliases, root fields, directives.
func (c Config) CheckShape(doc *ast.QueryDocument, op *ast.OperationDefinition) *Exceeded {
	s := Measure(doc, op)
	for _, e := range []*Exceeded{
		check("depth", c.MaxDepth, s.Depth),
		check("aliases", c.MaxAliases, s.Aliases),
		check("rootFields", c.MaxRootFields, s.RootFields),
		check("directives", c.MaxDirectives, s.Directives),
	} {
		if e != nil {
			return e
		}
	}
	return nil
}

func directivesOfVariables(op *ast.OperationDefinition) int {
	n := 0
	for _, v := range op.VariableDefinitions {
		n += len(v.Directives)
	}
	return n
}

// fragShape measures one selection set: its depth, aliases and directives below,
// and its own fields (the root fields, when it is the operation's).
type fragShape struct {
	depth, aliases, directives, fields int
}

type measurer struct {
	doc   *ast.QueryDocument
	frags map[string]*fragShape // nil value: being measured (a cycle)
}

func (m *measurer) selections(set ast.SelectionSet) fragShape {
	var s fragShape
	for _, sel := range set {
		var sub fragShape
		switch sel := sel.(type) {
		case *ast.Field:
			child := m.selections(sel.SelectionSet)
			sub = fragShape{depth: add(child.depth, 1), aliases: child.aliases, directives: add(child.directives, len(sel.Directives)), fields: 1}
			if sel.Alias != "" && sel.Alias != sel.Name {
				sub.aliases = add(sub.aliases, 1)
			}
		case *ast.InlineFragment:
			sub = m.selections(sel.SelectionSet)
			sub.directives = add(sub.directives, len(sel.Directives))
		case *ast.FragmentSpread:
			sub = m.fragment(sel.Name)
			sub.directives = add(sub.directives, len(sel.Directives))
		}
		s.depth = max(s.depth, sub.depth)
		s.aliases = add(s.aliases, sub.aliases)
		s.directives = add(s.directives, sub.directives)
		s.fields = add(s.fields, sub.fields)
	}
	return s
}

func (m *measurer) fragment(name string) fragShape {
	if s, seen := m.frags[name]; seen {
		if s == nil {
			return fragShape{} // a cycle: validation refuses the document
		}
		return *s
	}
	def := m.doc.Fragments.ForName(name)
	if def == nil {
		return fragShape{}
	}
	m.frags[name] = nil
	s := m.selections(def.SelectionSet)
	s.directives = add(s.directives, len(def.Directives))
	m.frags[name] = &s
	return s
}
