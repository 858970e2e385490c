package supergraph

import (
	"github.com/vektah/gqlparser/v2/ast"
)

// Join v0.1 supergraphs, written by Federation 1 composers, say less than later
// versions, and the loader fills in what Federation 1 meant, as Apollo's own
// subgraph extraction does for them:
//
//   - a field without @join__field on a type with @join__owner belongs to the
//     owner only (later versions list every subgraph, or none meaning all);
//   - every subgraph with a @key on a type resolves the key's fields, which
//     Federation 1 marked @external in the subgraphs that extend the entity
//     and the composer wrote with the owner's @join__field alone.
//
// Join v0.2 needs nothing of its own: its directives are a subset of v0.3's,
// and absent @join__unionMember and @join__enumValue already mean "every
// subgraph that has the type".

// fed1 reports whether the supergraph is written in join v0.1.
func (l *loader) fed1() bool { return l.join.version == "v0.1" }

// owner returns the subgraph named by a type's @join__owner, or nil.
func (l *loader) owner(def *ast.Definition) *Subgraph {
	if def == nil || !l.fed1() {
		return nil
	}
	d := def.Directives.ForName(l.join.localDirective("owner"))
	if d == nil {
		return nil
	}
	sg, _ := l.graphArg(d, def.Name)
	return sg
}

// addKeyFieldSources makes each subgraph with a @key on t a source of the key's
// top-level fields.
func (l *loader) addKeyFieldSources(t *Type) {
	if !l.fed1() {
		return
	}
	for _, sgName := range t.SubgraphNames {
		for _, k := range t.Subgraphs[sgName].Keys {
			for _, sel := range k.Selection {
				kf, ok := sel.(*ast.Field)
				if !ok {
					continue
				}
				if f := t.Fields[kf.Name]; f != nil && f.Sources[sgName] == nil {
					f.Sources[sgName] = &FieldSource{Subgraph: sgName}
					f.SourceNames = sortedKeys(f.Sources)
				}
			}
		}
	}
}
