#!/usr/bin/env bash
# ns per recorded event: runs agent/build/bench without and with the agent.
# Usage: bash agent/bench/run-bench.sh [iterations] [trace-parent-dir]
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
AGENT_DIR=$(cd "$HERE/.." && pwd)
make -s -C "$AGENT_DIR" >/dev/null
N=${1:-2000000}
PARENT=${2:-${TMPDIR:-/tmp}}
RUN=$(mktemp -d "$PARENT/interleave-bench.XXXXXX")
trap 'rm -rf "$RUN"' EXIT
plain=$("$AGENT_DIR/build/bench" "$N")
traced=$(INTERLEAVE_TRACE_DIR=$RUN/trace LD_PRELOAD=$AGENT_DIR/build/libinterleave-agent.so "$AGENT_DIR/build/bench" "$N")
echo "untraced:"; echo "$plain" | sed 's/^/  /'
echo "traced (trace dir under $PARENT):"; echo "$traced" | sed 's/^/  /'
paste <(echo "$plain") <(echo "$traced") | awk '
  { for (i = 1; i <= NF; i++) { split($i, kv, "="); if (kv[1] == "ns_per_iter") v[++k] = kv[2]; if (kv[1] == "events_per_iter") e = kv[2] } 
    printf "%-20s untraced %7.1f ns/iter  traced %7.1f ns/iter  => %6.1f ns per recorded event\n", $1, v[1], v[2], (v[2] - v[1]) / e; k = 0 }'
