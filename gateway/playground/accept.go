package playground

import (
	"net/http"
	"strconv"
	"strings"
)

// WantsPage reports whether r is a browser navigating to the GraphQL endpoint,
// which then gets the playground rather than a GraphQL error: a GET or HEAD
// without a query parameter whose Accept prefers text/html (or XHTML) to the
// JSON media types, by q-value and, at equal q, by order. curl's "*/*", a
// GraphQL client's JSON types and any request with ?query= get GraphQL.
func WantsPage(r *http.Request) bool {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return false
	}
	if r.URL.Query().Has("query") {
		return false
	}
	htmlQ, jsonQ := -1.0, -1.0
	htmlAt, jsonAt := -1, -1
	i := 0
	for _, v := range r.Header.Values("Accept") {
		for _, part := range strings.Split(v, ",") {
			mt, q := mediaRangeQ(part)
			switch mt {
			case "text/html", "application/xhtml+xml":
				if q > htmlQ {
					htmlQ, htmlAt = q, i
				}
			case "application/json", "application/graphql-response+json":
				if q > jsonQ {
					jsonQ, jsonAt = q, i
				}
			}
			i++
		}
	}
	if htmlQ <= 0 {
		return false
	}
	return htmlQ > jsonQ || (htmlQ == jsonQ && htmlAt < jsonAt)
}

// mediaRangeQ splits one element of an Accept or Accept-Encoding list into its
// lower-cased value and its q-value (1 when absent, 0 when malformed, so that a
// garbled preference never wins).
func mediaRangeQ(part string) (string, float64) {
	value, params, _ := strings.Cut(part, ";")
	value = strings.ToLower(strings.TrimSpace(value))
	q := 1.0
	for _, p := range strings.Split(params, ";") {
		k, v, ok := strings.Cut(p, "=")
		if !ok || !strings.EqualFold(strings.TrimSpace(k), "q") {
			continue
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil || f < 0 || f > 1 {
			f = 0
		}
		q = f
	}
	return value, q
}
