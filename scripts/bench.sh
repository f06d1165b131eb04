#!/usr/bin/env bash
# Prints Airlock's benchmark figures as Markdown: in-process decisions on the labelled corpus,
# whole-process `airlock check` against /bin/true measured in the same run, and instruction
# counts (deterministic, unlike time on a shared machine) when valgrind is installed.
set -euo pipefail
bin=${1:?usage: bench.sh BIN-DIR}
cd "$(dirname "$0")/.."
corpus=Tests/AirlockCoreTests/Corpus/commands.tsv
scratch=$(mktemp -d); json=$(mktemp)
trap 'rm -rf "$scratch" "$json"' EXIT

echo "## In process ($(date -u +%Y-%m-%d), $(nproc) cores, built with -c release --static-swift-stdlib)"
echo
echo '```'
echo "\$ airlock-bench $corpus 20"
"$bin/airlock-bench" "$corpus" 20
echo '```'

echo
echo "## SQL classification (PostgreSQL, libpg_query; same run, ratio to the parse alone)"
echo
echo '```'
echo "\$ airlock-bench --sql Tests/AirlockSQLTests/Corpus/postgres.tsv"
"$bin/airlock-bench" --sql Tests/AirlockSQLTests/Corpus/postgres.tsv
echo '```'

if command -v valgrind >/dev/null 2>&1; then
  echo
  echo "## Instructions per decision (valgrind --tool=callgrind, 20,000 decisions each, built-in policy)"
  echo
  echo '```'
  for line in "ls -la" "git push --force origin main" "psql -h prod-db.internal -U admin -c 'DROP TABLE executives;'"; do
    out=$(mktemp)
    valgrind --tool=callgrind --callgrind-out-file="$out" "$bin/airlock-bench" --profile "$line" >/dev/null 2>&1
    total=$(callgrind_annotate "$out" 2>/dev/null | awk '/PROGRAM TOTALS/ && !done { gsub(",", "", $1); print $1; done = 1 }')
    rm -f "$out"
    printf '%8d instructions  %s\n' "$((total / 20000))" "$line"
  done
  echo '```'
fi

echo
echo "## Whole process: airlock check vs /bin/true (hyperfine, 300 runs each, same run)"
echo
# Built-in policy; and a user policy (airlock init) served from the compiled cache, the
# usual case on a configured machine. The first check after init compiles it.
builtin_home="$scratch/builtin"; user_home="$scratch/user"
mkdir -p "$builtin_home" "$user_home"
HOME="$user_home" AIRLOCK_HOME="$user_home/.airlock" "$bin/airlock" init >/dev/null
HOME="$user_home" AIRLOCK_HOME="$user_home/.airlock" "$bin/airlock" check --cwd /tmp -- ls >/dev/null || true
builtin_check="env -i HOME=$builtin_home AIRLOCK_HOME=$builtin_home/.airlock $bin/airlock check --clean-env --cwd /tmp -- 'git push --force origin main'"
user_check="env -i HOME=$user_home AIRLOCK_HOME=$user_home/.airlock $bin/airlock check --clean-env --cwd /tmp -- 'git push --force origin main'"
yaml_check="env -i HOME=$user_home AIRLOCK_HOME=$user_home/.airlock $bin/airlock-cli check --clean-env --cwd /tmp -- 'git push --force origin main'"
hyperfine -N -i --warmup 30 --runs 300 --export-json "$json" '/bin/true' "$builtin_check" "$user_check" "$yaml_check" >/dev/null 2>&1
median() { jq ".results[$1].median * 1000" "$json"; }
p95() { jq "[.results[$1].times[]] | sort | .[(length * 95 / 100 | floor)] * 1000" "$json"; }
true_ms=$(median 0)
echo '```'
echo "\$ hyperfine -N -i --warmup 30 --runs 300 '/bin/true' '<each command below>'"
printf '/bin/true                                     median %.2f ms\n' "$true_ms"
for i in 1 2 3; do
  case $i in
    1) label="airlock check, built-in policy             ";;
    2) label="airlock check, user policy (compiled cache)";;
    3) label="airlock-cli check, user policy (YAML parse)";;
  esac
  m=$(median $i); p=$(p95 $i)
  printf '%s   median %.2f ms, p95 %.2f ms, %.1fx /bin/true\n' "$label" "$m" "$p" "$(jq -n "$m / $true_ms")"
done
echo '```'

echo
echo "## Audit log: durable appends and verification (airlock-bench, same run)"
echo
audit_dir="$scratch/audit-bench"
echo '```'
echo "\$ airlock-bench --audit DIR"
"$bin/airlock-bench" --audit "$audit_dir"
echo '```'

# The CLI end to end on the benchmark's log: `airlock audit verify` (Ed25519 check of a stored
# checkpoint included) on a home whose log is the one airlock-bench wrote for verification.
verify_home="$scratch/verify"
mkdir -p "$verify_home"
venv=(env -i HOME="$verify_home" AIRLOCK_HOME="$verify_home/.airlock")
"${venv[@]}" "$bin/airlock" init >/dev/null
mkdir -p "$verify_home/.airlock/audit"
rm -f "$verify_home/.airlock/audit/log.head"
mv "$audit_dir/verify/log.jsonl" "$verify_home/.airlock/audit/log.jsonl"
"${venv[@]}" "$bin/airlock" audit checkpoint --new >/dev/null
entries=$(wc -l < "$verify_home/.airlock/audit/log.jsonl")
hyperfine -N --warmup 1 --runs 5 --export-json "$json" "${venv[*]} $bin/airlock audit verify" >/dev/null 2>&1
m=$(jq '.results[0].median' "$json")
echo
echo '```'
echo "\$ hyperfine -N --warmup 1 --runs 5 'airlock audit verify'   # $entries entries, 1 signed checkpoint"
printf 'airlock audit verify   median %.3f s, %s entries/s (whole process)\n' "$m" "$(jq -n "$entries / $m | floor")"
echo '```'

