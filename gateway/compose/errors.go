package compose

import (
	"fmt"
	"sort"
	"strings"
)

// Codes name the composition rule an Error breaks. They are the codes the Federation
// v2 reference composer uses, so that an error can be looked up in its documentation.
const (
	CodeInvalidGraphQL                   = "INVALID_GRAPHQL"
	CodeInvalidSubgraphName              = "INVALID_SUBGRAPH_NAME"
	CodeTypeKindMismatch                 = "TYPE_KIND_MISMATCH"
	CodeFieldTypeMismatch                = "FIELD_TYPE_MISMATCH"
	CodeFieldArgumentTypeMismatch        = "FIELD_ARGUMENT_TYPE_MISMATCH"
	CodeFieldArgumentDefaultMismatch     = "FIELD_ARGUMENT_DEFAULT_MISMATCH"
	CodeInputFieldDefaultMismatch        = "INPUT_FIELD_DEFAULT_MISMATCH"
	CodeRequiredArgumentMissing          = "REQUIRED_ARGUMENT_MISSING_IN_SOME_SUBGRAPH"
	CodeRequiredInputFieldMissing        = "REQUIRED_INPUT_FIELD_MISSING_IN_SOME_SUBGRAPH"
	CodeEmptyMergedInputType             = "EMPTY_MERGED_INPUT_TYPE"
	CodeEmptyMergedEnumType              = "EMPTY_MERGED_ENUM_TYPE"
	CodeEnumValueMismatch                = "ENUM_VALUE_MISMATCH"
	CodeInvalidFieldSharing              = "INVALID_FIELD_SHARING"
	CodeExternalMissingOnBase            = "EXTERNAL_MISSING_ON_BASE"
	CodeExternalTypeMismatch             = "EXTERNAL_TYPE_MISMATCH"
	CodeExternalUnused                   = "EXTERNAL_UNUSED"
	CodeExtensionWithNoBase              = "EXTENSION_WITH_NO_BASE"
	CodeKeyInvalidFields                 = "KEY_INVALID_FIELDS"
	CodeKeyFieldsHasArgs                 = "KEY_FIELDS_HAS_ARGS"
	CodeKeyFieldsSelectInvalidType       = "KEY_FIELDS_SELECT_INVALID_TYPE"
	CodeRequiresInvalidFields            = "REQUIRES_INVALID_FIELDS"
	CodeRequiresFieldsMissingExternal    = "REQUIRES_FIELDS_MISSING_EXTERNAL"
	CodeRequiresUnsupportedOnInterface   = "REQUIRES_UNSUPPORTED_ON_INTERFACE"
	CodeProvidesInvalidFields            = "PROVIDES_INVALID_FIELDS"
	CodeProvidesFieldsMissingExternal    = "PROVIDES_FIELDS_MISSING_EXTERNAL"
	CodeProvidesOnNonObjectField         = "PROVIDES_ON_NON_OBJECT_FIELD"
	CodeProvidesUnsupportedOnInterface   = "PROVIDES_UNSUPPORTED_ON_INTERFACE"
	CodeOverrideFromSelf                 = "OVERRIDE_FROM_SELF_ERROR"
	CodeOverrideSourceHasOverride        = "OVERRIDE_SOURCE_HAS_OVERRIDE"
	CodeOverrideCollision                = "OVERRIDE_COLLISION_WITH_ANOTHER_DIRECTIVE"
	CodeOverrideOnInterface              = "OVERRIDE_ON_INTERFACE"
	CodeOverrideLabelInvalid             = "OVERRIDE_LABEL_INVALID"
	CodeInterfaceFieldNoImplem           = "INTERFACE_FIELD_NO_IMPLEM"
	CodeInterfaceKeyNotOnImplementation  = "INTERFACE_KEY_NOT_ON_IMPLEMENTATION"
	CodeInterfaceKeyMissingImplementType = "INTERFACE_KEY_MISSING_IMPLEMENTATION_TYPE"
	CodeInterfaceObjectUsageError        = "INTERFACE_OBJECT_USAGE_ERROR"
	CodeReferencedInaccessible           = "REFERENCED_INACCESSIBLE"
	CodeRequiredInaccessible             = "REQUIRED_INACCESSIBLE"
	CodeOnlyInaccessibleChildren         = "ONLY_INACCESSIBLE_CHILDREN"
	CodeImplementedByInaccessible        = "IMPLEMENTED_BY_INACCESSIBLE"
	CodeQueryRootTypeInaccessible        = "QUERY_ROOT_TYPE_INACCESSIBLE"
	CodeDirectiveCompositionError        = "DIRECTIVE_COMPOSITION_ERROR"
	CodeDirectiveDefinitionInvalid       = "DIRECTIVE_DEFINITION_INVALID"
	CodeNoQueries                        = "NO_QUERIES"
	CodeInvalidTagName                   = "INVALID_TAG_NAME"
	CodeSatisfiability                   = "SATISFIABILITY_ERROR"
)

