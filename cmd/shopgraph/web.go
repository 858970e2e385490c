package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/shopgraph/shopgraph/internal/config"
	"github.com/shopgraph/shopgraph/web"
)

// webSettings configure `serve web`: the store's listener and where its API
// and images come from.
type webSettings struct {
	listen          string
	routerURL       string
	catalogURL      string
	shutdownTimeout time.Duration
	log             logSettings
}

func newWebSettings(getenv func(string) string, st *webSettings) *config.Set {
	s := config.New("serve web", getenv)
	s.Addr(&st.listen, "listen", "WEB_LISTEN", ":3000", "HOST:PORT to serve the web store on")
	s.URL(&st.routerURL, "router-url", "WEB_ROUTER_URL", "http://127.0.0.1:"+defaultPort("router")+"/graphql",
		"the router's GraphQL endpoint, where the store's /graphql goes", "http", "https")
	s.URL(&st.catalogURL, "catalog-url", "WEB_CATALOG_URL", "http://127.0.0.1:"+defaultPort("catalog"),
		"the catalog's listener, where the store's /images/ go", "http", "https")
	s.Duration(&st.shutdownTimeout, "shutdown-timeout", "SHUTDOWN_TIMEOUT", 10*time.Second, "how long in-flight requests may finish on shutdown")
	st.log.register(s)
	return s
}

// serveWeb serves the web store embedded in the binary.
func serveWeb(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) error {
	var st webSettings
	err := parseOrHelp(newWebSettings(getenv, &st), args, stderr)
	if errors.Is(err, errHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	logger := st.log.logger(stderr, "web")
	router, err := url.Parse(st.routerURL)
	if err != nil {
		return fmt.Errorf("serve web: --router-url: %w", err)
	}
	catalog, err := url.Parse(st.catalogURL)
	if err != nil {
		return fmt.Errorf("serve web: --catalog-url: %w", err)
	}
	store, err := web.Handler(web.Dist(), web.Config{RouterURL: router, CatalogURL: catalog, Logger: logger})
	if err != nil {
		return fmt.Errorf("serve web: %w", err)
	}
	routerReady := *router
	routerReady.Path, routerReady.RawQuery = "/readyz", ""
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { writeStatus(w, http.StatusOK, "ok") })
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		// Ready when the store can answer pages with data: the router is.
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if !waitReady(ctx, routerReady.String()) {
			writeStatus(w, http.StatusServiceUnavailable, "router not ready")
			return
		}
		writeStatus(w, http.StatusOK, "ready")
	})
	mux.Handle("/", store)
	logger.Info("web store", "router", st.routerURL, "catalog", st.catalogURL)
	return listenAndServe(ctx, st.listen, mux, st.shutdownTimeout, logger)
}
