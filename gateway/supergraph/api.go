package supergraph

import (
	"bytes"
	"fmt"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/formatter"
	"github.com/vektah/gqlparser/v2/validator"
)

// buildAPI derives the API schema: the supergraph minus link/join machinery and
// @inaccessible elements. It is printed and loaded again so that the result is an
// ordinary validated schema with no trace of the join directives.
func (l *loader) buildAPI() error {
	doc := &ast.SchemaDocument{}
	sd := &ast.SchemaDefinition{Description: l.schema.Description}
	for _, op := range []ast.Operation{ast.Query, ast.Mutation, ast.Subscription} {
		if name := l.g.roots[op]; name != "" && !l.hidden(name) {
			sd.OperationTypes = append(sd.OperationTypes, &ast.OperationTypeDefinition{Operation: op, Type: name})
		}
	}
	doc.Schema = append(doc.Schema, sd)
	for _, name := range sortedKeys(l.schema.Directives) {
		d := l.schema.Directives[name]
		if d.Position != nil && d.Position.Src != nil && d.Position.Src.BuiltIn {
			continue
		}
		if l.isMachineryDirective(name) {
			continue
		}
		cp := *d
		cp.Arguments = l.filterArgs(d.Arguments)
		doc.Directives = append(doc.Directives, &cp)
	}
	for _, name := range sortedKeys(l.schema.Types) {
		def := l.schema.Types[name]
		if def.BuiltIn || l.isMachineryType(name) || l.hidden(name) {
			continue
		}
		cp := &ast.Definition{
			Kind:        def.Kind,
			Description: def.Description,
			Name:        def.Name,
			Directives:  l.filterDirectives(def.Directives),
		}
		for _, i := range def.Interfaces {
			if !l.hidden(i) {
				cp.Interfaces = append(cp.Interfaces, i)
			}
		}
		for _, m := range def.Types {
			if !l.hidden(m) {
				cp.Types = append(cp.Types, m)
			}
		}
		for _, ev := range def.EnumValues {
			if l.isInaccessible(ev.Directives) {
				continue
			}
			evc := *ev
			evc.Directives = l.filterDirectives(ev.Directives)
			cp.EnumValues = append(cp.EnumValues, &evc)
		}
		for _, fd := range def.Fields {
			if l.isInaccessible(fd.Directives) || (len(fd.Name) > 1 && fd.Name[:2] == "__") {
				continue
			}
			fc := *fd
			fc.Directives = l.filterDirectives(fd.Directives)
			fc.Arguments = l.filterArgs(fd.Arguments)
			cp.Fields = append(cp.Fields, &fc)
		}
		if (def.Kind == ast.Object || def.Kind == ast.Interface || def.Kind == ast.InputObject) && len(cp.Fields) == 0 {
			continue
		}
		doc.Definitions = append(doc.Definitions, cp)
	}
	var buf bytes.Buffer
	formatter.NewFormatter(&buf, formatter.WithIndent("  ")).FormatSchemaDocument(doc)
	l.g.apiSDL = buf.String()
	api, err := validator.LoadSchema(validator.Prelude, &ast.Source{Name: "api.graphql", Input: l.g.apiSDL})
	if err != nil {
		return fmt.Errorf("derive API schema: %w", err)
	}
	// gqlparser's prelude declares @defer, which the router serves
	// (incremental delivery, gateway/server/defer.go).
	l.g.api = api
	return nil
}

func (l *loader) hidden(typeName string) bool {
	t := l.g.types[typeName]
	return t != nil && t.Inaccessible
}

func (l *loader) isInaccessible(dirs ast.DirectiveList) bool {
	return l.inaccessible != "" && dirs.ForName(l.inaccessible) != nil
}

func (l *loader) filterDirectives(dirs ast.DirectiveList) ast.DirectiveList {
	var out ast.DirectiveList
	for _, d := range dirs {
		if !l.isMachineryDirective(d.Name) {
			out = append(out, d)
		}
	}
	return out
}

func (l *loader) filterArgs(args ast.ArgumentDefinitionList) ast.ArgumentDefinitionList {
	var out ast.ArgumentDefinitionList
	for _, a := range args {
		if l.isInaccessible(a.Directives) {
			continue
		}
		ac := *a
		ac.Directives = l.filterDirectives(a.Directives)
		out = append(out, &ac)
	}
	return out
}
