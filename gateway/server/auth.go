package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/shopgraph/shopgraph/gateway/execute"
	"github.com/shopgraph/shopgraph/gateway/headers"
	"github.com/shopgraph/shopgraph/gateway/plan"
	"github.com/shopgraph/shopgraph/internal/authn"
)

// JWT configures the verification of client tokens at the edge. It is off
// unless JWKSURL is set; then a request that carries a token is served only
// when the token verifies, and one without a token only when Required is off.
type JWT struct {
	// JWKSURL is where the signing keys are published (the users service's
	// JWKS). Empty: tokens are not verified (but still propagated by the
	// header rules).
	JWKSURL string `yaml:"jwksURL" help:"verify JWT access tokens against the keys at this JWKS URL (empty: no verification)"`
	// Issuer, when set, must equal the token's `iss`.
	Issuer string `yaml:"issuer" help:"the iss a token must carry (empty: any)"`
	// Audiences, when set, must include one of the token's `aud` values.
	Audiences []string `yaml:"audiences" help:"audiences of which a token must name one, comma-separated (empty: any)"`
	// Required refuses requests without a token (401).
	Required bool `yaml:"required" help:"refuse requests without a token"`
	// HeaderName is the header that carries the token (default Authorization).
	HeaderName string `yaml:"headerName" help:"the header that carries the token"`
	// Prefix is the auth scheme before the token (default Bearer).
	Prefix string `yaml:"prefix" help:"the scheme before the token in its header"`
	// Leeway is the clock skew allowed for exp, nbf and iat (default 30 s).
	Leeway time.Duration `yaml:"leeway" help:"clock skew allowed on exp, nbf and iat (0: 30s)"`
	// MinRefreshInterval is the least time between two JWKS fetches, however
	// many unknown kids arrive (default 5 s).
	MinRefreshInterval time.Duration `yaml:"minRefreshInterval" help:"the shortest time between JWKS fetches for an unknown kid (0: 5s)"`
}

func (j JWT) withDefaults() JWT {
	if j.HeaderName == "" {
		j.HeaderName = "Authorization"
	}
	if j.Prefix == "" {
		j.Prefix = "Bearer"
	}
	return j
}

// validateEdge reports bad JWT and header settings by name.
func (c Config) validateEdge() []error {
	var errs []error
	if err := c.Headers.Validate("config: headers"); err != nil {
		errs = append(errs, err)
	}
	if len(c.Subgraphs) > 0 {
		known := map[string]bool{}
		for _, sg := range c.Subgraphs {
			known[sg.Name] = true
		}
		for name := range c.Headers.Subgraphs {
			if !known[name] {
				errs = append(errs, fmt.Errorf("config: headers.subgraphs.%s: no subgraph is named %q", name, name))
			}
		}
	}
	j := c.JWT
	if j.JWKSURL == "" {
		if j.Required || j.Issuer != "" || len(j.Audiences) > 0 {
			errs = append(errs, errors.New("config: jwt.required, jwt.issuer and jwt.audiences need jwt.jwksURL"))
		}
	} else if _, err := authn.NewVerifier(authn.Config{JWKSURL: j.JWKSURL}); err != nil {
		errs = append(errs, fmt.Errorf("config: jwt.jwksURL: %w", err))
	}
	if j.HeaderName != "" && (!validHeaderName(j.HeaderName) || headers.Reserved(j.HeaderName)) {
		errs = append(errs, fmt.Errorf("config: jwt.headerName %q is not a header that can carry a token", j.HeaderName))
	}
	if strings.ContainsAny(j.Prefix, " \t") {
		errs = append(errs, fmt.Errorf("config: jwt.prefix %q must be one word (an auth scheme such as Bearer)", j.Prefix))
	}
	for i, a := range j.Audiences {
		if a == "" {
			errs = append(errs, fmt.Errorf("config: jwt.audiences[%d] is empty", i))
		}
	}
	if err := c.Authorization.Validate("config: authorization"); err != nil {
		errs = append(errs, err)
	}
	if len(c.Authorization.Policies) > 0 && j.JWKSURL == "" {
		errs = append(errs, errors.New("config: authorization.policies need jwt.jwksURL: policies are granted by the claims of verified tokens"))
	}
	if j.Leeway < 0 || j.MinRefreshInterval < 0 {
		errs = append(errs, fmt.Errorf("config: jwt.leeway and jwt.minRefreshInterval must not be negative, got %s and %s", j.Leeway, j.MinRefreshInterval))
	}
	return errs
}

// edge is the router's auth at the edge: header propagation rules and, when
// configured, token verification.
type edge struct {
	jwt      JWT
	headers  *headers.Propagator
	verifier *authn.Verifier // nil when JWT is off
	log      *slog.Logger
}

// newEdge builds the edge of a validated config.
func newEdge(cfg Config, log *slog.Logger) (*edge, error) {
	e := &edge{jwt: cfg.JWT.withDefaults(), log: log}
	var err error
	if e.headers, err = headers.New(cfg.Headers); err != nil {
		return nil, err
	}
	if cfg.JWT.JWKSURL != "" {
		e.verifier, err = authn.NewVerifier(authn.Config{
			JWKSURL:            cfg.JWT.JWKSURL,
			Issuer:             cfg.JWT.Issuer,
			Audiences:          cfg.JWT.Audiences,
			Leeway:             cfg.JWT.Leeway,
			MinRefreshInterval: cfg.JWT.MinRefreshInterval,
			Logger:             log,
		})
		if err != nil {
			return nil, err
		}
	}
	return e, nil
}

