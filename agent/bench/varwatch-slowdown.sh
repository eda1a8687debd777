#!/usr/bin/env bash
# Slowdown of badcnt (two threads, cnt++ N times each) when cnt is watched: median wall time of R runs
# untraced, traced without watchpoints on cnt, and traced with cnt watched (INTERLEAVE_TRACE_WATCH_VARS, as
# `interleave trace --source sample-servers/badcnt.c` sets it). Usage: varwatch-slowdown.sh [N] [R]
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
n=${1:-200000} r=${2:-11}
make -s -C "$repo/agent" >/dev/null
make -s -C "$repo/sample-servers" >/dev/null
prog=$repo/sample-servers/bin/badcnt
agent=$repo/agent/build/libinterleave-agent.so
vars="$prog|cnt@0x$(readelf -sW "$prog" | awk '$8 == "cnt" { print $2 }'):8"
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
measure() { # measure LABEL ENV...
    local label=$1; shift
    for ((k = 0; k < r; k++)); do
        rm -rf "$work/run"
        local t0=$EPOCHREALTIME
        env "$@" "$prog" "$n" >/dev/null
        local t1=$EPOCHREALTIME
        echo "$t0 $t1" | awk '{ printf "%.2f\n", ($2 - $1) * 1000 }'
    done | median | xargs printf "%-28s %8s ms (median of $r)\n" "$label"
}
measure "untraced" X=1
measure "traced" INTERLEAVE_TRACE_DIR="$work/run" LD_PRELOAD="$agent"
measure "traced, cnt watched" INTERLEAVE_TRACE_DIR="$work/run" LD_PRELOAD="$agent" INTERLEAVE_TRACE_WATCH_VARS="$vars"
