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
  "libcurl.so:libcurl4-openssl-dev"  # static FoundationNetworking (HEC over HTTPS) links -lcurl in make release
)

missing=()
for entry in "${needs[@]}"; do
  probe=${entry%%:*}; package=${entry#*:}
  if [[ $probe == /* ]]; then [[ -e $probe ]] && continue
  elif [[ $probe == lib*.so* ]]; then ldconfig -p 2>/dev/null | grep -qE "^[[:space:]]+${probe//./\\.} \\(" && continue
  else command -v "$probe" >/dev/null 2>&1 && continue; fi
  missing+=("$package")
done

[[ ${#missing[@]} -eq 0 ]] && exit 0

if [[ $(id -u) -ne 0 ]]; then
  echo "airlock: missing system packages: ${missing[*]}" >&2
  echo "run:  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi

echo "installing system packages: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
