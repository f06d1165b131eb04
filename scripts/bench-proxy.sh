#!/usr/bin/env bash
# The PostgreSQL proxy's throughput and latency against the same server reached directly and
# through pgbouncer (transaction pooling), with pgbench; prints a Markdown table.
#
# Everything runs in a scratch directory under /dev/shm, on ports nobody else holds: its own
# PostgreSQL 15 (fsync off), its own pgbouncer, and `airlock-cli proxy postgres` with an
# AIRLOCK_HOME of its own. As root, PostgreSQL and pgbouncer run as the `postgres` user: both
# refuse to run as root.
#
# Each row runs its three targets back to back (direct, pgbouncer, airlock) so drift on a
# shared machine hits all three alike. BENCH_PROXY_SECONDS sets each run's length (default 10;
# 3 for a quick look), BENCH_PROXY_SCALE pgbench's scale (default 10).
#
# Exits nonzero if any run fails, or if the Airlock proxy cannot be set up: then the direct and
# pgbouncer rows are still printed, and the Airlock columns say why they are empty.
set -euo pipefail
bin=${1:?usage: bench-proxy.sh BIN-DIR   (the directory holding airlock-cli)}
seconds=${BENCH_PROXY_SECONDS:-10}
scale=${BENCH_PROXY_SCALE:-10}
[[ $seconds =~ ^[1-9][0-9]*$ ]] || { echo "bench-proxy: BENCH_PROXY_SECONDS must be a whole number of seconds, not '$seconds'" >&2; exit 2; }
[[ $scale =~ ^[1-9][0-9]*$ ]] || { echo "bench-proxy: BENCH_PROXY_SCALE must be a positive whole number, not '$scale'" >&2; exit 2; }

# --- Tools: the versioned bin directory, so server, psql and pgbench always match. ---------
pg_bin=/usr/lib/postgresql/15/bin
if [[ ! -x $pg_bin/initdb ]]; then
  pg_bin=$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin 2>/dev/null | sort -V | tail -n 1)
fi
for tool in initdb pg_ctl psql pgbench; do
  [[ -n $pg_bin && -x $pg_bin/$tool ]] || { echo "bench-proxy: PostgreSQL's $tool not found in /usr/lib/postgresql/15/bin: run \`make deps\`" >&2; exit 1; }
done
pgbouncer=/usr/sbin/pgbouncer
[[ -x $pgbouncer ]] || { echo "bench-proxy: $pgbouncer not found: run \`make deps\`" >&2; exit 1; }
command -v jq >/dev/null || { echo "bench-proxy: jq not found: run \`make deps\`" >&2; exit 1; }
[[ -x $bin/airlock-cli ]] || { echo "bench-proxy: $bin/airlock-cli not found: build it first (make release)" >&2; exit 1; }

as_server=()
if [[ $(id -u) -eq 0 ]]; then
  id -u postgres >/dev/null 2>&1 || { echo "bench-proxy: running as root needs the postgres OS user: run \`make deps\`" >&2; exit 1; }
  as_server=(runuser -u postgres --)
fi

