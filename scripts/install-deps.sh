#!/usr/bin/env bash
# Installs the system packages Airlock's build, tests and benchmarks need, and nothing else.
# Idempotent: installs only what is missing. As root it uses apt-get directly; otherwise it
# prints the one command to run and fails, so `make` never half-works.
set -euo pipefail
# ldconfig lives in /sbin, which an ordinary user's PATH often lacks: without it every library
# probe below would report its package missing.
PATH=$PATH:/usr/sbin:/sbin

# command-or-file-to-probe:debian-package
needs=(
  "shfmt:shfmt"            # reference bash parser for the lexer's differential tests
  "jq:jq"                  # demo and CI read JSON output
  "hyperfine:hyperfine"    # whole-process benchmark of `airlock check`
  "/usr/include/pg_query.h:libpg-query-dev"  # the PostgreSQL 15 parser AirlockSQL links (static)
  "/usr/include/sqlite3.h:libsqlite3-dev"    # the state store (approvals, freezes, counters), linked static
  "/usr/include/zlib.h:zlib1g-dev"           # the undo journal's gzip files (AirlockJournal)
  "libcurl.so:libcurl4-openssl-dev"  # static FoundationNetworking (HEC over HTTPS) links -lcurl in make release
  # The PostgreSQL proxy's tests and `make bench-proxy` start real servers. The harness uses the
  # versioned bin directory, not /usr/bin's pg_wrapper, so the tools and server always match.
  "/usr/lib/postgresql/15/bin/initdb:postgresql-15"        # server, initdb, pg_ctl and pgbench
  "/usr/lib/postgresql/15/bin/psql:postgresql-client-15"   # psql
  "/usr/sbin/pgbouncer:pgbouncer"  # bench-proxy's baseline; a path: /usr/sbin is not on a user's PATH
  "openssl:openssl"        # the proxy's TLS tests make their CA and certificates with it
)

missing=()
for entry in "${needs[@]}"; do
  probe=${entry%%:*}; package=${entry#*:}
  if [[ $probe == /* ]]; then [[ -e $probe ]] && continue
  elif [[ $probe == lib*.so* ]]; then ldconfig -p 2>/dev/null | grep -qE "^[[:space:]]+${probe//./\\.} \\(" && continue
  else command -v "$probe" >/dev/null 2>&1 && continue; fi
  missing+=("$package")
done

# initdb and pg_ctl refuse to run as root: as root the harness and bench-proxy run PostgreSQL
# (and pgbouncer, which refuses too) as `postgres`. postgresql-common creates that user; check it
# anyway, since a server installed some other way may come without it.
postgres_user_missing() {
  [[ -e /usr/lib/postgresql/15/bin/initdb ]] && ! id -u postgres >/dev/null 2>&1
}

if [[ ${#missing[@]} -eq 0 ]]; then
  postgres_user_missing || exit 0
  if [[ $(id -u) -ne 0 ]]; then
    echo "airlock: PostgreSQL is installed but there is no \`postgres\` OS user (needed when tests run as root)" >&2
    echo "run:  sudo useradd --system --user-group --home-dir /var/lib/postgresql --shell /bin/bash postgres" >&2
    exit 1
  fi
fi

if [[ $(id -u) -ne 0 ]]; then
  echo "airlock: missing system packages: ${missing[*]}" >&2
  echo "run:  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi

if [[ ${#missing[@]} -gt 0 ]]; then
  echo "installing system packages: ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  # postgresql-15 and pgbouncer start system services on install (a cluster on 5432, pgbouncer on
  # 6432). Nothing here uses them: the tests and bench start their own servers on random ports.
  # A policy-rc.d answering 101 ("action forbidden") keeps invoke-rc.d and deb-systemd-invoke
  # from starting them, so CI does not pay for idle daemons. One already present (container
  # images ship one) is the machine's choice and is left as it is.
  policy=/usr/sbin/policy-rc.d
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\n# temporary, from airlock scripts/install-deps.sh\nexit 101\n' > "$policy"
    chmod 0755 "$policy"
    trap 'rm -f "$policy"' EXIT
  fi
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if postgres_user_missing; then
  echo "creating the postgres OS user (PostgreSQL runs as it when tests run as root)" >&2
  useradd --system --user-group --home-dir /var/lib/postgresql --shell /bin/bash postgres
fi