// Location is a position in a subgraph's SDL.
type Location struct {
	Line   int `json:"line"`
	Column int `json:"column"`
}

// Error is one composition error.
type Error struct {
	// Code names the broken rule, e.g. FIELD_TYPE_MISMATCH (see the Code constants).
	Code string
	// Subgraph is the subgraph at fault, when one is; the first of Subgraphs.
	Subgraph string
	// Subgraphs lists every subgraph involved, sorted.
	Subgraphs []string
	// Coordinate is the schema coordinate at fault, e.g. "Product.price".
	Coordinate string
	Message    string
	Locations  []Location
}

// Error formats the error as "CODE [subgraphs] Coordinate: message (at line:col)".
func (e *Error) Error() string {
	var b strings.Builder
	if e.Code != "" {
		b.WriteString(e.Code)
		b.WriteString(" ")
	}
	switch {
	case len(e.Subgraphs) > 0:
		fmt.Fprintf(&b, "[%s] ", strings.Join(e.Subgraphs, ", "))
	case e.Subgraph != "":
		fmt.Fprintf(&b, "[%s] ", e.Subgraph)
	}
	if e.Coordinate != "" {
		b.WriteString(e.Coordinate)
		b.WriteString(": ")
	}
	b.WriteString(e.Message)
	for i, l := range e.Locations {
		if i == 0 {
			b.WriteString(" (at ")
		} else {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%d:%d", l.Line, l.Column)
		if i == len(e.Locations)-1 {
			b.WriteString(")")
		}
	}
	return b.String()
}

// Errors is the list of errors a failed composition reports, all of them at once.
type Errors []*Error

// Error joins the messages one per line.
func (es Errors) Error() string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = e.Error()
	}
	return "composition failed:\n" + strings.Join(parts, "\n")
}

// newError builds an Error; subgraphs are de-duplicated and sorted.
func newError(code, coord string, subgraphs []string, format string, args ...any) *Error {
	sgs := dedupSorted(subgraphs)
	e := &Error{Code: code, Coordinate: coord, Subgraphs: sgs, Message: fmt.Sprintf(format, args...)}
	if len(sgs) > 0 {
		e.Subgraph = sgs[0]
	}
	return e
}

func dedupSorted(in []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range in {
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}

// sortErrors orders errors by code, coordinate and subgraphs so output is stable.
func sortErrors(es Errors) {
	sort.SliceStable(es, func(i, j int) bool {
		a, b := es[i], es[j]
		if a.Subgraph != b.Subgraph {
			return a.Subgraph < b.Subgraph
		}
		if a.Coordinate != b.Coordinate {
			return a.Coordinate < b.Coordinate
		}
		if a.Code != b.Code {
			return a.Code < b.Code
		}
		return a.Message < b.Message
	})
}
