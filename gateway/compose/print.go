package compose

import (
	"fmt"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
)

const header = `directive @join__enumValue(graph: join__Graph!) repeatable on ENUM_VALUE

directive @join__field(graph: join__Graph, requires: join__FieldSet, provides: join__FieldSet, type: String, external: Boolean, override: String, usedOverridden: Boolean%s) repeatable on FIELD_DEFINITION | INPUT_FIELD_DEFINITION

directive @join__graph(name: String!, url: String!) on ENUM_VALUE

directive @join__implements(graph: join__Graph!, interface: String!) repeatable on OBJECT | INTERFACE

directive @join__type(graph: join__Graph!, key: join__FieldSet, extension: Boolean! = false, resolvable: Boolean! = true, isInterfaceObject: Boolean! = false) repeatable on OBJECT | INTERFACE | UNION | ENUM | INPUT_OBJECT | SCALAR

directive @join__unionMember(graph: join__Graph!, member: String!) repeatable on UNION

directive @link(url: String, as: String, for: link__Purpose, import: [link__Import]) repeatable on SCHEMA
`

const inaccessibleDef = `
directive @inaccessible on FIELD_DEFINITION | OBJECT | INTERFACE | UNION | ARGUMENT_DEFINITION | SCALAR | ENUM | ENUM_VALUE | INPUT_OBJECT | INPUT_FIELD_DEFINITION
`

const tagDef = `
directive @tag(name: String!) repeatable on FIELD_DEFINITION | OBJECT | INTERFACE | UNION | ARGUMENT_DEFINITION | SCALAR | ENUM | ENUM_VALUE | INPUT_OBJECT | INPUT_FIELD_DEFINITION | SCHEMA
`

const linkTypes = `
scalar join__FieldSet

scalar link__Import

enum link__Purpose {
  """
  ` + "`SECURITY`" + ` features provide metadata necessary to securely resolve fields.
  """
  SECURITY

  """
  ` + "`EXECUTION`" + ` features provide metadata necessary for operation execution.
  """
  EXECUTION
}
`

func (m *merger) print() string {
	var b strings.Builder
	joinVersion := "v0.3"
	labelArg := ""
	if m.usesLabel {
		joinVersion, labelArg = "v0.4", ", overrideLabel: String"
	}
	if m.usesContext {
		joinVersion, labelArg = "v0.5", ", overrideLabel: String, contextArguments: [join__ContextArgument!]"
	}
	b.WriteString("schema\n  @link(url: \"https://specs.apollo.dev/link/v1.0\")\n")
	fmt.Fprintf(&b, "  @link(url: \"https://specs.apollo.dev/join/%s\", for: EXECUTION)\n", joinVersion)
	if m.usesInaccessible {
		b.WriteString("  @link(url: \"https://specs.apollo.dev/inaccessible/v0.2\", for: SECURITY)\n")
	}
	if m.usesTag {
		b.WriteString("  @link(url: \"https://specs.apollo.dev/tag/v0.3\")\n")
	}
	if m.usesContext {
		b.WriteString("  @link(url: \"https://specs.apollo.dev/context/v0.1\", for: SECURITY)\n")
	}
	b.WriteString(m.auth.links())
	if m.usesCost {
		b.WriteString(costLink)
	}
	for _, name := range sortedKeys(m.composed) {
		cd := m.composed[name]
		imp := quote("@" + name)
		if cd.specName != name {
			imp = fmt.Sprintf("{name: %s, as: %s}", quote("@"+cd.specName), quote("@"+name))
		}
		fmt.Fprintf(&b, "  @link(url: %s, import: [%s])\n", quote(cd.url), imp)
	}
	b.WriteString("{\n")
	for _, root := range []struct{ op, name string }{{"query", "Query"}, {"mutation", "Mutation"}, {"subscription", "Subscription"}} {
		if t := m.types[root.name]; t != nil && len(t.fields) > 0 {
			fmt.Fprintf(&b, "  %s: %s\n", root.op, root.name)
		}
	}
	b.WriteString("}\n\n")
	if m.usesInaccessible {
		b.WriteString(strings.TrimPrefix(inaccessibleDef, "\n"))
		b.WriteString("\n")
	}
	if m.usesContext {
		b.WriteString(strings.TrimPrefix(contextDefs, "\n"))
		b.WriteString("\n")
		b.WriteString(joinDirectiveDef)
	}
	fmt.Fprintf(&b, header, labelArg)
	if m.usesTag {
		b.WriteString(tagDef)
	}
	b.WriteString(m.auth.definitions())
	if m.usesCost {
		b.WriteString(costDefs)
	}
	for _, name := range sortedKeys(m.composed) {
		b.WriteString("\n" + directiveDefinitionString(m.composed[name].def) + "\n")
	}
	if m.usesContext {
		b.WriteString(contextTypes)
	}
	b.WriteString(linkTypes)
	b.WriteString("\nenum join__Graph {\n")
	for _, sg := range m.sgs {
		fmt.Fprintf(&b, "  %s @join__graph(name: %s, url: %s)\n", sg.enum, quote(sg.name), quote(sg.url))
	}
	b.WriteString("}\n")
	for _, name := range m.order {
		mt := m.types[name]
		if mt == nil || (len(mt.fields) == 0 && (mt.kind == ast.Object || mt.kind == ast.Interface || mt.kind == ast.InputObject)) {
			continue
		}
		b.WriteString("\n")
		m.printType(&b, mt)
	}
	return b.String()
}

