package server

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// CORS says which browser origins may call /graphql. A browser on another
// origin first sends a preflight (OPTIONS with Access-Control-Request-Method);
// the router answers it only for an allowed origin, and marks answers to an
// allowed origin's requests so that the page may read them. Requests from
// other origins are still served (CORS protects reading, not sending: CSRF
// prevention in csrf.go stops the requests a browser sends without asking).
type CORS struct {
	// AllowOrigins are the allowed origins ("https://shop.example.com", scheme,
	// host and port, no path). "*" allows any origin, without credentials.
	// Nil means the web store in development: http://localhost:3000 and
	// http://127.0.0.1:3000; an empty, non-nil list allows none.
	AllowOrigins []string `yaml:"allowOrigins" help:"browser origins allowed to call /graphql, comma-separated; * allows any without credentials"`
	// AllowCredentials lets pages send cookies and HTTP authentication
	// (Access-Control-Allow-Credentials: true).
	AllowCredentials bool `yaml:"allowCredentials" help:"let allowed origins send cookies and HTTP authentication"`
	// MaxAge is how long a browser may cache a preflight's answer (default
	// 10 minutes; negative: not at all).
	MaxAge time.Duration `yaml:"maxAge" help:"how long a browser may cache a CORS preflight (negative: not at all)"`
	// AllowHeaders are request headers allowed besides the built-in ones
	// (content-type, authorization, apollo-require-preflight,
	// x-apollo-operation-name, x-shopgraph-query-plan, traceparent, tracestate)
	// and CSRF.RequiredHeaders.
	AllowHeaders []string `yaml:"allowHeaders" help:"request headers browsers may send besides the built-in ones, comma-separated"`
}

// corsBuiltinHeaders are the request headers every allowed origin may send.
var corsBuiltinHeaders = []string{
	"Content-Type", "Authorization", "Apollo-Require-Preflight", "X-Apollo-Operation-Name",
	QueryPlanHeader, "Traceparent", "Tracestate",
}

const (
	corsAllowedMethods = "GET, POST, OPTIONS"
	corsDefaultMaxAge  = 10 * time.Minute
)

func (c CORS) withDefaults() CORS {
	if c.AllowOrigins == nil {
		c.AllowOrigins = []string{"http://localhost:3000", "http://127.0.0.1:3000"}
	}
	if c.MaxAge == 0 {
		c.MaxAge = corsDefaultMaxAge
	}
	return c
}

func (c CORS) validate() []error {
	var errs []error
	for i, o := range c.AllowOrigins {
		if o == "*" {
			if c.AllowCredentials {
				errs = append(errs, fmt.Errorf("config: cors.allowOrigins[%d] is \"*\" with cors.allowCredentials: browsers refuse credentials for any origin; list the origins", i))
			}
			continue
		}
		if err := checkOrigin(o); err != nil {
			errs = append(errs, fmt.Errorf("config: cors.allowOrigins[%d] %q: %w", i, o, err))
		}
	}
	for i, h := range c.AllowHeaders {
		if !validHeaderName(h) {
			errs = append(errs, fmt.Errorf("config: cors.allowHeaders[%d] %q is not a header name", i, h))
		}
	}
	return errs
}

// checkOrigin accepts a serialised origin: scheme://host[:port] and nothing else.
func checkOrigin(o string) error {
	u, err := url.Parse(o)
	if err != nil {
		return fmt.Errorf("not a URL: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("want an http or https origin such as https://shop.example.com")
	}
	if u.Host == "" || u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("an origin is scheme://host[:port] with no path, query or user")
	}
	return nil
}

// validHeaderName reports whether s is an HTTP header name (an RFC 9110 token).
func validHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r >= 0x80 || !strings.ContainsRune("!#$%&'*+-.^_`|~", r) && !('0' <= r && r <= '9' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z') {
			return false
		}
	}
	return true
}

