package supergraph

import "strings"

// Options configure how a supergraph is loaded.
type Options struct {
	// ComposedDirectivesInAPI keeps in the API schema the directives that
	// subgraphs passed on with @composeDirective (see strips).
	ComposedDirectivesInAPI bool
}

// Directives that subgraphs pass on with @composeDirective reach the supergraph
// under an @link to their own spec (https://myspecs.example/cache/v1.0), with
// their definitions and applications. Apollo's API schema (graphql-js's
// toAPISchema and the Rust router's alike) strips every @link'ed feature, these
// included, and so does ours by default: introspection answers as Apollo's does,
// which gateway/execute's introspection differential test holds us to.
//
// With Options.ComposedDirectivesInAPI the API schema keeps them, their
// definitions and the types of their arguments: they are the subgraph authors'
// API rather than routing machinery, clients then see them in introspection, and
// one with executable locations may be used in operations. The features under
// specs.apollo.dev (link, core, join, inaccessible, tag, cost, authorization,
// context) are the supergraph's machinery and are always stripped.

// strips reports whether the API schema leaves out feature f's elements.
func (l *loader) strips(f feature) bool {
	return !l.opts.ComposedDirectivesInAPI || f.machinery()
}

// machinery reports whether the feature is one of Apollo's specs.
func (f feature) machinery() bool {
	return strings.HasPrefix(f.url, "https://specs.apollo.dev/") || strings.HasPrefix(f.url, "http://specs.apollo.dev/")
}
