package persisted

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/lexer"
	"github.com/vektah/gqlparser/v2/parser"
)

// apolloFormat is the "format" of Apollo's persisted query manifest.
const apolloFormat = "apollo-persisted-query-manifest"

// manifest is a loaded trusted-documents list. It is never changed after
// loading: a reload builds a new one and swaps the pointer.
type manifest struct {
	// byID maps each id as the manifest spells it to its body.
	byID map[string]string
	// byHash maps sha256(body) to body, so that an APQ hash or a
	// "sha256:<hex>" document id finds a body of a Relay-style manifest too,
	// and query text is matched exactly without parsing it.
	byHash map[string]string
	// normalized holds every body normalized (see normalize), so that text
	// that differs from a trusted document only in ignored characters or in
	// the order of its definitions still matches, as Apollo's safelist does.
	normalized map[string]bool
}

// apolloManifest is the JSON shape of Apollo's persisted query manifest.
type apolloManifest struct {
	Format     string           `json:"format"`
	Version    int              `json:"version"`
	Operations []apolloDocument `json:"operations"`
}

type apolloDocument struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Type string `json:"type"`
	Body string `json:"body"`
}

// loadManifest reads and validates the manifest at path.
func loadManifest(path string) (*manifest, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("persisted: read manifest: %w", err)
	}
	m, err := parseManifest(data)
	if err != nil {
		return nil, fmt.Errorf("persisted: manifest %s%w", path, err)
	}
	return m, nil
}

// parseManifest accepts Apollo's format ({"format": ..., "operations": [...]})
// and a Relay-style object of id -> body. Its errors start with ":" and a
// position or ": " and a location, to follow the file name.
func parseManifest(data []byte) (*manifest, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		return nil, jsonError(data, err)
	}
	if top == nil {
		return nil, errors.New(": the manifest is null, expected an object")
	}
	_, hasFormat := top["format"]
	_, hasOperations := top["operations"]
	if hasFormat || hasOperations {
		return parseApollo(data)
	}
	return parseRelay(data)
}

func parseApollo(data []byte) (*manifest, error) {
	// Fields Apollo may add (clientName, ...) are ignored.
	var am apolloManifest
	if err := json.Unmarshal(data, &am); err != nil {
		return nil, jsonError(data, err)
	}
	if am.Format != apolloFormat {
		return nil, fmt.Errorf(": format is %q, expected %q", am.Format, apolloFormat)
	}
	if am.Version != 1 {
		return nil, fmt.Errorf(": version is %d, expected 1", am.Version)
	}
	m := newManifest()
	for i, op := range am.Operations {
		where := fmt.Sprintf("operations[%d]", i)
		if op.Name != "" {
			where += fmt.Sprintf(" (%s)", op.Name)
		}
		if op.ID == "" {
			return nil, fmt.Errorf(": %s: id is missing", where)
		}
		if op.Body == "" {
			return nil, fmt.Errorf(": %s: body is missing", where)
		}
		switch op.Type {
		case "", "query", "mutation", "subscription":
		default:
			return nil, fmt.Errorf(": %s: type is %q, expected query, mutation or subscription", where, op.Type)
		}
		if want := hashOf(op.Body); strings.ToLower(op.ID) != want {
			return nil, fmt.Errorf(": %s: id %s is not the sha256 of its body, which is %s", where, op.ID, want)
		}
		id := strings.ToLower(op.ID)
		if _, ok := m.byID[id]; ok {
			// The same id is the same body here, ids being hashes: a
			// repeated entry, as merged client manifests have.
			continue
		}
		if err := m.add(id, op.Body); err != nil {
			return nil, fmt.Errorf(": %s: %w", where, err)
		}
	}
	return m, nil
}

func parseRelay(data []byte) (*manifest, error) {
	// Decode key by key to keep duplicate keys, which a map would merge.
	dec := json.NewDecoder(bytes.NewReader(data))
	if _, err := dec.Token(); err != nil { // '{', checked by parseManifest
		return nil, jsonError(data, err)
	}
	m := newManifest()
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, jsonError(data, err)
		}
		id := tok.(string) // object keys are strings
		var body string
		start := dec.InputOffset()
		if err := dec.Decode(&body); err != nil {
			var typ *json.UnmarshalTypeError
			if errors.As(err, &typ) {
				// The decoder counts this error's offset from the value's start.
				line, col := position(data, valueStart(data, start)+1)
				return nil, fmt.Errorf(":%d:%d: document %q: the body must be a string of GraphQL, got %s", line, col, id, typ.Value)
			}
			return nil, jsonError(data, err)
		}
		switch {
		case id == "":
			return nil, errors.New(": a document has an empty id")
		case body == "":
			return nil, fmt.Errorf(": document %q: body is empty", id)
		}
		if prev, ok := m.byID[id]; ok {
			if prev != body {
				return nil, fmt.Errorf(": document %q appears twice with different bodies", id)
			}
			continue
		}
		if err := m.add(id, body); err != nil {
			return nil, fmt.Errorf(": document %q: %w", id, err)
		}
	}
	return m, nil
}

