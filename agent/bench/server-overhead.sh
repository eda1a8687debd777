#!/usr/bin/env bash
# Overhead of the agent on the sample echo servers (sample-servers/), measured with echo-client
# (untraced) on 127.0.0.1: round-trips per second without and with the agent.
#   bash agent/bench/server-overhead.sh [requests]
# persistent: echo-select and echo-thread, 4 clients, one connection each, many round-trips.
# per-request: echo-process (a fork per connection), one connection per request.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
AGENT_DIR=$(cd "$HERE/.." && pwd)
SS=$(cd "$AGENT_DIR/../sample-servers" && pwd)
make -s -C "$AGENT_DIR" >/dev/null
make -s -C "$SS" >/dev/null
N=${1:-40000}
RUN=$(mktemp -d "${TMPDIR:-/tmp}/interleave-srv.XXXXXX")
SPID=""
cleanup() { [[ -n $SPID ]] && kill "$SPID" 2>/dev/null; wait 2>/dev/null; rm -rf "$RUN"; }
trap cleanup EXIT

# measure SERVER MODE REQUESTS TRACED -> prints round-trips/s
measure() {
    local server=$1 mode=$2 n=$3 traced=$4 port=$((20000 + RANDOM % 20000))
    if [[ $traced == 1 ]]; then
        INTERLEAVE_TRACE_DIR=$RUN/t.$server.$mode.$RANDOM LD_PRELOAD=$AGENT_DIR/build/libinterleave-agent.so \
            "$SS/bin/$server" -p $port >/dev/null 2>&1 &
    else
        "$SS/bin/$server" -p $port >/dev/null 2>&1 &
    fi
    SPID=$!
    sleep 0.3
    local out rate
    out=$("$SS/bin/echo-client" -p $port -c 4 -n "$n" -t 60 -m "$mode" 2>&1 || true)
    kill "$SPID" 2>/dev/null || true
    wait "$SPID" 2>/dev/null || true
    SPID=""
    rate=$(echo "$out" | sed -n "s/^round-trips per second: \([0-9.]*\).*/\1/p" | head -1)
    echo "${rate:-0}"
}

for spec in "echo-select persistent $N" "echo-thread persistent $N" "echo-process per-request $((N / 8))"; do
    read -r server mode n <<<"$spec"
    p1=$(measure "$server" "$mode" "$n" 0)
    t1=$(measure "$server" "$mode" "$n" 1)
    p2=$(measure "$server" "$mode" "$n" 0)
    t2=$(measure "$server" "$mode" "$n" 1)
    awk -v s="$server" -v m="$mode" -v p1="$p1" -v p2="$p2" -v t1="$t1" -v t2="$t2" 'BEGIN {
        p = (p1 > p2 ? p1 : p2); t = (t1 > t2 ? t1 : t2)
        printf "%-12s %-11s untraced %9.0f rt/s  traced %9.0f rt/s  slowdown %.3fx\n", s, m, p, t, (t > 0 ? p / t : 0) }'
done
