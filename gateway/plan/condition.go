package plan

import "strings"

// Condition is a plan node that runs If when the Boolean variable Variable is
// true and Else when it is false; either branch may be nil. The planner puts a
// fetch under Condition nodes when every field it serves sits under
// @skip/@include on those variables, so that one plan serves every value.
type Condition struct {
	Variable string
	If       Node
	Else     Node
}

func (*Condition) node() {}

// Branch returns the branch that runs for the coerced variables vars.
func (c *Condition) Branch(vars map[string]any) Node {
	if b, _ := vars[c.Variable].(bool); b {
		return c.If
	}
	return c.Else
}

// FieldCondition is an @include (Include true) or @skip (Include false) whose
// argument is the variable Variable.
type FieldCondition struct {
	Variable string
	Include  bool
}

// Conditions are @skip/@include conditions on variables that must all hold.
type Conditions []FieldCondition

// Hold reports whether every condition holds for the coerced variables vars.
func (cs Conditions) Hold(vars map[string]any) bool {
	for _, c := range cs {
		if b, _ := vars[c.Variable].(bool); b != c.Include {
			return false
		}
	}
	return true
}

func (cs Conditions) has(c FieldCondition) bool {
	for _, x := range cs {
		if x == c {
			return true
		}
	}
	return false
}

// and returns the conditions of cs and o, without repeats; it shares cs when o
// adds nothing.
func (cs Conditions) and(o Conditions) Conditions {
	out := cs
	copied := false
	for _, c := range o {
		if out.has(c) {
			continue
		}
		if !copied {
			out = append(Conditions(nil), out...)
			copied = true
		}
		out = append(out, c)
	}
	return out
}

// intersect returns the conditions that cs and o both have.
func (cs Conditions) intersect(o Conditions) Conditions {
	var out Conditions
	for _, c := range cs {
		if o.has(c) {
			out = append(out, c)
		}
	}
	return out
}

// same reports whether cs and o hold the same conditions, in any order.
func (cs Conditions) same(o Conditions) bool {
	if len(cs) != len(o) {
		return false
	}
	for _, c := range cs {
		if !o.has(c) {
			return false
		}
	}
	return true
}

// write prints the conditions as directives, " @include(if:$v)" or " @skip(if:$v)".
func (cs Conditions) write(b *strings.Builder) {
	for _, c := range cs {
		if c.Include {
			b.WriteString(" @include(if:$" + c.Variable + ")")
		} else {
			b.WriteString(" @skip(if:$" + c.Variable + ")")
		}
	}
}

// split returns at most one @include and one @skip to write on a field, and
// the other conditions, which a location cannot repeat: they are written as
// inline fragments around it.
func (cs Conditions) split() (onField, around Conditions) {
	var inc, skip bool
	for _, c := range cs {
		switch {
		case c.Include && !inc:
			inc = true
			onField = append(onField, c)
		case !c.Include && !skip:
			skip = true
			onField = append(onField, c)
		default:
			around = append(around, c)
		}
	}
	return onField, around
}

// wrap puts n under a Condition node per condition, outermost first.
func (cs Conditions) wrap(n Node) Node {
	for i := len(cs) - 1; i >= 0; i-- {
		c := cs[i]
		if c.Include {
			n = &Condition{Variable: c.Variable, If: n}
		} else {
			n = &Condition{Variable: c.Variable, Else: n}
		}
	}
	return n
}

// wrapAny puts n under Condition nodes so that it runs when any of the
// conjunctions alts holds. One conjunction is a chain of Condition nodes; for
// several, n appears in each branch where one of them holds, which the
// executor reaches at most once for given variables.
func wrapAny(alts []Conditions, n Node) Node {
	if len(alts) == 1 {
		return alts[0].wrap(n)
	}
	if d := decide(alts, n); d != nil {
		return d
	}
	// No conjunction can hold (each has @include and @skip on one variable):
	// any of them keeps n from running.
	return alts[0].wrap(n)
}

// decide builds a decision tree on the variables of alts that reaches n when
// some conjunction of alts holds, and nil when none can.
func decide(alts []Conditions, n Node) Node {
	if len(alts) == 0 {
		return nil
	}
	for _, a := range alts {
		if len(a) == 0 {
			return n
		}
	}
	v := alts[0][0].Variable
	restrict := func(val bool) []Conditions {
		var out []Conditions
		for _, a := range alts {
			var rest Conditions
			ok := true
			for _, c := range a {
				switch {
				case c.Variable != v:
					rest = append(rest, c)
				case c.Include != val:
					ok = false
				}
			}
			if ok {
				out = append(out, rest)
			}
		}
		return out
	}
	c := &Condition{Variable: v, If: decide(restrict(true), n), Else: decide(restrict(false), n)}
	if c.If == nil && c.Else == nil {
		return nil
	}
	return c
}
