// Package headers decides which HTTP headers the router sends to each subgraph and
// which headers of subgraph responses reach the client.
//
// The rules follow Apollo Router's `headers` configuration: rules for all
// subgraphs run first, then the subgraph's own, each list in order, on an
// initially empty set of headers for the subgraph request:
//
//	headers:
//	  all:
//	    request:
//	      - propagate: {named: Authorization}          # the default when all.request is absent
//	      - propagate: {matching: "^x-tenant-"}        # regex on the header name, case-insensitive
//	      - propagate: {named: X-Client, rename: X-Router-Client, default: web}
//	      - insert:    {name: X-Router, value: shopgraph}
//	      - remove:    {named: X-Debug}                # or {matching: ...}
//	  subgraphs:
//	    users:
//	      response:
//	        - propagate: {named: Set-Cookie}           # subgraph response -> client
//
// Hop-by-hop and content headers (Connection, Content-Length, Content-Type, Accept,
// Accept-Encoding, Host, TE, Trailer, Upgrade, Proxy-*, Keep-Alive,
// Transfer-Encoding, Access-Control-*, ...) are never propagated either way: the router's own HTTP
// client and server own them, and forwarding Accept-Encoding, for one, would
// make the subgraph answer gzip the router did not ask its transport to undo.
//
// Response rules are this router's own extension (Apollo Router has none): a
// header a subgraph answers reaches the client only when a rule for that
// subgraph names it. Several fetches may answer the same header; `algorithm`
// says how they combine: append (default: every value, as Set-Cookie needs),
// first or last (by arrival).
//
// # X-Forwarded-For
//
// Subgraphs that limit or audit per client address (the users subgraph
// rate-limits sign-in) must see the shopper, not the router. So, as reverse
// proxies do, the router sets X-Forwarded-For on every subgraph request, after
// the rules ran (forwardClientAddress, default true):
//
//	headers:
//	  forwardClientAddress: true      # the default
//	  trustedProxies: [10.0.0.0/8]      # peers whose X-Forwarded-For is kept; default none
//
// The value is the address chain of the client request. When the router's TCP
// peer (RemoteAddr) is a trusted proxy (a load balancer in front of the
// router), it is the X-Forwarded-For the proxy sent, all its lines joined with
// ", ", followed by the peer; otherwise it is the peer alone, so a client
// cannot make a subgraph believe an address it typed. Addresses are written
// without port, brackets or zone, and IPv4-mapped IPv6 addresses as IPv4. A
// peer that is not an IP address (a Unix socket) gets no X-Forwarded-For.
// With forwarding on, this replaces whatever a rule propagated or inserted
// under X-Forwarded-For; with it off, the rules alone decide, as for any
// other header.
//
// X-Forwarded-For is left out of the de-duplication keys (Request.Key,
// AppendKey): identical in-flight reads of two shoppers still share one
// fetch, and the subgraph sees the first caller's address. That is sound only
// while reads do not depend on the address: what does (sign-in and password
// reset rate limits) are mutation fields, whose fetches are never shared. The
// _entities fetches that follow a mutation field are reads and may be.
package headers

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
)

// Config is the `headers` section of the router configuration.
type Config struct {
	// All holds the rules for every subgraph; they run before a subgraph's own.
	All Rules `yaml:"all"`
	// Subgraphs holds rules for one subgraph each, by subgraph name.
	Subgraphs map[string]Rules `yaml:"subgraphs"`
	// ForwardClientAddress sets X-Forwarded-For on every subgraph request to
	// the client's address chain, over what the rules set (nil: on).
	ForwardClientAddress *bool `yaml:"forwardClientAddress" help:"set X-Forwarded-For on subgraph requests to the client's address (default true; off: the header rules alone decide)"`
	// TrustedProxies are the peers, as CIDR prefixes or bare addresses, whose
	// X-Forwarded-For the router extends instead of replacing (default none).
	TrustedProxies []string `yaml:"trustedProxies" help:"CIDR prefixes or addresses of proxies in front of the router whose X-Forwarded-For is kept, comma-separated (empty: none)"`
}

