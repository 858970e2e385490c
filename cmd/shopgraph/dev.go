package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/shopgraph/shopgraph/internal/config"
	userspg "github.com/shopgraph/shopgraph/subgraphs/users/postgres"
	"github.com/shopgraph/shopgraph/web"
)

// devSettings configure `dev`.
type devSettings struct {
	seed    bool
	listens map[string]string // component -> HOST:PORT
	log     logSettings
}

// dev sets up the databases and runs every component as its own process of this
// binary, with each line of their logs prefixed by the component's name. A
// component that exits is restarted with back-off while the others keep running
// (so that stopping one shows how the router copes); all of them stop when ctx
// ends (Ctrl-C).
func dev(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var st devSettings
	s := config.New("dev", getenv)
	s.Bool(&st.seed, "seed", "DEV_SEED", true, "load the demo data when the databases are empty")
	components := append(append([]string{}, subgraphNames...), "router", "web")
	listens := make([]string, len(components))
	for i, c := range components {
		s.Addr(&listens[i], c+"-listen", envPrefix(c)+"LISTEN", "127.0.0.1:"+defaultPort(c), "where "+c+" listens")
	}
	st.log.register(s)
	err := parseOrHelp(s, args, stderr)
	if errors.Is(err, errHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	st.listens = map[string]string{}
	for i, c := range components {
		st.listens[c] = listens[i]
	}
	logger := st.log.logger(stderr, "dev")

	for _, name := range subgraphNames {
		if err := setUpDatabase(ctx, getenv, name, st.seed, logger); err != nil {
			return fmt.Errorf("dev: %w", err)
		}
	}

	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("dev: find own executable: %w", err)
	}
	env := os.Environ()
	// The orders service calls the catalog's internal API with a service token:
	// one made up for this run unless one is given.
	if getenv("CATALOG_SERVICE_TOKEN") == "" && getenv("ORDERS_CATALOG_SERVICE_TOKEN") == "" {
		token, err := randomToken()
		if err != nil {
			return fmt.Errorf("dev: %w", err)
		}
		env = append(env, "CATALOG_SERVICE_TOKEN="+token, "ORDERS_CATALOG_SERVICE_TOKEN="+token)
	}
	if getenv("ORDERS_CATALOG_URL") == "" {
		env = append(env, "ORDERS_CATALOG_URL="+localURL(st.listens["catalog"]))
	}
	if getenv("ORDERS_USERS_URL") == "" {
		env = append(env, "ORDERS_USERS_URL="+localURL(st.listens["users"])+"/graphql")
	}
	if getenv("ORDERS_JWKS_URL") == "" {
		env = append(env, "ORDERS_JWKS_URL="+localURL(st.listens["users"])+"/.well-known/jwks.json")
	}
	if getenv("CATALOG_JWKS_URL") == "" {
		env = append(env, "CATALOG_JWKS_URL="+localURL(st.listens["users"])+"/.well-known/jwks.json")
	}
	if getenv("WEB_ROUTER_URL") == "" {
		env = append(env, "WEB_ROUTER_URL="+localURL(st.listens["router"])+"/graphql")
	}
	if getenv("WEB_CATALOG_URL") == "" {
		env = append(env, "WEB_CATALOG_URL="+localURL(st.listens["catalog"]))
	}
	// The store sends its operations by hash: the router must know them.
	if getenv("ROUTER_PERSISTED_MANIFEST") == "" {
		manifest, err := writeTrustedDocuments()
		if err != nil {
			return fmt.Errorf("dev: %w", err)
		}
		defer os.Remove(manifest)
		env = append(env, "ROUTER_PERSISTED_MANIFEST="+manifest)
	}
	if getenv("ROUTER_SUBGRAPHS") == "" {
		var list []string
		for _, name := range subgraphNames {
			list = append(list, name+"="+localURL(st.listens[name])+"/graphql")
		}
		env = append(env, "ROUTER_SUBGRAPHS="+strings.Join(list, ","))
	}

	out := &prefixWriter{w: stderr}
	var wg sync.WaitGroup
	for _, name := range components {
		c := component{name: name, command: func() *exec.Cmd {
			cmd := exec.Command(exe, "serve", name, "--listen", st.listens[name])
			cmd.Env = env
			return cmd
		}}
		wg.Go(func() { supervise(ctx, c, defaultRestarts(), out, st.log) })
	}

	go func() {
		router := localURL(st.listens["router"])
		if waitReady(ctx, router+"/readyz") {
			fmt.Fprintf(stdout, "\nshopgraph is up:\n  web store   %s\n  router      %s/graphql\n", localURL(st.listens["web"]), router)
			for _, name := range subgraphNames {
				fmt.Fprintf(stdout, "  %-10s  %s/graphql\n", name, localURL(st.listens[name]))
			}
			if st.seed {
				fmt.Fprintf(stdout, "Demo sign-in: %s / %s (admin: %s / %s)\n",
					userspg.DemoCustomerEmail, userspg.DemoCustomerPassword, userspg.DemoAdminEmail, userspg.DemoAdminPassword)
			}
			fmt.Fprintln(stdout, "A component that exits is restarted; Ctrl-C stops everything.")
		}
	}()

	<-ctx.Done()
	wg.Wait()
	logger.Info("all components stopped")
	return nil
}

// localURL turns a listen address into a URL a local client can reach.
func localURL(listen string) string {
	host, port, _ := net.SplitHostPort(listen)
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// waitReady polls url until it answers 200 or ctx ends.
func waitReady(ctx context.Context, url string) bool {
	client := &http.Client{Timeout: 2 * time.Second}
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if resp, err := client.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return true
			}
		}
		select {
		case <-ctx.Done():
			return false
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// prefixWriter writes each line of several processes' output whole, prefixed with
// the process's name, so that lines from different components never interleave.
type prefixWriter struct {
	mu sync.Mutex
	w  io.Writer
}

// For returns a writer for one component's output.
func (p *prefixWriter) For(name string) io.Writer {
	return &lineWriter{out: p, prefix: fmt.Sprintf("%-8s| ", name)}
}

// lineWriter buffers one process's output until a whole line is there.
type lineWriter struct {
	out     *prefixWriter
	prefix  string
	pending []byte
}

func (l *lineWriter) Write(b []byte) (int, error) {
	l.pending = append(l.pending, b...)
	for {
		i := bytes.IndexByte(l.pending, '\n')
		if i < 0 {
			break
		}
		l.out.mu.Lock()
		_, err := fmt.Fprintf(l.out.w, "%s%s\n", l.prefix, l.pending[:i])
		l.out.mu.Unlock()
		l.pending = l.pending[i+1:]
		if err != nil {
			return len(b), err
		}
	}
	return len(b), nil
}

// randomToken returns 32 random bytes, hex-encoded: a service token.
func randomToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("make a service token: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// writeTrustedDocuments writes the web store's trusted documents, embedded in
// the binary, to a temporary file for the router and returns its path.
func writeTrustedDocuments() (string, error) {
	f, err := os.CreateTemp("", "shopgraph-trusted-documents-*.json")
	if err != nil {
		return "", fmt.Errorf("write the web store's trusted documents: %w", err)
	}
	_, err = f.Write(web.TrustedDocuments())
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", fmt.Errorf("write the web store's trusted documents: %w", err)
	}
	return f.Name(), nil
}
