package plan

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"
	"github.com/vektah/gqlparser/v2/validator/rules"

	"github.com/shopgraph/shopgraph/gateway/limits"
	"github.com/shopgraph/shopgraph/gateway/supergraph"
)

// RequestError reports a request that cannot run: syntax, validation, variable
// or limit errors. GraphQL over HTTP answers them with status 400.
type RequestError struct {
	// Phase is "parse", "validation", "variables" or "limit".
	Phase  string
	Errors gqlerror.List
}

// Error joins the messages.
func (e *RequestError) Error() string { return e.Errors.Error() }

// Planner plans operations for one supergraph and caches the results.
type Planner struct {
	g      *supergraph.Graph
	rules  *rules.Rules
	docs   *lru[*document]
	plans  *lru[*Plan]
	labels map[string]bool
	// splitDepth: see Options.SplitDepth; 0 here never splits.
	splitDepth      int
	limits          limits.Config
	noIntrospection bool
	// hits and misses count plan cache lookups, for Stats.
	hits, misses atomic.Int64
}

// Options configure a Planner.
type Options struct {
	// CacheSize bounds the cached documents and plans (default 1024).
	CacheSize int
	// OverrideLabels are the progressive @override labels that are on: a field
	// overridden with such a label is taken from the overriding subgraph. Labels
	// not listed are off, except "percent(100)", which is always on: the router
	// decides percentages deterministically, by this configuration.
	OverrideLabels []string
	// SplitDepth is how many nested list levels (lists inside lists) one
	// subgraph fetch may span before the planner splits it at an entity the
	// same subgraph can resolve by key, fetching the deeper fields in a later
	// _entities call with de-duplicated representations. Nesting through
	// entities repeats the same objects, and a subgraph computes every
	// repetition; the split has it compute each distinct entity once, at the
	// price of one more round trip. nil means DefaultSplitDepth; 0 never
	// splits (the plans Apollo Router makes).
	SplitDepth *int
	// Limits bound the documents the planner accepts (limits.Config's
	// defaults fill zero fields; negative ones are off).
	Limits limits.Config
	// NoIntrospection refuses operations that select __schema or __type.
	NoIntrospection bool
}

// DefaultSplitDepth is the SplitDepth used when Options leave it nil.
const DefaultSplitDepth = 3

// document is a parsed and validated query document, cached by its text.
type document struct {
	doc *ast.QueryDocument
	op  *ast.OperationDefinition
	err *RequestError
	// planKey is the plan cache key of the normalised operation, set by the
	// first request that normalises it.
	planKey atomic.Pointer[string]
	// cost is the operation's estimated cost plus one when it does not depend
	// on variables and has been estimated; 0 otherwise.
	cost atomic.Int64
	// deferIf marks a document with a @defer(if: $variable).
	deferIf bool
}

// NewPlanner returns a planner for g caching up to cacheSize documents and plans.
func NewPlanner(g *supergraph.Graph, cacheSize int) *Planner {
	return New(g, Options{CacheSize: cacheSize})
}

// New returns a planner for g configured by opts.
func New(g *supergraph.Graph, opts Options) *Planner {
	if opts.CacheSize <= 0 {
		opts.CacheSize = 1024
	}
	splitDepth := DefaultSplitDepth
	if opts.SplitDepth != nil {
		splitDepth = max(*opts.SplitDepth, 0)
	}
	labels := map[string]bool{}
	for _, l := range opts.OverrideLabels {
		labels[l] = true
	}
	return &Planner{g: g, rules: validationRules(), docs: newLRU[*document](opts.CacheSize), plans: newLRU[*Plan](opts.CacheSize), labels: labels, splitDepth: splitDepth, limits: opts.Limits.WithDefaults(), noIntrospection: opts.NoIntrospection}
}

// labelOn reports whether a progressive @override label is enabled.
func (p *Planner) labelOn(label string) bool {
	if p.labels[label] {
		return true
	}
	return strings.ReplaceAll(label, " ", "") == "percent(100)"
}

