package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	mrand "math/rand/v2"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/shopgraph/shopgraph/internal/auth"
	"github.com/shopgraph/shopgraph/subgraphs/users/tokens"
)

// devKeys reads the development signing key the users service generated and
// kept in its database.
func devKeys(t *testing.T, sys *system) (*tokens.KeySet, []byte) {
	t.Helper()
	var pem string
	if err := sys.pool(t, "users").QueryRow(context.Background(), `SELECT pem FROM dev_signing_keys`).Scan(&pem); err != nil {
		t.Fatal(err)
	}
	keys, err := tokens.ParsePEM([]byte(pem))
	if err != nil {
		t.Fatal(err)
	}
	return keys, []byte(pem)
}

// TestTokenSecurityThroughTheRouter: every token that is not a live one the
// users service signed is refused, through the router and at the subgraphs;
// nobody reads another user's private fields, by id or through _entities.
func TestTokenSecurityThroughTheRouter(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: builds and runs the binary")
	}
	const serviceToken = "catalog-service-token-for-tests-0123456789"
	sys := startSystem(t, "CATALOG_SERVICE_TOKEN="+serviceToken)
	url := sys.router
	customer := mustSignIn(t, url, "demo@shopgraph.dev", "Lantern-Harbor-42")
	admin := mustSignIn(t, url, "admin@shopgraph.dev", "Granite-Orchard-97")
	keys, _ := devKeys(t, sys)

	// An address the demo customer owns.
	r := gql(t, url, customer.Tokens.AccessToken, `mutation { addAddress(input: {name: "Emma Thompson", line1: "1 Harbour Rd",
		city: "Bristol", postalCode: "BS1 4RN", country: "GB"}) { address { id isDefaultShipping } userErrors { code } } }`, nil)
	var added struct{ Address struct{ ID string } }
	r.field(t, "addAddress", &added)
	if added.Address.ID == "" {
		t.Fatalf("addAddress = %s %+v", r.Data["addAddress"], r.Errors)
	}

	t.Run("refused tokens", func(t *testing.T) {
		valid := customer.Tokens.AccessToken
		parts := strings.Split(valid, ".")
		claims, _ := base64.RawURLEncoding.DecodeString(parts[1])
		promoted := strings.Replace(string(claims), `"role":"CUSTOMER"`, `"role":"ADMIN"`, 1)
		tampered := parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(promoted)) + "." + parts[2]

		expiredIssuer := &tokens.Issuer{Keys: keys, Issuer: auth.DefaultIssuer, Audience: auth.DefaultAudience,
			Now: func() time.Time { return time.Now().Add(-time.Hour) }}
		expired, _, err := expiredIssuer.Issue(tokens.AccessClaims{Subject: "gid://shopgraph/User/1", Role: "CUSTOMER"})
		if err != nil {
			t.Fatal(err)
		}
		wrongAudience, _, _ := (&tokens.Issuer{Keys: keys, Issuer: auth.DefaultIssuer, Audience: "another-app"}).
			Issue(tokens.AccessClaims{Subject: "gid://shopgraph/User/1", Role: "ADMIN"})

		adminClaims := jwt.MapClaims{"sub": "gid://shopgraph/User/1", "role": "ADMIN", "iss": auth.DefaultIssuer,
			"aud": auth.DefaultAudience, "iat": time.Now().Unix(), "exp": time.Now().Add(time.Hour).Unix()}
		none := jwt.NewWithClaims(jwt.SigningMethodNone, adminClaims)
		none.Header["kid"] = keys.Kids()[0]
		algNone, _ := none.SignedString(jwt.UnsafeAllowNoneSignatureType)
		_, otherKey, _ := ed25519.GenerateKey(rand.Reader)
		forged := jwt.NewWithClaims(jwt.SigningMethodEdDSA, adminClaims)
		forged.Header["kid"] = keys.Kids()[0] // the real key's id, another key's signature
		wrongKey, _ := forged.SignedString(otherKey)

		for name, token := range map[string]string{
			"tampered": tampered, "expired": expired, "wrong audience": wrongAudience,
			"alg none": algNone, "signed by another key": wrongKey, "service credential": serviceToken, "garbage": "abc.def",
		} {
			t.Run(name, func(t *testing.T) {
				for what, target := range map[string]string{
					"router": url, "users": "http://" + sys.addrs["users"] + "/graphql", "catalog": "http://" + sys.addrs["catalog"] + "/graphql",
				} {
					r := gql(t, target, token, `{ me: user(id: "gid://shopgraph/User/1") { name } }`, nil)
					if what == "catalog" {
						r = gql(t, target, token, `mutation { createCategory(input: {name: "Forged", slug: "forged"}) { category { id } } }`, nil)
					}
					if r.code() != "UNAUTHENTICATED" || strings.Contains(string(r.raw), "Forged") {
						t.Errorf("%s answered %d %s", what, r.Status, r.raw)
					}
				}
			})
		}
	})

	t.Run("private fields are the owner's and admins'", func(t *testing.T) {
		const q = `{ user(id: "gid://shopgraph/User/1") { name email role addresses { id } } }`
		own := gql(t, url, customer.Tokens.AccessToken, q, nil)
		if !strings.Contains(string(own.Data["user"]), `"email":"demo@shopgraph.dev","role":"CUSTOMER","addresses":[{"id":"`+added.Address.ID+`"}]`) || len(own.Errors) > 0 {
			t.Errorf("owner: %s %+v", own.Data["user"], own.Errors)
		}
		byAdmin := gql(t, url, admin.Tokens.AccessToken, q, nil)
		if !strings.Contains(string(byAdmin.Data["user"]), `"email":"demo@shopgraph.dev"`) || len(byAdmin.Errors) > 0 {
			t.Errorf("admin: %s %+v", byAdmin.Data["user"], byAdmin.Errors)
		}
		other := signUp(t, url, "mallory@example.com", "Mallory", "Crooked-Lantern-Alley")
		for who, token := range map[string]string{"another customer": other.Tokens.AccessToken, "anonymous": ""} {
			r := gql(t, url, token, q, nil)
			if string(r.Data["user"]) != `{"name":"Emma Thompson","email":null,"role":null,"addresses":null}` {
				t.Errorf("%s read %s", who, r.Data["user"])
			}
			var paths []string
			for _, e := range r.Errors {
				if c := e.Extensions["code"]; c != "FORBIDDEN" && c != "UNAUTHENTICATED" {
					t.Errorf("%s: error %+v", who, e)
				}
				b, _ := json.Marshal(e.Path)
				paths = append(paths, string(b))
			}
			sort.Strings(paths)
			if strings.Join(paths, " ") != `["user","addresses"] ["user","email"] ["user","role"]` {
				t.Errorf("%s: error paths %v", who, paths)
			}
		}
		// The router's own path into the subgraph: _entities, asked directly.
		direct := gql(t, "http://"+sys.addrs["users"]+"/graphql", other.Tokens.AccessToken,
			`query($r: [_Any!]!) { _entities(representations: $r) { ... on User { name email addresses { line1 } } } }`,
			map[string]any{"r": []any{map[string]any{"__typename": "User", "id": "gid://shopgraph/User/1"}}})
		if string(direct.Data["_entities"]) != `[{"name":"Emma Thompson","email":null,"addresses":null}]` || direct.code() != "FORBIDDEN" {
			t.Errorf("_entities: %s %+v", direct.Data["_entities"], direct.Errors)
		}
		// Nor can another customer change the address.
		upd := gql(t, url, other.Tokens.AccessToken, `mutation($id: ID!) { updateAddress(id: $id, input: {line1: "Mallory's"}) { address { id } userErrors { code } } }
			`, map[string]any{"id": added.Address.ID})
		if string(upd.Data["updateAddress"]) != `{"address":null,"userErrors":[{"code":"NOT_FOUND"}]}` {
			t.Errorf("updateAddress of another's: %s %+v", upd.Data["updateAddress"], upd.Errors)
		}
		del := gql(t, url, other.Tokens.AccessToken, `mutation($id: ID!) { deleteAddress(id: $id) { deletedAddressId userErrors { code } } }`,
			map[string]any{"id": added.Address.ID})
		if string(del.Data["deleteAddress"]) != `{"deletedAddressId":null,"userErrors":[{"code":"NOT_FOUND"}]}` {
			t.Errorf("deleteAddress of another's: %s", del.Data["deleteAddress"])
		}
		if r := gql(t, url, customer.Tokens.AccessToken, `{ me { addresses { line1 } } }`, nil); string(r.Data["me"]) != `{"addresses":[{"line1":"1 Harbour Rd"}]}` {
			t.Errorf("the owner's address changed: %s", r.Data["me"])
		}
	})

	t.Run("the service credential opens only the internal API", func(t *testing.T) {
		// Accepted where it belongs, the catalog's internal listener path, and
		// only with it.
		for _, c := range []struct {
			token   string
			refused bool
		}{{serviceToken, false}, {customer.Tokens.AccessToken, true}, {"", true}} {
			req, _ := http.NewRequest("POST", "http://"+sys.addrs["catalog"]+"/internal/stock/release", strings.NewReader(`{"orderId":"o-1"}`))
			if c.token != "" {
				auth.SetOn(req, c.token)
			}
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if (resp.StatusCode == http.StatusUnauthorized) != c.refused {
				t.Errorf("internal API with token %.12q...: %d", c.token, resp.StatusCode)
			}
		}
		// The router serves GraphQL only: there is no internal path behind it.
		req, _ := http.NewRequest("POST", strings.TrimSuffix(url, "/graphql")+"/internal/stock/release", strings.NewReader(`{}`))
		auth.SetOn(req, serviceToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("router /internal/: %d", resp.StatusCode)
		}
	})
}

