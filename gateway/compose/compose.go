// Package compose turns Federation v2 subgraph SDLs into a supergraph SDL in the
// join-spec format (link v1.0, join v0.3) that any join-spec router can load.
//
// This first version merges types, fields, keys, @external, @requires, @provides,
// @override, @shareable (checked), @inaccessible and @tag; the full set of merge rules
// and Federation 1 hints come later. Errors name the subgraph and the schema
// coordinate, e.g. `[orders] Product.price: ...`.
package compose

import (
	"fmt"
	"sort"
	"strings"

	"github.com/shopgraph/shopgraph/gateway/supergraph"
)

// Subgraph is one input to composition.
type Subgraph struct {
	// Name identifies the subgraph in join__Graph and in errors.
	Name string
	// URL is where the router will send the subgraph's fetches.
	URL string
	// SDL is the subgraph schema as returned by `_service { sdl }`.
	SDL string
}

// Location is a position in a subgraph's SDL.
type Location struct {
	Line   int `json:"line"`
	Column int `json:"column"`
}

// Error is one composition error.
type Error struct {
	// Subgraph is the subgraph at fault, when one is.
	Subgraph string
	// Coordinate is the schema coordinate at fault, e.g. "Product.price".
	Coordinate string
	Message    string
	Locations  []Location
}

// Error formats the error as "[subgraph] Coordinate: message (line:col)".
func (e *Error) Error() string {
	var b strings.Builder
	if e.Subgraph != "" {
		fmt.Fprintf(&b, "[%s] ", e.Subgraph)
	}
	if e.Coordinate != "" {
		b.WriteString(e.Coordinate)
		b.WriteString(": ")
	}
	b.WriteString(e.Message)
	for i, l := range e.Locations {
		if i == 0 {
			b.WriteString(" (at ")
		} else {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%d:%d", l.Line, l.Column)
		if i == len(e.Locations)-1 {
			b.WriteString(")")
		}
	}
	return b.String()
}

// Errors is the list of errors a failed composition reports.
type Errors []*Error

// Error joins the messages one per line.
func (es Errors) Error() string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = e.Error()
	}
	return "composition failed:\n" + strings.Join(parts, "\n")
}

// Compose merges subgraphs into a supergraph SDL. The output is deterministic: types
// are sorted by name and subgraphs by name whatever the input order. A failed
// composition returns Errors.
func Compose(subgraphs []Subgraph) (string, error) {
	sgs := append([]Subgraph(nil), subgraphs...)
	sort.Slice(sgs, func(i, j int) bool { return sgs[i].Name < sgs[j].Name })
	var errs Errors
	seen := map[string]bool{}
	var parsed []*subgraph
	for _, in := range sgs {
		if in.Name == "" {
			errs = append(errs, &Error{Message: "subgraph without a name"})
			continue
		}
		if seen[in.Name] {
			errs = append(errs, &Error{Subgraph: in.Name, Message: "subgraph name used twice"})
			continue
		}
		seen[in.Name] = true
		sg, perrs := parseSubgraph(in)
		errs = append(errs, perrs...)
		if sg != nil {
			parsed = append(parsed, sg)
		}
	}
	if len(errs) > 0 {
		return "", errs
	}
	if len(parsed) == 0 {
		return "", Errors{{Message: "no subgraphs to compose"}}
	}
	m := newMerger(parsed)
	m.merge()
	if len(m.errs) > 0 {
		return "", m.errs
	}
	out := m.print()
	// Loading the result catches what the merge rules above do not check yet.
	if _, err := supergraph.Load(out); err != nil {
		return "", Errors{{Message: "composed supergraph is invalid: " + err.Error()}}
	}
	return out, nil
}
