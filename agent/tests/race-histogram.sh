#!/usr/bin/env bash
# Does the argument-race finding show what race.c's threads really read? Traces sample-servers/bin/race with
# `interleave trace` RUNS times, reports each run as text and compares the finding's histogram with the one the
# program printed itself. With INTERLEAVE_TRACE_WATCH=0 in the environment the agent sets no watchpoints and the
# finding shows the bytes at thread start (the behaviour before format 1.2): compare the two.
# Usage: bash agent/tests/race-histogram.sh [RUNS] [THREADS]     (from the repository root)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
RUNS=${1:-3}
N=${2:-100}
make -s -C "$ROOT/sample-servers" >/dev/null
WORK=$(mktemp -d "${TMPDIR:-/tmp}/race-histogram.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
same=0
for ((k = 1; k <= RUNS; k++)); do
    d=$WORK/run$k
    "$ROOT/interleave" trace -o "$d" --timeout 60 -- "$ROOT/sample-servers/bin/race" "$N" >"$d.out" 2>"$d.err"
    "$ROOT/interleave" report --format text "$d" >"$d.report" 2>&1 || true
    # the program's rows "i=  10..  19: 0 2 ..." -> "v×n" for n > 0, as the finding writes them
    prog=$(awk '/^  i=/ { v = substr($0, index($0, "=") + 1) + 0; n = split(substr($0, index($0, ":") + 1), c, " ")
                         for (j = 1; j <= n; j++) { if (c[j] > 0) out = out (out ? ", " : "") v "×" c[j]; v++ } }
                END { print out }' "$d.out")
    found=$(grep -o 'values seen by the threads: [^;]*; .*) \[observed-argument-race\]' "$d.report" | head -1 || true)
    found=${found%) \[observed-argument-race\]}
    hist=${found#values seen by the threads: }
    source=${hist#*; }
    hist=${hist%%;*}
    if [[ -n "$found" && "$hist" == "$prog" ]]; then
        same=$((same + 1)); verdict=same
    else
        verdict=DIFFERENT
    fi
    echo "run $k: $verdict ($(grep -o 'mismatched=[0-9]*' "$d.out"); value source: ${source:-no finding})"
    echo "  program: $prog"
    echo "  finding: ${hist:-none}"
done
echo "$same of $RUNS runs: the finding's histogram equals the program's own"
[[ $same == "$RUNS" ]]
