package graph_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/shopgraph/shopgraph/internal/gqlserve/gqltest"
	"github.com/shopgraph/shopgraph/subgraphs/users/tokens"
)

// These tests speak HTTP to the users subgraph over a seeded database, as the
// router does, and check who may see and change what. Seeded users 3 and up
// have no password, so tests that need one sign up their own account.

// reply is a GraphQL response with its HTTP status.
type reply struct {
	Status int
	Header http.Header
	gqltest.Response
}

// call posts query and vars to url, with `Authorization: Bearer token` unless
// token is empty, and decodes the answer whatever its status.
func call(t *testing.T, url, token, query string, vars map[string]any) reply {
	t.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	out := reply{Status: res.StatusCode, Header: res.Header}
	if err := json.NewDecoder(res.Body).Decode(&out.Response); err != nil {
		t.Fatalf("decode response (status %d): %v", res.StatusCode, err)
	}
	return out
}

// tokenFor mints an access token for user id with role.
func tokenFor(t *testing.T, issuer *tokens.Issuer, id int64, role string) string {
	t.Helper()
	tok, _, err := issuer.Issue(tokens.AccessClaims{Subject: fmt.Sprintf("gid://shopgraph/User/%d", id), Role: role})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// errorCodes maps each error's path ("user.email", "_entities.1.role"; "" for
// none) to its extensions.code.
func errorCodes(errs []gqltest.Error) map[string]string {
	out := map[string]string{}
	for _, e := range errs {
		parts := make([]string, len(e.Path))
		for i, p := range e.Path {
			parts[i] = fmt.Sprint(p)
		}
		code, _ := e.Extensions["code"].(string)
		out[strings.Join(parts, ".")] = code
	}
	return out
}

// wantErrors fails t unless errs are exactly want (path -> code).
func wantErrors(t *testing.T, errs []gqltest.Error, want map[string]string) {
	t.Helper()
	got := errorCodes(errs)
	if len(want) == 0 && len(errs) == 0 {
		return
	}
	if len(errs) != len(want) || !reflect.DeepEqual(got, want) {
		t.Errorf("errors %v (%+v), want %v", got, errs, want)
	}
}

// wantJSON fails t unless got and want are the same JSON value.
func wantJSON(t *testing.T, got json.RawMessage, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("data %s: %v", got, err)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("want %s: %v", want, err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("data %s\nwant %s", got, want)
	}
}

// decode unmarshals data into v.
func decode(t *testing.T, r reply, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Data, v); err != nil {
		t.Fatalf("data %s: %v (errors %+v)", r.Data, err, r.Errors)
	}
}

// userError is an AccountUserError as the API shows it.
type userError struct {
	Code    string   `json:"code"`
	Field   []string `json:"field"`
	Message string   `json:"message"`
}

// wantUserErrors fails t unless got has exactly the codes of want, each at its
// field ("input.line1"; "" for none), in any order.
func wantUserErrors(t *testing.T, got []userError, want ...string) {
	t.Helper()
	g := make([]string, len(got))
	for i, e := range got {
		g[i] = e.Code + "@" + strings.Join(e.Field, ".")
		if e.Message == "" {
			t.Errorf("user error %s has no message", g[i])
		}
	}
	sort.Strings(g)
	w := append([]string{}, want...)
	sort.Strings(w)
	if !reflect.DeepEqual(g, w) && (len(g) > 0 || len(w) > 0) {
		t.Errorf("userErrors %v, want %v", g, w)
	}
}

// Seeded users the tests read: their names and emails come from postgres.Seed.
const (
	user3Email = "sofia.rossi@example.com"
	user4Email = "noah.muller@example.com"
)

