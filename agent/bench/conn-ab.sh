#!/usr/bin/env bash
# A/B of agent builds on the connection-heavy cases, in one interleaved run:
#   bash agent/bench/conn-ab.sh [--reps N] [--time S] LABEL=path/to/libinterleave-agent.so ...
# For each repetition and each case (echo-thread per-request, echo-thread persistent, echo-process
# per-request) it runs the server untraced and then under every given agent build, one after the
# other, with sample-servers/bin/echo-client (untraced, 8 clients, 64-byte lines) on 127.0.0.1.
# Prints per case and variant the median round-trips/s, the median server CPU per request (utime +
# stime of the server and its reaped children, /proc) and the paired ratios against untraced.
# Trace output on /dev/shm, deleted after each measurement. Bounded: N requests or S seconds per
# measurement; every server is stopped by its pid.
set -euo pipefail
export LC_ALL=C
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
reps=5 tlimit=3
while [[ $# -gt 0 ]]; do
    case $1 in
        --reps) reps=$2; shift 2 ;;
        --time) tlimit=$2; shift 2 ;;
        *) break ;;
    esac
done
[[ $# -ge 1 ]] || { echo "usage: conn-ab.sh [--reps N] [--time S] LABEL=agent.so ..." >&2; exit 2; }
RUN=$(mktemp -d /dev/shm/interleave-ab.XXXXXX)
SPID="" CPID=""
cleanup() {
    [[ -n $CPID ]] && kill "$CPID" 2>/dev/null || true
    if [[ -n $SPID ]]; then kill "$SPID" 2>/dev/null || true; wait "$SPID" 2>/dev/null || true; fi
    rm -rf "$RUN"
}
trap cleanup EXIT
mkdir -p "$RUN/bin"
for p in echo-thread echo-process echo-client; do cp "$ROOT/sample-servers/bin/$p" "$RUN/bin/"; done
LABELS=(untraced)
for a in "$@"; do
    l=${a%%=*} f=${a#*=}
    cp "$f" "$RUN/bin/$l.so"
    LABELS+=("$l")
done
TCK=$(getconf CLK_TCK)
ticks() { sed 's/.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 + $14 + $15 }'; }
RAW=$RUN/raw
measure() { # rep case server mode n label
    local rep=$1 c=$2 server=$3 mode=$4 n=$5 l=$6 slog=$RUN/s.log clog=$RUN/c.log port="" i
    : >"$slog"
    if [[ $l == untraced ]]; then
        "$RUN/bin/$server" -p 0 >"$slog" 2>&1 &
    else
        INTERLEAVE_TRACE_DIR=$RUN/t LD_PRELOAD=$RUN/bin/$l.so "$RUN/bin/$server" -p 0 >"$slog" 2>&1 &
    fi
    SPID=$!
    for ((i = 0; i < 100; i++)); do
        port=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$slog" | head -1)
        [[ -n $port ]] && break
        sleep 0.05
    done
    local t0 t1
    t0=$(ticks "$SPID")
    timeout -k 2 $((tlimit + 15)) "$RUN/bin/echo-client" -p "$port" -c 8 -s 64 -n "$n" -t "$tlimit" -m "$mode" \
        >"$clog" 2>&1 &
    CPID=$!
    wait "$CPID" || true
    CPID=""
    sleep 0.2
    t1=$(ticks "$SPID")
    kill "$SPID" 2>/dev/null || true
    wait "$SPID" 2>/dev/null || true
    SPID=""
    local rate done_
    rate=$(sed -n 's/^round-trips per second: \([0-9.]*\).*/\1/p' "$clog" | head -1)
    done_=$(sed -n 's/^result: .*completed=\([0-9]*\).*/\1/p' "$clog" | head -1)
    : "${rate:=0}" "${done_:=0}"
    local cpu
    cpu=$(awk -v d=$((t1 - t0)) -v t="$TCK" -v n="$done_" 'BEGIN { printf "%.1f", n ? d * 1e6 / t / n : 0 }')
    printf '%s\t%s\t%s\t%s\t%s\n' "$rep" "$c" "$l" "$rate" "$cpu" >>"$RAW"
    printf '  rep %d %-22s %-10s %10.1f rt/s %7s us/req\n' "$rep" "$c" "$l" "$rate" "$cpu" >&2
    rm -rf "$RUN/t"
}
CASES=("echo-thread per-request 10000" "echo-thread persistent 120000" "echo-process per-request 10000")
for ((rep = 1; rep <= reps; rep++)); do
    for cs in "${CASES[@]}"; do
        set -- $cs
        for l in "${LABELS[@]}"; do measure "$rep" "$1/$2" "$1" "$2" "$3" "$l"; done
    done
done
awk -F'\t' -v labels="${LABELS[*]}" '
    function med(s,   a, n, i, j, t) { n = split(s, a, " ")
        for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
        return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
    { R[$2, $3] = R[$2, $3] " " $4; C[$2, $3] = C[$2, $3] " " $5; rate[$1, $2, $3] = $4; if (!($2 in seen)) { seen[$2] = 1; cs[++nc] = $2 }
      if ($1 > maxrep) maxrep = $1 }
    END { nl = split(labels, L, " ")
        printf "| case | variant | rt/s (median) | slowdown | CPU/req us (median) | CPU ratio | paired untraced/variant |\n|---|---|---:|---:|---:|---:|---|\n"
        for (k = 1; k <= nc; k++) { c = cs[k]; r0 = med(R[c, "untraced"]); c0 = med(C[c, "untraced"])
            for (i = 1; i <= nl; i++) { l = L[i]; r = med(R[c, l]); cc = med(C[c, l]); p = ""
                if (l != "untraced") for (j = 1; j <= maxrep; j++) { q = rate[j, c, l] > 0 ? rate[j, c, "untraced"] / rate[j, c, l] : 0; p = p sprintf(" %.2f", q) }
                sl = r > 0 ? r0 / r : 0; cr = c0 > 0 ? cc / c0 : 0
                printf "| %s | %s | %.0f | %.2fx | %.1f | %.2fx |%s |\n", c, l, r, sl, cc, cr, p } } }' "$RAW"