// edgeRequest is what the edge knows of one client request.
type edgeRequest struct {
	headers   *headers.Request
	collector *headers.Collector // nil without response rules
	principal *authn.Principal   // nil without a verified token
}

type edgeKey struct{}

// authError is a request refused by token verification.
type authError struct {
	status int
	// challenge is the WWW-Authenticate header of a 401.
	challenge string
	message   string
}

// prepareRequest verifies the request's token and returns the context under
// which its operations run: it carries the principal, the headers to send to
// each subgraph and the collector of subgraph response headers. On refusal the
// error says what to answer (writeAuthError).
func (s *Server) prepareRequest(r *http.Request) (context.Context, *authError) {
	e := s.edge
	ctx := r.Context()
	if e == nil {
		return ctx, nil
	}
	er := &edgeRequest{headers: e.headers.ForRequest(r)}
	if e.verifier != nil {
		token, present, err := authn.TokenFromHeader(r.Header, e.jwt.HeaderName, e.jwt.Prefix)
		switch {
		case err != nil:
			return nil, &authError{status: http.StatusUnauthorized, challenge: challenge(e.jwt.Prefix, "invalid_request", err.Error()), message: err.Error()}
		case !present && e.jwt.Required:
			return nil, &authError{status: http.StatusUnauthorized, challenge: e.jwt.Prefix,
				message: fmt.Sprintf("authentication required: send a %s token in the %s header", e.jwt.Prefix, e.jwt.HeaderName)}
		case present:
			p, err := e.verifier.Verify(ctx, token)
			if errors.Is(err, authn.ErrKeysUnavailable) {
				s.log.Warn("cannot verify token", "err", err)
				return nil, &authError{status: http.StatusServiceUnavailable, message: "cannot verify the token now: " + err.Error()}
			}
			if err != nil {
				s.log.Debug("token refused", "err", err, "cause", errors.Unwrap(err))
				return nil, &authError{status: http.StatusUnauthorized, challenge: challenge(e.jwt.Prefix, "invalid_token", err.Error()),
					message: "invalid token: " + err.Error()}
			}
			er.principal = p
			ctx = authn.NewContext(ctx, p)
		}
	}
	ctx = execute.WithSubgraphHeaders(ctx, er.headers.Subgraph)
	if e.headers.HasResponseRules() {
		er.collector = e.headers.NewCollector()
		ctx = execute.WithResponseHeaders(ctx, er.collector)
	}
	return context.WithValue(ctx, edgeKey{}, er), nil
}

// challenge is an RFC 6750 WWW-Authenticate value.
func challenge(scheme, code, description string) string {
	d := strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(description)
	return fmt.Sprintf(`%s error=%q, error_description="%s"`, scheme, code, d)
}

// writeAuthError answers a refused request: 401 with WWW-Authenticate and a
// GraphQL error with code UNAUTHENTICATED (503 when the keys are unavailable).
func (s *Server) writeAuthError(w http.ResponseWriter, media string, ae *authError) {
	if ae.challenge != "" {
		w.Header().Set("WWW-Authenticate", ae.challenge)
	}
	code := "UNAUTHENTICATED"
	if ae.status == http.StatusServiceUnavailable {
		code = "SERVICE_UNAVAILABLE"
	}
	s.writeHTTPError(w, media, &httpError{status: ae.status, code: code, message: ae.message})
}

// authenticate runs prepareRequest: on refusal it writes the answer and ok is
// false; otherwise it returns the request with the prepared context and a
// writer that adds the subgraph response headers the rules propagate.
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request, media string) (http.ResponseWriter, *http.Request, bool) {
	if r.Context().Value(edgeKey{}) != nil {
		return w, r, true // prepared already
	}
	ctx, ae := s.prepareRequest(r)
	if ae != nil {
		s.writeAuthError(w, media, ae)
		return w, r, false
	}
	r = r.WithContext(ctx)
	if er, _ := ctx.Value(edgeKey{}).(*edgeRequest); er != nil && er.collector != nil {
		w = &propagatingWriter{ResponseWriter: w, collector: er.collector}
	}
	return w, r, true
}

// propagatingWriter adds the collected subgraph response headers when the
// status is written, which is after the operation ran.
type propagatingWriter struct {
	http.ResponseWriter
	collector *headers.Collector
	once      sync.Once
}

func (w *propagatingWriter) WriteHeader(status int) {
	w.once.Do(func() { w.collector.WriteTo(w.ResponseWriter.Header()) })
	w.ResponseWriter.WriteHeader(status)
}

func (w *propagatingWriter) Write(b []byte) (int, error) {
	w.once.Do(func() { w.collector.WriteTo(w.ResponseWriter.Header()) })
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *propagatingWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// callerKey is the part of a shared run's key that tells callers apart: every
// header sent to the subgraphs p fetches from, and the verified principal. ok
// is false when the run must not be shared: a subgraph's response headers go
// to this caller alone.
func callerKey(ctx context.Context, p *plan.Plan) (key string, ok bool) {
	er, _ := ctx.Value(edgeKey{}).(*edgeRequest)
	if er == nil {
		return "", true
	}
	subgraphs := make([]string, 0, 4)
	for _, f := range p.Fetches {
		if !slices.Contains(subgraphs, f.Subgraph) {
			subgraphs = append(subgraphs, f.Subgraph)
		}
	}
	slices.Sort(subgraphs)
	for _, sg := range subgraphs {
		if er.collector != nil && er.collector.Wants(sg) {
			return "", false
		}
	}
	key = er.headers.Key(subgraphs)
	if er.principal != nil {
		key += fmt.Sprintf("\x00principal:%q:%q", er.principal.Issuer, er.principal.Subject)
	}
	return key, true
}
