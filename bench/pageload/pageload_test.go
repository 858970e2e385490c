package pageload

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

func TestRunKeepsTheRateAndCountsErrors(t *testing.T) {
	t.Parallel()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		n.Add(1)
		if string(body) == `{"query":"bad"}` {
			_, _ = io.WriteString(w, `{"errors":[{"message":"no"}]}`)
			return
		}
		_, _ = io.WriteString(w, `{"data":{}}`)
	}))
	t.Cleanup(srv.Close)
	res, err := Run(t.Context(), Config{URL: srv.URL, Rate: 100, Duration: 500 * time.Millisecond,
		Pages: []Page{{"good", "ok"}, {"bad", "bad"}}})
	if err != nil {
		t.Fatal(err)
	}
	if n.Load() != 50 || res.Dropped != 0 {
		t.Fatalf("%d requests, %d dropped; want 50, 0", n.Load(), res.Dropped)
	}
	good, bad := res.Pages[0], res.Pages[1]
	if good.Requests != 25 || good.Errors != 0 || bad.Requests != 25 || bad.Errors != 25 {
		t.Errorf("good %+v, bad %+v", good, bad)
	}
	if good.P50 <= 0 || good.P99 < good.P50 || good.Max < good.P99 {
		t.Errorf("percentiles out of order: %+v", good)
	}
}
