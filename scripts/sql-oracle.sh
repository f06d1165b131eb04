#!/usr/bin/env bash
# Builds the oracle file for Airlock's differential SQL test (SQLDifferentialTests): every
# statement of PostgreSQL's regression suite, as libpg_query bundles it in the pglast source
# distribution, judged by pglast (libpg_query with the PostgreSQL 18 grammar).
#
#   scripts/sql-oracle.sh [OUT.jsonl]     default: .build/sql-oracle/regress.jsonl
#
# Installs the pglast wheel with pip when it is missing or not the pinned version, downloads
# the sdist once into the output's directory, and rebuilds the oracle only when it is older
# than the sdist or the scripts. Prints the oracle's path and counts.
set -euo pipefail

PGLAST_VERSION=8.7
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/.build/sql-oracle/regress.jsonl}
dir=$(dirname "$out")
sdist=$dir/pglast-$PGLAST_VERSION.tar.gz
regress=$dir/pglast-$PGLAST_VERSION/libpg_query/test/sql/postgres_regress
python=${PYTHON:-python3}

command -v "$python" >/dev/null || { echo "sql-oracle: $python not found (needed for pglast)" >&2; exit 1; }

have_pglast() {
  "$python" -c "import sys, pglast; sys.exit(pglast.__version__.lstrip('v') != '$PGLAST_VERSION')" 2>/dev/null
}
if ! have_pglast; then
  echo "sql-oracle: installing pglast==$PGLAST_VERSION" >&2
  "$python" -m pip install --quiet --disable-pip-version-check "pglast==$PGLAST_VERSION"
  have_pglast || { echo "sql-oracle: pglast $PGLAST_VERSION did not install" >&2; exit 1; }
fi

mkdir -p "$dir"
if [[ ! -s $sdist ]]; then
  echo "sql-oracle: downloading the pglast $PGLAST_VERSION source distribution" >&2
  tmp=$(mktemp -d "$dir/download.XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  if ! "$python" -m pip download --quiet --disable-pip-version-check --no-deps \
      --no-binary :all: "pglast==$PGLAST_VERSION" -d "$tmp" >&2; then
    # Preparing the sdist's metadata needs its build requirements; without isolation pip
    # uses what is installed, and a failure there does not stop the file from being saved.
    "$python" -m pip download --quiet --disable-pip-version-check --no-deps \
      --no-binary :all: --no-build-isolation "pglast==$PGLAST_VERSION" -d "$tmp" >&2 || true
  fi
  [[ -s $tmp/pglast-$PGLAST_VERSION.tar.gz ]] \
    || { echo "sql-oracle: could not download pglast-$PGLAST_VERSION.tar.gz" >&2; exit 1; }
  mv "$tmp/pglast-$PGLAST_VERSION.tar.gz" "$sdist"
fi

if [[ ! -d $regress || $sdist -nt $regress ]]; then
  rm -rf "$dir/pglast-$PGLAST_VERSION"
  tar -xzf "$sdist" -C "$dir" "pglast-$PGLAST_VERSION/libpg_query/test/sql/postgres_regress"
  touch "$regress"
fi

if [[ -s $out && $out -nt $regress && $out -nt $root/scripts/sql-oracle.py && $out -nt $0 ]]; then
  echo "sql-oracle: up to date: $out ($(wc -l <"$out") statements)"
  exit 0
fi
"$python" "$root/scripts/sql-oracle.py" "$regress" "$out"