// Graph returns the supergraph the planner plans for.
func (p *Planner) Graph() *supergraph.Graph { return p.g }

// Plan parses, validates, normalises and plans an operation. It returns the plan and
// the coerced variables to execute it with. Parse, validation and variable errors are
// *RequestError; other errors mean the supergraph cannot serve the operation.
//
// Documents are cached by a hash of their text and the operation name, which
// spares the parse and validation on a hit; plans by a hash of the normalised
// operation (its selections after fragments are inlined and fields merged,
// its name and variable definitions), so that documents that differ only in
// spelling share one plan. Plans do not depend on variable values:
// @skip/@include on variables are decided at run time (Condition nodes,
// directives kept in subgraph operations, and shaping).
func (p *Planner) Plan(query, operationName string, variables map[string]any) (*Plan, map[string]any, error) {
	if e := p.limits.CheckSize(query); e != nil {
		return nil, nil, limitError(e)
	}
	sum := sha256.Sum256([]byte(query))
	docKey := string(sum[:]) + "\x00" + operationName
	d, ok := p.docs.get(docKey)
	if !ok {
		d = p.parse(query, operationName)
		p.docs.put(docKey, d)
	}
	if d.err != nil {
		return nil, nil, d.err
	}
	vars, err := validator.VariableValues(p.g.API(), d.op, variables)
	if err != nil {
		var gerr *gqlerror.Error
		if errors.As(err, &gerr) {
			return nil, nil, &RequestError{Phase: "variables", Errors: gqlerror.List{gerr}}
		}
		return nil, nil, &RequestError{Phase: "variables", Errors: gqlerror.List{gqlerror.Wrap(err)}}
	}
	if err := p.checkCost(d, vars); err != nil {
		return nil, nil, err
	}
	// A document whose @defer takes its if: from a variable normalises to
	// one operation per value; the others, to one operation whatever the
	// variables, whose key is kept with the document.
	if k := d.planKey.Load(); k != nil && !d.deferIf {
		if pl, ok := p.plans.get(*k); ok {
			p.hits.Add(1)
			return pl, vars, nil
		}
	}
	n := &normaliser{schema: p.g.API(), doc: d.doc, vars: vars}
	op, err := n.operation(d.op)
	if err != nil {
		return nil, nil, &RequestError{Phase: "validation", Errors: gqlerror.List{gqlerror.Errorf("%s", err.Error())}}
	}
	key := planKey(op)
	if !d.deferIf {
		d.planKey.Store(&key)
	}
	if pl, ok := p.plans.get(key); ok {
		p.hits.Add(1)
		return pl, vars, nil
	}
	p.misses.Add(1)
	pl, err := build(p.g, op, p.labelOn, p.splitDepth)
	if err != nil {
		return nil, nil, fmt.Errorf("plan operation: %w", err)
	}
	p.plans.put(key, pl)
	return pl, vars, nil
}

// Stats returns how many operations found their plan in the cache (hits) and
// how many had to be planned (misses) so far.
func (p *Planner) Stats() (hits, misses int64) { return p.hits.Load(), p.misses.Load() }

// planKey hashes what a plan depends on in a normalised operation: its kind,
// name and selections, and its variable definitions (subgraph operations
// declare them).
func planKey(op *Operation) string {
	h := sha256.New()
	h.Write([]byte(op.String()))
	for _, v := range op.Variables {
		h.Write([]byte("\x00$" + v.Variable + ":" + v.Type.String()))
		if v.DefaultValue != nil {
			h.Write([]byte("=" + v.DefaultValue.String()))
		}
	}
	return string(h.Sum(nil))
}