// forwards reports whether X-Forwarded-For is set on subgraph requests.
func (c Config) forwards() bool {
	return c.ForwardClientAddress == nil || *c.ForwardClientAddress
}

// Rules are the request and response rules of one scope.
type Rules struct {
	// Request rules build the headers of subgraph requests, in order. For
	// `all`, nil (absent) means the default: propagate Authorization.
	Request []RequestRule `yaml:"request"`
	// Response rules choose the subgraph response headers sent to the client.
	Response []ResponseRule `yaml:"response"`
}

// RequestRule is one rule: exactly one of its fields is set.
type RequestRule struct {
	Propagate *Propagate `yaml:"propagate"`
	Insert    *Insert    `yaml:"insert"`
	Remove    *Remove    `yaml:"remove"`
}

// Propagate copies client request headers: one by name (with an optional new
// name and a default value when the client sent none) or all whose name matches
// a regular expression.
type Propagate struct {
	Named    string `yaml:"named"`
	Matching string `yaml:"matching"`
	Rename   string `yaml:"rename"`
	Default  string `yaml:"default"`
}

// Insert sets a header to a static value, replacing what earlier rules set.
type Insert struct {
	Name  string `yaml:"name"`
	Value string `yaml:"value"`
}

// Remove drops headers that earlier rules set: one by name or all matching.
type Remove struct {
	Named    string `yaml:"named"`
	Matching string `yaml:"matching"`
}

// ResponseRule is one response rule.
type ResponseRule struct {
	Propagate *ResponsePropagate `yaml:"propagate"`
}

// ResponsePropagate copies subgraph response headers to the client response.
type ResponsePropagate struct {
	Named    string `yaml:"named"`
	Matching string `yaml:"matching"`
	Rename   string `yaml:"rename"`
	// Algorithm combines values from several fetches: append (default), first
	// or last.
	Algorithm string `yaml:"algorithm"`
}

// Algorithms of ResponsePropagate.
const (
	AlgorithmAppend = "append"
	AlgorithmFirst  = "first"
	AlgorithmLast   = "last"
)

// DefaultRequestRules are the `all.request` rules when none are configured.
func DefaultRequestRules() []RequestRule {
	return []RequestRule{{Propagate: &Propagate{Named: "Authorization"}}}
}

// Reserved reports whether a header is never propagated to or from a subgraph:
// hop-by-hop headers, those that describe the message the router itself sends
// or receives, and CORS headers, which the router answers for itself.
func Reserved(name string) bool {
	c := http.CanonicalHeaderKey(name)
	if strings.HasPrefix(c, "Proxy-") || strings.HasPrefix(c, "Access-Control-") {
		return true
	}
	switch c {
	case "Connection", "Keep-Alive", "Te", "Trailer", "Transfer-Encoding", "Upgrade",
		"Content-Length", "Content-Type", "Content-Encoding", "Accept", "Accept-Encoding",
		"Host", "Expect":
		return true
	}
	return false
}

// Validate reports every bad rule and trusted proxy by its key path; prefix is
// the path of the section (e.g. "headers").
func (c Config) Validate(prefix string) error {
	var errs []error
	errs = append(errs, c.All.validate(prefix+".all")...)
	for name, r := range c.Subgraphs {
		p := prefix + ".subgraphs." + name
		if name == "" {
			errs = append(errs, fmt.Errorf("%s: empty subgraph name", prefix+".subgraphs"))
		}
		errs = append(errs, r.validate(p)...)
	}
	errs = append(errs, c.validateForwarding(prefix)...)
	return errors.Join(errs...)
}

func (r Rules) validate(prefix string) []error {
	var errs []error
	for i, rule := range r.Request {
		errs = append(errs, rule.validate(fmt.Sprintf("%s.request[%d]", prefix, i))...)
	}
	for i, rule := range r.Response {
		errs = append(errs, rule.validate(fmt.Sprintf("%s.response[%d]", prefix, i))...)
	}
	return errs
}

