package auth_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/shopgraph/shopgraph/internal/auth"
	"github.com/shopgraph/shopgraph/internal/authn"
	"github.com/shopgraph/shopgraph/internal/authn/authntest"
)

func TestWithAndFrom(t *testing.T) {
	t.Parallel()
	if _, ok := auth.From(t.Context()); ok {
		t.Error("empty context has a principal")
	}
	ctx := auth.With(t.Context(), auth.Principal{UserID: 7, Role: auth.RoleAdmin})
	p, ok := auth.From(ctx)
	if !ok || p.UserID != 7 || !p.IsAdmin() {
		t.Errorf("got %+v, %v", p, ok)
	}
}

func TestMiddleware(t *testing.T) {
	t.Parallel()
	key := authntest.NewKey(t, "k1", "ES256")
	other := authntest.NewKey(t, "k2", "ES256")
	jwks := authntest.Serve(t, key)
	v, err := authn.NewVerifier(authn.Config{JWKSURL: jwks.URL})
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	h := auth.Middleware(v, logger, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, ok := auth.From(r.Context())
		_ = json.NewEncoder(w).Encode(map[string]any{"ok": ok, "id": p.UserID, "role": p.Role})
	}))
	exp := time.Now().Add(time.Hour).Unix()
	claims := func(sub, role string) jwt.MapClaims {
		c := jwt.MapClaims{"sub": sub, "exp": exp}
		if role != "" {
			c["role"] = role
		}
		return c
	}
	cases := []struct {
		name, header string
		status       int
		want         string
	}{
		{"no header is anonymous", "", 200, `{"id":0,"ok":false,"role":""}`},
		{"numeric subject, admin", "Bearer " + key.Sign(t, claims("12", "ADMIN")), 200, `{"id":12,"ok":true,"role":"ADMIN"}`},
		{"global id subject, no role is a customer", "Bearer " + key.Sign(t, claims("gid://shopgraph/User/3", "")), 200, `{"id":3,"ok":true,"role":"CUSTOMER"}`},
		{"lower-case role", "Bearer " + key.Sign(t, claims("4", "customer")), 200, `{"id":4,"ok":true,"role":"CUSTOMER"}`},
		{"unknown key", "Bearer " + other.Sign(t, claims("12", "ADMIN")), 401, "invalid token"},
		{"forged kid", "Bearer " + other.SignAs(t, "k1", claims("12", "ADMIN")), 401, "invalid token signature"},
		{"unsigned", "Bearer " + authntest.Unsigned(t, "k1", claims("12", "ADMIN")), 401, "invalid token"},
		{"bad subject", "Bearer " + key.Sign(t, claims("gid://shopgraph/Product/3", "")), 401, "is not a user id"},
		{"bad role", "Bearer " + key.Sign(t, claims("5", "ROOT")), 401, "is not a known role"},
		{"not bearer", "Basic abc", 401, "not a Bearer token"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req := httptest.NewRequest("POST", "/graphql", nil)
			if c.header != "" {
				req.Header.Set("Authorization", c.header)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			body := strings.TrimSpace(rec.Body.String())
			if rec.Code != c.status || !strings.Contains(body, c.want) {
				t.Errorf("status %d, body %s; want %d with %s", rec.Code, body, c.status, c.want)
			}
			if c.status == 401 && (!strings.Contains(body, `"code":"UNAUTHENTICATED"`) || rec.Header().Get("WWW-Authenticate") == "") {
				t.Errorf("401 without code or challenge: %s", body)
			}
		})
	}
}

func TestMiddlewareWithoutVerifierTrustsNoToken(t *testing.T) {
	t.Parallel()
	key := authntest.NewKey(t, "k1", "ES256")
	h := auth.Middleware(nil, slog.Default(), http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := auth.From(r.Context()); ok {
			t.Error("principal without a verifier")
		}
	}))
	req := httptest.NewRequest("POST", "/graphql", nil)
	req.Header.Set("Authorization", "Bearer "+key.Sign(t, jwt.MapClaims{"sub": "1", "role": "ADMIN", "exp": time.Now().Add(time.Hour).Unix()}))
	h.ServeHTTP(httptest.NewRecorder(), req)
}
