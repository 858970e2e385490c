package main

import (
	"net"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// composeFile is the part of docker-compose.yml this test checks.
type composeFile struct {
	Services map[string]struct {
		Image       string            `yaml:"image"`
		Build       any               `yaml:"build"`
		Command     []string          `yaml:"command"`
		Environment map[string]string `yaml:"environment"`
		Ports       []string          `yaml:"ports"`
		DependsOn   map[string]struct {
			Condition string `yaml:"condition"`
		} `yaml:"depends_on"`
		Healthcheck struct {
			Test []string `yaml:"test"`
		} `yaml:"healthcheck"`
	} `yaml:"services"`
}

func noEnv(string) string { return "" }

// envNamesOf lists the environment variables a component of the code reads.
func envNamesOf(t *testing.T, component string) []string {
	t.Helper()
	if component == "router" {
		s, _, err := newRouterSettings(noEnv)
		if err != nil {
			t.Fatal(err)
		}
		return s.EnvNames()
	}
	if component == "web" {
		var st webSettings
		return newWebSettings(noEnv, &st).EnvNames()
	}
	if component == "seed" || component == "migrate" {
		var log logSettings
		return append(newMigrateSettings(component, noEnv, &log).EnvNames(), migrateEnvNames()...)
	}
	var st subgraphSettings
	s, err := newSubgraphSettings(component, noEnv, &st)
	if err != nil {
		t.Fatal(err)
	}
	return s.EnvNames()
}

// TestDockerComposeMatchesCode keeps docker-compose.yml correct by construction: no
// Docker engine runs here, so the file is checked against the code's components,
// ports, settings and health routes.
func TestDockerComposeMatchesCode(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile("../../docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	var cf composeFile
	if err := yaml.Unmarshal(raw, &cf); err != nil {
		t.Fatalf("parse docker-compose.yml: %v", err)
	}
	if _, ok := cf.Services["postgres"]; !ok {
		t.Error("docker-compose.yml has no postgres service")
	}

	components := append(append([]string{}, subgraphNames...), "router", "web")
	for _, c := range components {
		svc, ok := cf.Services[c]
		if !ok {
			t.Errorf("docker-compose.yml has no service for component %s", c)
			continue
		}
		if want := []string{"serve", c}; !slices.Equal(svc.Command, want) {
			t.Errorf("%s: command = %v, want %v", c, svc.Command, want)
		}
		if svc.Build == nil || svc.Image != "shopgraph:local" {
			t.Errorf("%s: want the one shopgraph image built from the Dockerfile", c)
		}
		port := defaultPort(c)
		if !slices.Contains(svc.Ports, port+":"+port) {
			t.Errorf("%s: ports %v do not publish its port %s", c, svc.Ports, port)
		}
		known := envNamesOf(t, c)
		for name := range svc.Environment {
			if !slices.Contains(known, name) {
				t.Errorf("%s: environment variable %s is not a setting of `serve %s` (known: %v)", c, name, c, known)
			}
		}
		listen := svc.Environment[envPrefix(c)+"LISTEN"]
		if _, p, err := net.SplitHostPort(listen); err != nil || p != port {
			t.Errorf("%s: %sLISTEN = %q, want HOST:%s", c, envPrefix(c), listen, port)
		}
		if want := "http://127.0.0.1:" + port + "/readyz"; !slices.Contains(svc.Healthcheck.Test, want) || !slices.Contains(svc.Healthcheck.Test, "probe") {
			t.Errorf("%s: healthcheck %v, want `shopgraph probe %s`", c, svc.Healthcheck.Test, want)
		}
		if c != "router" && c != "web" {
			dbURL := svc.Environment[envPrefix(c)+"DATABASE_URL"]
			u, err := url.Parse(dbURL)
			if err != nil || u.Hostname() != "postgres" || u.Path != "/"+c {
				t.Errorf("%s: %sDATABASE_URL = %q, want the postgres service's database %q", c, envPrefix(c), dbURL, c)
			}
		}
	}

	// The router must list every subgraph at its service name and port.
	router := cf.Services["router"]
	list, err := parseSubgraphList(router.Environment["ROUTER_SUBGRAPHS"])
	if err != nil {
		t.Fatalf("router: ROUTER_SUBGRAPHS: %v", err)
	}
	var names []string
	for _, sg := range list {
		names = append(names, sg.Name)
		u, err := url.Parse(sg.URL)
		if err != nil || u.Hostname() != sg.Name || u.Port() != defaultPort(sg.Name) || u.Path != "/graphql" {
			t.Errorf("router: subgraph %s at %s, want http://%s:%s/graphql", sg.Name, sg.URL, sg.Name, defaultPort(sg.Name))
		}
		if _, ok := router.DependsOn[sg.Name]; !ok {
			t.Errorf("router: does not depend on %s", sg.Name)
		}
	}
	if !slices.Equal(names, subgraphNames) {
		t.Errorf("router: ROUTER_SUBGRAPHS names %v, want %v", names, subgraphNames)
	}

	// The store forwards to the router and the catalog at their service names,
	// and the router knows the store's trusted documents, which the image holds.
	store := cf.Services["web"]
	if got := store.Environment["WEB_ROUTER_URL"]; got != "http://router:4000/graphql" {
		t.Errorf("web: WEB_ROUTER_URL = %q", got)
	}
	if got := store.Environment["WEB_CATALOG_URL"]; got != "http://catalog:4001" {
		t.Errorf("web: WEB_CATALOG_URL = %q", got)
	}
	dockerfile, err := os.ReadFile("../../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	manifest := router.Environment["ROUTER_PERSISTED_MANIFEST"]
	if manifest == "" || !strings.Contains(string(dockerfile), "web/trusted-documents.json "+manifest) {
		t.Errorf("router: ROUTER_PERSISTED_MANIFEST = %q, want the store's trusted documents as the Dockerfile copies them", manifest)
	}

	seed, ok := cf.Services["seed"]
	if !ok || !slices.Equal(seed.Command, []string{"seed"}) {
		t.Fatalf("docker-compose.yml: want a seed service running `shopgraph seed`")
	}
	for name := range seed.Environment {
		if !slices.Contains(envNamesOf(t, "seed"), name) {
			t.Errorf("seed: environment variable %s is not read by `shopgraph seed`", name)
		}
	}
	if !strings.HasPrefix(seed.Environment["DATABASE_URL"], "postgres://postgres@postgres:5432/") {
		t.Errorf("seed: DATABASE_URL = %q, want the postgres service", seed.Environment["DATABASE_URL"])
	}
}

// TestDockerfileBuildsTheOneBinary checks the Dockerfile builds cmd/shopgraph and
// runs it as the entrypoint, so that `serve COMPONENT` chooses the component.
func TestDockerfileBuildsTheOneBinary(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile("../../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	text := string(raw)
	for _, want := range []string{"go build", "./cmd/shopgraph", `ENTRYPOINT ["/shopgraph"]`, "FROM golang:1.26"} {
		if !strings.Contains(text, want) {
			t.Errorf("Dockerfile lacks %q", want)
		}
	}
}
