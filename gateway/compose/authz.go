package compose

import (
	"fmt"
	"slices"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
)

// authReq is what an element's authorization directives require
// (https://specs.apollo.dev/authenticated/v0.1, requiresScopes/v0.1, policy/v0.1).
// scopes and policies are in disjunctive normal form: any inner list whose
// elements the request all has satisfies them; nil means no requirement.
//
// Composition is accumulative, as @apollo/composition does it: the requirements
// of every subgraph that declares an element are ANDed, and an interface (and
// each of its fields) also takes on those of its implementations, so that a
// request that may not read one implementation may not read through the
// interface either.
type authReq struct {
	authenticated    bool
	scopes, policies [][]string
}

func (r authReq) empty() bool { return !r.authenticated && r.scopes == nil && r.policies == nil }

// read adds a subgraph's @authenticated, @requiresScopes or @policy (kind is
// its federation name) to r.
func (r authReq) read(kind string, d *ast.Directive) authReq {
	switch kind {
	case "authenticated":
		r.authenticated = true
	case "requiresScopes":
		r.scopes = andDNF(r.scopes, dnfArg(d, "scopes"))
	case "policy":
		r.policies = andDNF(r.policies, dnfArg(d, "policies"))
	}
	return r
}

// and is the conjunction of r and o.
func (r authReq) and(o authReq) authReq {
	return authReq{
		authenticated: r.authenticated || o.authenticated,
		scopes:        andDNF(r.scopes, o.scopes),
		policies:      andDNF(r.policies, o.policies),
	}
}

// dnfArg reads a [[String!]!]! argument.
func dnfArg(d *ast.Directive, name string) [][]string {
	a := d.Arguments.ForName(name)
	if a == nil || a.Value == nil {
		return [][]string{}
	}
	out := [][]string{}
	for _, inner := range a.Value.Children {
		var and []string
		for _, v := range inner.Value.Children {
			and = append(and, v.Value.Raw)
		}
		if inner.Value.Kind != ast.ListValue { // a single value coerced to a list
			and = []string{inner.Value.Raw}
		}
		out = append(out, and)
	}
	// Kept as written: the reference composer normalises only what it merges.
	return out
}

// andDNF ANDs two requirements in disjunctive normal form: every pair of
// alternatives joined. nil (no requirement) is the identity.
func andDNF(a, b [][]string) [][]string {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	}
	var out [][]string
	for _, x := range a {
		for _, y := range b {
			out = append(out, append(slices.Clone(x), y...))
		}
	}
	return simplifyDNF(out)
}

// simplifyDNF sorts and de-duplicates each alternative, drops alternatives
// that include another (the smaller one already satisfies them) and orders
// the rest by size, then by their elements, as the reference composer prints them.
func simplifyDNF(in [][]string) [][]string {
	sets := make([][]string, 0, len(in))
	for _, s := range in {
		s = slices.Clone(s)
		slices.Sort(s)
		sets = append(sets, slices.Compact(s))
	}
	out := [][]string{}
	for i, s := range sets {
		redundant := false
		for j, o := range sets {
			if i != j && isSubset(o, s) && (len(o) < len(s) || j < i) {
				redundant = true
				break
			}
		}
		if !redundant {
			out = append(out, s)
		}
	}
	slices.SortFunc(out, func(a, b []string) int {
		if len(a) != len(b) {
			return len(a) - len(b)
		}
		return slices.Compare(a, b)
	})
	return out
}

// isSubset reports whether every element of a (sorted) is in b (sorted).
func isSubset(a, b []string) bool {
	for _, s := range a {
		if _, ok := slices.BinarySearch(b, s); !ok {
			return false
		}
	}
	return true
}

// directives prints r as supergraph directives, in the reference composer's order.
func (r authReq) directives() []string {
	var out []string
	if r.authenticated {
		out = append(out, "@authenticated")
	}
	if r.scopes != nil {
		out = append(out, "@requiresScopes(scopes: "+dnfString(r.scopes)+")")
	}
	if r.policies != nil {
		out = append(out, "@policy(policies: "+dnfString(r.policies)+")")
	}
	return out
}

func dnfString(d [][]string) string {
	alts := make([]string, len(d))
	for i, and := range d {
		q := make([]string, len(and))
		for j, s := range and {
			q[j] = quote(s)
		}
		alts[i] = "[" + strings.Join(q, ", ") + "]"
	}
	return "[" + strings.Join(alts, ", ") + "]"
}

// authUse records which authorization specs the supergraph needs.
type authUse struct{ authenticated, scopes, policies bool }

func (u *authUse) note(r authReq) {
	u.authenticated = u.authenticated || r.authenticated
	u.scopes = u.scopes || r.scopes != nil
	u.policies = u.policies || r.policies != nil
}

// propagateAuth gives each interface and interface field the requirements of
// its implementations (see authReq), then records which specs are used.
func (m *merger) propagateAuth() {
	for _, name := range m.order {
		it := m.types[name]
		if it == nil || it.kind != ast.Interface {
			continue
		}
		for _, implName := range m.order {
			impl := m.types[implName]
			if impl == nil || impl.kind != ast.Object || !contains(impl.interfaces, name) {
				continue
			}
			it.auth = it.auth.and(impl.auth)
			for _, f := range it.fields {
				for _, g := range impl.fields {
					if g.name == f.name {
						f.auth = f.auth.and(g.auth)
					}
				}
			}
		}
	}
	for _, name := range m.order {
		if mt := m.types[name]; mt != nil {
			m.auth.note(mt.auth)
			for _, f := range mt.fields {
				m.auth.note(f.auth)
			}
		}
	}
}

// authLinks are the schema's @link lines for the authorization specs in use.
func (u authUse) links() string {
	var b strings.Builder
	for _, l := range []struct {
		on   bool
		spec string
	}{{u.authenticated, "authenticated"}, {u.scopes, "requiresScopes"}, {u.policies, "policy"}} {
		if l.on {
			fmt.Fprintf(&b, "  @link(url: \"https://specs.apollo.dev/%s/v0.1\", for: SECURITY)\n", l.spec)
		}
	}
	return b.String()
}

// definitions are the directive definitions and scalars of the specs in use.
func (u authUse) definitions() string {
	const on = " on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM\n"
	var b strings.Builder
	if u.authenticated {
		b.WriteString("\ndirective @authenticated" + on)
	}
	if u.scopes {
		b.WriteString("\ndirective @requiresScopes(scopes: [[requiresScopes__Scope!]!]!)" + on + "\nscalar requiresScopes__Scope\n")
	}
	if u.policies {
		b.WriteString("\ndirective @policy(policies: [[policy__Policy!]!]!)" + on + "\nscalar policy__Policy\n")
	}
	return b.String()
}
