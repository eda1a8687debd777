#!/usr/bin/env bash
# Overhead of the agent on the sample echo servers (sample-servers/), measured with echo-client
# (untraced) on 127.0.0.1. Reports round-trips per second and the server's CPU time per request
# (utime+stime of the server and its reaped children, from /proc): on a small shared machine the
# throughput is noisy, the CPU time per request is the steadier number.
#   bash agent/bench/server-overhead.sh [requests]
# persistent:  echo-select and echo-thread, 4 clients, one connection each, many round-trips.
# per-request: echo-process (a fork per connection), one connection per request.
# Trace directories go under ${TMPDIR:-/tmp}.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
AGENT_DIR=$(cd "$HERE/.." && pwd)
SS=$(cd "$AGENT_DIR/../sample-servers" && pwd)
make -s -C "$AGENT_DIR" >/dev/null
# private build of the samples (never touches sample-servers/bin, which its owner rebuilds)
BIN=$AGENT_DIR/build/sample-servers
mkdir -p "$BIN"
for p in echo-select echo-thread echo-process; do
    gcc -O2 -pthread -o "$BIN/$p" "$SS/$p.c" "$SS/common.c"
done
gcc -O2 -pthread -o "$BIN/echo-client" "$SS/echo-client.c"
N=${1:-100000}
RUN=$(mktemp -d "${TMPDIR:-/tmp}/interleave-srv.XXXXXX")
SPID=""
cleanup() {
    if [[ -n $SPID ]]; then kill "$SPID" 2>/dev/null || true; wait "$SPID" 2>/dev/null || true; fi
    rm -rf "$RUN"
}
trap cleanup EXIT
TCK=$(getconf CLK_TCK)

# measure SERVER MODE REQUESTS TRACED -> "rate cpu_us_per_request"
measure() {
    local server=$1 mode=$2 n=$3 traced=$4 log=$RUN/server.log port=""
    if [[ $traced == 1 ]]; then
        INTERLEAVE_TRACE_DIR=$RUN/t.$server.$mode.$RANDOM LD_PRELOAD=$AGENT_DIR/build/libinterleave-agent.so \
            "$BIN/$server" -p 0 >"$log" 2>&1 &
    else
        "$BIN/$server" -p 0 >"$log" 2>&1 &
    fi
    SPID=$!
    for _ in $(seq 100); do # the server prints "listening on 127.0.0.1:PORT"
        port=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$log" | head -1)
        [[ -n $port ]] && break
        sleep 0.05
    done
    local out rate cpu
    out=$("$BIN/echo-client" -p $port -c 4 -n "$n" -t 60 -m "$mode" 2>&1 || true)
    sleep 0.2 # let the last children be reaped
    cpu=$(awk -v t="$TCK" '{ print ($14 + $15 + $16 + $17) * 1e6 / t }' "/proc/$SPID/stat")
    kill "$SPID" 2>/dev/null || true
    wait "$SPID" 2>/dev/null || true
    SPID=""
    rate=$(echo "$out" | sed -n "s/^round-trips per second: \([0-9.]*\).*/\1/p" | head -1)
    echo "${rate:-0} $(awk -v c="$cpu" -v n="$n" 'BEGIN { printf "%.2f", c / n }')"
}

for spec in "echo-select persistent $N" "echo-thread persistent $N" "echo-process per-request $((N / 10))"; do
    read -r server mode n <<<"$spec"
    res=""
    for i in 1 2 3; do
        res="$res $(measure "$server" "$mode" "$n" 0) $(measure "$server" "$mode" "$n" 1)"
    done
    # res: p_rate p_cpu t_rate t_cpu (x3); take medians
    echo "$res" | awk -v s="$server" -v m="$mode" '{
        for (i = 0; i < 3; i++) { pr[i] = $(4*i+1); pc[i] = $(4*i+2); tr[i] = $(4*i+3); tc[i] = $(4*i+4) }
        printf "%-12s %-11s rt/s untraced %7.0f traced %7.0f (%.2fx) | server CPU us/request untraced %6.2f traced %6.2f (%.2fx)\n",
            s, m, med(pr), med(tr), med(pr) / med(tr), med(pc), med(tc), med(tc) / med(pc) }
        function med(a,   x, y, z) { x = a[0]; y = a[1]; z = a[2]
            if ((x <= y && y <= z) || (z <= y && y <= x)) return y
            if ((y <= x && x <= z) || (z <= x && x <= y)) return x
            return z }'
done