func writeDescription(b *strings.Builder, indent, desc string) {
	if desc == "" {
		return
	}
	desc = strings.ReplaceAll(desc, `"""`, `\"""`)
	fmt.Fprintf(b, "%s\"\"\"\n", indent)
	for _, line := range strings.Split(desc, "\n") {
		fmt.Fprintf(b, "%s%s\n", indent, line)
	}
	fmt.Fprintf(b, "%s\"\"\"\n", indent)
}

func (m *merger) printType(b *strings.Builder, mt *mType) {
	writeDescription(b, "", mt.description)
	kw := map[ast.DefinitionKind]string{ast.Object: "type", ast.Interface: "interface", ast.Union: "union", ast.Enum: "enum", ast.InputObject: "input", ast.Scalar: "scalar"}[mt.kind]
	b.WriteString(kw + " " + mt.name)
	if len(mt.interfaces) > 0 {
		b.WriteString(" implements " + strings.Join(mt.interfaces, " & "))
	}
	var dirs []string
	for _, p := range mt.per {
		// Federation 1 subgraphs write `extend type` for entities defined elsewhere;
		// only @extends marks an extension there.
		ext := p.t.extendsDir || (p.sg.fed2 && !p.t.defined)
		extra := ""
		if ext && len(p.t.keys) > 0 && p.t.kind != ast.Interface {
			extra += ", extension: true"
		}
		if p.t.interfaceObject {
			extra += ", isInterfaceObject: true"
		}
		if len(p.t.keys) == 0 || (mt.kind != ast.Object && mt.kind != ast.Interface) {
			dirs = append(dirs, fmt.Sprintf("@join__type(graph: %s%s)", p.sg.enum, extra))
			continue
		}
		for _, k := range p.t.keys {
			res := ""
			if !k.resolvable {
				res = ", resolvable: false"
			}
			dirs = append(dirs, fmt.Sprintf("@join__type(graph: %s, key: %s%s%s)", p.sg.enum, quote(k.fields), extra, res))
		}
	}
	for _, p := range mt.per {
		for _, i := range p.t.interfaces {
			dirs = append(dirs, fmt.Sprintf("@join__implements(graph: %s, interface: %s)", p.sg.enum, quote(i)))
		}
	}
	for _, p := range mt.per {
		for _, mem := range p.t.members {
			dirs = append(dirs, fmt.Sprintf("@join__unionMember(graph: %s, member: %s)", p.sg.enum, quote(mem)))
		}
	}
	for _, c := range mt.contexts {
		dirs = append(dirs, fmt.Sprintf("@context(name: %s)", quote(c)))
	}
	if mt.inaccessible {
		dirs = append(dirs, "@inaccessible")
	}
	for _, t := range mt.tags {
		dirs = append(dirs, fmt.Sprintf("@tag(name: %s)", quote(t)))
	}
	dirs = append(dirs, mt.auth.directives()...)
	for _, d := range mt.other {
		dirs = append(dirs, directiveString(d))
	}
	for _, d := range mt.custom {
		dirs = append(dirs, directiveString(d))
	}
	for _, d := range dirs {
		b.WriteString("\n  " + d)
	}
	switch mt.kind {
	case ast.Scalar:
		b.WriteString("\n")
	case ast.Union:
		b.WriteString("\n = " + strings.Join(mt.members, " | ") + "\n")
	case ast.Enum:
		b.WriteString("\n{\n")
		for _, v := range mt.values {
			writeDescription(b, "  ", v.description)
			b.WriteString("  " + v.name)
			for _, sg := range v.sgs {
				fmt.Fprintf(b, " @join__enumValue(graph: %s)", sg.enum)
			}
			if v.deprecated != nil {
				b.WriteString(" " + directiveString(v.deprecated))
			}
			if v.inaccessible {
				b.WriteString(" @inaccessible")
			}
			for _, t := range v.tags {
				fmt.Fprintf(b, " @tag(name: %s)", quote(t))
			}
			for _, d := range v.custom {
				b.WriteString(" " + directiveString(d))
			}
			b.WriteString("\n")
		}
		b.WriteString("}\n")
	default:
		b.WriteString("\n{\n")
		for _, f := range mt.fields {
			if f.typ == nil {
				continue
			}
			writeDescription(b, "  ", f.description)
			b.WriteString("  " + f.name)
			if len(f.args) > 0 {
				var args []string
				for _, a := range f.args {
					s := a.name + ": " + a.typ.String()
					if a.defaultValue != nil {
						s += " = " + a.defaultValue.String()
					}
					if a.deprecated != nil {
						s += " " + directiveString(a.deprecated)
					}
					if a.inaccessible {
						s += " @inaccessible"
					}
					for _, t := range a.tags {
						s += fmt.Sprintf(" @tag(name: %s)", quote(t))
					}
					for _, d := range a.demand {
						s += " " + directiveString(d)
					}
					args = append(args, s)
				}
				b.WriteString("(" + strings.Join(args, ", ") + ")")
			}
			b.WriteString(": " + f.typ.String())
			if f.defaultValue != nil {
				b.WriteString(" = " + f.defaultValue.String())
			}
			if f.bare {
				b.WriteString(" @join__field")
			} else if f.needJoin {
				for _, s := range f.sources {
					b.WriteString(" " + joinField(s))
				}
			}
			if f.deprecated != nil {
				b.WriteString(" " + directiveString(f.deprecated))
			}
			if f.inaccessible {
				b.WriteString(" @inaccessible")
			}
			for _, t := range f.tags {
				fmt.Fprintf(b, " @tag(name: %s)", quote(t))
			}
			for _, d := range f.auth.directives() {
				b.WriteString(" " + d)
			}
			for _, d := range f.custom {
				b.WriteString(" " + directiveString(d))
			}
			b.WriteString("\n")
		}
		b.WriteString("}\n")
	}
}

