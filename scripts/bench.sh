#!/usr/bin/env bash
# Prints Airlock's benchmark figures as Markdown: in-process decisions on the labelled corpus,
# and whole-process `airlock check` against /bin/true measured in the same run.
set -euo pipefail
bin=${1:?usage: bench.sh BIN-DIR}
cd "$(dirname "$0")/.."
corpus=Tests/AirlockCoreTests/Corpus/commands.tsv
home=$(mktemp -d); trap 'rm -rf "$home" "$json"' EXIT
json=$(mktemp)

echo "## In process ($(date -u +%Y-%m-%d), $(nproc) cores, built with -c release --static-swift-stdlib)"
echo
echo '```'
echo "\$ $bin/airlock-bench $corpus 20"
"$bin/airlock-bench" "$corpus" 20
echo '```'
echo
echo "## Whole process: airlock check vs /bin/true (hyperfine, 300 runs each, same run)"
echo
check=(env -i HOME="$home" AIRLOCK_HOME="$home/.airlock" "$bin/airlock" check --clean-env --cwd /tmp -- 'git push --force origin main')
hyperfine -N -i --warmup 30 --runs 300 --export-json "$json" '/bin/true' "${check[*]}" >/dev/null 2>&1
true_ms=$(jq '.results[0].median * 1000' "$json")
check_ms=$(jq '.results[1].median * 1000' "$json")
check_p95=$(jq '[.results[1].times[]] | sort | .[(length * 95 / 100 | floor)] * 1000' "$json")
echo '```'
echo "\$ hyperfine -N -i --warmup 30 --runs 300 '/bin/true' '${check[*]}'"
printf '/bin/true median: %.2f ms\n' "$true_ms"
printf 'airlock check median: %.2f ms (p95 %.2f ms), %.1fx /bin/true, %.2f ms above it\n' "$check_ms" "$check_p95" "$(jq -n "$check_ms / $true_ms")" "$(jq -n "$check_ms - $true_ms")"
echo '```'