// allowOrigin returns the Access-Control-Allow-Origin value for origin, or ""
// when the origin is not allowed. A listed origin is echoed, never "*", so that
// credentials work; Vary: Origin keeps caches from mixing the answers.
func (c CORS) allowOrigin(origin string) string {
	if origin == "" {
		return ""
	}
	anyOrigin := false
	for _, o := range c.AllowOrigins {
		if o == "*" {
			anyOrigin = true
		} else if strings.EqualFold(strings.TrimSuffix(o, "/"), origin) {
			return origin
		}
	}
	if anyOrigin {
		return "*"
	}
	return ""
}

// allowedHeaders lists the request headers an allowed origin may send, in
// lower case, without repeats.
func (c CORS) allowedHeaders(csrf CSRF) []string {
	var names []string
	for _, h := range slices.Concat(corsBuiltinHeaders, c.AllowHeaders, csrf.RequiredHeaders) {
		h = strings.ToLower(h)
		if !slices.Contains(names, h) {
			names = append(names, h)
		}
	}
	return names
}

// isPreflight reports whether r is a CORS preflight rather than a plain OPTIONS.
func isPreflight(r *http.Request) bool {
	return r.Method == http.MethodOptions && r.Header.Get("Origin") != "" && r.Header.Get("Access-Control-Request-Method") != ""
}

// serve adds the CORS headers of an actual request, or answers a preflight;
// it reports whether it answered the request.
func (c CORS) serve(w http.ResponseWriter, r *http.Request, csrf CSRF) bool {
	h := w.Header()
	// Answers differ by Origin; shared caches must not hand one origin's
	// answer to another.
	h.Add("Vary", "Origin")
	origin := r.Header.Get("Origin")
	if !isPreflight(r) {
		if allowed := c.allowOrigin(origin); allowed != "" {
			h.Set("Access-Control-Allow-Origin", allowed)
			if c.AllowCredentials {
				h.Set("Access-Control-Allow-Credentials", "true")
			}
		}
		return false
	}
	h.Add("Vary", "Access-Control-Request-Method")
	h.Add("Vary", "Access-Control-Request-Headers")
	allowed := c.allowOrigin(origin)
	if allowed == "" {
		// No CORS headers: the browser refuses the actual request. The text
		// says why to whoever reads the network panel.
		h.Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusForbidden)
		_, _ = fmt.Fprintf(w, "CORS: origin %q is not allowed (server config cors.allowOrigins)\n", origin)
		return true
	}
	if m := r.Header.Get("Access-Control-Request-Method"); m != http.MethodGet && m != http.MethodPost {
		h.Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusForbidden)
		_, _ = fmt.Fprintf(w, "CORS: method %q is not allowed: use GET or POST\n", m)
		return true
	}
	allowedHeaders := c.allowedHeaders(csrf)
	for _, line := range r.Header.Values("Access-Control-Request-Headers") {
		for _, name := range strings.Split(line, ",") {
			name = strings.TrimSpace(name)
			if name != "" && !slices.Contains(allowedHeaders, strings.ToLower(name)) {
				h.Set("Content-Type", "text/plain; charset=utf-8")
				w.WriteHeader(http.StatusForbidden)
				_, _ = fmt.Fprintf(w, "CORS: request header %q is not allowed (server config cors.allowHeaders)\n", name)
				return true
			}
		}
	}
	h.Set("Access-Control-Allow-Origin", allowed)
	if c.AllowCredentials {
		h.Set("Access-Control-Allow-Credentials", "true")
	}
	h.Set("Access-Control-Allow-Methods", corsAllowedMethods)
	h.Set("Access-Control-Allow-Headers", strings.Join(allowedHeaders, ", "))
	h.Set("Access-Control-Max-Age", strconv.Itoa(int(max(c.MaxAge, 0)/time.Second)))
	w.WriteHeader(http.StatusNoContent)
	return true
}
