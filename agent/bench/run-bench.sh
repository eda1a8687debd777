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
  { k = 0; for (i = 1; i <= NF; i++) { split($i, kv, "=")
        if (kv[1] == "ns_per_iter") w[++k] = kv[2]
        if (kv[1] == "user_ns_per_iter") u[k] = kv[2]
        if (kv[1] == "sys_ns_per_iter") s[k] = kv[2]
        if (kv[1] == "events_per_iter") e = kv[2] }
    printf "%-18s %6.1f ns per recorded event (wall); CPU: user %6.1f + system %6.1f ns per event\n", $1,
        (w[2] - w[1]) / e, (u[2] - u[1]) / e, (s[2] - s[1]) / e }'
echo "(user = the agent's own code; system = the kernel providing fresh page-cache pages for the"
echo " trace file, 64 bytes per event, which depends on the machine and the file system)"