func TestFieldAuthorisation(t *testing.T) {
	t.Parallel()
	srv, issuer := newServerWithIssuer(t)
	customer3 := tokenFor(t, issuer, 3, "CUSTOMER")
	customer4 := tokenFor(t, issuer, 4, "CUSTOMER")
	admin := tokenFor(t, issuer, 2, "ADMIN")

	const userQuery = `{ user(id: "gid://shopgraph/User/4") { name email role addresses { id } } }`
	const entitiesQuery = `query($r: [_Any!]!) { _entities(representations: $r) { ... on User { id name email role addresses { id } } } }`
	reps := func(ids ...int) map[string]any {
		list := make([]map[string]any, len(ids))
		for i, id := range ids {
			list[i] = map[string]any{"__typename": "User", "id": fmt.Sprintf("gid://shopgraph/User/%d", id)}
		}
		return map[string]any{"r": list}
	}
	full3 := `{"id":"gid://shopgraph/User/3","name":"Sofia Rossi","email":"` + user3Email + `","role":"CUSTOMER","addresses":[]}`
	full4 := `{"id":"gid://shopgraph/User/4","name":"Noah Müller","email":"` + user4Email + `","role":"CUSTOMER","addresses":[]}`
	public3 := `{"id":"gid://shopgraph/User/3","name":"Sofia Rossi","email":null,"role":null,"addresses":null}`
	public4 := `{"id":"gid://shopgraph/User/4","name":"Noah Müller","email":null,"role":null,"addresses":null}`
	denied := func(prefix, code string) map[string]string {
		return map[string]string{prefix + ".email": code, prefix + ".role": code, prefix + ".addresses": code}
	}
	merge := func(ms ...map[string]string) map[string]string {
		out := map[string]string{}
		for _, m := range ms {
			for k, v := range m {
				out[k] = v
			}
		}
		return out
	}

	tests := []struct {
		name     string
		token    string
		query    string
		vars     map[string]any
		wantData string
		wantErrs map[string]string
	}{
		{
			name: "another customer sees the public profile only", token: customer3, query: userQuery,
			wantData: `{"user":{"name":"Noah Müller","email":null,"role":null,"addresses":null}}`,
			wantErrs: denied("user", "FORBIDDEN"),
		},
		{
			name: "the owner sees everything", token: customer4, query: userQuery,
			wantData: `{"user":{"name":"Noah Müller","email":"` + user4Email + `","role":"CUSTOMER","addresses":[]}}`,
		},
		{
			name: "an admin sees everything", token: admin, query: userQuery,
			wantData: `{"user":{"name":"Noah Müller","email":"` + user4Email + `","role":"CUSTOMER","addresses":[]}}`,
		},
		{
			name: "anonymous sees the public profile only", query: userQuery,
			wantData: `{"user":{"name":"Noah Müller","email":null,"role":null,"addresses":null}}`,
			wantErrs: denied("user", "UNAUTHENTICATED"),
		},
		{
			name: "me is the token's user", token: customer3, query: `{ me { id email role } }`,
			wantData: `{"me":{"id":"gid://shopgraph/User/3","email":"` + user3Email + `","role":"CUSTOMER"}}`,
		},
		{
			name: "me of anonymous is null", query: `{ me { id email } }`,
			wantData: `{"me":null}`,
		},
		{
			name: "entities: another customer", token: customer3, query: entitiesQuery, vars: reps(4),
			wantData: `{"_entities":[` + public4 + `]}`,
			wantErrs: denied("_entities.0", "FORBIDDEN"),
		},
		{
			name: "entities: own and another's in one batch", token: customer3, query: entitiesQuery, vars: reps(4, 3, 4),
			wantData: `{"_entities":[` + public4 + `,` + full3 + `,` + public4 + `]}`,
			wantErrs: merge(denied("_entities.0", "FORBIDDEN"), denied("_entities.2", "FORBIDDEN")),
		},
		{
			name: "entities: admin", token: admin, query: entitiesQuery, vars: reps(3, 4),
			wantData: `{"_entities":[` + full3 + `,` + full4 + `]}`,
		},
		{
			name: "entities: anonymous", query: entitiesQuery, vars: reps(3, 4),
			wantData: `{"_entities":[` + public3 + `,` + public4 + `]}`,
			wantErrs: merge(denied("_entities.0", "UNAUTHENTICATED"), denied("_entities.1", "UNAUTHENTICATED")),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := call(t, srv.URL, tt.token, tt.query, tt.vars)
			if r.Status != http.StatusOK {
				t.Errorf("status %d", r.Status)
			}
			wantJSON(t, r.Data, tt.wantData)
			wantErrors(t, r.Errors, tt.wantErrs)
		})
	}
}

// address is the Address fields the address tests read.
type address struct {
	ID                string  `json:"id"`
	Name              string  `json:"name"`
	Line1             string  `json:"line1"`
	Line2             *string `json:"line2"`
	City              string  `json:"city"`
	Region            *string `json:"region"`
	PostalCode        string  `json:"postalCode"`
	Country           string  `json:"country"`
	Phone             *string `json:"phone"`
	IsDefaultShipping bool    `json:"isDefaultShipping"`
	IsDefaultBilling  bool    `json:"isDefaultBilling"`
}

const addressFields = `id name line1 line2 city region postalCode country phone isDefaultShipping isDefaultBilling`

// addressPayload is an AddressPayload.
type addressPayload struct {
	Address    *address    `json:"address"`
	UserErrors []userError `json:"userErrors"`
}

// validAddress returns an AddressInput the service accepts, with changes.
func validAddress(changes map[string]any) map[string]any {
	in := map[string]any{
		"name": "Ada Lovelace", "line1": "12 St James's Square", "city": "London",
		"postalCode": "SW1Y 4JH", "country": "GB", "phone": "+44 20 7946 0958",
	}
	for k, v := range changes {
		in[k] = v
	}
	return in
}

// addAddress runs addAddress as token's user.
func addAddress(t *testing.T, url, token string, in map[string]any) addressPayload {
	t.Helper()
	r := call(t, url, token, `mutation($in: AddressInput!) { addAddress(input: $in) { address { `+addressFields+` } userErrors { code field message } } }`,
		map[string]any{"in": in})
	if len(r.Errors) > 0 {
		t.Fatalf("addAddress: errors %+v", r.Errors)
	}
	var data struct{ AddAddress addressPayload }
	decode(t, r, &data)
	return data.AddAddress
}

