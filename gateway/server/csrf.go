package server

import (
	"fmt"
	"net/http"
	"strings"
)

// CSRF configures cross-site request forgery prevention, as Apollo Router does
// it. A page on any origin can make a browser send a "simple" request — a GET,
// or a POST whose Content-Type is missing, text/plain,
// application/x-www-form-urlencoded or multipart/form-data — with the user's
// cookies and without asking the server first; CORS only stops the page from
// reading the answer, not the operation from running. The router therefore
// refuses such a request unless it carries one of RequiredHeaders, which a
// browser sends cross-origin only after a preflight that CORS allows.
//
// So a GET from curl or a link needs a header too, e.g.
// `curl -H 'apollo-require-preflight: true' 'localhost:4000/graphql?query={__typename}'`
// (a GET with Content-Type: application/json passes as well, as no browser
// sends that without a preflight).
type CSRF struct {
	// Disabled turns the check off (for servers that no browser reaches).
	Disabled bool `yaml:"disabled" help:"turn CSRF prevention off (only for servers no browser reaches)"`
	// RequiredHeaders are the headers of which a simple request must carry
	// one, non-empty (default Apollo-Require-Preflight and
	// X-Apollo-Operation-Name, which Apollo clients send).
	RequiredHeaders []string `yaml:"requiredHeaders" help:"headers of which a GET or simple POST must carry one"`
}

// csrfSimpleContentTypes are the Content-Types a browser sends cross-origin
// without a preflight (the Fetch standard's CORS-safelisted request header).
var csrfSimpleContentTypes = map[string]bool{
	"text/plain":                        true,
	"application/x-www-form-urlencoded": true,
	"multipart/form-data":               true,
}

// corsSafelistedHeaders are sent without a preflight, so requiring one of them
// would prevent nothing.
var corsSafelistedHeaders = map[string]bool{
	"accept": true, "accept-language": true, "content-language": true, "content-type": true, "range": true,
}

func (c CSRF) withDefaults() CSRF {
	if len(c.RequiredHeaders) == 0 {
		c.RequiredHeaders = []string{"Apollo-Require-Preflight", "X-Apollo-Operation-Name"}
	}
	return c
}

func (c CSRF) validate() []error {
	var errs []error
	for i, h := range c.RequiredHeaders {
		switch {
		case !validHeaderName(h):
			errs = append(errs, fmt.Errorf("config: csrf.requiredHeaders[%d] %q is not a header name", i, h))
		case corsSafelistedHeaders[strings.ToLower(h)]:
			errs = append(errs, fmt.Errorf("config: csrf.requiredHeaders[%d] %q is sent by browsers without a preflight, so it prevents nothing", i, h))
		}
	}
	return errs
}

// checkCSRF refuses a request that a browser could have sent without a
// preflight and that carries none of the required headers.
func (s *Server) checkCSRF(r *http.Request) *httpError {
	c := s.cfg.CSRF
	if c.Disabled || contentTypeNeedsPreflight(r.Header) {
		return nil
	}
	for _, h := range c.RequiredHeaders {
		if r.Header.Get(h) != "" {
			return nil
		}
	}
	return &httpError{
		status: http.StatusBadRequest,
		code:   codeCSRF,
		message: fmt.Sprintf("This operation has been blocked as a potential Cross-Site Request Forgery (CSRF). "+
			"Send a Content-Type header other than %s, or a non-empty header %s.",
			"text/plain, application/x-www-form-urlencoded and multipart/form-data",
			strings.Join(c.RequiredHeaders, " or ")),
	}
}

// contentTypeNeedsPreflight reports whether a browser would have preflighted
// a cross-origin request with these headers because of its Content-Type. The
// type is read as browsers read it (the text before any ';', trimmed, any
// case), not with mime.ParseMediaType: "text/plain; x" fails Go's parser but
// is text/plain to a browser, and treating it as "not simple" would let a
// forged request through.
func contentTypeNeedsPreflight(h http.Header) bool {
	values := h.Values("Content-Type")
	if len(values) == 0 {
		return false
	}
	for _, v := range values {
		essence, _, _ := strings.Cut(v, ";")
		essence = strings.ToLower(strings.Trim(essence, " \t\r\n"))
		if essence == "" || csrfSimpleContentTypes[essence] {
			return false
		}
	}
	return true
}
