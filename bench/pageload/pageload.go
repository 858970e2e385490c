// Package pageload drives GraphQL page requests at a fixed rate and reports
// latency percentiles: an open-loop load (requests start on schedule whether or
// not earlier ones finished), so a slow server shows as latency, not as a lower
// rate. It sends to the one URL it is given; use it on loopback addresses only.
package pageload

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"time"
)

// Page is a named GraphQL operation to request.
type Page struct {
	Name  string
	Query string
}

// Config is a load run: Rate requests per second for Duration, cycling through Pages.
type Config struct {
	URL      string
	Pages    []Page
	Rate     int
	Duration time.Duration
	// MaxInFlight bounds concurrent requests; requests due beyond it are counted
	// as dropped, not sent late.
	MaxInFlight int
}

// Stats are one page's latencies.
type Stats struct {
	Name          string
	Requests      int
	Errors        int
	P50, P99, Max time.Duration
}

// String formats s on one line.
func (s Stats) String() string {
	return fmt.Sprintf("%-8s requests %5d  errors %3d  p50 %8s  p99 %8s  max %8s", s.Name, s.Requests, s.Errors,
		s.P50.Round(10*time.Microsecond), s.P99.Round(10*time.Microsecond), s.Max.Round(10*time.Microsecond))
}

// Result is a run's stats per page, in Pages' order, and the requests not sent
// because MaxInFlight were outstanding.
type Result struct {
	Pages   []Stats
	Dropped int
}

// Run sends the load and waits for every request to finish.
func Run(ctx context.Context, cfg Config) (Result, error) {
	if cfg.Rate <= 0 || cfg.Duration <= 0 || len(cfg.Pages) == 0 {
		return Result{}, fmt.Errorf("pageload: want a rate, a duration and pages")
	}
	if cfg.MaxInFlight <= 0 {
		cfg.MaxInFlight = 256
	}
	bodies := make([][]byte, len(cfg.Pages))
	for i, p := range cfg.Pages {
		b, err := json.Marshal(map[string]string{"query": p.Query})
		if err != nil {
			return Result{}, fmt.Errorf("pageload: %s: %w", p.Name, err)
		}
		bodies[i] = b
	}
	client := &http.Client{
		Timeout:   10 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: cfg.MaxInFlight, MaxConnsPerHost: cfg.MaxInFlight},
	}
	defer client.CloseIdleConnections()
	var (
		mu        sync.Mutex
		latencies = make([][]time.Duration, len(cfg.Pages))
		errs      = make([]int, len(cfg.Pages))
		wg        sync.WaitGroup
		dropped   int
	)
	slots := make(chan struct{}, cfg.MaxInFlight)
	total := int(int64(cfg.Rate) * int64(cfg.Duration) / int64(time.Second))
	interval := time.Second / time.Duration(cfg.Rate)
	start := time.Now()
	for i := range total {
		if d := time.Until(start.Add(time.Duration(i) * interval)); d > 0 {
			select {
			case <-ctx.Done():
				wg.Wait()
				return Result{}, ctx.Err()
			case <-time.After(d):
			}
		}
		select {
		case slots <- struct{}{}:
		default:
			dropped++
			continue
		}
		page := i % len(cfg.Pages)
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-slots }()
			t0 := time.Now()
			ok := send(ctx, client, cfg.URL, bodies[page])
			d := time.Since(t0)
			mu.Lock()
			defer mu.Unlock()
			latencies[page] = append(latencies[page], d)
			if !ok {
				errs[page]++
			}
		}()
	}
	wg.Wait()
	res := Result{Dropped: dropped}
	for i, p := range cfg.Pages {
		res.Pages = append(res.Pages, Summarize(p.Name, latencies[i], errs[i]))
	}
	return res, nil
}

// send posts one operation and reports whether it answered 200 without GraphQL errors.
func send(ctx context.Context, client *http.Client, url string, body []byte) bool {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return false
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		return false
	}
	var out struct {
		Errors []json.RawMessage `json:"errors"`
	}
	return json.Unmarshal(raw, &out) == nil && len(out.Errors) == 0
}

// Summarize makes the stats of the latencies ds (sorted in place) of name's
// requests, errors of which failed.
func Summarize(name string, ds []time.Duration, errors int) Stats {
	s := Stats{Name: name, Requests: len(ds), Errors: errors}
	if len(ds) == 0 {
		return s
	}
	slices.Sort(ds)
	at := func(q float64) time.Duration { return ds[min(len(ds)-1, int(q*float64(len(ds))))] }
	s.P50, s.P99, s.Max = at(0.50), at(0.99), ds[len(ds)-1]
	return s
}