// mustAddAddress adds an address or fails t.
func mustAddAddress(t *testing.T, url, token string, in map[string]any) address {
	t.Helper()
	p := addAddress(t, url, token, in)
	if p.Address == nil || len(p.UserErrors) > 0 {
		t.Fatalf("addAddress refused: %+v", p.UserErrors)
	}
	return *p.Address
}

// addressBook reads token's user's addresses through me.
func addressBook(t *testing.T, url, token string) []address {
	t.Helper()
	r := call(t, url, token, `{ me { addresses { `+addressFields+` } } }`, nil)
	if len(r.Errors) > 0 {
		t.Fatalf("me: errors %+v", r.Errors)
	}
	var data struct{ Me struct{ Addresses []address } }
	decode(t, r, &data)
	return data.Me.Addresses
}

// The three mutations on one existing address, as the same shape of call.
var addressMutations = []struct {
	name  string
	query string
	vars  map[string]any
	// field holds the payload in data.
	field string
}{
	{"updateAddress", `mutation($id: ID!, $in: AddressUpdateInput!) { updateAddress(id: $id, input: $in) { address { id } userErrors { code field message } } }`,
		map[string]any{"in": map[string]any{"line1": "1 Hijack Road"}}, "updateAddress"},
	{"deleteAddress", `mutation($id: ID!) { deleteAddress(id: $id) { deletedAddressId userErrors { code field message } } }`,
		map[string]any{}, "deleteAddress"},
	{"setDefaultAddress", `mutation($id: ID!) { setDefaultAddress(id: $id) { address { id } userErrors { code field message } } }`,
		map[string]any{}, "setDefaultAddress"},
}

// mutateAddress runs one of addressMutations on id and returns its payload's
// userErrors and whether it named an address (address or deletedAddressId).
func mutateAddress(t *testing.T, url, token string, m int, id string) (errs []userError, touched bool) {
	t.Helper()
	vars := map[string]any{"id": id}
	for k, v := range addressMutations[m].vars {
		vars[k] = v
	}
	r := call(t, url, token, addressMutations[m].query, vars)
	if len(r.Errors) > 0 {
		t.Fatalf("%s: errors %+v", addressMutations[m].name, r.Errors)
	}
	var data map[string]struct {
		Address          *struct{ ID string } `json:"address"`
		DeletedAddressID *string              `json:"deletedAddressId"`
		UserErrors       []userError          `json:"userErrors"`
	}
	decode(t, r, &data)
	p := data[addressMutations[m].field]
	return p.UserErrors, p.Address != nil || p.DeletedAddressID != nil
}

