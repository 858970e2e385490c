package gqlserve_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/shopgraph/shopgraph/internal/gqlserve"
)

type counter struct{ n int }

func TestPerRequestGivesEachRequestItsOwnValue(t *testing.T) {
	t.Parallel()
	made := 0
	newCounter := func() *counter { made++; return &counter{} }
	var seen []*counter
	h := gqlserve.PerRequest(newCounter, http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		a := gqlserve.FromRequest(r.Context(), newCounter)
		b := gqlserve.FromRequest(r.Context(), newCounter)
		if a != b {
			t.Error("FromRequest gave two values within one request")
		}
		seen = append(seen, a)
	}))
	for range 2 {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
	}
	if made != 2 || seen[0] == seen[1] {
		t.Fatalf("made %d values, shared %v; want one fresh value per request", made, seen[0] == seen[1])
	}
	if v := gqlserve.FromRequest(context.Background(), newCounter); v == nil || made != 3 {
		t.Fatalf("without PerRequest FromRequest = %v after %d values, want a new one", v, made)
	}
}
