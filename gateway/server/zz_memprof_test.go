package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"runtime/pprof"
	"strconv"
	"testing"

	"github.com/shopgraph/shopgraph/gateway/compose"
)

func TestZZMemProfile(t *testing.T) {
	if os.Getenv("ZZMEM") == "" {
		t.Skip()
	}
	runtime.MemProfileRate = 512
	var items []map[string]any
	total := 0
	for i := 0; total < 8<<20; i++ {
		it := map[string]any{"__typename": "Item", "id": "item-" + strconv.Itoa(i), "name": "Item " + strconv.Itoa(i), "sku": "SKU-" + strconv.Itoa(100000+i),
			"color": []string{"red", "green", "blue", "black"}[i%4], "size": 36 + i%10, "stock": i % 97, "rating": float64(i%50) / 10,
			"tags": []string{"tag" + strconv.Itoa(i%7), "tag" + strconv.Itoa(i%11), "sale"}, "dims": map[string]any{"w": i % 100, "h": i % 60, "d": i % 30}}
		b, _ := json.Marshal(it)
		total += len(b)
		items = append(items, it)
	}
	body, _ := json.Marshal(map[string]any{"data": map[string]any{"items": items}})
	sub := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(body) }))
	defer sub.Close()
	sdl, err := compose.Compose([]compose.Subgraph{{Name: "items", URL: sub.URL, SDL: `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
type Query { items: [Item!]! }
type Item @key(fields: "id") { id: ID! name: String! sku: String! color: String! size: Int! stock: Int! rating: Float! tags: [String!]! dims: Dims! }
type Dims { w: Int! h: Int! d: Int! }`}})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := New(Config{SupergraphSDL: sdl}, nil)
	if err != nil {
		t.Fatal(err)
	}
	rt := httptest.NewServer(srv.Handler())
	defer rt.Close()
	q, _ := json.Marshal(map[string]string{"query": `{ items { id name sku color size stock rating tags dims { w h d } } }`})
	do := func() int {
		resp, err := http.Post(rt.URL+"/graphql", "application/json", bytes.NewReader(q))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return len(b)
	}
	n := 0
	for range atoi(os.Getenv("ZZMEM")) {
		n = do()
	}
	runtime.GC()
	f, _ := os.Create("/tmp/memprof/heap.pb")
	pprof.Lookup("allocs").WriteTo(f, 0)
	f.Close()
	fmt.Println("response", n)
}

func atoi(s string) int { n, _ := strconv.Atoi(s); return n }