func TestAddressBook(t *testing.T) {
	t.Parallel()
	srv, issuer := newServerWithIssuer(t)

	t.Run("defaults and another user's reach", func(t *testing.T) {
		t.Parallel()
		a := tokenFor(t, issuer, 5, "CUSTOMER")
		b := tokenFor(t, issuer, 6, "CUSTOMER")

		first := mustAddAddress(t, srv.URL, a, validAddress(nil))
		if !first.IsDefaultShipping || !first.IsDefaultBilling {
			t.Errorf("first address: shipping %v billing %v, want both defaults", first.IsDefaultShipping, first.IsDefaultBilling)
		}
		second := mustAddAddress(t, srv.URL, a, validAddress(map[string]any{"line1": "221B Baker Street", "isDefaultShipping": true}))
		if !second.IsDefaultShipping || second.IsDefaultBilling {
			t.Errorf("second address: shipping %v billing %v, want shipping only", second.IsDefaultShipping, second.IsDefaultBilling)
		}
		book := addressBook(t, srv.URL, a)
		if len(book) != 2 || book[0].ID != first.ID || book[1].ID != second.ID {
			t.Fatalf("book %+v, want first then second", book)
		}
		if book[0].IsDefaultShipping || !book[0].IsDefaultBilling {
			t.Errorf("first address after the second: shipping %v billing %v, want billing only", book[0].IsDefaultShipping, book[0].IsDefaultBilling)
		}

		for m := range addressMutations {
			t.Run(addressMutations[m].name+" by another user", func(t *testing.T) {
				errs, touched := mutateAddress(t, srv.URL, b, m, first.ID)
				wantUserErrors(t, errs, "NOT_FOUND@id")
				if touched {
					t.Error("the payload names an address")
				}
			})
		}
		if after := addressBook(t, srv.URL, a); !reflect.DeepEqual(after, book) {
			t.Errorf("A's book changed:\n%+v\nwant\n%+v", after, book)
		}
		if got := addressBook(t, srv.URL, b); len(got) != 0 {
			t.Errorf("B's book %+v, want empty", got)
		}

		// The owner can: set the first as shipping default again, then delete it.
		errs, touched := mutateAddress(t, srv.URL, a, 2, first.ID)
		wantUserErrors(t, errs)
		if !touched {
			t.Error("setDefaultAddress by the owner named no address")
		}
		book = addressBook(t, srv.URL, a)
		if !book[0].IsDefaultShipping || !book[0].IsDefaultBilling || book[1].IsDefaultShipping || book[1].IsDefaultBilling {
			t.Errorf("after setDefaultAddress(first): %+v", book)
		}
		errs, touched = mutateAddress(t, srv.URL, a, 1, first.ID)
		wantUserErrors(t, errs)
		if !touched {
			t.Error("deleteAddress by the owner named no address")
		}
		if book = addressBook(t, srv.URL, a); len(book) != 1 || book[0].ID != second.ID {
			t.Errorf("after delete: %+v", book)
		}
	})

	t.Run("unknown and malformed ids are NOT_FOUND", func(t *testing.T) {
		t.Parallel()
		tok := tokenFor(t, issuer, 7, "CUSTOMER")
		for _, id := range []string{"nonsense", "", "gid://shopgraph/User/7", "gid://shopgraph/Address/0", "gid://shopgraph/Address/999999"} {
			for m := range addressMutations {
				t.Run(fmt.Sprintf("%s %q", addressMutations[m].name, id), func(t *testing.T) {
					errs, touched := mutateAddress(t, srv.URL, tok, m, id)
					wantUserErrors(t, errs, "NOT_FOUND@id")
					if touched {
						t.Error("the payload names an address")
					}
				})
			}
		}
	})

	t.Run("anonymous address mutations are UNAUTHENTICATED", func(t *testing.T) {
		t.Parallel()
		owner := tokenFor(t, issuer, 8, "CUSTOMER")
		id := mustAddAddress(t, srv.URL, owner, validAddress(nil)).ID
		calls := []struct{ name, query string }{
			{"addAddress", `mutation($in: AddressInput!) { addAddress(input: $in) { address { id } } }`},
			{"updateAddress", `mutation($id: ID!) { updateAddress(id: $id, input: {line1: "x"}) { address { id } } }`},
			{"deleteAddress", `mutation($id: ID!) { deleteAddress(id: $id) { deletedAddressId } }`},
			{"setDefaultAddress", `mutation($id: ID!) { setDefaultAddress(id: $id) { address { id } } }`},
		}
		for _, c := range calls {
			t.Run(c.name, func(t *testing.T) {
				r := call(t, srv.URL, "", c.query, map[string]any{"id": id, "in": validAddress(nil)})
				if r.Status != http.StatusOK {
					t.Errorf("status %d", r.Status)
				}
				wantErrors(t, r.Errors, map[string]string{c.name: "UNAUTHENTICATED"})
				if string(r.Data) != "null" {
					t.Errorf("data %s, want null", r.Data)
				}
			})
		}
		if book := addressBook(t, srv.URL, owner); len(book) != 1 || book[0].ID != id || book[0].Line1 != "12 St James's Square" {
			t.Errorf("owner's book %+v", book)
		}
	})

	t.Run("validation", func(t *testing.T) {
		t.Parallel()
		tok := tokenFor(t, issuer, 9, "CUSTOMER")
		long := strings.Repeat("x", 101)
		tests := []struct {
			name        string
			changes     map[string]any
			wantErrs    []string
			wantCountry string // when accepted
		}{
			{"valid", nil, nil, "GB"},
			{"blank line1", map[string]any{"line1": "   "}, []string{"BLANK@input.line1"}, ""},
			{"blank name and city", map[string]any{"name": "", "city": " "}, []string{"BLANK@input.name", "BLANK@input.city"}, ""},
			{"blank postal code", map[string]any{"postalCode": ""}, []string{"BLANK@input.postalCode"}, ""},
			{"country XX (private use)", map[string]any{"country": "XX"}, []string{"INVALID_COUNTRY@input.country"}, ""},
			{"country EU (a grouping)", map[string]any{"country": "EU"}, []string{"INVALID_COUNTRY@input.country"}, ""},
			{"country GBR (alpha-3)", map[string]any{"country": "GBR"}, []string{"INVALID_COUNTRY@input.country"}, ""},
			{"country blank", map[string]any{"country": ""}, []string{"INVALID_COUNTRY@input.country"}, ""},
			{"lower-case gb is normalised", map[string]any{"country": "gb"}, nil, "GB"},
			{"spaced de is normalised", map[string]any{"country": " de "}, nil, "DE"},
			{"bad phone", map[string]any{"phone": "call me maybe"}, []string{"INVALID@input.phone"}, ""},
			{"bad postal code", map[string]any{"postalCode": "SW1Y_4JH"}, []string{"INVALID@input.postalCode"}, ""},
			{"control character", map[string]any{"line2": "Flat 2\u0007"}, []string{"INVALID@input.line2"}, ""},
			{"long line1", map[string]any{"line1": long}, []string{"TOO_LONG@input.line1"}, ""},
			{"long region", map[string]any{"region": long}, []string{"TOO_LONG@input.region"}, ""},
			{"long postal code", map[string]any{"postalCode": strings.Repeat("1", 17)}, []string{"TOO_LONG@input.postalCode"}, ""},
			{"long phone", map[string]any{"phone": strings.Repeat("1", 33)}, []string{"TOO_LONG@input.phone"}, ""},
			{"several at once", map[string]any{"line1": "", "country": "XX", "phone": "nope"},
				[]string{"BLANK@input.line1", "INVALID_COUNTRY@input.country", "INVALID@input.phone"}, ""},
		}
		// Codes ISO 3166-1 reserves (UK, EU...) or has withdrawn (SU, YU, ZR...)
		// are not assigned to a country, though CLDR knows them as regions.
		for _, c := range []string{"UK", "SU", "YU", "ZR", "AN", "AC", "EA", "IC", "TA", "UN", "FX", "CP", "DG"} {
			tests = append(tests, struct {
				name        string
				changes     map[string]any
				wantErrs    []string
				wantCountry string
			}{"country " + c + " is not assigned", map[string]any{"country": c}, []string{"INVALID_COUNTRY@input.country"}, ""})
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				p := addAddress(t, srv.URL, tok, validAddress(tt.changes))
				wantUserErrors(t, p.UserErrors, tt.wantErrs...)
				switch {
				case tt.wantErrs != nil && p.Address != nil:
					t.Errorf("want a refusal, got address %+v", p.Address)
				case tt.wantErrs == nil && p.Address == nil:
					t.Error("no address")
				case tt.wantErrs == nil && p.Address.Country != tt.wantCountry:
					t.Errorf("country %q, want %q", p.Address.Country, tt.wantCountry)
				}
			})
		}
	})

	t.Run("updateAddress validates what it changes", func(t *testing.T) {
		t.Parallel()
		tok := tokenFor(t, issuer, 10, "CUSTOMER")
		a := mustAddAddress(t, srv.URL, tok, validAddress(map[string]any{"line2": "Flat 2", "region": "Greater London"}))
		update := func(in map[string]any) addressPayload {
			r := call(t, srv.URL, tok, `mutation($id: ID!, $in: AddressUpdateInput!) { updateAddress(id: $id, input: $in) { address { `+addressFields+` } userErrors { code field message } } }`,
				map[string]any{"id": a.ID, "in": in})
			if len(r.Errors) > 0 {
				t.Fatalf("errors %+v", r.Errors)
			}
			var data struct{ UpdateAddress addressPayload }
			decode(t, r, &data)
			return data.UpdateAddress
		}
		for _, tt := range []struct {
			name string
			in   map[string]any
			want []string
		}{
			{"blank line1", map[string]any{"line1": ""}, []string{"BLANK@input.line1"}},
			{"country XX", map[string]any{"country": "xx"}, []string{"INVALID_COUNTRY@input.country"}},
			{"long city", map[string]any{"city": strings.Repeat("c", 101)}, []string{"TOO_LONG@input.city"}},
		} {
			p := update(tt.in)
			wantUserErrors(t, p.UserErrors, tt.want...)
			if p.Address != nil {
				t.Errorf("%s: want a refusal, got address %+v", tt.name, p.Address)
			}
		}
		p := update(map[string]any{"line2": "", "country": "fr", "city": "Paris"})
		wantUserErrors(t, p.UserErrors)
		if p.Address == nil || p.Address.Line2 != nil || p.Address.Country != "FR" || p.Address.City != "Paris" ||
			p.Address.Region == nil || *p.Address.Region != "Greater London" || p.Address.Line1 != a.Line1 {
			t.Errorf("after update: %+v", p.Address)
		}
	})

	t.Run("the 21st address is LIMIT_REACHED", func(t *testing.T) {
		t.Parallel()
		tok := tokenFor(t, issuer, 11, "CUSTOMER")
		for i := range 20 {
			mustAddAddress(t, srv.URL, tok, validAddress(map[string]any{"line1": fmt.Sprintf("%d Long Lane", i+1)}))
		}
		p := addAddress(t, srv.URL, tok, validAddress(map[string]any{"line1": "21 Long Lane"}))
		wantUserErrors(t, p.UserErrors, "LIMIT_REACHED@")
		if p.Address != nil {
			t.Errorf("address %+v", p.Address)
		}
		if n := len(addressBook(t, srv.URL, tok)); n != 20 {
			t.Errorf("book has %d addresses, want 20", n)
		}
	})
}

