# Airlock — the two commands a newcomer needs are `make demo` and `make test`.
SHELL := /bin/bash
SWIFT ?= swift
RELEASE_FLAGS := -c release --static-swift-stdlib
PREFIX ?= /usr/local

.PHONY: all deps build release demo test sql-oracle bench install clean

all: build

# System packages (shfmt for differential tests, jq, hyperfine): installed with apt-get when
# root, otherwise the exact command to run is printed.
deps:
	@./scripts/install-deps.sh

build: deps
	$(SWIFT) build

# airlock (the front door an agent hook runs) and airlock-cli (every other verb) must sit in
# the same directory: the first hands over to the second.
release: deps
	$(SWIFT) build $(RELEASE_FLAGS) --product airlock
	$(SWIFT) build $(RELEASE_FLAGS) --product airlock-cli

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
	AIRLOCK_SQL_ORACLE="$(SQL_ORACLE)" $(SWIFT) test --skip-build

# In-process decisions per second and latency on the labelled corpus, whole-process
# `airlock check` against /bin/true, and the audit log's durable appends and verification.
# Figures go in docs/benchmarks.md.
bench: deps release
	$(SWIFT) build $(RELEASE_FLAGS) --product airlock-bench
	@./scripts/bench.sh "$$($(SWIFT) build $(RELEASE_FLAGS) --show-bin-path)"

install: release
	install -m 0755 "$$($(SWIFT) build $(RELEASE_FLAGS) --show-bin-path)/airlock" "$(PREFIX)/bin/airlock"
	install -m 0755 "$$($(SWIFT) build $(RELEASE_FLAGS) --show-bin-path)/airlock-cli" "$(PREFIX)/bin/airlock-cli"

clean:
	rm -rf .build
