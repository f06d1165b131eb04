#!/usr/bin/env bash
# A short tour of Airlock on the built-in policy: commands from real incidents, each decided
# by `airlock check` exactly as an agent hook would ask, each decision checked.
set -uo pipefail
airlock=${1:?usage: demo.sh PATH-TO-AIRLOCK}

# An isolated home and project so nothing on this machine changes the outcome.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
export AIRLOCK_HOME="$scratch/airlock-home"
mkdir -p "$scratch/project"
cat > "$scratch/project/package.json" <<'JSON'
{ "scripts": { "test": "jest", "db:reset": "prisma migrate reset --force" } }
JSON

bold=$'\e[1m'; dim=$'\e[2m'; red=$'\e[31m'; yellow=$'\e[33m'; green=$'\e[32m'; reset=$'\e[0m'
[[ -t 1 ]] || { bold=; dim=; red=; yellow=; green=; reset=; }

failures=0
step() {
  local expected=$1 story=$2 command=$3; shift 3
  printf '\n%s%s%s\n%s$ %s%s\n' "$bold" "$story" "$reset" "$dim" "$command" "$reset"
  "$airlock" check --clean-env --env HOME="$HOME" --cwd "$scratch/project" --agent "$agent" "$@" -- "$command"
  local code=$?
  local got
  case $code in 0) got=allow;; 1) got=deny;; 2) got=ask;; *) got="error($code)";; esac
  local color=$green; [[ $got == deny ]] && color=$red; [[ $got == ask ]] && color=$yellow
  if [[ $got == "$expected" ]]; then
    printf '%s→ %s (exit %d)%s\n' "$color" "$got" "$code" "$reset"
  else
    printf '%s✗ expected %s, got %s (exit %d)%s\n' "$red" "$expected" "$got" "$code" "$reset"
    failures=$((failures + 1))
  fi
}

echo "${bold}Airlock: every command an agent runs is decided before it reaches the system.${reset}"

agent=replit-agent
step deny  "Replit, July 2025: an agent drops a production table during a code freeze" \
  'psql -h prod-db.internal -U admin -c "DROP TABLE executives;"'
step deny  "The same, disguised: a DELETE inside a CTE inside a subquery, read by PostgreSQL's own parser" \
  "psql -h prod-db.internal -c 'SELECT 1; SELECT * FROM (WITH d AS (DELETE/**/FROM executives RETURNING *) SELECT * FROM d) s'"
step allow "Reading production is fine: each statement is judged on its own" \
  "psql -h prod-db.internal -c 'SELECT count(*) FROM executives WHERE company_id = 42'"
step deny  "Switching to the superuser role" \
  "psql -h prod-db.internal -c 'SET ROLE postgres'"
step deny  "The same, hidden in an ORM reset pointed at production" \
  'DATABASE_URL=postgres://admin@db.prod.acme.com/app npx prisma migrate reset --force'
agent=cursor-agent
step deny  "PocketOS, April 2026: one curl to the hosting provider's GraphQL API deletes a volume" \
  "curl -X POST https://backboard.railway.app/graphql/v2 -H 'Authorization: Bearer \$TOKEN' -d '{\"query\":\"mutation { volumeDelete(volumeId: \\\"vol_8f2\\\") }\"}'"
step allow "Reading is fine, even across a cluster" \
  'kubectl get pods --all-namespaces'
agent=claude
step deny  "Rewriting main's history" \
  'git push --force origin main'
step ask   "Destroying infrastructure in a workspace Airlock cannot place: a person decides" \
  'terraform destroy'
step deny  "Wrapped twice and sent over ssh: still seen" \
  "ssh prod-web-1 \"sudo bash -c 'rm -rf /var/lib/postgresql'\""
step ask   "Code whose effect cannot be known from its text" \
  'echo cm0gLXJmIH4= | base64 -d | sh'
step allow "Text is not a command" \
  'git commit -m "drop table executives from the docs"'
step allow "Cleaning the project is allowed" \
  'rm -rf node_modules dist'
step deny  "An agent approving its own request" \
  'airlock approve K7QF-2M'