// authPayload is an AuthPayload with the user's private fields.
type authPayload struct {
	User *struct {
		ID    string  `json:"id"`
		Email *string `json:"email"`
		Role  *string `json:"role"`
	} `json:"user"`
	Tokens *struct {
		AccessToken  string `json:"accessToken"`
		RefreshToken string `json:"refreshToken"`
		TokenType    string `json:"tokenType"`
	} `json:"tokens"`
	UserErrors        []userError `json:"userErrors"`
	RetryAfterSeconds *int        `json:"retryAfterSeconds"`
}

const authFields = `user { id email role } tokens { accessToken refreshToken tokenType } userErrors { code field message } retryAfterSeconds`

// signUp creates an account and returns its access token.
func signUp(t *testing.T, url, email, name, pw string) string {
	t.Helper()
	r := call(t, url, "", `mutation($in: SignUpInput!) { signUp(input: $in) { `+authFields+` } }`,
		map[string]any{"in": map[string]any{"email": email, "name": name, "password": pw}})
	var data struct{ SignUp authPayload }
	decode(t, r, &data)
	if len(r.Errors) > 0 || data.SignUp.Tokens == nil {
		t.Fatalf("signUp %s: errors %+v userErrors %+v", email, r.Errors, data.SignUp.UserErrors)
	}
	return data.SignUp.Tokens.AccessToken
}

