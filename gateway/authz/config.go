package authz

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Config configures how the router decides @policy requirements. The router
// has no policy engine: each policy name the supergraph uses is satisfied by
// one JWT claim holding one value. A policy the config does not name is never
// satisfied, so a field behind it is served to nobody until it is configured.
type Config struct {
	// Policies maps a policy name (as written in @policy) to the claim that
	// grants it.
	Policies map[string]PolicyRule `yaml:"policies" help:"per @policy name, the JWT claim and value that satisfy it"`
}

// PolicyRule grants a policy to a request whose verified token has Claim
// holding Value: a string claim equal to Value or whose space-separated words
// include it, a list claim with Value among its elements, or a boolean or
// number whose JSON text is Value ("true", "42").
type PolicyRule struct {
	Claim string `yaml:"claim"`
	Value string `yaml:"value"`
}

// Validate names every bad policy rule; prefix is the config path of Config
// ("config: authorization").
func (c Config) Validate(prefix string) error {
	var errs []error
	names := make([]string, 0, len(c.Policies))
	for name := range c.Policies {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		r := c.Policies[name]
		switch {
		case strings.TrimSpace(name) == "":
			errs = append(errs, fmt.Errorf("%s.policies: a policy has an empty name", prefix))
		case r.Claim == "":
			errs = append(errs, fmt.Errorf("%s.policies.%s.claim is empty: name the JWT claim that grants policy %q", prefix, name, name))
		}
		if r.Value == "" {
			errs = append(errs, fmt.Errorf("%s.policies.%s.value is empty: give the claim value that grants policy %q", prefix, name, name))
		}
	}
	return errors.Join(errs...)
}

// satisfied reports whether claims grant the rule.
func (r PolicyRule) satisfied(claims map[string]any) bool {
	switch v := claims[r.Claim].(type) {
	case string:
		return v == r.Value || slices.Contains(strings.Fields(v), r.Value)
	case []any:
		for _, e := range v {
			if s, ok := e.(string); ok && s == r.Value {
				return true
			}
		}
	case []string:
		return slices.Contains(v, r.Value)
	case bool:
		return strconv.FormatBool(v) == r.Value
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64) == r.Value
	case fmt.Stringer: // json.Number
		return v.String() == r.Value
	}
	return false
}
