// Package limits protects the router from operations that cost far more than any
// client needs: it measures a client document before it is planned and refuses it
// when it exceeds a configured limit.
//
// Two kinds of measures run at two moments. Before validation, on the parsed
// document: its size in bytes and tokens (the parser stops at the token limit),
// its depth, aliases, root fields and directives. These are cheap, and they keep
// a hostile document away from validation, whose overlap check grows with the
// square of the fields. After validation and variable coercion, the estimated
// cost: list fields multiply their children by the list's size, read from a
// slicing argument (first, last, limit) or from the supergraph's @listSize, else a
// default list size. The estimate is what an attacker cannot dodge by keeping the
// document small: 40 nested levels of product { variants { ... } } are 400 bytes
// and 3^20 objects.
//
// Named fragments are measured once each and their measures reused wherever they
// are spread, so a document that spreads fragments exponentially costs linear
// time to measure; sums saturate instead of overflowing.
package limits

import (
	"errors"
	"fmt"
)

// Code is the extensions.code of every limit error.
const Code = "OPERATION_LIMIT_EXCEEDED"

// Config sets the limits. A zero field takes its default; a negative one turns
// that limit off. Defaults are far above what the web store's heaviest page needs
// (depth 11, cost about 2,500) and far below what a hostile operation needs.
type Config struct {
	// MaxDocumentBytes bounds the operation's text (default 128 KiB).
	MaxDocumentBytes int `yaml:"maxDocumentBytes" help:"the longest operation document, in bytes (negative: no limit)"`
	// MaxTokens bounds the lexical tokens of the document (default 15,000).
	MaxTokens int `yaml:"maxTokens" help:"the most lexical tokens in a document (negative: no limit)"`
	// MaxDepth bounds the nesting of fields; a root field has depth 1 (default 20).
	MaxDepth int `yaml:"maxDepth" help:"the deepest field nesting; a root field has depth 1 (negative: no limit)"`
	// MaxAliases bounds the aliased fields of the operation (default 50).
	MaxAliases int `yaml:"maxAliases" help:"the most aliased fields in an operation (negative: no limit)"`
	// MaxRootFields bounds the fields selected on the root type (default 30).
	MaxRootFields int `yaml:"maxRootFields" help:"the most root fields in an operation (negative: no limit)"`
	// MaxDirectives bounds the directive applications in the operation (default 50).
	MaxDirectives int `yaml:"maxDirectives" help:"the most directive applications in an operation (negative: no limit)"`
	// MaxCost bounds the estimated cost (default 50,000).
	MaxCost int `yaml:"maxCost" help:"the highest estimated cost (negative: no limit)"`
	// DefaultListSize is the assumed size of a list that no argument or
	// @listSize sizes (default 10).
	DefaultListSize int `yaml:"defaultListSize" help:"the assumed size of a list that no argument or @listSize sizes"`
	// SlicingArguments are the argument names that size a list, or the lists
	// right below a connection field (default first, last, limit).
	SlicingArguments []string `yaml:"slicingArguments" help:"argument names that size a list or the lists under a connection"`
	// CostMetrics measures every operation's estimated and actual cost in the
	// router's metrics. Off by default: the actual cost rereads each response,
	// which on small cached answers costs about a third of the router's
	// throughput (gateways benchmark, de-duplication on).
	CostMetrics bool `yaml:"costMetrics" help:"measure each operation's estimated and actual cost in /metrics (rereads every response)"`

	// The caps below bound a request while it runs, for the operations whose
	// estimate was too low; the executor enforces them.

	// MaxSubgraphBytes caps the subgraph answer bytes one request may read,
	// summed over its fetches (default 32 MiB).
	MaxSubgraphBytes int64 `yaml:"maxSubgraphBytes" help:"the most subgraph answer bytes one request may read (negative: no cap)"`
	// MaxEntities caps the objects one request's entity fetches are made for
	// (default 100,000).
	MaxEntities int `yaml:"maxEntities" help:"the most objects one request may fetch entities for (negative: no cap)"`
	// MaxResponseBytes caps the response's data (default 32 MiB).
	MaxResponseBytes int `yaml:"maxResponseBytes" help:"the largest response data (negative: no cap)"`
}