func joinField(s *fieldSource) string {
	parts := []string{"graph: " + s.sg.enum}
	if s.f.requires != "" {
		parts = append(parts, "requires: "+quote(s.f.requires))
	}
	if s.f.provides != "" {
		parts = append(parts, "provides: "+quote(s.f.provides))
	}
	if s.typeDiff {
		parts = append(parts, "type: "+quote(s.f.typ.String()))
	}
	if s.f.external {
		parts = append(parts, "external: true")
	}
	if s.f.hasOverride && s.f.override != "" {
		parts = append(parts, "override: "+quote(s.f.override))
	}
	if s.usedOverridden {
		parts = append(parts, "usedOverridden: true")
	}
	switch {
	case s.f.hasOverride && s.f.override != "" && s.f.overrideLabel != "":
		parts = append(parts, "overrideLabel: "+quote(s.f.overrideLabel))
	case s.overriddenLabel != "":
		parts = append(parts, "overrideLabel: "+quote(s.overriddenLabel))
	}
	if ca := contextArguments(s); ca != "" {
		parts = append(parts, ca)
	}
	return "@join__field(" + strings.Join(parts, ", ") + ")"
}

func directiveString(d *ast.Directive) string {
	if len(d.Arguments) == 0 {
		return "@" + d.Name
	}
	args := make([]string, len(d.Arguments))
	for i, a := range d.Arguments {
		args[i] = a.Name + ": " + a.Value.String()
	}
	return "@" + d.Name + "(" + strings.Join(args, ", ") + ")"
}

func directiveDefinitionString(d *ast.DirectiveDefinition) string {
	var b strings.Builder
	writeDescription(&b, "", d.Description)
	b.WriteString("directive @" + d.Name)
	if len(d.Arguments) > 0 {
		args := make([]string, len(d.Arguments))
		for i, a := range d.Arguments {
			args[i] = a.Name + ": " + a.Type.String()
			if a.DefaultValue != nil {
				args[i] += " = " + a.DefaultValue.String()
			}
		}
		b.WriteString("(" + strings.Join(args, ", ") + ")")
	}
	if d.IsRepeatable {
		b.WriteString(" repeatable")
	}
	locs := make([]string, len(d.Locations))
	for i, l := range d.Locations {
		locs[i] = string(l)
	}
	b.WriteString(" on " + strings.Join(locs, " | "))
	return b.String()
}