echo
echo "${bold}The replit agent kept hitting walls: its third destructive denial tripped the circuit breaker.${reset}"
"$airlock" status | sed -n '1,3p'

echo
echo "${bold}A write to production: a person approves exactly that action, once.${reset}"
agent=codex
update="psql -h prod-db.internal -c \"UPDATE users SET plan = 'pro' WHERE id = 42\""
step ask   "The agent asks; Airlock opens an approval request bound to this exact command" "$update"
id=$("$airlock" pending --format json | jq -r '.[] | select(.agent == "codex") | .id')
printf '\n%s(a person, in their own terminal)%s\n%s$ airlock approve %s%s\n' "$bold" "$reset" "$dim" "$id" "$reset"
# `script` gives approve the terminal it insists on, as a person's shell would.
script -qec "$airlock approve $id --yes" /dev/null | sed -n '1p'
step allow "The agent retries the same command: allowed, and the approval is spent" "$update"
step ask   "Once only: the same command asks again" "$update"
step ask   "One character different is a different action" "${update/42/43}"

echo
echo "${bold}The kill switch: one command stops every agent's writes, approved or not.${reset}"
printf '%s$ airlock freeze --reason "release freeze"%s\n' "$dim" "$reset"
freeze=$("$airlock" freeze --reason "release freeze" --format json | jq -r .id)
echo "FROZEN: writes frozen for all agents, until lifted (freeze $freeze)"
step deny  "A write during the freeze" 'touch notes.txt'
step allow "Reads still run" 'ls -la'
printf '\n%s(a person, in their own terminal)%s\n%s$ airlock unfreeze %s%s\n' "$bold" "$reset" "$dim" "$freeze" "$reset"
script -qec "$airlock unfreeze $freeze --yes --note 'release shipped'" /dev/null
step allow "After a person lifts it" 'touch notes.txt'

echo
echo "${bold}Agents call the same gate from their hooks: Claude Code before an MCP tool call.${reset}"
hook_input='{"session_id":"demo","cwd":"'"$scratch/project"'","hook_event_name":"PreToolUse","tool_name":"mcp__postgres-prod__query","tool_input":{"sql":"DELETE FROM executives"}}'
printf '%s$ echo %s | airlock hook claude%s\n' "$dim" "'{…\"tool_name\":\"mcp__postgres-prod__query\",\"tool_input\":{\"sql\":\"DELETE FROM executives\"}}'" "$reset"
hook_out=$(printf '%s' "$hook_input" | "$airlock" hook claude 2>/dev/null); hook_code=$?
echo "$hook_out" | jq -r '.hookSpecificOutput | "\(.permissionDecision): \(.permissionDecisionReason)"'
if [[ $hook_code -eq 2 && $(echo "$hook_out" | jq -r .hookSpecificOutput.permissionDecision) == deny ]]; then
  printf '%s→ deny (exit 2)%s\n' "$red" "$reset"
else
  printf '%s✗ expected deny (exit 2), got exit %d%s\n' "$red" "$hook_code" "$reset"
  failures=$((failures + 1))
fi

echo
echo "${bold}Why was the first one blocked?${reset}"
"$airlock" explain --clean-env --env HOME="$HOME" --cwd "$scratch/project" --agent replit-agent -- 'psql -h prod-db.internal -U admin -c "DROP TABLE executives;"' | sed -n '1,40p'

echo
echo "${bold}Every decision above was written to a tamper-evident log before it was answered:${reset}"
"$airlock" audit tail -n 4 --format text
# A signing key (what `airlock init` creates) and a signed checkpoint, then the proof.
"$airlock" init >/dev/null && "$airlock" audit checkpoint --new >/dev/null
if ! "$airlock" audit verify; then
  echo "${red}the audit log did not verify${reset}"
  failures=$((failures + 1))
fi

echo
if [[ $failures -gt 0 ]]; then
  echo "${red}${failures} decision(s) differed from what the tour expects.${reset}"
  exit 1
fi
echo "${green}All decisions as expected.${reset} Next: ${bold}airlock init${reset} writes the policy to ~/.airlock/policy.yaml to adapt."
