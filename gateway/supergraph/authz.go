package supergraph

import (
	"fmt"
	"slices"

	"github.com/vektah/gqlparser/v2/ast"
)

// Requirement is what the authorization directives of one type or field ask of
// a request (https://specs.apollo.dev/authenticated/v0.1, requiresScopes/v0.1,
// policy/v0.1). Scopes and Policies are in disjunctive normal form: the request
// must hold every element of at least one inner list; nil means no requirement.
type Requirement struct {
	Authenticated bool
	Scopes        [][]string
	Policies      [][]string
}

// IsZero reports a requirement that every request meets.
func (r Requirement) IsZero() bool {
	return !r.Authenticated && r.Scopes == nil && r.Policies == nil
}

// Authorization holds the requirements of a supergraph's types and fields; it
// is empty when no element carries an authorization directive.
type Authorization struct {
	// Types holds the requirements of object, interface, scalar and enum types.
	Types map[string]Requirement
	// Fields holds the requirements of fields by coordinate ("Type.field").
	Fields map[string]Requirement
	// Scopes and Policies list, sorted, every scope and policy named anywhere.
	Scopes, Policies []string
}

// Empty reports a supergraph without authorization directives.
func (a *Authorization) Empty() bool { return a == nil || (len(a.Types) == 0 && len(a.Fields) == 0) }

// Authorization returns the supergraph's authorization requirements (never nil).
func (g *Graph) Authorization() *Authorization { return g.authz }

// authzNames returns the local names of the three directives as the schema
// links their specs; "" for a spec it does not link (a directive of that name
// is then someone else's and means nothing here).
func (l *loader) authzNames() (authenticated, scopes, policy string) {
	for _, f := range l.features {
		switch f.name {
		case "authenticated":
			authenticated = f.localDirective("authenticated")
		case "requiresScopes":
			scopes = f.localDirective("requiresScopes")
		case "policy":
			policy = f.localDirective("policy")
		}
	}
	return authenticated, scopes, policy
}

// loadAuthorization reads the authorization directives of every type and field.
func (l *loader) loadAuthorization() (*Authorization, error) {
	a := &Authorization{Types: map[string]Requirement{}, Fields: map[string]Requirement{}}
	authn, scopes, policy := l.authzNames()
	read := func(dirs ast.DirectiveList, coord string) (Requirement, error) {
		var r Requirement
		r.Authenticated = authn != "" && dirs.ForName(authn) != nil
		var err error
		if d := dirs.ForName(scopes); scopes != "" && d != nil {
			if r.Scopes, err = dnf(d, "scopes", coord); err != nil {
				return r, err
			}
		}
		if d := dirs.ForName(policy); policy != "" && d != nil {
			if r.Policies, err = dnf(d, "policies", coord); err != nil {
				return r, err
			}
		}
		return r, nil
	}
	scopeSet, policySet := map[string]bool{}, map[string]bool{}
	note := func(r Requirement) {
		for _, and := range r.Scopes {
			for _, s := range and {
				scopeSet[s] = true
			}
		}
		for _, and := range r.Policies {
			for _, p := range and {
				policySet[p] = true
			}
		}
	}
	for _, name := range sortedKeys(l.schema.Types) {
		def := l.schema.Types[name]
		if def.BuiltIn || l.isMachineryType(name) {
			continue
		}
		r, err := read(def.Directives, name)
		if err != nil {
			return nil, err
		}
		if !r.IsZero() {
			a.Types[name] = r
			note(r)
		}
		for _, fd := range def.Fields {
			coord := name + "." + fd.Name
			r, err := read(fd.Directives, coord)
			if err != nil {
				return nil, err
			}
			if !r.IsZero() {
				a.Fields[coord] = r
				note(r)
			}
		}
	}
	a.Scopes, a.Policies = sortedKeys(scopeSet), sortedKeys(policySet)
	return a, nil
}

// dnf reads a [[String!]!]! argument; a bare string stands for a one-element list.
func dnf(d *ast.Directive, name, coord string) ([][]string, error) {
	v := argValue(d, name)
	if v == nil || v.Kind != ast.ListValue {
		return nil, fmt.Errorf("%s: @%s needs %s: [[String!]!]!", coord, d.Name, name)
	}
	out := [][]string{}
	for _, inner := range v.Children {
		var and []string
		switch inner.Value.Kind {
		case ast.ListValue:
			for _, e := range inner.Value.Children {
				and = append(and, e.Value.Raw)
			}
		case ast.StringValue:
			and = []string{inner.Value.Raw}
		default:
			return nil, fmt.Errorf("%s: @%s(%s:) holds %s, not a list of strings", coord, d.Name, name, inner.Value.String())
		}
		out = append(out, slices.Compact(and))
	}
	return out, nil
}