// signInTime measures one signIn through url.
func signInTime(t *testing.T, url, email, password string) time.Duration {
	t.Helper()
	start := time.Now()
	a := signIn(t, url, email, password)
	d := time.Since(start)
	if a.codes() != "INVALID_CREDENTIALS" {
		t.Fatalf("signIn(%s) = %+v", email, a)
	}
	return d
}

func median(ds []time.Duration) time.Duration {
	s := append([]time.Duration{}, ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

// TestSignInTimingRateLimitsAndKeyRotation: an unknown email costs what a
// wrong password costs; a client address is limited however many emails it
// tries; and rotating the signing key keeps old tokens valid until the old key
// is removed.
func TestSignInTimingRateLimitsAndKeyRotation(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: builds and runs the binary")
	}
	oldPEM, err := tokens.GenerateEd25519PEM()
	if err != nil {
		t.Fatal(err)
	}
	newPEM, err := tokens.GenerateEd25519PEM()
	if err != nil {
		t.Fatal(err)
	}
	sys := startSystem(t, "USERS_SIGNING_KEYS="+string(oldPEM), "USERS_SIGNIN_LIMIT_PER_EMAIL=100/1m",
		"CATALOG_JWKS_MIN_REFRESH=10ms")
	url := sys.router

	t.Run("unknown email and wrong password take alike", func(t *testing.T) {
		// The difference this guards against is a whole password hash
		// (tens of milliseconds) against a database lookup (well under one).
		var unknown, wrong []time.Duration
		for i := range 15 {
			wrong = append(wrong, signInTime(t, url, "demo@shopgraph.dev", "Not-The-Password-1"))
			unknown = append(unknown, signInTime(t, url, "nobody"+strconv.Itoa(i)+"@example.com", "Not-The-Password-1"))
		}
		mu, mw := median(unknown), median(wrong)
		t.Logf("median sign-in: unknown email %v, wrong password %v (ratio %.2f)", mu, mw, float64(mu)/float64(mw))
		if ratio := float64(mu) / float64(mw); ratio < 0.5 || ratio > 2 {
			t.Errorf("unknown email %v vs wrong password %v: timing tells them apart", mu, mw)
		}
	})

	t.Run("a client address is limited across emails", func(t *testing.T) {
		// In Redis, as several replicas would share it. The addresses are
		// random so that a run within a minute of the last starts afresh.
		redisURL := os.Getenv("SHOPGRAPH_TEST_REDIS_URL")
		if redisURL == "" {
			redisURL = "redis://127.0.0.1:6379/0"
		}
		sys.restart(t, "users", "USERS_SIGNIN_LIMIT_PER_CLIENT=3/1m", "USERS_REDIS_URL="+redisURL)
		if !strings.Contains(sys.procs["users"].out.String(), "rate_limits=redis") {
			t.Fatalf("the users service does not use Redis:\n%s", sys.procs["users"].out)
		}
		randomAddr := func() string { return fmt.Sprintf("198.18.%d.%d", mrand.IntN(256), 1+mrand.IntN(254)) }
		client, other := randomAddr(), randomAddr()
		// A router that believes the load balancer in front of it (the test).
		edge, _ := sys.startRouter(t, "ROUTER_HEADERS_TRUSTED_PROXIES=127.0.0.1/32")
		attempt := func(client, email string) authResult {
			body, _ := json.Marshal(map[string]any{"query": `mutation($in: SignInInput!) { signIn(input: $in) { ` + authFields + ` } }`,
				"variables": map[string]any{"in": map[string]any{"email": email, "password": "Not-The-Password-1"}}})
			req, _ := http.NewRequest("POST", edge, strings.NewReader(string(body)))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("X-Forwarded-For", client)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var r struct{ Data struct{ SignIn authResult } }
			if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
				t.Fatal(err)
			}
			return r.Data.SignIn
		}
		for i := range 3 {
			if a := attempt(client, "guess"+strconv.Itoa(i)+"-"+client+"@example.com"); a.codes() != "INVALID_CREDENTIALS" {
				t.Fatalf("attempt %d = %+v", i, a)
			}
		}
		if a := attempt(client, "guess9@example.com"); a.codes() != "RATE_LIMITED" || a.RetryAfterSeconds == nil {
			t.Errorf("fourth attempt from one address = %+v", a)
		}
		if a := attempt(other, "guess9@example.com"); a.codes() != "INVALID_CREDENTIALS" {
			t.Errorf("another address = %+v", a)
		}
	})

	t.Run("key rotation", func(t *testing.T) {
		sys.restart(t, "users")
		old := mustSignIn(t, url, "admin@shopgraph.dev", "Granite-Orchard-97").Tokens.AccessToken
		works := func(token string) (users, catalog bool) {
			r := gql(t, url, token, `{ me { id } }`, nil)
			users = strings.Contains(string(r.Data["me"]), "User/2")
			slug := "rotation-" + strconv.FormatInt(time.Now().UnixNano(), 36)
			r = gql(t, url, token, `mutation($s: String!) { createCategory(input: {name: "Rotation", slug: $s}) { category { id } userErrors { code } } }`,
				map[string]any{"s": slug})
			catalog = strings.Contains(string(r.Data["createCategory"]), `"category":{"id"`)
			return users, catalog
		}
		if u, c := works(old); !u || !c {
			t.Fatalf("before rotation: users %v catalog %v", u, c)
		}
		// The procedure: publish the new key (second: verify only), then sign
		// with it (first), then retire the old one.
		sys.restart(t, "users", "USERS_SIGNING_KEYS="+string(oldPEM)+string(newPEM))
		if u, c := works(old); !u || !c {
			t.Errorf("old token with the new key published: users %v catalog %v", u, c)
		}
		sys.restart(t, "users", "USERS_SIGNING_KEYS="+string(newPEM)+string(oldPEM))
		if u, c := works(old); !u || !c {
			t.Errorf("old token after the new key signs: users %v catalog %v", u, c)
		}
		fresh := mustSignIn(t, url, "admin@shopgraph.dev", "Granite-Orchard-97").Tokens.AccessToken
		if u, c := works(fresh); !u || !c {
			t.Errorf("new token (unknown kid makes the catalog re-fetch the JWKS): users %v catalog %v", u, c)
		}
		// Retire the old key: its tokens stop working at the users service.
		sys.restart(t, "users", "USERS_SIGNING_KEYS="+string(newPEM))
		if r := gql(t, url, old, `{ me { id } }`, nil); r.code() != "UNAUTHENTICATED" {
			t.Errorf("token of a retired key: %s", r.raw)
		}
		if u, _ := works(fresh); !u {
			t.Errorf("new token after retiring the old key")
		}
		resp, err := http.Get("http://" + sys.addrs["users"] + "/.well-known/jwks.json")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var jwks struct{ Keys []map[string]any }
		if err := json.NewDecoder(resp.Body).Decode(&jwks); err != nil || len(jwks.Keys) != 1 || jwks.Keys[0]["d"] != nil ||
			resp.Header.Get("Cache-Control") == "" {
			t.Errorf("jwks %+v %v", jwks, err)
		}
	})
}