func newManifest() *manifest {
	return &manifest{byID: map[string]string{}, byHash: map[string]string{}, normalized: map[string]bool{}}
}

// add records one trusted document; its body must be a GraphQL document.
func (m *manifest) add(id, body string) error {
	if _, err := parser.ParseQuery(&ast.Source{Input: body}); err != nil {
		return fmt.Errorf("body is not a GraphQL document: %w", err)
	}
	norm, err := normalize(body)
	if err != nil {
		return fmt.Errorf("body is not a GraphQL document: %w", err)
	}
	m.byID[id] = body
	m.byHash[hashOf(body)] = body
	m.normalized[norm] = true
	return nil
}

// lookupID finds a document by the id a client sent: the manifest's own id,
// or "sha256:<hex>" (the GraphQL-over-HTTP persisted documents form) or a
// bare sha256 hex for the body's hash.
func (m *manifest) lookupID(id string) (string, bool) {
	if body, ok := m.byID[id]; ok {
		return body, true
	}
	hex := strings.ToLower(strings.TrimPrefix(id, "sha256:"))
	if isHash(hex) {
		body, ok := m.byHash[hex]
		return body, ok
	}
	return "", false
}

// contains reports whether query text is a trusted document: exactly (by its
// hash, known or computed) or once normalized.
func (m *manifest) contains(query, hash string) bool {
	if hash == "" {
		hash = hashOf(query)
	}
	if _, ok := m.byHash[hash]; ok {
		return true
	}
	norm, err := normalize(query)
	return err == nil && m.normalized[norm]
}

// normalize reduces a document to its tokens, without comments, commas or
// whitespace, one line per top-level definition with the lines sorted:
// clients put definitions in an order that is hard to know at build time,
// and ignored characters do not change what runs. Every other token is
// kept, so two documents normalize alike only if they say the same thing
// (a printer that drops what it does not know, such as directives on
// variables, would let a changed document pass as trusted). A string and a
// block string with the same value are the same token.
func normalize(query string) (string, error) {
	lex := lexer.New(&ast.Source{Input: query})
	var defs []string
	var def strings.Builder
	depth := 0
	for {
		tok, err := lex.ReadToken()
		if err != nil {
			return "", err
		}
		switch tok.Kind {
		case lexer.EOF:
			if depth != 0 || def.Len() > 0 {
				return "", errors.New("the document ends inside a definition")
			}
			sort.Strings(defs)
			return strings.Join(defs, "\n"), nil
		case lexer.Comment:
			continue
		case lexer.BraceL, lexer.ParenL, lexer.BracketL:
			depth++
		case lexer.BraceR, lexer.ParenR, lexer.BracketR:
			depth--
			if depth < 0 {
				return "", fmt.Errorf("unbalanced %s at line %d", tok.Kind, tok.Pos.Line)
			}
		}
		if def.Len() > 0 {
			def.WriteByte(' ')
		}
		switch tok.Kind {
		case lexer.Name, lexer.Int, lexer.Float:
			def.WriteString(tok.Value)
		case lexer.String, lexer.BlockString:
			def.WriteString(strconv.Quote(tok.Value))
		default:
			def.WriteString(tok.Kind.String())
		}
		// A definition ends with the selection set that closes at depth 0.
		if tok.Kind == lexer.BraceR && depth == 0 {
			defs = append(defs, def.String())
			def.Reset()
		}
	}
}

// jsonError words a JSON error with the line and column it happened at.
func jsonError(data []byte, err error) error {
	var offset int64 = -1
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		offset = syn.Offset
	case errors.As(err, &typ):
		// Worded by JSON kinds and fields, not by Go types.
		line, col := position(data, typ.Offset)
		field := typ.Field
		if field == "" {
			field = "the manifest"
		}
		return fmt.Errorf(":%d:%d: %s must be %s, got %s", line, col, field, jsonKindOf(typ.Type), typ.Value)
	case errors.Is(err, io.ErrUnexpectedEOF):
		offset = int64(len(data)) + 1
	}
	if offset < 0 {
		return fmt.Errorf(": %w", err)
	}
	line, col := position(data, offset)
	return fmt.Errorf(":%d:%d: %w", line, col, err)
}

// valueStart returns the offset of the first byte of the value that
// follows offset, past whitespace and the key's colon.
func valueStart(data []byte, offset int64) int64 {
	for offset < int64(len(data)) && strings.IndexByte(" \t\r\n:", data[offset]) >= 0 {
		offset++
	}
	return offset
}

// jsonKindOf names the JSON kind that decodes into t.
func jsonKindOf(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.String:
		return "a string"
	case reflect.Int, reflect.Int64, reflect.Float64:
		return "a number"
	case reflect.Bool:
		return "a boolean"
	default:
		return "an object"
	}
}

// position turns the offset of a JSON error ("after reading offset bytes")
// into the 1-based line and column of the byte it stopped at.
func position(data []byte, offset int64) (line, col int) {
	p := int(min(max(offset-1, 0), int64(len(data))))
	before := data[:p]
	line = bytes.Count(before, []byte("\n")) + 1
	col = p - bytes.LastIndexByte(before, '\n')
	return line, col
}