# --- Scratch space and clean-up. ------------------------------------------------------------
scratch=$(mktemp -d /dev/shm/airlock-bench-proxy.XXXXXX)
data=$scratch/data
home=$scratch/home
proxy_pid="" bench_pid=""
# SIGTERM, then SIGKILL if it is still there after 5 s: a proxy that ignores SIGTERM must not
# hang the clean-up.
stop_process() {
  local pid=$1 tries=50
  kill "$pid" 2>/dev/null || return 0
  while kill -0 "$pid" 2>/dev/null && ((tries-- > 0)); do sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
}
cleanup() {
  local status=$?
  set +e
  trap - EXIT INT TERM
  cd /
  [[ -n $bench_pid ]] && stop_process "$bench_pid"
  [[ -n $proxy_pid ]] && stop_process "$proxy_pid"
  [[ -s $scratch/pgbouncer.pid ]] && kill "$(cat "$scratch/pgbouncer.pid")" 2>/dev/null
  [[ -s $data/postmaster.pid ]] && "${as_server[@]}" "$pg_bin/pg_ctl" stop -D "$data" -m immediate -s >/dev/null 2>&1
  rm -rf "$scratch"
  exit "$status"
}
trap cleanup EXIT
# The handler exits with the usual status of a death by that signal, which runs cleanup.
trap 'exit 130' INT
trap 'exit 143' TERM
[[ ${#as_server[@]} -gt 0 ]] && chown postgres: "$scratch"
mkdir -m 0700 "$home"

pg_env=(env -u PGHOST -u PGPORT -u PGUSER -u PGDATABASE -u PGPASSWORD -u PGSERVICE PGPASSFILE=/nonexistent/airlock-bench-no-pgpass LC_ALL=C)

# A TCP port nothing listens on. Bash cannot bind port 0, so: random ports not in the kernel's
# table of listening sockets. A race with another process stays possible; starts are retried.
free_port() {
  local used port
  used=$(awk 'NR > 1 && $4 == "0A" { sub(/.*:/, "", $2); print $2 }' /proc/net/tcp /proc/net/tcp6 2>/dev/null | sort -u)
  while true; do
    port=$((20000 + RANDOM % 30000))
    grep -qx "$(printf '%04X' "$port")" <<<"$used" || { echo "$port"; return; }
  done
}

# Waits until `psql` ARGS… succeeds (up to 15 s); returns nonzero otherwise.
wait_for_sql() {
  local deadline=$((SECONDS + 15))
  until "${pg_env[@]}" "$pg_bin/psql" -X -A -t -q -w "$@" -c 'SELECT 1' >/dev/null 2>&1; do
    ((SECONDS < deadline)) || return 1
    sleep 0.1
  done
}

# --- PostgreSQL. -----------------------------------------------------------------------------
echo "bench-proxy: starting PostgreSQL and loading pgbench data (scale $scale)" >&2
# From /: the postgres user may not be allowed into the checkout (under /root, say).
(cd / && "${as_server[@]}" "${pg_env[@]}" "$pg_bin/initdb" -D "$data" -U postgres -A trust -E UTF8 --locale=C --no-sync --no-instructions) >"$scratch/initdb.log" 2>&1 ||
  { cat "$scratch/initdb.log" >&2; echo "bench-proxy: initdb failed" >&2; exit 1; }
for attempt in 1 2 3; do
  pg_port=$(free_port)
  if (cd / && "${as_server[@]}" "${pg_env[@]}" "$pg_bin/pg_ctl" start -D "$data" -l "$scratch/postgres.log" -w -s -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $pg_port -k $scratch -c fsync=off -c max_connections=200 -c dynamic_shared_memory_type=mmap") >/dev/null; then
    break
  fi
  grep -q "Address already in use" "$scratch/postgres.log" && ((attempt < 3)) && continue
  tail -n 20 "$scratch/postgres.log" >&2
  echo "bench-proxy: PostgreSQL did not start" >&2
  exit 1
done
direct=(-h 127.0.0.1 -p "$pg_port" -U postgres)
# The password only matters to the proxy, which may insist on having one for its upstream;
# pg_hba.conf trusts 127.0.0.1, so nothing checks it.
upstream_password=bench-$RANDOM$RANDOM
"${pg_env[@]}" "$pg_bin/psql" -X -q -w "${direct[@]}" -d postgres -v ON_ERROR_STOP=1 -c "ALTER ROLE postgres PASSWORD '$upstream_password'" >/dev/null
"${pg_env[@]}" "$pg_bin/pgbench" -i -q -s "$scale" "${direct[@]}" postgres >"$scratch/pgbench-init.log" 2>&1 ||
  { tail -n 20 "$scratch/pgbench-init.log" >&2; echo "bench-proxy: pgbench -i failed" >&2; exit 1; }

# --- pgbouncer: transaction pooling, its own config, pool of 20. ------------------------------
printf '"postgres" ""\n' >"$scratch/userlist.txt"
for attempt in 1 2 3; do
  bouncer_port=$(free_port)
  # pgbouncer's trust still wants the user in auth_file. No Unix socket: a default one in /tmp
  # could clash with another pgbouncer.
  cat >"$scratch/pgbouncer.ini" <<EOF
[databases]
postgres = host=127.0.0.1 port=$pg_port dbname=postgres
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $bouncer_port
unix_socket_dir =
auth_type = trust
auth_file = $scratch/userlist.txt
pool_mode = transaction
default_pool_size = 20
max_client_conn = 200
logfile = $scratch/pgbouncer.log
pidfile = $scratch/pgbouncer.pid
EOF
  [[ ${#as_server[@]} -gt 0 ]] && chown postgres: "$scratch/pgbouncer.ini" "$scratch/userlist.txt"
  if (cd / && "${as_server[@]}" "$pgbouncer" -q -d "$scratch/pgbouncer.ini") && wait_for_sql -h 127.0.0.1 -p "$bouncer_port" -U postgres -d postgres; then
    break
  fi
  [[ -s $scratch/pgbouncer.pid ]] && kill "$(cat "$scratch/pgbouncer.pid")" 2>/dev/null
  grep -q "Address already in use" "$scratch/pgbouncer.log" 2>/dev/null && ((attempt < 3)) && continue
  tail -n 20 "$scratch/pgbouncer.log" >&2 2>/dev/null || true
  echo "bench-proxy: pgbouncer did not start" >&2
  exit 1
done

# --- The Airlock proxy. A failure here is reported, not fatal, until the table is out. --------
airlock_error=""
airlock_port=""
start_airlock() {
  mkdir -m 0700 "$home/secrets"
  printf '%s' "$upstream_password" >"$home/secrets/bench.password"
  chmod 0600 "$home/secrets/bench.password"
  cat >"$home/upstreams.yaml" <<EOF
upstreams:
  - name: bench
    host: 127.0.0.1
    port: $pg_port
    database: postgres
    environment: development
    user: postgres
    password_file: secrets/bench.password
EOF
  local added
  if ! added=$(AIRLOCK_HOME=$home "$bin/airlock-cli" agents add bench --format json 2>"$scratch/agents.err"); then
    airlock_error="\`airlock-cli agents add bench --format json\` failed (not implemented yet?): $(head -c 300 "$scratch/agents.err" | tr '\n' ' ')"
    return 1
  fi
  airlock_token=$(jq -er .token <<<"$added" 2>/dev/null) || {
    airlock_error="\`airlock-cli agents add bench --format json\` printed no {\"token\": …}: $(head -c 300 <<<"$added" | tr '\n' ' ')"
    return 1
  }
  airlock_port=$(free_port)
  AIRLOCK_HOME=$home "$bin/airlock-cli" proxy postgres --listen "127.0.0.1:$airlock_port" --upstream bench >"$scratch/airlock.log" 2>&1 &
  proxy_pid=$!
  local deadline=$((SECONDS + 15))
  until "${pg_env[@]}" PGPASSWORD="$airlock_token" "$pg_bin/psql" -X -A -t -q -w -h 127.0.0.1 -p "$airlock_port" -U bench -d postgres -c 'SELECT 1' >"$scratch/airlock-probe.log" 2>&1; do
    if ! kill -0 "$proxy_pid" 2>/dev/null; then
      wait "$proxy_pid" 2>/dev/null || true
      proxy_pid=""
      airlock_error="\`airlock-cli proxy postgres\` exited at start (not implemented yet?): $(tail -c 300 "$scratch/airlock.log" | tr '\n' ' ')"
      return 1
    fi
    if ((SECONDS >= deadline)); then
      airlock_error="\`airlock-cli proxy postgres\` did not answer SELECT 1 within 15 s: $(tail -c 300 "$scratch/airlock-probe.log" | tr '\n' ' ')"
      return 1
    fi
    sleep 0.1
  done
}
if start_airlock; then
  echo "bench-proxy: Airlock proxy on 127.0.0.1:$airlock_port" >&2
else
  echo "bench-proxy: AIRLOCK PROXY UNAVAILABLE, its columns stay empty: $airlock_error" >&2
fi

# --- Runs. ----------------------------------------------------------------------------------
failures=0
ticks_per_second=$(getconf CLK_TCK)
# The user and the system CPU time (clock ticks) a process has used so far, as "USER SYSTEM";
# empty if it is gone.
cpu_ticks() {
  [[ -n $1 && -r /proc/$1/stat ]] || return 0
  # Fields after the command name, which is in parentheses and may hold spaces: utime and
  # stime are the 12th and 13th of them.
  sed 's/^.*) //' "/proc/$1/stat" | awk '{ print $12, $13 }'
}

# Sets tps, latency (ms) and cpu (the proxy's CPU µs per transaction, for pgbouncer and Airlock:
# "TOTAL USER") from one pgbench run, or leaves them empty and counts a failure.
run_pgbench() {
  local target=$1 workload=$2 clients=$3 protocol=$4 out
  local args=(-n -T "$seconds" -c "$clients" -j "$((clients > 1 ? 2 : 1))" -M "$protocol")
  [[ $workload == select-only ]] && args+=(-S)
  args+=(postgres)  # the database; pgbench's -d means --debug
  local connection password=""
  case $target in
    direct) connection=(-h 127.0.0.1 -p "$pg_port" -U postgres) ;;
    pgbouncer) connection=(-h 127.0.0.1 -p "$bouncer_port" -U postgres) ;;
    airlock) connection=(-h 127.0.0.1 -p "$airlock_port" -U bench); password=$airlock_token ;;
  esac
  # What pgbench does before a run unless -n, done directly so the proxy's policy does not
  # decide on VACUUM and TRUNCATE: each run starts from the same state.
  "${pg_env[@]}" "$pg_bin/psql" -X -q -w "${direct[@]}" -d postgres -v ON_ERROR_STOP=1 \
    -c 'VACUUM pgbench_branches' -c 'VACUUM pgbench_tellers' -c 'TRUNCATE pgbench_history' >/dev/null
  out=$scratch/run-$target-$workload-$clients-$protocol.log
  tps="" latency="" cpu=""
  local proxy_process="" before=""
  case $target in
    pgbouncer) proxy_process=$(cat "$scratch/pgbouncer.pid" 2>/dev/null) ;;
    airlock) proxy_process=$proxy_pid ;;
  esac
  before=$(cpu_ticks "$proxy_process")
  # In the background and waited for: a signal's trap then runs at once, not after the run.
  "${pg_env[@]}" PGPASSWORD="$password" "$pg_bin/pgbench" "${connection[@]}" "${args[@]}" >"$out" 2>&1 &
  bench_pid=$!
  local ok=1
  wait "$bench_pid" || ok=0
  bench_pid=""
  local after
  after=$(cpu_ticks "$proxy_process")
  if ((ok)); then
    tps=$(awk '/^tps = / { print $3; exit }' "$out")
    latency=$(awk '/^latency average = / { print $4; exit }' "$out")
    local transactions
    transactions=$(awk '/^number of transactions actually processed: / { split($6, n, "/"); print n[1]; exit }' "$out")
    if [[ -n $before && -n $after && -n $transactions ]] && ((transactions > 0)); then
      cpu=$(awk -v b="$before" -v a="$after" -v t="$transactions" -v hz="$ticks_per_second" 'BEGIN {
        split(b, b_, " "); split(a, a_, " "); per = 1000000 / hz / t
        printf "%.1f %.1f", (a_[1] + a_[2] - b_[1] - b_[2]) * per, (a_[1] - b_[1]) * per }')
    fi
  fi
  if [[ -z $tps || -z $latency ]] || grep -qE '^number of failed transactions: [1-9]' "$out"; then
    tps=failed latency=failed
    failures=$((failures + 1))
    echo "bench-proxy: FAILED $target $workload, $clients clients, $protocol:" >&2
    tail -n 5 "$out" | sed 's/^/    /' >&2
  fi
}

rows=()
for workload in select-only tpcb-like; do
  for clients in 1 10; do
    for protocol in simple extended; do
      declare -A tps_of=() latency_of=() cpu_of=()
      for target in direct pgbouncer airlock; do
        if [[ $target == airlock && -n $airlock_error ]]; then continue; fi
        echo "bench-proxy: $workload, $clients clients, $protocol, $target (${seconds}s)" >&2
        run_pgbench "$target" "$workload" "$clients" "$protocol"
        tps_of[$target]=$tps latency_of[$target]=$latency cpu_of[$target]=$cpu
      done
      rows+=("$workload|$clients|$protocol|${tps_of[direct]:-}|${tps_of[pgbouncer]:-}|${tps_of[airlock]:-}|${latency_of[direct]:-}|${latency_of[pgbouncer]:-}|${latency_of[airlock]:-}|${cpu_of[pgbouncer]:-}|${cpu_of[airlock]:-}")
      unset tps_of latency_of cpu_of
    done
  done
done

# --- Table. ---------------------------------------------------------------------------------
pg_version=$("$pg_bin/postgres" --version | awk '{ print $3 }')
bouncer_version=$("$pgbouncer" --version | awk 'NR == 1 { print $2 }')
echo "## PostgreSQL proxy: pgbench direct, through pgbouncer, through Airlock ($(date -u +%Y-%m-%d), $(nproc) cores)"
echo
echo "PostgreSQL $pg_version (fsync off, /dev/shm), pgbench scale $scale, ${seconds} s per run; pgbouncer $bouncer_version, transaction pooling, pool of 20; all on 127.0.0.1. Latency is pgbench's average per transaction; a TPC-B transaction is 7 statements (BEGIN … END), select-only 1. CPU per transaction is the proxy process's user + system time over the run (/proc/PID/stat) divided by the transactions pgbench completed, with the user part (the proxy's own code; the rest is the kernel's, mostly sending on loopback TCP and waking the receiver): it depends far less on what else the machine is doing than TPS does."
echo
echo "| workload | clients | protocol | TPS direct | TPS pgbouncer | TPS airlock | airlock ÷ pgbouncer | latency direct (ms) | latency pgbouncer (ms) | latency airlock (ms) | airlock added per statement (ms) | CPU per transaction pgbouncer (µs) | CPU per transaction airlock (µs) |"
echo "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for row in "${rows[@]}"; do
  IFS='|' read -r workload clients protocol td tb ta ld lb la cb ca <<<"$row"
  statements=$([[ $workload == tpcb-like ]] && echo 7 || echo 1)
  awk -v w="$workload" -v c="$clients" -v p="$protocol" -v td="$td" -v tb="$tb" -v ta="$ta" -v ld="$ld" -v lb="$lb" -v la="$la" -v cb="$cb" -v ca="$ca" -v n="$statements" '
    function ok(x) { return x != "" && x != "failed" }
    function num(x) { return ok(x) ? sprintf("%.0f", x) : x == "" ? "—" : "**failed**" }
    function ms(x) { return ok(x) ? sprintf("%.3f", x) : x == "" ? "—" : "**failed**" }
    function us(x,  v) { if (x == "") return "—"; split(x, v, " "); return sprintf("%.1f (user %.1f)", v[1], v[2]) }
    BEGIN {
      ratio = (ok(ta) && ok(tb) && tb > 0) ? sprintf("%.2f", ta / tb) : "—"
      added = (c == 1 && ok(la) && ok(ld)) ? sprintf("%+.3f", (la - ld) / n) : "—"
      printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", w, c, p, num(td), num(tb), num(ta), ratio, ms(ld), ms(lb), ms(la), added, us(cb), us(ca)
    }'
done

status=0
if [[ -n $airlock_error ]]; then
  echo
  echo "**Airlock proxy: no figures.** $airlock_error"
  echo "bench-proxy: the Airlock proxy could not be benchmarked: $airlock_error" >&2
  status=1
fi
if ((failures > 0)); then
  echo "bench-proxy: $failures pgbench run(s) failed (see above)" >&2
  status=1
fi
exit "$status"