// signIn signs in without a token and returns the payload.
func signIn(t *testing.T, url, email, pw string) authPayload {
	t.Helper()
	r := call(t, url, "", `mutation($in: SignInInput!) { signIn(input: $in) { `+authFields+` } }`,
		map[string]any{"in": map[string]any{"email": email, "password": pw}})
	if len(r.Errors) > 0 {
		t.Fatalf("signIn: errors %+v", r.Errors)
	}
	var data struct{ SignIn authPayload }
	decode(t, r, &data)
	return data.SignIn
}

// userPayload is a UserPayload.
type userPayload struct {
	User *struct {
		Name  string  `json:"name"`
		Email *string `json:"email"`
	} `json:"user"`
	UserErrors []userError `json:"userErrors"`
}

func TestUpdateProfile(t *testing.T) {
	t.Parallel()
	srv, _ := newServerWithIssuer(t)
	const pw = "Velvet-Canyon-2718"
	update := func(t *testing.T, token string, in map[string]any) userPayload {
		t.Helper()
		r := call(t, srv.URL, token, `mutation($in: UpdateProfileInput!) { updateProfile(input: $in) { user { name email } userErrors { code field message } } }`,
			map[string]any{"in": in})
		if len(r.Errors) > 0 {
			t.Fatalf("updateProfile: errors %+v", r.Errors)
		}
		var data struct{ UpdateProfile userPayload }
		decode(t, r, &data)
		return data.UpdateProfile
	}
	email := func(t *testing.T, token string) string {
		t.Helper()
		r := call(t, srv.URL, token, `{ me { email } }`, nil)
		var data struct{ Me struct{ Email string } }
		decode(t, r, &data)
		return data.Me.Email
	}

	t.Run("name", func(t *testing.T) {
		t.Parallel()
		tok := signUp(t, srv.URL, "profile.name@example.com", "Xavier Stone", pw)
		p := update(t, tok, map[string]any{"name": "  Xavier Q. Stone "})
		wantUserErrors(t, p.UserErrors)
		if p.User == nil || p.User.Name != "Xavier Q. Stone" || p.User.Email == nil || *p.User.Email != "profile.name@example.com" {
			t.Errorf("user %+v", p.User)
		}
		p = update(t, tok, map[string]any{"name": " "})
		wantUserErrors(t, p.UserErrors, "BLANK@input.name")
		p = update(t, tok, map[string]any{"name": strings.Repeat("n", 101)})
		wantUserErrors(t, p.UserErrors, "TOO_LONG@input.name")
	})

	t.Run("email", func(t *testing.T) {
		t.Parallel()
		const old, next = "profile.old@example.com", "profile.new@example.com"
		tok := signUp(t, srv.URL, old, "Yara Field", pw)

		for _, tt := range []struct {
			name string
			in   map[string]any
			want []string
		}{
			{"without the password", map[string]any{"email": next}, []string{"WRONG_PASSWORD@input.currentPassword"}},
			{"with a wrong password", map[string]any{"email": next, "currentPassword": pw + "x"}, []string{"WRONG_PASSWORD@input.currentPassword"}},
			{"not an email", map[string]any{"email": "Yara <" + next + ">", "currentPassword": pw}, []string{"INVALID_EMAIL@input.email"}},
			{"taken", map[string]any{"email": "demo@shopgraph.dev", "currentPassword": pw}, []string{"EMAIL_TAKEN@input.email"}},
			{"taken, spelt otherwise", map[string]any{"email": " Admin@ShopGraph.dev", "currentPassword": pw}, []string{"EMAIL_TAKEN@input.email"}},
			{"own email, other case, needs no password", map[string]any{"email": strings.ToUpper(old)}, nil},
		} {
			t.Run(tt.name, func(t *testing.T) {
				p := update(t, tok, tt.in)
				wantUserErrors(t, p.UserErrors, tt.want...)
				if got := email(t, tok); got != old {
					t.Errorf("email %q, want %q", got, old)
				}
			})
		}

		p := update(t, tok, map[string]any{"email": " Profile.New@Example.com ", "currentPassword": pw})
		wantUserErrors(t, p.UserErrors)
		if p.User == nil || p.User.Email == nil || *p.User.Email != next {
			t.Errorf("user %+v, want email %s", p.User, next)
		}
		if got := signIn(t, srv.URL, old, pw); got.User != nil || got.Tokens != nil {
			t.Errorf("the old email still signs in: %+v", got)
		} else {
			wantUserErrors(t, got.UserErrors, "INVALID_CREDENTIALS@")
		}
		if got := signIn(t, srv.URL, next, pw); got.User == nil || got.Tokens == nil {
			t.Errorf("the new email does not sign in: %+v", got.UserErrors)
		}
	})

	t.Run("anonymous is UNAUTHENTICATED", func(t *testing.T) {
		t.Parallel()
		r := call(t, srv.URL, "", `mutation { updateProfile(input: {name: "Nobody"}) { user { name } } }`, nil)
		wantErrors(t, r.Errors, map[string]string{"updateProfile": "UNAUTHENTICATED"})
	})
}

// b64 is JWT segments' encoding.
var b64 = base64.RawURLEncoding

