#!/usr/bin/env bash
# Runs the built tests (make test builds them first). The full output goes to the terminal and
# to .build/test.log; when a test fails, its issues are printed again at the end, where a CI
# page that keeps only the last lines of a long run still shows them.
set -uo pipefail
swift=${1:-swift}
log=.build/test.log
mkdir -p .build
"$swift" test --skip-build 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
if [ "$status" -ne 0 ]; then
    echo
    echo "── what failed (all of it is in $log) ──"
    # Swift Testing's issue lines and the detail lines under them; XCTest's error lines; a crash.
    sed 's/\x1b\[[0-9;]*m//g' "$log" |
        awk '/recorded an issue|: error: |Fatal error|Program crashed/ { print; detail = 8; next }
             detail > 0 && /^[[:space:]]*↳|^[[:space:]]+/ { print; detail--; next }
             { detail = 0 }' | head -n 120
    echo "exit $status"
fi
exit "$status"