func (p *Planner) parse(query, operationName string) *document {
	doc, err := parser.ParseQueryWithTokenLimit(&ast.Source{Name: "operation", Input: query}, max(p.limits.MaxTokens, 0))
	if err != nil {
		if p.limits.MaxTokens > 0 && strings.Contains(err.Error(), "exceeded token limit") {
			return &document{err: limitError(&limits.Exceeded{Limit: "tokens", Max: p.limits.MaxTokens, Actual: p.limits.MaxTokens + 1})}
		}
		var gerr *gqlerror.Error
		if errors.As(err, &gerr) {
			return &document{err: &RequestError{Phase: "parse", Errors: gqlerror.List{gerr}}}
		}
		return &document{err: &RequestError{Phase: "parse", Errors: gqlerror.List{gqlerror.Wrap(err)}}}
	}
	// Structural limits come before validation, whose cost grows faster than
	// the document: every operation of the document is validated, so every
	// one is measured.
	for _, op := range doc.Operations {
		if e := p.limits.CheckShape(doc, op); e != nil {
			return &document{err: limitError(e)}
		}
	}
	if errs := validator.ValidateWithRules(p.g.API(), doc, p.rules); len(errs) > 0 {
		return &document{err: &RequestError{Phase: "validation", Errors: errs}}
	}
	var op *ast.OperationDefinition
	switch {
	case operationName != "":
		op = doc.Operations.ForName(operationName)
		if op == nil {
			return &document{err: &RequestError{Phase: "validation", Errors: gqlerror.List{gqlerror.Errorf("unknown operation %q", operationName)}}}
		}
	case len(doc.Operations) == 1:
		op = doc.Operations[0]
	case len(doc.Operations) == 0:
		return &document{err: &RequestError{Phase: "validation", Errors: gqlerror.List{gqlerror.Errorf("no operation in the document")}}}
	default:
		return &document{err: &RequestError{Phase: "validation", Errors: gqlerror.List{gqlerror.Errorf("operationName is required when the document has several operations")}}}
	}
	if p.noIntrospection {
		if f := introspectionField(doc, op.SelectionSet, map[string]bool{}); f != nil {
			return &document{err: &RequestError{Phase: "validation", Errors: gqlerror.List{{
				Message:    "introspection is disabled on this router",
				Locations:  []gqlerror.Location{{Line: f.Position.Line, Column: f.Position.Column}},
				Extensions: map[string]any{"code": "INTROSPECTION_DISABLED"},
			}}}}
		}
	}
	return &document{doc: doc, op: op, deferIf: variableDeferIf(doc)}
}

// checkCost refuses an operation whose estimated cost is over the limit. The
// estimate of an operation without variables is kept with its document.
func (p *Planner) checkCost(d *document, vars map[string]any) error {
	if p.limits.MaxCost <= 0 {
		return nil
	}
	cost := int(d.cost.Load()) - 1
	if cost < 0 {
		cost = p.limits.Cost(p.g, d.doc, d.op, vars)
		if len(d.op.VariableDefinitions) == 0 {
			d.cost.Store(int64(cost) + 1)
		}
	}
	if cost > p.limits.MaxCost {
		return limitError(&limits.Exceeded{Limit: "cost", Max: p.limits.MaxCost, Actual: cost})
	}
	return nil
}

// limitError is the request error of an operation over a limit.
func limitError(e *limits.Exceeded) *RequestError {
	return &RequestError{Phase: "limit", Errors: gqlerror.List{{Message: e.Error(), Extensions: e.Extensions()}}}
}

// introspectionField returns the first __schema or __type field of set, looking
// through fragments; seen guards against spreading a fragment twice.
func introspectionField(doc *ast.QueryDocument, set ast.SelectionSet, seen map[string]bool) *ast.Field {
	for _, sel := range set {
		var sub ast.SelectionSet
		switch sel := sel.(type) {
		case *ast.Field:
			if sel.Name == "__schema" || sel.Name == "__type" {
				return sel
			}
			sub = sel.SelectionSet
		case *ast.InlineFragment:
			sub = sel.SelectionSet
		case *ast.FragmentSpread:
			if seen[sel.Name] {
				continue
			}
			seen[sel.Name] = true
			if def := doc.Fragments.ForName(sel.Name); def != nil {
				sub = def.SelectionSet
			}
		}
		if f := introspectionField(doc, sub, seen); f != nil {
			return f
		}
	}
	return nil
}
