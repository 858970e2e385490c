// Command routerprof serves a supergraph file with the router and net/http/pprof
// on one listener, for profiling the router under bench/gateways.sh-style load:
//
//	go run ./bench/routerprof -supergraph FILE -listen 127.0.0.1:4398 [-dedupe=false]
//	go tool pprof http://127.0.0.1:4398/debug/pprof/profile?seconds=10
//
// It is a benchmarking aid, never a way to run the router in production.
package main

import (
	"flag"
	"log/slog"
	"net/http"
	"net/http/pprof"
	"os"

	"github.com/shopgraph/shopgraph/gateway/server"
)

func main() {
	file := flag.String("supergraph", "", "supergraph SDL file")
	listen := flag.String("listen", "127.0.0.1:4398", "listen address")
	dedupe := flag.Bool("dedupe", true, "in-flight de-duplication")
	flag.Parse()
	sdl, err := os.ReadFile(*file)
	if err != nil {
		slog.Error("read supergraph", "err", err)
		os.Exit(1)
	}
	srv, err := server.New(server.Config{SupergraphSDL: string(sdl), Dedupe: dedupe}, nil)
	if err != nil {
		slog.Error("start router", "err", err)
		os.Exit(1)
	}
	mux := http.NewServeMux()
	mux.Handle("/", srv.Handler())
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	if err := http.ListenAndServe(*listen, mux); err != nil {
		slog.Error("serve", "err", err)
		os.Exit(1)
	}
}
