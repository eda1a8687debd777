#!/usr/bin/env bash
# Are the hand-offs the agent names the real ones? Builds the agent with -DILV_CHECK_HANDOFF (every
# release also stores its thread by mutex; every written wait compares the releaser its EXIT names
# with it) and runs bench/lockheavy.c under it; prints, per run, how many written waits named the
# right thread, the wrong one, or nobody. Exit status 1 if any name was wrong.
#
# usage: bench/handoff-check.sh [--runs N] [-- LOCKHEAVY ARGS]   (default: 5 runs of 8 400000 0 0)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
runs=5 args=(8 400000 0 0)
while [ $# -gt 0 ]; do
    case "$1" in
    --runs) runs=$2; shift 2 ;;
    --) shift; args=("$@"); break ;;
    -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
    *) echo "handoff-check.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done
work=$(mktemp -d /dev/shm/handoff-check.XXXXXX)
trap 'rm -rf "$work"' EXIT
make -s -C "$repo/agent" BUILD="$work/build" CFLAGS="-O2 -g -DILV_CHECK_HANDOFF" "$work/build/libinterleave-agent.so" >/dev/null
gcc -O2 -pthread -o "$work/lockheavy" "$here/lockheavy.c"
wrong=0
for i in $(seq "$runs"); do
    rm -rf "$work/run"
    line=$(INTERLEAVE_TRACE_DIR="$work/run" LD_PRELOAD="$work/build/libinterleave-agent.so" \
        "$work/lockheavy" "${args[@]}" 2>&1 >/dev/null | grep '^handoff-check:' || true)
    [ -n "$line" ] || { echo "handoff-check.sh: run $i printed no counts (is the agent loaded?)" >&2; exit 2; }
    echo "run $i: ${line#handoff-check: }"
    w=$(echo "$line" | sed -n 's/.*named wrong \([0-9]*\).*/\1/p')
    wrong=$((wrong + w))
done
echo "wrong names in $runs runs: $wrong"
[ "$wrong" = 0 ]