func (r RequestRule) validate(p string) []error {
	set := 0
	var errs []error
	if r.Propagate != nil {
		set++
		errs = append(errs, validateSelect(p+".propagate", r.Propagate.Named, r.Propagate.Matching)...)
		if r.Propagate.Matching != "" && (r.Propagate.Rename != "" || r.Propagate.Default != "") {
			errs = append(errs, fmt.Errorf("%s.propagate: rename and default need named, not matching", p))
		}
		if r.Propagate.Rename != "" {
			errs = append(errs, validateName(p+".propagate.rename", r.Propagate.Rename)...)
		}
		if r.Propagate.Default != "" && !validValue(r.Propagate.Default) {
			errs = append(errs, fmt.Errorf("%s.propagate.default: %q is not a valid header value", p, r.Propagate.Default))
		}
	}
	if r.Insert != nil {
		set++
		errs = append(errs, validateName(p+".insert.name", r.Insert.Name)...)
		if !validValue(r.Insert.Value) {
			errs = append(errs, fmt.Errorf("%s.insert.value: %q is not a valid header value", p, r.Insert.Value))
		}
	}
	if r.Remove != nil {
		set++
		errs = append(errs, validateSelect(p+".remove", r.Remove.Named, r.Remove.Matching)...)
	}
	if set != 1 {
		errs = append(errs, fmt.Errorf("%s: set exactly one of propagate, insert and remove (found %d)", p, set))
	}
	return errs
}

func (r ResponseRule) validate(p string) []error {
	if r.Propagate == nil {
		return []error{fmt.Errorf("%s: set propagate (the only response rule)", p)}
	}
	pp := r.Propagate
	errs := validateSelect(p+".propagate", pp.Named, pp.Matching)
	if pp.Rename != "" {
		if pp.Matching != "" {
			errs = append(errs, fmt.Errorf("%s.propagate: rename needs named, not matching", p))
		}
		errs = append(errs, validateName(p+".propagate.rename", pp.Rename)...)
	}
	switch pp.Algorithm {
	case "", AlgorithmAppend, AlgorithmFirst, AlgorithmLast:
	default:
		errs = append(errs, fmt.Errorf("%s.propagate.algorithm: %q is not one of append, first, last", p, pp.Algorithm))
	}
	return errs
}

// validateSelect checks a named-or-matching pair: exactly one, a valid name
// that may be propagated, or a regular expression that compiles.
func validateSelect(p, named, matching string) []error {
	switch {
	case named != "" && matching != "":
		return []error{fmt.Errorf("%s: set named or matching, not both", p)}
	case named != "":
		return validateName(p+".named", named)
	case matching != "":
		if _, err := compileMatch(matching); err != nil {
			return []error{fmt.Errorf("%s.matching: %w", p, err)}
		}
		return nil
	default:
		return []error{fmt.Errorf("%s: set named or matching", p)}
	}
}

func validateName(p, name string) []error {
	if !validName(name) {
		return []error{fmt.Errorf("%s: %q is not a valid header name", p, name)}
	}
	if Reserved(name) {
		return []error{fmt.Errorf("%s: %s is a hop-by-hop or content header, which the router never propagates", p, http.CanonicalHeaderKey(name))}
	}
	return nil
}

// compileMatch compiles a name pattern; names match case-insensitively since
// HTTP header names are.
func compileMatch(pattern string) (*regexp.Regexp, error) {
	re, err := regexp.Compile("(?i)" + pattern)
	if err != nil {
		return nil, fmt.Errorf("invalid regular expression %q: %w", pattern, err)
	}
	return re, nil
}

// validName reports whether name is an RFC 9110 token.
func validName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// validValue reports whether v can be sent as a header value: no control
// characters but tab, so no header can be smuggled in through CR or LF.
func validValue(v string) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; (c < ' ' && c != '\t') || c == 0x7f {
			return false
		}
	}
	return true
}