echo
echo "## Whole process: airlock check with and without the audit append (hyperfine, 300 runs each, same run)"
echo
# Each audited check opens the log, takes its lock, appends one entry and fsyncs before it
# answers; --no-audit skips all of that. Same home, built-in policy.
audit_home="$scratch/audited"
mkdir -p "$audit_home"
audited="env -i HOME=$audit_home AIRLOCK_HOME=$audit_home/.airlock $bin/airlock check --clean-env --cwd /tmp -- 'git push --force origin main'"
unaudited="env -i HOME=$audit_home AIRLOCK_HOME=$audit_home/.airlock $bin/airlock check --no-audit --clean-env --cwd /tmp -- 'git push --force origin main'"
hyperfine -N -i --warmup 30 --runs 300 --export-json "$json" '/bin/true' "$unaudited" "$audited" >/dev/null 2>&1
true_ms=$(median 0)
echo '```'
echo "\$ hyperfine -N -i --warmup 30 --runs 300 '/bin/true' '<each command below>'"
printf '/bin/true                                     median %.2f ms\n' "$true_ms"
for i in 1 2; do
  case $i in
    1) label="airlock check --no-audit, built-in policy  ";;
    2) label="airlock check (audited), built-in policy   ";;
  esac
  m=$(median $i); p=$(p95 $i)
  printf '%s   median %.2f ms, p95 %.2f ms, %.1fx /bin/true\n' "$label" "$m" "$p" "$(jq -n "$m / $true_ms")"
done
printf 'the audit append costs                        %.2f ms per check (median against median)\n' "$(jq -n "$(median 2) - $(median 1)")"
echo '```'

echo
echo "## The gate: cost per decision with state (approvals, freezes, counters in state.sqlite)"
echo
echo '```'
echo "\$ airlock-bench --gate DIR"
"$bin/airlock-bench" --gate "$scratch/gate-bench"
echo '```'
# Whole process: every recorded check takes the log's lock, runs one SQLite write
# transaction (freezes, limits, approvals) and appends; --no-audit reads the state only.
gate_home="$scratch/gate"
mkdir -p "$gate_home"
genv="env -i HOME=$gate_home AIRLOCK_HOME=$gate_home/.airlock"
recorded="$genv $bin/airlock check --clean-env --cwd /tmp --agent bench -- 'touch notes.txt'"
previewed="$genv $bin/airlock check --no-audit --clean-env --cwd /tmp --agent bench -- 'touch notes.txt'"
hyperfine -N -i --warmup 30 --runs 300 --export-json "$json" '/bin/true' "$previewed" "$recorded" >/dev/null 2>&1
p99() { jq "[.results[$1].times[]] | sort | .[(length * 99 / 100 | floor)] * 1000" "$json"; }
true_ms=$(median 0)
echo
echo '```'
echo "\$ hyperfine -N -i --warmup 30 --runs 300 '/bin/true' '<each command below>'"
printf '/bin/true                                            median %.2f ms\n' "$true_ms"
printf 'airlock check --no-audit (state read only)           median %.2f ms, p99 %.2f ms\n' "$(median 1)" "$(p99 1)"
printf 'airlock check (state transaction + audit append)     median %.2f ms, p99 %.2f ms, %.1fx /bin/true\n' "$(median 2)" "$(p99 2)" "$(jq -n "$(median 2) / $true_ms")"
echo '```'

# How fast a freeze reaches another process: a loop of checks runs as an agent; the time from
# `airlock freeze` returning to the loop's first denied decision returning. Fresh home per run.
echo
echo '```'
echo "\$ airlock freeze while another process loops on airlock check (20 runs)"
latencies=()
for run in $(seq 1 20); do
  fhome="$scratch/freeze-$run"; mkdir -p "$fhome"
  fenv=(env -i HOME="$fhome" AIRLOCK_HOME="$fhome/.airlock")
  marks="$fhome/marks"
  ( while true; do
      rc=0
      "${fenv[@]}" "$bin/airlock" check --clean-env --cwd /tmp --agent loop -- 'touch notes.txt' >/dev/null || rc=$?
      echo "$EPOCHREALTIME $rc" >> "$marks"
      [[ $rc -ne 0 ]] && break
    done ) &
  loop=$!
  sleep 0.2
  "${fenv[@]}" "$bin/airlock" freeze --reason bench >/dev/null
  returned=$EPOCHREALTIME
  wait "$loop" || true
  denied=$(awk '$2 != 0 { print $1; exit }' "$marks")
  latencies+=("$(jq -n "($denied - $returned) * 1000")")
done
printf '%s\n' "${latencies[@]}" | sort -n | awk '{ a[NR] = $1 } END { printf "freeze returned -> first denied decision in the other process: median %.2f ms, max %.2f ms (one in-flight check at most; below zero: the other process was already denied before airlock freeze had exited)\n", a[int((NR + 1) / 2)], a[NR] }'
echo '```'

echo
echo "## Agent hook: whole process, Claude Code input, 1,000 corpus commands (same run)"
echo
# Each call is a new process started with posix_spawn and PreToolUse JSON on stdin, exactly as
# the host starts it; /bin/true is started the same way, interleaved, as the baseline.
echo '```'
echo "\$ airlock-bench --hook airlock $corpus 1000"
"$bin/airlock-bench" --hook "$bin/airlock" "$corpus" 1000
echo '```'
