package authz

import (
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"
)

func named(name string) *ast.Type     { return ast.NamedType(name, nil) }
func nonNull(name string) *ast.Type   { return ast.NonNullNamedType(name, nil) }
func list(elem *ast.Type) *ast.Type   { return ast.ListType(elem, nil) }
func nnList(elem *ast.Type) *ast.Type { return ast.NonNullListType(elem, nil) }

func TestComplete(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		removed []Removal
		body    string
		want    string
	}{
		{
			"null put back in the client's order, error added",
			[]Removal{{Steps: []Step{{Key: "b", Type: named("String")}}, After: "a"}},
			`{"data":{"a":1,"c":2}}`,
			`{"data":{"a":1,"b":null,"c":2},"errors":[{"message":"Unauthorized field or type","path":["b"],"extensions":{"code":"UNAUTHORIZED_FIELD_OR_TYPE"}}]}`,
		},
		{
			"first field; per list item; errors before the subgraphs' own",
			[]Removal{{Steps: []Step{{Key: "l", Type: list(named("T"))}, {Key: "x", Type: named("Int")}}}},
			`{"data":{"l":[{"y":1},null,{"y":2}]},"errors":[{"message":"boom"}]}`,
			`{"data":{"l":[{"x":null,"y":1},null,{"x":null,"y":2}]},"errors":[{"message":"Unauthorized field or type","path":["l",0,"x"],"extensions":{"code":"UNAUTHORIZED_FIELD_OR_TYPE"}},{"message":"Unauthorized field or type","path":["l",2,"x"],"extensions":{"code":"UNAUTHORIZED_FIELD_OR_TYPE"}},{"message":"boom"}]}`,
		},
		{
			"non-null bubbles through a non-null item to the nullable list",
			[]Removal{{Steps: []Step{{Key: "l", Type: list(nonNull("T"))}, {Key: "x", Type: nonNull("Int")}}}},
			`{"data":{"l":[{"y":1}],"z":true}}`,
			`{"data":{"l":null,"z":true},"errors":[{"message":"Unauthorized field or type","path":["l",0,"x"],"extensions":{"code":"UNAUTHORIZED_FIELD_OR_TYPE"}}]}`,
		},
		{
			"non-null all the way: data is null",
			[]Removal{{Steps: []Step{{Key: "l", Type: nnList(nonNull("T"))}, {Key: "x", Type: nonNull("Int")}}}},
			`{"data":{"l":[{"y":1}]}}`,
			`{"data":null,"errors":[{"message":"Unauthorized field or type","path":["l",0,"x"],"extensions":{"code":"UNAUTHORIZED_FIELD_OR_TYPE"}}]}`,
		},
		{
			"narrowed to one type; the filter's __typename is taken out",
			[]Removal{{Steps: []Step{{Key: "n", Type: list(named("Node"))}, {Key: "label", Type: named("String"), On: "Vault"}}, After: "id"}},
			`{"data":{"n":[{"id":"1","_authzTypename":"Shelf"},{"id":"2","_authzTypename":"Vault"}]}}`,
			`{"data":{"n":[{"id":"1"},{"id":"2","label":null}]},"errors":[{"message":"Unauthorized field or type","path":["n",1,"label"],"extensions":{"code":"UNAUTHORIZED_FIELD_OR_TYPE"}}]}`,
		},
		{
			"removed fragment: an error per object of its type",
			[]Removal{{Steps: []Step{{Key: "s", Type: list(named("Result"))}}, Fragment: "Audit"}},
			`{"data":{"s":[{"id":"1","_authzTypename":"Shelf"},{"_authzTypename":"Audit"}]}}`,
			`{"data":{"s":[{"id":"1"},{}]},"errors":[{"message":"Unauthorized field or type","path":["s",1],"extensions":{"code":"UNAUTHORIZED_FIELD_OR_TYPE"}}]}`,
		},
		{
			"data already null: nothing to put back",
			[]Removal{{Steps: []Step{{Key: "a", Type: named("Int")}}}},
			`{"data":null,"errors":[{"message":"boom"}]}`,
			`{"data":null,"errors":[{"message":"boom"}]}`,
		},
		{
			"the bare __typename of an emptied operation is taken out",
			[]Removal{{Steps: []Step{{Key: "me", Type: named("User")}}}},
			`{"data":{"_authzTypename":"Query"}}`,
			`{"data":{"me":null},"errors":[{"message":"Unauthorized field or type","path":["me"],"extensions":{"code":"UNAUTHORIZED_FIELD_OR_TYPE"}}]}`,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := (&Result{Removed: tc.removed}).Complete([]byte(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Errorf("\n got %s\nwant %s", got, tc.want)
			}
		})
	}
}

func TestCompleteKeepsValues(t *testing.T) {
	t.Parallel()
	body := `{"data":{"s":"a \"q\" <b> \u00e9","n":-1.5e3,"t":true,"f":false,"z":null,"o":{},"l":[]},"extensions":{"k":1}}`
	got, err := (&Result{Removed: []Removal{{Steps: []Step{{Key: "x", Type: named("Int")}}, After: "l"}}}).Complete([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"n":-1.5e3`, `"t":true,"f":false,"z":null,"o":{},"l":[],"x":null`, `"extensions":{"k":1}`, `"s":"a \"q\" \u003cb\u003e é"`} {
		if !strings.Contains(string(got), want) {
			t.Errorf("%s lacks %s", got, want)
		}
	}
	if _, err := (&Result{Removed: []Removal{{}}}).Complete([]byte(`{"data":`)); err == nil {
		t.Error("a truncated body completed without error")
	}
}

func TestConfig(t *testing.T) {
	t.Parallel()
	err := Config{Policies: map[string]PolicyRule{"ok": {Claim: "role", Value: "A"}, "noclaim": {Value: "A"}, "novalue": {Claim: "role"}}}.Validate("config: authorization")
	if err == nil {
		t.Fatal("bad policies validated")
	}
	for _, want := range []string{"config: authorization.policies.noclaim.claim is empty", "config: authorization.policies.novalue.value is empty"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%v lacks %q", err, want)
		}
	}
	if strings.Contains(err.Error(), ".ok.") {
		t.Errorf("a good rule is reported: %v", err)
	}
	claims := map[string]any{"role": "BILLING", "scope": "a b", "groups": []any{"x", "staff"}, "admin": true, "level": 3.0}
	for _, tc := range []struct {
		rule PolicyRule
		want bool
	}{
		{PolicyRule{"role", "BILLING"}, true},
		{PolicyRule{"role", "BILL"}, false},
		{PolicyRule{"scope", "b"}, true},
		{PolicyRule{"groups", "staff"}, true},
		{PolicyRule{"groups", "admin"}, false},
		{PolicyRule{"admin", "true"}, true},
		{PolicyRule{"level", "3"}, true},
		{PolicyRule{"missing", "x"}, false},
	} {
		if got := tc.rule.satisfied(claims); got != tc.want {
			t.Errorf("%+v satisfied = %t, want %t", tc.rule, got, tc.want)
		}
	}
}