// jwtParts splits a token into its decoded header and claims and its signature.
func jwtParts(t *testing.T, token string) (header, claims map[string]any, sig string) {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("token has %d parts", len(parts))
	}
	for i, v := range []*map[string]any{&header, &claims} {
		b, err := b64.DecodeString(parts[i])
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, v); err != nil {
			t.Fatal(err)
		}
	}
	return header, claims, parts[2]
}

// jwtJoin encodes a token from its parts.
func jwtJoin(t *testing.T, header, claims map[string]any, sig string) string {
	t.Helper()
	h, err := json.Marshal(header)
	if err != nil {
		t.Fatal(err)
	}
	c, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	return b64.EncodeToString(h) + "." + b64.EncodeToString(c) + "." + sig
}

func TestTokensAtTheSubgraph(t *testing.T) {
	t.Parallel()
	srv, issuer := newServerWithIssuer(t)
	good := tokenFor(t, issuer, 3, "CUSTOMER")
	header, claims, sig := jwtParts(t, good)

	otherPEM, err := tokens.GenerateEd25519PEM()
	if err != nil {
		t.Fatal(err)
	}
	otherKeys, err := tokens.ParsePEM(otherPEM)
	if err != nil {
		t.Fatal(err)
	}
	// The other key's token claims the server's kid, so that it is the
	// signature, not an unknown kid, that fails.
	foreign := &tokens.Issuer{Keys: otherKeys, Issuer: issuer.Issuer, Audience: issuer.Audience}
	foreignTok, _, err := foreign.Issue(tokens.AccessClaims{Subject: "gid://shopgraph/User/3", Role: "CUSTOMER"})
	if err != nil {
		t.Fatal(err)
	}
	_, fClaims, fSig := jwtParts(t, foreignTok)
	signedByOther := jwtJoin(t, header, fClaims, fSig)

	past := &tokens.Issuer{Keys: issuer.Keys, Issuer: issuer.Issuer, Audience: issuer.Audience,
		Now: func() time.Time { return time.Now().Add(-time.Hour) }}
	expired, _, err := past.Issue(tokens.AccessClaims{Subject: "gid://shopgraph/User/3", Role: "CUSTOMER"})
	if err != nil {
		t.Fatal(err)
	}

	escalated := map[string]any{}
	for k, v := range claims {
		escalated[k] = v
	}
	escalated["role"] = "ADMIN"
	escalated["sub"] = "gid://shopgraph/User/4"

	noneHeader := map[string]any{"alg": "none", "typ": "JWT", "kid": header["kid"]}
	hs256Header := map[string]any{"alg": "HS256", "typ": "JWT", "kid": header["kid"]}

	refused := []struct {
		name  string
		token string
	}{
		{"signed by another key", signedByOther},
		{"claims changed after signing", jwtJoin(t, header, escalated, sig)},
		{"signature of another token", good[:strings.LastIndex(good, ".")+1] + fSig},
		{"expired", expired},
		{"alg none without signature", jwtJoin(t, noneHeader, escalated, "")},
		{"alg none with the old signature", jwtJoin(t, noneHeader, claims, sig)},
		{"alg HS256", jwtJoin(t, hs256Header, claims, sig)},
		{"not a JWT", "not-a-token"},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := call(t, srv.URL, tt.token, `{ user(id: "gid://shopgraph/User/1") { name } }`, nil)
			if r.Status != http.StatusUnauthorized {
				t.Errorf("status %d, want 401", r.Status)
			}
			if !strings.HasPrefix(r.Header.Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("WWW-Authenticate %q", r.Header.Get("WWW-Authenticate"))
			}
			wantErrors(t, r.Errors, map[string]string{"": "UNAUTHENTICATED"})
			if r.Data != nil && string(r.Data) != "null" {
				t.Errorf("data %s, want none", r.Data)
			}
		})
	}

	t.Run("a good token", func(t *testing.T) {
		t.Parallel()
		r := call(t, srv.URL, good, `{ me { id email } }`, nil)
		if r.Status != http.StatusOK {
			t.Errorf("status %d", r.Status)
		}
		wantErrors(t, r.Errors, nil)
		wantJSON(t, r.Data, `{"me":{"id":"gid://shopgraph/User/3","email":"`+user3Email+`"}}`)
	})

	t.Run("no token reads the public profile", func(t *testing.T) {
		t.Parallel()
		r := call(t, srv.URL, "", `{ user(id: "gid://shopgraph/User/1") { id name } me { id } }`, nil)
		if r.Status != http.StatusOK {
			t.Errorf("status %d", r.Status)
		}
		wantErrors(t, r.Errors, nil)
		wantJSON(t, r.Data, `{"user":{"id":"gid://shopgraph/User/1","name":"Emma Thompson"},"me":null}`)
	})
}

