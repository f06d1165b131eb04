# Airlock — the two commands a newcomer needs are `make demo` and `make test`.
SHELL := /bin/bash
SWIFT ?= swift
# Release builds link the front door (`airlock`, started once per agent tool call) as a static
# PIE: see `frontDoorLinking` in Package.swift. glibc will not start a static PIE that carries a
# run path, hence --disable-local-rpath.
export AIRLOCK_STATIC_PIE := 1
RELEASE_FLAGS := -c release --static-swift-stdlib --disable-local-rpath
PREFIX ?= /usr/local

.PHONY: all deps build release demo test sql-oracle bench bench-proxy install clean

all: build

# System packages (shfmt for differential tests, jq, hyperfine, PostgreSQL 15 and pgbouncer for
# the proxy's tests and bench-proxy): installed with apt-get when root, otherwise the exact
# command to run is printed.
deps:
	@./scripts/install-deps.sh

build: deps
	$(SWIFT) build

# airlock (the front door an agent hook runs) and airlock-cli (every other verb) must sit in
# the same directory: the first hands over to the second.
release: deps
	$(SWIFT) build $(RELEASE_FLAGS) --product airlock
	$(SWIFT) build $(RELEASE_FLAGS) --product airlock-cli
	@"$$($(SWIFT) build $(RELEASE_FLAGS) --show-bin-path)/airlock" --version >/dev/null || \
		{ echo "the release airlock does not start (a static PIE with a run path?)" >&2; exit 1; }

# A short tour: real incidents, each decided by the built-in policy, each decision checked.
demo: deps release
	@./scripts/demo.sh "$$($(SWIFT) build $(RELEASE_FLAGS) --show-bin-path)/airlock"

# PostgreSQL's regression SQL judged by pglast (libpg_query, PostgreSQL 18): the oracle of
# SQLDifferentialTests. Installs pglast with pip and downloads its sdist once; rebuilt only when
# stale.
SQL_ORACLE := $(CURDIR)/.build/sql-oracle/regress.jsonl
sql-oracle:
	@./scripts/sql-oracle.sh "$(SQL_ORACLE)"

test: deps sql-oracle
	$(SWIFT) build --build-tests
	AIRLOCK_SQL_ORACLE="$(SQL_ORACLE)" ./scripts/test.sh "$(SWIFT)"

# In-process decisions per second and latency on the labelled corpus, whole-process
# `airlock check` against /bin/true, and the audit log's durable appends and verification.
# Figures go in docs/benchmarks.md.
bench: deps release
	$(SWIFT) build $(RELEASE_FLAGS) --product airlock-bench
	@./scripts/bench.sh "$$($(SWIFT) build $(RELEASE_FLAGS) --show-bin-path)"

# The PostgreSQL proxy under pgbench, beside the same server reached directly and through
# pgbouncer (transaction pooling): TPS, latency, and the latency the proxy adds per statement.
# Starts its own PostgreSQL and pgbouncer on free ports; BENCH_PROXY_SECONDS=3 for a quick run.
bench-proxy: deps release
	@./scripts/bench-proxy.sh "$$($(SWIFT) build $(RELEASE_FLAGS) --show-bin-path)"

install: release
	install -m 0755 "$$($(SWIFT) build $(RELEASE_FLAGS) --show-bin-path)/airlock" "$(PREFIX)/bin/airlock"
	install -m 0755 "$$($(SWIFT) build $(RELEASE_FLAGS) --show-bin-path)/airlock-cli" "$(PREFIX)/bin/airlock-cli"

clean:
	rm -rf .build
