# shopgraph — the two commands first:
#   make run    set up and run the whole system locally (PostgreSQL found or started, databases
#               created, migrated and seeded once, every component as its own process)
#   make test   every test, against real PostgreSQL found or started the same way
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
GO ?= go
BIN := bin/shopgraph

.PHONY: run test build generate playground web web-test fmt-check vet tidy-check bench clean help

help:
	@echo "make run | make test | make build | make generate | make bench"

run: web build
	@DATABASE_URL=$$(scripts/ensure-postgres.sh) && export DATABASE_URL && exec $(BIN) dev

build:
	$(GO) build -o $(BIN) ./cmd/shopgraph

# Rebuilds web/dist (checked in, embedded in the binary) when the store's sources
# changed since it was built; needs Node 20 and npm only then.
web:
	$(GO) run ./tools/webdist

test:
	@DATABASE_URL=$$(scripts/ensure-postgres.sh) && export DATABASE_URL && \
	SHOPGRAPH_TEST_REDIS_URL=$$(scripts/ensure-redis.sh) && export SHOPGRAPH_TEST_REDIS_URL && \
	echo "make test: PostgreSQL at $${DATABASE_URL%%\?*}, Redis at $$SHOPGRAPH_TEST_REDIS_URL" && \
	$(MAKE) --no-print-directory fmt-check vet tidy-check web-test && \
	$(GO) test -count=1 -timeout 15m ./...

# The web store's unit tests (Vitest), and its npm packages for the browser
# journey that `go test ./cmd/shopgraph` runs (TestWebStoreJourney).
web-test:
	cd web && npm ci --no-audit --no-fund && npm test

# Regenerates every generated file: gqlgen's code for the three subgraphs, the
# users service's list of common passwords (from zxcvbn), the
# composed schema/supergraph.graphql (from supergraph.yaml, offline), the web
# store's API schema and build, and the playground's bundle.
generate: playground
	$(GO) run ./tools/gqlgen
	$(GO) run ./tools/commonpasswords
	$(GO) run ./cmd/shopgraph compose --config supergraph.yaml --output schema/supergraph.graphql
	$(GO) run ./cmd/shopgraph compose --config deploy/supergraph.yaml --output deploy/base/supergraph.graphql
	$(GO) run ./tools/apischema
	$(GO) run ./tools/webdist

# Rebuilds gateway/playground/dist (checked in, embedded in the binary) from
# gateway/playground/ui with the locked npm packages; needs Node 20 and npm.
playground:
	cd gateway/playground/ui && npm ci --no-audit --no-fund && npm run build

fmt-check:
	@bad=$$(gofmt -l $$(git ls-files '*.go' | grep -v '/generated/') 2>/dev/null); \
	if [ -n "$$bad" ]; then echo "gofmt would change: $$bad"; exit 1; fi

vet:
	$(GO) vet ./...

# go.mod and go.sum must be what `go mod tidy` makes of the code.
tidy-check:
	$(GO) mod tidy -diff

# The Go benchmarks include the catalog's pages through the router and a 10 s load at
# 200 requests/s; SHOPGRAPH_BENCH_SCALE_URL=<catalog made by `shopgraph seed --scale
# 1000000`> runs them, and the store's BenchmarkScale, on a million products.
bench:
	@DATABASE_URL=$$(scripts/ensure-postgres.sh) && export DATABASE_URL && \
	$(GO) test -run '^$$' -bench . -benchmem ./...
	bench/gateways.sh

clean:
	rm -rf bin