func TestSignInPayload(t *testing.T) {
	t.Parallel()
	srv, issuer := newServerWithIssuer(t)
	const demo, demoPW = "demo@shopgraph.dev", "Lantern-Harbor-42"
	const adminEmail, adminPW = "admin@shopgraph.dev", "Granite-Orchard-97"

	t.Run("shows the signed-in user's own fields without a token", func(t *testing.T) {
		r := call(t, srv.URL, "", `mutation($in: SignInInput!) { signIn(input: $in) { user { id email role addresses { id } } tokens { accessToken tokenType } userErrors { code } } }`,
			map[string]any{"in": map[string]any{"email": " Demo@ShopGraph.dev ", "password": demoPW}})
		wantErrors(t, r.Errors, nil)
		var data struct {
			SignIn struct {
				User   json.RawMessage
				Tokens struct{ AccessToken, TokenType string }
			}
		}
		decode(t, r, &data)
		wantJSON(t, data.SignIn.User, `{"id":"gid://shopgraph/User/1","email":"`+demo+`","role":"CUSTOMER","addresses":[]}`)
		if data.SignIn.Tokens.TokenType != "Bearer" {
			t.Errorf("tokenType %q", data.SignIn.Tokens.TokenType)
		}
		// The new access token is the demo user's.
		me := call(t, srv.URL, data.SignIn.Tokens.AccessToken, `{ me { id email } }`, nil)
		wantErrors(t, me.Errors, nil)
		wantJSON(t, me.Data, `{"me":{"id":"gid://shopgraph/User/1","email":"`+demo+`"}}`)
	})

	t.Run("a failed sign-in beside a good one shows nobody else", func(t *testing.T) {
		r := call(t, srv.URL, "", `mutation($good: SignInInput!, $bad: SignInInput!, $unknown: SignInInput!) {
			good: signIn(input: $good) { `+authFields+` }
			bad: signIn(input: $bad) { `+authFields+` }
			unknown: signIn(input: $unknown) { `+authFields+` }
		}`, map[string]any{
			"good":    map[string]any{"email": demo, "password": demoPW},
			"bad":     map[string]any{"email": adminEmail, "password": demoPW},
			"unknown": map[string]any{"email": "nobody@example.com", "password": demoPW},
		})
		wantErrors(t, r.Errors, nil)
		var data map[string]authPayload
		decode(t, r, &data)
		if g := data["good"]; g.User == nil || g.User.Email == nil || *g.User.Email != demo || g.Tokens == nil {
			t.Errorf("good: %+v", g)
		}
		for _, k := range []string{"bad", "unknown"} {
			p := data[k]
			if p.User != nil || p.Tokens != nil {
				t.Errorf("%s: user %+v tokens %+v, want none", k, p.User, p.Tokens)
			}
			wantUserErrors(t, p.UserErrors, "INVALID_CREDENTIALS@")
		}
		if string(r.Data) != "" && strings.Contains(string(r.Data), adminEmail) {
			t.Errorf("the admin's email leaked: %s", r.Data)
		}
	})

	t.Run("a token of another user does not change whose fields show", func(t *testing.T) {
		// Signed in as user 3, the request signs in as the admin: the payload
		// is the admin's, shown because the password proved it, and user 3's
		// token still reads only user 3.
		tok := tokenFor(t, issuer, 3, "CUSTOMER")
		r := call(t, srv.URL, tok, `mutation($in: SignInInput!) { signIn(input: $in) { user { id email role } } }`,
			map[string]any{"in": map[string]any{"email": adminEmail, "password": adminPW}})
		wantErrors(t, r.Errors, nil)
		wantJSON(t, r.Data, `{"signIn":{"user":{"id":"gid://shopgraph/User/2","email":"`+adminEmail+`","role":"ADMIN"}}}`)
		r = call(t, srv.URL, tok, `{ user(id: "gid://shopgraph/User/2") { email } }`, nil)
		wantErrors(t, r.Errors, map[string]string{"user.email": "FORBIDDEN"})
	})

	t.Run("signUp with a taken email shows no user", func(t *testing.T) {
		r := call(t, srv.URL, "", `mutation($in: SignUpInput!) { signUp(input: $in) { `+authFields+` } }`,
			map[string]any{"in": map[string]any{"email": "ADMIN@shopgraph.dev", "name": "Mallory Cole", "password": "Quiet-Meadow-3141"}})
		wantErrors(t, r.Errors, nil)
		var data struct{ SignUp authPayload }
		decode(t, r, &data)
		if data.SignUp.User != nil || data.SignUp.Tokens != nil {
			t.Errorf("payload %+v", data.SignUp)
		}
		wantUserErrors(t, data.SignUp.UserErrors, "EMAIL_TAKEN@input.email")
	})

	t.Run("refreshToken shows the session's own user", func(t *testing.T) {
		p := signIn(t, srv.URL, demo, demoPW)
		if p.Tokens == nil {
			t.Fatalf("signIn: %+v", p.UserErrors)
		}
		r := call(t, srv.URL, "", `mutation($t: String!) { refreshToken(refreshToken: $t) { `+authFields+` } }`,
			map[string]any{"t": p.Tokens.RefreshToken})
		wantErrors(t, r.Errors, nil)
		var data struct{ RefreshToken authPayload }
		decode(t, r, &data)
		if u := data.RefreshToken.User; u == nil || u.Email == nil || *u.Email != demo || data.RefreshToken.Tokens == nil {
			t.Errorf("refresh: %+v", data.RefreshToken)
		}
	})
}