// Defaults of Config's fields.
const (
	DefaultMaxDocumentBytes = 128 << 10
	DefaultMaxTokens        = 15000
	DefaultMaxDepth         = 20
	DefaultMaxAliases       = 50
	DefaultMaxRootFields    = 30
	DefaultMaxDirectives    = 50
	DefaultMaxCost          = 50000
	DefaultDefaultListSize  = 10
	DefaultMaxSubgraphBytes = 32 << 20
	DefaultMaxEntities      = 100_000
	DefaultMaxResponseBytes = 32 << 20
)

// WithDefaults fills zero fields with their defaults.
func (c Config) WithDefaults() Config {
	def := func(p *int, v int) {
		if *p == 0 {
			*p = v
		}
	}
	def(&c.MaxDocumentBytes, DefaultMaxDocumentBytes)
	def(&c.MaxTokens, DefaultMaxTokens)
	def(&c.MaxDepth, DefaultMaxDepth)
	def(&c.MaxAliases, DefaultMaxAliases)
	def(&c.MaxRootFields, DefaultMaxRootFields)
	def(&c.MaxDirectives, DefaultMaxDirectives)
	def(&c.MaxCost, DefaultMaxCost)
	def(&c.DefaultListSize, DefaultDefaultListSize)
	def(&c.MaxEntities, DefaultMaxEntities)
	def(&c.MaxResponseBytes, DefaultMaxResponseBytes)
	if c.MaxSubgraphBytes == 0 {
		c.MaxSubgraphBytes = DefaultMaxSubgraphBytes
	}
	if len(c.SlicingArguments) == 0 {
		c.SlicingArguments = []string{"first", "last", "limit"}
	}
	return c
}

// Validate reports bad fields by their YAML key under prefix (e.g. "limits").
func (c Config) Validate(prefix string) error {
	var errs []error
	if c.DefaultListSize < 0 {
		errs = append(errs, fmt.Errorf("%s.defaultListSize must not be negative, got %d", prefix, c.DefaultListSize))
	}
	for i, a := range c.SlicingArguments {
		if a == "" {
			errs = append(errs, fmt.Errorf("%s.slicingArguments[%d] is empty", prefix, i))
		}
	}
	return errors.Join(errs...)
}

// Exceeded reports an operation over one limit.
type Exceeded struct {
	// Limit names the limit: "documentBytes", "tokens", "depth", "aliases",
	// "rootFields", "directives" or "cost".
	Limit string
	// Max is the configured limit.
	Max int
	// Actual is what the operation measured; for tokens, where the parser
	// stops counting, it is Max+1.
	Actual int
}

var limitWords = map[string]string{
	"documentBytes": "document size limit",
	"tokens":        "token limit",
	"depth":         "depth limit",
	"aliases":       "alias limit",
	"rootFields":    "root field limit",
	"directives":    "directive limit",
	"cost":          "cost limit",
}

var measureWords = map[string]string{
	"documentBytes": "its document has %d bytes",
	"tokens":        "its document has more than %d tokens",
	"depth":         "its fields nest %d deep",
	"aliases":       "it has %d aliases",
	"rootFields":    "it selects %d root fields",
	"directives":    "it applies %d directives",
	"cost":          "its estimated cost is %d",
}

func (e *Exceeded) Error() string {
	actual := e.Actual
	if e.Limit == "tokens" {
		actual = e.Max
	}
	return fmt.Sprintf("operation exceeds the %s of %d: %s", limitWords[e.Limit], e.Max, fmt.Sprintf(measureWords[e.Limit], actual))
}

// Extensions returns the error's GraphQL extensions.
func (e *Exceeded) Extensions() map[string]any {
	return map[string]any{"code": Code, "limit": e.Limit, "max": e.Max, "actual": e.Actual}
}

// check returns an *Exceeded when max is on and actual is over it.
func check(limit string, max, actual int) *Exceeded {
	if max > 0 && actual > max {
		return &Exceeded{Limit: limit, Max: max, Actual: actual}
	}
	return nil
}

// CheckSize checks the document's length in bytes.
func (c Config) CheckSize(document string) *Exceeded {
	return check("documentBytes", c.MaxDocumentBytes, len(document))
}

// ceiling caps every sum so that measures never overflow.
const ceiling = 1 << 50

func add(a, b int) int { return min(a+b, ceiling) }

func mul(a, b int) int {
	if a == 0 || b == 0 {
		return 0
	}
	if a > ceiling/b {
		return ceiling
	}
	return a * b
}
